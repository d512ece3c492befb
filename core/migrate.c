/* Cold migration (see core/migrate.h): the source's steps, the watcher
 * thread that adopts containers handed to this node and recovers records
 * left by a crash, and placement. */
#include "core/migrate.h"
#include "backends/lxc.h"
#include "core/clock.h"
#include "core/cluster.h"
#include "core/ctx.h"
#include "core/ops.h"
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WHY_LEN 256
#define MIGRATE_POLL_NS 5000000L        /* the source checks the record every 5 ms */
#define MIG_INFLIGHT_MAX 64             /* moves out of this node at once */

struct fog_migrator {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stop, kicked;
    pthread_t thread;
    int running;
    struct fog_watch *watch;
    char inflight[MIG_INFLIGHT_MAX][64];   /* containers this node is moving out now */
};

static void mig_key(const char *name, char *key, size_t len)
{
    snprintf(key, len, "migrations/%s", name);
}

static int mig_put(struct fog_ctx *ctx, const char *name, int64_t expect, const char *from,
                   const char *to, const char *phase, int was_running, const char *detail)
{
    char key[128];
    mig_key(name, key, sizeof key);
    json_t *o = json_pack("{s:s,s:s,s:s,s:b,s:s}", "from", from, "to", to, "phase", phase,
                          "was_running", was_running, "detail", detail ? detail : "");
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!s)
        return -ENOMEM;
    int r = ctx->store->ops->cas(ctx->store, key, expect, s, strlen(s), 0, NULL);
    free(s);
    return r;
}

struct mig_record {
    char from[64], to[64], phase[16], detail[200];
    int was_running;
    int64_t rev;
};

static int mig_get(struct fog_ctx *ctx, const char *name, struct mig_record *m)
{
    char key[128];
    mig_key(name, key, sizeof key);
    struct fog_kv kv;
    int r = ctx->store->ops->get(ctx->store, key, &kv);
    if (r)
        return r;
    json_t *o = json_loadb(kv.value, kv.value_len, 0, NULL);
    memset(m, 0, sizeof *m);
    m->rev = kv.mod_revision;
    fog_kv_clear(&kv);
    if (!json_is_object(o)) {
        json_decref(o);
        return -EINVAL;
    }
    const char *f = json_string_value(json_object_get(o, "from"));
    const char *t = json_string_value(json_object_get(o, "to"));
    const char *p = json_string_value(json_object_get(o, "phase"));
    const char *d = json_string_value(json_object_get(o, "detail"));
    snprintf(m->from, sizeof m->from, "%s", f ? f : "");
    snprintf(m->to, sizeof m->to, "%s", t ? t : "");
    snprintf(m->phase, sizeof m->phase, "%s", p ? p : "");
    snprintf(m->detail, sizeof m->detail, "%s", d ? d : "");
    m->was_running = json_is_true(json_object_get(o, "was_running"));
    json_decref(o);
    return 0;
}

static void mig_delete(struct fog_ctx *ctx, const char *name, int64_t rev)
{
    char key[128];
    mig_key(name, key, sizeof key);
    ctx->store->ops->del(ctx->store, key, rev, NULL);
}

/* Marks (add) or unmarks a move this node has under way, so that recovery
 * leaves its record alone. -EBUSY when MIG_INFLIGHT_MAX are under way. */
static int mig_inflight(struct fog_ctx *ctx, const char *name, int add)
{
    struct fog_migrator *m = ctx->migrator;
    int r = add ? -EBUSY : 0;
    pthread_mutex_lock(&m->lock);
    for (int i = 0; i < MIG_INFLIGHT_MAX; i++) {
        if (add && !m->inflight[i][0]) {
            snprintf(m->inflight[i], sizeof m->inflight[i], "%s", name);
            r = 0;
            break;
        }
        if (!add && !strcmp(m->inflight[i], name)) {
            m->inflight[i][0] = 0;
            break;
        }
    }
    pthread_mutex_unlock(&m->lock);
    return r;
}

