/* /fog/<node>/: state, arch, cpus, capacity, allocated, metrics/ (rendered
 * from the agent's latest sample) and containers/. */
#include "core/agent.h"
#include "core/cluster.h"
#include "core/ctx.h"
#include "core/metrics_json.h"
#include "core/migrate.h"
#include "core/remote.h"
#include <stdio.h>
#include <stdlib.h>
#include "core/ops.h"
#include "core/tree.h"
#include "core/units.h"
#include <errno.h>
#include <math.h>
#include <string.h>

extern const struct fs_dir fog_containers_dir;

#define NODE(a) ((a)->v[0])

static int is_local(struct fog_ctx *ctx, const struct fs_args *a)
{
    return !strcmp(NODE(a), ctx->node);
}

/* The node's latest sample: this node's from the agent, another's as it
 * published it (zeros if it never did); *age for a remote one. */
static struct fog_node_metrics node_sample_age(struct fog_ctx *ctx, const struct fs_args *a,
                                               double *age)
{
    struct fog_node_metrics m;
    if (age)
        *age = -1;
    if (is_local(ctx, a)) {
        pthread_mutex_lock(&ctx->sample_lock);
        m = ctx->sample;
        pthread_mutex_unlock(&ctx->sample_lock);
    } else if (fog_cluster_node_sample(ctx, NODE(a), &m, age)) {
        memset(&m, 0, sizeof m);
    }
    return m;
}

static struct fog_node_metrics node_sample(struct fog_ctx *ctx, const struct fs_args *a)
{
    return node_sample_age(ctx, a, NULL);
}

/* Another node's registration; zeros when it has none (down). */
static struct fog_node_info node_info(struct fog_ctx *ctx, const struct fs_args *a)
{
    struct fog_node_info i;
    if (fog_cluster_node_info(ctx, NODE(a), &i))
        memset(&i, 0, sizeof i);
    return i;
}

static int show_state(void *priv, const struct fs_args *a, struct fs_buf *out)
{
    struct fog_ctx *ctx = priv;
    fs_buf_printf(out, "%s\n", fog_node_state_name(fog_cluster_node_state(ctx, NODE(a))));
    return 0;
}

struct drain_list {
    char (*v)[64];
    size_t n;
};

static void drain_add(void *arg, const char *name)
{
    struct drain_list *l = arg;
    char (*v)[64] = realloc(l->v, (l->n + 1) * sizeof *v);
    if (!v)
        return;
    l->v = v;
    snprintf(l->v[l->n++], 64, "%s", name);
}

/* Moves every container off this node, each where placement puts it.
 * 0, or the first failure's errno (the rest are still tried). */
static int node_drain(struct fog_ctx *ctx)
{
    struct drain_list l = { 0 };
    fog_ctable_names(&ctx->containers, drain_add, &l);
    int first = 0;
    for (size_t i = 0; i < l.n; i++) {
        struct fog_container c;
        char node[64];
        if (fog_ctable_get(&ctx->containers, l.v[i], &c))
            continue;
        int r = fog_place(ctx, c.limits.cpu_request_m > 0 ? c.limits.cpu_request_m : 0, node);
        if (r)
            fog_event(ctx, l.v[i], "error", "drain: no node has room for it (%s)", strerror(-r));
        else
            r = fog_migrate(ctx, l.v[i], node);
        if (r && !first)
            first = r;
    }
    free(l.v);
    return first;
}

static int store_state(void *priv, const struct fs_args *a, const char *val, size_t len)
{
    struct fog_ctx *ctx = priv;
    if (!is_local(ctx, a))
        return fog_remote_write(ctx, NODE(a), FOG_REMOTE_NODE, "state", val, len);
    char v[16];
    int r = fog_attr_value(ctx, NULL, "state", val, len, v, sizeof v);
    if (r)
        return r;
    if (!strcmp(v, "up")) {
        ctx->draining = 0;
        fog_cluster_register(ctx);
        fog_event(ctx, NULL, "node-up", "%s accepts containers", ctx->node);
        return 0;
    }
    if (strcmp(v, "drain"))
        return fog_attr_reject(ctx, NULL, "state", -EINVAL, val, len, "drain or up");
    ctx->draining = 1;
    fog_cluster_register(ctx);
    fog_event(ctx, NULL, "node-down", "%s draining: moving its containers off", ctx->node);
    r = node_drain(ctx);
    if (!r)
        fog_event(ctx, NULL, "node-down", "%s drained", ctx->node);
    return r;
}

int fog_node_apply(struct fog_ctx *ctx, const char *op, const char *val, size_t len)
{
    struct fs_args a = { .n = 1 };
    snprintf(a.v[0], sizeof a.v[0], "%s", ctx->node);
    if (!strcmp(op, "state"))
        return store_state(ctx, &a, val, len);
    return -EINVAL;
}

