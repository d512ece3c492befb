/* Operations on the node's containers through the LXC backend, with the
 * container table kept in step, capacity checked, and one event per call. */
#include "core/ops.h"
#include "backends/lxc.h"
#include "core/cluster.h"
#include "core/ctx.h"
#include "core/migrate.h"
#include "core/remote.h"
#include "core/units.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define WHY_LEN 256

/* Waits until no other operation holds the container, then holds it.
 * -ENOENT if it does not exist, -EBUSY while it migrates. */
static int op_begin(struct fog_ctx *ctx, const char *name)
{
    struct fog_ctable *t = &ctx->containers;
    pthread_mutex_lock(&t->lock);
    struct fog_container *c;
    while ((c = fog_ctable_find_locked(t, name)) && c->busy && !c->migrating)
        pthread_cond_wait(&t->idle, &t->lock);
    int r = !c ? -ENOENT : c->migrating ? -EBUSY : 0;
    if (!r)
        c->busy = 1;
    pthread_mutex_unlock(&t->lock);
    return r;
}

/* Refreshes the entry from the backend and lets the next operation in. */
static void op_end(struct fog_ctx *ctx, const char *name)
{
    enum lxcb_state st = LXCB_UNKNOWN;
    struct lxcb_limits lim;
    int have_state = lxcb_get_state(ctx->lxc, name, &st) == 0;
    int have_limits = lxcb_get_limits(ctx->lxc, name, &lim) == 0;
    double started = 0;
    if (have_state && st == LXCB_RUNNING)
        lxcb_get_started_at(ctx->lxc, name, &started);
    struct fog_ctable *t = &ctx->containers;
    pthread_mutex_lock(&t->lock);
    struct fog_container *c = fog_ctable_find_locked(t, name);
    if (c) {
        if (have_state) {
            if (st != LXCB_RUNNING)
                c->last_mono = 0;      /* usage restarts from the next start */
            c->state = st;
            c->started_at = st == LXCB_RUNNING ? started : 0;
        }
        if (have_limits)
            c->limits = lim;
        c->busy = 0;
        c->transition = NULL;
    }
    pthread_cond_broadcast(&t->idle);
    pthread_mutex_unlock(&t->lock);
    fog_cluster_publish_container(ctx, name);   /* other nodes see it at once */
}

static void op_set_transition(struct fog_ctx *ctx, const char *name, const char *what)
{
    pthread_mutex_lock(&ctx->containers.lock);
    struct fog_container *c = fog_ctable_find_locked(&ctx->containers, name);
    if (c)
        c->transition = what;
    pthread_mutex_unlock(&ctx->containers.lock);
    fog_cluster_publish_container(ctx, name);   /* others read STOPPING too */
}

static int op_fail(struct fog_ctx *ctx, const char *name, int r, const char *what, const char *why)
{
    fog_event(ctx, name, "error", "%s: %s (%s)", what, why && *why ? why : "failed", strerror(-r));
    return r;
}

int op_create(struct fog_ctx *ctx, const char *name)
{
    if (units_check_name(name, strlen(name)))
        return op_fail(ctx, NULL, -EINVAL, "create", "bad container name");
    struct fog_ctable *t = &ctx->containers;
    pthread_mutex_lock(&t->lock);
    struct fog_container *c = fog_ctable_find_locked(t, name);
    int r = c ? -EEXIST : 0;
    if (!r) {
        c = fog_ctable_add_locked(t, name);
        if (c)
            c->busy = 1;
        else
            r = -ENOMEM;
    }
    pthread_mutex_unlock(&t->lock);
    if (r)
        return op_fail(ctx, name, r, "create", r == -EEXIST ? "already exists" : NULL);
    char why[WHY_LEN] = "";
    r = lxcb_create(ctx->lxc, name, why, sizeof why);
    if (r) {
        pthread_mutex_lock(&t->lock);
        fog_ctable_remove_locked(t, name);
        pthread_cond_broadcast(&t->idle);
        pthread_mutex_unlock(&t->lock);
        return op_fail(ctx, name, r, "create", why);
    }
    op_end(ctx, name);
    fog_event(ctx, name, "create", "template %s", ctx->o.template_name);
    return 0;
}