static int mig_is_inflight(struct fog_ctx *ctx, const char *name)
{
    struct fog_migrator *m = ctx->migrator;
    int found = 0;
    pthread_mutex_lock(&m->lock);
    for (int i = 0; i < MIG_INFLIGHT_MAX && !found; i++)
        found = !strcmp(m->inflight[i], name);
    pthread_mutex_unlock(&m->lock);
    return found;
}

/* The table entry's migration mark (writes get EBUSY while it is set). */
static void mig_mark(struct fog_ctx *ctx, const char *name, int on, const char *transition)
{
    pthread_mutex_lock(&ctx->containers.lock);
    struct fog_container *c = fog_ctable_find_locked(&ctx->containers, name);
    if (c) {
        c->migrating = on;
        c->busy = on;
        c->transition = on ? transition : NULL;
    }
    pthread_cond_broadcast(&ctx->containers.idle);
    pthread_mutex_unlock(&ctx->containers.lock);
}

/* Takes a container back (after a failed or abandoned hand-over). */
static void mig_take_back(struct fog_ctx *ctx, const char *name, int was_running)
{
    char why[WHY_LEN] = "";
    int r = lxcb_adopt(ctx->lxc, name, why, sizeof why);
    if (!r && was_running)
        r = lxcb_start(ctx->lxc, name, why, sizeof why);
    if (r)
        fog_event(ctx, name, "error", "migrate: taking it back failed: %s (%s)", why, strerror(-r));
    pthread_mutex_lock(&ctx->containers.lock);
    fog_ctable_add_locked(&ctx->containers, name);
    pthread_mutex_unlock(&ctx->containers.lock);
}

static int mig_fail(struct fog_ctx *ctx, const char *name, int r, const char *why)
{
    fog_event(ctx, name, "error", "migrate: %s (%s)", why, strerror(-r));
    return r;
}

