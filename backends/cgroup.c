/* Cgroup v1/v2 layout detection and the mapping of fogfs limits to cgroup
 * values. Everything but cg_detect() and cg_{read,write}_file() is a pure
 * function on text or numbers, so the v2 logic is tested on this v1 host too. */
#include "backends/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const ctrl_names[CG_NCTRL] = {
    [CG_CPU] = "cpu", [CG_CPUACCT] = "cpuacct", [CG_MEMORY] = "memory",
    [CG_PIDS] = "pids", [CG_FREEZER] = "freezer", [CG_DEVICES] = "devices",
};

const char *cg_ctrl_name(enum cg_ctrl c)
{
    return (unsigned)c < CG_NCTRL ? ctrl_names[c] : "?";
}

/* Copies a mountinfo field, undoing its octal escapes (\040 for space). */
static void unescape_field(const char *s, size_t n, char *out, size_t outlen)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < outlen; i++) {
        if (s[i] == '\\' && i + 3 < n &&
            s[i + 1] >= '0' && s[i + 1] <= '7' && s[i + 2] >= '0' && s[i + 2] <= '7' &&
            s[i + 3] >= '0' && s[i + 3] <= '7') {
            out[o++] = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
            i += 3;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = 0;
}

/* Is `name` one of the comma-separated words in s[0..n)? */
static int has_word(const char *s, size_t n, const char *name)
{
    size_t len = strlen(name);
    const char *end = s + n;
    while (s < end) {
        const char *comma = memchr(s, ',', (size_t)(end - s));
        const char *w_end = comma ? comma : end;
        if ((size_t)(w_end - s) == len && !memcmp(s, name, len))
            return 1;
        s = comma ? comma + 1 : end;
    }
    return 0;
}

/* Splits one line into space-separated fields; returns how many. */
static int split_fields(const char *line, size_t n, const char **f, size_t *fl, int max)
{
    int k = 0;
    size_t i = 0;
    while (i < n && k < max) {
        while (i < n && line[i] == ' ')
            i++;
        if (i >= n)
            break;
        size_t start = i;
        while (i < n && line[i] != ' ')
            i++;
        f[k] = line + start;
        fl[k] = i - start;
        k++;
    }
    return k;
}

int cg_parse_mountinfo(const char *text, struct cg_mounts *m)
{
    memset(m, 0, sizeof *m);
    const char *p = text;
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        const char *f[32];
        size_t fl[32];
        int k = split_fields(p, n, f, fl, 32);
        int dash = -1;
        for (int i = 6; i < k; i++)
            if (fl[i] == 1 && f[i][0] == '-') {
                dash = i;
                break;
            }
        if (dash > 0 && dash + 1 < k) {
            const char *fstype = f[dash + 1];
            size_t fstype_len = fl[dash + 1];
            char mnt[CG_PATH_MAX];
            unescape_field(f[4], fl[4], mnt, sizeof mnt);
            if (fstype_len == 7 && !memcmp(fstype, "cgroup2", 7)) {
                if (!m->unified[0])
                    snprintf(m->unified, sizeof m->unified, "%s", mnt);
            } else if (fstype_len == 6 && !memcmp(fstype, "cgroup", 6) && dash + 3 < k) {
                const char *super = f[dash + 3];
                size_t super_len = fl[dash + 3];
                for (int c = 0; c < CG_NCTRL; c++)
                    if (!m->v1[c][0] && has_word(super, super_len, ctrl_names[c]))
                        snprintf(m->v1[c], sizeof m->v1[c], "%s", mnt);
            }
        }
        p = nl ? nl + 1 : NULL;
    }
    if (m->v1[CG_CPU][0])
        m->version = CG_V1;
    else if (m->unified[0])
        m->version = CG_V2;
    else
        return -ENOENT;
    return 0;
}

int cg_detect(struct cg_mounts *m)
{
    int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    size_t cap = 16384, len = 0;
    char *buf = malloc(cap);
    if (!buf) {
        close(fd);
        return -ENOMEM;
    }
    for (;;) {
        if (len + 1 >= cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                close(fd);
                return -ENOMEM;
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + len, cap - len - 1);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int e = -errno;
            free(buf);
            close(fd);
            return e;
        }
        if (r == 0)
            break;
        len += (size_t)r;
    }
    close(fd);
    buf[len] = 0;
    int rc = cg_parse_mountinfo(buf, m);
    free(buf);
    return rc;
}

/* mount point + (path relative to the mount's root). The mount root is
 * always "/" on a host; inside a container it is not, but then the path in
 * /proc/<pid>/cgroup is already relative to the namespace root. */
static int join_dir(const char *mnt, const char *path, size_t plen, char *out)
{
    while (plen && path[0] == '/') {
        path++;
        plen--;
    }
    int w = plen ? snprintf(out, CG_PATH_MAX, "%s/%.*s", mnt, (int)plen, path)
                 : snprintf(out, CG_PATH_MAX, "%s", mnt);
    return (w < 0 || w >= CG_PATH_MAX) ? -ENAMETOOLONG : 0;
}

