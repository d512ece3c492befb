/* The 8x8 LED frame: row map parsing and printing, bars per scale with
 * hysteresis, led/rows rendering and parsing, brightness parsing.
 * Pure functions; see core/led.h for the contract. */
#include "core/led.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const metric_names[] = {
    [FOG_LED_NONE] = "none",
    [FOG_LED_CONTAINERS] = "containers",
    [FOG_LED_CPU] = "cpu",
    [FOG_LED_MEM] = "mem",
    [FOG_LED_NET_RX] = "net_rx",
    [FOG_LED_NET_TX] = "net_tx",
    [FOG_LED_IOPS_READ] = "iops_read",
    [FOG_LED_IOPS_WRITE] = "iops_write",
};
#define METRIC_COUNT ((int)(sizeof metric_names / sizeof metric_names[0]))

static const char *const scale_names[] = {
    [FOG_LED_COUNT] = "count",
    [FOG_LED_LINEAR] = "linear",
    [FOG_LED_LOG] = "log",
};
#define SCALE_COUNT ((int)(sizeof scale_names / sizeof scale_names[0]))

const char *fog_led_metric_name(enum fog_led_metric metric)
{
    if ((int)metric < 0 || (int)metric >= METRIC_COUNT)
        return "none";
    return metric_names[metric];
}

const char *fog_led_scale_name(enum fog_led_scale scale)
{
    if ((int)scale < 0 || (int)scale >= SCALE_COUNT)
        return "count";
    return scale_names[scale];
}

static int word_is(const char *word, size_t len, const char *name)
{
    return strlen(name) == len && memcmp(word, name, len) == 0;
}

int fog_led_metric_from_name(const char *name, size_t len, enum fog_led_metric *out)
{
    for (int i = 0; i < METRIC_COUNT; i++)
        if (word_is(name, len, metric_names[i])) {
            *out = (enum fog_led_metric)i;
            return 0;
        }
    return -EINVAL;
}

int fog_led_scale_from_name(const char *name, size_t len, enum fog_led_scale *out)
{
    for (int i = 0; i < SCALE_COUNT; i++)
        if (word_is(name, len, scale_names[i])) {
            *out = (enum fog_led_scale)i;
            return 0;
        }
    return -EINVAL;
}

double fog_led_log_floor(enum fog_led_metric metric)
{
    return (metric == FOG_LED_NET_RX || metric == FOG_LED_NET_TX) ? 1000.0 : 1.0;
}

static struct fog_led_row_map row_map(enum fog_led_metric metric, enum fog_led_scale scale,
                                      double full)
{
    struct fog_led_row_map r = { metric, scale, full, 0 };
    if (scale == FOG_LED_LOG)
        r.min = fog_led_log_floor(metric);
    return r;
}

void fog_led_map_default(struct fog_led_map *map)
{
    map->row[0] = row_map(FOG_LED_CONTAINERS, FOG_LED_COUNT, 8);
    map->row[1] = row_map(FOG_LED_CPU, FOG_LED_LINEAR, 100);
    map->row[2] = row_map(FOG_LED_MEM, FOG_LED_LINEAR, 100);
    map->row[3] = row_map(FOG_LED_NET_RX, FOG_LED_LOG, 125e6);
    map->row[4] = row_map(FOG_LED_NET_TX, FOG_LED_LOG, 125e6);
    map->row[5] = row_map(FOG_LED_IOPS_READ, FOG_LED_LOG, 1e4);
    map->row[6] = row_map(FOG_LED_IOPS_WRITE, FOG_LED_LOG, 1e4);
    map->row[7] = row_map(FOG_LED_NONE, FOG_LED_COUNT, 0);
}

/* Range rules shared by text parsing and fog_led_map_check(). */
static int row_map_check(const struct fog_led_row_map *r)
{
    if ((int)r->metric < 0 || (int)r->metric >= METRIC_COUNT ||
        (int)r->scale < 0 || (int)r->scale >= SCALE_COUNT)
        return -EINVAL;
    if (r->metric == FOG_LED_NONE)
        return 0;
    if (!isfinite(r->full) || !isfinite(r->min) || r->full <= 0)
        return -ERANGE;
    switch (r->scale) {
    case FOG_LED_COUNT:
        if (r->full != floor(r->full) || r->full > FOG_LED_COLS)
            return -ERANGE;
        return 0;
    case FOG_LED_LINEAR:
        return 0;
    case FOG_LED_LOG:
        return (r->min > 0 && r->full > r->min) ? 0 : -ERANGE;
    }
    return -EINVAL;
}

