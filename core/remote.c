/* Remote writes (see core/remote.h): the writer's CAS-append and wait, and
 * the owner's worker thread applying queued ops in order. */
#include "core/remote.h"
#include "core/clock.h"
#include "core/cluster.h"
#include "core/ctx.h"
#include "core/publish.h"
#include "core/units.h"
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REMOTE_CAS_TRIES 64
#define REMOTE_DONE_KEEP 256

struct remote_qitem {
    char name[64];
    char *spec;                        /* NULL: read it from the store */
    size_t len;
};

struct fog_remote {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    unsigned long seq;                 /* ids of this node's writes */
    struct fog_watch *w_specs;
    /* Specs that changed, in arrival order, with the value the change put
     * (so the worker need not read it back). */
    struct remote_qitem *queue;
    size_t qhead, qlen, qcap;
    int stop;
    int jobs;                          /* ops being applied (their own threads) */
    pthread_t worker;
    int worker_running;
    /* Ops applied recently (ids), so one is never applied twice. */
    char done[REMOTE_DONE_KEEP][96];
    size_t ndone;
};

/* ---- the writer ---- */

struct remote_wait {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int have;
    int err;
};

static void remote_on_result(void *arg, int status, const struct fog_watch_event *ev)
{
    struct remote_wait *w = arg;
    if (status || !ev || ev->type != FOG_WATCH_PUT)
        return;
    json_t *o = json_loadb(ev->kv->value, ev->kv->value_len, 0, NULL);
    int err = o ? (int)json_integer_value(json_object_get(o, "errno")) : EIO;
    json_decref(o);
    pthread_mutex_lock(&w->lock);
    w->have = 1;
    w->err = err;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

/* Adds (or, with remove, takes out) the op with this id in the spec. */
static int remote_spec_edit(struct fog_ctx *ctx, const char *key, json_t *op, const char *id,
                            int remove, int64_t *revision)
{
    struct fog_store *s = ctx->store;
    double t0 = fog_mono_now();
    int last = -EAGAIN;
    for (int tries = 0; tries < REMOTE_CAS_TRIES; tries++) {
        /* A failed call may have been applied (the store member died after
         * taking it): try again within half the write timeout; an op that is
         * already in the spec is not added twice. */
        if (tries && fog_mono_now() - t0 > ctx->o.write_timeout / 2)
            return last;
        struct fog_kv kv = { 0 };
        int r = s->ops->get(s, key, &kv);
        if (r && r != -ENOENT) {
            last = r;
            continue;
        }
        if (r == -ENOENT && remove)
            return -ENOENT;
        json_t *spec = r ? json_object() : json_loadb(kv.value, kv.value_len, 0, NULL);
        int64_t rev = r ? 0 : kv.mod_revision;
        fog_kv_clear(&kv);
        if (!json_is_object(spec)) {
            json_decref(spec);
            spec = json_object();
        }
        json_t *ops = json_object_get(spec, "ops");
        if (!json_is_array(ops)) {
            ops = json_array();
            json_object_set_new(spec, "ops", ops);
        }
        int found = 0;
        if (remove) {
            for (size_t i = 0; i < json_array_size(ops); i++) {
                const char *oid = json_string_value(json_object_get(json_array_get(ops, i), "id"));
                if (oid && !strcmp(oid, id)) {
                    json_array_remove(ops, i);
                    found = 1;
                    break;
                }
            }
            if (!found) {
                json_decref(spec);
                return -ENOENT;
            }
        } else {
            for (size_t i = 0; i < json_array_size(ops) && !found; i++) {
                const char *oid = json_string_value(json_object_get(json_array_get(ops, i), "id"));
                found = oid && !strcmp(oid, id);
            }
            if (found) {                  /* an earlier try got through */
                json_decref(spec);
                if (revision)
                    *revision = rev;
                return 0;
            }
            json_array_append(ops, op);
        }
        char *text = json_dumps(spec, JSON_COMPACT);
        json_decref(spec);
        if (!text)
            return -ENOMEM;
        r = s->ops->cas(s, key, rev, text, strlen(text), 0, revision);
        free(text);
        if (!r)
            return 0;
        if (r != -ECANCELED)
            last = r;
    }
    return last;
}

/* After a confirmed create, destroy, rename or move, waits (briefly) until
 * this node's view of the cluster shows it, so the writer's next ls does. */
static void remote_wait_visible(struct fog_ctx *ctx, const char *node, const char *name,
                                const char *op, const char *v, size_t vlen)
{
    char other[64];
    snprintf(other, sizeof other, "%.*s", (int)(vlen < sizeof other ? vlen : sizeof other - 1), v);
    for (int i = 0; i < 400; i++) {            /* 2 s at most */
        int done;
        if (!strcmp(op, "create"))
            done = fog_cluster_container_exists(ctx, node, name);
        else if (!strcmp(op, "destroy"))
            done = !fog_cluster_container_exists(ctx, node, name);
        else if (!strcmp(op, "rename"))
            done = !fog_cluster_container_exists(ctx, node, name) &&
                   fog_cluster_container_exists(ctx, node, other);
        else if (!strcmp(op, "node"))
            done = !strcmp(other, node) || (!fog_cluster_container_exists(ctx, node, name) &&
                                             fog_cluster_container_exists(ctx, other, name));
        else
            return;
        if (done)
            return;
        struct timespec ts = { 0, 5000000L };
        nanosleep(&ts, NULL);
    }
}

int fog_remote_write(struct fog_ctx *ctx, const char *node, const char *name, const char *op,
                     const char *val, size_t len)
{
    struct fog_remote *rm = ctx->remote;
    const char *v;
    size_t vlen;
    char q[64];
    fog_event_quote(val, len, q, sizeof q);
    int r = units_trim(val, len, &v, &vlen);
    if (r || (vlen == 0 && strcmp(op, "create") && strcmp(op, "destroy"))) {
        fog_event(ctx, name, "error", "%s on %s: cannot parse \"%s\" (%s)", op, node, q,
                  strerror(EINVAL));
        return -EINVAL;
    }
    if (strcmp(name, FOG_REMOTE_NODE) && units_check_name(name, strlen(name))) {
        fog_event(ctx, NULL, "error", "%s on %s: bad container name (%s)", op, node,
                  strerror(EINVAL));
        return -EINVAL;
    }
    enum fog_node_state st = fog_cluster_node_state(ctx, node);
    if (st == FOG_NODE_DOWN || st == FOG_NODE_UNKNOWN || !rm) {
        fog_event(ctx, name, "error", "%s on %s: node is down (%s)", op, node, strerror(EHOSTDOWN));
        return -EHOSTDOWN;
    }
    char id[96], key[192], rkey[192];
    pthread_mutex_lock(&rm->lock);
    snprintf(id, sizeof id, "%s.%lu.%ld", ctx->node, ++rm->seq, (long)time(NULL));
    pthread_mutex_unlock(&rm->lock);
    snprintf(key, sizeof key, "specs/%s/%s", node, name);
    snprintf(rkey, sizeof rkey, "results/%s/%s", node, id);

    struct remote_wait w = { .err = 0 };
    pthread_mutex_init(&w.lock, NULL);
    fog_cond_init_mono(&w.cond);
    struct fog_watch *watch = NULL;
    /* The op first, then a watch for its answer from the op's revision on:
     * the answer comes later, so it cannot be missed. */
    json_t *opj = json_pack("{s:s,s:s,s:s%}", "id", id, "op", op, "value", v, vlen);
    int64_t rev = 0;
    r = opj ? remote_spec_edit(ctx, key, opj, id, 0, &rev) : -ENOMEM;
    json_decref(opj);
    if (!r)
        r = ctx->store->ops->watch(ctx->store, rkey, rev + 1, remote_on_result, &w, &watch);
    int store_away = r && r != -ENOMEM && r != -EAGAIN;
    if (store_away) {
        /* The store did not take the write: nothing can confirm it. */
        fog_event(ctx, name, "error", "%s on %s: the cluster store is unreachable (%s)", op, node,
                  strerror(-r));
        r = -ETIMEDOUT;
    }
    if (!r) {
        /* Ops that stop a container (a move, a drain, a destroy, a rename)
         * take up to the stop timeout on top. */
        int stops = !strcmp(op, "node") || !strcmp(op, "state") || !strcmp(op, "destroy") ||
                    !strcmp(op, "rename") || !strcmp(op, "rescale");
        struct timespec deadline = fog_mono_after(ctx->o.write_timeout +
                                                  (stops ? 2.0 * ctx->o.stop_timeout : 0));
        pthread_mutex_lock(&w.lock);
        while (!w.have && pthread_cond_timedwait(&w.cond, &w.lock, &deadline) != ETIMEDOUT)
            ;
        int have = w.have;
        r = have ? -w.err : -ETIMEDOUT;
        pthread_mutex_unlock(&w.lock);
        if (!have && remote_spec_edit(ctx, key, NULL, id, 1, NULL) == -ENOENT) {
            /* The owner took it just now: its answer may still come. */
            pthread_mutex_lock(&w.lock);
            if (w.have)
                r = -w.err;
            pthread_mutex_unlock(&w.lock);
        }
    }
    if (watch)
        ctx->store->ops->unwatch(ctx->store, watch);
    if (!store_away)
        ctx->store->ops->del(ctx->store, rkey, -1, NULL);
    pthread_cond_destroy(&w.cond);
    pthread_mutex_destroy(&w.lock);
    if (!r)
        remote_wait_visible(ctx, node, name, op, v, vlen);
    if (r == -ETIMEDOUT && !store_away)
        fog_event(ctx, name, "error", "%s \"%s\" on %s: not confirmed in %.1f s (%s)", op, q, node,
                  ctx->o.write_timeout, strerror(ETIMEDOUT));
    else if (r && r != -EINVAL && r != -ERANGE && r != -ENOSPC && r != -EBUSY && r != -ENOENT &&
             r != -EEXIST && r != -EHOSTDOWN && r != -EACCES && r != -EPERM && r != -EXDEV)
        fog_event(ctx, name, "error", "%s \"%s\" on %s: %s", op, q, node, strerror(-r));
    return r;
}

/* ---- the owner ---- */

static int remote_done(struct fog_remote *rm, const char *id)
{
    for (size_t i = 0; i < rm->ndone && i < REMOTE_DONE_KEEP; i++)
        if (!strcmp(rm->done[i], id))
            return 1;
    return 0;
}

static void remote_enqueue(struct fog_remote *rm, const char *name, const char *spec,
                           size_t len)
{
    char *copy = spec ? malloc(len + 1) : NULL;
    if (copy) {
        memcpy(copy, spec, len);
        copy[len] = 0;
    }
    pthread_mutex_lock(&rm->lock);
    if (rm->qlen == rm->qcap) {
        size_t cap = rm->qcap ? rm->qcap * 2 : 16;
        struct remote_qitem *q = malloc(cap * sizeof *q);
        if (!q) {
            pthread_mutex_unlock(&rm->lock);
            free(copy);
            return;
        }
        for (size_t i = 0; i < rm->qlen; i++)
            q[i] = rm->queue[(rm->qhead + i) % rm->qcap];
        for (size_t i = 0; i < rm->qlen; i++)
        free(rm->queue[(rm->qhead + i) % rm->qcap].spec);
    free(rm->queue);
        rm->queue = q;
        rm->qcap = cap;
        rm->qhead = 0;
    }
    struct remote_qitem *it = &rm->queue[(rm->qhead + rm->qlen) % rm->qcap];
    snprintf(it->name, sizeof it->name, "%s", name);
    it->spec = copy;
    it->len = copy ? len : 0;
    rm->qlen++;
    pthread_cond_signal(&rm->cond);
    pthread_mutex_unlock(&rm->lock);
}

static void remote_on_spec(void *arg, int status, const struct fog_watch_event *ev)
{
    struct fog_ctx *ctx = arg;
    char prefix[96];
    snprintf(prefix, sizeof prefix, "specs/%s/", ctx->node);
    if (status || !ev || ev->type != FOG_WATCH_PUT)
        return;
    const char *name = ev->kv->key + strlen(prefix);
    if (!strncmp(ev->kv->key, prefix, strlen(prefix)) && *name && !strchr(name, '/'))
        remote_enqueue(ctx->remote, name, ev->kv->value, ev->kv->value_len);
}

/* One op being applied, in a thread of its own: a long one (a stop, a
 * migration) must not hold up the others, and a second op on a container
 * that is moving must meet it moving (EBUSY), not wait for it to be gone. */
struct remote_job {
    struct fog_ctx *ctx;
    char name[64], id[96], what[32], key[192];
    char *value;
    size_t len;
};

static void remote_job_run(struct remote_job *j)
{
    struct fog_ctx *ctx = j->ctx;
    int r;
    if (!strcmp(j->name, FOG_REMOTE_NODE)) {
        r = fog_node_apply(ctx, j->what, j->value, j->len);
    } else {
        r = fog_container_apply(ctx, j->name, j->what, j->value, j->len);
        fog_cluster_publish_container(ctx, j->name);
    }
    /* The answer goes through the publisher, behind the status changes the
     * op queued there, so whoever sees the answer can see its effect. */
    fog_cluster_tick_statuses(ctx);
    char rkey[192], res[64];
    snprintf(rkey, sizeof rkey, "results/%s/%s", ctx->node, j->id);
    int n = snprintf(res, sizeof res, "{\"errno\":%d}", -r);
    fog_publish(ctx, rkey, res, n, 0);
    remote_spec_edit(ctx, j->key, NULL, j->id, 1, NULL);
    free(j->value);
    free(j);
}

static void *remote_job_main(void *arg)
{
    struct remote_job *j = arg;
    struct fog_remote *rm = j->ctx->remote;
    remote_job_run(j);
    pthread_mutex_lock(&rm->lock);
    rm->jobs--;
    pthread_cond_broadcast(&rm->cond);
    pthread_mutex_unlock(&rm->lock);
    return NULL;
}

/* Starts every op of one container's spec that is not applied or being
 * applied already. */
static void remote_apply_spec(struct fog_ctx *ctx, const char *name, const char *text,
                              size_t len)
{
    struct fog_remote *rm = ctx->remote;
    char key[192];
    snprintf(key, sizeof key, "specs/%s/%s", ctx->node, name);
    json_t *spec;
    if (text) {
        spec = json_loadb(text, len, 0, NULL);
    } else {
        struct fog_kv kv = { 0 };
        if (ctx->store->ops->get(ctx->store, key, &kv))
            return;
        spec = json_loadb(kv.value, kv.value_len, 0, NULL);
        fog_kv_clear(&kv);
    }
    json_t *ops = json_object_get(spec, "ops");
    for (size_t i = 0; i < json_array_size(ops); i++) {
        json_t *op = json_array_get(ops, i);
        const char *id = json_string_value(json_object_get(op, "id"));
        const char *what = json_string_value(json_object_get(op, "op"));
        json_t *vj = json_object_get(op, "value");
        if (!id || !what || !json_is_string(vj) || strlen(id) >= 96 || strlen(what) >= 32)
            continue;
        pthread_mutex_lock(&rm->lock);
        int taken = remote_done(rm, id);
        if (!taken)
            snprintf(rm->done[rm->ndone++ % REMOTE_DONE_KEEP], 96, "%s", id);
        pthread_mutex_unlock(&rm->lock);
        if (taken)
            continue;
        struct remote_job *j = calloc(1, sizeof *j);
        if (!j || !(j->value = malloc(json_string_length(vj) + 1))) {
            free(j);
            continue;
        }
        j->ctx = ctx;
        snprintf(j->name, sizeof j->name, "%s", name);
        snprintf(j->id, sizeof j->id, "%s", id);
        snprintf(j->what, sizeof j->what, "%s", what);
        snprintf(j->key, sizeof j->key, "%s", key);
        j->len = json_string_length(vj);
        memcpy(j->value, json_string_value(vj), j->len + 1);
        pthread_attr_t attr;
        pthread_t t;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        pthread_mutex_lock(&rm->lock);
        rm->jobs++;
        pthread_mutex_unlock(&rm->lock);
        if (pthread_create(&t, &attr, remote_job_main, j))
            remote_job_main(j);       /* no thread: apply it here */
        pthread_attr_destroy(&attr);
    }
    json_decref(spec);
}

static void *remote_worker(void *arg)
{
    struct fog_ctx *ctx = arg;
    struct fog_remote *rm = ctx->remote;
    pthread_mutex_lock(&rm->lock);
    while (!rm->stop) {
        if (!rm->qlen) {
            pthread_cond_wait(&rm->cond, &rm->lock);
            continue;
        }
        struct remote_qitem it = rm->queue[rm->qhead];
        rm->qhead = (rm->qhead + 1) % rm->qcap;
        rm->qlen--;
        pthread_mutex_unlock(&rm->lock);
        remote_apply_spec(ctx, it.name, it.spec, it.len);
        free(it.spec);
        pthread_mutex_lock(&rm->lock);
    }
    pthread_mutex_unlock(&rm->lock);
    return NULL;
}

int fog_remote_start(struct fog_ctx *ctx)
{
    struct fog_remote *rm = calloc(1, sizeof *rm);
    if (!rm)
        return -ENOMEM;
    pthread_mutex_init(&rm->lock, NULL);
    pthread_cond_init(&rm->cond, NULL);
    ctx->remote = rm;
    int r = pthread_create(&rm->worker, NULL, remote_worker, ctx);
    if (r)
        return -r;
    rm->worker_running = 1;
    /* Ops queued while this node was away, then every new one. */
    char prefix[96];
    snprintf(prefix, sizeof prefix, "specs/%s/", ctx->node);
    struct fog_kv *kvs = NULL;
    size_t n = 0;
    int64_t rev = 0;
    r = ctx->store->ops->list(ctx->store, prefix, &kvs, &n, &rev);
    if (r)
        return r;
    for (size_t i = 0; i < n; i++)
        remote_enqueue(rm, kvs[i].key + strlen(prefix), kvs[i].value, kvs[i].value_len);
    fog_kv_free_array(kvs, n);
    return ctx->store->ops->watch(ctx->store, prefix, rev + 1, remote_on_spec, ctx, &rm->w_specs);
}

void fog_remote_stop(struct fog_ctx *ctx)
{
    struct fog_remote *rm = ctx->remote;
    if (!rm)
        return;
    if (rm->w_specs)
        ctx->store->ops->unwatch(ctx->store, rm->w_specs);
    if (rm->worker_running) {
        pthread_mutex_lock(&rm->lock);
        rm->stop = 1;
        pthread_cond_broadcast(&rm->cond);
        pthread_mutex_unlock(&rm->lock);
        pthread_join(rm->worker, NULL);
    }
    /* Ops under way finish (each is bounded by the stop timeout). */
    pthread_mutex_lock(&rm->lock);
    while (rm->jobs > 0)
        pthread_cond_wait(&rm->cond, &rm->lock);
    pthread_mutex_unlock(&rm->lock);
    for (size_t i = 0; i < rm->qlen; i++)
        free(rm->queue[(rm->qhead + i) % rm->qcap].spec);
    free(rm->queue);
    pthread_cond_destroy(&rm->cond);
    pthread_mutex_destroy(&rm->lock);
    free(rm);
    ctx->remote = NULL;
}
