/* FAKE GPIO chips for ledd's tests (no GPIO hardware, no gpio-sim here):
 * chips with names, labels and line counts, line ownership, levels, and a
 * trace of every change. fake_gpiod_v1.c / fake_gpiod_v2.c put the libgpiod
 * calls ledd uses on top of this. Process-wide state, as the library it
 * stands in for has; tests call fake_chips_reset() between cases. */
#ifndef LEDD_TEST_FAKE_CHIPS_H
#define LEDD_TEST_FAKE_CHIPS_H
#include "tests/ledd/gpio_trace.h"

/* The chips a Raspberry Pi 4 shows, used when nothing else is set. */
#define FAKE_CHIPS_DEFAULT "gpiochip0=pinctrl-bcm2711:58,gpiochip1=raspberrypi-exp-gpio:8"

/* Sets the chips from "name=label:lines,..." (NULL: LEDD_FAKE_GPIO_CHIPS
 * from the environment, else FAKE_CHIPS_DEFAULT), forgets every request
 * and empties the trace. Also opens LEDD_FAKE_GPIO_TRACE for appending, if
 * set, to write every event there too. */
int fake_chips_reset(const char *spec);
const struct gpio_trace *fake_chips_trace(void);

/* The operations the veneers map libgpiod calls to; each -errno or >= 0. */
int fake_chips_open(const char *path);                 /* -> chip index */
void fake_chips_close(int chip);
const char *fake_chips_label(int chip);
const char *fake_chips_name(int chip);
unsigned fake_chips_line_count(int chip);
/* -> request id; levels given as logical values */
int fake_chips_request(int chip, const unsigned *offsets, unsigned n, int active_low,
                       const int *values, const char *consumer);
/* Sets lines (all belonging to request req) to logical values. */
int fake_chips_set(int req, const unsigned *offsets, unsigned n, const int *values);
int fake_chips_release(int req);
/* How many requests are live (leak check). */
int fake_chips_live_requests(void);

#endif
