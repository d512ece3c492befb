/* The gpio port over libgpiod 1.x (Debian 12, Raspberry Pi OS bookworm):
 * lines of one request form a gpiod_line_bulk and are always set together,
 * since v1 sets a bulk request's lines through one handle. */
#include "ledd/gpio_port.h"

#include <errno.h>
#include <gpiod.h>
#include <stdio.h>
#include <stdlib.h>

struct gpio_port_chip {
    struct gpiod_chip *chip;
};

struct gpio_port_lines {
    struct gpiod_line_bulk bulk;
};

static int errno_or(int fallback)
{
    return errno > 0 ? -errno : -fallback;
}

const char *gpio_port_api(void)
{
    return "libgpiod v1";
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
    const char *label = gpiod_chip_label(chip->chip);
    if (snprintf(buf, len, "%s", label ? label : "") >= (int)len)
        return -ENAMETOOLONG;
    return 0;
}

unsigned gpio_port_chip_line_count(struct gpio_port_chip *chip)
{
    return gpiod_chip_num_lines(chip->chip);
}

void gpio_port_close_chip(struct gpio_port_chip *chip)
{
    if (!chip)
        return;
    gpiod_chip_close(chip->chip);
    free(chip);
}

int gpio_port_request_outputs(struct gpio_port_chip *chip, const unsigned *offsets,
                              unsigned n, int active_low, const int *initial,
                              const char *consumer, struct gpio_port_lines **out)
{
    unsigned offs[GPIO_PORT_MAX_LINES];
    struct gpio_port_lines *l;
    int rc;

    if (n == 0 || n > GPIO_PORT_MAX_LINES)
        return -EINVAL;
    for (unsigned i = 0; i < n; i++) {
        if (offsets[i] >= gpiod_chip_num_lines(chip->chip))
            return -ERANGE;
        offs[i] = offsets[i];
    }
    l = calloc(1, sizeof *l);
    if (!l)
        return -ENOMEM;
    gpiod_line_bulk_init(&l->bulk);
    errno = 0;
    if (gpiod_chip_get_lines(chip->chip, offs, n, &l->bulk) < 0) {
        rc = errno_or(EINVAL);
        free(l);
        return rc;
    }
    errno = 0;
    if (gpiod_line_request_bulk_output_flags(&l->bulk, consumer,
                                             active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0,
                                             initial) < 0) {
        rc = errno_or(EBUSY);
        free(l);
        return rc;
    }
    *out = l;
    return 0;
}

int gpio_port_set_outputs(struct gpio_port_lines *lines, const int *values)
{
    errno = 0;
    if (gpiod_line_set_value_bulk(&lines->bulk, values) < 0)
        return errno_or(EIO);
    return 0;
}

void gpio_port_release(struct gpio_port_lines *lines)
{
    if (!lines)
        return;
    gpiod_line_release_bulk(&lines->bulk);
    free(lines);
}
