/* The cluster view: one watch on nodes/ keeps a cache of every node's
 * registration, sample and container statuses; a watch on events/ merges
 * other nodes' event lines into cluster/events. This node registers under a
 * lease kept alive by the agent, and publishes its containers' statuses. */
#include "core/cluster.h"
#include "backends/lxc.h"
#include "core/autoscale.h"
#include "core/clock.h"
#include "core/ctx.h"
#include "core/metrics_json.h"
#include "core/publish.h"
#include "fs/tree.h"
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct cl_container {
    char name[64];
    char *status;
    size_t len;
};

struct cl_node {
    char name[64];
    char *info;              /* NULL: no registration (down) */
    size_t info_len;
    char *sample;
    size_t sample_len;
    struct cl_container *c;  /* sorted by name */
    size_t nc, capc;
};

struct cl_published {
    char name[64];
    uint64_t hash;            /* of the last status put */
    /* Addresses and devices change rarely and cost a fork (ips) or a config
     * read to learn: refreshed on an operation, a state change, or after
     * CL_LINES_TTL seconds. */
    char ips[512], devices[512];
    int state;
    double lines_at;
};

#define CL_LINES_TTL 30.0

struct fog_cluster {
    pthread_mutex_t lock;
    struct cl_node **nodes;  /* sorted by name */
    size_t n, cap;
    struct fog_watch *w_nodes, *w_events;
    int resync;              /* the nodes/ watch was compacted: list again */
    int64_t lease;
    struct cl_published *pub;  /* statuses this node has published */
    size_t npub;
    /* Orders a status put after its container's check against a delete of
     * the same status (a container leaving must not be published again). */
    pthread_mutex_t pub_lock;
};

static struct fog_cluster *CL(struct fog_ctx *ctx)
{
    return ctx->cluster;
}

/* ---- the cache ---- */

