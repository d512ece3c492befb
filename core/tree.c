/* The root of /fog: README, cluster/ (nodes, events, store), and one
 * directory per node; plus the value helpers every writable file shares. */
#include "core/tree.h"
#include "core/cluster.h"
#include "core/ctx.h"
#include "core/units.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char fog_readme[] =
    "fogfs: this cluster as a filesystem.\n"
    "\n"
    "  cluster/nodes                  every node and its state\n"
    "  cluster/events                 what happened, newest last\n"
    "  <node>/metrics/*               live cpu, mem, net, disk, load, temp\n"
    "  <node>/containers/<name>/      one directory per LXC container\n"
    "\n"
    "  mkdir <node>/containers/web                    create a container\n"
    "  echo start > <node>/containers/web/state       start it\n"
    "  echo 500m > <node>/containers/web/cpu_limit    cap it at half a core\n"
    "  echo 256M > <node>/containers/web/mem_limit    and 256 MiB\n"
    "  mv <node>/containers/web <node>/containers/www rename it\n"
    "  rmdir <node>/containers/www                    destroy it\n"
    "\n"
    "A bad write fails with an errno (EINVAL, ERANGE, ENOSPC, ...) and a line\n"
    "in cluster/events says why. See fogfs(8).\n";

int fog_attr_reject(struct fog_ctx *ctx, const char *container, const char *file, int r,
                    const char *val, size_t len, const char *expected)
{
    char q[64];
    fog_event_quote(val, len, q, sizeof q);
    fog_event(ctx, container, "error", "%s: %s \"%s\"%s%s (%s)", file,
              r == -ERANGE ? "out of range:" : "cannot parse", q, expected ? ", expected " : "",
              expected ? expected : "", strerror(-r));
    return r;
}

int fog_attr_value(struct fog_ctx *ctx, const char *container, const char *file,
                   const char *val, size_t len, char *out, size_t outlen)
{
    const char *s;
    size_t n;
    int r = units_trim(val, len, &s, &n);
    if (!r && n >= outlen)
        r = -EINVAL;
    if (r)
        return fog_attr_reject(ctx, container, file, r, val, len, NULL);
    memcpy(out, s, n);
    out[n] = 0;
    return 0;
}

static int show_readme(void *priv, const struct fs_args *a, struct fs_buf *out)
{
    fs_buf_add(out, fog_readme, sizeof fog_readme - 1);
    return 0;
}

static int root_list(void *priv, const struct fs_args *a, fs_name_fn fn, void *arg)
{
    fog_cluster_list_nodes(priv, fn, arg);
    return 0;
}

static int root_exists(void *priv, const struct fs_args *a, const char *name)
{
    struct fog_ctx *ctx = priv;
    return !strcmp(name, ctx->node) || fog_cluster_node_state(ctx, name) != FOG_NODE_UNKNOWN;
}

static int root_rmdir(void *priv, const struct fs_args *a, const char *name)
{
    return fog_cluster_forget_node(priv, name);
}

static const struct fs_entry root_entries[] = {
    { .name = "README", .show = show_readme },
    { .name = "cluster", .dir = &fog_cluster_dir },
    { 0 },
};

static const struct fs_dir root_dir = {
    .entries = root_entries,
    .child = &fog_node_dir,
    .list = root_list,
    .exists = root_exists,
    .rmdir = root_rmdir,
};

const struct fs_dir *fog_tree_root(void)
{
    return &root_dir;
}