int fog_migrate(struct fog_ctx *ctx, const char *name, const char *to)
{
    char why[WHY_LEN] = "";
    if (!ctx->migrator)
        return mig_fail(ctx, name, -EINVAL, "no cluster");
    struct fog_container c;
    if (fog_ctable_get(&ctx->containers, name, &c))
        return mig_fail(ctx, name, -ENOENT, "no such container");
    if (c.migrating)
        return mig_fail(ctx, name, -EBUSY, "a migration is under way");
    enum fog_node_state st = fog_cluster_node_state(ctx, to);
    if (st == FOG_NODE_UNKNOWN) {
        snprintf(why, sizeof why, "no node %s in this cluster", to);
        return mig_fail(ctx, name, -EINVAL, why);
    }
    if (st == FOG_NODE_DOWN) {
        snprintf(why, sizeof why, "node %s is down", to);
        return mig_fail(ctx, name, -EHOSTDOWN, why);
    }
    if (st == FOG_NODE_DRAINING) {
        snprintf(why, sizeof why, "node %s is draining", to);
        return mig_fail(ctx, name, -ENOSPC, why);
    }
    struct fog_node_info info;
    if (fog_cluster_node_info(ctx, to, &info))
        return mig_fail(ctx, name, -EHOSTDOWN, "target has no registration");
    if (strcmp(info.arch, ctx->arch)) {
        snprintf(why, sizeof why, "node %s is %s, this container is built for %s", to, info.arch,
                 ctx->arch);
        return mig_fail(ctx, name, -EXDEV, why);
    }
    if (!ctx->o.shared_dir || strcmp(info.shared_dir, ctx->o.shared_dir) ||
        !lxcb_is_shared(ctx->lxc, name)) {
        snprintf(why, sizeof why, "node %s cannot see the root filesystem of %s "
                 "(both need the same --shared-dir, and the container must live there)", to, name);
        return mig_fail(ctx, name, -EXDEV, why);
    }
    int64_t req = c.limits.cpu_request_m > 0 ? c.limits.cpu_request_m : 0;
    int64_t used = fog_cluster_allocated_cpu(ctx, to);
    if (used + req > info.cap_cpu_m) {
        snprintf(why, sizeof why, "node %s has %lldm of %lldm free, %s requests %lldm", to,
                 (long long)(info.cap_cpu_m - used), (long long)info.cap_cpu_m, name,
                 (long long)req);
        return mig_fail(ctx, name, -ENOSPC, why);
    }
    /* Wait for other operations on it, then hold it for the whole move. */
    pthread_mutex_lock(&ctx->containers.lock);
    struct fog_container *e;
    while ((e = fog_ctable_find_locked(&ctx->containers, name)) && e->busy && !e->migrating)
        pthread_cond_wait(&ctx->containers.idle, &ctx->containers.lock);
    int r = !e ? -ENOENT : e->migrating ? -EBUSY : 0;
    int was_running = e && (e->state == LXCB_RUNNING || e->state == LXCB_FROZEN);
    if (!r) {
        e->migrating = e->busy = 1;
        e->transition = "STOPPING";
    }
    pthread_mutex_unlock(&ctx->containers.lock);
    if (r)
        return mig_fail(ctx, name, r, r == -EBUSY ? "a migration is under way" : "gone");
    /* In flight before its record exists: the scan must not take a record
     * of a move under way for one a crash left behind. */
    if (mig_inflight(ctx, name, 1)) {
        mig_mark(ctx, name, 0, NULL);
        return mig_fail(ctx, name, -EBUSY, "too many moves under way on this node");
    }
    fog_cluster_publish_container(ctx, name);   /* STOPPING, on every node */
    r = mig_put(ctx, name, 0, ctx->node, to, "stopping", was_running, NULL);
    if (r) {
        mig_inflight(ctx, name, 0);
        mig_mark(ctx, name, 0, NULL);
        return mig_fail(ctx, name, r == -ECANCELED ? -EBUSY : r, "a migration record exists");
    }
    double t0 = fog_mono_now();
    if (was_running)
        r = lxcb_stop(ctx->lxc, name, why, sizeof why);
    if (!r)
        r = lxcb_release(ctx->lxc, name, why, sizeof why);
    struct mig_record rec;
    if (!r && (r = mig_get(ctx, name, &rec)) == 0)
        r = mig_put(ctx, name, rec.rev, ctx->node, to, "handoff", was_running, NULL);
    if (r) {
        /* Nothing was handed over: it is still ours. */
        if (!lxcb_is_shared(ctx->lxc, name))
            lxcb_adopt(ctx->lxc, name, NULL, 0);
        if (was_running)
            lxcb_start(ctx->lxc, name, NULL, 0);
        if (mig_get(ctx, name, &rec) == 0)
            mig_delete(ctx, name, rec.rev);
        mig_mark(ctx, name, 0, NULL);
        mig_inflight(ctx, name, 0);
        return mig_fail(ctx, name, r, why[0] ? why : "could not hand it over");
    }
    /* The target adopts it and deletes the record, or marks it failed. Until
     * then it stays listed here, STOPPING, and writes to it get EBUSY. */
    double handed = fog_mono_now();
    double deadline = handed + ctx->o.write_timeout + ctx->o.stop_timeout;
    r = -ETIMEDOUT;
    while (fog_mono_now() < deadline) {
        int g = mig_get(ctx, name, &rec);
        if (g == -ENOENT) {
            r = 0;
            break;
        }
        if (g == 0 && !strcmp(rec.phase, "failed")) {
            mig_mark(ctx, name, 0, NULL);
            mig_take_back(ctx, name, was_running);
            mig_delete(ctx, name, rec.rev);
            snprintf(why, sizeof why, "%s could not take it: %s", to, rec.detail);
            r = -EXDEV;
            break;
        }
        struct timespec ts = { 0, MIGRATE_POLL_NS };
        nanosleep(&ts, NULL);
    }
    if (r != -EXDEV) {
        /* Handed over (or, on a timeout, the target will finish): not ours. */
        pthread_mutex_lock(&ctx->containers.lock);
        fog_ctable_remove_locked(&ctx->containers, name);
        pthread_cond_broadcast(&ctx->containers.idle);
        pthread_mutex_unlock(&ctx->containers.lock);
        fog_cluster_tick_statuses(ctx);
    }
    mig_inflight(ctx, name, 0);
    if (r == -ETIMEDOUT)
        return mig_fail(ctx, name, r, "the target did not confirm; it will finish when it can");
    if (r)
        return mig_fail(ctx, name, r, why);
    double done = fog_mono_now();
    fog_event(ctx, name, "migrate", "%s -> %s in %.0f ms (%s; stopped and handed over in "
              "%.0f ms, taken up by %s in %.0f ms)", ctx->node, to, (done - t0) * 1000,
              was_running ? "running" : "stopped", (handed - t0) * 1000, to,
              (done - handed) * 1000);
    return 0;
}

