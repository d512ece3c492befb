/* Cgroup v1/v2 knowledge without side effects: which layout a host has (from
 * mountinfo text), where a process's cgroup directories are (from
 * /proc/<pid>/cgroup text), and how fogfs limits map onto cgroup values. */
#ifndef FOG_BACKEND_CGROUP_H
#define FOG_BACKEND_CGROUP_H
#include <stddef.h>
#include <stdint.h>

#define CG_CFS_PERIOD_US 100000   /* the period fogfs always uses */
#define CG_PATH_MAX 512

enum cg_version { CG_V1 = 1, CG_V2 = 2 };

/* The controllers fogfs reads or writes. */
enum cg_ctrl { CG_CPU, CG_CPUACCT, CG_MEMORY, CG_PIDS, CG_FREEZER, CG_DEVICES, CG_NCTRL };

/* Mount points of a host's cgroup hierarchies ("" when not mounted). */
struct cg_mounts {
    enum cg_version version;     /* V1 when the v1 cpu controller is mounted */
    char v1[CG_NCTRL][CG_PATH_MAX];
    char unified[CG_PATH_MAX];   /* the cgroup2 mount, if any */
};

/* Parses /proc/self/mountinfo text. -ENOENT if neither a v1 cpu controller
 * nor a cgroup2 mount is found. */
int cg_parse_mountinfo(const char *text, struct cg_mounts *m);
/* Reads and parses /proc/self/mountinfo. */
int cg_detect(struct cg_mounts *m);

/* The directories of one process's cgroups, one per controller (v1) or the
 * same directory for all (v2). */
struct cg_dirs {
    char dir[CG_NCTRL][CG_PATH_MAX];
};
/* From /proc/<pid>/cgroup text and the mounts. -ENOENT if a needed
 * controller is missing. Only CG_CPU, CG_CPUACCT, CG_MEMORY, CG_PIDS are
 * required; the others are filled when found. */
int cg_parse_proc_cgroup(const char *text, const struct cg_mounts *m, struct cg_dirs *d);

/* Controller names as v1 spells them. */
const char *cg_ctrl_name(enum cg_ctrl c);

/* CPU limit: millicores (-1 = max) <-> CFS quota/period in microseconds. */
void cg_millicores_to_cfs(int64_t millicores, int64_t *quota_us, int64_t *period_us);
int64_t cg_cfs_to_millicores(int64_t quota_us, int64_t period_us); /* -1 when quota < 0 */
/* cpu.max: "50000 100000" or "max 100000". */
int cg_format_cpu_max(int64_t millicores, char *buf, size_t len);
int cg_parse_cpu_max(const char *s, int64_t *millicores); /* -EINVAL */

/* CPU request: millicores -> cpu.shares (m*1024/1000, min 2, max 262144). */
uint64_t cg_millicores_to_shares(int64_t millicores);
/* The kernel's conversions between cpu.shares and cpu.weight (default
 * 1024 <-> 100), clamped to 1..10000 and 2..262144. */
uint64_t cg_shares_to_weight(uint64_t shares);
uint64_t cg_weight_to_shares(uint64_t weight);

/* Memory limit: bytes (-1 = max) -> "-1"/"<n>" (v1) or "max"/"<n>" (v2). */
int cg_format_mem_v1(int64_t bytes, char *buf, size_t len);
int cg_format_mem_v2(int64_t bytes, char *buf, size_t len);
/* Either form back to bytes; v1's huge "unlimited" values count as -1. */
int cg_parse_mem(const char *s, int64_t *bytes);

/* One cgroup setting as fogfs persists it in an LXC config and applies it
 * live: "lxc.cgroup.cpu.shares" / "cpu.shares" = "256". */
struct cg_item {
    const char *key;    /* LXC config key: lxc.cgroup.* (v1) or lxc.cgroup2.* (v2) */
    enum cg_ctrl ctrl;  /* whose directory holds `file` */
    const char *file;
    char value[64];     /* for the live file and, unless clear, the config */
    int clear;          /* 1: drop the key from the config (kernel default applies) */
};
#define CG_MAX_ITEMS 2
/* The items (at most CG_MAX_ITEMS, in the order to apply) for a CPU limit in
 * millicores (-1 max), a CPU request in millicores (0 none) or a memory limit
 * in bytes (-1 max). Return how many. */
int cg_items_cpu_limit(enum cg_version v, int64_t millicores, struct cg_item *it);
int cg_items_cpu_request(enum cg_version v, int64_t millicores, struct cg_item *it);
int cg_items_mem_limit(enum cg_version v, int64_t bytes, struct cg_item *it);

/* "usage_usec N" from a v2 cpu.stat text, in nanoseconds. -ENOENT if absent. */
int cg_parse_cpu_stat_usage_ns(const char *text, uint64_t *ns);

/* The only two functions here that touch files: read or write one cgroup
 * file "<dir>/<file>" (value written in one write(2); read NUL-terminated).
 * -errno from open/read/write, e.g. -EBUSY from memory.limit_in_bytes. */
int cg_write_file(const char *dir, const char *file, const char *value);
int cg_read_file(const char *dir, const char *file, char *buf, size_t len);

#endif
