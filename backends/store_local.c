/* The embedded in-process store: a sorted key map with etcd-like revisions,
 * compare-and-swap, leases expired by a store thread, and watches replayed
 * from a bounded history of recent changes, delivered by that same thread.
 * Lease-less settings are kept in a state file (store_local_state.c). */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "backends/store_local_state.h"
#include "core/store.h"

/* History bounds: a watch from an older revision than what is kept gets
 * -ECANCELED ("compacted"). */
#define LOCAL_HISTORY_MAX_EVENTS 1024
#define LOCAL_HISTORY_MAX_BYTES (2u << 20)

struct local_entry {
    struct fog_kv kv;
};

struct local_lease {
    int64_t id;
    int ttl_seconds;
    struct timespec deadline;    /* CLOCK_MONOTONIC */
};

/* One change; the history holds exactly one per revision. */
struct local_event {
    enum fog_watch_type type;
    struct fog_kv kv;
};

struct fog_watch {
    struct fog_watch *next;
    char *prefix;
    size_t prefix_len;
    int64_t next_rev;            /* next revision to look at */
    fog_watch_cb cb;
    void *arg;
    bool dead;                   /* compacted was reported; no more calls */
    bool free_when_done;         /* unwatched from inside its own callback */
};

struct local_store {
    struct fog_store base;
    pthread_mutex_t mu;
    pthread_cond_t wake;         /* the store thread waits on it */
    pthread_cond_t cb_done;      /* unwatch waits on it */
    pthread_t thread;
    bool stopping;

    struct local_entry **entries;   /* sorted by key */
    size_t n_entries, cap_entries;
    int64_t revision;

    struct local_lease *leases;
    size_t n_leases, cap_leases;
    int64_t next_lease_id;

    struct local_event *history;    /* ring of LOCAL_HISTORY_MAX_EVENTS */
    size_t hist_head, hist_count, hist_bytes;
    int64_t compact_revision;       /* newest revision dropped from history */

    struct fog_watch *watches;
    struct fog_watch *delivering;   /* watch whose callback runs now */

    /* The state file (NULL: memory only); see local_unlock_and_save(). */
    char *state_file;
    fog_store_note_cb note;
    void *note_arg;
    bool dirty;                  /* a persisted key changed; guarded by mu */
    uint64_t snapshots;          /* snapshots taken; guarded by mu */
    pthread_mutex_t save_mu;     /* serializes file writes; guards saved */
    uint64_t saved;              /* the newest snapshot on disk */
};

static struct local_store *local_from(struct fog_store *s)
{
    return (struct local_store *)s;
}

static void monotonic_now(struct timespec *ts)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
}

static int timespec_cmp(const struct timespec *a, const struct timespec *b)
{
    if (a->tv_sec != b->tv_sec)
        return a->tv_sec < b->tv_sec ? -1 : 1;
    if (a->tv_nsec != b->tv_nsec)
        return a->tv_nsec < b->tv_nsec ? -1 : 1;
    return 0;
}

/* ---- key/value copies ---- */

static int kv_copy(struct fog_kv *dst, const struct fog_kv *src)
{
    *dst = *src;
    dst->key = strdup(src->key);
    dst->value = malloc(src->value_len + 1);
    if (!dst->key || !dst->value) {
        free(dst->key);
        free(dst->value);
        memset(dst, 0, sizeof *dst);
        return -ENOMEM;
    }
    if (src->value_len)
        memcpy(dst->value, src->value, src->value_len);
    dst->value[src->value_len] = 0;
    return 0;
}

static int kv_set_value(struct fog_kv *kv, const void *val, size_t len)
{
    char *copy = malloc(len + 1);
    if (!copy)
        return -ENOMEM;
    if (len)
        memcpy(copy, val, len);
    copy[len] = 0;
    free(kv->value);
    kv->value = copy;
    kv->value_len = len;
    return 0;
}

/* ---- sorted map ---- */