/* The target's side, and recovery of records this node is named in. */
static void mig_handle(struct fog_ctx *ctx, const char *name, const struct mig_record *rec)
{
    char why[WHY_LEN] = "";
    if (!strcmp(rec->to, ctx->node) && !strcmp(rec->phase, "handoff")) {
        int r = lxcb_adopt(ctx->lxc, name, why, sizeof why);
        if (r) {
            mig_put(ctx, name, rec->rev, rec->from, rec->to, "failed", rec->was_running, why);
            fog_event(ctx, name, "error", "migrate from %s refused: %s (%s)", rec->from, why,
                      strerror(-r));
            return;
        }
        pthread_mutex_lock(&ctx->containers.lock);
        fog_ctable_add_locked(&ctx->containers, name);
        pthread_mutex_unlock(&ctx->containers.lock);
        if (rec->was_running && (r = op_state(ctx, name, "start")))
            fog_event(ctx, name, "error", "migrated from %s but did not start (%s)", rec->from,
                      strerror(-r));
        else
            fog_cluster_publish_container(ctx, name);
        mig_delete(ctx, name, rec->rev);
        return;
    }
    if (strcmp(rec->from, ctx->node) || mig_is_inflight(ctx, name))
        return;
    /* A record this node left behind when it stopped mid-way. */
    if (!strcmp(rec->phase, "stopping")) {
        if (lxcb_is_shared(ctx->lxc, name)) {
            /* It may still be halting from the stop this node began. */
            int r = 0;
            if (rec->was_running && !(r = lxcb_stop(ctx->lxc, name, why, sizeof why)))
                r = lxcb_start(ctx->lxc, name, why, sizeof why);
            if (r)
                fog_event(ctx, name, "error", "migrate: restarting after an unfinished move: "
                          "%s (%s)", why, strerror(-r));
            mig_delete(ctx, name, rec->rev);
            fog_event(ctx, name, "migrate", "rolled back an unfinished move to %s", rec->to);
        } else {
            mig_put(ctx, name, rec->rev, rec->from, rec->to, "handoff", rec->was_running, NULL);
        }
    } else if (!strcmp(rec->phase, "failed")) {
        mig_take_back(ctx, name, rec->was_running);
        mig_delete(ctx, name, rec->rev);
        fog_event(ctx, name, "migrate", "took back from a failed move to %s: %s", rec->to,
                  rec->detail);
    }
}

static void mig_scan(struct fog_ctx *ctx)
{
    struct fog_kv *kvs = NULL;
    size_t n = 0;
    if (ctx->store->ops->list(ctx->store, "migrations/", &kvs, &n, NULL))
        return;
    for (size_t i = 0; i < n; i++) {
        const char *name = kvs[i].key + strlen("migrations/");
        struct mig_record rec;
        if (mig_get(ctx, name, &rec) == 0)
            mig_handle(ctx, name, &rec);
    }
    fog_kv_free_array(kvs, n);
}

