/* FAKE libgpiod 1.x: exactly the calls ledd/gpio_v1.c makes, compiled
 * against the system's real <gpiod.h> (so every signature is checked) and
 * linked instead of -lgpiod. The chips are tests/ledd/fake_chips.c's. */
#include <errno.h>
#include <gpiod.h>
#include <stdlib.h>
#include <string.h>

#include "tests/ledd/fake_chips.h"

struct gpiod_chip {
    int index;
    struct gpiod_line *lines;   /* one per offset, made on open */
};

struct gpiod_line {
    struct gpiod_chip *chip;
    unsigned offset;
    int request;                /* fake request id, -1 when free */
};

static int fail(int rc)
{
    errno = -rc;
    return -1;
}

struct gpiod_chip *gpiod_chip_open(const char *path)
{
    int index = fake_chips_open(path);
    struct gpiod_chip *c;
    if (index < 0) {
        errno = -index;
        return NULL;
    }
    c = calloc(1, sizeof *c);
    unsigned n = fake_chips_line_count(index);
    c->index = index;
    c->lines = calloc(n ? n : 1, sizeof *c->lines);
    for (unsigned i = 0; i < n; i++)
        c->lines[i] = (struct gpiod_line){ c, i, -1 };
    return c;
}

void gpiod_chip_close(struct gpiod_chip *chip)
{
    fake_chips_close(chip->index);
    free(chip->lines);
    free(chip);
}

const char *gpiod_chip_label(struct gpiod_chip *chip)
{
    return fake_chips_label(chip->index);
}

unsigned int gpiod_chip_num_lines(struct gpiod_chip *chip)
{
    return fake_chips_line_count(chip->index);
}

int gpiod_chip_get_lines(struct gpiod_chip *chip, unsigned int *offsets,
                         unsigned int num_offsets, struct gpiod_line_bulk *bulk)
{
    gpiod_line_bulk_init(bulk);
    for (unsigned i = 0; i < num_offsets; i++) {
        if (offsets[i] >= fake_chips_line_count(chip->index))
            return fail(-EINVAL);
        gpiod_line_bulk_add(bulk, &chip->lines[offsets[i]]);
    }
    return 0;
}

int gpiod_line_request_bulk_output_flags(struct gpiod_line_bulk *bulk, const char *consumer,
                                         int flags, const int *default_vals)
{
    unsigned offsets[GPIOD_LINE_BULK_MAX_LINES];
    struct gpiod_chip *chip;
    int id;
    if (bulk->num_lines == 0 || bulk->num_lines > GPIO_TRACE_MAX_LINES)
        return fail(-EINVAL);
    chip = bulk->lines[0]->chip;
    for (unsigned i = 0; i < bulk->num_lines; i++) {
        if (bulk->lines[i]->chip != chip)
            return fail(-EINVAL);
        offsets[i] = bulk->lines[i]->offset;
    }
    /* Only the flag ledd uses is understood; others would change the wire. */
    if (flags & ~GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW)
        return fail(-EOPNOTSUPP);
    id = fake_chips_request(chip->index, offsets, bulk->num_lines,
                            (flags & GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW) != 0, default_vals,
                            consumer);
    if (id < 0)
        return fail(id);
    for (unsigned i = 0; i < bulk->num_lines; i++)
        bulk->lines[i]->request = id;
    return 0;
}

int gpiod_line_set_value_bulk(struct gpiod_line_bulk *bulk, const int *values)
{
    unsigned offsets[GPIOD_LINE_BULK_MAX_LINES];
    int id, rc;
    if (bulk->num_lines == 0 || bulk->num_lines > GPIO_TRACE_MAX_LINES)
        return fail(-EINVAL);
    id = bulk->lines[0]->request;
    for (unsigned i = 0; i < bulk->num_lines; i++) {
        if (bulk->lines[i]->request != id || id < 0)
            return fail(-EPERM);    /* v1 sets one request's lines at once */
        offsets[i] = bulk->lines[i]->offset;
    }
    rc = fake_chips_set(id, offsets, bulk->num_lines, values);
    return rc ? fail(rc) : 0;
}

void gpiod_line_release_bulk(struct gpiod_line_bulk *bulk)
{
    if (bulk->num_lines == 0 || bulk->lines[0]->request < 0)
        return;
    fake_chips_release(bulk->lines[0]->request);
    for (unsigned i = 0; i < bulk->num_lines; i++)
        bulk->lines[i]->request = -1;
}
