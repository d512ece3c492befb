/* Node metrics from /proc and /sys under configurable roots (tests feed
 * fixture trees, as node_exporter's --path.procfs does). The parsers are
 * pure functions over text; the sampler keeps the previous counters to turn
 * them into rates. Every function returns 0 or -errno. */
#ifndef FOG_BACKEND_PROCFS_H
#define FOG_BACKEND_PROCFS_H
#include "core/metrics.h"
#include <stddef.h>
#include <stdint.h>

/* Cumulative counters of one reading; rates come from two of them. */
struct procfs_counters {
    double mono;                 /* CLOCK_MONOTONIC seconds when read */
    uint64_t cpu_busy, cpu_total;          /* jiffies, from /proc/stat "cpu" */
    uint64_t net_rx_bytes, net_tx_bytes;   /* /proc/net/dev, all but lo */
    uint64_t reads_completed, writes_completed; /* /proc/diskstats, whole disks */
};

/* Pure parsers (text is NUL-terminated file content). */
int procfs_parse_stat(const char *text, uint64_t *busy, uint64_t *total);
int procfs_parse_meminfo(const char *text, uint64_t *total_bytes, uint64_t *available_bytes);
int procfs_parse_net_dev(const char *text, uint64_t *rx_bytes, uint64_t *tx_bytes);
/* Whole disks only (see procfs_disk_is_whole). */
int procfs_parse_diskstats(const char *text, uint64_t *reads, uint64_t *writes);
/* 1 if a /proc/diskstats name is a whole physical disk, judged by name alone:
 * partitions (sda1, vda2, xvda1, mmcblk0p1, nvme0n1p1), eMMC boot areas
 * (mmcblk0boot0), loop*, ram*, zram*, and dm-* / md* (stacked on disks that
 * are already counted) give 0. */
int procfs_disk_is_whole(const char *name, size_t len);
int procfs_parse_loadavg(const char *text, double load[3]);
int procfs_parse_uptime(const char *text, double *uptime_s);
/* "45678" millidegrees -> 45.678 */
int procfs_parse_thermal(const char *text, double *temp_c);
/* CPU count from /sys/devices/system/cpu/online ("0-3", "0,2-3"). */
int procfs_parse_cpu_list(const char *text, int *count);

/* The parsers of multi-line /proc files want every line they use to end in
 * '\n' (a truncated line is -EINVAL); sysfs values may omit the final '\n'.
 * Malformed text gives -EINVAL, never a partial result. */

/* The counters of stat, net/dev and diskstats under procfs_root, stamped
 * with `mono` (the caller's CLOCK_MONOTONIC seconds). */
int procfs_read_counters(const char *procfs_root, double mono, struct procfs_counters *out);
/* interval, cpu_percent, net_*_bps and iops_* from two readings; all 0 when
 * prev->mono is 0 (no previous reading) or time did not advance. A counter
 * that went back (device removed, reset) gives a rate of 0. */
void procfs_compute_rates(const struct procfs_counters *prev, const struct procfs_counters *cur,
                          struct fog_node_metrics *out);
/* mem_*, load, uptime_s, cpus_online, has_temp/temp_c. A missing or
 * unreadable thermal_zone0 gives has_temp = 0, not an error. */
int procfs_read_gauges(const char *procfs_root, const char *sysfs_root,
                       struct fog_node_metrics *out);

/* Reads every source under procfs_root / sysfs_root. `prev` holds the
 * counters of the last call (mono == 0 for none; rates then read 0) and is
 * updated. Fills everything in out but containers_running; time is unix
 * seconds now, interval the CLOCK_MONOTONIC seconds since prev. On error
 * neither prev nor out changes. Stack use: about 70 KiB, no allocation. */
int procfs_sample(const char *procfs_root, const char *sysfs_root,
                  struct procfs_counters *prev, struct fog_node_metrics *out);

/* Reads a whole small file into buf (NUL-terminated) with one read(): procfs,
 * sysfs and regular files return all that fits at once. -EFBIG if it does
 * not fit in len - 2 bytes (a read that fills the buffer may have more). */
int procfs_read_file(const char *path, char *buf, size_t len);
/* The same, but a file longer than the buffer is cut (for /proc/stat and
 * /proc/meminfo, whose first lines are all that is used). */
int procfs_read_head(const char *path, char *buf, size_t len);

#endif
