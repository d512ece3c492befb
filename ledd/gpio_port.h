/* The small GPIO interface ledd's drivers use: open a chip, request output
 * lines, set them, release them. gpio_v1.c (libgpiod 1.x) and gpio_v2.c
 * (libgpiod 2.x) implement it; the build picks one from pkg-config. */
#ifndef LEDD_GPIO_PORT_H
#define LEDD_GPIO_PORT_H
#include <stddef.h>

struct gpio_port_chip;      /* an opened GPIO chip */
struct gpio_port_lines;     /* output lines requested together */

/* "libgpiod v1" or "libgpiod v2". */
const char *gpio_port_api(void);

/* Opens the chip at a device path ("/dev/gpiochip0"). -errno on failure
 * (-ENOENT: no such file, -ENODEV/-ENOTTY: not a GPIO chip). */
int gpio_port_open_chip(const char *path, struct gpio_port_chip **out);
/* Copies the chip's label ("pinctrl-bcm2711") into buf. */
int gpio_port_chip_label(struct gpio_port_chip *chip, char *buf, size_t len);
/* Number of lines the chip has. */
unsigned gpio_port_chip_line_count(struct gpio_port_chip *chip);
void gpio_port_close_chip(struct gpio_port_chip *chip);

/* Requests n (1..16) lines of chip, by offset, as outputs set to
 * initial[i] (0 inactive, 1 active), all active-low or none, for consumer.
 * Values are logical: with active_low, 1 drives the line low. */
int gpio_port_request_outputs(struct gpio_port_chip *chip, const unsigned *offsets,
                              unsigned n, int active_low, const int *initial,
                              const char *consumer, struct gpio_port_lines **out);
/* Sets every line of the request, values in request order, in one call. */
int gpio_port_set_outputs(struct gpio_port_lines *lines, const int *values);
/* Gives the lines back (they keep their last value, as the kernel does). */
void gpio_port_release(struct gpio_port_lines *lines);

#define GPIO_PORT_MAX_LINES 16

#endif