int fog_led_map_check(const struct fog_led_map *map)
{
    for (int i = 0; i < FOG_LED_ROWS; i++) {
        int rc = row_map_check(&map->row[i]);
        if (rc)
            return rc;
    }
    return 0;
}

/* A decimal number: all of word, finite or not (the range check decides). */
static int parse_number(const char *word, size_t len, double *out)
{
    char tmp[64];
    char *end;
    if (len == 0 || len >= sizeof tmp)
        return -EINVAL;
    memcpy(tmp, word, len);
    tmp[len] = 0;
    /* strtod would take "nan", "inf" and hex; accept plain decimals only. */
    for (size_t i = 0; i < len; i++)
        if (!isdigit((unsigned char)tmp[i]) && !strchr("+-.eE", tmp[i]))
            return -EINVAL;
    errno = 0;
    *out = strtod(tmp, &end);
    if (end != tmp + len)
        return -EINVAL;
    if (errno == ERANGE)
        return -ERANGE;
    return 0;
}

#define MAX_WORDS 6

/* Splits one line into blank-separated words. Returns the word count. */
static int split_words(const char *line, size_t len, const char *w[], size_t wl[])
{
    int n = 0;
    size_t i = 0;
    while (i < len) {
        while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
            i++;
        if (i == len)
            break;
        size_t start = i;
        while (i < len && line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
            i++;
        if (n == MAX_WORDS)
            return MAX_WORDS + 1;
        w[n] = line + start;
        wl[n] = i - start;
        n++;
    }
    return n;
}

static int parse_map_line(const char *line, size_t len, int *row, struct fog_led_row_map *out)
{
    const char *w[MAX_WORDS];
    size_t wl[MAX_WORDS];
    int n = split_words(line, len, w, wl);
    double rowv;
    int rc;

    if (n < 2 || n > 5)
        return -EINVAL;
    rc = parse_number(w[0], wl[0], &rowv);
    if (rc || rowv != floor(rowv))
        return -EINVAL;
    if (fog_led_metric_from_name(w[1], wl[1], &out->metric))
        return -EINVAL;
    if (out->metric == FOG_LED_NONE) {
        if (n >= 3 && fog_led_scale_from_name(w[2], wl[2], &out->scale))
            return -EINVAL;
        for (int i = 3; i < n; i++) {
            double ignored;
            if (parse_number(w[i], wl[i], &ignored) == -EINVAL)
                return -EINVAL;
        }
        *out = row_map(FOG_LED_NONE, FOG_LED_COUNT, 0);
    } else {
        if (n < 4)
            return -EINVAL;
        if (fog_led_scale_from_name(w[2], wl[2], &out->scale))
            return -EINVAL;
        rc = parse_number(w[3], wl[3], &out->full);
        if (rc)
            return rc;
        out->min = out->scale == FOG_LED_LOG ? fog_led_log_floor(out->metric) : 0;
        if (n == 5) {
            if (out->scale != FOG_LED_LOG)
                return -EINVAL;
            rc = parse_number(w[4], wl[4], &out->min);
            if (rc)
                return rc;
        }
    }
    if (rowv < 0 || rowv >= FOG_LED_ROWS)
        return -ERANGE;
    *row = (int)rowv;
    return row_map_check(out);
}

int fog_led_map_parse(const char *text, size_t len, const struct fog_led_map *base,
                      struct fog_led_map *out)
{
    struct fog_led_map next;
    int seen[FOG_LED_ROWS] = { 0 };
    int lines = 0;
    int range_error = 0;

    if (base)
        next = *base;
    else
        fog_led_map_default(&next);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == 0 || (c < 0x20 && c != '\n' && c != '\t' && c != '\r') || c == 0x7f)
            return -EINVAL;
    }
    size_t pos = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t line_len = nl ? (size_t)(nl - (text + pos)) : len - pos;
        const char *w[MAX_WORDS];
        size_t wl[MAX_WORDS];
        if (split_words(text + pos, line_len, w, wl) > 0) {
            struct fog_led_row_map r;
            int row = -1;
            int rc = parse_map_line(text + pos, line_len, &row, &r);
            if (rc == -ERANGE) {
                range_error = 1;    /* a later unparsable line still wins */
            } else if (rc) {
                return rc;
            } else {
                if (seen[row])
                    return -EINVAL;
                seen[row] = 1;
                next.row[row] = r;
            }
            lines++;
        }
        pos += line_len + (nl ? 1 : 0);
    }
    if (lines == 0)
        return -EINVAL;
    if (range_error)
        return -ERANGE;
    *out = next;
    return 0;
}

