/* Tests of the embedded store: the conformance suite, plus what only the
 * local store promises (URL parsing, its history bound, close with live
 * objects, the state file that keeps settings across a restart). */
#include "tests/unit/store_conformance.h"
#include <dirent.h>
#include <sys/stat.h>

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

/* ---- the state file ---- */

/* A private directory for one test's state file, removed by state_dir_rm(). */
static char *state_dir_new(char *dir, size_t len, char *file, size_t flen)
{
    snprintf(dir, len, "/tmp/fogstate.XXXXXX");
    if (!mkdtemp(dir))
        return NULL;
    snprintf(file, flen, "%s/state.json", dir);
    return dir;
}

/* Names in dir, sorted, space separated (at most out's size). */
static void state_dir_list(const char *dir, char *out, size_t len)
{
    struct dirent **names = NULL;
    int n = scandir(dir, &names, NULL, alphasort);
    out[0] = 0;
    for (int i = 0; i < n; i++) {
        if (names[i]->d_name[0] != '.') {
            size_t used = strlen(out);
            snprintf(out + used, len - used, "%s%s", used ? " " : "", names[i]->d_name);
        }
        free(names[i]);
    }
    free(names);
}

static void state_dir_rm(const char *dir)
{
    struct dirent **names = NULL;
    char path[512];
    int n = scandir(dir, &names, NULL, alphasort);
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
        if (names[i]->d_name[0] != '.')
            unlink(path);
        free(names[i]);
    }
    free(names);
    rmdir(dir);
}

/* Notes the store made, newline separated. */
struct state_notes {
    pthread_mutex_t mu;
    char text[2048];
    int n;
};

static void state_note_cb(void *arg, const char *text)
{
    struct state_notes *sn = arg;
    pthread_mutex_lock(&sn->mu);
    size_t used = strlen(sn->text);
    snprintf(sn->text + used, sizeof sn->text - used, "%s\n", text);
    sn->n++;
    pthread_mutex_unlock(&sn->mu);
}

static struct fog_store *state_open(const char *file, struct state_notes *sn)
{
    struct store_local_opts o = { .state_file = file, .note = state_note_cb, .note_arg = sn };
    struct fog_store *s = NULL;
    CHECK_EQ_INT(store_local_open(&o, &s), 0);
    return s;
}

static int64_t state_revision(struct fog_store *s)
{
    struct fog_kv *kvs = NULL;
    size_t n = 0;
    int64_t rev = 0;
    if (s->ops->list(s, "config/", &kvs, &n, &rev) == 0)
        fog_kv_free_array(kvs, n);
    return rev;
}

/* Settings come back after a restart with their revisions; samples, events,
 * leased and deleted keys do not; revisions go on from where they were. */
static void test_state_persist_reload(void)
{
    char dir[64], file[128], names[256];
    struct state_notes sn = { .mu = PTHREAD_MUTEX_INITIALIZER };
    struct fog_kv kv;
    int64_t lease = 0, factor_rev = 0, last_rev = 0;

    if (!state_dir_new(dir, sizeof dir, file, sizeof file)) {
        CHECK(!"mkdtemp");
        return;
    }
    struct fog_store *s = state_open(file, &sn);
    if (!s)
        goto out;
    CHECK_EQ_INT(s->ops->put(s, "config/autoscale/factor", "2\n", 2, 0, NULL), 0);
    CHECK_EQ_INT(s->ops->put(s, "config/autoscale/factor", "1.5\n", 4, 0, &factor_rev), 0);
    CHECK_EQ_INT(s->ops->put(s, "nodes/n1/led/brightness", "7\n", 2, 0, NULL), 0);
    CHECK_EQ_INT(s->ops->put(s, "nodes/n1/led/bin", "a\0\xff", 3, 0, NULL), 0);
    CHECK_EQ_INT(s->ops->put(s, "nodes/n1/sample", "{}", 2, 0, NULL), 0);
    CHECK_EQ_INT(s->ops->put(s, "events/n1", "line\n", 5, 0, NULL), 0);
    CHECK_EQ_INT(s->ops->lease_grant(s, 100, &lease), 0);
    CHECK_EQ_INT(s->ops->put(s, "nodes/n1/info", "{}", 2, lease, NULL), 0);
    CHECK_EQ_INT(s->ops->put(s, "config/leased", "x", 1, lease, NULL), 0);
    CHECK_EQ_INT(s->ops->put(s, "config/gone", "x", 1, 0, NULL), 0);
    CHECK_EQ_INT(s->ops->del(s, "config/gone", -1, &last_rev), 0);
    CHECK_EQ_INT(s->ops->put(s, "nodes/n1/sample", "{}", 2, 0, NULL), 0);
    s->ops->close(s);

    s = state_open(file, &sn);
    if (!s)
        goto out;
    CHECK_EQ_INT(s->ops->get(s, "config/autoscale/factor", &kv), 0);
    CHECK_EQ_STR(kv.value, "1.5\n");
    CHECK_EQ_INT(kv.mod_revision, factor_rev);
    CHECK_EQ_INT(kv.version, 2);
    fog_kv_clear(&kv);
    CHECK_EQ_INT(s->ops->get(s, "nodes/n1/led/brightness", &kv), 0);
    CHECK_EQ_STR(kv.value, "7\n");
    fog_kv_clear(&kv);
    CHECK_EQ_INT(s->ops->get(s, "nodes/n1/led/bin", &kv), 0);
    CHECK(kv.value_len == 3 && memcmp(kv.value, "a\0\xff", 3) == 0);
    fog_kv_clear(&kv);
    CHECK_EQ_INT(s->ops->get(s, "nodes/n1/sample", &kv), -ENOENT);
    CHECK_EQ_INT(s->ops->get(s, "events/n1", &kv), -ENOENT);
    CHECK_EQ_INT(s->ops->get(s, "nodes/n1/info", &kv), -ENOENT);
    CHECK_EQ_INT(s->ops->get(s, "config/leased", &kv), -ENOENT);
    CHECK_EQ_INT(s->ops->get(s, "config/gone", &kv), -ENOENT);
    /* Revisions: the store is at least where its last saved change left it,
     * a compare-and-swap on a revision from before the restart still works,
     * and every new revision is higher than any loaded one. */
    CHECK(state_revision(s) >= last_rev);
    int64_t rev = 0;
    CHECK_EQ_INT(s->ops->cas(s, "config/autoscale/factor", factor_rev, "3\n", 2, 0, &rev), 0);
    CHECK(rev > last_rev);
    CHECK_EQ_INT(sn.n, 0);
    state_dir_list(dir, names, sizeof names);
    CHECK_EQ_STR(names, "state.json");   /* no temp file left behind */
    s->ops->close(s);
out:
    state_dir_rm(dir);
}

