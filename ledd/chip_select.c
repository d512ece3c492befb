/* Chip selection for ledd: a path or a gpiochipN name opens directly; a
 * label or "auto" probes /dev/gpiochip0..63 through the gpio port and
 * compares labels, so it works the same over libgpiod v1 and v2. */
#include "ledd/chip_select.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *const pi_header_labels[] = {
    "pinctrl-bcm2835",
    "pinctrl-bcm2711",
    "pinctrl-rp1",
};

int chip_select_is_pi_header(const char *label)
{
    for (size_t i = 0; i < sizeof pi_header_labels / sizeof pi_header_labels[0]; i++)
        if (!strcmp(label, pi_header_labels[i]))
            return 1;
    return 0;
}

static int is_chip_name(const char *s)
{
    if (strncmp(s, "gpiochip", 8) || !s[8])
        return 0;
    for (const char *p = s + 8; *p; p++)
        if (*p < '0' || *p > '9')
            return 0;
    return 1;
}

static void append(char *why, size_t why_len, const char *text)
{
    size_t used;
    if (!why || !why_len)
        return;
    used = strnlen(why, why_len);
    if (used + 1 < why_len)
        snprintf(why + used, why_len - used, "%s", text);
}

int chip_select_open(const char *spec, struct gpio_port_chip **out, char *path_out,
                     size_t path_len, char *why, size_t why_len)
{
    char path[64];
    int want_auto = !strcmp(spec, "auto");
    const char *label_wanted = !strncmp(spec, "label:", 6) ? spec + 6 : spec;

    if (why && why_len)
        why[0] = 0;
    if (spec[0] == '/' || is_chip_name(spec)) {
        char full[4096];
        if (spec[0] == '/')
            snprintf(full, sizeof full, "%s", spec);
        else
            snprintf(full, sizeof full, "/dev/%s", spec);
        int rc = gpio_port_open_chip(full, out);
        if (rc == 0 && path_out)
            snprintf(path_out, path_len, "%s", full);
        if (rc)
            append(why, why_len, "cannot open it");
        return rc;
    }
    append(why, why_len, "chips seen:");
    for (int i = 0; i < CHIP_SELECT_PROBE_MAX; i++) {
        struct gpio_port_chip *chip;
        char label[128];
        snprintf(path, sizeof path, "/dev/gpiochip%d", i);
        if (gpio_port_open_chip(path, &chip))
            continue;
        if (gpio_port_chip_label(chip, label, sizeof label)) {
            gpio_port_close_chip(chip);
            continue;
        }
        append(why, why_len, " ");
        append(why, why_len, path + 5);
        append(why, why_len, "=");
        append(why, why_len, label);
        if (want_auto ? chip_select_is_pi_header(label) : !strcmp(label, label_wanted)) {
            if (path_out)
                snprintf(path_out, path_len, "%s", path);
            *out = chip;
            return 0;
        }
        gpio_port_close_chip(chip);
    }
    if (why && !strcmp(why, "chips seen:"))
        snprintf(why, why_len, "no GPIO chip found");
    return -ENODEV;
}
