/* The store conformance suite: every behaviour core/store.h promises, run
 * against any implementation through an open() factory. Included by
 * test_store_local.c and test_store_etcd.c; each test uses its own key prefix. */
#ifndef FOG_STORE_CONFORMANCE_H
#define FOG_STORE_CONFORMANCE_H
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "core/store.h"
/* check.h's CHECK trips gcc's misleading-indentation warning and its messages
 * may be cut short by design; both are harmless in tests. */
#pragma GCC diagnostic ignored "-Wmisleading-indentation"
#pragma GCC diagnostic ignored "-Wformat-truncation"
#include "tests/unit/check.h"

struct conformance_target {
    /* Opens a fresh handle on the store under test. */
    int (*open)(struct fog_store **out);
    /* Makes the store forget history so that a watch from *compacted (or
     * older) reports -ECANCELED. Keys it writes stay under prefix. */
    int (*compact)(struct fog_store *s, const char *prefix, int64_t *compacted);
    /* Sizes the concurrent CAS test: threads x increments each. */
    int cas_threads, cas_increments;
};

/* The suite's one piece of state: RUN_TEST takes functions without arguments. */
static const struct conformance_target *conf_target_;

static double conf_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void conf_sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* A fresh store and a key prefix no other test (or earlier run) used. */
static struct fog_store *conf_open(char *prefix, size_t size)
{
    static int serial;
    struct fog_store *s = NULL;
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(prefix, size, "/conformance/%d-%lld-%ld-%d/", (int)getpid(),
             (long long)ts.tv_sec, ts.tv_nsec, ++serial);
    int rc = conf_target_->open(&s);
    CHECK_EQ_INT(rc, 0);
    return rc ? NULL : s;
}

static void conf_key(char *out, size_t size, const char *prefix, const char *name)
{
    snprintf(out, size, "%s%s", prefix, name);
}

/* ---- watch event recorder ---- */

struct conf_event {
    int status;
    enum fog_watch_type type;
    char key[256];
    char value[64];
    int64_t mod_revision;
};

struct conf_recorder {
    pthread_mutex_t mu;
    pthread_cond_t cond;
    struct conf_event ev[512];
    size_t n;
    int in_callback;
    int calls_after_stop;
    int stopped;
    int sleep_ms;           /* each callback sleeps this long */
};

static void conf_recorder_init(struct conf_recorder *r)
{
    memset(r, 0, sizeof *r);
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cond, NULL);
}

static void conf_recorder_destroy(struct conf_recorder *r)
{
    pthread_cond_destroy(&r->cond);
    pthread_mutex_destroy(&r->mu);
}

static void conf_record_cb(void *arg, int status, const struct fog_watch_event *ev)
{
    struct conf_recorder *r = arg;

    pthread_mutex_lock(&r->mu);
    r->in_callback++;
    if (r->stopped)
        r->calls_after_stop++;
    if (r->n < sizeof r->ev / sizeof r->ev[0]) {
        struct conf_event *e = &r->ev[r->n];
        memset(e, 0, sizeof *e);
        e->status = status;
        if (ev) {
            e->type = ev->type;
            snprintf(e->key, sizeof e->key, "%s", ev->kv->key);
            snprintf(e->value, sizeof e->value, "%.*s", (int)ev->kv->value_len,
                     ev->kv->value ? ev->kv->value : "");
            e->mod_revision = ev->kv->mod_revision;
        }
        r->n++;
    }
    pthread_cond_broadcast(&r->cond);
    int sleep_ms = r->sleep_ms;
    pthread_mutex_unlock(&r->mu);
    if (sleep_ms)
        conf_sleep_ms(sleep_ms);
    pthread_mutex_lock(&r->mu);
    r->in_callback--;
    pthread_mutex_unlock(&r->mu);
}

/* Waits (at most timeout_s) for n recorded calls; returns how many there are. */
static size_t conf_wait_events(struct conf_recorder *r, size_t n, double timeout_s)
{
    double end = conf_now() + timeout_s;
    size_t have;

    pthread_mutex_lock(&r->mu);
    while (r->n < n && conf_now() < end) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 50 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&r->cond, &r->mu, &ts);
    }
    have = r->n;
    pthread_mutex_unlock(&r->mu);
    return have;
}