static void mig_on_change(void *arg, int status, const struct fog_watch_event *ev)
{
    struct fog_ctx *ctx = arg;
    struct fog_migrator *m = ctx->migrator;
    pthread_mutex_lock(&m->lock);
    m->kicked = 1;
    pthread_cond_signal(&m->wake);
    pthread_mutex_unlock(&m->lock);
}

static void *mig_main(void *arg)
{
    struct fog_ctx *ctx = arg;
    struct fog_migrator *m = ctx->migrator;
    pthread_mutex_lock(&m->lock);
    while (!m->stop) {
        m->kicked = 0;
        pthread_mutex_unlock(&m->lock);
        mig_scan(ctx);
        pthread_mutex_lock(&m->lock);
        if (m->kicked || m->stop)
            continue;
        struct timespec deadline = fog_mono_after(1);
        while (!m->kicked && !m->stop &&
               pthread_cond_timedwait(&m->wake, &m->lock, &deadline) != ETIMEDOUT)
            ;
    }
    pthread_mutex_unlock(&m->lock);
    return NULL;
}

int fog_migrate_start(struct fog_ctx *ctx)
{
    struct fog_migrator *m = calloc(1, sizeof *m);
    if (!m)
        return -ENOMEM;
    pthread_mutex_init(&m->lock, NULL);
    fog_cond_init_mono(&m->wake);
    ctx->migrator = m;
    int r = ctx->store->ops->watch(ctx->store, "migrations/", 0, mig_on_change, ctx, &m->watch);
    if (r)
        return r;
    r = pthread_create(&m->thread, NULL, mig_main, ctx);
    if (r)
        return -r;
    m->running = 1;
    return 0;
}

void fog_migrate_stop(struct fog_ctx *ctx)
{
    struct fog_migrator *m = ctx->migrator;
    if (!m)
        return;
    if (m->watch)
        ctx->store->ops->unwatch(ctx->store, m->watch);
    if (m->running) {
        pthread_mutex_lock(&m->lock);
        m->stop = 1;
        pthread_cond_signal(&m->wake);
        pthread_mutex_unlock(&m->lock);
        pthread_join(m->thread, NULL);
    }
    pthread_cond_destroy(&m->wake);
    pthread_mutex_destroy(&m->lock);
    free(m);
    ctx->migrator = NULL;
}

struct place_search {
    struct fog_ctx *ctx;
    int64_t request_m;
    char best[64];
    int64_t best_alloc;
};

static void place_consider(void *arg, const char *node)
{
    struct place_search *p = arg;
    struct fog_ctx *ctx = p->ctx;
    struct fog_node_info info;
    if (!strcmp(node, ctx->node) || fog_cluster_node_state(ctx, node) != FOG_NODE_UP ||
        fog_cluster_node_info(ctx, node, &info) || strcmp(info.arch, ctx->arch) ||
        !ctx->o.shared_dir || strcmp(info.shared_dir, ctx->o.shared_dir))
        return;
    int64_t alloc = fog_cluster_allocated_cpu(ctx, node);
    if (alloc + p->request_m > info.cap_cpu_m)
        return;
    if (!p->best[0] || alloc < p->best_alloc) {
        snprintf(p->best, sizeof p->best, "%s", node);
        p->best_alloc = alloc;
    }
}

int fog_place(struct fog_ctx *ctx, int64_t request_m, char *node)
{
    struct place_search p = { .ctx = ctx, .request_m = request_m };
    fog_cluster_list_nodes(ctx, place_consider, &p);
    if (!p.best[0])
        return -ENOSPC;
    snprintf(node, 64, "%s", p.best);
    return 0;
}
