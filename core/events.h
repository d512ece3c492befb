/* cluster/events: one line per action or error, newest last:
 * "<ISO-8601 UTC> <node> <container|-> <action> <detail>". Kept in a bounded
 * in-memory ring and published to the store under events/<node>. */
#ifndef FOG_EVENTS_H
#define FOG_EVENTS_H
#include <pthread.h>
#include <stddef.h>

#define FOG_EVENTS_KEEP 512

struct fog_ctx;
struct fs_buf;

struct fog_events {
    pthread_mutex_t lock;
    char *lines[FOG_EVENTS_KEEP];
    size_t next;          /* total lines ever added */
};

void fog_events_init(struct fog_events *ev);
void fog_events_destroy(struct fog_events *ev);
/* Adds one line. container NULL prints "-". */
void fog_event(struct fog_ctx *ctx, const char *container, const char *action,
               const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Adds a line another node published (not published again). */
void fog_events_append(struct fog_events *ev, const char *line, size_t len);
/* Appends every kept line, oldest first. */
void fog_events_render(struct fog_events *ev, struct fs_buf *out);
/* A written value made safe to quote in an event: printable ASCII, at most
 * 40 characters (longer ones end in "..."). */
void fog_event_quote(const char *val, size_t len, char *out, size_t outlen);

#endif
