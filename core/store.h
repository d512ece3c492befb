/* The store: the one place cluster state lives (registrations, samples,
 * desired specs, events). Two implementations behind this interface:
 * backends/store_local.c (embedded, in-process) and backends/store_etcd.c.
 * Every function returns 0 or -errno. Keys are strings, values are bytes. */
#ifndef FOG_STORE_H
#define FOG_STORE_H
#include <stddef.h>
#include <stdint.h>

struct fog_store;

/* Revisions are etcd's: one counter for the whole store, 1 when it is empty,
 * raised by every change; lists and watches use it to stay consistent. */
struct fog_kv {
    char *key;               /* NUL-terminated */
    char *value;             /* value_len bytes, plus a NUL after them */
    size_t value_len;
    int64_t create_revision;
    int64_t mod_revision;    /* revision of the last put to this key */
    int64_t version;         /* number of puts since creation */
    int64_t lease;           /* 0 = none */
};

enum fog_watch_type { FOG_WATCH_PUT = 1, FOG_WATCH_DELETE = 2 };

struct fog_watch_event {
    enum fog_watch_type type;
    const struct fog_kv *kv;     /* for DELETE: key and mod_revision only */
};

/* Called from a store-owned thread, in revision order, one call per change.
 * status 0 with ev set: a change. status -ECANCELED, ev NULL: the requested
 * revision was compacted (or the watcher fell behind the store's history);
 * it is the last call: the caller should unwatch, list again and re-watch.
 * ev and its kv are valid only during the call. A DELETE's value is "" (0 bytes).
 * The callback may call any store function, unwatch() of its own watch too,
 * but not close(). */
typedef void (*fog_watch_cb)(void *arg, int status, const struct fog_watch_event *ev);

struct fog_watch;

struct fog_store_ops {
    /* -ENOENT when the key does not exist. */
    int (*get)(struct fog_store *s, const char *key, struct fog_kv *out);
    /* All keys starting with prefix, sorted by key; *revision = store revision. */
    int (*list)(struct fog_store *s, const char *prefix, struct fog_kv **out, size_t *n,
                int64_t *revision);
    /* lease 0 = none. *revision (may be NULL) = revision of this put. */
    int (*put)(struct fog_store *s, const char *key, const void *val, size_t len,
               int64_t lease, int64_t *revision);
    /* Put only if the key's mod_revision equals expect (0: key must not exist).
     * -ECANCELED when it does not; nothing changes then. */
    int (*cas)(struct fog_store *s, const char *key, int64_t expect, const void *val,
               size_t len, int64_t lease, int64_t *revision);
    /* Delete only if mod_revision equals expect (expect < 0: unconditionally).
     * -ENOENT if absent, -ECANCELED on mismatch. */
    int (*del)(struct fog_store *s, const char *key, int64_t expect, int64_t *revision);
    /* Leases: keys put with a lease are deleted when it expires or is revoked. */
    int (*lease_grant)(struct fog_store *s, int ttl_seconds, int64_t *lease_id);
    int (*lease_keepalive)(struct fog_store *s, int64_t lease_id);   /* -ENOENT if expired */
    int (*lease_revoke)(struct fog_store *s, int64_t lease_id);
    /* Watch every key under prefix from revision `from` (0: every change after
     * this call returns). `from` = a list's *revision + 1 misses nothing. */
    int (*watch)(struct fog_store *s, const char *prefix, int64_t from, fog_watch_cb cb,
                 void *arg, struct fog_watch **out);
    /* Stops a watch; when it returns, cb is not running and will not be called. */
    void (*unwatch)(struct fog_store *s, struct fog_watch *w);
    /* One line describing it, as /fog/cluster/store shows: "local", "etcd 127.0.0.1:2379". */
    const char *(*describe)(struct fog_store *s);
    /* Optional (NULL: calls never wait on a network): how long one call may
     * keep trying before it fails, in seconds. */
    void (*set_call_timeout)(struct fog_store *s, double seconds);
    void (*close)(struct fog_store *s);
};

struct fog_store {
    const struct fog_store_ops *ops;
};

/* Frees what get/list filled in. */
void fog_kv_clear(struct fog_kv *kv);
void fog_kv_free_array(struct fog_kv *kvs, size_t n);

/* Opens a store from a URL: "local" (or NULL) for the embedded store
 * (nothing persists: see store_local_open), "etcd://HOST:PORT[,HOST:PORT...]"
 * for etcd. -EINVAL for anything else. */
int fog_store_open(const char *url, struct fog_store **out);
/* True for the URLs of the embedded store: "local" and NULL. */
int fog_store_url_is_local(const char *url);

/* A note a store makes about itself for the daemon's log (a state file it
 * cannot read or write): one line, no newline. Called with no store lock held. */
typedef void (*fog_store_note_cb)(void *arg, const char *text);

struct store_local_opts {
    /* Where lease-less settings outlive a restart (the list of persisted
     * keys is in backends/store_local_state.c); NULL: memory only. A file
     * that cannot be read is renamed aside and the store starts empty. */
    const char *state_file;
    fog_store_note_cb note;     /* NULL: notes go to stderr */
    void *note_arg;
};

/* Implementations. o NULL: the embedded store in memory only. */
int store_local_open(const struct store_local_opts *o, struct fog_store **out);
int store_etcd_open(const char *endpoints, struct fog_store **out);

#endif
