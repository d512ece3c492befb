/* A container's limits: the sidecar with the exact values, the cgroup keys
 * of its LXC config, the live cgroup writes, and the flusher that saves the
 * config of a running container off the write path. */
#include "backends/lxc_internal.h"
#include "core/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FLUSH_DELAY_MS 300

/* ---------- limits: sidecar ---------- */

static void limits_default(struct lxcb_limits *l)
{
    l->cpu_limit_m = -1;
    l->cpu_request_m = 0;
    l->mem_limit = -1;
    l->autoscale = -1;
}

int sidecar_path(struct lxcb *b, const char *name, const char *suffix, char *out)
{
    int w = snprintf(out, PATH_MAX, "%s/%s/" SIDECAR "%s", b->lxcpath, name, suffix);
    return (w < 0 || w >= PATH_MAX) ? -ENAMETOOLONG : 0;
}

/* Parses "key=value" lines; unknown keys are ignored. */
static int sidecar_read(struct lxcb *b, const char *name, struct lxcb_limits *l)
{
    char path[PATH_MAX];
    int rc = sidecar_path(b, name, "", path);
    if (rc)
        return rc;
    FILE *f = fopen(path, "re");
    if (!f)
        return -errno;
    limits_default(l);
    char line[128];
    while (fgets(line, sizeof line, f)) {
        char key[32];
        long long v;
        if (sscanf(line, "%31[a-z_]=%lld", key, &v) != 2)
            continue;
        if (!strcmp(key, "cpu_limit_m"))
            l->cpu_limit_m = v;
        else if (!strcmp(key, "cpu_request_m"))
            l->cpu_request_m = v;
        else if (!strcmp(key, "mem_limit"))
            l->mem_limit = v;
        else if (!strcmp(key, "autoscale"))
            l->autoscale = (int)v;
    }
    fclose(f);
    return 0;
}

/* Every value is padded to a fixed width, so the file never changes size:
 * an update is one pwrite() of one sector in place (about 5 us here), where
 * truncating or renaming over it frees blocks (250-400 us on ext4 with
 * discard). A new sidecar is made under a temporary name and renamed in. */
int sidecar_write(struct lxcb *b, const char *name, const struct lxcb_limits *l)
{
    char path[PATH_MAX], tmp[PATH_MAX];
    int rc = sidecar_path(b, name, "", path);
    if (!rc)
        rc = sidecar_path(b, name, ".tmp", tmp);
    if (rc)
        return rc;
    char text[256];
    int n = snprintf(text, sizeof text,
                     "# fogfs: the exact limits set for this container\n"
                     "cpu_limit_m=%-20" PRId64 "\ncpu_request_m=%-20" PRId64 "\n"
                     "mem_limit=%-20" PRId64 "\nautoscale=%-2d\n",
                     l->cpu_limit_m, l->cpu_request_m, l->mem_limit, l->autoscale);
    struct stat st;
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size == n) {
        ssize_t w = pwrite(fd, text, (size_t)n, 0);
        int e = w < 0 ? -errno : (w != n ? -EIO : 0);
        if (close(fd) && !e)
            e = -errno;
        return e;
    }
    if (fd >= 0)
        close(fd);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -errno;
    ssize_t w = write(fd, text, (size_t)n);
    int e = w < 0 ? -errno : (w != n ? -EIO : 0);
    if (close(fd) && !e)
        e = -errno;
    if (!e && rename(tmp, path))
        e = -errno;
    if (e)
        unlink(tmp);
    return e;
}

/* ---------- limits: config keys and live cgroup files ---------- */

/* Limits of a container without a sidecar, read back from its config. */
static void limits_from_config(struct lxcb *b, struct lxc_container *c, struct lxcb_limits *l)
{
    char v[128];
    limits_default(l);
    if (b->mounts.version == CG_V2) {
        if (c->get_config_item(c, "lxc.cgroup2.cpu.max", v, sizeof v) > 0) {
            int64_t m;
            if (!cg_parse_cpu_max(v, &m))
                l->cpu_limit_m = m;
        }
        if (c->get_config_item(c, "lxc.cgroup2.cpu.weight", v, sizeof v) > 0)
            l->cpu_request_m = (int64_t)cg_weight_to_shares(strtoull(v, NULL, 10)) * 1000 / 1024;
        if (c->get_config_item(c, "lxc.cgroup2.memory.max", v, sizeof v) > 0)
            cg_parse_mem(v, &l->mem_limit);
    } else {
        long long quota = -1, period = CG_CFS_PERIOD_US;
        if (c->get_config_item(c, "lxc.cgroup.cpu.cfs_quota_us", v, sizeof v) > 0)
            quota = strtoll(v, NULL, 10);
        if (c->get_config_item(c, "lxc.cgroup.cpu.cfs_period_us", v, sizeof v) > 0)
            period = strtoll(v, NULL, 10);
        l->cpu_limit_m = cg_cfs_to_millicores(quota, period);
        if (c->get_config_item(c, "lxc.cgroup.cpu.shares", v, sizeof v) > 0)
            l->cpu_request_m = strtoll(v, NULL, 10) * 1000 / 1024;
        if (c->get_config_item(c, "lxc.cgroup.memory.limit_in_bytes", v, sizeof v) > 0)
            cg_parse_mem(v, &l->mem_limit);
    }
}

