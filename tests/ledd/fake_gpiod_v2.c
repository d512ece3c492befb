/* FAKE libgpiod 2.x: exactly the calls ledd/gpio_v2.c makes, compiled
 * against a real v2 <gpiod.h> (extracted from a Debian package into the
 * build directory, never installed) and linked instead of -lgpiod. The
 * chips are tests/ledd/fake_chips.c's. */
#include <errno.h>
#include <gpiod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/ledd/fake_chips.h"

struct gpiod_chip {
    int index;
};

struct gpiod_chip_info {
    char label[64];
    size_t lines;
};

struct gpiod_line_settings {
    enum gpiod_line_direction direction;
    bool active_low;
    enum gpiod_line_value output;
};

struct gpiod_line_config {
    unsigned n;
    unsigned offsets[GPIO_TRACE_MAX_LINES];
    struct gpiod_line_settings settings[GPIO_TRACE_MAX_LINES];
};

struct gpiod_request_config {
    char consumer[32];
};

struct gpiod_line_request {
    int id;
};

static void *fail_null(int err)
{
    errno = err;
    return NULL;
}

struct gpiod_chip *gpiod_chip_open(const char *path)
{
    int index = fake_chips_open(path);
    struct gpiod_chip *c;
    if (index < 0)
        return fail_null(-index);
    c = calloc(1, sizeof *c);
    c->index = index;
    return c;
}

void gpiod_chip_close(struct gpiod_chip *chip)
{
    fake_chips_close(chip->index);
    free(chip);
}

struct gpiod_chip_info *gpiod_chip_get_info(struct gpiod_chip *chip)
{
    struct gpiod_chip_info *info = calloc(1, sizeof *info);
    snprintf(info->label, sizeof info->label, "%s", fake_chips_label(chip->index));
    info->lines = fake_chips_line_count(chip->index);
    return info;
}

const char *gpiod_chip_info_get_label(struct gpiod_chip_info *info)
{
    return info->label;
}

size_t gpiod_chip_info_get_num_lines(struct gpiod_chip_info *info)
{
    return info->lines;
}

void gpiod_chip_info_free(struct gpiod_chip_info *info)
{
    free(info);
}

struct gpiod_line_settings *gpiod_line_settings_new(void)
{
    struct gpiod_line_settings *s = calloc(1, sizeof *s);
    s->direction = GPIOD_LINE_DIRECTION_AS_IS;
    s->output = GPIOD_LINE_VALUE_INACTIVE;
    return s;
}

void gpiod_line_settings_free(struct gpiod_line_settings *settings)
{
    free(settings);
}

int gpiod_line_settings_set_direction(struct gpiod_line_settings *settings,
                                      enum gpiod_line_direction direction)
{
    settings->direction = direction;
    return 0;
}

void gpiod_line_settings_set_active_low(struct gpiod_line_settings *settings, bool active_low)
{
    settings->active_low = active_low;
}

int gpiod_line_settings_set_output_value(struct gpiod_line_settings *settings,
                                         enum gpiod_line_value value)
{
    if (value != GPIOD_LINE_VALUE_ACTIVE && value != GPIOD_LINE_VALUE_INACTIVE) {
        errno = EINVAL;
        return -1;
    }
    settings->output = value;
    return 0;
}

struct gpiod_line_config *gpiod_line_config_new(void)
{
    return calloc(1, sizeof(struct gpiod_line_config));
}

void gpiod_line_config_free(struct gpiod_line_config *config)
{
    free(config);
}

int gpiod_line_config_add_line_settings(struct gpiod_line_config *config,
                                        const unsigned int *offsets, size_t num_offsets,
                                        struct gpiod_line_settings *settings)
{
    for (size_t i = 0; i < num_offsets; i++) {
        if (config->n == GPIO_TRACE_MAX_LINES) {
            errno = E2BIG;
            return -1;
        }
        config->offsets[config->n] = offsets[i];
        config->settings[config->n] = *settings;    /* copied, as the library does */
        config->n++;
    }
    return 0;
}

struct gpiod_request_config *gpiod_request_config_new(void)
{
    return calloc(1, sizeof(struct gpiod_request_config));
}

void gpiod_request_config_free(struct gpiod_request_config *config)
{
    free(config);
}

void gpiod_request_config_set_consumer(struct gpiod_request_config *config,
                                       const char *consumer)
{
    snprintf(config->consumer, sizeof config->consumer, "%s", consumer ? consumer : "");
}

struct gpiod_line_request *gpiod_chip_request_lines(struct gpiod_chip *chip,
                                                    struct gpiod_request_config *req_cfg,
                                                    struct gpiod_line_config *line_cfg)
{
    int values[GPIO_TRACE_MAX_LINES];
    struct gpiod_line_request *r;
    int id;
    if (line_cfg->n == 0)
        return fail_null(EINVAL);
    for (unsigned i = 0; i < line_cfg->n; i++) {
        const struct gpiod_line_settings *s = &line_cfg->settings[i];
        /* One request, one active-low setting: what ledd asks for. */
        if (s->direction != GPIOD_LINE_DIRECTION_OUTPUT ||
            s->active_low != line_cfg->settings[0].active_low)
            return fail_null(EOPNOTSUPP);
        values[i] = s->output == GPIOD_LINE_VALUE_ACTIVE;
    }
    id = fake_chips_request(chip->index, line_cfg->offsets, line_cfg->n,
                            line_cfg->settings[0].active_low, values,
                            req_cfg ? req_cfg->consumer : "");
    if (id < 0)
        return fail_null(-id);
    r = calloc(1, sizeof *r);
    r->id = id;
    return r;
}

int gpiod_line_request_set_values_subset(struct gpiod_line_request *request,
                                         size_t num_values, const unsigned int *offsets,
                                         const enum gpiod_line_value *values)
{
    int v[GPIO_TRACE_MAX_LINES];
    int rc;
    if (num_values == 0 || num_values > GPIO_TRACE_MAX_LINES) {
        errno = EINVAL;
        return -1;
    }
    for (size_t i = 0; i < num_values; i++) {
        if (values[i] != GPIOD_LINE_VALUE_ACTIVE && values[i] != GPIOD_LINE_VALUE_INACTIVE) {
            errno = EINVAL;
            return -1;
        }
        v[i] = values[i] == GPIOD_LINE_VALUE_ACTIVE;
    }
    rc = fake_chips_set(request->id, offsets, (unsigned)num_values, v);
    if (rc) {
        errno = -rc;
        return -1;
    }
    return 0;
}

void gpiod_line_request_release(struct gpiod_line_request *request)
{
    fake_chips_release(request->id);
    free(request);
}
