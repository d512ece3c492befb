/* The bare-matrix trace model: follows 16 line levels through the trace,
 * integrates per-LED on-time between events, counts frames, and checks
 * one-row-at-a-time and blank-columns-at-row-change. */
#include "tests/ledd/matrix_model.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void matrix_model_init(struct matrix_model *m, const unsigned rows[8], const unsigned cols[8],
                       int row_invert, int col_invert)
{
    memset(m, 0, sizeof *m);
    memcpy(m->row_line, rows, sizeof m->row_line);
    memcpy(m->col_line, cols, sizeof m->col_line);
    m->row_invert = row_invert;
    m->col_invert = col_invert;
}

static void fault(struct matrix_model *m, long long t, const char *what)
{
    if (!m->faults)
        snprintf(m->fault, sizeof m->fault, "t=%lld: %s", t, what);
    m->faults++;
}

void matrix_model_feed(struct matrix_model *m, const struct gpio_trace *trace)
{
    int row_active[8] = { 0 }, col_active[8] = { 0 };
    long long first = -1, prev = -1;
    for (size_t i = 0; i < trace->n; i++) {
        const struct gpio_trace_event *ev = &trace->ev[i];
        int next_row[8], next_col[8], rows_changed = 0, active = 0;
        if (ev->kind != GPIO_TRACE_REQUEST && ev->kind != GPIO_TRACE_SET)
            continue;
        if (prev >= 0)
            for (int r = 0; r < 8; r++)
                for (int c = 0; c < 8; c++)
                    if (row_active[r] && col_active[c])
                        m->on_ns[r][c] += (double)(ev->t_ns - prev);
        memcpy(next_row, row_active, sizeof next_row);
        memcpy(next_col, col_active, sizeof next_col);
        for (unsigned k = 0; k < ev->n; k++)
            for (int j = 0; j < 8; j++) {
                if (ev->offset[k] == m->row_line[j])
                    next_row[j] = ev->level[k] ^ (m->row_invert != 0);
                if (ev->offset[k] == m->col_line[j])
                    next_col[j] = ev->level[k] ^ (m->col_invert != 0);
            }
        for (int j = 0; j < 8; j++) {
            rows_changed |= next_row[j] != row_active[j];
            active += next_row[j];
        }
        if (active > m->max_active_rows)
            m->max_active_rows = active;
        if (active > 1)
            fault(m, ev->t_ns, "more than one row active");
        if (rows_changed && ev->kind == GPIO_TRACE_SET) {
            int cols_on = 0;
            for (int c = 0; c < 8; c++)
                cols_on += col_active[c] | next_col[c];
            m->row_changes++;
            if (cols_on) {
                m->dirty_row_changes++;
                fault(m, ev->t_ns, "rows changed with a column active");
            }
        }
        if (!row_active[0] && next_row[0]) {
            if (!m->row0_starts)
                m->first_row0_ns = (double)ev->t_ns;
            m->last_row0_ns = (double)ev->t_ns;
            m->row0_starts++;
        }
        memcpy(row_active, next_row, sizeof next_row);
        memcpy(col_active, next_col, sizeof next_col);
        if (first < 0)
            first = ev->t_ns;
        prev = ev->t_ns;
    }
    m->span_ns = first >= 0 ? (double)(prev - first) : 0;
}

double matrix_model_fps(const struct matrix_model *m)
{
    if (m->row0_starts < 2 || m->last_row0_ns <= m->first_row0_ns)
        return 0;
    return (m->row0_starts - 1) / ((m->last_row0_ns - m->first_row0_ns) / 1e9);
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int matrix_model_frame(const struct matrix_model *m, struct fog_led_frame *out)
{
    double on[64], median;
    int n = 0;
    memset(out, 0, sizeof *out);
    for (int r = 0; r < 8; r++)
        for (int c = 0; c < 8; c++)
            if (m->on_ns[r][c] > 0)
                on[n++] = m->on_ns[r][c];
    if (n == 0)
        return 0;
    qsort(on, (size_t)n, sizeof on[0], compare_double);
    median = on[n / 2];
    /* Lit LEDs share the scan evenly, so one preempted slot cannot make
     * a lit LED look dim next to the median; a dark LED gets no time at
     * all when columns are blanked at every row change. */
    for (int r = 0; r < 8; r++)
        for (int c = 0; c < 8; c++) {
            double t = m->on_ns[r][c];
            if (t >= median / 4)
                out->rows[r] |= (uint8_t)(1u << c);
            else if (t > 0)
                return -EIO;
        }
    return 0;
}

double matrix_model_lit_duty(const struct matrix_model *m)
{
    struct fog_led_frame f;
    double sum = 0;
    int n = 0;
    if (matrix_model_frame(m, &f) || m->span_ns <= 0)
        return 0;
    for (int r = 0; r < 8; r++)
        for (int c = 0; c < 8; c++)
            if ((f.rows[r] >> c) & 1) {
                sum += m->on_ns[r][c];
                n++;
            }
    return n ? sum / n / m->span_ns : 0;
}
