/* /fog/<node>/containers/ and each container's files: state, limits, node,
 * usage, ip, devices, autoscale, status.json. Writes parse here and act
 * through core/ops.c; mkdir/rmdir/mv map to create/destroy/rename. */
#include "backends/lxc.h"
#include "core/autoscale.h"
#include "core/cluster.h"
#include "core/ctx.h"
#include "core/remote.h"
#include "core/ops.h"
#include "core/tree.h"
#include "core/units.h"
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define NODE(a) ((a)->v[0])
#define CNAME(a) ((a)->v[1])

static int is_local(struct fog_ctx *ctx, const struct fs_args *a)
{
    return !strcmp(NODE(a), ctx->node);
}

/* A copy of the container's entry (this node's table, or another node's
 * published status); -ENOENT when it has gone. */
static int container_get(struct fog_ctx *ctx, const struct fs_args *a, struct fog_container *c)
{
    if (is_local(ctx, a))
        return fog_ctable_get(&ctx->containers, CNAME(a), c);
    return fog_cluster_container(ctx, NODE(a), CNAME(a), c);
}

static const char *container_state_name(const struct fog_container *c)
{
    return c->transition ? c->transition : lxcb_state_name(c->state);
}

static int container_autoscale(struct fog_ctx *ctx, const struct fog_container *c)
{
    /* A remote status carries the value its node resolved. */
    return c->limits.autoscale >= 0 ? c->limits.autoscale : fog_autoscale_enabled(ctx);
}

/* Each file's show(): the container copied once, then one line. */
#define CSHOW(fname, body)                                                              \
    static int show_##fname(void *priv, const struct fs_args *a, struct fs_buf *out)    \
    {                                                                                   \
        struct fog_ctx *ctx = priv;                                                     \
        struct fog_container *c = malloc(sizeof *c);                                    \
        if (!c)                                                                         \
            return -ENOMEM;                                                             \
        int r = container_get(ctx, a, c);                                               \
        if (!r) {                                                                       \
            body;                                                                       \
        }                                                                               \
        free(c);                                                                        \
        (void)ctx;                                                                      \
        return r;                                                                       \
    }

static void out_cpu(struct fs_buf *out, int64_t m)
{
    char b[32];
    units_format_cpu(m, b, sizeof b);
    fs_buf_printf(out, "%s\n", b);
}

static void out_mem(struct fs_buf *out, int64_t bytes)
{
    char b[32];
    units_format_mem(bytes, b, sizeof b);
    fs_buf_printf(out, "%s\n", b);
}

CSHOW(state, fs_buf_printf(out, "%s\n", container_state_name(c)))
CSHOW(cpu_limit, out_cpu(out, c->limits.cpu_limit_m))
CSHOW(cpu_request, out_cpu(out, c->limits.cpu_request_m > 0 ? c->limits.cpu_request_m : 0))
CSHOW(mem_limit, out_mem(out, c->limits.mem_limit))
CSHOW(node, fs_buf_printf(out, "%s\n", NODE(a)))
CSHOW(cpu_usage, out_cpu(out, c->cpu_usage_m))
CSHOW(mem_usage, fs_buf_printf(out, "%llu\n", (unsigned long long)c->mem_usage))
CSHOW(pids, fs_buf_printf(out, "%llu\n", (unsigned long long)c->pids))
CSHOW(autoscale, fs_buf_printf(out, "%d\n", container_autoscale(ctx, c)))

/* A list field ("ip", "devices") as lines: this node's from the backend,
 * another's from its published status. */
static int container_lines(struct fog_ctx *ctx, const struct fs_args *a, const char *field,
                           struct fs_buf *out)
{
    if (!is_local(ctx, a))
        return fog_cluster_container_lines(ctx, NODE(a), CNAME(a), field, out);
    char buf[2048] = "";
    int r = (!strcmp(field, "ip") ? lxcb_get_ips : lxcb_get_devices)(ctx->lxc, CNAME(a), buf,
                                                                       sizeof buf);
    if (r == -ESRCH)
        r = 0, buf[0] = 0;
    if (r)
        return r;
    size_t n = strlen(buf);
    fs_buf_add(out, buf, n);
    if (n && buf[n - 1] != '\n')
        fs_buf_add(out, "\n", 1);
    return 0;
}

static int show_ip(void *priv, const struct fs_args *a, struct fs_buf *out)
{
    return container_lines(priv, a, "ip", out);
}

static int show_devices(void *priv, const struct fs_args *a, struct fs_buf *out)
{
    return container_lines(priv, a, "devices", out);
}

static json_t *json_cpu(int64_t m)
{
    char b[32];
    units_format_cpu(m, b, sizeof b);
    return json_string(b);
}

static json_t *json_lines(struct fog_ctx *ctx, const struct fs_args *a, const char *field)
{
    struct fs_buf b;
    fs_buf_init(&b);
    json_t *arr = json_array();
    if (container_lines(ctx, a, field, &b) == 0 && b.data)
        for (char *save = NULL, *l = strtok_r(b.data, "\n", &save); l;
             l = strtok_r(NULL, "\n", &save))
            json_array_append_new(arr, json_string(l));
    fs_buf_free(&b);
    return arr;
}