/* ---- basic key/value ---- */

static void conformance_get_put(void)
{
    char prefix[128], key[256];
    struct fog_store *s = conf_open(prefix, sizeof prefix);
    struct fog_kv kv = {0};
    int64_t rev1 = 0, rev2 = 0;
    static const char binary[] = { 'a', 0, 'b', '\n', (char)0xff };

    if (!s)
        return;
    conf_key(key, sizeof key, prefix, "k");
    CHECK_EQ_INT(s->ops->get(s, key, &kv), -ENOENT);
    CHECK_EQ_INT(s->ops->put(s, key, "one", 3, 0, &rev1), 0);
    CHECK(rev1 > 0);
    CHECK_EQ_INT(s->ops->get(s, key, &kv), 0);
    CHECK_EQ_STR(kv.key, key);
    CHECK_EQ_INT(kv.value_len, 3);
    CHECK_EQ_STR(kv.value, "one");
    CHECK_EQ_INT(kv.create_revision, rev1);
    CHECK_EQ_INT(kv.mod_revision, rev1);
    CHECK_EQ_INT(kv.version, 1);
    CHECK_EQ_INT(kv.lease, 0);
    fog_kv_clear(&kv);

    CHECK_EQ_INT(s->ops->put(s, key, binary, sizeof binary, 0, &rev2), 0);
    CHECK(rev2 > rev1);
    CHECK_EQ_INT(s->ops->get(s, key, &kv), 0);
    CHECK_EQ_INT(kv.value_len, sizeof binary);
    CHECK(kv.value && memcmp(kv.value, binary, sizeof binary) == 0);
    CHECK(kv.value && kv.value[sizeof binary] == 0);
    CHECK_EQ_INT(kv.create_revision, rev1);
    CHECK_EQ_INT(kv.mod_revision, rev2);
    CHECK_EQ_INT(kv.version, 2);
    fog_kv_clear(&kv);

    /* An empty value is a value, not an absence. */
    CHECK_EQ_INT(s->ops->put(s, key, "", 0, 0, NULL), 0);
    CHECK_EQ_INT(s->ops->get(s, key, &kv), 0);
    CHECK_EQ_INT(kv.value_len, 0);
    CHECK(kv.value && kv.value[0] == 0);
    CHECK_EQ_INT(kv.version, 3);
    fog_kv_clear(&kv);
    CHECK(s->ops->describe(s) && *s->ops->describe(s));
    s->ops->close(s);
}

static void conformance_list(void)
{
    char prefix[128], key[256], other[160];
    struct fog_store *s = conf_open(prefix, sizeof prefix);
    struct fog_kv *kvs = NULL;
    size_t n = 99;
    int64_t rev = 0, list_rev = 0;
    static const char *names[] = { "b", "a/x", "c", "a" };

    if (!s)
        return;
    for (size_t i = 0; i < 4; i++) {
        conf_key(key, sizeof key, prefix, names[i]);
        CHECK_EQ_INT(s->ops->put(s, key, names[i], strlen(names[i]), 0, &rev), 0);
    }
    /* A sibling sharing the prefix text minus its slash stays out. */
    snprintf(other, sizeof other, "%.*s", (int)strlen(prefix) - 1, prefix);
    strcat(other, "x");
    CHECK_EQ_INT(s->ops->put(s, other, "no", 2, 0, NULL), 0);

    CHECK_EQ_INT(s->ops->list(s, prefix, &kvs, &n, &list_rev), 0);
    CHECK_EQ_INT(n, 4);
    CHECK(list_rev > rev);
    if (n == 4) {
        static const char *sorted[] = { "a", "a/x", "b", "c" };
        for (size_t i = 0; i < 4; i++) {
            conf_key(key, sizeof key, prefix, sorted[i]);
            CHECK_EQ_STR(kvs[i].key, key);
            CHECK_EQ_STR(kvs[i].value, sorted[i]);
            CHECK(kvs[i].mod_revision > 0 && kvs[i].version == 1);
        }
    }
    fog_kv_free_array(kvs, n);

    conf_key(key, sizeof key, prefix, "a");
    CHECK_EQ_INT(s->ops->list(s, key, &kvs, &n, NULL), 0);
    CHECK_EQ_INT(n, 2);
    fog_kv_free_array(kvs, n);

    conf_key(key, sizeof key, prefix, "none/");
    n = 99;
    CHECK_EQ_INT(s->ops->list(s, key, &kvs, &n, &list_rev), 0);
    CHECK_EQ_INT(n, 0);
    fog_kv_free_array(kvs, n);
    s->ops->close(s);
}

