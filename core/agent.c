/* Node agent thread: samples the node and its containers every interval,
 * sleeping on a condition variable in between (no polling when idle). */
#include "core/agent.h"
#include "backends/lxc.h"
#include "backends/procfs.h"
#include "core/autoscale.h"
#include "core/clock.h"
#include "core/cluster.h"
#include "core/ctx.h"
#include "core/metrics_json.h"
#include "core/publish.h"
#include "fs/tree.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* What the agent learned about one container this round. */
struct agent_seen {
    char name[64];
    enum lxcb_state state;
    int have_usage;
    struct lxcb_usage usage;
    struct lxcb_limits limits;
    int have_limits;
    double started_at;
};

static void agent_refresh_containers(struct fog_ctx *ctx, double mono, int *running)
{
    char **names = NULL;
    size_t n = 0;
    *running = 0;
    struct fog_ctable *t = &ctx->containers;
    pthread_mutex_lock(&t->lock);
    unsigned long changes = t->changes;
    pthread_mutex_unlock(&t->lock);
    if (lxcb_list(ctx->lxc, &names, &n))
        return;
    struct agent_seen *seen = calloc(n ? n : 1, sizeof *seen);
    if (!seen) {
        lxcb_free_names(names, n);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        struct agent_seen *s = &seen[i];
        snprintf(s->name, sizeof s->name, "%s", names[i]);
        if (lxcb_get_state(ctx->lxc, s->name, &s->state))
            s->state = LXCB_UNKNOWN;
        if (s->state == LXCB_RUNNING || s->state == LXCB_FROZEN)
            s->have_usage = lxcb_get_usage(ctx->lxc, s->name, &s->usage) == 0;
        pthread_mutex_lock(&t->lock);
        struct fog_container *c = fog_ctable_find_locked(t, s->name);
        int need_limits = !c;
        int need_start = s->state == LXCB_RUNNING && (!c || !c->started_at);
        pthread_mutex_unlock(&t->lock);
        if (need_limits)
            s->have_limits = lxcb_get_limits(ctx->lxc, s->name, &s->limits) == 0;
        if (need_start)
            lxcb_get_started_at(ctx->lxc, s->name, &s->started_at);
    }
    pthread_mutex_lock(&t->lock);
    /* A create, destroy or adoption since the list was read: the list may be
     * out of date for those names, so it adds and removes nothing this round. */
    int stale_list = t->changes != changes;
    for (size_t i = 0; i < t->n; i++)
        t->v[i]->seen = 0;
    for (size_t i = 0; i < n; i++) {
        struct agent_seen *s = &seen[i];
        struct fog_container *c = fog_ctable_find_locked(t, s->name);
        if (!c && stale_list)
            continue;
        if (!c) {
            c = fog_ctable_add_locked(t, s->name);
            if (!c)
                continue;
        }
        c->seen = 1;
        if (c->busy)
            continue;             /* its operation will refresh it */
        if (s->have_limits)
            c->limits = s->limits;
        c->state = s->state;
        if (s->state == LXCB_RUNNING)
            (*running)++;
        if (s->state != LXCB_RUNNING && s->state != LXCB_FROZEN) {
            c->started_at = 0;
            c->last_mono = 0;
            c->cpu_usage_m = 0;
            c->mem_usage = 0;
            c->pids = 0;
            continue;
        }
        if (s->started_at)
            c->started_at = s->started_at;
        if (!s->have_usage)
            continue;
        c->mem_usage = s->usage.mem_bytes;
        c->pids = s->usage.pids;
        if (c->last_mono > 0 && mono > c->last_mono && s->usage.cpu_ns >= c->last_cpu_ns) {
            double dt = mono - c->last_mono;
            c->cpu_usage_m = llround((s->usage.cpu_ns - c->last_cpu_ns) / (dt * 1e6));
            fog_container_record_usage_locked(c, mono, c->cpu_usage_m);
        }
        c->last_cpu_ns = s->usage.cpu_ns;
        c->last_mono = mono;
    }
    for (size_t i = 0; i < t->n;) {
        if (!t->v[i]->seen && !t->v[i]->busy && !stale_list)
            fog_ctable_remove_locked(t, t->v[i]->name);
        else
            i++;
    }
    pthread_mutex_unlock(&t->lock);
    free(seen);
    lxcb_free_names(names, n);
}

