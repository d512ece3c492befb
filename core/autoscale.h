/* The autoscaler: when a container's mean CPU use over the window reaches
 * threshold percent of its limit, multiply its request and limit by factor,
 * through the same operation a user's write uses (op_rescale). */
#ifndef FOG_AUTOSCALE_H
#define FOG_AUTOSCALE_H
#include <stddef.h>
#include <stdint.h>

struct fog_ctx;
struct fog_container;
struct fs_dir;

/* /fog/cluster/autoscale/ (core/tree_autoscale.c). */
extern const struct fs_dir fog_autoscale_dir;

/* The policy, as /fog/cluster/autoscale/ shows it. Kept in the store under
 * config/autoscale/<file> (shared by every node of a cluster), cached here. */
struct fog_autoscale_policy {
    int enabled;              /* default for containers whose autoscale is unset */
    int threshold;            /* percent of cpu_limit, 1..100 */
    int factor_milli;         /* factor x 1000: 2000 doubles; 1001..16000 */
    int window;               /* seconds of averaging, 1..86400 */
    int warmup;               /* seconds ignored after a (re)start, 0..86400 */
    int cooldown;             /* seconds between two actions on one container */
    int64_t max_cpu_limit_m;  /* ceiling in millicores; -1 (FOG_UNLIMITED) = none */
    int down_threshold;       /* percent; below it for a window divides; 0 = off */
};

/* The defaults of TREE.md (the study's rule), scale-down off. */
void fog_autoscale_policy_default(struct fog_autoscale_policy *p);

/* One policy file: its name, how to parse and print its value. */
#define FOG_AUTOSCALE_NFILES 8
extern const char *const fog_autoscale_files[FOG_AUTOSCALE_NFILES];
/* Parses a value for file `name` into *p (only that field changes).
 * 0, -EINVAL (does not parse, or no such file), -ERANGE (out of range).
 * *expected (may be NULL) gets a short description of valid values. */
int fog_autoscale_parse(struct fog_autoscale_policy *p, const char *name, const char *val,
                        size_t len, const char **expected);
/* The value of file `name` as it reads back, without the newline. */
int fog_autoscale_format(const struct fog_autoscale_policy *p, const char *name, char *buf,
                         size_t len);

/* What the autoscaler remembers of a container it raised: its values before
 * the first raise (the floor of a scale-down) and the values it last set
 * (when the container's values differ, someone else changed them, and the
 * autoscaler will not lower it). */
struct fog_autoscale_base {
    int known;
    int64_t request_m, limit_m;          /* before the first raise */
    int64_t set_request_m, set_limit_m;  /* after the last action */
};

/* The clocks the decision reads: monotonic and wall seconds, and the agent's
 * sampling interval. */
struct fog_autoscale_now {
    double mono, unix_s, interval;
};

enum fog_autoscale_verdict { FOG_AS_NONE, FOG_AS_UP, FOG_AS_DOWN };

struct fog_autoscale_decision {
    enum fog_autoscale_verdict verdict;
    int64_t request_m, limit_m;   /* new values for UP/DOWN */
    double mean_m;                /* mean over the window (when computed) */
    size_t samples;               /* samples in the window */
    const char *why;              /* for NONE: the reason, e.g. "warmup" */
};

/* The decision, a pure function of the policy, one container (its state,
 * limits, usage history, started_at, last_autoscale), what is remembered of
 * it (base, may be NULL) and the clocks. The window holds the samples newer
 * than its start, the container's (re)start and the last action on it; it
 * is full with window/interval of them. */
void fog_autoscale_decide(const struct fog_autoscale_policy *p, const struct fog_container *c,
                          const struct fog_autoscale_base *base,
                          const struct fog_autoscale_now *now,
                          struct fog_autoscale_decision *d);

/* Daemon side: ctx->autoscale. Reads the policy from the store (defaults
 * for missing keys) and watches it for changes made by other nodes. */
int fog_autoscale_new(struct fog_ctx *ctx);
void fog_autoscale_free(struct fog_ctx *ctx);
/* The cached policy (the defaults when ctx->autoscale is NULL). */
void fog_autoscale_get(struct fog_ctx *ctx, struct fog_autoscale_policy *out);
/* The policy's `enabled`: what a container whose autoscale is unset shows. */
int fog_autoscale_enabled(struct fog_ctx *ctx);
/* A write to /fog/cluster/autoscale/<name>: validated, stored, cached.
 * 0 or -errno; a rejected value changes nothing and leaves one event line. */
int fog_autoscale_set(struct fog_ctx *ctx, const char *name, const char *val, size_t len);

/* Called by the agent after each sample: acts on this node's containers. */
void fog_autoscale_tick(struct fog_ctx *ctx);

#endif
