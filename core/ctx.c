/* Daemon context set-up: defaults, the node's identity (name, arch, CPUs)
 * and capacity, the store and the LXC backend. */
#include "core/ctx.h"
#include "backends/lxc.h"
#include "core/tree.h"
#include "core/units.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

static void ctx_note(void *arg, const char *container, const char *action, const char *text)
{
    fog_event(arg, container, action, "%s", text);
}

/* The store's notes (a state file it cannot read or write): an event line,
 * and a line on stderr, which is still the terminal while fogfs starts. */
static void ctx_store_note(void *arg, const char *text)
{
    struct fog_ctx *ctx = arg;
    if (!ctx->o.foreground)
        fprintf(stderr, "fogfs: %s\n", text);    /* -f: fog_event prints it */
    fog_event(ctx, NULL, "error", "store: %s", text);
}

static int ctx_count_cpus(const char *sysfs)
{
    char path[512], buf[256];
    snprintf(path, sizeof path, "%s/devices/system/cpu/online", sysfs);
    int n = 0;
    if (procfs_read_file(path, buf, sizeof buf) == 0 && procfs_parse_cpu_list(buf, &n) == 0 && n > 0)
        return n;
    long c = sysconf(_SC_NPROCESSORS_ONLN);
    return c > 0 ? (int)c : 1;
}

/* Creates dir and its parents (mode 0755) when missing. */
static int ctx_mkdir_p(const char *dir)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
        return -ENAMETOOLONG;
    for (char *p = path + 1; ; p++) {
        if (*p != '/' && *p)
            continue;
        char c = *p;
        *p = 0;
        if (mkdir(path, 0755) && errno != EEXIST)
            return -errno;
        if (!c)
            return 0;
        *p = c;
    }
}

/* Creates the directory holding file (and its parents) when missing. */
static int ctx_mkdir_parent(const char *file)
{
    char dir[4096];
    const char *slash = strrchr(file, '/');
    if (!slash || slash == file)
        return 0;
    if (snprintf(dir, sizeof dir, "%.*s", (int)(slash - file), file) >= (int)sizeof dir)
        return -ENAMETOOLONG;
    return ctx_mkdir_p(dir);
}

int fog_ctx_init(struct fog_ctx *ctx)
{
    struct fog_opts *o = &ctx->o;
    if (!o->procfs)
        o->procfs = "/proc";
    if (!o->sysfs)
        o->sysfs = "/sys";
    if (!o->template_name)
        o->template_name = "busybox";
    if (o->interval <= 0)
        o->interval = 1;
    if (o->stop_timeout <= 0)
        o->stop_timeout = 10;
    if (o->lease_ttl <= 0)
        o->lease_ttl = 5;
    if (o->write_timeout <= 0)
        o->write_timeout = 5;
    if (o->node) {
        snprintf(ctx->node, sizeof ctx->node, "%s", o->node);
    } else if (gethostname(ctx->node, sizeof ctx->node - 1) != 0) {
        snprintf(ctx->node, sizeof ctx->node, "localhost");
    }
    if (units_check_name(ctx->node, strlen(ctx->node))) {
        fprintf(stderr, "fogfs: node name \"%s\" is not valid ([A-Za-z0-9][A-Za-z0-9_.-]{0,62})\n",
                ctx->node);
        return -EINVAL;
    }
    struct utsname u;
    snprintf(ctx->arch, sizeof ctx->arch, "%s", uname(&u) == 0 ? u.machine : "unknown");
    ctx->cpus = ctx_count_cpus(o->sysfs);
    ctx->cap_cpu_m = (int64_t)(o->cpus > 0 ? o->cpus : ctx->cpus) * 1000;
    ctx->cap_mem = o->mem;
    if (!ctx->cap_mem) {
        char path[512], buf[8192];
        uint64_t total = 0, avail = 0;
        snprintf(path, sizeof path, "%s/meminfo", o->procfs);
        if (procfs_read_file(path, buf, sizeof buf) == 0 &&
            procfs_parse_meminfo(buf, &total, &avail) == 0)
            ctx->cap_mem = (int64_t)total;
    }
    fog_led_map_default(&ctx->led_map);
    ctx->led_brightness = FOG_LED_BRIGHTNESS_DEFAULT;
    fog_events_init(&ctx->events);
    fog_ctable_init(&ctx->containers);
    pthread_mutex_init(&ctx->alloc_lock, NULL);
    pthread_mutex_init(&ctx->sample_lock, NULL);
    pthread_mutex_init(&ctx->agent_lock, NULL);
    int r;
    if (fog_store_url_is_local(o->store_url)) {
        struct store_local_opts lo = { .note = ctx_store_note, .note_arg = ctx };
        if (!o->state_file && geteuid() == 0)
            o->state_file = FOG_STATE_FILE_DEFAULT;
        if (o->state_file && strcmp(o->state_file, "none"))
            lo.state_file = o->state_file;
        r = lo.state_file ? ctx_mkdir_parent(lo.state_file) : 0;
        if (r)      /* not fatal: the first save says so again */
            fprintf(stderr, "fogfs: cannot create the directory of %s: %s\n", lo.state_file,
                    strerror(-r));
        r = store_local_open(&lo, &ctx->store);
    } else {
        r = fog_store_open(o->store_url, &ctx->store);
    }
    if (r) {
        fprintf(stderr, "fogfs: cannot open store %s: %s\n", o->store_url ? o->store_url : "local",
                strerror(-r));
        return r;
    }
    fog_led_load_settings(ctx);
    if (o->shared_dir && (r = ctx_mkdir_p(o->shared_dir))) {
        fprintf(stderr, "fogfs: cannot create shared dir %s: %s\n", o->shared_dir, strerror(-r));
        return r;
    }
    if (o->lxcpath && (r = ctx_mkdir_p(o->lxcpath))) {
        fprintf(stderr, "fogfs: cannot create lxcpath %s: %s\n", o->lxcpath, strerror(-r));
        return r;
    }
    /* A remote write must fail within its timeout even when the store is
     * away: one store call may take half of it (1 to 6 s). */
    if (ctx->store->ops->set_call_timeout) {
        double t = o->write_timeout / 2;
        ctx->store->ops->set_call_timeout(ctx->store, t < 1 ? 1 : t > 6 ? 6 : t);
    }
    struct lxcb_opts lo = {
        .lxcpath = o->lxcpath,
        .template_name = o->template_name,
        .template_args = (const char *const *)o->template_args,
        .config_file = o->lxc_config,
        .stop_timeout = o->stop_timeout,
        .shared_dir = o->shared_dir,
    };
    r = lxcb_open(&lo, ctx_note, ctx, &ctx->lxc);
    if (r) {
        fprintf(stderr, "fogfs: cannot use LXC at %s: %s\n", o->lxcpath ? o->lxcpath : "(default)",
                strerror(-r));
        return r;
    }
    return 0;
}

void fog_ctx_destroy(struct fog_ctx *ctx)
{
    if (ctx->lxc)
        lxcb_close(ctx->lxc);
    if (ctx->store)
        ctx->store->ops->close(ctx->store);
    fog_ctable_destroy(&ctx->containers);
    fog_events_destroy(&ctx->events);
}