int op_destroy(struct fog_ctx *ctx, const char *name)
{
    int r = op_begin(ctx, name);
    if (r)
        return op_fail(ctx, name, r, "destroy", NULL);
    op_set_transition(ctx, name, "STOPPING");
    char why[WHY_LEN] = "";
    r = lxcb_destroy(ctx->lxc, name, why, sizeof why);
    if (r) {
        op_end(ctx, name);
        return op_fail(ctx, name, r, "destroy", why);
    }
    struct fog_ctable *t = &ctx->containers;
    pthread_mutex_lock(&t->lock);
    fog_ctable_remove_locked(t, name);
    pthread_cond_broadcast(&t->idle);
    pthread_mutex_unlock(&t->lock);
    fog_cluster_tick_statuses(ctx);    /* other nodes stop listing it now */
    fog_event(ctx, name, "destroy", "destroyed");
    return 0;
}

int op_state(struct fog_ctx *ctx, const char *name, const char *action)
{
    static const char *const actions[] = { "start", "stop", "restart", "freeze", "unfreeze" };
    size_t a = 0;
    while (a < 5 && strcmp(actions[a], action))
        a++;
    if (a == 5)
        return op_fail(ctx, name, -EINVAL, "state",
                       "expected start, stop, restart, freeze or unfreeze");
    int r = op_begin(ctx, name);
    if (r)
        return op_fail(ctx, name, r, action, NULL);
    char why[WHY_LEN] = "";
    switch (a) {
    case 0:
        op_set_transition(ctx, name, "STARTING");
        r = lxcb_start(ctx->lxc, name, why, sizeof why);
        break;
    case 1:
        op_set_transition(ctx, name, "STOPPING");
        r = lxcb_stop(ctx->lxc, name, why, sizeof why);
        break;
    case 2:
        op_set_transition(ctx, name, "STOPPING");
        r = lxcb_stop(ctx->lxc, name, why, sizeof why);
        if (!r) {
            op_set_transition(ctx, name, "STARTING");
            r = lxcb_start(ctx->lxc, name, why, sizeof why);
        }
        break;
    case 3:
        r = lxcb_freeze(ctx->lxc, name, why, sizeof why);
        break;
    default:
        r = lxcb_unfreeze(ctx->lxc, name, why, sizeof why);
        break;
    }
    op_end(ctx, name);
    if (r)
        return op_fail(ctx, name, r, action, why);
    static const char *const done[] = { "started", "stopped", "restarted", "frozen", "thawed" };
    fog_event(ctx, name, a == 1 ? "stop" : a >= 3 ? action : "start", "%s", done[a]);
    return 0;
}

int64_t ops_allocated_cpu(struct fog_ctx *ctx, const char *except)
{
    int64_t sum = 0;
    pthread_mutex_lock(&ctx->containers.lock);
    for (size_t i = 0; i < ctx->containers.n; i++) {
        const struct fog_container *c = ctx->containers.v[i];
        if ((!except || strcmp(c->name, except)) && c->limits.cpu_request_m > 0)
            sum += c->limits.cpu_request_m;
    }
    pthread_mutex_unlock(&ctx->containers.lock);
    return sum;
}

int64_t ops_allocated_mem(struct fog_ctx *ctx)
{
    int64_t sum = 0;
    pthread_mutex_lock(&ctx->containers.lock);
    for (size_t i = 0; i < ctx->containers.n; i++)
        if (ctx->containers.v[i]->limits.mem_limit > 0)
            sum += ctx->containers.v[i]->limits.mem_limit;
    pthread_mutex_unlock(&ctx->containers.lock);
    return sum;
}

/* Applies new limits with the capacity check, holding the container. */
static int op_apply_limits(struct fog_ctx *ctx, const char *name, struct lxcb_limits *want,
                           char *why, size_t whylen)
{
    pthread_mutex_lock(&ctx->alloc_lock);
    int r = 0;
    if (want->cpu_request_m > 0) {
        int64_t others = ops_allocated_cpu(ctx, name);
        if (others + want->cpu_request_m > ctx->cap_cpu_m) {
            snprintf(why, whylen, "request %lldm does not fit: %lldm of %lldm allocated to others",
                     (long long)want->cpu_request_m, (long long)others,
                     (long long)ctx->cap_cpu_m);
            r = -ENOSPC;
        }
    }
    if (!r)
        r = lxcb_set_limits(ctx->lxc, name, want, why, whylen);
    if (!r) {
        pthread_mutex_lock(&ctx->containers.lock);
        struct fog_container *c = fog_ctable_find_locked(&ctx->containers, name);
        if (c)
            c->limits = *want;
        pthread_mutex_unlock(&ctx->containers.lock);
    }
    pthread_mutex_unlock(&ctx->alloc_lock);
    return r;
}