static int show_status_json(void *priv, const struct fs_args *a, struct fs_buf *out)
{
    struct fog_ctx *ctx = priv;
    struct fog_container *c = malloc(sizeof *c);
    if (!c)
        return -ENOMEM;
    int r = container_get(ctx, a, c);
    json_t *o = r ? NULL : json_object();
    if (o) {
        json_object_set_new(o, "name", json_string(CNAME(a)));
        json_object_set_new(o, "node", json_string(NODE(a)));
        json_object_set_new(o, "state", json_string(container_state_name(c)));
        json_object_set_new(o, "cpu_limit", json_cpu(c->limits.cpu_limit_m));
        json_object_set_new(o, "cpu_request",
                            json_cpu(c->limits.cpu_request_m > 0 ? c->limits.cpu_request_m : 0));
        json_object_set_new(o, "mem_limit", c->limits.mem_limit < 0 ? json_string("max")
                                            : json_integer(c->limits.mem_limit));
        json_object_set_new(o, "cpu_usage", json_cpu(c->cpu_usage_m));
        json_object_set_new(o, "mem_usage", json_integer((json_int_t)c->mem_usage));
        json_object_set_new(o, "pids", json_integer((json_int_t)c->pids));
        json_object_set_new(o, "ip", json_lines(ctx, a, "ip"));
        json_object_set_new(o, "devices", json_lines(ctx, a, "devices"));
        json_object_set_new(o, "autoscale", json_integer(container_autoscale(ctx, c)));
        char *s = json_dumps(o, JSON_COMPACT);
        if (s) {
            fs_buf_add(out, s, strlen(s));
            fs_buf_add(out, "\n", 1);
            free(s);
        } else {
            r = -ENOMEM;
        }
        json_decref(o);
    } else if (!r) {
        r = -ENOMEM;
    }
    free(c);
    return r;
}

/* A write to a container on another node goes to its owner, which applies
 * it through the very function below (core/remote.c). */
#define ROUTE(ctx, a, file, val, len)                                                \
    do {                                                                             \
        if (!is_local((ctx), (a)))                                                   \
            return fog_remote_write((ctx), NODE(a), CNAME(a), (file), (val), (len)); \
    } while (0)

static int store_state(void *priv, const struct fs_args *a, const char *val, size_t len)
{
    ROUTE(priv, a, "state", val, len);
    char v[32];
    int r = fog_attr_value(priv, CNAME(a), "state", val, len, v, sizeof v);
    return r ? r : op_state(priv, CNAME(a), v);
}

static int store_cpu(struct fog_ctx *ctx, const struct fs_args *a, const char *file,
                     enum fog_limit which, const char *val, size_t len)
{
    int64_t m;
    int r = units_parse_cpu(val, len, which == FOG_CPU_LIMIT, &m);
    if (r)
        return fog_attr_reject(ctx, CNAME(a), file, r, val, len,
                               which == FOG_CPU_LIMIT ? "e.g. 250m, 1.5 or max" : "e.g. 250m or 1.5");
    return op_set_limit(ctx, CNAME(a), which, m);
}

static int store_cpu_limit(void *priv, const struct fs_args *a, const char *val, size_t len)
{
    ROUTE(priv, a, "cpu_limit", val, len);
    return store_cpu(priv, a, "cpu_limit", FOG_CPU_LIMIT, val, len);
}

static int store_cpu_request(void *priv, const struct fs_args *a, const char *val, size_t len)
{
    ROUTE(priv, a, "cpu_request", val, len);
    return store_cpu(priv, a, "cpu_request", FOG_CPU_REQUEST, val, len);
}

static int store_mem_limit(void *priv, const struct fs_args *a, const char *val, size_t len)
{
    ROUTE(priv, a, "mem_limit", val, len);
    int64_t bytes;
    int r = units_parse_mem(val, len, 1, &bytes);
    if (r)
        return fog_attr_reject(priv, CNAME(a), "mem_limit", r, val, len, "e.g. 256M, 1Gi or max");
    return op_set_limit(priv, CNAME(a), FOG_MEM_LIMIT, bytes);
}

static int store_node(void *priv, const struct fs_args *a, const char *val, size_t len)
{
    ROUTE(priv, a, "node", val, len);
    char v[FS_NAME_MAX];
    int r = fog_attr_value(priv, CNAME(a), "node", val, len, v, sizeof v);
    return r ? r : op_migrate(priv, CNAME(a), v);
}

static int store_devices(void *priv, const struct fs_args *a, const char *val, size_t len)
{
    ROUTE(priv, a, "devices", val, len);
    char v[256];
    int r = fog_attr_value(priv, CNAME(a), "devices", val, len, v, sizeof v);
    return r ? r : op_device(priv, CNAME(a), v);
}

static int store_autoscale(void *priv, const struct fs_args *a, const char *val, size_t len)
{
    ROUTE(priv, a, "autoscale", val, len);
    int64_t on;
    int r = units_parse_int(val, len, 0, 1, &on);
    if (r)
        return fog_attr_reject(priv, CNAME(a), "autoscale", r, val, len, "0 or 1");
    return op_set_autoscale(priv, CNAME(a), (int)on);
}