static void conformance_cas(void)
{
    char prefix[128], key[256];
    struct fog_store *s = conf_open(prefix, sizeof prefix);
    struct fog_kv kv = {0};
    int64_t rev1 = 0, rev2 = 0;

    if (!s)
        return;
    conf_key(key, sizeof key, prefix, "k");
    CHECK_EQ_INT(s->ops->cas(s, key, 12345, "x", 1, 0, NULL), -ECANCELED);
    CHECK_EQ_INT(s->ops->get(s, key, &kv), -ENOENT);
    CHECK_EQ_INT(s->ops->cas(s, key, 0, "first", 5, 0, &rev1), 0);
    CHECK(rev1 > 0);
    CHECK_EQ_INT(s->ops->cas(s, key, 0, "again", 5, 0, NULL), -ECANCELED);
    CHECK_EQ_INT(s->ops->cas(s, key, rev1 + 1000, "wrong", 5, 0, NULL), -ECANCELED);
    CHECK_EQ_INT(s->ops->get(s, key, &kv), 0);
    CHECK_EQ_STR(kv.value, "first");
    CHECK_EQ_INT(kv.mod_revision, rev1);
    fog_kv_clear(&kv);
    CHECK_EQ_INT(s->ops->cas(s, key, rev1, "second", 6, 0, &rev2), 0);
    CHECK(rev2 > rev1);
    CHECK_EQ_INT(s->ops->cas(s, key, rev1, "stale", 5, 0, NULL), -ECANCELED);
    CHECK_EQ_INT(s->ops->get(s, key, &kv), 0);
    CHECK_EQ_STR(kv.value, "second");
    CHECK_EQ_INT(kv.mod_revision, rev2);
    CHECK_EQ_INT(kv.create_revision, rev1);
    CHECK_EQ_INT(kv.version, 2);
    fog_kv_clear(&kv);
    s->ops->close(s);
}

static void conformance_del(void)
{
    char prefix[128], key[256];
    struct fog_store *s = conf_open(prefix, sizeof prefix);
    struct fog_kv kv = {0};
    int64_t rev = 0, del_rev = 0;

    if (!s)
        return;
    conf_key(key, sizeof key, prefix, "k");
    CHECK_EQ_INT(s->ops->del(s, key, -1, NULL), -ENOENT);
    CHECK_EQ_INT(s->ops->put(s, key, "v", 1, 0, &rev), 0);
    CHECK_EQ_INT(s->ops->del(s, key, rev + 1000, NULL), -ECANCELED);
    CHECK_EQ_INT(s->ops->del(s, key, 0, NULL), -ECANCELED);
    CHECK_EQ_INT(s->ops->get(s, key, &kv), 0);
    fog_kv_clear(&kv);
    CHECK_EQ_INT(s->ops->del(s, key, rev, &del_rev), 0);
    CHECK(del_rev > rev);
    CHECK_EQ_INT(s->ops->get(s, key, &kv), -ENOENT);
    CHECK_EQ_INT(s->ops->del(s, key, rev, NULL), -ENOENT);
    /* Unconditional delete; a re-created key starts a new life. */
    CHECK_EQ_INT(s->ops->put(s, key, "w", 1, 0, &rev), 0);
    CHECK_EQ_INT(s->ops->get(s, key, &kv), 0);
    CHECK_EQ_INT(kv.version, 1);
    CHECK_EQ_INT(kv.create_revision, rev);
    fog_kv_clear(&kv);
    CHECK_EQ_INT(s->ops->del(s, key, -1, NULL), 0);
    CHECK_EQ_INT(s->ops->get(s, key, &kv), -ENOENT);
    s->ops->close(s);
}

