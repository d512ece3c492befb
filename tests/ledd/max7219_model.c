/* The MAX7219 wire model: level tracking per line, CLK rising edges shift
 * DIN into a 16-bit register, LOAD rising latches it. Faults it reports:
 * DIN and CLK changing in one call, DIN changing while CLK is high, CLK
 * pulsed while LOAD is high, a latch after other than 16 clocks. */
#include "tests/ledd/max7219_model.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

enum { DIN, CS, CLK };

static void fault(struct max7219_model *m, long long t, const char *what)
{
    if (!m->faults)
        snprintf(m->fault, sizeof m->fault, "t=%lld: %s", t, what);
    m->faults++;
}

void max7219_model_init(struct max7219_model *m, unsigned din, unsigned cs, unsigned clk,
                        int invert)
{
    memset(m, 0, sizeof *m);
    m->din = din;
    m->cs = cs;
    m->clk = clk;
    m->invert = invert;
    for (int i = 0; i < 16; i++)
        m->reg[i] = -1;
}

static int line_index(const struct max7219_model *m, unsigned offset)
{
    if (offset == m->din)
        return DIN;
    if (offset == m->cs)
        return CS;
    if (offset == m->clk)
        return CLK;
    return -1;
}

static void latch(struct max7219_model *m, long long t)
{
    if (m->bits != 16) {
        char what[80];
        snprintf(what, sizeof what, "LOAD rose after %d clocks, not 16", m->bits);
        fault(m, t, what);
    } else {
        unsigned reg = (m->shift >> 8) & 0xf, data = m->shift & 0xff;
        m->reg[reg] = (int)data;
        if (m->writes < MAX7219_MODEL_LOG)
            m->log[m->writes] = (reg << 8) | data;
        m->writes++;
    }
    m->bits = 0;
}

static void apply(struct max7219_model *m, const struct gpio_trace_event *ev)
{
    int next[3] = { m->level[0], m->level[1], m->level[2] };
    for (unsigned i = 0; i < ev->n; i++) {
        int li = line_index(m, ev->offset[i]);
        if (li >= 0)
            next[li] = ev->level[i] ^ (m->invert != 0);
    }
    int din_changed = next[DIN] != m->level[DIN];
    int clk_rose = !m->level[CLK] && next[CLK];
    int clk_changed = next[CLK] != m->level[CLK];
    int cs_rose = !m->level[CS] && next[CS];
    int cs_fell = m->level[CS] && !next[CS];
    if (din_changed && clk_changed)
        fault(m, ev->t_ns, "DIN and CLK changed in one call");
    if (din_changed && m->level[CLK] && !clk_changed)
        fault(m, ev->t_ns, "DIN changed while CLK was high");
    if (clk_rose) {
        if (next[CS])
            fault(m, ev->t_ns, "CLK pulsed while LOAD was high");
        m->shift = ((m->shift << 1) | (unsigned)next[DIN]) & 0xffff;
        m->bits++;
    }
    if (cs_fell)
        m->bits = 0;
    if (cs_rose)
        latch(m, ev->t_ns);
    memcpy(m->level, next, sizeof next);
}

void max7219_model_feed(struct max7219_model *m, const struct gpio_trace *trace, size_t from)
{
    for (size_t i = from; i < trace->n; i++) {
        const struct gpio_trace_event *ev = &trace->ev[i];
        int mine = 0;
        for (unsigned k = 0; k < ev->n; k++)
            mine += line_index(m, ev->offset[k]) >= 0;
        if (!mine)
            continue;
        switch (ev->kind) {
        case GPIO_TRACE_REQUEST:
            if (mine != 3) {
                fault(m, ev->t_ns, "DIN, CS and CLK not requested together");
                break;
            }
            for (unsigned k = 0; k < ev->n; k++)
                m->level[line_index(m, ev->offset[k])] = ev->level[k] ^ (m->invert != 0);
            m->requested = 1;
            m->released = 0;
            m->idle_at_request = m->level[CS] == 1 && m->level[CLK] == 0;
            m->known = 1;
            m->bits = 0;
            break;
        case GPIO_TRACE_SET:
            if (!m->known)
                fault(m, ev->t_ns, "line set before it was requested");
            apply(m, ev);
            break;
        case GPIO_TRACE_RELEASE:
            m->released = mine == 3;
            break;
        default:
            break;
        }
    }
}

int max7219_model_frame(const struct max7219_model *m, struct fog_led_frame *out)
{
    memset(out, 0, sizeof *out);
    for (int r = 0; r < 8; r++) {
        int data = m->reg[1 + r];
        if (data < 0)
            return -ENODATA;
        for (int c = 0; c < 8; c++)
            if (data & (0x80 >> c))
                out->rows[r] |= (uint8_t)(1u << c);
    }
    if (m->reg[0xC] != 1 || m->reg[0xF] != 0 || m->reg[0x9] != 0 || m->reg[0xB] != 7)
        return -EIO;
    return 0;
}