static int show_arch(void *priv, const struct fs_args *a, struct fs_buf *out)
{
    struct fog_ctx *ctx = priv;
    fs_buf_printf(out, "%s\n", is_local(ctx, a) ? ctx->arch : node_info(ctx, a).arch);
    return 0;
}

static int show_cpus(void *priv, const struct fs_args *a, struct fs_buf *out)
{
    struct fog_ctx *ctx = priv;
    struct fog_node_metrics m = node_sample(ctx, a);
    int cpus = is_local(ctx, a) ? ctx->cpus : node_info(ctx, a).cpus;
    fs_buf_printf(out, "%d\n", m.cpus_online > 0 ? m.cpus_online : cpus);
    return 0;
}

static int show_capacity(void *priv, const struct fs_args *a, struct fs_buf *out)
{
    struct fog_ctx *ctx = priv;
    struct fog_node_info i = { .cap_cpu_m = ctx->cap_cpu_m, .cap_mem = ctx->cap_mem };
    if (!is_local(ctx, a))
        i = node_info(ctx, a);
    fs_buf_printf(out, "cpu=%lldm mem=%lld\n", (long long)i.cap_cpu_m, (long long)i.cap_mem);
    return 0;
}

static int show_allocated(void *priv, const struct fs_args *a, struct fs_buf *out)
{
    struct fog_ctx *ctx = priv;
    if (!is_local(ctx, a))
        fs_buf_printf(out, "cpu=%lldm mem=%lld\n",
                      (long long)fog_cluster_allocated_cpu(ctx, NODE(a)), 0LL);
    else
        fs_buf_printf(out, "cpu=%lldm mem=%lld\n", (long long)ops_allocated_cpu(ctx, NULL),
                      (long long)ops_allocated_mem(ctx));
    return 0;
}

#define METRIC(fname, fmt, expr)                                                        \
    static int show_##fname(void *priv, const struct fs_args *a, struct fs_buf *out)    \
    {                                                                                   \
        struct fog_node_metrics m = node_sample(priv, a);                               \
        fs_buf_printf(out, fmt "\n", expr);                                             \
        return 0;                                                                       \
    }
METRIC(cpu, "%.1f", m.cpu_percent)
METRIC(mem, "%.1f", m.mem_percent)
METRIC(net_rx, "%lld", llround(m.net_rx_bps))
METRIC(net_tx, "%lld", llround(m.net_tx_bps))
METRIC(iops_read, "%.1f", m.iops_read)
METRIC(iops_write, "%.1f", m.iops_write)
METRIC(uptime, "%lld", llround(m.uptime_s))
METRIC(containers, "%d", m.containers_running)
METRIC(temp, "%.1f", m.temp_c)

static int show_load(void *priv, const struct fs_args *a, struct fs_buf *out)
{
    struct fog_node_metrics m = node_sample(priv, a);
    fs_buf_printf(out, "%.2f %.2f %.2f\n", m.load[0], m.load[1], m.load[2]);
    return 0;
}

static int has_temp(void *priv, const struct fs_args *a)
{
    return node_sample(priv, a).has_temp;
}

static int show_all_json(void *priv, const struct fs_args *a, struct fs_buf *out)
{
    struct fog_ctx *ctx = priv;
    if (is_local(ctx, a)) {
        fog_agent_render_json(ctx, out);
        return 0;
    }
    double age;
    struct fog_node_metrics m = node_sample_age(ctx, a, &age);
    /* A node that is not up shows how old its last sample is. */
    fog_metrics_render_json(&m, fog_cluster_node_state(ctx, NODE(a)) == FOG_NODE_DOWN ? age : -1,
                            out);
    return 0;
}

static const struct fs_entry metrics_entries[] = {
    { .name = "cpu", .show = show_cpu },
    { .name = "mem", .show = show_mem },
    { .name = "net_rx", .show = show_net_rx },
    { .name = "net_tx", .show = show_net_tx },
    { .name = "iops_read", .show = show_iops_read },
    { .name = "iops_write", .show = show_iops_write },
    { .name = "load", .show = show_load },
    { .name = "temp", .show = show_temp, .exists = has_temp },
    { .name = "uptime", .show = show_uptime },
    { .name = "containers", .show = show_containers },
    { .name = "all.json", .show = show_all_json },
    { 0 },
};

static const struct fs_dir metrics_dir = { .entries = metrics_entries };

static const struct fs_entry node_entries[] = {
    { .name = "state", .show = show_state, .store = store_state },
    { .name = "arch", .show = show_arch },
    { .name = "cpus", .show = show_cpus },
    { .name = "capacity", .show = show_capacity },
    { .name = "allocated", .show = show_allocated },
    { .name = "metrics", .dir = &metrics_dir },
    { .name = "led", .dir = &fog_led_dir },
    { .name = "containers", .dir = &fog_containers_dir },
    { 0 },
};

const struct fs_dir fog_node_dir = { .entries = node_entries };