void fog_agent_render_json(struct fog_ctx *ctx, struct fs_buf *out)
{
    pthread_mutex_lock(&ctx->sample_lock);
    struct fog_node_metrics m = ctx->sample;
    pthread_mutex_unlock(&ctx->sample_lock);
    fog_metrics_render_json(&m, -1, out);
}

static void agent_publish(struct fog_ctx *ctx)
{
    struct fs_buf b;
    fs_buf_init(&b);
    fog_agent_render_json(ctx, &b);
    if (!b.oom) {
        char key[128];
        snprintf(key, sizeof key, "nodes/%s/sample", ctx->node);
        fog_publish(ctx, key, b.data, b.len, 1);
    }
    fs_buf_free(&b);
}

void fog_agent_sample(struct fog_ctx *ctx)
{
    struct fog_node_metrics m;
    memset(&m, 0, sizeof m);
    pthread_mutex_lock(&ctx->sample_lock);
    struct procfs_counters counters = ctx->counters;
    pthread_mutex_unlock(&ctx->sample_lock);
    int r = procfs_sample(ctx->o.procfs, ctx->o.sysfs, &counters, &m);
    int running = 0;
    agent_refresh_containers(ctx, counters.mono ? counters.mono : fog_mono_now(), &running);
    m.containers_running = running;
    pthread_mutex_lock(&ctx->sample_lock);
    ctx->counters = counters;
    if (!r)
        ctx->sample = m;
    else
        ctx->sample.containers_running = running;
    fog_led_render(&ctx->led_map, &ctx->sample, &ctx->led_state, ctx->led_rows,
                   sizeof ctx->led_rows);
    pthread_mutex_unlock(&ctx->sample_lock);
    agent_publish(ctx);
    fog_cluster_tick(ctx);
    if (ctx->autoscale)
        fog_autoscale_tick(ctx);
}

static void *agent_main(void *arg)
{
    struct fog_ctx *ctx = arg;
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    pthread_mutex_lock(&ctx->agent_lock);
    while (!ctx->agent_stop) {
        long ns = (long)(ctx->o.interval * 1e9);
        next.tv_sec += ns / 1000000000L;
        next.tv_nsec += ns % 1000000000L;
        if (next.tv_nsec >= 1000000000L) {
            next.tv_sec++;
            next.tv_nsec -= 1000000000L;
        }
        while (!ctx->agent_stop &&
               pthread_cond_timedwait(&ctx->agent_wake, &ctx->agent_lock, &next) != ETIMEDOUT)
            ;
        if (ctx->agent_stop)
            break;
        pthread_mutex_unlock(&ctx->agent_lock);
        fog_agent_sample(ctx);
        pthread_mutex_lock(&ctx->agent_lock);
        /* After a long round (or a suspend), restart the schedule from now. */
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec > next.tv_sec + 2)
            next = now;
    }
    pthread_mutex_unlock(&ctx->agent_lock);
    return NULL;
}

int fog_agent_start(struct fog_ctx *ctx)
{
    fog_cond_init_mono(&ctx->agent_wake);
    ctx->agent_stop = 0;
    int r = pthread_create(&ctx->agent_thread, NULL, agent_main, ctx);
    if (r)
        return -r;
    ctx->agent_running = 1;
    return 0;
}

void fog_agent_stop(struct fog_ctx *ctx)
{
    if (!ctx->agent_running)
        return;
    pthread_mutex_lock(&ctx->agent_lock);
    ctx->agent_stop = 1;
    pthread_cond_broadcast(&ctx->agent_wake);
    pthread_mutex_unlock(&ctx->agent_lock);
    pthread_join(ctx->agent_thread, NULL);
    ctx->agent_running = 0;
}
