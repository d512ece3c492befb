/* Private to the liblxc backend (backends/lxc*.c): the backend handle, the
 * per-container entries and the helpers those files share. Nothing outside
 * backends/lxc*.c includes this; the rest of fogfs uses backends/lxc.h. */
#ifndef FOG_BACKEND_LXC_INTERNAL_H
#define FOG_BACKEND_LXC_INTERNAL_H
#include "backends/lxc.h"
#include "backends/cgroup.h"

#include <lxc/lxccontainer.h>

#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/types.h>

#define NAME_MAX_LEN 64
#define SIDECAR "fogfs.limits"

/* One container known to this backend. `c` never changes for the life of an
 * entry; when a container is created, renamed or destroyed its entry goes
 * stale (out of the list) and the next lookup makes a fresh one. */
struct ct_entry {
    struct ct_entry *next;
    char name[NAME_MAX_LEN];
    struct lxc_container *c;
    int refs;                 /* under lxcb.mu */
    int stale;                /* under lxcb.mu */
    pthread_mutex_t op;       /* serializes changing operations */
    pthread_mutex_t data;     /* guards the caches below (held briefly) */
    pid_t cg_pid;             /* init pid the dirs were resolved for; 0 = none */
    struct cg_dirs dirs;
    double started_at;
    int limits_loaded;
    struct lxcb_limits limits;
    int config_dirty;         /* under lxcb.mu: config lags the limits */
};

struct lxcb {
    pthread_mutex_t mu;       /* guards `entries` and the entries' refs/stale */
    struct ct_entry *entries;
    char lxcpath[PATH_MAX];
    char template_name[64];
    char **template_args;     /* NULL-terminated copy */
    char *config_file;
    char shared_dir[PATH_MAX];  /* "" when containers live in lxcpath itself */
    int stop_timeout;
    lxcb_note_fn note;
    void *note_arg;
    int cg_rc;                /* result of cgroup detection */
    struct cg_mounts mounts;
    /* the flusher saves configs of running containers off the write path */
    pthread_t flusher;
    int flusher_started;
    int closing;              /* under mu */
    int dirty;                /* under mu: some entry has config_dirty */
    pthread_cond_t wake;      /* under mu */
};

/* lxc_entries.c: helpers */

/* Puts the reason in `why` (when given) and returns rc. */
int lxcb_fail(char *why, size_t whylen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A line for cluster/events through the opener's note callback (if any). */
void lxcb_note(struct lxcb *b, const char *name, const char *action, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* 1 for a usable container name: [A-Za-z0-9][A-Za-z0-9_.-]*, under NAME_MAX_LEN. */
int lxcb_name_ok(const char *n);

/* lxc_entries.c: entries. A reference keeps an entry's memory; the op lock
 * serializes the operations that change a container. */

/* Reference + op lock on a live (not stale) entry. An undefined container
 * gets -ENOENT unless `may_be_new`. */
int entry_lock(struct lxcb *b, const char *name, int may_be_new, struct ct_entry **out,
               char *why, size_t whylen);
/* Drops the op lock and the reference. */
void entry_unlock(struct lxcb *b, struct ct_entry *e);
/* Reference only, for reads that must not wait behind a slow stop. -ENOENT
 * for a name without a container, -EINVAL for a bad name. */
int entry_ref_defined(struct lxcb *b, const char *name, struct ct_entry **out);
/* Drops a reference; frees a retired entry with the last one. */
void entry_put(struct lxcb *b, struct ct_entry *e);
/* Takes the entry out of the list: the next lookup makes a fresh handle. */
void entry_retire(struct lxcb *b, struct ct_entry *e);
/* 1 when liblxc finds the container defined. */
int entry_is_defined(struct ct_entry *e);
/* Frees an entry no one references (lxcb_close). */
void entry_free(struct ct_entry *e);

/* lxc_shared.c: where a container lives. With a shared dir it lives in
 * <shared>/<name> and this node's lxcpath holds a symlink to it. */

/* <lxcpath>/<name> and <shared_dir>/<name> into out (PATH_MAX); -ENAMETOOLONG. */
/* dir/file into out (PATH_MAX); -ENAMETOOLONG when it does not fit. */
int lxcb_path_join(char *out, const char *dir, const char *file);
int lxcb_local_path(struct lxcb *b, const char *name, char *out);
int lxcb_shared_path(struct lxcb *b, const char *name, char *out);
/* Links <lxcpath>/<name> to <shared_dir>/<name>. */
int lxcb_link_shared(struct lxcb *b, const char *name, char *why, size_t whylen);

/* lxc_rename.c: finishes or drops what a rename interrupted by a crash left
 * (config.fogfs-rename in a container's directory), with a note each; at open. */
void lxcb_rename_repair(struct lxcb *b);

/* lxc.c: state and networks */

/* The container's state as liblxc's monitor reports it. */
enum lxcb_state lxcb_state_of(struct lxc_container *c);
/* Index of the first network whose link (bridge, parent) is absent from this
 * host, or -1. The missing link's name goes into `link`. */
int first_missing_link(struct lxc_container *c, char *link, size_t linklen);

/* lxc_run.c: under e->op. Start: 0 if already running, config synced
 * first. Stop: graceful then killed, 0 if already stopped. */
int lxcb_start_locked(struct lxcb *b, struct ct_entry *e, char *why, size_t whylen);
int lxcb_stop_locked(struct lxcb *b, struct ct_entry *e, char *why, size_t whylen);

/* lxc_limits.c */

/* <lxcpath>/<name>/fogfs.limits<suffix> into out (PATH_MAX). */
int sidecar_path(struct lxcb *b, const char *name, const char *suffix, char *out);
int sidecar_write(struct lxcb *b, const char *name, const struct lxcb_limits *l);
/* The entry's limits, loaded once (sidecar, else the config). */
void limits_load(struct lxcb *b, struct ct_entry *e, struct lxcb_limits *out);
/* Under e->op. Makes the container's saved config carry its limits (the
 * sidecar's values): before every start, and from the flusher. */
int config_sync_locked(struct lxcb *b, struct ct_entry *e, char *why, size_t whylen);
/* The flusher thread (started by lxcb_open), and the final flush of lxcb_close. */
void *lxcb_flusher_main(void *arg);
void lxcb_flush_dirty(struct lxcb *b);

/* lxc_usage.c: the cgroup dirs cache */

/* Under e->data. Resolves the container's cgroup dirs (and start time) from
 * its init pid; reuses them while that pid lives. -ESRCH if not running. */
int cgroup_dirs_locked(struct lxcb *b, struct ct_entry *e);
/* Drops the cached dirs (around a start or stop). */
void cache_forget_cgroup(struct ct_entry *e);

#endif
