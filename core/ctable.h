/* The node's containers as fogfs last saw them: state, limits and usage,
 * refreshed by the node agent each interval and by every operation. Reads
 * render from it; each container also carries its operation slot, so two
 * operations on one container run one after the other. */
#ifndef FOG_CTABLE_H
#define FOG_CTABLE_H
#include "backends/lxc.h"
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define FOG_USAGE_HISTORY 1024     /* samples kept for averaging windows */

struct fog_usage_point {
    double mono;        /* CLOCK_MONOTONIC seconds */
    int64_t cpu_m;      /* millicores over the interval that ended then */
};

struct fog_container {
    char name[64];
    enum lxcb_state state;
    const char *transition;        /* "STARTING"/"STOPPING" while an op runs, else NULL */
    int busy;                      /* an operation holds it */
    int migrating;                 /* a migration holds it: writes get EBUSY */
    struct lxcb_limits limits;
    int64_t cpu_usage_m;
    uint64_t mem_usage, pids;
    uint64_t last_cpu_ns;
    double last_mono;
    double started_at;             /* unix seconds; 0 if not running */
    double last_autoscale;         /* mono seconds of the last autoscale action */
    int64_t base_request_m;        /* request before any autoscale raise */
    struct fog_usage_point hist[FOG_USAGE_HISTORY];
    size_t hist_next;
    int seen;                      /* marks for the agent's refresh */
};

struct fog_ctable {
    pthread_mutex_t lock;
    pthread_cond_t idle;           /* signalled when an operation ends */
    struct fog_container **v;
    size_t n, cap;
    unsigned long changes;         /* entries ever added or removed: a list read
                                    * before a change must not undo it */
};

void fog_ctable_init(struct fog_ctable *t);
void fog_ctable_destroy(struct fog_ctable *t);
/* With t->lock held: the entry or NULL. */
struct fog_container *fog_ctable_find_locked(struct fog_ctable *t, const char *name);
/* With t->lock held: finds or adds (state STOPPED, limits unset). NULL on ENOMEM. */
struct fog_container *fog_ctable_add_locked(struct fog_ctable *t, const char *name);
void fog_ctable_remove_locked(struct fog_ctable *t, const char *name);
/* A copy of the entry; -ENOENT if absent. */
int fog_ctable_get(struct fog_ctable *t, const char *name, struct fog_container *out);
/* Names, sorted, into fn. */
void fog_ctable_names(struct fog_ctable *t, void (*fn)(void *, const char *), void *arg);
/* Adds a usage point (with t->lock held). */
void fog_container_record_usage_locked(struct fog_container *c, double mono, int64_t cpu_m);

#endif
