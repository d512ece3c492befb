/* FAKE GPIO chips: the state behind fake_gpiod_v1.c and fake_gpiod_v2.c.
 * Refuses what the kernel refuses (a line requested twice, setting a line
 * not requested, offsets past the chip) so drivers cannot cheat, and
 * records every level change with its time. */
#include "tests/ledd/fake_chips.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_CHIPS 8
#define MAX_LINES 64
#define MAX_REQUESTS 32

struct fake_chip {
    char name[32], label[64];
    unsigned lines;
    int open_count;
    int owner[MAX_LINES];       /* request id + 1, 0 free */
    int level[MAX_LINES];       /* physical */
};

struct fake_request {
    int live, chip, active_low;
    unsigned n, offsets[GPIO_TRACE_MAX_LINES];
};

static struct {
    pthread_mutex_t lock;
    int nchips;
    struct fake_chip chip[MAX_CHIPS];
    struct fake_request req[MAX_REQUESTS];
    struct gpio_trace trace;
    FILE *trace_file;
} fake = { .lock = PTHREAD_MUTEX_INITIALIZER };

static long long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void record(struct gpio_trace_event *ev)
{
    ev->t_ns = now_ns();
    gpio_trace_append(&fake.trace, ev);
    if (fake.trace_file) {
        gpio_trace_write_event(fake.trace_file, ev);   /* line-buffered: whole lines */
    }
}

static void flush_trace_file(void)
{
    if (fake.trace_file)
        fflush(fake.trace_file);
}

int fake_chips_reset(const char *spec)
{
    const char *trace_path = getenv("LEDD_FAKE_GPIO_TRACE");
    char buf[1024], *save = NULL;
    static int atexit_done;
    if (!spec)
        spec = getenv("LEDD_FAKE_GPIO_CHIPS");
    if (!spec)
        spec = FAKE_CHIPS_DEFAULT;
    pthread_mutex_lock(&fake.lock);
    memset(fake.chip, 0, sizeof fake.chip);
    memset(fake.req, 0, sizeof fake.req);
    fake.nchips = 0;
    gpio_trace_clear(&fake.trace);
    snprintf(buf, sizeof buf, "%s", spec);
    for (char *item = strtok_r(buf, ",", &save); item && fake.nchips < MAX_CHIPS;
         item = strtok_r(NULL, ",", &save)) {
        struct fake_chip *c = &fake.chip[fake.nchips];
        if (sscanf(item, "%31[^=]=%63[^:]:%u", c->name, c->label, &c->lines) != 3 ||
            c->lines > MAX_LINES) {
            pthread_mutex_unlock(&fake.lock);
            return -EINVAL;
        }
        fake.nchips++;
    }
    if (trace_path && !fake.trace_file) {
        fake.trace_file = fopen(trace_path, "a");
        if (fake.trace_file)    /* a reader mid-run sees whole events only */
            setvbuf(fake.trace_file, NULL, _IOLBF, 0);
        if (!atexit_done)
            atexit(flush_trace_file);
        atexit_done = 1;
    }
    pthread_mutex_unlock(&fake.lock);
    return 0;
}

const struct gpio_trace *fake_chips_trace(void)
{
    return &fake.trace;
}

static void ensure_chips(void)
{
    if (fake.nchips == 0) {
        pthread_mutex_unlock(&fake.lock);
        fake_chips_reset(NULL);
        pthread_mutex_lock(&fake.lock);
    }
}

int fake_chips_open(const char *path)
{
    int found = -ENOENT;
    pthread_mutex_lock(&fake.lock);
    ensure_chips();
    for (int i = 0; i < fake.nchips; i++)
        if (!strncmp(path, "/dev/", 5) && !strcmp(path + 5, fake.chip[i].name)) {
            struct gpio_trace_event ev = { .kind = GPIO_TRACE_OPEN, .chip = i };
            fake.chip[i].open_count++;
            record(&ev);
            found = i;
        }
    pthread_mutex_unlock(&fake.lock);
    return found;
}

void fake_chips_close(int chip)
{
    struct gpio_trace_event ev = { .kind = GPIO_TRACE_CLOSE, .chip = chip };
    pthread_mutex_lock(&fake.lock);
    fake.chip[chip].open_count--;
    record(&ev);
    pthread_mutex_unlock(&fake.lock);
}