/* Index of the first entry whose key is >= key. */
static size_t entries_lower_bound(const struct local_store *ls, const char *key)
{
    size_t lo = 0, hi = ls->n_entries;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(ls->entries[mid]->kv.key, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static struct local_entry *entries_find(const struct local_store *ls, const char *key,
                                        size_t *index)
{
    size_t i = entries_lower_bound(ls, key);
    if (index)
        *index = i;
    if (i < ls->n_entries && strcmp(ls->entries[i]->kv.key, key) == 0)
        return ls->entries[i];
    return NULL;
}

static int entries_insert_at(struct local_store *ls, size_t i, struct local_entry *e)
{
    if (ls->n_entries == ls->cap_entries) {
        size_t cap = ls->cap_entries ? ls->cap_entries * 2 : 64;
        struct local_entry **grown = realloc(ls->entries, cap * sizeof *grown);
        if (!grown)
            return -ENOMEM;
        ls->entries = grown;
        ls->cap_entries = cap;
    }
    memmove(&ls->entries[i + 1], &ls->entries[i],
            (ls->n_entries - i) * sizeof *ls->entries);
    ls->entries[i] = e;
    ls->n_entries++;
    return 0;
}

static void entry_free(struct local_entry *e)
{
    fog_kv_clear(&e->kv);
    free(e);
}

/* ---- history ---- */

static size_t event_bytes(const struct local_event *ev)
{
    return strlen(ev->kv.key) + ev->kv.value_len + sizeof *ev;
}

static struct local_event *history_at(struct local_store *ls, size_t i)
{
    return &ls->history[(ls->hist_head + i) % LOCAL_HISTORY_MAX_EVENTS];
}

static void history_drop_oldest(struct local_store *ls)
{
    struct local_event *old = history_at(ls, 0);
    ls->compact_revision = old->kv.mod_revision;
    ls->hist_bytes -= event_bytes(old);
    fog_kv_clear(&old->kv);
    ls->hist_head = (ls->hist_head + 1) % LOCAL_HISTORY_MAX_EVENTS;
    ls->hist_count--;
}

/* Records the change at ls->revision (already advanced) and wakes the thread. */
static int history_append(struct local_store *ls, enum fog_watch_type type,
                          const struct fog_kv *kv)
{
    struct local_event ev = { .type = type };
    int rc = kv_copy(&ev.kv, kv);
    if (rc)
        return rc;
    if (type == FOG_WATCH_DELETE) {
        ev.kv.mod_revision = ls->revision;
        ev.kv.create_revision = 0;
        ev.kv.version = 0;
        ev.kv.lease = 0;
        ev.kv.value[0] = 0;
        ev.kv.value_len = 0;
    }
    while (ls->hist_count == LOCAL_HISTORY_MAX_EVENTS ||
           (ls->hist_count && ls->hist_bytes + event_bytes(&ev) > LOCAL_HISTORY_MAX_BYTES))
        history_drop_oldest(ls);
    *history_at(ls, ls->hist_count) = ev;
    ls->hist_count++;
    ls->hist_bytes += event_bytes(&ev);
    pthread_cond_signal(&ls->wake);
    return 0;
}

/* The event of revision rev, or NULL when it is not in the history. */
static struct local_event *history_find(struct local_store *ls, int64_t rev)
{
    if (!ls->hist_count)
        return NULL;
    int64_t first = history_at(ls, 0)->kv.mod_revision;
    if (rev < first || rev - first >= (int64_t)ls->hist_count)
        return NULL;
    return history_at(ls, (size_t)(rev - first));
}

/* ---- changes (called with the mutex held) ---- */

static struct local_lease *lease_find(struct local_store *ls, int64_t id)
{
    for (size_t i = 0; i < ls->n_leases; i++)
        if (ls->leases[i].id == id)
            return &ls->leases[i];
    return NULL;
}

static int apply_put(struct local_store *ls, const char *key, const void *val, size_t len,
                     int64_t lease, int64_t *revision)
{
    size_t index;
    struct local_entry *e = entries_find(ls, key, &index);
    struct fog_kv next = {0};
    int rc;

    if (lease && !lease_find(ls, lease))
        return -ENOENT;
    bool persisted = local_state_persists(key, lease) ||
                     (e && local_state_persists(key, e->kv.lease));
    if (e) {
        next = e->kv;
        next.value = NULL;
        next.version++;
    } else {
        next.key = strdup(key);
        if (!next.key)
            return -ENOMEM;
        next.create_revision = ls->revision + 1;
        next.version = 1;
    }
    rc = kv_set_value(&next, val, len);
    if (rc) {
        if (!e)
            free(next.key);
        return rc;
    }
    next.mod_revision = ls->revision + 1;
    next.lease = lease;
    if (!e) {
        struct local_entry *fresh = calloc(1, sizeof *fresh);
        if (!fresh || entries_insert_at(ls, index, fresh)) {
            free(fresh);
            fog_kv_clear(&next);
            return -ENOMEM;
        }
        e = fresh;
    } else {
        free(e->kv.value);
    }
    e->kv = next;
    ls->revision++;
    ls->dirty |= persisted;
    rc = history_append(ls, FOG_WATCH_PUT, &e->kv);
    if (revision)
        *revision = ls->revision;
    return rc;
}

static int apply_delete_at(struct local_store *ls, size_t index, int64_t *revision)
{
    struct local_entry *e = ls->entries[index];
    int rc;

    memmove(&ls->entries[index], &ls->entries[index + 1],
            (ls->n_entries - index - 1) * sizeof *ls->entries);
    ls->n_entries--;
    ls->revision++;
    ls->dirty |= local_state_persists(e->kv.key, e->kv.lease);
    rc = history_append(ls, FOG_WATCH_DELETE, &e->kv);
    entry_free(e);
    if (revision)
        *revision = ls->revision;
    return rc;
}

static void delete_lease_keys(struct local_store *ls, int64_t lease)
{
    for (size_t i = 0; i < ls->n_entries;) {
        if (ls->entries[i]->kv.lease == lease)
            apply_delete_at(ls, i, NULL);
        else
            i++;
    }
}

static void lease_remove(struct local_store *ls, struct local_lease *l)
{
    int64_t id = l->id;
    size_t i = (size_t)(l - ls->leases);
    ls->leases[i] = ls->leases[ls->n_leases - 1];
    ls->n_leases--;
    delete_lease_keys(ls, id);
}

/* ---- the state file ---- */

static void local_note(struct local_store *ls, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void local_note(struct local_store *ls, const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (ls->note)
        ls->note(ls->note_arg, text);
    else
        fprintf(stderr, "store: %s\n", text);
}

/* The state file's text for the persisted keys as they are now (mu held). */
static int local_snapshot(struct local_store *ls, char **text)
{
    const struct fog_kv **kvs = malloc((ls->n_entries ? ls->n_entries : 1) * sizeof *kvs);
    size_t n = 0;
    if (!kvs)
        return -ENOMEM;
    for (size_t i = 0; i < ls->n_entries; i++)
        if (local_state_persists(ls->entries[i]->kv.key, ls->entries[i]->kv.lease))
            kvs[n++] = &ls->entries[i]->kv;
    int rc = local_state_encode(kvs, n, ls->revision, text);
    free(kvs);
    return rc;
}

/* Ends a change (mu held): when it touched a persisted key, takes a snapshot
 * before releasing mu and writes it after, so the file write and its fsync
 * hold up no other store call, and the caller returns only once its change
 * is on disk (in its own snapshot or a newer one). A write that fails leaves
 * the change in memory and is noted; the next settings change saves all. */
static void local_unlock_and_save(struct local_store *ls)
{
    char *text = NULL;
    int rc = 0;

    if (!ls->dirty || !ls->state_file) {
        pthread_mutex_unlock(&ls->mu);
        return;
    }
    ls->dirty = false;
    uint64_t seq = ++ls->snapshots;
    rc = local_snapshot(ls, &text);
    pthread_mutex_unlock(&ls->mu);
    pthread_mutex_lock(&ls->save_mu);
    if (!rc && seq > ls->saved) {
        rc = local_state_write(ls->state_file, text);
        if (!rc)
            ls->saved = seq;
    }
    pthread_mutex_unlock(&ls->save_mu);
    free(text);
    if (rc)
        local_note(ls, "cannot save settings to %s: %s (the change holds until fogfs stops; "
                   "the next settings change saves all again)", ls->state_file, strerror(-rc));
}

/* Loads the state file into an empty store (before its thread starts). A
 * file that cannot be read is renamed aside, so a later save does not
 * overwrite it; if even that fails, nothing is saved in this run. */
static void local_load(struct local_store *ls)
{
    struct fog_kv *kvs = NULL;
    size_t n = 0;
    int64_t revision = 0;
    char aside[4200];
    int rc = local_state_read(ls->state_file, &kvs, &n, &revision);

    if (rc == -ENOENT)
        return;                  /* a first start */
    if (rc) {
        const char *why = rc == -EINVAL ? "not a fogfs state file" : strerror(-rc);
        int r2 = local_state_set_aside(ls->state_file, aside, sizeof aside);
        if (!r2) {
            local_note(ls, "state file %s: %s; moved aside to %s, settings start from defaults",
                       ls->state_file, why, aside);
        } else {
            local_note(ls, "state file %s: %s, and it cannot be moved aside (%s); settings "
                       "start from defaults and are not saved in this run", ls->state_file,
                       why, strerror(-r2));
            free(ls->state_file);
            ls->state_file = NULL;
        }
        return;
    }
    /* Revisions go on from the file's: none handed out again, and a watch
     * from before the restart is told its history is gone. */
    ls->revision = revision;
    ls->compact_revision = revision;
    for (size_t i = 0; i < n && !rc; i++) {
        size_t index;
        struct local_entry *e = calloc(1, sizeof *e);
        if (!e || entries_find(ls, kvs[i].key, &index) || entries_insert_at(ls, index, e)) {
            free(e);
            rc = -ENOMEM;
            break;
        }
        e->kv = kvs[i];
        memset(&kvs[i], 0, sizeof kvs[i]);
    }
    fog_kv_free_array(kvs, n);
    if (rc)
        local_note(ls, "state file %s: %s while loading; some settings start from defaults",
                   ls->state_file, strerror(-rc));
}

/* ---- operations ---- */

static int local_get(struct fog_store *s, const char *key, struct fog_kv *out)
{
    struct local_store *ls = local_from(s);
    int rc;

    if (!key || !out)
        return -EINVAL;
    pthread_mutex_lock(&ls->mu);
    struct local_entry *e = entries_find(ls, key, NULL);
    rc = e ? kv_copy(out, &e->kv) : -ENOENT;
    pthread_mutex_unlock(&ls->mu);
    return rc;
}

static int local_list(struct fog_store *s, const char *prefix, struct fog_kv **out, size_t *n,
                      int64_t *revision)
{
    struct local_store *ls = local_from(s);
    struct fog_kv *kvs = NULL;
    size_t count = 0, plen;
    int rc = 0;

    if (!out || !n)
        return -EINVAL;
    if (!prefix)
        prefix = "";
    plen = strlen(prefix);
    pthread_mutex_lock(&ls->mu);
    size_t first = entries_lower_bound(ls, prefix), last = first;
    while (last < ls->n_entries && strncmp(ls->entries[last]->kv.key, prefix, plen) == 0)
        last++;
    if (last > first) {
        kvs = calloc(last - first, sizeof *kvs);
        if (!kvs)
            rc = -ENOMEM;
    }
    for (size_t i = first; !rc && i < last; i++) {
        rc = kv_copy(&kvs[count], &ls->entries[i]->kv);
        if (!rc)
            count++;
    }
    if (revision)
        *revision = ls->revision;
    pthread_mutex_unlock(&ls->mu);
    if (rc) {
        fog_kv_free_array(kvs, count);
        return rc;
    }
    *out = kvs;
    *n = count;
    return 0;
}

static int local_put(struct fog_store *s, const char *key, const void *val, size_t len,
                     int64_t lease, int64_t *revision)
{
    struct local_store *ls = local_from(s);
    int rc;

    if (!key || !*key || (len && !val))
        return -EINVAL;
    pthread_mutex_lock(&ls->mu);
    rc = apply_put(ls, key, val, len, lease, revision);
    local_unlock_and_save(ls);
    return rc;
}

static int local_cas(struct fog_store *s, const char *key, int64_t expect, const void *val,
                     size_t len, int64_t lease, int64_t *revision)
{
    struct local_store *ls = local_from(s);
    int rc;

    if (!key || !*key || (len && !val) || expect < 0)
        return -EINVAL;
    pthread_mutex_lock(&ls->mu);
    struct local_entry *e = entries_find(ls, key, NULL);
    int64_t current = e ? e->kv.mod_revision : 0;
    if (current != expect)
        rc = -ECANCELED;
    else
        rc = apply_put(ls, key, val, len, lease, revision);
    local_unlock_and_save(ls);
    return rc;
}

static int local_del(struct fog_store *s, const char *key, int64_t expect, int64_t *revision)
{
    struct local_store *ls = local_from(s);
    size_t index;
    int rc;

    if (!key)
        return -EINVAL;
    pthread_mutex_lock(&ls->mu);
    struct local_entry *e = entries_find(ls, key, &index);
    if (!e)
        rc = -ENOENT;
    else if (expect >= 0 && e->kv.mod_revision != expect)
        rc = -ECANCELED;
    else
        rc = apply_delete_at(ls, index, revision);
    local_unlock_and_save(ls);
    return rc;
}

static void lease_set_deadline(struct local_lease *l)
{
    monotonic_now(&l->deadline);
    l->deadline.tv_sec += l->ttl_seconds;
}

static int local_lease_grant(struct fog_store *s, int ttl_seconds, int64_t *lease_id)
{
    struct local_store *ls = local_from(s);
    int rc = 0;

    if (ttl_seconds <= 0 || !lease_id)
        return -EINVAL;
    pthread_mutex_lock(&ls->mu);
    if (ls->n_leases == ls->cap_leases) {
        size_t cap = ls->cap_leases ? ls->cap_leases * 2 : 16;
        struct local_lease *grown = realloc(ls->leases, cap * sizeof *grown);
        if (!grown)
            rc = -ENOMEM;
        else {
            ls->leases = grown;
            ls->cap_leases = cap;
        }
    }
    if (!rc) {
        struct local_lease *l = &ls->leases[ls->n_leases++];
        l->id = ls->next_lease_id++;
        l->ttl_seconds = ttl_seconds;
        lease_set_deadline(l);
        *lease_id = l->id;
        pthread_cond_signal(&ls->wake);
    }
    pthread_mutex_unlock(&ls->mu);
    return rc;
}

static int local_lease_keepalive(struct fog_store *s, int64_t lease_id)
{
    struct local_store *ls = local_from(s);
    pthread_mutex_lock(&ls->mu);
    struct local_lease *l = lease_find(ls, lease_id);
    if (l)
        lease_set_deadline(l);
    pthread_mutex_unlock(&ls->mu);
    return l ? 0 : -ENOENT;
}

static int local_lease_revoke(struct fog_store *s, int64_t lease_id)
{
    struct local_store *ls = local_from(s);
    pthread_mutex_lock(&ls->mu);
    struct local_lease *l = lease_find(ls, lease_id);
    if (l)
        lease_remove(ls, l);
    pthread_mutex_unlock(&ls->mu);
    return l ? 0 : -ENOENT;
}

static int local_watch(struct fog_store *s, const char *prefix, int64_t from, fog_watch_cb cb,
                       void *arg, struct fog_watch **out)
{
    struct local_store *ls = local_from(s);
    struct fog_watch *w;

    if (!cb || !out || from < 0)
        return -EINVAL;
    w = calloc(1, sizeof *w);
    if (!w)
        return -ENOMEM;
    w->prefix = strdup(prefix ? prefix : "");
    if (!w->prefix) {
        free(w);
        return -ENOMEM;
    }
    w->prefix_len = strlen(w->prefix);
    w->cb = cb;
    w->arg = arg;
    pthread_mutex_lock(&ls->mu);
    w->next_rev = from ? from : ls->revision + 1;
    w->next = ls->watches;
    ls->watches = w;
    pthread_cond_signal(&ls->wake);
    pthread_mutex_unlock(&ls->mu);
    *out = w;
    return 0;
}

static void watch_free(struct fog_watch *w)
{
    free(w->prefix);
    free(w);
}

static void local_unwatch(struct fog_store *s, struct fog_watch *w)
{
    struct local_store *ls = local_from(s);

    if (!w)
        return;
    pthread_mutex_lock(&ls->mu);
    for (struct fog_watch **p = &ls->watches; *p; p = &(*p)->next) {
        if (*p == w) {
            *p = w->next;
            break;
        }
    }
    if (ls->delivering == w && pthread_equal(pthread_self(), ls->thread)) {
        w->free_when_done = true;   /* the store thread frees it after the callback */
        w = NULL;
    } else {
        while (ls->delivering == w)
            pthread_cond_wait(&ls->cb_done, &ls->mu);
    }
    pthread_mutex_unlock(&ls->mu);
    if (w)
        watch_free(w);
}

static const char *local_describe(struct fog_store *s)
{
    return "local";
}

/* ---- the store thread ---- */

/* The live watch with the lowest pending revision, or NULL if none waits. */
static struct fog_watch *watch_most_behind(struct local_store *ls)
{
    struct fog_watch *best = NULL;
    for (struct fog_watch *w = ls->watches; w; w = w->next) {
        if (w->dead || w->next_rev > ls->revision)
            continue;
        if (!best || w->next_rev < best->next_rev)
            best = w;
    }
    return best;
}

/* Runs one callback with the mutex released; returns with it held again. */
static void deliver(struct local_store *ls, struct fog_watch *w, int status,
                    const struct fog_watch_event *ev)
{
    ls->delivering = w;
    pthread_mutex_unlock(&ls->mu);
    w->cb(w->arg, status, ev);
    pthread_mutex_lock(&ls->mu);
    ls->delivering = NULL;
    pthread_cond_broadcast(&ls->cb_done);
    if (w->free_when_done)
        watch_free(w);
}

/* Delivers one pending change (or a compaction) to one watch. Returns false
 * when nothing is pending. */
static bool dispatch_one(struct local_store *ls)
{
    struct fog_watch *w = watch_most_behind(ls);
    if (!w)
        return false;
    if (w->next_rev <= ls->compact_revision) {
        w->dead = true;
        deliver(ls, w, -ECANCELED, NULL);
        return true;
    }
    struct local_event *stored = history_find(ls, w->next_rev);
    w->next_rev++;
    if (!stored || strncmp(stored->kv.key, w->prefix, w->prefix_len) != 0)
        return true;
    struct local_event copy = { .type = stored->type };
    if (kv_copy(&copy.kv, &stored->kv)) {
        w->next_rev--;   /* out of memory: try again on the next wakeup */
        return false;
    }
    struct fog_watch_event ev = { .type = copy.type, .kv = &copy.kv };
    deliver(ls, w, 0, &ev);
    fog_kv_clear(&copy.kv);
    return true;
}

/* Expires due leases; fills *next_deadline with the earliest one left. */
static bool expire_leases(struct local_store *ls, struct timespec *next_deadline)
{
    struct timespec now;
    bool any = false;

    monotonic_now(&now);
    for (size_t i = 0; i < ls->n_leases;) {
        if (timespec_cmp(&ls->leases[i].deadline, &now) <= 0) {
            lease_remove(ls, &ls->leases[i]);
            continue;
        }
        if (!any || timespec_cmp(&ls->leases[i].deadline, next_deadline) < 0)
            *next_deadline = ls->leases[i].deadline;
        any = true;
        i++;
    }
    return any;
}

static void *local_store_thread(void *arg)
{
    struct local_store *ls = arg;

    pthread_mutex_lock(&ls->mu);
    while (!ls->stopping) {
        struct timespec deadline;
        bool have_deadline = expire_leases(ls, &deadline);
        if (dispatch_one(ls))
            continue;
        if (have_deadline)
            pthread_cond_timedwait(&ls->wake, &ls->mu, &deadline);
        else
            pthread_cond_wait(&ls->wake, &ls->mu);
    }
    pthread_mutex_unlock(&ls->mu);
    return NULL;
}

static void local_close(struct fog_store *s)
{
    struct local_store *ls = local_from(s);

    if (!ls)
        return;
    pthread_mutex_lock(&ls->mu);
    ls->stopping = true;
    pthread_cond_signal(&ls->wake);
    pthread_mutex_unlock(&ls->mu);
    pthread_join(ls->thread, NULL);

    while (ls->watches) {
        struct fog_watch *w = ls->watches;
        ls->watches = w->next;
        watch_free(w);
    }
    while (ls->hist_count)
        history_drop_oldest(ls);
    for (size_t i = 0; i < ls->n_entries; i++)
        entry_free(ls->entries[i]);
    free(ls->entries);
    free(ls->history);
    free(ls->leases);
    free(ls->state_file);
    pthread_mutex_destroy(&ls->save_mu);
    pthread_cond_destroy(&ls->cb_done);
    pthread_cond_destroy(&ls->wake);
    pthread_mutex_destroy(&ls->mu);
    free(ls);
}

static const struct fog_store_ops local_ops = {
    .get = local_get,
    .list = local_list,
    .put = local_put,
    .cas = local_cas,
    .del = local_del,
    .lease_grant = local_lease_grant,
    .lease_keepalive = local_lease_keepalive,
    .lease_revoke = local_lease_revoke,
    .watch = local_watch,
    .unwatch = local_unwatch,
    .describe = local_describe,
    .close = local_close,
};

int store_local_open(const struct store_local_opts *o, struct fog_store **out)
{
    struct local_store *ls;
    pthread_condattr_t attr;
    int rc;

    if (!out)
        return -EINVAL;
    ls = calloc(1, sizeof *ls);
    if (!ls)
        return -ENOMEM;
    ls->history = calloc(LOCAL_HISTORY_MAX_EVENTS, sizeof *ls->history);
    if (!ls->history) {
        free(ls);
        return -ENOMEM;
    }
    ls->base.ops = &local_ops;
    ls->revision = 1;            /* like etcd: an empty store is at revision 1 */
    ls->next_lease_id = 0x6c6f63616c0001;   /* "local" + 1: distinct from small ints */
    if (o) {
        ls->note = o->note;
        ls->note_arg = o->note_arg;
    }
    if (o && o->state_file && !(ls->state_file = strdup(o->state_file))) {
        free(ls->history);
        free(ls);
        return -ENOMEM;
    }
    if (ls->state_file)
        local_load(ls);
    pthread_mutex_init(&ls->mu, NULL);
    pthread_mutex_init(&ls->save_mu, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&ls->wake, &attr);
    pthread_condattr_destroy(&attr);
    pthread_cond_init(&ls->cb_done, NULL);
    rc = -pthread_create(&ls->thread, NULL, local_store_thread, ls);
    if (rc) {
        pthread_cond_destroy(&ls->cb_done);
        pthread_cond_destroy(&ls->wake);
        pthread_mutex_destroy(&ls->save_mu);
        pthread_mutex_destroy(&ls->mu);
        for (size_t i = 0; i < ls->n_entries; i++)
            entry_free(ls->entries[i]);
        free(ls->entries);
        free(ls->state_file);
        free(ls->history);
        free(ls);
        return rc;
    }
    *out = &ls->base;
    return 0;
}