int cg_parse_proc_cgroup(const char *text, const struct cg_mounts *m, struct cg_dirs *d)
{
    memset(d, 0, sizeof *d);
    const char *p = text;
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        const char *c1 = memchr(p, ':', n);
        const char *c2 = c1 ? memchr(c1 + 1, ':', n - (size_t)(c1 + 1 - p)) : NULL;
        if (c2) {
            const char *ctrls = c1 + 1;
            size_t ctrls_len = (size_t)(c2 - ctrls);
            const char *path = c2 + 1;
            size_t plen = n - (size_t)(path - p);
            if (ctrls_len == 0 && m->version == CG_V2 && m->unified[0]) {
                for (int c = 0; c < CG_NCTRL; c++)
                    if (join_dir(m->unified, path, plen, d->dir[c]))
                        return -ENAMETOOLONG;
            } else if (ctrls_len == 0 && m->unified[0]) {
                /* hybrid: controllers not on v1 may live on the unified tree */
                for (int c = 0; c < CG_NCTRL; c++)
                    if (!m->v1[c][0] && !d->dir[c][0] &&
                        join_dir(m->unified, path, plen, d->dir[c]))
                        return -ENAMETOOLONG;
            } else if (m->version == CG_V1) {
                for (int c = 0; c < CG_NCTRL; c++)
                    if (m->v1[c][0] && has_word(ctrls, ctrls_len, ctrl_names[c]) &&
                        join_dir(m->v1[c], path, plen, d->dir[c]))
                        return -ENAMETOOLONG;
            }
        }
        p = nl ? nl + 1 : NULL;
    }
    static const enum cg_ctrl needed[] = { CG_CPU, CG_CPUACCT, CG_MEMORY, CG_PIDS };
    for (size_t i = 0; i < sizeof needed / sizeof needed[0]; i++)
        if (!d->dir[needed[i]][0])
            return -ENOENT;
    return 0;
}

void cg_millicores_to_cfs(int64_t millicores, int64_t *quota_us, int64_t *period_us)
{
    *period_us = CG_CFS_PERIOD_US;
    if (millicores < 0) {
        *quota_us = -1;
        return;
    }
    int64_t q = millicores * CG_CFS_PERIOD_US / 1000;
    *quota_us = q < 1000 ? 1000 : q;   /* the kernel refuses quotas under 1 ms */
}

int64_t cg_cfs_to_millicores(int64_t quota_us, int64_t period_us)
{
    if (quota_us < 0 || period_us <= 0)
        return -1;
    return (quota_us * 1000 + period_us / 2) / period_us;
}

int cg_format_cpu_max(int64_t millicores, char *buf, size_t len)
{
    int64_t q, per;
    cg_millicores_to_cfs(millicores, &q, &per);
    int w = q < 0 ? snprintf(buf, len, "max %" PRId64, per)
                  : snprintf(buf, len, "%" PRId64 " %" PRId64, q, per);
    return (w < 0 || (size_t)w >= len) ? -ENOSPC : 0;
}

int cg_parse_cpu_max(const char *s, int64_t *millicores)
{
    char *end;
    while (*s == ' ')
        s++;
    int64_t quota;
    if (!strncmp(s, "max", 3)) {
        quota = -1;
        end = (char *)s + 3;
    } else {
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (end == s || errno || v < 0)
            return -EINVAL;
        quota = v;
    }
    int64_t period = CG_CFS_PERIOD_US;
    while (*end == ' ')
        end++;
    if (*end && *end != '\n') {
        char *e2;
        errno = 0;
        long long v = strtoll(end, &e2, 10);
        if (e2 == end || errno || v <= 0)
            return -EINVAL;
        period = v;
        end = e2;
    }
    while (*end == ' ' || *end == '\n')
        end++;
    if (*end)
        return -EINVAL;
    *millicores = cg_cfs_to_millicores(quota, period);
    return 0;
}

uint64_t cg_millicores_to_shares(int64_t millicores)
{
    if (millicores <= 0)
        return 1024;   /* no request: the kernel's default */
    int64_t s = millicores * 1024 / 1000;
    if (s < 2)
        s = 2;
    if (s > 262144)
        s = 262144;
    return (uint64_t)s;
}

uint64_t cg_shares_to_weight(uint64_t shares)
{
    uint64_t w = (shares * 100 + 512) / 1024;   /* DIV_ROUND_CLOSEST(shares * 100, 1024) */
    if (w < 1)
        w = 1;
    if (w > 10000)
        w = 10000;
    return w;
}

uint64_t cg_weight_to_shares(uint64_t weight)
{
    if (weight < 1)
        weight = 1;
    if (weight > 10000)
        weight = 10000;
    uint64_t s = (weight * 1024 + 50) / 100;
    if (s < 2)
        s = 2;
    if (s > 262144)
        s = 262144;
    return s;
}

int cg_format_mem_v1(int64_t bytes, char *buf, size_t len)
{
    int w = snprintf(buf, len, "%" PRId64, bytes < 0 ? (int64_t)-1 : bytes);
    return (w < 0 || (size_t)w >= len) ? -ENOSPC : 0;
}

