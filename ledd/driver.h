/* What every ledd output driver offers: show a frame at a brightness, and
 * close (blanking the display or leaving it as it is). */
#ifndef LEDD_DRIVER_H
#define LEDD_DRIVER_H
#include <stdio.h>
#include "core/led.h"
#include "ledd/config.h"
#include "ledd/gpio_port.h"

struct led_driver {
    const char *name;
    /* Shows frame (already rotated/mirrored) at brightness 0..15; now is
     * CLOCK_MONOTONIC seconds (for periodic re-initialisation). */
    int (*show)(struct led_driver *d, const struct fog_led_frame *frame, int brightness,
                double now);
    /* blank: turn every LED off first. Releases the lines and frees d. */
    int (*close)(struct led_driver *d, int blank);
};

/* MAX7219 on din/cs/clk of chip. See drv_max7219.c for the wire format. */
int max7219_open(const struct ledd_config *cfg, struct gpio_port_chip *chip,
                 struct led_driver **out);
/* Bare matrix on 8 row and 8 column lines, scanned by its own thread. */
int matrix16_open(const struct ledd_config *cfg, struct gpio_port_chip *chip,
                  struct led_driver **out);
/* Draws in a terminal (ANSI, in place) or, when out is not a terminal, as
 * led/rows text followed by an empty line, once per change. */
int term_open(FILE *out, struct led_driver **out_drv);

/* MAX7219 registers (datasheet table 2). */
enum max7219_reg {
    MAX7219_NOOP = 0x0,
    MAX7219_DIGIT0 = 0x1,       /* ..0x8: row 0..7 */
    MAX7219_DECODE = 0x9,
    MAX7219_INTENSITY = 0xA,
    MAX7219_SCAN_LIMIT = 0xB,
    MAX7219_SHUTDOWN = 0xC,
    MAX7219_DISPLAY_TEST = 0xF,
};

/* The data byte of row r for a frame: bit 7 (shifted out first) is
 * column 0, the leftmost LED of a led/rows line. */
unsigned max7219_row_byte(const struct fog_led_frame *frame, int row);

#endif
