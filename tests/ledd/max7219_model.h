/* An independent model of a MAX7219 on the wire, written from the
 * datasheet, not from ledd's driver: it follows DIN, CLK and LOAD(CS)
 * through a GPIO trace, shifts a bit in on each CLK rising edge, latches
 * the last 16 bits into a register on LOAD rising, and reports the
 * registers, the 8x8 frame they show, and any protocol fault. */
#ifndef LEDD_TEST_MAX7219_MODEL_H
#define LEDD_TEST_MAX7219_MODEL_H
#include <stddef.h>
#include "core/led.h"
#include "tests/ledd/gpio_trace.h"

#define MAX7219_MODEL_LOG 4096

struct max7219_model {
    /* wiring */
    unsigned din, cs, clk;
    int invert;                 /* an inverting level shifter between */
    /* what the chip holds */
    int reg[16];                /* -1 never written */
    /* what happened */
    int writes;                 /* latched 16-bit words */
    unsigned log[MAX7219_MODEL_LOG];    /* (reg << 8) | data, in order */
    int requested;              /* the three lines were requested */
    int idle_at_request;        /* CS high, CLK low at request */
    int released;               /* all three released */
    int faults;
    char fault[200];            /* the first */
    /* the wire as the model last saw it */
    int level[3];               /* DIN, CS, CLK as the chip sees them */
    int known;                  /* lines requested: levels known */
    unsigned shift;             /* the 16-bit shift register */
    int bits;                   /* clocks since LOAD fell */
};

void max7219_model_init(struct max7219_model *m, unsigned din, unsigned cs, unsigned clk,
                        int invert);
/* Feeds events [from, trace->n); call again with more to go on. */
void max7219_model_feed(struct max7219_model *m, const struct gpio_trace *trace, size_t from);
/* The frame the digit registers show: digit k+1 is row k, data bit 7 is
 * column 0. -ENODATA if a digit was never written, -EIO if the display is
 * not visibly on (shutdown 0, display test 1, decode on, scan limit < 7). */
int max7219_model_frame(const struct max7219_model *m, struct fog_led_frame *out);

#endif