int cg_format_mem_v2(int64_t bytes, char *buf, size_t len)
{
    int w = bytes < 0 ? snprintf(buf, len, "max") : snprintf(buf, len, "%" PRId64, bytes);
    return (w < 0 || (size_t)w >= len) ? -ENOSPC : 0;
}

int cg_parse_mem(const char *s, int64_t *bytes)
{
    while (*s == ' ')
        s++;
    const char *end;
    if (!strncmp(s, "max", 3)) {
        *bytes = -1;
        end = s + 3;
    } else {
        char *e;
        errno = 0;
        long long v = strtoll(s, &e, 10);
        if (e == s || errno == EINVAL)
            return -EINVAL;
        if (errno == ERANGE || v < 0 || v >= (1LL << 62))
            v = -1;   /* v1 reports "unlimited" as a huge page-aligned number */
        *bytes = v;
        end = e;
    }
    while (*end == ' ' || *end == '\n')
        end++;
    return *end ? -EINVAL : 0;
}

static struct cg_item item(const char *key, enum cg_ctrl ctrl, const char *file, int clear)
{
    struct cg_item it = { key, ctrl, file, "", clear };
    return it;
}

int cg_items_cpu_limit(enum cg_version v, int64_t millicores, struct cg_item *it)
{
    int clear = millicores < 0;
    if (v == CG_V2) {
        it[0] = item("lxc.cgroup2.cpu.max", CG_CPU, "cpu.max", clear);
        cg_format_cpu_max(millicores, it[0].value, sizeof it[0].value);
        return 1;
    }
    int64_t q, p;
    cg_millicores_to_cfs(millicores, &q, &p);
    it[0] = item("lxc.cgroup.cpu.cfs_period_us", CG_CPU, "cpu.cfs_period_us", clear);
    snprintf(it[0].value, sizeof it[0].value, "%" PRId64, p);
    it[1] = item("lxc.cgroup.cpu.cfs_quota_us", CG_CPU, "cpu.cfs_quota_us", clear);
    snprintf(it[1].value, sizeof it[1].value, "%" PRId64, q);
    return 2;
}

int cg_items_cpu_request(enum cg_version v, int64_t millicores, struct cg_item *it)
{
    int clear = millicores <= 0;
    uint64_t shares = cg_millicores_to_shares(millicores);
    if (v == CG_V2) {
        it[0] = item("lxc.cgroup2.cpu.weight", CG_CPU, "cpu.weight", clear);
        snprintf(it[0].value, sizeof it[0].value, "%" PRIu64, cg_shares_to_weight(shares));
    } else {
        it[0] = item("lxc.cgroup.cpu.shares", CG_CPU, "cpu.shares", clear);
        snprintf(it[0].value, sizeof it[0].value, "%" PRIu64, shares);
    }
    return 1;
}

int cg_items_mem_limit(enum cg_version v, int64_t bytes, struct cg_item *it)
{
    int clear = bytes < 0;
    if (v == CG_V2) {
        it[0] = item("lxc.cgroup2.memory.max", CG_MEMORY, "memory.max", clear);
        cg_format_mem_v2(bytes, it[0].value, sizeof it[0].value);
    } else {
        it[0] = item("lxc.cgroup.memory.limit_in_bytes", CG_MEMORY, "memory.limit_in_bytes", clear);
        cg_format_mem_v1(bytes, it[0].value, sizeof it[0].value);
    }
    return 1;
}

int cg_parse_cpu_stat_usage_ns(const char *text, uint64_t *ns)
{
    const char *p = text;
    while (p && *p) {
        if (!strncmp(p, "usage_usec ", 11)) {
            char *e;
            errno = 0;
            unsigned long long v = strtoull(p + 11, &e, 10);
            if (e == p + 11 || errno)
                return -EINVAL;
            *ns = (uint64_t)v * 1000;
            return 0;
        }
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return -ENOENT;
}

int cg_write_file(const char *dir, const char *file, const char *value)
{
    char path[CG_PATH_MAX + 64];
    int w = snprintf(path, sizeof path, "%s/%s", dir, file);
    if (w < 0 || (size_t)w >= sizeof path)
        return -ENAMETOOLONG;
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    size_t len = strlen(value);
    ssize_t r;
    do
        r = write(fd, value, len);
    while (r < 0 && errno == EINTR);
    int rc = r < 0 ? -errno : ((size_t)r == len ? 0 : -EIO);
    close(fd);
    return rc;
}

int cg_read_file(const char *dir, const char *file, char *buf, size_t len)
{
    char path[CG_PATH_MAX + 64];
    int w = snprintf(path, sizeof path, "%s/%s", dir, file);
    if (w < 0 || (size_t)w >= sizeof path)
        return -ENAMETOOLONG;
    if (len == 0)
        return -ENOSPC;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    size_t got = 0;
    while (got + 1 < len) {
        ssize_t r = read(fd, buf + got, len - 1 - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = -errno;
            close(fd);
            return e;
        }
        if (r == 0)
            break;
        got += (size_t)r;
    }
    buf[got] = 0;
    close(fd);
    return 0;
}
