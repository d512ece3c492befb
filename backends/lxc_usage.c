/* Reads of a running container that never wait behind a slow stop/start:
 * its cgroup dirs and start time (resolved once per init pid), usage
 * straight from the cgroup files, and its addresses. */
#include "backends/lxc_internal.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void cache_forget_cgroup(struct ct_entry *e)
{
    pthread_mutex_lock(&e->data);
    e->cg_pid = 0;
    pthread_mutex_unlock(&e->data);
}

/* Under e->data. Resolves the container's cgroup dirs from its init pid;
 * reuses them while that pid lives. -ESRCH if not running. */
int cgroup_dirs_locked(struct lxcb *b, struct ct_entry *e)
{
    if (e->cg_pid > 0 && kill(e->cg_pid, 0) == 0)
        return 0;
    e->cg_pid = 0;
    if (b->cg_rc)
        return b->cg_rc;
    pid_t pid = e->c->init_pid(e->c);
    if (pid <= 0)
        return -ESRCH;
    char path[64], text[4096];
    snprintf(path, sizeof path, "/proc/%d", (int)pid);
    int rc = cg_read_file(path, "cgroup", text, sizeof text);
    if (rc)
        return rc == -ENOENT ? -ESRCH : rc;
    rc = cg_parse_proc_cgroup(text, &b->mounts, &e->dirs);
    if (rc)
        return rc;
    /* start time: field 22 of /proc/<pid>/stat (ticks after boot) + btime */
    char stat[1024], pstat[8192];
    e->started_at = 0;
    if (!cg_read_file(path, "stat", stat, sizeof stat) &&
        !cg_read_file("/proc", "stat", pstat, sizeof pstat)) {
        const char *p = strrchr(stat, ')');
        unsigned long long ticks = 0;
        for (int field = 2; p && field < 22; field++)
            p = strchr(p + 1, ' ');
        const char *bt = strstr(pstat, "\nbtime ");
        if (p && bt && sscanf(p + 1, "%llu", &ticks) == 1) {
            long hz = sysconf(_SC_CLK_TCK);
            e->started_at = strtod(bt + 7, NULL) + (double)ticks / (hz > 0 ? hz : 100);
        }
    }
    e->cg_pid = pid;
    return 0;
}

static int read_u64(const char *dir, const char *file, uint64_t *v)
{
    char buf[64];
    int rc = cg_read_file(dir, file, buf, sizeof buf);
    if (rc)
        return rc;
    char *end;
    errno = 0;
    unsigned long long x = strtoull(buf, &end, 10);
    if (end == buf || errno)
        return -EINVAL;
    *v = x;
    return 0;
}

static int read_usage_locked(struct lxcb *b, struct ct_entry *e, struct lxcb_usage *u)
{
    const struct cg_dirs *d = &e->dirs;
    int rc;
    if (b->mounts.version == CG_V2) {
        char text[1024];
        rc = cg_read_file(d->dir[CG_CPU], "cpu.stat", text, sizeof text);
        if (!rc)
            rc = cg_parse_cpu_stat_usage_ns(text, &u->cpu_ns);
        if (!rc)
            rc = read_u64(d->dir[CG_MEMORY], "memory.current", &u->mem_bytes);
    } else {
        rc = read_u64(d->dir[CG_CPUACCT], "cpuacct.usage", &u->cpu_ns);
        if (!rc)
            rc = read_u64(d->dir[CG_MEMORY], "memory.usage_in_bytes", &u->mem_bytes);
    }
    if (!rc)
        rc = read_u64(d->dir[CG_PIDS], "pids.current", &u->pids);
    return rc;
}

int lxcb_get_usage(struct lxcb *b, const char *name, struct lxcb_usage *u)
{
    struct ct_entry *e;
    int rc = entry_ref_defined(b, name, &e);
    if (rc)
        return rc;
    pthread_mutex_lock(&e->data);
    for (int attempt = 0; attempt < 2; attempt++) {
        rc = cgroup_dirs_locked(b, e);
        if (rc)
            break;
        rc = read_usage_locked(b, e, u);
        if (rc != -ENOENT && rc != -ENODEV)
            break;
        e->cg_pid = 0;   /* the cgroup went away: resolve again once */
        rc = -ESRCH;
    }
    pthread_mutex_unlock(&e->data);
    entry_put(b, e);
    return rc;
}

int lxcb_get_started_at(struct lxcb *b, const char *name, double *unix_time)
{
    struct ct_entry *e;
    int rc = entry_ref_defined(b, name, &e);
    if (rc)
        return rc;
    pthread_mutex_lock(&e->data);
    rc = cgroup_dirs_locked(b, e);
    if (!rc)
        *unix_time = e->started_at;
    if (!rc && e->started_at <= 0)
        rc = -EIO;
    pthread_mutex_unlock(&e->data);
    entry_put(b, e);
    return rc;
}

int lxcb_get_ips(struct lxcb *b, const char *name, char *buf, size_t len)
{
    if (!len)
        return -ENOSPC;
    buf[0] = 0;
    struct ct_entry *e;
    int rc = entry_ref_defined(b, name, &e);
    if (rc)
        return rc;
    if (!e->c->is_running(e->c)) {
        entry_put(b, e);
        return 0;
    }
    char **ips = e->c->get_ips(e->c, NULL, NULL, 0);
    size_t used = 0;
    for (size_t i = 0; ips && ips[i]; i++) {
        size_t n = strlen(ips[i]);
        if (!rc && used + n + 2 <= len) {
            memcpy(buf + used, ips[i], n);
            used += n;
            buf[used++] = '\n';
            buf[used] = 0;
        } else {
            rc = -ENOSPC;
        }
        free(ips[i]);
    }
    free(ips);
    entry_put(b, e);
    return rc;
}