/* ---- leases ---- */

/* Polls until key is gone; returns seconds waited or -1 past timeout_s. */
static double conf_wait_gone(struct fog_store *s, const char *key, double timeout_s)
{
    double start = conf_now();
    struct fog_kv kv = {0};

    while (conf_now() - start < timeout_s) {
        int rc = s->ops->get(s, key, &kv);
        fog_kv_clear(&kv);
        if (rc == -ENOENT)
            return conf_now() - start;
        conf_sleep_ms(100);
    }
    return -1;
}

static void conformance_lease_expiry(void)
{
    char prefix[128], key[256], plain[256];
    struct fog_store *s = conf_open(prefix, sizeof prefix);
    struct fog_kv kv = {0};
    int64_t lease = 0;

    if (!s)
        return;
    conf_key(key, sizeof key, prefix, "leased");
    conf_key(plain, sizeof plain, prefix, "plain");
    CHECK_EQ_INT(s->ops->lease_grant(s, 1, &lease), 0);
    CHECK(lease != 0);
    CHECK_EQ_INT(s->ops->put(s, key, "v", 1, lease, NULL), 0);
    CHECK_EQ_INT(s->ops->put(s, plain, "v", 1, 0, NULL), 0);
    CHECK_EQ_INT(s->ops->get(s, key, &kv), 0);
    CHECK_EQ_INT(kv.lease, lease);
    fog_kv_clear(&kv);
    double waited = conf_wait_gone(s, key, 15);
    CHECK(waited >= 0);
    CHECK_EQ_INT(s->ops->lease_keepalive(s, lease), -ENOENT);
    CHECK_EQ_INT(s->ops->get(s, plain, &kv), 0);
    fog_kv_clear(&kv);
    /* A put with a lease that does not exist is refused. */
    CHECK_EQ_INT(s->ops->put(s, key, "v", 1, lease, NULL), -ENOENT);
    CHECK_EQ_INT(s->ops->get(s, key, &kv), -ENOENT);
    s->ops->close(s);
}

static void conformance_lease_keepalive(void)
{
    char prefix[128], key[256];
    struct fog_store *s = conf_open(prefix, sizeof prefix);
    struct fog_kv kv = {0};
    int64_t lease = 0;
    int present = 1;

    if (!s)
        return;
    conf_key(key, sizeof key, prefix, "leased");
    CHECK_EQ_INT(s->ops->lease_grant(s, 2, &lease), 0);
    CHECK_EQ_INT(s->ops->put(s, key, "v", 1, lease, NULL), 0);
    /* Twice the TTL and more, renewed every 300 ms: the key must stay. */
    double end = conf_now() + 5;
    while (conf_now() < end && present) {
        CHECK_EQ_INT(s->ops->lease_keepalive(s, lease), 0);
        present = s->ops->get(s, key, &kv) == 0;
        fog_kv_clear(&kv);
        conf_sleep_ms(300);
    }
    CHECK(present);
    /* Left alone, it expires. */
    CHECK(conf_wait_gone(s, key, 15) >= 0);
    s->ops->close(s);
}

