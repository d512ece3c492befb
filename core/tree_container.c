/* /fog/<node>/containers/ and each container's files: state, limits, node,
 * usage, ip, devices, autoscale, status.json. Writes parse here and act
 * through core/ops.c; mkdir/rmdir/mv map to create/destroy/rename. */
#include "backends/lxc.h"
#include "core/autoscale.h"
#include "core/ctx.h"
#include "core/ops.h"
#include "core/tree.h"
#include "core/units.h"
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define CNAME(a) ((a)->v[1])

/* A copy of the container's entry; -ENOENT when it has gone. */
static int container_get(struct fog_ctx *ctx, const struct fs_args *a, struct fog_container *c)
{
    return fog_ctable_get(&ctx->containers, CNAME(a), c);
}

static const char *container_state_name(const struct fog_container *c)
{
    return c->transition ? c->transition : lxcb_state_name(c->state);
}

static int container_autoscale(struct fog_ctx *ctx, const struct fog_container *c)
{
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
CSHOW(node, fs_buf_printf(out, "%s\n", ctx->node))
CSHOW(cpu_usage, out_cpu(out, c->cpu_usage_m))
CSHOW(mem_usage, fs_buf_printf(out, "%llu\n", (unsigned long long)c->mem_usage))
CSHOW(pids, fs_buf_printf(out, "%llu\n", (unsigned long long)c->pids))
CSHOW(autoscale, fs_buf_printf(out, "%d\n", container_autoscale(ctx, c)))

/* Lines from the backend ("" or "a\nb\n"), as a file's content. */
static int show_lines(struct fog_ctx *ctx, const struct fs_args *a, struct fs_buf *out,
                      int (*get)(struct lxcb *, const char *, char *, size_t))
{
    char buf[2048] = "";
    int r = get(ctx->lxc, CNAME(a), buf, sizeof buf);
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
    return show_lines(priv, a, out, lxcb_get_ips);
}

static int show_devices(void *priv, const struct fs_args *a, struct fs_buf *out)
{
    return show_lines(priv, a, out, lxcb_get_devices);
}

static json_t *json_cpu(int64_t m)
{
    char b[32];
    units_format_cpu(m, b, sizeof b);
    return json_string(b);
}

static json_t *json_lines(struct fog_ctx *ctx, const char *name,
                          int (*get)(struct lxcb *, const char *, char *, size_t))
{
    char buf[2048] = "";
    json_t *arr = json_array();
    if (get(ctx->lxc, name, buf, sizeof buf))
        return arr;
    for (char *save = NULL, *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
        json_array_append_new(arr, json_string(l));
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
        json_object_set_new(o, "name", json_string(c->name));
        json_object_set_new(o, "node", json_string(ctx->node));
        json_object_set_new(o, "state", json_string(container_state_name(c)));
        json_object_set_new(o, "cpu_limit", json_cpu(c->limits.cpu_limit_m));
        json_object_set_new(o, "cpu_request",
                            json_cpu(c->limits.cpu_request_m > 0 ? c->limits.cpu_request_m : 0));
        json_object_set_new(o, "mem_limit", c->limits.mem_limit < 0 ? json_string("max")
                                            : json_integer(c->limits.mem_limit));
        json_object_set_new(o, "cpu_usage", json_cpu(c->cpu_usage_m));
        json_object_set_new(o, "mem_usage", json_integer((json_int_t)c->mem_usage));
        json_object_set_new(o, "pids", json_integer((json_int_t)c->pids));
        json_object_set_new(o, "ip", json_lines(ctx, c->name, lxcb_get_ips));
        json_object_set_new(o, "devices", json_lines(ctx, c->name, lxcb_get_devices));
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

static int store_state(void *priv, const struct fs_args *a, const char *val, size_t len)
{
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
    return store_cpu(priv, a, "cpu_limit", FOG_CPU_LIMIT, val, len);
}

static int store_cpu_request(void *priv, const struct fs_args *a, const char *val, size_t len)
{
    return store_cpu(priv, a, "cpu_request", FOG_CPU_REQUEST, val, len);
}

static int store_mem_limit(void *priv, const struct fs_args *a, const char *val, size_t len)
{
    int64_t bytes;
    int r = units_parse_mem(val, len, 1, &bytes);
    if (r)
        return fog_attr_reject(priv, CNAME(a), "mem_limit", r, val, len, "e.g. 256M, 1Gi or max");
    return op_set_limit(priv, CNAME(a), FOG_MEM_LIMIT, bytes);
}

static int store_node(void *priv, const struct fs_args *a, const char *val, size_t len)
{
    char v[FS_NAME_MAX];
    int r = fog_attr_value(priv, CNAME(a), "node", val, len, v, sizeof v);
    return r ? r : op_migrate(priv, CNAME(a), v);
}

static int store_devices(void *priv, const struct fs_args *a, const char *val, size_t len)
{
    char v[256];
    int r = fog_attr_value(priv, CNAME(a), "devices", val, len, v, sizeof v);
    return r ? r : op_device(priv, CNAME(a), v);
}

static int store_autoscale(void *priv, const struct fs_args *a, const char *val, size_t len)
{
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
    fog_ctable_names(&ctx->containers, fn, arg);
    return 0;
}

static int containers_exists(void *priv, const struct fs_args *a, const char *name)
{
    struct fog_ctx *ctx = priv;
    pthread_mutex_lock(&ctx->containers.lock);
    int there = fog_ctable_find_locked(&ctx->containers, name) != NULL;
    pthread_mutex_unlock(&ctx->containers.lock);
    return there;
}

static int containers_mkdir(void *priv, const struct fs_args *a, const char *name)
{
    return op_create(priv, name);
}

static int containers_rmdir(void *priv, const struct fs_args *a, const char *name)
{
    return op_destroy(priv, name);
}

static int containers_rename(void *priv, const struct fs_args *from, const char *name,
                             const struct fs_args *to, const char *newname)
{
    struct fog_ctx *ctx = priv;
    if (strcmp(from->v[0], to->v[0])) {
        if (strcmp(name, newname)) {
            fog_event(ctx, name, "error", "mv: a migration keeps the name (%s)", strerror(EINVAL));
            return -EINVAL;
        }
        return op_migrate(ctx, name, to->v[0]);
    }
    return op_rename(ctx, name, newname);
}

const struct fs_dir fog_containers_dir = {
    .child = &container_dir,
    .list = containers_list,
    .exists = containers_exists,
    .mkdir = containers_mkdir,
    .rmdir = containers_rmdir,
    .rename = containers_rename,
};