static const struct fs_entry container_entries[] = {
    { .name = "state", .show = show_state, .store = store_state },
    { .name = "cpu_limit", .show = show_cpu_limit, .store = store_cpu_limit },
    { .name = "cpu_request", .show = show_cpu_request, .store = store_cpu_request },
    { .name = "mem_limit", .show = show_mem_limit, .store = store_mem_limit },
    { .name = "node", .show = show_node, .store = store_node },
    { .name = "cpu_usage", .show = show_cpu_usage },
    { .name = "mem_usage", .show = show_mem_usage },
    { .name = "pids", .show = show_pids },
    { .name = "ip", .show = show_ip },
    { .name = "devices", .show = show_devices, .store = store_devices },
    { .name = "autoscale", .show = show_autoscale, .store = store_autoscale },
    { .name = "status.json", .show = show_status_json },
    { 0 },
};

static const struct fs_dir container_dir = { .entries = container_entries };

static int containers_list(void *priv, const struct fs_args *a, fs_name_fn fn, void *arg)
{
    struct fog_ctx *ctx = priv;
    if (is_local(ctx, a))
        fog_ctable_names(&ctx->containers, fn, arg);
    else
        fog_cluster_list_containers(ctx, NODE(a), fn, arg);
    return 0;
}

static int containers_exists(void *priv, const struct fs_args *a, const char *name)
{
    struct fog_ctx *ctx = priv;
    if (!is_local(ctx, a))
        return fog_cluster_container_exists(ctx, NODE(a), name);
    pthread_mutex_lock(&ctx->containers.lock);
    int there = fog_ctable_find_locked(&ctx->containers, name) != NULL;
    pthread_mutex_unlock(&ctx->containers.lock);
    return there;
}

static int containers_mkdir(void *priv, const struct fs_args *a, const char *name)
{
    struct fog_ctx *ctx = priv;
    if (!is_local(ctx, a))
        return fog_remote_write(ctx, NODE(a), name, "create", "", 0);
    return op_create(ctx, name);
}

static int containers_rmdir(void *priv, const struct fs_args *a, const char *name)
{
    struct fog_ctx *ctx = priv;
    if (!is_local(ctx, a))
        return fog_remote_write(ctx, NODE(a), name, "destroy", "", 0);
    return op_destroy(ctx, name);
}

static int containers_rename(void *priv, const struct fs_args *from, const char *name,
                             const struct fs_args *to, const char *newname)
{
    struct fog_ctx *ctx = priv;
    const char *op = "rename", *arg = newname;
    if (strcmp(from->v[0], to->v[0])) {
        if (strcmp(name, newname)) {
            fog_event(ctx, name, "error", "mv: a migration keeps the name (%s)", strerror(EINVAL));
            return -EINVAL;
        }
        op = "node";
        arg = to->v[0];
    }
    if (strcmp(from->v[0], ctx->node))
        return fog_remote_write(ctx, from->v[0], name, op, arg, strlen(arg));
    return !strcmp(op, "node") ? op_migrate(ctx, name, arg) : op_rename(ctx, name, arg);
}

int fog_container_apply(struct fog_ctx *ctx, const char *name, const char *op, const char *val,
                        size_t len)
{
    if (!strcmp(op, "create"))
        return op_create(ctx, name);
    if (!strcmp(op, "destroy"))
        return op_destroy(ctx, name);
    char arg[FS_NAME_MAX];
    if (!strcmp(op, "rescale")) {
        /* "<request_m> <limit_m> <action> [why]": a rescale another node
         * placed here, with the reason its event line gives */
        long long req, lim;
        char action[16], line[320];
        int used = 0;
        snprintf(line, sizeof line, "%.*s", (int)(len < sizeof line ? len : sizeof line - 1), val);
        if (sscanf(line, "%lld %lld %15s %n", &req, &lim, action, &used) != 3)
            return -EINVAL;
        const char *why = line[used] ? line + used : NULL;
        return op_rescale(ctx, name, req, lim,
                          !strcmp(action, "autoscale") ? "autoscale" : "rescale", why);
    }
    if (!strcmp(op, "rename")) {
        snprintf(arg, sizeof arg, "%.*s", (int)(len < sizeof arg ? len : sizeof arg - 1), val);
        return op_rename(ctx, name, arg);
    }
    struct fs_args a = { .n = 2 };
    snprintf(a.v[0], sizeof a.v[0], "%s", ctx->node);
    snprintf(a.v[1], sizeof a.v[1], "%s", name);
    for (const struct fs_entry *e = container_entries; e->name; e++)
        if (!strcmp(e->name, op) && e->store)
            return e->store(ctx, &a, val, len);
    fog_event(ctx, name, "error", "no writable file %s (%s)", op, strerror(EINVAL));
    return -EINVAL;
}

const struct fs_dir fog_containers_dir = {
    .child = &container_dir,
    .list = containers_list,
    .exists = containers_exists,
    .mkdir = containers_mkdir,
    .rmdir = containers_rmdir,
    .rename = containers_rename,
};
