/* The record the fake GPIO chips keep of every call that changes a line:
 * opens, requests (with their initial levels), sets, releases, closes,
 * each with a CLOCK_MONOTONIC time. Levels are physical (what the wire
 * shows), after active-low. Also read back from the text form that
 * ledd-fakechip writes (LEDD_FAKE_GPIO_TRACE). */
#ifndef LEDD_TEST_GPIO_TRACE_H
#define LEDD_TEST_GPIO_TRACE_H
#include <stddef.h>
#include <stdio.h>

#define GPIO_TRACE_MAX_LINES 16

enum gpio_trace_kind {
    GPIO_TRACE_OPEN,        /* chip opened */
    GPIO_TRACE_REQUEST,     /* lines requested as outputs at levels */
    GPIO_TRACE_SET,         /* one set call: the levels of the lines it set */
    GPIO_TRACE_RELEASE,     /* lines given back */
    GPIO_TRACE_CLOSE,       /* chip closed */
};

struct gpio_trace_event {
    long long t_ns;
    enum gpio_trace_kind kind;
    int chip;
    int active_low;                 /* REQUEST only */
    unsigned n;
    unsigned offset[GPIO_TRACE_MAX_LINES];
    int level[GPIO_TRACE_MAX_LINES];
};

struct gpio_trace {
    struct gpio_trace_event *ev;
    size_t n, cap;
};

int gpio_trace_append(struct gpio_trace *t, const struct gpio_trace_event *ev);
void gpio_trace_clear(struct gpio_trace *t);
/* One line: "<t_ns> <kind> <chip> <active_low> <offset>=<level> ...". */
int gpio_trace_write_event(FILE *f, const struct gpio_trace_event *ev);
/* Reads a whole trace file into t (appending). -EINVAL on a bad line. */
int gpio_trace_read_file(const char *path, struct gpio_trace *t);

#endif