/* Keys rewritten every second never write the file. */
static void test_state_samples_not_written(void)
{
    char dir[64], file[128], names[256];
    struct state_notes sn = { .mu = PTHREAD_MUTEX_INITIALIZER };

    if (!state_dir_new(dir, sizeof dir, file, sizeof file)) {
        CHECK(!"mkdtemp");
        return;
    }
    struct fog_store *s = state_open(file, &sn);
    if (s) {
        for (int i = 0; i < 100; i++) {
            CHECK_EQ_INT(s->ops->put(s, "nodes/n1/sample", "{}", 2, 0, NULL), 0);
            CHECK_EQ_INT(s->ops->put(s, "events/n1", "e\n", 2, 0, NULL), 0);
            CHECK_EQ_INT(s->ops->put(s, "nodes/n1/containers/c", "{}", 2, 0, NULL), 0);
        }
        state_dir_list(dir, names, sizeof names);
        CHECK_EQ_STR(names, "");
        s->ops->close(s);
    }
    state_dir_rm(dir);
}

/* A corrupt file: the store starts empty, says so, keeps the file aside and
 * does not overwrite it. */
static void test_state_corrupt_file(void)
{
    char dir[64], file[128], names[256], aside[256], buf[64] = "";
    struct state_notes sn = { .mu = PTHREAD_MUTEX_INITIALIZER };
    struct fog_kv kv;

    if (!state_dir_new(dir, sizeof dir, file, sizeof file)) {
        CHECK(!"mkdtemp");
        return;
    }
    FILE *f = fopen(file, "w");
    CHECK(f != NULL);
    if (f) {
        fputs("{\"format\": \"fogfs-state 1\", \"revision\": 9, \"keys\": [tru", f);
        fclose(f);
    }
    struct fog_store *s = state_open(file, &sn);
    if (s) {
        CHECK_EQ_INT(sn.n, 1);
        CHECK(strstr(sn.text, file) && strstr(sn.text, "moved aside to"));
        CHECK_EQ_INT(s->ops->get(s, "config/autoscale/factor", &kv), -ENOENT);
        CHECK_EQ_INT(state_revision(s), 1);
        CHECK_EQ_INT(s->ops->put(s, "config/autoscale/factor", "4\n", 2, 0, NULL), 0);
        state_dir_list(dir, names, sizeof names);
        CHECK(strncmp(names, "state.json state.json.bad-", 26) == 0);
        snprintf(aside, sizeof aside, "%s/%s", dir, names + strlen("state.json "));
        f = fopen(aside, "r");
        CHECK(f != NULL);
        if (f) {
            CHECK(fgets(buf, sizeof buf, f) != NULL);
            fclose(f);
        }
        CHECK(strstr(buf, "[tru") != NULL);
        s->ops->close(s);
    }
    /* Well-formed JSON that breaks the rules (a revision above the file's)
     * is no better. */
    f = fopen(file, "w");
    if (f) {
        fputs("{\"format\": \"fogfs-state 1\", \"revision\": 2, \"keys\": [{\"key\": "
              "\"config/x\", \"value\": \"1\", \"create_revision\": 1, \"mod_revision\": 5, "
              "\"version\": 1}]}", f);
        fclose(f);
    }
    sn.n = 0;
    s = state_open(file, &sn);
    if (s) {
        CHECK_EQ_INT(sn.n, 1);
        CHECK_EQ_INT(s->ops->get(s, "config/x", &kv), -ENOENT);
        s->ops->close(s);
    }
    state_dir_rm(dir);
}

