/* /fog/cluster/: nodes (name and state), events, store, autoscale/. */
#include "core/autoscale.h"
#include "core/cluster.h"
#include "core/ctx.h"
#include "core/tree.h"
#include <string.h>

struct nodes_render {
    struct fog_ctx *ctx;
    struct fs_buf *out;
};

static void nodes_line(void *arg, const char *node)
{
    struct nodes_render *r = arg;
    fs_buf_printf(r->out, "%s %s\n", node,
                  fog_node_state_name(fog_cluster_node_state(r->ctx, node)));
}

static int show_nodes(void *priv, const struct fs_args *a, struct fs_buf *out)
{
    struct nodes_render r = { priv, out };
    fog_cluster_list_nodes(priv, nodes_line, &r);
    return 0;
}

static int show_events(void *priv, const struct fs_args *a, struct fs_buf *out)
{
    struct fog_ctx *ctx = priv;
    fog_events_render(&ctx->events, out);
    return 0;
}

static int show_store(void *priv, const struct fs_args *a, struct fs_buf *out)
{
    struct fog_ctx *ctx = priv;
    fs_buf_printf(out, "%s\n", ctx->store->ops->describe(ctx->store));
    return 0;
}

static const struct fs_entry cluster_entries[] = {
    { .name = "nodes", .show = show_nodes },
    { .name = "events", .show = show_events },
    { .name = "store", .show = show_store },
    { .name = "autoscale", .dir = &fog_autoscale_dir },
    { 0 },
};

const struct fs_dir fog_cluster_dir = { .entries = cluster_entries };