int fog_led_map_format(const struct fog_led_map *map, char *buf, size_t size, size_t *len)
{
    size_t used = 0;
    for (int i = 0; i < FOG_LED_ROWS; i++) {
        const struct fog_led_row_map *r = &map->row[i];
        int n;
        if (r->metric == FOG_LED_NONE)
            n = snprintf(buf + used, size - used, "%d none count 0\n", i);
        else if (r->scale == FOG_LED_LOG && r->min != fog_led_log_floor(r->metric))
            n = snprintf(buf + used, size - used, "%d %s %s %.15g %.15g\n", i,
                         fog_led_metric_name(r->metric), fog_led_scale_name(r->scale),
                         r->full, r->min);
        else
            n = snprintf(buf + used, size - used, "%d %s %s %.15g\n", i,
                         fog_led_metric_name(r->metric), fog_led_scale_name(r->scale),
                         r->full);
        if (n < 0 || (size_t)n >= size - used)
            return -ENOSPC;
        used += (size_t)n;
    }
    if (len)
        *len = used;
    return 0;
}

double fog_led_metric_value(const struct fog_node_metrics *m, enum fog_led_metric metric)
{
    switch (metric) {
    case FOG_LED_NONE:
        return 0;
    case FOG_LED_CONTAINERS:
        return m->containers_running;
    case FOG_LED_CPU:
        return m->cpu_percent;
    case FOG_LED_MEM:
        return m->mem_percent;
    case FOG_LED_NET_RX:
        return m->net_rx_bps;
    case FOG_LED_NET_TX:
        return m->net_tx_bps;
    case FOG_LED_IOPS_READ:
        return m->iops_read;
    case FOG_LED_IOPS_WRITE:
        return m->iops_write;
    }
    return 0;
}

/* The bar position as a real number of LEDs, 0..8, before rounding. */
static double bar_position(const struct fog_led_row_map *r, double v)
{
    double p;
    if (r->metric == FOG_LED_NONE || !(v > 0))     /* also catches NaN */
        return 0;
    switch (r->scale) {
    case FOG_LED_COUNT:
        p = v;
        break;
    case FOG_LED_LINEAR:
        p = FOG_LED_COLS * v / r->full;
        break;
    case FOG_LED_LOG:
        if (v <= r->min)
            return 0;
        p = FOG_LED_COLS * (log(v / r->min) / log(r->full / r->min));
        break;
    default:
        return 0;
    }
    if (!(p > 0))
        return 0;
    return p > FOG_LED_COLS ? FOG_LED_COLS : p;
}

/* Position to lit count: count floors (and stops at full), linear rounds,
 * log takes the ceiling. */
static int quantize(const struct fog_led_row_map *r, double p)
{
    double n;
    if (p <= 0)
        return 0;
    switch (r->scale) {
    case FOG_LED_COUNT:
        n = floor(p);
        if (n > r->full)
            n = r->full;
        break;
    case FOG_LED_LINEAR:
        n = floor(p + 0.5);
        break;
    case FOG_LED_LOG:
        n = ceil(p - 1e-9);     /* exact powers land on their own LED */
        break;
    default:
        return 0;
    }
    if (n < 0)
        n = 0;
    if (n > FOG_LED_COLS)
        n = FOG_LED_COLS;
    return (int)n;
}

int fog_led_bar(const struct fog_led_row_map *row, double value)
{
    return quantize(row, bar_position(row, value));
}

static int row_map_same(const struct fog_led_row_map *a, const struct fog_led_row_map *b)
{
    return a->metric == b->metric && a->scale == b->scale && a->full == b->full &&
           a->min == b->min;
}

