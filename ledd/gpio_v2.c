/* The gpio port over libgpiod 2.x: one gpiod_line_request per request,
 * set by explicit offsets so the order of values is ours, not the kernel's. */
#include "ledd/gpio_port.h"

#include <errno.h>
#include <gpiod.h>
#include <stdio.h>
#include <stdlib.h>

struct gpio_port_chip {
    struct gpiod_chip *chip;
};

struct gpio_port_lines {
    struct gpiod_line_request *request;
    unsigned n;
    unsigned offsets[GPIO_PORT_MAX_LINES];
};

static int errno_or(int fallback)
{
    return errno > 0 ? -errno : -fallback;
}

const char *gpio_port_api(void)
{
    return "libgpiod v2";
}

int gpio_port_open_chip(const char *path, struct gpio_port_chip **out)
{
    struct gpio_port_chip *c = calloc(1, sizeof *c);
    if (!c)
        return -ENOMEM;
    errno = 0;
    c->chip = gpiod_chip_open(path);
    if (!c->chip) {
        int rc = errno_or(ENODEV);
        free(c);
        return rc;
    }
    *out = c;
    return 0;
}

int gpio_port_chip_label(struct gpio_port_chip *chip, char *buf, size_t len)
{
    struct gpiod_chip_info *info;
    const char *label;
    int rc = 0;

    errno = 0;
    info = gpiod_chip_get_info(chip->chip);
    if (!info)
        return errno_or(EIO);
    label = gpiod_chip_info_get_label(info);
    if (snprintf(buf, len, "%s", label ? label : "") >= (int)len)
        rc = -ENAMETOOLONG;
    gpiod_chip_info_free(info);
    return rc;
}

unsigned gpio_port_chip_line_count(struct gpio_port_chip *chip)
{
    struct gpiod_chip_info *info = gpiod_chip_get_info(chip->chip);
    unsigned n;
    if (!info)
        return 0;
    n = (unsigned)gpiod_chip_info_get_num_lines(info);
    gpiod_chip_info_free(info);
    return n;
}

void gpio_port_close_chip(struct gpio_port_chip *chip)
{
    if (!chip)
        return;
    gpiod_chip_close(chip->chip);
    free(chip);
}

/* Builds the line config: every line an output with its own initial value. */
static int line_config_fill(struct gpiod_line_config *cfg, const unsigned *offsets,
                            unsigned n, int active_low, const int *initial)
{
    struct gpiod_line_settings *s = gpiod_line_settings_new();
    int rc = 0;
    if (!s)
        return -ENOMEM;
    errno = 0;
    if (gpiod_line_settings_set_direction(s, GPIOD_LINE_DIRECTION_OUTPUT) < 0)
        rc = errno_or(EINVAL);
    gpiod_line_settings_set_active_low(s, active_low != 0);
    for (unsigned i = 0; i < n && !rc; i++) {
        errno = 0;
        if (gpiod_line_settings_set_output_value(s, initial[i] ? GPIOD_LINE_VALUE_ACTIVE
                                                               : GPIOD_LINE_VALUE_INACTIVE) < 0 ||
            gpiod_line_config_add_line_settings(cfg, &offsets[i], 1, s) < 0)
            rc = errno_or(EINVAL);
    }
    gpiod_line_settings_free(s);
    return rc;
}

int gpio_port_request_outputs(struct gpio_port_chip *chip, const unsigned *offsets,
                              unsigned n, int active_low, const int *initial,
                              const char *consumer, struct gpio_port_lines **out)
{
    struct gpiod_line_config *cfg = NULL;
    struct gpiod_request_config *req = NULL;
    struct gpio_port_lines *l = NULL;
    unsigned count = gpio_port_chip_line_count(chip);
    int rc;

    if (n == 0 || n > GPIO_PORT_MAX_LINES)
        return -EINVAL;
    for (unsigned i = 0; i < n; i++)
        if (offsets[i] >= count)
            return -ERANGE;
    l = calloc(1, sizeof *l);
    cfg = gpiod_line_config_new();
    req = gpiod_request_config_new();
    if (!l || !cfg || !req) {
        rc = -ENOMEM;
        goto out;
    }
    rc = line_config_fill(cfg, offsets, n, active_low, initial);
    if (rc)
        goto out;
    gpiod_request_config_set_consumer(req, consumer);
    errno = 0;
    l->request = gpiod_chip_request_lines(chip->chip, req, cfg);
    if (!l->request) {
        rc = errno_or(EBUSY);
        goto out;
    }
    l->n = n;
    for (unsigned i = 0; i < n; i++)
        l->offsets[i] = offsets[i];
    *out = l;
    l = NULL;
out:
    gpiod_request_config_free(req);
    gpiod_line_config_free(cfg);
    free(l);
    return rc;
}

int gpio_port_set_outputs(struct gpio_port_lines *lines, const int *values)
{
    enum gpiod_line_value v[GPIO_PORT_MAX_LINES];
    for (unsigned i = 0; i < lines->n; i++)
        v[i] = values[i] ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE;
    errno = 0;
    if (gpiod_line_request_set_values_subset(lines->request, lines->n, lines->offsets, v) < 0)
        return errno_or(EIO);
    return 0;
}

void gpio_port_release(struct gpio_port_lines *lines)
{
    if (!lines)
        return;
    gpiod_line_request_release(lines->request);
    free(lines);
}