static void conformance_lease_revoke(void)
{
    char prefix[128], key1[256], key2[256];
    struct fog_store *s = conf_open(prefix, sizeof prefix);
    struct fog_kv kv = {0};
    int64_t lease = 0;

    if (!s)
        return;
    conf_key(key1, sizeof key1, prefix, "a");
    conf_key(key2, sizeof key2, prefix, "b");
    CHECK_EQ_INT(s->ops->lease_grant(s, 60, &lease), 0);
    CHECK_EQ_INT(s->ops->put(s, key1, "1", 1, lease, NULL), 0);
    CHECK_EQ_INT(s->ops->put(s, key2, "2", 1, lease, NULL), 0);
    CHECK_EQ_INT(s->ops->lease_revoke(s, lease), 0);
    CHECK_EQ_INT(s->ops->get(s, key1, &kv), -ENOENT);
    CHECK_EQ_INT(s->ops->get(s, key2, &kv), -ENOENT);
    CHECK_EQ_INT(s->ops->lease_revoke(s, lease), -ENOENT);
    CHECK_EQ_INT(s->ops->lease_keepalive(s, lease), -ENOENT);
    s->ops->close(s);
}

/* ---- watches ---- */

static void conformance_watch_replay(void)
{
    char prefix[128], k1[256], k2[256], k3[256], outside[256];
    struct fog_store *s = conf_open(prefix, sizeof prefix);
    struct conf_recorder rec;
    struct fog_watch *w = NULL;
    int64_t r1 = 0, r2 = 0, r3 = 0, r4 = 0;

    if (!s)
        return;
    conf_recorder_init(&rec);
    conf_key(k1, sizeof k1, prefix, "w/1");
    conf_key(k2, sizeof k2, prefix, "w/2");
    conf_key(k3, sizeof k3, prefix, "w/3");
    conf_key(outside, sizeof outside, prefix, "elsewhere");
    CHECK_EQ_INT(s->ops->put(s, k1, "one", 3, 0, &r1), 0);
    CHECK_EQ_INT(s->ops->put(s, outside, "no", 2, 0, NULL), 0);
    CHECK_EQ_INT(s->ops->put(s, k2, "two", 3, 0, &r2), 0);
    CHECK_EQ_INT(s->ops->del(s, k1, -1, &r3), 0);

    conf_key(k1, sizeof k1, prefix, "w/");
    CHECK_EQ_INT(s->ops->watch(s, k1, r1, conf_record_cb, &rec, &w), 0);
    conf_key(k1, sizeof k1, prefix, "w/1");
    CHECK_EQ_INT(conf_wait_events(&rec, 3, 10), 3);
    CHECK_EQ_INT(s->ops->put(s, k3, "three", 5, 0, &r4), 0);
    CHECK_EQ_INT(conf_wait_events(&rec, 4, 10), 4);
    s->ops->unwatch(s, w);

    CHECK_EQ_INT(rec.n, 4);
    if (rec.n == 4) {
        CHECK_EQ_INT(rec.ev[0].status, 0);
        CHECK_EQ_INT(rec.ev[0].type, FOG_WATCH_PUT);
        CHECK_EQ_STR(rec.ev[0].key, k1);
        CHECK_EQ_STR(rec.ev[0].value, "one");
        CHECK_EQ_INT(rec.ev[0].mod_revision, r1);
        CHECK_EQ_INT(rec.ev[1].type, FOG_WATCH_PUT);
        CHECK_EQ_STR(rec.ev[1].key, k2);
        CHECK_EQ_INT(rec.ev[1].mod_revision, r2);
        CHECK_EQ_INT(rec.ev[2].type, FOG_WATCH_DELETE);
        CHECK_EQ_STR(rec.ev[2].key, k1);
        CHECK_EQ_INT(rec.ev[2].mod_revision, r3);
        CHECK_EQ_INT(rec.ev[3].type, FOG_WATCH_PUT);
        CHECK_EQ_STR(rec.ev[3].key, k3);
        CHECK_EQ_STR(rec.ev[3].value, "three");
        CHECK_EQ_INT(rec.ev[3].mod_revision, r4);
    }
    conf_recorder_destroy(&rec);
    s->ops->close(s);
}