/* Loads the cached limits once per entry (sidecar, else the config). */
void limits_load(struct lxcb *b, struct ct_entry *e, struct lxcb_limits *out)
{
    pthread_mutex_lock(&e->data);
    if (!e->limits_loaded) {
        if (sidecar_read(b, e->name, &e->limits))
            limits_from_config(b, e->c, &e->limits);
        e->limits_loaded = 1;
    }
    *out = e->limits;
    pthread_mutex_unlock(&e->data);
}

int lxcb_get_limits(struct lxcb *b, const char *name, struct lxcb_limits *l)
{
    struct ct_entry *e;
    int rc = entry_ref_defined(b, name, &e);
    if (rc)
        return rc;
    limits_load(b, e, l);
    entry_put(b, e);
    return 0;
}

/* The cgroup items one limit maps to (backends/cgroup does the mapping). */
static int items_for(enum cg_version v, const struct lxcb_limits *l, int which,
                     struct cg_item *it)
{
    if (which == 0)
        return cg_items_cpu_limit(v, l->cpu_limit_m, it);
    if (which == 1)
        return cg_items_cpu_request(v, l->cpu_request_m, it);
    return cg_items_mem_limit(v, l->mem_limit, it);
}

/* Writes one value live; falls back to liblxc when the dir is unknown. */
static int apply_live(struct lxcb *b, struct ct_entry *e, const struct cg_item *it)
{
    pthread_mutex_lock(&e->data);
    int rc = cgroup_dirs_locked(b, e);
    char dir[CG_PATH_MAX];
    if (!rc)
        snprintf(dir, sizeof dir, "%s", e->dirs.dir[it->ctrl]);
    pthread_mutex_unlock(&e->data);
    if (rc == -ESRCH)
        return rc;
    if (!rc)
        return cg_write_file(dir, it->file, it->value);
    return e->c->set_cgroup_item(e->c, it->file, it->value) ? 0 : -EIO;
}

/* Puts one item in the in-memory config unless it is there already.
 * Returns 1 when it changed something, 0 when not, or -errno. */
static int persist_item(struct lxc_container *c, const struct cg_item *it)
{
    char cur[128] = "";
    int n = c->get_config_item(c, it->key, cur, sizeof cur);
    if (n < 0 || (size_t)n >= sizeof cur)
        cur[0] = 0;
    cur[strcspn(cur, "\n")] = 0;
    if (it->clear ? !cur[0] : !strcmp(cur, it->value))
        return 0;
    /* clear first: set_config_item appends to a cgroup list */
    if (!c->clear_config_item(c, it->key))
        return -EIO;
    if (!it->clear && !c->set_config_item(c, it->key, it->value))
        return -EINVAL;
    return 1;
}

/* Under e->op. Makes the container's saved config carry its limits (the
 * sidecar's values): before every start, and from the flusher. */
int config_sync_locked(struct lxcb *b, struct ct_entry *e, char *why, size_t whylen)
{
    pthread_mutex_lock(&b->mu);
    e->config_dirty = 0;
    pthread_mutex_unlock(&b->mu);
    if (b->cg_rc)
        return 0;
    struct lxcb_limits l;
    limits_load(b, e, &l);
    int changed = 0;
    for (int w = 0; w < 3; w++) {
        struct cg_item items[CG_MAX_ITEMS];
        int n = items_for(b->mounts.version, &l, w, items);
        for (int i = 0; i < n; i++) {
            int rc = persist_item(e->c, &items[i]);
            if (rc < 0)
                return lxcb_fail(why, whylen, rc, "%s: cannot put %s in its config", e->name,
                                 items[i].key);
            changed |= rc;
        }
    }
    if (changed && !e->c->save_config(e->c, NULL))
        return lxcb_fail(why, whylen, -EIO, "%s: cannot save its config", e->name);
    return 0;
}

static void mark_config_dirty(struct lxcb *b, struct ct_entry *e)
{
    pthread_mutex_lock(&b->mu);
    e->config_dirty = 1;
    b->dirty = 1;
    pthread_cond_signal(&b->wake);
    pthread_mutex_unlock(&b->mu);
}

