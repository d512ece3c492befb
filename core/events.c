/* The events log: a ring of the last FOG_EVENTS_KEEP lines, each also put to
 * the store (events/<node>) so other nodes and tools can watch them. */
#include "core/events.h"
#include "core/ctx.h"
#include "core/publish.h"
#include "fs/tree.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void fog_events_init(struct fog_events *ev)
{
    memset(ev, 0, sizeof *ev);
    pthread_mutex_init(&ev->lock, NULL);
}

void fog_events_destroy(struct fog_events *ev)
{
    for (size_t i = 0; i < FOG_EVENTS_KEEP; i++)
        free(ev->lines[i]);
    pthread_mutex_destroy(&ev->lock);
}

/* Keeps a line in time order: lines from other nodes can arrive after newer
 * local ones, and cluster/events promises newest last. Lines begin with
 * their ISO-8601 UTC stamp, which sorts as text. */
static void events_keep(struct fog_events *ev, char *line)
{
    pthread_mutex_lock(&ev->lock);
    size_t kept = ev->next < FOG_EVENTS_KEEP ? ev->next : FOG_EVENTS_KEEP;
    size_t slot = ev->next % FOG_EVENTS_KEEP;
    if (kept == FOG_EVENTS_KEEP)
        free(ev->lines[slot]);
    /* Walk back over newer lines, moving each one slot later (when full,
     * the oldest line's slot was just freed and takes part no more). */
    size_t pos = ev->next, moved = 0;
    size_t movable = kept == FOG_EVENTS_KEEP ? kept - 1 : kept;
    while (moved < movable) {
        char *prev = ev->lines[(pos - 1) % FOG_EVENTS_KEEP];
        if (strncmp(prev, line, 24) <= 0)
            break;
        ev->lines[pos % FOG_EVENTS_KEEP] = prev;
        pos--;
        moved++;
    }
    ev->lines[pos % FOG_EVENTS_KEEP] = line;
    ev->next++;
    pthread_mutex_unlock(&ev->lock);
}

void fog_event(struct fog_ctx *ctx, const char *container, const char *action,
               const char *fmt, ...)
{
    char detail[512], stamp[32], line[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r(&now.tv_sec, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    int n = snprintf(line, sizeof line, "%s.%03ldZ %s %s %s %s\n", stamp, now.tv_nsec / 1000000,
                     ctx->node, container ? container : "-", action, detail);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof line) {
        n = sizeof line - 1;
        line[n - 1] = '\n';
    }
    if (ctx->o.foreground)
        fputs(line, stderr);          /* -f: the events are the daemon's log too */
    char *copy = strdup(line);
    if (!copy)
        return;
    events_keep(&ctx->events, copy);
    if (ctx->store) {
        char key[128];
        snprintf(key, sizeof key, "events/%s", ctx->node);
        fog_publish(ctx, key, line, n, 0);
    }
}

void fog_events_append(struct fog_events *ev, const char *line, size_t len)
{
    if (!len)
        return;
    int nl = line[len - 1] == '\n';
    char *copy = malloc(len + !nl + 1);
    if (!copy)
        return;
    memcpy(copy, line, len);
    if (!nl)
        copy[len++] = '\n';
    copy[len] = 0;
    events_keep(ev, copy);
}

void fog_events_render(struct fog_events *ev, struct fs_buf *out)
{
    pthread_mutex_lock(&ev->lock);
    size_t first = ev->next > FOG_EVENTS_KEEP ? ev->next - FOG_EVENTS_KEEP : 0;
    for (size_t i = first; i < ev->next; i++) {
        const char *l = ev->lines[i % FOG_EVENTS_KEEP];
        fs_buf_add(out, l, strlen(l));
    }
    pthread_mutex_unlock(&ev->lock);
}

void fog_event_quote(const char *val, size_t len, char *out, size_t outlen)
{
    size_t o = 0, max = outlen > 44 ? 40 : outlen - 4;
    for (size_t i = 0; i < len && o < max; i++) {
        unsigned char c = val[i];
        if (c == '\n' && i == len - 1)
            break;
        out[o++] = (c >= 0x20 && c < 0x7f) ? c : '?';
    }
    if (o == max && len > max)
        memcpy(out + o, "...", 3), o += 3;
    out[o] = 0;
}