static void conformance_watch_from_now(void)
{
    char prefix[128], before[256], after[256];
    struct fog_store *s = conf_open(prefix, sizeof prefix);
    struct conf_recorder rec;
    struct fog_watch *w = NULL;
    int64_t rev = 0;

    if (!s)
        return;
    conf_recorder_init(&rec);
    conf_key(before, sizeof before, prefix, "before");
    conf_key(after, sizeof after, prefix, "after");
    CHECK_EQ_INT(s->ops->put(s, before, "b", 1, 0, NULL), 0);
    CHECK_EQ_INT(s->ops->watch(s, prefix, 0, conf_record_cb, &rec, &w), 0);
    CHECK_EQ_INT(s->ops->put(s, after, "a", 1, 0, &rev), 0);
    CHECK_EQ_INT(conf_wait_events(&rec, 1, 10), 1);
    /* Give a wrongly replayed "before" event time to show up. */
    conf_wait_events(&rec, 2, 0.5);
    s->ops->unwatch(s, w);
    CHECK_EQ_INT(rec.n, 1);
    CHECK_EQ_STR(rec.ev[0].key, after);
    CHECK_EQ_INT(rec.ev[0].mod_revision, rev);
    conf_recorder_destroy(&rec);
    s->ops->close(s);
}

struct conf_writer {
    struct fog_store *s;
    const char *prefix;
    int id, count, failures;
    int64_t revs[100];
};

static void *conf_writer_thread(void *arg)
{
    struct conf_writer *wr = arg;
    char key[256], val[32];

    for (int i = 0; i < wr->count; i++) {
        snprintf(key, sizeof key, "%st%d/%03d", wr->prefix, wr->id, i);
        snprintf(val, sizeof val, "%d", i);
        if (wr->s->ops->put(wr->s, key, val, strlen(val), 0, &wr->revs[i]))
            wr->failures++;
    }
    return NULL;
}

/* Two writers race; the watch sees every change once, in revision order. */
static void conformance_watch_ordering(void)
{
    char prefix[128];
    struct fog_store *s = conf_open(prefix, sizeof prefix);
    struct conf_recorder *rec = calloc(1, sizeof *rec);
    struct conf_writer wr[2];
    pthread_t th[2];
    struct fog_watch *w = NULL;
    enum { PER_WRITER = 100 };

    if (!s || !rec) {
        free(rec);
        if (s)
            s->ops->close(s);
        return;
    }
    conf_recorder_init(rec);
    CHECK_EQ_INT(s->ops->watch(s, prefix, 0, conf_record_cb, rec, &w), 0);
    for (int i = 0; i < 2; i++) {
        wr[i] = (struct conf_writer){ .s = s, .prefix = prefix, .id = i, .count = PER_WRITER };
        pthread_create(&th[i], NULL, conf_writer_thread, &wr[i]);
    }
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    CHECK_EQ_INT(wr[0].failures + wr[1].failures, 0);
    CHECK_EQ_INT(conf_wait_events(rec, 2 * PER_WRITER, 20), 2 * PER_WRITER);
    s->ops->unwatch(s, w);

    int next[2] = {0, 0};
    for (size_t i = 0; i < rec->n; i++) {
        const struct conf_event *e = &rec->ev[i];
        int id = -1, seq = -1;
        CHECK_EQ_INT(e->status, 0);
        if (i > 0)
            CHECK(e->mod_revision > rec->ev[i - 1].mod_revision);
        if (sscanf(e->key + strlen(prefix), "t%d/%d", &id, &seq) != 2 || id < 0 || id > 1) {
            CHECK(!"watch event key has the wrong shape");
            continue;
        }
        /* Each writer's puts arrive in the order it made them. */
        CHECK_EQ_INT(seq, next[id]);
        if (seq >= 0 && seq < PER_WRITER)
            CHECK_EQ_INT(e->mod_revision, wr[id].revs[seq]);
        next[id]++;
    }
    conf_recorder_destroy(rec);
    free(rec);
    s->ops->close(s);
}