/* Saves, one by one, the configs marked dirty; returns when none is left. */
void lxcb_flush_dirty(struct lxcb *b)
{
    for (;;) {
        pthread_mutex_lock(&b->mu);
        struct ct_entry *e;
        for (e = b->entries; e && !e->config_dirty; e = e->next)
            ;
        if (!e) {
            b->dirty = 0;
            pthread_mutex_unlock(&b->mu);
            return;
        }
        e->refs++;
        pthread_mutex_unlock(&b->mu);
        pthread_mutex_lock(&e->op);
        pthread_mutex_lock(&b->mu);
        int skip = e->stale || !e->config_dirty;
        if (e->stale)
            e->config_dirty = 0;
        pthread_mutex_unlock(&b->mu);
        char why[256];
        if (!skip && config_sync_locked(b, e, why, sizeof why))
            lxcb_note(b, e->name, "error", "%s", why);
        pthread_mutex_unlock(&e->op);
        entry_put(b, e);
    }
}

void *lxcb_flusher_main(void *arg)
{
    struct lxcb *b = arg;
    pthread_mutex_lock(&b->mu);
    while (!b->closing) {
        if (!b->dirty) {
            pthread_cond_wait(&b->wake, &b->mu);
            continue;
        }
        /* let a burst of writes land, then save once */
        struct timespec until = fog_mono_after(FLUSH_DELAY_MS / 1000.0);
        while (!b->closing && pthread_cond_timedwait(&b->wake, &b->mu, &until) != ETIMEDOUT)
            ;
        pthread_mutex_unlock(&b->mu);
        lxcb_flush_dirty(b);
        pthread_mutex_lock(&b->mu);
    }
    pthread_mutex_unlock(&b->mu);
    return NULL;
}

static int limits_valid(const struct lxcb_limits *l)
{
    return (l->cpu_limit_m == -1 || (l->cpu_limit_m > 0 && l->cpu_limit_m <= 1000000000)) &&
           l->cpu_request_m >= 0 && l->cpu_request_m <= 1000000000 &&
           (l->mem_limit == -1 || l->mem_limit > 0) &&
           l->autoscale >= -1 && l->autoscale <= 1;
}

int lxcb_set_limits(struct lxcb *b, const char *name, const struct lxcb_limits *l,
                    char *why, size_t whylen)
{
    if (!limits_valid(l))
        return lxcb_fail(why, whylen, -ERANGE, "limits out of range for %s", name ? name : "");
    if (b->cg_rc)
        return lxcb_fail(why, whylen, b->cg_rc, "no cgroup controllers found on this host");
    struct ct_entry *e;
    int rc = entry_lock(b, name, 0, &e, why, whylen);
    if (rc)
        return rc;
    struct lxcb_limits cur;
    limits_load(b, e, &cur);
    int changed[3] = { l->cpu_limit_m != cur.cpu_limit_m, l->cpu_request_m != cur.cpu_request_m,
                       l->mem_limit != cur.mem_limit };
    struct cg_item items[3][CG_MAX_ITEMS];
    int nitems[3] = { 0, 0, 0 };
    for (int w = 0; w < 3; w++)
        if (changed[w])
            nitems[w] = items_for(b->mounts.version, l, w, items[w]);

    /* live first: a refused value (EBUSY for memory under usage) changes nothing */
    int running = 1;
    for (int w = 0; w < 3 && running && !rc; w++)
        for (int i = 0; i < nitems[w] && running && !rc; i++) {
            rc = apply_live(b, e, &items[w][i]);
            if (rc == -ESRCH) {
                running = 0;
                rc = 0;
            } else if (rc) {
                lxcb_fail(why, whylen, rc, "%s: cannot set %s to %s: %s%s", name, items[w][i].file,
                          items[w][i].value, strerror(-rc),
                          rc == -EBUSY ? " (memory in use is above it)" : "");
            }
        }
    /* the sidecar now, the LXC config now when stopped, else by the flusher
     * (and always before the next start) */
    if (!rc) {
        rc = sidecar_write(b, name, l);
        if (rc)
            lxcb_fail(why, whylen, rc, "%s: cannot write " SIDECAR ": %s", name, strerror(-rc));
    }
    if (!rc) {
        pthread_mutex_lock(&e->data);
        e->limits = *l;
        e->limits_loaded = 1;
        pthread_mutex_unlock(&e->data);
        if (running && (nitems[0] || nitems[1] || nitems[2]))
            mark_config_dirty(b, e);
        else if (nitems[0] || nitems[1] || nitems[2])
            rc = config_sync_locked(b, e, why, whylen);
    }
    entry_unlock(b, e);
    return rc;
}