int fog_led_bar_steady(const struct fog_led_row_map *row, double value,
                       struct fog_led_state *st, int row_index)
{
    double p = bar_position(row, value);
    int n = quantize(row, p);

    if (!st || row_index < 0 || row_index >= FOG_LED_ROWS)
        return n;
    if (st->valid[row_index] && row_map_same(&st->map[row_index], row) &&
        row->scale != FOG_LED_COUNT && p > 0) {
        int prev = st->lit[row_index];
        /* Move only when the position is past the boundary by the margin:
         * up needs quantize(p - h) above prev, down quantize(p + h) below. */
        if (n > prev) {
            int up = quantize(row, p - FOG_LED_HYSTERESIS);
            n = up > prev ? up : prev;
        } else if (n < prev) {
            int down = quantize(row, p + FOG_LED_HYSTERESIS);
            n = down < prev ? down : prev;
        }
    }
    st->valid[row_index] = 1;
    st->lit[row_index] = n;
    st->map[row_index] = *row;
    return n;
}

void fog_led_state_reset(struct fog_led_state *st)
{
    memset(st, 0, sizeof *st);
}

int fog_led_rows_format(const struct fog_led_frame *frame, char *buf, size_t size)
{
    if (size < FOG_LED_ROWS_TEXT_LEN + 1)
        return -ENOSPC;
    char *p = buf;
    for (int r = 0; r < FOG_LED_ROWS; r++) {
        for (int c = 0; c < FOG_LED_COLS; c++)
            *p++ = (frame->rows[r] >> c) & 1 ? '#' : '.';
        *p++ = '\n';
    }
    *p = 0;
    return 0;
}

int fog_led_render(const struct fog_led_map *map, const struct fog_node_metrics *m,
                   struct fog_led_state *st, char *buf, size_t size)
{
    struct fog_led_frame frame;
    if (size < FOG_LED_ROWS_TEXT_LEN + 1)
        return -ENOSPC;
    for (int r = 0; r < FOG_LED_ROWS; r++) {
        const struct fog_led_row_map *row = &map->row[r];
        int n = fog_led_bar_steady(row, fog_led_metric_value(m, row->metric), st, r);
        frame.rows[r] = (uint8_t)((1u << n) - 1);
    }
    return fog_led_rows_format(&frame, buf, size);
}

int fog_led_rows_parse(const char *text, size_t len, struct fog_led_frame *out)
{
    struct fog_led_frame f = { { 0 } };
    size_t pos = 0;
    int row = 0;

    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t line_len = nl ? (size_t)(nl - (text + pos)) : len - pos;
        const char *line = text + pos;
        size_t cols = line_len;
        while (cols > 0 && (line[cols - 1] == ' ' || line[cols - 1] == '\t' ||
                            line[cols - 1] == '\r'))
            cols--;
        if (row == FOG_LED_ROWS) {
            if (cols != 0)          /* only blank lines may follow */
                return -EINVAL;
        } else {
            if (cols != FOG_LED_COLS)
                return -EINVAL;
            for (int c = 0; c < FOG_LED_COLS; c++) {
                if (line[c] == '#')
                    f.rows[row] |= (uint8_t)(1u << c);
                else if (line[c] != '.')
                    return -EINVAL;
            }
            row++;
        }
        pos += line_len + (nl ? 1 : 0);
    }
    if (row != FOG_LED_ROWS)
        return -EINVAL;
    *out = f;
    return 0;
}

int fog_led_brightness_parse(const char *text, size_t len, int *out)
{
    size_t a = 0, b = len;
    long v = 0;
    int neg = 0;

    while (a < b && isspace((unsigned char)text[a]))
        a++;
    while (b > a && isspace((unsigned char)text[b - 1]))
        b--;
    if (a < b && (text[a] == '-' || text[a] == '+')) {
        neg = text[a] == '-';
        a++;
    }
    if (a == b)
        return -EINVAL;
    for (size_t i = a; i < b; i++) {
        if (!isdigit((unsigned char)text[i]))
            return -EINVAL;
        if (v <= FOG_LED_BRIGHTNESS_MAX)
            v = v * 10 + (text[i] - '0');
    }
    if (neg && v != 0)
        return -ERANGE;
    if (v > FOG_LED_BRIGHTNESS_MAX)
        return -ERANGE;
    *out = (int)v;
    return 0;
}