/* unwatch() while a callback runs returns only after it finished. */
static void conformance_unwatch(void)
{
    char prefix[128], key[256];
    struct fog_store *s = conf_open(prefix, sizeof prefix);
    struct conf_recorder rec;
    struct fog_watch *w = NULL;

    if (!s)
        return;
    conf_recorder_init(&rec);
    rec.sleep_ms = 400;
    conf_key(key, sizeof key, prefix, "k");
    CHECK_EQ_INT(s->ops->watch(s, prefix, 0, conf_record_cb, &rec, &w), 0);
    CHECK_EQ_INT(s->ops->put(s, key, "1", 1, 0, NULL), 0);
    CHECK_EQ_INT(s->ops->put(s, key, "2", 1, 0, NULL), 0);
    CHECK_EQ_INT(conf_wait_events(&rec, 1, 10), 1);
    s->ops->unwatch(s, w);
    pthread_mutex_lock(&rec.mu);
    CHECK_EQ_INT(rec.in_callback, 0);
    rec.stopped = 1;
    pthread_mutex_unlock(&rec.mu);
    CHECK_EQ_INT(s->ops->put(s, key, "3", 1, 0, NULL), 0);
    conf_sleep_ms(500);
    pthread_mutex_lock(&rec.mu);
    CHECK_EQ_INT(rec.calls_after_stop, 0);
    CHECK(rec.n <= 2);
    pthread_mutex_unlock(&rec.mu);
    conf_recorder_destroy(&rec);
    s->ops->close(s);
}

struct conf_self_unwatch {
    struct fog_store *s;
    struct fog_watch *w;
    pthread_mutex_t mu;
    int calls;
};

static void conf_self_unwatch_cb(void *arg, int status, const struct fog_watch_event *ev)
{
    struct conf_self_unwatch *su = arg;

    pthread_mutex_lock(&su->mu);
    su->calls++;
    struct fog_watch *w = su->w;
    su->w = NULL;
    pthread_mutex_unlock(&su->mu);
    if (w)
        su->s->ops->unwatch(su->s, w);
}

/* A callback may unwatch its own watch; no call follows. */
static void conformance_unwatch_from_callback(void)
{
    char prefix[128], key[256];
    struct conf_self_unwatch su = { .mu = PTHREAD_MUTEX_INITIALIZER };
    struct fog_watch *w = NULL;

    su.s = conf_open(prefix, sizeof prefix);
    if (!su.s)
        return;
    conf_key(key, sizeof key, prefix, "k");
    pthread_mutex_lock(&su.mu);   /* the callback waits until su.w is set */
    CHECK_EQ_INT(su.s->ops->watch(su.s, prefix, 0, conf_self_unwatch_cb, &su, &w), 0);
    su.w = w;
    pthread_mutex_unlock(&su.mu);
    for (int i = 0; i < 5; i++)
        CHECK_EQ_INT(su.s->ops->put(su.s, key, "v", 1, 0, NULL), 0);
    for (int i = 0; i < 250; i++) {
        pthread_mutex_lock(&su.mu);
        int calls = su.calls;
        pthread_mutex_unlock(&su.mu);
        if (calls)
            break;
        conf_sleep_ms(20);
    }
    conf_sleep_ms(300);
    pthread_mutex_lock(&su.mu);
    CHECK_EQ_INT(su.calls, 1);
    pthread_mutex_unlock(&su.mu);
    su.s->ops->close(su.s);
}

static void conformance_watch_compacted(void)
{
    char prefix[128];
    struct fog_store *s = conf_open(prefix, sizeof prefix);
    struct conf_recorder rec;
    struct fog_watch *w = NULL;
    int64_t compacted = 0;

    if (!s)
        return;
    conf_recorder_init(&rec);
    CHECK_EQ_INT(conf_target_->compact(s, prefix, &compacted), 0);
    CHECK(compacted > 1);
    CHECK_EQ_INT(s->ops->watch(s, prefix, compacted, conf_record_cb, &rec, &w), 0);
    CHECK_EQ_INT(conf_wait_events(&rec, 1, 10), 1);
    /* Compaction is reported once; nothing follows it. */
    conf_wait_events(&rec, 2, 0.5);
    s->ops->unwatch(s, w);
    CHECK_EQ_INT(rec.n, 1);
    CHECK_EQ_INT(rec.ev[0].status, -ECANCELED);
    conf_recorder_destroy(&rec);
    s->ops->close(s);
}

