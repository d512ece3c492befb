/* Bare 8x8 matrix driver: 8 row lines and 8 column lines, one row active
 * at a time. A scan thread sleeps to absolute CLOCK_MONOTONIC deadlines,
 * frame_rate full scans a second; at each row change it blanks the
 * columns, turns the old row off, the new row on, then sets the columns;
 * brightness shortens the part of the row slot the columns stay on. */
#include "ledd/driver.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct matrix16 {
    struct led_driver base;
    struct gpio_port_lines *rows, *cols;
    pthread_t thread;
    int thread_started;
    atomic_int stop;
    atomic_int error;           /* first -errno the scan thread met */
    long slot_ns;               /* one row's share of a frame */
    pthread_mutex_t lock;       /* guards frame and brightness */
    struct fog_led_frame frame;
    int brightness;
};

static void timespec_add_ns(struct timespec *t, long ns)
{
    t->tv_nsec += ns;
    while (t->tv_nsec >= 1000000000L) {
        t->tv_nsec -= 1000000000L;
        t->tv_sec++;
    }
}

static int timespec_before(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static void sleep_until(const struct timespec *deadline)
{
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, deadline, NULL) == EINTR)
        ;
}

static int set_all(struct gpio_port_lines *lines, int v)
{
    int values[8];
    for (int i = 0; i < 8; i++)
        values[i] = v;
    return gpio_port_set_outputs(lines, values);
}

/* Moves the scan to row r showing bits. */
static int scan_row(struct matrix16 *m, int r, unsigned bits)
{
    int values[8];
    int rc = set_all(m->cols, 0);       /* no ghost of the last row's columns */
    if (!rc)
        rc = set_all(m->rows, 0);       /* old row off before the new one is on */
    if (rc)
        return rc;
    for (int i = 0; i < 8; i++)
        values[i] = i == r;
    rc = gpio_port_set_outputs(m->rows, values);
    if (rc || !bits)
        return rc;
    for (int c = 0; c < 8; c++)
        values[c] = (bits >> c) & 1;
    return gpio_port_set_outputs(m->cols, values);
}

static void *scan_thread(void *arg)
{
    struct matrix16 *m = arg;
    struct timespec deadline, now;
    int r = 0;

    clock_gettime(CLOCK_MONOTONIC, &deadline);
    while (!atomic_load(&m->stop)) {
        unsigned bits;
        int brightness, rc;
        pthread_mutex_lock(&m->lock);
        bits = m->frame.rows[r];
        brightness = m->brightness;
        pthread_mutex_unlock(&m->lock);

        rc = scan_row(m, r, bits);
        if (!rc && bits && brightness < 15) {
            struct timespec off = deadline;
            timespec_add_ns(&off, m->slot_ns * (brightness + 1) / 16);
            sleep_until(&off);
            rc = set_all(m->cols, 0);
        }
        if (rc) {
            int none = 0;
            atomic_compare_exchange_strong(&m->error, &none, rc);
            break;
        }
        r = (r + 1) % 8;
        timespec_add_ns(&deadline, m->slot_ns);
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (timespec_before(&deadline, &now)) {
            /* More than a slot late (preempted): start afresh from now
             * rather than rush through the missed rows. */
            struct timespec late = deadline;
            timespec_add_ns(&late, m->slot_ns);
            if (timespec_before(&late, &now))
                deadline = now;
        }
        sleep_until(&deadline);
    }
    return NULL;
}

static int matrix16_show(struct led_driver *d, const struct fog_led_frame *frame,
                         int brightness, double now)
{
    struct matrix16 *m = (struct matrix16 *)d;
    (void)now;      /* the scan thread keeps its own time */
    if (brightness < 0 || brightness > 15)
        return -ERANGE;
    pthread_mutex_lock(&m->lock);
    m->frame = *frame;
    m->brightness = brightness;
    pthread_mutex_unlock(&m->lock);
    return atomic_load(&m->error);
}

static int matrix16_close(struct led_driver *d, int blank)
{
    struct matrix16 *m = (struct matrix16 *)d;
    int rc;
    atomic_store(&m->stop, 1);
    if (m->thread_started)
        pthread_join(m->thread, NULL);
    rc = atomic_load(&m->error);
    /* Always dark: released lines keep their level, and a row left on
     * with its columns would burn at full duty. */
    int rc2 = set_all(m->cols, 0);
    int rc3 = set_all(m->rows, 0);
    (void)blank;
    gpio_port_release(m->cols);
    gpio_port_release(m->rows);
    pthread_mutex_destroy(&m->lock);
    free(m);
    return rc ? rc : rc2 ? rc2 : rc3;
}

int matrix16_open(const struct ledd_config *cfg, struct gpio_port_chip *chip,
                  struct led_driver **out)
{
    int zeros[8] = { 0 };
    struct matrix16 *m;
    int rc;

    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 8; j++)
            if (cfg->row_lines[i] == cfg->col_lines[j])
                return -EINVAL;
    if (cfg->frame_rate < 1)
        return -ERANGE;
    m = calloc(1, sizeof *m);
    if (!m)
        return -ENOMEM;
    m->base.name = "matrix16";
    m->base.show = matrix16_show;
    m->base.close = matrix16_close;
    m->slot_ns = 1000000000L / (cfg->frame_rate * 8L);
    m->brightness = cfg->brightness;
    pthread_mutex_init(&m->lock, NULL);
    rc = gpio_port_request_outputs(chip, cfg->row_lines, 8, cfg->row_active_low, zeros,
                                   cfg->consumer, &m->rows);
    if (!rc)
        rc = gpio_port_request_outputs(chip, cfg->col_lines, 8, cfg->col_active_low, zeros,
                                       cfg->consumer, &m->cols);
    if (!rc) {
        rc = -pthread_create(&m->thread, NULL, scan_thread, m);
        m->thread_started = rc == 0;
    }
    if (rc) {
        gpio_port_release(m->cols);
        gpio_port_release(m->rows);
        pthread_mutex_destroy(&m->lock);
        free(m);
        return rc;
    }
    *out = &m->base;
    return 0;
}