static void op_format_limits(const struct lxcb_limits *l, char *buf, size_t len)
{
    char lim[32], req[32], mem[32];
    units_format_cpu(l->cpu_limit_m, lim, sizeof lim);
    units_format_cpu(l->cpu_request_m, req, sizeof req);
    units_format_mem(l->mem_limit, mem, sizeof mem);
    snprintf(buf, len, "request=%s limit=%s mem=%s", req, lim, mem);
}

/* The request does not fit here: move the container to the node placement
 * picks, then rescale it there (TREE.md: "rescale or migration" in one write). */
static int op_rescale_elsewhere(struct fog_ctx *ctx, const char *name,
                                const struct lxcb_limits *want, const char *action,
                                const char *why_prefix, const char *why_here)
{
    char node[64], val[320];
    if (fog_place(ctx, want->cpu_request_m, node)) {
        char why[WHY_LEN + 64];
        snprintf(why, sizeof why, "%s; no other node has room", why_here);
        return op_fail(ctx, name, -ENOSPC, action, why);
    }
    int r = fog_migrate(ctx, name, node);
    if (r)
        return r;                   /* fog_migrate said why */
    snprintf(val, sizeof val, "%lld %lld %s %s", (long long)want->cpu_request_m,
             (long long)want->cpu_limit_m, action, why_prefix ? why_prefix : "");
    return fog_remote_write(ctx, node, name, "rescale", val, strlen(val));
}

int op_rescale(struct fog_ctx *ctx, const char *name, int64_t request_m, int64_t limit_m,
               const char *action, const char *why_prefix)
{
    if (!action)
        action = "rescale";
    int r = op_begin(ctx, name);
    if (r)
        return op_fail(ctx, name, r, action, NULL);
    struct lxcb_limits old;
    r = lxcb_get_limits(ctx->lxc, name, &old);
    char why[WHY_LEN] = "";
    struct lxcb_limits want = old;
    if (!r) {
        if (request_m >= 0)
            want.cpu_request_m = request_m;
        if (limit_m != -2)
            want.cpu_limit_m = limit_m;
        r = op_apply_limits(ctx, name, &want, why, sizeof why);
    }
    op_end(ctx, name);
    if (r == -ENOSPC && ctx->migrator)
        return op_rescale_elsewhere(ctx, name, &want, action, why_prefix, why);
    if (r)
        return op_fail(ctx, name, r, action, why);
    char from[128], to[128];
    op_format_limits(&old, from, sizeof from);
    op_format_limits(&want, to, sizeof to);
    fog_event(ctx, name, action, "%s%s%s -> %s on %s", why_prefix ? why_prefix : "",
              why_prefix ? " " : "", from, to, ctx->node);
    return 0;
}

int op_set_limit(struct fog_ctx *ctx, const char *name, enum fog_limit which, int64_t value)
{
    const char *what = which == FOG_CPU_LIMIT ? "cpu_limit" :
                       which == FOG_CPU_REQUEST ? "cpu_request" : "mem_limit";
    if (which == FOG_CPU_LIMIT && value == 0)
        return op_fail(ctx, name, -ERANGE, what, "a cpu limit must be above 0");
    if (which == FOG_MEM_LIMIT && value != FOG_UNLIMITED && value < (1 << 20))
        return op_fail(ctx, name, -ERANGE, what, "a memory limit must be at least 1M");
    if (which == FOG_CPU_REQUEST)
        return op_rescale(ctx, name, value, -2, NULL, NULL);
    if (which == FOG_CPU_LIMIT)
        return op_rescale(ctx, name, -1, value, NULL, NULL);
    int r = op_begin(ctx, name);
    if (r)
        return op_fail(ctx, name, r, what, NULL);
    struct lxcb_limits want;
    char why[WHY_LEN] = "";
    r = lxcb_get_limits(ctx->lxc, name, &want);
    int64_t old = want.mem_limit;
    want.mem_limit = value;
    if (!r)
        r = op_apply_limits(ctx, name, &want, why, sizeof why);
    op_end(ctx, name);
    if (r)
        return op_fail(ctx, name, r, what, why);
    char a[32], b[32];
    units_format_mem(old, a, sizeof a);
    units_format_mem(value, b, sizeof b);
    fog_event(ctx, name, "rescale", "mem_limit %s -> %s on %s", a, b, ctx->node);
    return 0;
}

