/* Containers through liblxc: the only interface in fogfs that touches LXC
 * (backends/lxc*.c, the liblxc backend, are the only files including
 * <lxc/lxccontainer.h>; they share backends/lxc_internal.h).
 * Cgroup v1, v2 and hybrid hosts are handled inside. Every call returns 0 or
 * -errno and, on failure, leaves a one-line reason in `why` when given. */
#ifndef FOG_BACKEND_LXC_H
#define FOG_BACKEND_LXC_H
#include <stddef.h>
#include <stdint.h>

struct lxcb;

enum lxcb_state {
    LXCB_STOPPED, LXCB_STARTING, LXCB_RUNNING, LXCB_STOPPING, LXCB_FROZEN,
    LXCB_ABORTING, LXCB_FREEZING, LXCB_THAWED, LXCB_UNKNOWN
};

struct lxcb_opts {
    const char *lxcpath;        /* NULL: liblxc's default */
    const char *template_name;  /* NULL: "busybox" */
    const char *const *template_args; /* NULL-terminated, may be NULL */
    const char *config_file;    /* base config for new containers; NULL: liblxc default */
    int stop_timeout;           /* seconds of graceful stop before a kill; default 10 */
    const char *shared_dir;     /* NULL: containers live in lxcpath; else they live in
                                 * shared_dir/<name>, linked from lxcpath/<name> */
};

/* The limits fogfs manages for a container, persisted with it (its LXC
 * config for the cgroup values, plus a sidecar for the exact user values). */
struct lxcb_limits {
    int64_t cpu_limit_m;    /* millicores; -1 = max (no limit) */
    int64_t cpu_request_m;  /* millicores; 0 = none */
    int64_t mem_limit;      /* bytes; -1 = max */
    int autoscale;          /* -1 unset, 0, 1 */
};

struct lxcb_usage {
    uint64_t cpu_ns;        /* cumulative CPU time of the container */
    uint64_t mem_bytes;     /* memory in use now */
    uint64_t pids;          /* tasks now */
};

/* A line lxcb wants in cluster/events, e.g. (name, "create", "no bridge lxcbr0
 * on this host: created without network"); action "start" likewise, "error"
 * for a failed background config save. May be called from lxcb's own thread. */
typedef void (*lxcb_note_fn)(void *arg, const char *container, const char *action, const char *text);

int lxcb_open(const struct lxcb_opts *o, lxcb_note_fn note, void *note_arg, struct lxcb **out);
void lxcb_close(struct lxcb *b);
const char *lxcb_lxcpath(struct lxcb *b);

/* Names of every defined container, sorted; free with lxcb_free_names. */
int lxcb_list(struct lxcb *b, char ***names, size_t *n);
void lxcb_free_names(char **names, size_t n);
int lxcb_exists(struct lxcb *b, const char *name);   /* 1, 0 */

int lxcb_create(struct lxcb *b, const char *name, char *why, size_t whylen); /* -EEXIST */
int lxcb_destroy(struct lxcb *b, const char *name, char *why, size_t whylen); /* stops first */
int lxcb_get_state(struct lxcb *b, const char *name, enum lxcb_state *st);
const char *lxcb_state_name(enum lxcb_state st);      /* "RUNNING", ... */
/* Start runs liblxc's own lxc-start in a fresh process (clean signal state,
 * no inherited fds: safe from a multithreaded daemon) and waits, bounded,
 * for RUNNING. A network whose bridge is missing on this host is left out
 * for that start (config untouched) and noted. 0 if already running;
 * -EBUSY if frozen. */
int lxcb_start(struct lxcb *b, const char *name, char *why, size_t whylen);
/* Graceful (lxc.signal.halt) for up to stop_timeout s, then killed.
 * 0 if already stopped; a frozen container is thawed first. */
int lxcb_stop(struct lxcb *b, const char *name, char *why, size_t whylen);
int lxcb_restart(struct lxcb *b, const char *name, char *why, size_t whylen); /* stop + start */
int lxcb_freeze(struct lxcb *b, const char *name, char *why, size_t whylen);
int lxcb_unfreeze(struct lxcb *b, const char *name, char *why, size_t whylen);
/* Stops (if running), renames, restarts if it ran; limits go along. A
 * rootfs that is a plain directory is not copied: the container's directory
 * is renamed (in the shared dir when it lives there) and its config
 * rewritten; other backing stores, snapshots or clones go through liblxc's
 * rename (a copy). -EEXIST if `to` exists (as a container or any file, here
 * or in the shared dir), nothing changed. A failed step is undone: the
 * container stays under `from`, startable. */
int lxcb_rename(struct lxcb *b, const char *from, const char *to, char *why, size_t whylen);

/* The exact values last set (the sidecar <lxcpath>/<name>/fogfs.limits);
 * without one, read back from the config's cgroup keys; else the defaults
 * (-1, 0, -1, -1). */
int lxcb_get_limits(struct lxcb *b, const char *name, struct lxcb_limits *l);
/* Applies to the running cgroup (if running) and persists. Only the fields
 * that differ from the current limits are touched. -ERANGE for values out of
 * range, the cgroup write's errno (e.g. -EBUSY: memory in use above a new v1
 * limit) with nothing persisted. The sidecar is written at once; the LXC
 * config of a running container is saved within ~0.3 s by a background
 * thread, and always before fogfs starts or renames it. */
int lxcb_set_limits(struct lxcb *b, const char *name, const struct lxcb_limits *l,
                    char *why, size_t whylen);

/* Straight from the cgroup files (dirs resolved once per init pid): ~30 us.
 * -ESRCH if not running. Never waits behind a slow stop/start. */
int lxcb_get_usage(struct lxcb *b, const char *name, struct lxcb_usage *u);
/* Addresses, one per line, into buf (empty if none). */
int lxcb_get_ips(struct lxcb *b, const char *name, char *buf, size_t len);
/* Device nodes passed through, one per line. */
int lxcb_get_devices(struct lxcb *b, const char *name, char *buf, size_t len);
/* "+/dev/X" adds, "-/dev/X" removes (cgroup allow rule + mount entry,
 * persisted, applied live when running). -ENOENT if the host has no such node. */
int lxcb_change_device(struct lxcb *b, const char *name, const char *path, int add,
                       char *why, size_t whylen);
/* Unix time (seconds) at which the container's init started (for autoscale
 * warmup); -ESRCH if stopped. */
int lxcb_get_started_at(struct lxcb *b, const char *name, double *unix_time);

/* Hand-over between nodes that share storage (opts.shared_dir): release
 * drops this node's link to a stopped container (-EXDEV if it is not on the
 * shared storage, -EBUSY if not stopped); adopt links one another node
 * released (-EXDEV if this node cannot see it, -EEXIST if it has one). */
int lxcb_is_shared(struct lxcb *b, const char *name);
int lxcb_release(struct lxcb *b, const char *name, char *why, size_t whylen);
int lxcb_adopt(struct lxcb *b, const char *name, char *why, size_t whylen);

#endif
