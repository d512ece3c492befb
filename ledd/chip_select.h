/* Finds the GPIO chip the config names: "auto" (the Raspberry Pi header's
 * chip, by its label), a name ("gpiochip0"), a path, or a label. */
#ifndef LEDD_CHIP_SELECT_H
#define LEDD_CHIP_SELECT_H
#include <stddef.h>
#include "ledd/gpio_port.h"

/* Chips probed: /dev/gpiochip0 .. /dev/gpiochip<CHIP_SELECT_PROBE_MAX - 1>. */
#define CHIP_SELECT_PROBE_MAX 64

/* 1 when label is one of the Pi header chips: pinctrl-bcm2835 (Pi 1-3,
 * Zero), pinctrl-bcm2711 (Pi 4, 400, CM4), pinctrl-rp1 (Pi 5). */
int chip_select_is_pi_header(const char *label);

/* Opens the chip spec names; writes its path to path_out. -ENODEV when no
 * chip matches; then why (if given) says which chips were seen. */
int chip_select_open(const char *spec, struct gpio_port_chip **out, char *path_out,
                     size_t path_len, char *why, size_t why_len);

#endif
