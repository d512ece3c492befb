/* MAX7219 driver: bit-bangs 16-bit frames (bits 11-8 register, 7-0 data,
 * MSB first) on DIN/CLK, framed by CS/LOAD low..high. DIN changes only
 * while CLK is low; each line change is its own call, so the wire never
 * sees DIN and CLK move together. Rewrites only rows that changed and
 * re-initialises every cfg->reinit seconds. */
#include "ledd/driver.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum { LINE_DIN, LINE_CS, LINE_CLK, LINE_COUNT };

struct max7219 {
    struct led_driver base;
    struct gpio_port_lines *lines;
    int value[LINE_COUNT];      /* what the lines are set to now */
    double reinit;              /* seconds, 0 never */
    double last_init;           /* monotonic seconds of the last full init */
    int initialised;
    int brightness;             /* as last written */
    unsigned row_byte[8];       /* as last written */
};

unsigned max7219_row_byte(const struct fog_led_frame *frame, int row)
{
    unsigned byte = 0;
    for (int c = 0; c < 8; c++)
        if ((frame->rows[row] >> c) & 1)
            byte |= 0x80u >> c;
    return byte;
}

static int line_set(struct max7219 *m, int line, int v)
{
    if (m->value[line] == v)
        return 0;
    m->value[line] = v;
    return gpio_port_set_outputs(m->lines, m->value);
}

/* One register write: CS low, 16 bits, CS high (the rising edge latches). */
static int write_reg(struct max7219 *m, unsigned reg, unsigned data)
{
    unsigned word = ((reg & 0xf) << 8) | (data & 0xff);
    int rc = line_set(m, LINE_CLK, 0);
    if (!rc)
        rc = line_set(m, LINE_CS, 0);
    for (int bit = 15; bit >= 0 && !rc; bit--) {
        rc = line_set(m, LINE_DIN, (word >> bit) & 1);
        if (!rc)
            rc = line_set(m, LINE_CLK, 1);
        if (!rc)
            rc = line_set(m, LINE_CLK, 0);
    }
    if (!rc)
        rc = line_set(m, LINE_CS, 1);
    return rc;
}

static int full_init(struct max7219 *m, const struct fog_led_frame *frame, int brightness,
                     double now)
{
    const unsigned init[][2] = {
        { MAX7219_DISPLAY_TEST, 0 },
        { MAX7219_DECODE, 0 },
        { MAX7219_SCAN_LIMIT, 7 },
        { MAX7219_INTENSITY, (unsigned)brightness },
        { MAX7219_SHUTDOWN, 1 },
    };
    int rc = 0;
    for (size_t i = 0; i < sizeof init / sizeof init[0] && !rc; i++)
        rc = write_reg(m, init[i][0], init[i][1]);
    for (int r = 0; r < 8 && !rc; r++) {
        m->row_byte[r] = max7219_row_byte(frame, r);
        rc = write_reg(m, MAX7219_DIGIT0 + (unsigned)r, m->row_byte[r]);
    }
    if (rc) {
        m->initialised = 0;
        return rc;
    }
    m->brightness = brightness;
    m->initialised = 1;
    m->last_init = now;
    return 0;
}

static int max7219_show(struct led_driver *d, const struct fog_led_frame *frame,
                        int brightness, double now)
{
    struct max7219 *m = (struct max7219 *)d;
    int rc = 0;
    if (brightness < 0 || brightness > 15)
        return -ERANGE;
    if (!m->initialised || (m->reinit > 0 && now - m->last_init >= m->reinit))
        return full_init(m, frame, brightness, now);
    if (brightness != m->brightness) {
        rc = write_reg(m, MAX7219_INTENSITY, (unsigned)brightness);
        if (rc)
            goto fail;
        m->brightness = brightness;
    }
    for (int r = 0; r < 8; r++) {
        unsigned byte = max7219_row_byte(frame, r);
        if (byte == m->row_byte[r])
            continue;
        rc = write_reg(m, MAX7219_DIGIT0 + (unsigned)r, byte);
        if (rc)
            goto fail;
        m->row_byte[r] = byte;
    }
    return 0;
fail:
    m->initialised = 0;     /* the chip's state is unknown: start over */
    return rc;
}

static int max7219_close(struct led_driver *d, int blank)
{
    struct max7219 *m = (struct max7219 *)d;
    int rc = 0;
    if (blank) {
        for (int r = 0; r < 8 && !rc; r++)
            rc = write_reg(m, MAX7219_DIGIT0 + (unsigned)r, 0);
        if (!rc)
            rc = write_reg(m, MAX7219_SHUTDOWN, 0);
    }
    gpio_port_release(m->lines);
    free(m);
    return rc;
}

int max7219_open(const struct ledd_config *cfg, struct gpio_port_chip *chip,
                 struct led_driver **out)
{
    struct max7219 *m;
    unsigned offsets[LINE_COUNT];
    int rc;

    offsets[LINE_DIN] = cfg->din;
    offsets[LINE_CS] = cfg->cs;
    offsets[LINE_CLK] = cfg->clk;
    if (cfg->din == cfg->cs || cfg->din == cfg->clk || cfg->cs == cfg->clk)
        return -EINVAL;
    m = calloc(1, sizeof *m);
    if (!m)
        return -ENOMEM;
    m->base.name = "max7219";
    m->base.show = max7219_show;
    m->base.close = max7219_close;
    m->reinit = cfg->reinit;
    /* Idle: CS high (no frame under way), CLK and DIN low. */
    m->value[LINE_DIN] = 0;
    m->value[LINE_CS] = 1;
    m->value[LINE_CLK] = 0;
    rc = gpio_port_request_outputs(chip, offsets, LINE_COUNT, cfg->active_low, m->value,
                                   cfg->consumer, &m->lines);
    if (rc) {
        free(m);
        return rc;
    }
    *out = &m->base;
    return 0;
}
