/* The GPIO trace: an array of events, and its one-line-per-event text
 * form for traces that cross a process boundary (ledd-fakechip). */
#include "tests/ledd/gpio_trace.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = { "open", "request", "set", "release", "close" };

int gpio_trace_append(struct gpio_trace *t, const struct gpio_trace_event *ev)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 1024;
        struct gpio_trace_event *ev2 = realloc(t->ev, cap * sizeof *ev2);
        if (!ev2)
            return -ENOMEM;
        t->ev = ev2;
        t->cap = cap;
    }
    t->ev[t->n++] = *ev;
    return 0;
}

void gpio_trace_clear(struct gpio_trace *t)
{
    free(t->ev);
    memset(t, 0, sizeof *t);
}

int gpio_trace_write_event(FILE *f, const struct gpio_trace_event *ev)
{
    fprintf(f, "%lld %s %d %d", ev->t_ns, kind_names[ev->kind], ev->chip, ev->active_low);
    for (unsigned i = 0; i < ev->n; i++)
        fprintf(f, " %u=%d", ev->offset[i], ev->level[i]);
    return fputc('\n', f) == EOF ? -EIO : 0;
}

static int parse_line(char *line, struct gpio_trace_event *ev)
{
    char kind[16];
    int used = 0;
    memset(ev, 0, sizeof *ev);
    if (sscanf(line, "%lld %15s %d %d%n", &ev->t_ns, kind, &ev->chip, &ev->active_low,
               &used) != 4)
        return -EINVAL;
    ev->kind = (enum gpio_trace_kind)-1;
    for (int k = 0; k < 5; k++)
        if (!strcmp(kind, kind_names[k]))
            ev->kind = (enum gpio_trace_kind)k;
    if ((int)ev->kind < 0)
        return -EINVAL;
    char *p = line + used;
    for (;;) {
        unsigned off;
        int lvl, n = 0;
        while (*p == ' ')
            p++;
        if (!*p || *p == '\n')
            break;
        if (ev->n == GPIO_TRACE_MAX_LINES || sscanf(p, "%u=%d%n", &off, &lvl, &n) != 2)
            return -EINVAL;
        ev->offset[ev->n] = off;
        ev->level[ev->n] = lvl;
        ev->n++;
        p += n;
    }
    return 0;
}

int gpio_trace_read_file(const char *path, struct gpio_trace *t)
{
    char line[512];
    FILE *f = fopen(path, "r");
    int rc = 0;
    if (!f)
        return -errno;
    while (!rc && fgets(line, sizeof line, f)) {
        struct gpio_trace_event ev;
        rc = parse_line(line, &ev);
        if (!rc)
            rc = gpio_trace_append(t, &ev);
    }
    fclose(f);
    return rc;
}
