/* The daemon context: options, the node's identity and capacity, and every
 * piece of shared state, passed down explicitly (no other global state). */
#ifndef FOG_CTX_H
#define FOG_CTX_H
#include "core/events.h"
#include "core/ctable.h"
#include "backends/procfs.h"
#include "core/led.h"
#include "core/metrics.h"
#include "core/store.h"
#include <pthread.h>
#include <stdint.h>

struct lxcb;
struct fog_autoscale;
struct fog_cluster;
struct fog_remote;
struct fog_migrator;
struct fog_publisher;

/* Where the embedded store keeps settings when fogfs runs as root. */
#define FOG_STATE_FILE_DEFAULT "/var/lib/fogfs/state.json"

struct fog_opts {
    const char *mountpoint;
    const char *node;           /* NULL: hostname */
    const char *lxcpath;        /* NULL: liblxc's default */
    const char *lxc_config;     /* base config for new containers */
    const char *template_name;  /* default "busybox" */
    char *template_args[16];    /* NULL-terminated */
    const char *procfs;         /* default /proc */
    const char *sysfs;          /* default /sys */
    const char *store_url;      /* default "local" */
    const char *state_file;     /* the local store's settings file; "none": memory
                                 * only; NULL: FOG_STATE_FILE_DEFAULT as root */
    double interval;            /* seconds, default 1 */
    int cpus;                   /* 0: online CPUs */
    int64_t mem;                /* 0: MemTotal */
    int stop_timeout;           /* seconds, default 10 */
    int foreground;
    int debug;
    char fuse_opts[512];
    int lease_ttl;              /* seconds, default 5 */
    const char *shared_dir;     /* root filesystems every node sees; NULL: none */
    double write_timeout;       /* seconds a remote write waits, default 5 */
};

struct fog_ctx {
    struct fog_opts o;
    char node[64];
    char arch[72];
    int cpus;
    int64_t cap_cpu_m;
    int64_t cap_mem;
    struct fog_store *store;
    struct lxcb *lxc;
    struct fog_events events;
    struct fog_ctable containers;
    int draining;                     /* node state: 1 after "drain" */
    pthread_mutex_t alloc_lock;       /* serializes capacity checks with their changes */

    pthread_mutex_t sample_lock;      /* guards sample and counters */
    struct fog_node_metrics sample;
    struct procfs_counters counters;  /* the previous reading, for rates */

    struct fog_cluster *cluster;      /* the cluster view (core/cluster.c) */
    struct fog_remote *remote;        /* writes to other nodes (core/remote.c) */
    struct fog_migrator *migrator;    /* migrations (core/migrate.c) */
    struct fog_publisher *publisher;  /* puts that must not block a write (core/publish.c) */
    struct fog_autoscale *autoscale;  /* NULL when not built in */
    /* The node's LED matrix: map and brightness (settings, also in the
     * store), hysteresis state and the rows rendered from the last sample;
     * guarded by sample_lock. */
    struct fog_led_map led_map;
    struct fog_led_state led_state;
    int led_brightness;
    char led_rows[FOG_LED_ROWS_TEXT_LEN + 1];

    pthread_t agent_thread;
    int agent_running;
    pthread_mutex_t agent_lock;
    pthread_cond_t agent_wake;
    int agent_stop;
};

/* Fills defaults, resolves node name, arch, cpus and capacity, opens the
 * store and the LXC backend. */
int fog_ctx_init(struct fog_ctx *ctx);
void fog_ctx_destroy(struct fog_ctx *ctx);

#endif
