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
/* Whole disks only: a partition (e.g. sda1, mmcblk0p1, nvme0n1p1) and loop/ram
 * devices are skipped. */
int procfs_parse_diskstats(const char *text, uint64_t *reads, uint64_t *writes);
int procfs_parse_loadavg(const char *text, double load[3]);
int procfs_parse_uptime(const char *text, double *uptime_s);
/* "45678" millidegrees -> 45.678 */
int procfs_parse_thermal(const char *text, double *temp_c);
/* CPU count from /sys/devices/system/cpu/online ("0-3", "0,2-3"). */
int procfs_parse_cpu_list(const char *text, int *count);

/* Reads every source under procfs_root / sysfs_root. `prev` holds the
 * counters of the last call (mono == 0 for none; rates then read 0) and is
 * updated. Fills everything in out but containers_running. */
int procfs_sample(const char *procfs_root, const char *sysfs_root,
                  struct procfs_counters *prev, struct fog_node_metrics *out);

/* Reads a whole small file into buf (NUL-terminated). -EFBIG if it does not fit. */
int procfs_read_file(const char *path, char *buf, size_t len);

#endif