const char *fake_chips_label(int chip)
{
    return fake.chip[chip].label;
}

const char *fake_chips_name(int chip)
{
    return fake.chip[chip].name;
}

unsigned fake_chips_line_count(int chip)
{
    return fake.chip[chip].lines;
}

int fake_chips_request(int chip, const unsigned *offsets, unsigned n, int active_low,
                       const int *values, const char *consumer)
{
    struct fake_chip *c = &fake.chip[chip];
    struct gpio_trace_event ev = { .kind = GPIO_TRACE_REQUEST, .chip = chip,
                                   .active_low = active_low, .n = n };
    int id = -1;
    (void)consumer;
    if (n == 0 || n > GPIO_TRACE_MAX_LINES)
        return -EINVAL;
    pthread_mutex_lock(&fake.lock);
    for (unsigned i = 0; i < n; i++) {
        if (offsets[i] >= c->lines || c->owner[offsets[i]]) {
            pthread_mutex_unlock(&fake.lock);
            return offsets[i] >= c->lines ? -EINVAL : -EBUSY;
        }
        for (unsigned j = 0; j < i; j++)
            if (offsets[j] == offsets[i]) {
                pthread_mutex_unlock(&fake.lock);
                return -EBUSY;
            }
    }
    for (int r = 0; r < MAX_REQUESTS && id < 0; r++)
        if (!fake.req[r].live)
            id = r;
    if (id < 0) {
        pthread_mutex_unlock(&fake.lock);
        return -ENOSPC;
    }
    fake.req[id] = (struct fake_request){ 1, chip, active_low, n, { 0 } };
    for (unsigned i = 0; i < n; i++) {
        fake.req[id].offsets[i] = offsets[i];
        c->owner[offsets[i]] = id + 1;
        c->level[offsets[i]] = (values[i] != 0) ^ (active_low != 0);
        ev.offset[i] = offsets[i];
        ev.level[i] = c->level[offsets[i]];
    }
    record(&ev);
    pthread_mutex_unlock(&fake.lock);
    return id;
}

int fake_chips_set(int req, const unsigned *offsets, unsigned n, const int *values)
{
    struct gpio_trace_event ev = { .kind = GPIO_TRACE_SET, .n = n };
    pthread_mutex_lock(&fake.lock);
    if (req < 0 || req >= MAX_REQUESTS || !fake.req[req].live || n == 0 ||
        n > GPIO_TRACE_MAX_LINES) {
        pthread_mutex_unlock(&fake.lock);
        return -EPERM;
    }
    struct fake_request *r = &fake.req[req];
    struct fake_chip *c = &fake.chip[r->chip];
    ev.chip = r->chip;
    for (unsigned i = 0; i < n; i++)
        if (offsets[i] >= c->lines || c->owner[offsets[i]] != req + 1) {
            pthread_mutex_unlock(&fake.lock);
            return -EPERM;
        }
    for (unsigned i = 0; i < n; i++) {
        c->level[offsets[i]] = (values[i] != 0) ^ (r->active_low != 0);
        ev.offset[i] = offsets[i];
        ev.level[i] = c->level[offsets[i]];
    }
    record(&ev);
    pthread_mutex_unlock(&fake.lock);
    return 0;
}

int fake_chips_release(int req)
{
    struct gpio_trace_event ev = { .kind = GPIO_TRACE_RELEASE };
    pthread_mutex_lock(&fake.lock);
    if (req < 0 || req >= MAX_REQUESTS || !fake.req[req].live) {
        pthread_mutex_unlock(&fake.lock);
        return -EPERM;
    }
    struct fake_request *r = &fake.req[req];
    ev.chip = r->chip;
    ev.n = r->n;
    for (unsigned i = 0; i < r->n; i++) {
        fake.chip[r->chip].owner[r->offsets[i]] = 0;
        ev.offset[i] = r->offsets[i];
        ev.level[i] = fake.chip[r->chip].level[r->offsets[i]];
    }
    r->live = 0;
    record(&ev);
    pthread_mutex_unlock(&fake.lock);
    return 0;
}

int fake_chips_live_requests(void)
{
    int n = 0;
    pthread_mutex_lock(&fake.lock);
    for (int r = 0; r < MAX_REQUESTS; r++)
        n += fake.req[r].live;
    pthread_mutex_unlock(&fake.lock);
    return n;
}
