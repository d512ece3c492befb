/* Tests of the embedded store: the conformance suite, plus what only the
 * local store promises (URL parsing, its history bound, close with live objects). */
#include "tests/unit/store_conformance.h"

static int local_open(struct fog_store **out)
{
    return fog_store_open("local", out);
}

/* Writes more changes than the history keeps; the first one is then gone. */
static int local_compact(struct fog_store *s, const char *prefix, int64_t *compacted)
{
    char key[256];
    int64_t first = 0;

    snprintf(key, sizeof key, "%sfill", prefix);
    for (int i = 0; i < 5000; i++) {
        int64_t rev;
        int rc = s->ops->put(s, key, "x", 1, 0, &rev);
        if (rc)
            return rc;
        if (!first)
            first = rev;
    }
    *compacted = first;
    return 0;
}

static void test_open_urls(void)
{
    struct fog_store *s = (struct fog_store *)1;

    CHECK_EQ_INT(fog_store_open(NULL, &s), 0);
    CHECK(s != NULL);
    if (s) {
        CHECK_EQ_STR(s->ops->describe(s), "local");
        s->ops->close(s);
    }
    s = (struct fog_store *)1;
    CHECK_EQ_INT(fog_store_open("bogus://x", &s), -EINVAL);
    CHECK(s == NULL);
    CHECK_EQ_INT(fog_store_open("etcd://", &s), -EINVAL);
    CHECK_EQ_INT(fog_store_open("locally", &s), -EINVAL);
    CHECK_EQ_INT(fog_store_open("local", NULL), -EINVAL);
}

/* A consumer that falls behind the history is told it was compacted. */
static void test_slow_watcher_compacted(void)
{
    struct fog_store *s = NULL;
    struct conf_recorder *rec = calloc(1, sizeof *rec);
    struct fog_watch *w = NULL;

    CHECK_EQ_INT(store_local_open(NULL, &s), 0);
    if (!s || !rec) {
        free(rec);
        return;
    }
    conf_recorder_init(rec);
    rec->sleep_ms = 300;
    CHECK_EQ_INT(s->ops->watch(s, "/slow/", 0, conf_record_cb, rec, &w), 0);
    CHECK_EQ_INT(s->ops->put(s, "/slow/a", "1", 1, 0, NULL), 0);
    CHECK_EQ_INT(conf_wait_events(rec, 1, 5), 1);
    /* While the first callback sleeps, overflow the history. */
    for (int i = 0; i < 5000; i++)
        s->ops->put(s, "/slow/b", "2", 1, 0, NULL);
    CHECK_EQ_INT(conf_wait_events(rec, 2, 5), 2);
    conf_wait_events(rec, 3, 0.7);
    s->ops->unwatch(s, w);
    CHECK_EQ_INT(rec->n, 2);
    CHECK_EQ_INT(rec->ev[1].status, -ECANCELED);
    conf_recorder_destroy(rec);
    free(rec);
    s->ops->close(s);
}

/* close() with a watch still registered and a lease pending must not hang. */
static void test_close_with_live_objects(void)
{
    struct fog_store *s = NULL;
    struct conf_recorder rec;
    struct fog_watch *w = NULL;
    int64_t lease = 0;

    conf_recorder_init(&rec);
    CHECK_EQ_INT(store_local_open(NULL, &s), 0);
    if (!s)
        return;
    CHECK_EQ_INT(s->ops->watch(s, "", 0, conf_record_cb, &rec, &w), 0);
    CHECK_EQ_INT(s->ops->lease_grant(s, 100, &lease), 0);
    CHECK_EQ_INT(s->ops->put(s, "/x", "1", 1, lease, NULL), 0);
    double start = conf_now();
    s->ops->close(s);
    CHECK(conf_now() - start < 2);
    conf_recorder_destroy(&rec);
}

int main(void)
{
    static const struct conformance_target local = {
        .open = local_open,
        .compact = local_compact,
        .cas_threads = 8,
        .cas_increments = 200,
    };
    int failed = conformance_run(&local);

    failed += RUN_TEST(test_open_urls);
    failed += RUN_TEST(test_slow_watcher_compacted);
    failed += RUN_TEST(test_close_with_live_objects);
    return failed ? 1 : 0;
}
