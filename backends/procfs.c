/* Node metrics from /proc and /sys: pure parsers of each file's text, a
 * cheap reader (one read() into the caller's buffer, no stdio, no malloc)
 * and the sampler that turns two readings of the counters into rates. */
#include "backends/procfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Largest file the sampler reads whole (/proc/net/dev, /proc/diskstats on a
 * host with many loop devices); the sampler's only buffer, on its stack. */
#define PROCFS_BUF_SIZE (64 * 1024)

/* ---- small lexing helpers over NUL-terminated text ---- */

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static const char *skip_blanks(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* The line after the one p is in, or NULL if p's line has no '\n'. */
static const char *next_line(const char *p)
{
    const char *nl = strchr(p, '\n');
    return nl ? nl + 1 : NULL;
}

/* An unsigned decimal at *p (no sign, at least one digit); advances *p. */
static int lex_u64(const char **p, uint64_t *out)
{
    const char *s = *p;
    uint64_t v = 0;
    if (!is_digit(*s))
        return -EINVAL;
    for (; is_digit(*s); s++) {
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -EINVAL;
        v = v * 10 + d;
    }
    *p = s;
    *out = v;
    return 0;
}

/* "123" or "123.45" as the kernel prints loads and uptimes; locale-free. */
static int lex_decimal(const char **p, double *out)
{
    uint64_t whole;
    int rc = lex_u64(p, &whole);
    if (rc)
        return rc;
    double v = (double)whole;
    if (**p == '.') {
        const char *s = *p + 1;
        double scale = 0.1;
        if (!is_digit(*s))
            return -EINVAL;
        for (; is_digit(*s); s++, scale /= 10)
            v += (*s - '0') * scale;
        *p = s;
    }
    *out = v;
    return 0;
}

/* After the last field of a line: blanks, then '\n'. Advances past it. */
static int lex_line_end(const char **p)
{
    const char *s = skip_blanks(*p);
    if (*s != '\n')
        return -EINVAL;
    *p = s + 1;
    return 0;
}

/* Blank-separated unsigned numbers up to the end of the line: stores the
 * first `max` in v, returns how many there were (>= 0) or -EINVAL. */
static int lex_u64_fields(const char **p, uint64_t *v, int max)
{
    const char *s = *p;
    int n = 0;
    for (;;) {
        const char *t = skip_blanks(s);
        if (*t == '\n') {
            *p = t + 1;
            return n;
        }
        if (t == s && n > 0)
            return -EINVAL;   /* numbers must be separated */
        uint64_t x;
        if (lex_u64(&t, &x))
            return -EINVAL;
        if (n < max)
            v[n] = x;
        n++;
        s = t;
    }
}

static int add_u64(uint64_t *sum, uint64_t x)
{
    if (*sum > UINT64_MAX - x)
        return -EINVAL;
    *sum += x;
    return 0;
}

/* ---- parsers ---- */

/* The aggregate "cpu " line: user nice system idle iowait irq softirq steal
 * [guest guest_nice]. Guest time is already inside user, so it is not added. */
int procfs_parse_stat(const char *text, uint64_t *busy, uint64_t *total)
{
    for (const char *line = text; line && *line; line = next_line(line)) {
        if (strncmp(line, "cpu ", 4) != 0)
            continue;
        const char *p = line + 3;
        uint64_t v[8] = { 0 };
        int n = lex_u64_fields(&p, v, 8);
        if (n < 4)
            return -EINVAL;
        uint64_t sum = 0;
        for (int i = 0; i < 8; i++)
            if (add_u64(&sum, v[i]))
                return -EINVAL;
        *total = sum;
        *busy = sum - v[3] - v[4];
        return 0;
    }
    return -EINVAL;
}

/* "Key:   12345 kB\n" at line -> bytes. */
static int lex_meminfo_kb(const char *p, uint64_t *bytes)
{
    uint64_t kb;
    p = skip_blanks(p);
    if (lex_u64(&p, &kb))
        return -EINVAL;
    if (strncmp(p, " kB\n", 4) != 0)
        return -EINVAL;
    if (kb > UINT64_MAX / 1024)
        return -EINVAL;
    *bytes = kb * 1024;
    return 0;
}

/* MemTotal and MemAvailable (kernel 3.14+); every other line is ignored, so a
 * head of the file that holds both is enough. */
int procfs_parse_meminfo(const char *text, uint64_t *total_bytes, uint64_t *available_bytes)
{
    int have_total = 0, have_avail = 0;
    uint64_t total = 0, avail = 0;
    for (const char *line = text; line && *line; line = next_line(line)) {
        if (strncmp(line, "MemTotal:", 9) == 0) {
            if (have_total || lex_meminfo_kb(line + 9, &total))
                return -EINVAL;
            have_total = 1;
        } else if (strncmp(line, "MemAvailable:", 13) == 0) {
            if (have_avail || lex_meminfo_kb(line + 13, &avail))
                return -EINVAL;
            have_avail = 1;
        }
    }
    if (!have_total || !have_avail || total == 0 || avail > total)
        return -EINVAL;
    *total_bytes = total;
    *available_bytes = avail;
    return 0;
}

/* Two header lines, then "  name: rx_bytes rx_packets ... (8) tx_bytes ... (8)".
 * Interface names cannot hold ':' or blanks, so the first ':' ends the name. */
int procfs_parse_net_dev(const char *text, uint64_t *rx_bytes, uint64_t *tx_bytes)
{
    if (strncmp(text, "Inter-|", 7) != 0)
        return -EINVAL;
    const char *line = next_line(text);
    if (!line || !strstr(line, "|bytes"))
        return -EINVAL;
    line = next_line(line);
    if (!line)
        return -EINVAL;
    uint64_t rx = 0, tx = 0;
    while (*line) {
        const char *name = skip_blanks(line);
        const char *colon = name;
        while (*colon && *colon != ':' && *colon != ' ' && *colon != '\n')
            colon++;
        if (*colon != ':' || colon == name)
            return -EINVAL;
        const char *p = colon + 1;
        uint64_t v[16];
        int n = lex_u64_fields(&p, v, 16);
        if (n < 16)
            return -EINVAL;
        int is_lo = colon - name == 2 && strncmp(name, "lo", 2) == 0;
        if (!is_lo) {
            rx += v[0];   /* counters wrap modulo 2^64 like the kernel's */
            tx += v[8];
        }
        line = p;
    }
    *rx_bytes = rx;
    *tx_bytes = tx;
    return 0;
}

static int has_prefix(const char *name, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && strncmp(name, prefix, n) == 0;
}

/* Whole physical disks only, judged by name (pure, no /sys lookup):
 * - partitions: "<...digit>p<digits>" (mmcblk0p1, nvme0n1p1, nbd0p1) and
 *   sd/hd/vd/xvd names ending in a digit (sda1, vda2, xvda1);
 * - eMMC hardware boot areas (mmcblk0boot0);
 * - virtual devices: loop*, ram*, zram*; and dm-* and md*, which stack on
 *   disks already counted (their I/O would count twice). */
int procfs_disk_is_whole(const char *name, size_t len)
{
    static const char *const virtual_prefixes[] = { "loop", "ram", "zram", "dm-", "md" };
    if (len == 0)
        return 0;
    for (size_t i = 0; i < sizeof virtual_prefixes / sizeof virtual_prefixes[0]; i++)
        if (has_prefix(name, len, virtual_prefixes[i]))
            return 0;
    if (is_digit(name[len - 1])) {
        size_t i = len;
        while (i > 0 && is_digit(name[i - 1]))
            i--;
        if (i >= 2 && name[i - 1] == 'p' && is_digit(name[i - 2]))
            return 0;
        if (has_prefix(name, len, "sd") || has_prefix(name, len, "hd") ||
            has_prefix(name, len, "vd") || has_prefix(name, len, "xvd"))
            return 0;
        if (has_prefix(name, len, "mmcblk") && memmem(name, len, "boot", 4))
            return 0;
    }
    return 1;
}

/* "major minor name" then at least 11 counters (kernels since 2.6.25 print
 * them for partitions too; 4.18 adds discards, 5.5 flushes). */
int procfs_parse_diskstats(const char *text, uint64_t *reads, uint64_t *writes)
{
    uint64_t r = 0, w = 0;
    const char *line = text;
    if (!*text)
        return -EINVAL;   /* a Linux host has at least one block device */
    while (*line) {
        const char *p = skip_blanks(line);
        uint64_t major, minor;
        if (lex_u64(&p, &major) || *p != ' ')
            return -EINVAL;
        p = skip_blanks(p);
        if (lex_u64(&p, &minor) || *p != ' ')
            return -EINVAL;
        const char *name = skip_blanks(p);
        p = name;
        while (*p && *p != ' ' && *p != '\t' && *p != '\n')
            p++;
        size_t name_len = (size_t)(p - name);
        if (name_len == 0)
            return -EINVAL;
        uint64_t v[5];
        int n = lex_u64_fields(&p, v, 5);
        if (n < 11)
            return -EINVAL;
        if (procfs_disk_is_whole(name, name_len)) {
            r += v[0];   /* reads completed */
            w += v[4];   /* writes completed */
        }
        line = p;
    }
    *reads = r;
    *writes = w;
    return 0;
}

/* "0.52 0.58 0.59 1/977 12345\n" */
int procfs_parse_loadavg(const char *text, double load[3])
{
    const char *p = text;
    double v[3];
    for (int i = 0; i < 3; i++) {
        if (lex_decimal(&p, &v[i]) || *p != ' ')
            return -EINVAL;
        p++;
    }
    uint64_t running, tasks, last_pid;
    if (lex_u64(&p, &running) || *p++ != '/' || lex_u64(&p, &tasks) || *p++ != ' ' ||
        lex_u64(&p, &last_pid) || lex_line_end(&p))
        return -EINVAL;
    for (int i = 0; i < 3; i++)
        load[i] = v[i];
    return 0;
}

/* "352.16 626.56\n": seconds up, then idle seconds summed over CPUs. */
int procfs_parse_uptime(const char *text, double *uptime_s)
{
    const char *p = text;
    double up, idle;
    if (lex_decimal(&p, &up) || *p++ != ' ' || lex_decimal(&p, &idle) || lex_line_end(&p))
        return -EINVAL;
    *uptime_s = up;
    return 0;
}

/* A sysfs value ends at the end of text or at one final '\n'. */
static int at_value_end(const char *p)
{
    return *p == 0 || (*p == '\n' && p[1] == 0);
}

int procfs_parse_thermal(const char *text, double *temp_c)
{
    const char *p = text;
    int negative = *p == '-';
    uint64_t milli;
    p += negative;
    if (lex_u64(&p, &milli) || !at_value_end(p) || milli > 1000000000)
        return -EINVAL;
    *temp_c = (negative ? -(double)milli : (double)milli) / 1000.0;
    return 0;
}

/* "0-3", "0,2-3", "0" (optionally ending in '\n'): ranges must ascend. */
int procfs_parse_cpu_list(const char *text, int *count)
{
    const char *p = text;
    int total = 0;
    for (;;) {
        uint64_t lo, hi;
        if (lex_u64(&p, &lo) || lo >= 65536)
            return -EINVAL;
        hi = lo;
        if (*p == '-') {
            p++;
            if (lex_u64(&p, &hi) || hi >= 65536 || hi < lo)
                return -EINVAL;
        }
        total += (int)(hi - lo + 1);
        if (total > 65536)
            return -EINVAL;
        if (at_value_end(p))
            break;
        if (*p++ != ',')
            return -EINVAL;
    }
    *count = total;
    return 0;
}

/* ---- reading ---- */

static int read_once(const char *path, char *buf, size_t len, int allow_truncation)
{
    if (len < 2)
        return -EINVAL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t n;
    do
        n = read(fd, buf, len - 1);
    while (n < 0 && errno == EINTR);
    int err = n < 0 ? -errno : 0;
    close(fd);
    if (err)
        return err;
    /* procfs, sysfs and seq_file hand over everything that fits in one read,
     * and so does a regular file: a short read is the end of the file. */
    if ((size_t)n == len - 1 && !allow_truncation)
        return -EFBIG;
    buf[n] = 0;
    return 0;
}

int procfs_read_file(const char *path, char *buf, size_t len)
{
    return read_once(path, buf, len, 0);
}

int procfs_read_head(const char *path, char *buf, size_t len)
{
    return read_once(path, buf, len, 1);
}

static int join_path(char *out, size_t len, const char *root, const char *rel)
{
    int n = snprintf(out, len, "%s/%s", root, rel);
    return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* Reads root/rel whole (or only its head) into buf. */
static int read_under(const char *root, const char *rel, char *buf, size_t len, int head)
{
    char path[PATH_MAX];
    int rc = join_path(path, sizeof path, root, rel);
    if (rc)
        return rc;
    return head ? procfs_read_head(path, buf, len) : procfs_read_file(path, buf, len);
}

int procfs_read_counters(const char *procfs_root, double mono, struct procfs_counters *out)
{
    char buf[PROCFS_BUF_SIZE];
    struct procfs_counters c = { .mono = mono };
    int rc;
    /* Only the first line of /proc/stat matters; its interrupt lines are long. */
    if ((rc = read_under(procfs_root, "stat", buf, 8192, 1)) ||
        (rc = procfs_parse_stat(buf, &c.cpu_busy, &c.cpu_total)))
        return rc;
    if ((rc = read_under(procfs_root, "net/dev", buf, sizeof buf, 0)) ||
        (rc = procfs_parse_net_dev(buf, &c.net_rx_bytes, &c.net_tx_bytes)))
        return rc;
    if ((rc = read_under(procfs_root, "diskstats", buf, sizeof buf, 0)) ||
        (rc = procfs_parse_diskstats(buf, &c.reads_completed, &c.writes_completed)))
        return rc;
    *out = c;
    return 0;
}

/* Per second of dt; a counter that went back (device gone, reset) reads 0. */
static double rate_of(uint64_t prev, uint64_t cur, double dt)
{
    return cur >= prev ? (double)(cur - prev) / dt : 0.0;
}

void procfs_compute_rates(const struct procfs_counters *prev, const struct procfs_counters *cur,
                          struct fog_node_metrics *out)
{
    double dt = cur->mono - prev->mono;
    out->interval = 0;
    out->cpu_percent = 0;
    out->net_rx_bps = out->net_tx_bps = 0;
    out->iops_read = out->iops_write = 0;
    if (prev->mono <= 0 || !(dt > 0))
        return;
    out->interval = dt;
    if (cur->cpu_total > prev->cpu_total && cur->cpu_busy >= prev->cpu_busy) {
        double busy = (double)(cur->cpu_busy - prev->cpu_busy);
        double total = (double)(cur->cpu_total - prev->cpu_total);
        out->cpu_percent = busy >= total ? 100.0 : busy / total * 100.0;
    }
    out->net_rx_bps = rate_of(prev->net_rx_bytes, cur->net_rx_bytes, dt);
    out->net_tx_bps = rate_of(prev->net_tx_bytes, cur->net_tx_bytes, dt);
    out->iops_read = rate_of(prev->reads_completed, cur->reads_completed, dt);
    out->iops_write = rate_of(prev->writes_completed, cur->writes_completed, dt);
}

int procfs_read_gauges(const char *procfs_root, const char *sysfs_root,
                       struct fog_node_metrics *out)
{
    char buf[4096];
    int rc;
    uint64_t total, avail;
    /* MemTotal and MemAvailable are the first and third lines. */
    if ((rc = read_under(procfs_root, "meminfo", buf, sizeof buf, 1)) ||
        (rc = procfs_parse_meminfo(buf, &total, &avail)))
        return rc;
    double load[3], uptime;
    if ((rc = read_under(procfs_root, "loadavg", buf, sizeof buf, 0)) ||
        (rc = procfs_parse_loadavg(buf, load)))
        return rc;
    if ((rc = read_under(procfs_root, "uptime", buf, sizeof buf, 0)) ||
        (rc = procfs_parse_uptime(buf, &uptime)))
        return rc;
    int cpus;
    if ((rc = read_under(sysfs_root, "devices/system/cpu/online", buf, sizeof buf, 0)) ||
        (rc = procfs_parse_cpu_list(buf, &cpus)))
        return rc;
    /* No sensor, or one that fails to answer, is "no temperature", not an error. */
    double temp = 0;
    int has_temp = read_under(sysfs_root, "class/thermal/thermal_zone0/temp", buf, 64, 0) == 0 &&
                   procfs_parse_thermal(buf, &temp) == 0;

    out->mem_total = total;
    out->mem_available = avail;
    out->mem_percent = (double)(total - avail) / (double)total * 100.0;
    memcpy(out->load, load, sizeof load);
    out->uptime_s = uptime;
    out->cpus_online = cpus;
    out->has_temp = has_temp;
    out->temp_c = has_temp ? temp : 0;
    return 0;
}

static double clock_seconds(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int procfs_sample(const char *procfs_root, const char *sysfs_root,
                  struct procfs_counters *prev, struct fog_node_metrics *out)
{
    struct procfs_counters cur;
    int rc = procfs_read_counters(procfs_root, clock_seconds(CLOCK_MONOTONIC), &cur);
    if (rc)
        return rc;
    struct fog_node_metrics m = *out;
    if ((rc = procfs_read_gauges(procfs_root, sysfs_root, &m)))
        return rc;
    procfs_compute_rates(prev, &cur, &m);
    m.time = clock_seconds(CLOCK_REALTIME);
    *out = m;
    *prev = cur;
    return 0;
}