/* A write that fails keeps the value in memory and says why; the next
 * settings change saves everything. */
static void test_state_write_failure(void)
{
    char dir[64], file[128], sub[128];
    struct state_notes sn = { .mu = PTHREAD_MUTEX_INITIALIZER };
    struct fog_kv kv;

    if (!state_dir_new(dir, sizeof dir, file, sizeof file)) {
        CHECK(!"mkdtemp");
        return;
    }
    snprintf(sub, sizeof sub, "%s/sub", dir);
    snprintf(file, sizeof file, "%s/state.json", sub);   /* sub does not exist yet */
    struct fog_store *s = state_open(file, &sn);
    if (s) {
        CHECK_EQ_INT(s->ops->put(s, "config/a", "1", 1, 0, NULL), 0);
        CHECK_EQ_INT(s->ops->get(s, "config/a", &kv), 0);
        CHECK_EQ_STR(kv.value, "1");
        fog_kv_clear(&kv);
        CHECK_EQ_INT(sn.n, 1);
        CHECK(strstr(sn.text, "cannot save settings") && strstr(sn.text, strerror(ENOENT)));
        CHECK_EQ_INT(mkdir(sub, 0755), 0);
        CHECK_EQ_INT(s->ops->put(s, "config/b", "2", 1, 0, NULL), 0);
        CHECK_EQ_INT(sn.n, 1);
        s->ops->close(s);
    }
    s = state_open(file, &sn);
    if (s) {
        CHECK_EQ_INT(s->ops->get(s, "config/a", &kv), 0);
        fog_kv_clear(&kv);
        CHECK_EQ_INT(s->ops->get(s, "config/b", &kv), 0);
        fog_kv_clear(&kv);
        s->ops->close(s);
    }
    unlink(file);
    rmdir(sub);
    state_dir_rm(dir);
}

/* Many threads changing settings at once: the file ends with every last value. */
struct state_writer_arg {
    struct fog_store *s;
    int id;
};

static void *state_writer(void *arg)
{
    struct state_writer_arg *w = arg;
    struct fog_store *s = w->s;
    char key[64], val[16];
    snprintf(key, sizeof key, "config/t%d", w->id);
    for (int i = 0; i < 50; i++) {
        snprintf(val, sizeof val, "%d", i);
        s->ops->put(s, key, val, strlen(val), 0, NULL);
    }
    return NULL;
}

static void test_state_concurrent_saves(void)
{
    char dir[64], file[128], names[256];
    struct state_notes sn = { .mu = PTHREAD_MUTEX_INITIALIZER };
    pthread_t t[4];

    if (!state_dir_new(dir, sizeof dir, file, sizeof file)) {
        CHECK(!"mkdtemp");
        return;
    }
    struct fog_store *s = state_open(file, &sn);
    if (s) {
        struct state_writer_arg args[4];
        for (int i = 0; i < 4; i++) {
            args[i] = (struct state_writer_arg){ s, i };
            pthread_create(&t[i], NULL, state_writer, &args[i]);
        }
        for (int i = 0; i < 4; i++)
            pthread_join(t[i], NULL);
        s->ops->close(s);
    }
    s = state_open(file, &sn);
    if (s) {
        struct fog_kv *kvs = NULL;
        size_t n = 0;
        CHECK_EQ_INT(s->ops->list(s, "config/t", &kvs, &n, NULL), 0);
        CHECK_EQ_INT(n, 4);
        for (size_t i = 0; i < n; i++)
            CHECK_EQ_STR(kvs[i].value, "49");
        fog_kv_free_array(kvs, n);
        s->ops->close(s);
    }
    CHECK_EQ_INT(sn.n, 0);
    state_dir_list(dir, names, sizeof names);
    CHECK_EQ_STR(names, "state.json");
    state_dir_rm(dir);
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
    failed += RUN_TEST(test_state_persist_reload);
    failed += RUN_TEST(test_state_samples_not_written);
    failed += RUN_TEST(test_state_corrupt_file);
    failed += RUN_TEST(test_state_write_failure);
    failed += RUN_TEST(test_state_concurrent_saves);
    return failed ? 1 : 0;
}
