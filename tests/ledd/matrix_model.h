/* An independent look at a bare 8x8 matrix through a GPIO trace: which
 * LEDs were on and for how long. An LED is on while its row line and its
 * column line are both active. Checks the scan rules: at most one row
 * active at any time, every column inactive whenever the rows change. */
#ifndef LEDD_TEST_MATRIX_MODEL_H
#define LEDD_TEST_MATRIX_MODEL_H
#include "core/led.h"
#include "tests/ledd/gpio_trace.h"

struct matrix_model {
    unsigned row_line[8], col_line[8];
    int row_invert, col_invert;     /* active = physical low */
    double on_ns[8][8];             /* per LED on-time */
    double span_ns;                 /* time between first and last event fed */
    int row0_starts;                /* times row 0 became active: frames */
    double first_row0_ns, last_row0_ns;
    int max_active_rows;
    int row_changes, dirty_row_changes; /* changes with a column still active */
    int faults;
    char fault[200];
};

void matrix_model_init(struct matrix_model *m, const unsigned rows[8], const unsigned cols[8],
                       int row_invert, int col_invert);
void matrix_model_feed(struct matrix_model *m, const struct gpio_trace *trace);
/* Full scans per second seen (row 0 activations over their span). */
double matrix_model_fps(const struct matrix_model *m);
/* The frame the on-times show: an LED is lit when its on-time is at least
 * a quarter of the median of the LEDs that were on at all; -EIO when one
 * was on for less than that but not zero (a ghost). */
int matrix_model_frame(const struct matrix_model *m, struct fog_led_frame *out);
/* Mean on-time fraction of the lit LEDs (0..1/8 at full brightness). */
double matrix_model_lit_duty(const struct matrix_model *m);

#endif