static struct cl_node *cl_find_node_locked(struct fog_cluster *cl, const char *name, size_t *pos)
{
    size_t lo = 0, hi = cl->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(cl->nodes[mid]->name, name);
        if (!c) {
            if (pos)
                *pos = mid;
            return cl->nodes[mid];
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (pos)
        *pos = lo;
    return NULL;
}

static struct cl_node *cl_add_node_locked(struct fog_cluster *cl, const char *name)
{
    size_t pos;
    struct cl_node *nd = cl_find_node_locked(cl, name, &pos);
    if (nd)
        return nd;
    if (cl->n == cl->cap) {
        size_t cap = cl->cap ? cl->cap * 2 : 16;
        struct cl_node **v = realloc(cl->nodes, cap * sizeof *v);
        if (!v)
            return NULL;
        cl->nodes = v;
        cl->cap = cap;
    }
    nd = calloc(1, sizeof *nd);
    if (!nd)
        return NULL;
    snprintf(nd->name, sizeof nd->name, "%s", name);
    memmove(&cl->nodes[pos + 1], &cl->nodes[pos], (cl->n - pos) * sizeof *cl->nodes);
    cl->nodes[pos] = nd;
    cl->n++;
    return nd;
}

static struct cl_container *cl_find_container(struct cl_node *nd, const char *name, size_t *pos)
{
    size_t lo = 0, hi = nd->nc;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(nd->c[mid].name, name);
        if (!c) {
            if (pos)
                *pos = mid;
            return &nd->c[mid];
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (pos)
        *pos = lo;
    return NULL;
}

static void cl_set(char **dst, size_t *dlen, const char *val, size_t len)
{
    free(*dst);
    *dst = NULL;
    *dlen = 0;
    if (!val)
        return;
    *dst = malloc(len + 1);
    if (!*dst)
        return;
    memcpy(*dst, val, len);
    (*dst)[len] = 0;
    *dlen = len;
}

static void cl_set_container_locked(struct cl_node *nd, const char *name, const char *val,
                                    size_t len)
{
    size_t pos;
    struct cl_container *c = cl_find_container(nd, name, &pos);
    if (!val) {
        if (c) {
            free(c->status);
            memmove(c, c + 1, (nd->nc - pos - 1) * sizeof *c);
            nd->nc--;
        }
        return;
    }
    if (!c) {
        if (nd->nc == nd->capc) {
            size_t cap = nd->capc ? nd->capc * 2 : 8;
            struct cl_container *v = realloc(nd->c, cap * sizeof *v);
            if (!v)
                return;
            nd->c = v;
            nd->capc = cap;
        }
        memmove(&nd->c[pos + 1], &nd->c[pos], (nd->nc - pos) * sizeof *nd->c);
        c = &nd->c[pos];
        memset(c, 0, sizeof *c);
        snprintf(c->name, sizeof c->name, "%s", name);
        nd->nc++;
    }
    cl_set(&c->status, &c->len, val, len);
}

static void cl_free_node(struct cl_node *nd)
{
    for (size_t i = 0; i < nd->nc; i++)
        free(nd->c[i].status);
    free(nd->c);
    free(nd->info);
    free(nd->sample);
    free(nd);
}

/* Events are merged cluster-wide, so one node speaks of another's coming
 * and going: the first by name among those up, the subject excepted. */
static int cl_reports_for(struct fog_ctx *ctx, const char *subject)
{
    struct fog_cluster *cl = CL(ctx);
    int first = 1;
    pthread_mutex_lock(&cl->lock);
    for (size_t i = 0; i < cl->n && first; i++) {
        const struct cl_node *nd = cl->nodes[i];
        if (strcmp(nd->name, ctx->node) >= 0)
            break;                    /* sorted: no smaller name follows */
        if (nd->info && strcmp(nd->name, subject))
            first = 0;
    }
    pthread_mutex_unlock(&cl->lock);
    return first;
}

/* Applies one key of nodes/ (val NULL: deleted). Logs node-up/node-down
 * when another node's registration appears or lapses. */
static void cl_apply(struct fog_ctx *ctx, const char *key, const char *val, size_t len)
{
    struct fog_cluster *cl = CL(ctx);
    char node[64], rest[192];
    if (sscanf(key, "nodes/%63[^/]/%191s", node, rest) != 2)
        return;
    int transition = 0;       /* +1 up, -1 down */
    pthread_mutex_lock(&cl->lock);
    size_t pos;
    struct cl_node *nd = val ? cl_add_node_locked(cl, node) : cl_find_node_locked(cl, node, &pos);
    if (nd) {
        if (!strcmp(rest, "info")) {
            if (!nd->info && val)
                transition = 1;
            else if (nd->info && !val)
                transition = -1;
            cl_set(&nd->info, &nd->info_len, val, len);
        } else if (!strcmp(rest, "sample")) {
            /* Never deleted but when the node is forgotten; a down node
             * keeps its last sample. */
            cl_set(&nd->sample, &nd->sample_len, val, len);
        } else if (!strncmp(rest, "containers/", 11) && !strchr(rest + 11, '/')) {
            cl_set_container_locked(nd, rest + 11, val, len);
        }
        if (!val && !nd->info && !nd->sample && !nd->nc) {
            /* Nothing of it is left in the store: forgotten. */
            cl_find_node_locked(cl, node, &pos);
            cl_free_node(nd);
            memmove(&cl->nodes[pos], &cl->nodes[pos + 1], (cl->n - pos - 1) * sizeof *cl->nodes);
            cl->n--;
        }
    }
    pthread_mutex_unlock(&cl->lock);
    if (transition && strcmp(node, ctx->node) && cl_reports_for(ctx, node))
        fog_event(ctx, NULL, transition > 0 ? "node-up" : "node-down", "%s %s", node,
                  transition > 0 ? "is up" : "registration lapsed: down");
}

static void cl_on_nodes(void *arg, int status, const struct fog_watch_event *ev)
{
    struct fog_ctx *ctx = arg;
    if (status == -ECANCELED) {
        pthread_mutex_lock(&CL(ctx)->lock);
        CL(ctx)->resync = 1;
        pthread_mutex_unlock(&CL(ctx)->lock);
        return;
    }
    if (status || !ev)
        return;
    if (ev->type == FOG_WATCH_PUT)
        cl_apply(ctx, ev->kv->key, ev->kv->value, ev->kv->value_len);
    else
        cl_apply(ctx, ev->kv->key, NULL, 0);
}

static void cl_on_events(void *arg, int status, const struct fog_watch_event *ev)
{
    struct fog_ctx *ctx = arg;
    if (status || !ev || ev->type != FOG_WATCH_PUT)
        return;
    char own[128];
    snprintf(own, sizeof own, "events/%s", ctx->node);
    if (!strcmp(ev->kv->key, own))
        return;                       /* already in the ring */
    fog_events_append(&ctx->events, ev->kv->value, ev->kv->value_len);
}

/* Lists nodes/ into a fresh cache and watches from the list's revision. */
static int cl_load(struct fog_ctx *ctx)
{
    struct fog_cluster *cl = CL(ctx);
    struct fog_store *s = ctx->store;
    if (cl->w_nodes) {
        s->ops->unwatch(s, cl->w_nodes);
        cl->w_nodes = NULL;
    }
    struct fog_kv *kvs = NULL;
    size_t n = 0;
    int64_t rev = 0;
    int r = s->ops->list(s, "nodes/", &kvs, &n, &rev);
    if (r)
        return r;
    pthread_mutex_lock(&cl->lock);
    for (size_t i = 0; i < cl->n; i++)
        cl_free_node(cl->nodes[i]);
    cl->n = 0;
    cl->resync = 0;
    pthread_mutex_unlock(&cl->lock);
    for (size_t i = 0; i < n; i++) {
        char node[64], rest[192];
        if (sscanf(kvs[i].key, "nodes/%63[^/]/%191s", node, rest) != 2)
            continue;
        pthread_mutex_lock(&cl->lock);
        struct cl_node *nd = cl_add_node_locked(cl, node);
        if (nd && !strcmp(rest, "info"))
            cl_set(&nd->info, &nd->info_len, kvs[i].value, kvs[i].value_len);
        else if (nd && !strcmp(rest, "sample"))
            cl_set(&nd->sample, &nd->sample_len, kvs[i].value, kvs[i].value_len);
        else if (nd && !strncmp(rest, "containers/", 11) && !strchr(rest + 11, '/'))
            cl_set_container_locked(nd, rest + 11, kvs[i].value, kvs[i].value_len);
        pthread_mutex_unlock(&cl->lock);
    }
    fog_kv_free_array(kvs, n);
    return s->ops->watch(s, "nodes/", rev + 1, cl_on_nodes, ctx, &cl->w_nodes);
}

/* ---- this node's registration and statuses ---- */

int fog_cluster_register(struct fog_ctx *ctx)
{
    struct fog_cluster *cl = CL(ctx);
    if (!cl)
        return 0;
    json_t *o = json_pack("{s:s,s:i,s:I,s:I,s:s,s:s,s:s}", "arch", ctx->arch, "cpus", ctx->cpus,
                          "cap_cpu_m", (json_int_t)ctx->cap_cpu_m, "cap_mem",
                          (json_int_t)ctx->cap_mem, "state", ctx->draining ? "draining" : "up",
                          "shared_dir", ctx->o.shared_dir ? ctx->o.shared_dir : "",
                          "lxcpath", lxcb_lxcpath(ctx->lxc));
    char *s = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(o);
    if (!s)
        return -ENOMEM;
    char key[128];
    snprintf(key, sizeof key, "nodes/%s/info", ctx->node);
    int r = ctx->store->ops->put(ctx->store, key, s, strlen(s), cl->lease, NULL);
    free(s);
    return r;
}

static int cl_lease(struct fog_ctx *ctx)
{
    int r = ctx->store->ops->lease_grant(ctx->store, ctx->o.lease_ttl, &CL(ctx)->lease);
    return r ? r : fog_cluster_register(ctx);
}

static uint64_t cl_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static struct cl_published *cl_published(struct fog_cluster *cl, const char *name)
{
    for (size_t i = 0; i < cl->npub; i++)
        if (!strcmp(cl->pub[i].name, name))
            return &cl->pub[i];
    struct cl_published *v = realloc(cl->pub, (cl->npub + 1) * sizeof *v);
    if (!v)
        return NULL;
    cl->pub = v;
    struct cl_published *p = &cl->pub[cl->npub++];
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", name);
    p->state = -1;
    return p;
}

/* Puts a container's status if it changed since the last put. */
static void cl_publish_locked(struct fog_ctx *ctx, const char *name);

static void cl_publish(struct fog_ctx *ctx, const char *name)
{
    pthread_mutex_lock(&CL(ctx)->pub_lock);
    cl_publish_locked(ctx, name);
    pthread_mutex_unlock(&CL(ctx)->pub_lock);
}

static void cl_publish_locked(struct fog_ctx *ctx, const char *name)
{
    struct fog_container *c = malloc(sizeof *c);
    if (!c)
        return;
    char key[192];
    snprintf(key, sizeof key, "nodes/%s/containers/%s", ctx->node, name);
    if (fog_ctable_get(&ctx->containers, name, c)) {
        free(c);
        return;
    }
    char ips[512] = "", devs[512] = "";
    double t = fog_mono_now();
    /* Addresses cost a fork into the container's network namespace, devices
     * a config read: both only on a state change, after a device change
     * (fog_cluster_lines_changed), or when stale. */
    pthread_mutex_lock(&CL(ctx)->lock);
    struct cl_published *p = cl_published(CL(ctx), name);
    int stale = !p || t - p->lines_at > CL_LINES_TTL;
    int refresh = stale || p->state != (int)c->state;
    if (p) {
        memcpy(ips, p->ips, sizeof ips);
        memcpy(devs, p->devices, sizeof devs);
    }
    pthread_mutex_unlock(&CL(ctx)->lock);
    if (refresh) {
        ips[0] = 0;
        if (c->state == LXCB_RUNNING)
            lxcb_get_ips(ctx->lxc, name, ips, sizeof ips);
        lxcb_get_devices(ctx->lxc, name, devs, sizeof devs);
    }
    int as = c->limits.autoscale >= 0 ? c->limits.autoscale : fog_autoscale_enabled(ctx);
    char *s = fog_status_json(c, as, ips, devs);
    int state = (int)c->state;
    free(c);
    if (!s)
        return;
    uint64_t h = cl_hash(s);
    pthread_mutex_lock(&CL(ctx)->lock);
    p = cl_published(CL(ctx), name);
    int changed = !p || p->hash != h;
    if (p) {
        p->hash = h;
        if (refresh) {
            memcpy(p->ips, ips, sizeof ips);
            memcpy(p->devices, devs, sizeof devs);
            p->state = state;
            p->lines_at = t;
        }
    }
    pthread_mutex_unlock(&CL(ctx)->lock);
    if (changed)
        fog_publish(ctx, key, s, strlen(s), 1);
    free(s);
}

void fog_cluster_lines_changed(struct fog_ctx *ctx, const char *name)
{
    struct fog_cluster *cl = CL(ctx);
    if (!cl)
        return;
    pthread_mutex_lock(&cl->lock);
    struct cl_published *p = cl_published(cl, name);
    if (p)
        p->lines_at = 0;
    pthread_mutex_unlock(&cl->lock);
}

void fog_cluster_publish_container(struct fog_ctx *ctx, const char *name)
{
    if (CL(ctx))
        cl_publish(ctx, name);
}

struct cl_names {
    char (*v)[64];
    size_t n, cap;
};

static void cl_names_add(void *arg, const char *name)
{
    struct cl_names *l = arg;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char (*v)[64] = realloc(l->v, cap * sizeof *v);
        if (!v)
            return;
        l->v = v;
        l->cap = cap;
    }
    snprintf(l->v[l->n++], 64, "%s", name);
}

void fog_cluster_tick(struct fog_ctx *ctx)
{
    struct fog_cluster *cl = CL(ctx);
    if (!cl)
        return;
    struct fog_store *s = ctx->store;
    if (s->ops->lease_keepalive(s, cl->lease) == -ENOENT) {
        if (cl_lease(ctx) == 0)
            fog_event(ctx, NULL, "node-up", "%s registered again after its lease lapsed",
                      ctx->node);
    }
    pthread_mutex_lock(&cl->lock);
    int resync = cl->resync;
    pthread_mutex_unlock(&cl->lock);
    if (resync)
        cl_load(ctx);
    fog_cluster_tick_statuses(ctx);
}

void fog_cluster_tick_statuses(struct fog_ctx *ctx)
{
    struct fog_cluster *cl = CL(ctx);
    if (!cl)
        return;
    /* Statuses of local containers; delete those of containers gone. */
    struct cl_names local = { 0 }, published = { 0 };
    fog_ctable_names(&ctx->containers, cl_names_add, &local);
    for (size_t i = 0; i < local.n; i++)
        cl_publish(ctx, local.v[i]);
    pthread_mutex_lock(&cl->pub_lock);
    fog_cluster_list_containers(ctx, ctx->node, cl_names_add, &published);
    for (size_t i = 0; i < published.n; i++) {
        int there = 0;
        for (size_t j = 0; j < local.n && !there; j++)
            there = !strcmp(local.v[j], published.v[i]);
        if (there)
            continue;
        char key[192];
        snprintf(key, sizeof key, "nodes/%s/containers/%s", ctx->node, published.v[i]);
        fog_publish(ctx, key, NULL, 0, 1);
        pthread_mutex_lock(&cl->lock);
        for (size_t k = 0; k < cl->npub; k++)
            if (!strcmp(cl->pub[k].name, published.v[i]))
                cl->pub[k].hash = 0;
        pthread_mutex_unlock(&cl->lock);
    }
    pthread_mutex_unlock(&cl->pub_lock);
    free(local.v);
    free(published.v);
}

int fog_cluster_start(struct fog_ctx *ctx)
{
    struct fog_cluster *cl = calloc(1, sizeof *cl);
    if (!cl)
        return -ENOMEM;
    pthread_mutex_init(&cl->lock, NULL);
    pthread_mutex_init(&cl->pub_lock, NULL);
    ctx->cluster = cl;
    int r = cl_lease(ctx);
    if (!r)
        r = cl_load(ctx);
    if (!r)
        r = ctx->store->ops->watch(ctx->store, "events/", 0, cl_on_events, ctx, &cl->w_events);
    return r;
}

void fog_cluster_stop(struct fog_ctx *ctx)
{
    struct fog_cluster *cl = CL(ctx);
    if (!cl)
        return;
    struct fog_store *s = ctx->store;
    if (cl->w_nodes)
        s->ops->unwatch(s, cl->w_nodes);
    if (cl->w_events)
        s->ops->unwatch(s, cl->w_events);
    if (cl->lease)
        s->ops->lease_revoke(s, cl->lease);   /* others see this node down at once */
    for (size_t i = 0; i < cl->n; i++)
        cl_free_node(cl->nodes[i]);
    free(cl->nodes);
    free(cl->pub);
    pthread_mutex_destroy(&cl->lock);
    pthread_mutex_destroy(&cl->pub_lock);
    free(cl);
    ctx->cluster = NULL;
}

int fog_cluster_forget_node(struct fog_ctx *ctx, const char *node)
{
    enum fog_node_state st = fog_cluster_node_state(ctx, node);
    if (st == FOG_NODE_UNKNOWN)
        return -ENOENT;
    if (!strcmp(node, ctx->node) || st != FOG_NODE_DOWN) {
        fog_event(ctx, NULL, "error", "rmdir %s: only a node that is down can be forgotten (%s)",
                  node, strerror(EBUSY));
        return -EBUSY;
    }
    char prefix[96];
    snprintf(prefix, sizeof prefix, "nodes/%s/", node);
    struct fog_kv *kvs = NULL;
    size_t n = 0;
    int r = ctx->store->ops->list(ctx->store, prefix, &kvs, &n, NULL);
    for (size_t i = 0; !r && i < n; i++) {
        r = ctx->store->ops->del(ctx->store, kvs[i].key, -1, NULL);
        if (r == -ENOENT)
            r = 0;
    }
    fog_kv_free_array(kvs, n);
    if (r) {
        fog_event(ctx, NULL, "error", "rmdir %s: %s", node, strerror(-r));
        return r;
    }
    /* The watch deletes the keys from the view; the name itself goes now. */
    struct fog_cluster *cl = CL(ctx);
    pthread_mutex_lock(&cl->lock);
    size_t pos;
    struct cl_node *nd = cl_find_node_locked(cl, node, &pos);
    if (nd && !nd->info) {
        cl_free_node(nd);
        memmove(&cl->nodes[pos], &cl->nodes[pos + 1], (cl->n - pos - 1) * sizeof *cl->nodes);
        cl->n--;
    }
    pthread_mutex_unlock(&cl->lock);
    fog_event(ctx, NULL, "node-down", "%s forgotten (it was down)", node);
    return 0;
}

/* ---- reads ---- */

/* Names are copied under the lock and handed to fn after it, so fn may
 * read the cluster again. */
void fog_cluster_list_nodes(struct fog_ctx *ctx, void (*fn)(void *, const char *), void *arg)
{
    struct fog_cluster *cl = CL(ctx);
    struct cl_names names = { 0 };
    int self = 0;
    if (cl) {
        pthread_mutex_lock(&cl->lock);
        for (size_t i = 0; i < cl->n; i++) {
            self |= !strcmp(cl->nodes[i]->name, ctx->node);
            cl_names_add(&names, cl->nodes[i]->name);
        }
        pthread_mutex_unlock(&cl->lock);
    }
    if (!self)
        cl_names_add(&names, ctx->node);
    for (size_t i = 0; i < names.n; i++)
        fn(arg, names.v[i]);
    free(names.v);
}

enum fog_node_state fog_cluster_node_state(struct fog_ctx *ctx, const char *node)
{
    if (!strcmp(node, ctx->node))
        return ctx->draining ? FOG_NODE_DRAINING : FOG_NODE_UP;
    struct fog_cluster *cl = CL(ctx);
    if (!cl)
        return FOG_NODE_UNKNOWN;
    enum fog_node_state st = FOG_NODE_UNKNOWN;
    pthread_mutex_lock(&cl->lock);
    struct cl_node *nd = cl_find_node_locked(cl, node, NULL);
    if (nd) {
        st = FOG_NODE_DOWN;
        if (nd->info)
            st = strstr(nd->info, "\"state\":\"draining\"") ? FOG_NODE_DRAINING : FOG_NODE_UP;
    }
    pthread_mutex_unlock(&cl->lock);
    return st;
}

const char *fog_node_state_name(enum fog_node_state st)
{
    return st == FOG_NODE_UP ? "up" : st == FOG_NODE_DRAINING ? "draining"
         : st == FOG_NODE_DOWN ? "down" : "unknown";
}

/* A copy of one cached text (info, sample or a status), or -ENOENT. */
static int cl_copy(struct fog_ctx *ctx, const char *node, const char *container, int sample,
                   char **out, size_t *len)
{
    struct fog_cluster *cl = CL(ctx);
    if (!cl)
        return -ENOENT;
    int r = -ENOENT;
    pthread_mutex_lock(&cl->lock);
    struct cl_node *nd = cl_find_node_locked(cl, node, NULL);
    const char *src = NULL;
    size_t n = 0;
    if (nd && container) {
        struct cl_container *c = cl_find_container(nd, container, NULL);
        if (c && c->status)
            src = c->status, n = c->len;
    } else if (nd && sample) {
        src = nd->sample, n = nd->sample_len;
    } else if (nd) {
        src = nd->info, n = nd->info_len;
    }
    if (src) {
        *out = malloc(n + 1);
        if (*out) {
            memcpy(*out, src, n + 1);
            *len = n;
            r = 0;
        } else {
            r = -ENOMEM;
        }
    }
    pthread_mutex_unlock(&cl->lock);
    return r;
}

int fog_cluster_node_info(struct fog_ctx *ctx, const char *node, struct fog_node_info *out)
{
    char *text;
    size_t len;
    int r = cl_copy(ctx, node, NULL, 0, &text, &len);
    if (r)
        return r;
    json_t *o = json_loadb(text, len, 0, NULL);
    free(text);
    if (!json_is_object(o)) {
        json_decref(o);
        return -EINVAL;
    }
    memset(out, 0, sizeof *out);
    const char *arch = json_string_value(json_object_get(o, "arch"));
    const char *shared = json_string_value(json_object_get(o, "shared_dir"));
    snprintf(out->arch, sizeof out->arch, "%s", arch ? arch : "unknown");
    snprintf(out->shared_dir, sizeof out->shared_dir, "%s", shared ? shared : "");
    out->cpus = (int)json_integer_value(json_object_get(o, "cpus"));
    out->cap_cpu_m = json_integer_value(json_object_get(o, "cap_cpu_m"));
    out->cap_mem = json_integer_value(json_object_get(o, "cap_mem"));
    json_decref(o);
    return 0;
}

int fog_cluster_node_sample(struct fog_ctx *ctx, const char *node, struct fog_node_metrics *out,
                            double *age)
{
    char *text;
    size_t len;
    int r = cl_copy(ctx, node, NULL, 1, &text, &len);
    if (r)
        return r;
    r = fog_metrics_parse_json(text, len, out);
    free(text);
    if (!r && age) {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        *age = out->time > 0 ? now.tv_sec + now.tv_nsec / 1e9 - out->time : 0;
    }
    return r;
}

void fog_cluster_list_containers(struct fog_ctx *ctx, const char *node,
                                 void (*fn)(void *, const char *), void *arg)
{
    struct fog_cluster *cl = CL(ctx);
    if (!cl)
        return;
    struct cl_names names = { 0 };
    pthread_mutex_lock(&cl->lock);
    struct cl_node *nd = cl_find_node_locked(cl, node, NULL);
    for (size_t i = 0; nd && i < nd->nc; i++)
        cl_names_add(&names, nd->c[i].name);
    pthread_mutex_unlock(&cl->lock);
    for (size_t i = 0; i < names.n; i++)
        fn(arg, names.v[i]);
    free(names.v);
}

int fog_cluster_container_exists(struct fog_ctx *ctx, const char *node, const char *name)
{
    struct fog_cluster *cl = CL(ctx);
    if (!cl)
        return 0;
    pthread_mutex_lock(&cl->lock);
    struct cl_node *nd = cl_find_node_locked(cl, node, NULL);
    int there = nd && cl_find_container(nd, name, NULL) != NULL;
    pthread_mutex_unlock(&cl->lock);
    return there;
}

int fog_cluster_container(struct fog_ctx *ctx, const char *node, const char *name,
                          struct fog_container *out)
{
    char *text;
    size_t len;
    int r = cl_copy(ctx, node, name, 0, &text, &len);
    if (r)
        return r;
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "%s", name);
    r = fog_status_parse(text, len, out);
    free(text);
    return r;
}

int fog_cluster_container_lines(struct fog_ctx *ctx, const char *node, const char *name,
                                const char *field, struct fs_buf *out)
{
    char *text;
    size_t len;
    int r = cl_copy(ctx, node, name, 0, &text, &len);
    if (r)
        return r;
    r = fog_status_lines(text, len, field, out);
    free(text);
    return r;
}

int64_t fog_cluster_allocated_cpu(struct fog_ctx *ctx, const char *node)
{
    struct cl_names names = { 0 };
    fog_cluster_list_containers(ctx, node, cl_names_add, &names);
    int64_t sum = 0;
    struct fog_container *c = malloc(sizeof *c);
    for (size_t i = 0; c && i < names.n; i++)
        if (fog_cluster_container(ctx, node, names.v[i], c) == 0 && c->limits.cpu_request_m > 0)
            sum += c->limits.cpu_request_m;
    free(c);
    free(names.v);
    return sum;
}