/* ---- concurrent compare-and-swap ---- */

struct conf_incrementer {
    struct fog_store *s;
    const char *key;
    int count, errors;
    int64_t revs[200];
};

static void *conf_increment_thread(void *arg)
{
    struct conf_incrementer *inc = arg;
    int done = 0, attempts = 0;

    while (done < inc->count && attempts < inc->count * 1000) {
        struct fog_kv kv = {0};
        char val[32];
        long current = 0;
        int64_t expect = 0, rev = 0;
        int rc = inc->s->ops->get(inc->s, inc->key, &kv);

        attempts++;
        if (rc == 0) {
            current = strtol(kv.value, NULL, 10);
            expect = kv.mod_revision;
        } else if (rc != -ENOENT) {
            inc->errors++;
            fog_kv_clear(&kv);
            continue;
        }
        fog_kv_clear(&kv);
        snprintf(val, sizeof val, "%ld", current + 1);
        rc = inc->s->ops->cas(inc->s, inc->key, expect, val, strlen(val), 0, &rev);
        if (rc == 0)
            inc->revs[done++] = rev;
        else if (rc != -ECANCELED)
            inc->errors++;
    }
    return NULL;
}

static int conf_cmp_rev(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static void conformance_concurrent_cas(void)
{
    char prefix[128], key[256];
    struct fog_store *s = conf_open(prefix, sizeof prefix);
    int threads = conf_target_->cas_threads, each = conf_target_->cas_increments;
    struct conf_incrementer inc[8];
    pthread_t th[8];
    struct fog_kv kv = {0};

    if (!s)
        return;
    if (threads > 8)
        threads = 8;
    if (each > 200)
        each = 200;
    conf_key(key, sizeof key, prefix, "counter");
    for (int i = 0; i < threads; i++) {
        inc[i] = (struct conf_incrementer){ .s = s, .key = key, .count = each };
        pthread_create(&th[i], NULL, conf_increment_thread, &inc[i]);
    }
    int64_t *all = calloc((size_t)threads * each, sizeof *all);
    size_t n_all = 0;
    int errors = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(th[i], NULL);
        errors += inc[i].errors;
        for (int j = 0; j < each && all; j++)
            if (inc[i].revs[j])
                all[n_all++] = inc[i].revs[j];
    }
    CHECK_EQ_INT(errors, 0);
    CHECK_EQ_INT(s->ops->get(s, key, &kv), 0);
    CHECK_EQ_INT(kv.value ? strtol(kv.value, NULL, 10) : -1, threads * each);
    CHECK_EQ_INT(kv.version, threads * each);
    fog_kv_clear(&kv);
    /* Exactly one winner per revision. */
    CHECK_EQ_INT(n_all, (size_t)threads * each);
    if (all) {
        qsort(all, n_all, sizeof *all, conf_cmp_rev);
        for (size_t i = 1; i < n_all; i++)
            CHECK(all[i] != all[i - 1]);
    }
    free(all);
    s->ops->close(s);
}

/* Runs the whole suite; returns the number of failed tests. */
static int conformance_run(const struct conformance_target *target)
{
    int failed = 0;

    conf_target_ = target;
    failed += RUN_TEST(conformance_get_put);
    failed += RUN_TEST(conformance_list);
    failed += RUN_TEST(conformance_cas);
    failed += RUN_TEST(conformance_del);
    failed += RUN_TEST(conformance_lease_expiry);
    failed += RUN_TEST(conformance_lease_keepalive);
    failed += RUN_TEST(conformance_lease_revoke);
    failed += RUN_TEST(conformance_watch_replay);
    failed += RUN_TEST(conformance_watch_from_now);
    failed += RUN_TEST(conformance_watch_ordering);
    failed += RUN_TEST(conformance_unwatch);
    failed += RUN_TEST(conformance_unwatch_from_callback);
    failed += RUN_TEST(conformance_watch_compacted);
    failed += RUN_TEST(conformance_concurrent_cas);
    return failed;
}
#endif
