/* /fog/cluster/autoscale/: the autoscaler's policy, one read-write file per
 * setting. Values parse and print in core/autoscale.c; a bad write fails
 * with EINVAL or ERANGE, changes nothing and leaves one line in events. */
#include "core/autoscale.h"
#include "core/ctx.h"
#include "core/tree.h"

static int as_show(struct fog_ctx *ctx, const char *name, struct fs_buf *out)
{
    struct fog_autoscale_policy p;
    char buf[32];
    fog_autoscale_get(ctx, &p);
    int r = fog_autoscale_format(&p, name, buf, sizeof buf);
    if (!r)
        fs_buf_printf(out, "%s\n", buf);
    return r;
}

#define AS_FILE(fname)                                                                   \
    static int show_##fname(void *priv, const struct fs_args *a, struct fs_buf *out)     \
    {                                                                                    \
        return as_show(priv, #fname, out);                                               \
    }                                                                                    \
    static int store_##fname(void *priv, const struct fs_args *a, const char *val,       \
                             size_t len)                                                 \
    {                                                                                    \
        return fog_autoscale_set(priv, #fname, val, len);                                \
    }

AS_FILE(enabled)
AS_FILE(threshold)
AS_FILE(factor)
AS_FILE(window)
AS_FILE(warmup)
AS_FILE(cooldown)
AS_FILE(max_cpu_limit)
AS_FILE(down_threshold)

#define AS_ENTRY(fname) { .name = #fname, .show = show_##fname, .store = store_##fname }

static const struct fs_entry autoscale_entries[] = {
    AS_ENTRY(enabled),
    AS_ENTRY(threshold),
    AS_ENTRY(factor),
    AS_ENTRY(window),
    AS_ENTRY(warmup),
    AS_ENTRY(cooldown),
    AS_ENTRY(max_cpu_limit),
    AS_ENTRY(down_threshold),
    { 0 },
};

const struct fs_dir fog_autoscale_dir = { .entries = autoscale_entries };