int op_set_autoscale(struct fog_ctx *ctx, const char *name, int on)
{
    int r = op_begin(ctx, name);
    if (r)
        return op_fail(ctx, name, r, "autoscale", NULL);
    struct lxcb_limits want;
    char why[WHY_LEN] = "";
    r = lxcb_get_limits(ctx->lxc, name, &want);
    want.autoscale = on;
    if (!r)
        r = lxcb_set_limits(ctx->lxc, name, &want, why, sizeof why);
    op_end(ctx, name);
    if (r)
        return op_fail(ctx, name, r, "autoscale", why);
    fog_event(ctx, name, "autoscale", "autoscale %s", on ? "on" : "off");
    return 0;
}

int op_rename(struct fog_ctx *ctx, const char *from, const char *to)
{
    if (units_check_name(to, strlen(to)))
        return op_fail(ctx, from, -EINVAL, "rename", "bad new name");
    if (!strcmp(from, to))
        return 0;
    struct fog_ctable *t = &ctx->containers;
    int r = op_begin(ctx, from);
    if (r)
        return op_fail(ctx, from, r, "rename", NULL);
    pthread_mutex_lock(&t->lock);
    struct fog_container *c = fog_ctable_find_locked(t, to);
    if (c)
        r = -EEXIST;
    else if (!(c = fog_ctable_add_locked(t, to)))
        r = -ENOMEM;
    else
        c->busy = 1;
    pthread_mutex_unlock(&t->lock);
    if (r) {
        op_end(ctx, from);
        return op_fail(ctx, from, r, "rename", r == -EEXIST ? "target name exists" : NULL);
    }
    op_set_transition(ctx, from, "STOPPING");
    char why[WHY_LEN] = "";
    r = lxcb_rename(ctx->lxc, from, to, why, sizeof why);
    pthread_mutex_lock(&t->lock);
    fog_ctable_remove_locked(t, r ? to : from);
    pthread_mutex_unlock(&t->lock);
    op_end(ctx, r ? from : to);
    if (r)
        return op_fail(ctx, from, r, "rename", why);
    fog_cluster_tick_statuses(ctx);
    fog_event(ctx, to, "rename", "renamed from %s", from);
    return 0;
}

int op_device(struct fog_ctx *ctx, const char *name, const char *change)
{
    if ((change[0] != '+' && change[0] != '-') || strncmp(change + 1, "/dev/", 5) ||
        strstr(change, "/..") || strlen(change) < 7)
        return op_fail(ctx, name, -EINVAL, "device", "expected +/dev/NAME or -/dev/NAME");
    int r = op_begin(ctx, name);
    if (r)
        return op_fail(ctx, name, r, "device", NULL);
    char why[WHY_LEN] = "";
    r = lxcb_change_device(ctx->lxc, name, change + 1, change[0] == '+', why, sizeof why);
    fog_cluster_lines_changed(ctx, name);
    op_end(ctx, name);
    if (r)
        return op_fail(ctx, name, r, "device", why);
    fog_event(ctx, name, "device", "%s %s", change[0] == '+' ? "added" : "removed", change + 1);
    return 0;
}

int op_migrate(struct fog_ctx *ctx, const char *name, const char *node)
{
    if (units_check_name(node, strlen(node)))
        return op_fail(ctx, name, -EINVAL, "migrate", "bad node name");
    struct fog_container c;
    if (fog_ctable_get(&ctx->containers, name, &c))
        return op_fail(ctx, name, -ENOENT, "migrate", "no such container");
    if (!strcmp(node, ctx->node))
        return 0;                   /* already there */
    return fog_migrate(ctx, name, node);
}
