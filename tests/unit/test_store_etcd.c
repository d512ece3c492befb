/* Tests of the etcd store against a real etcd: the conformance suite, plus
 * endpoint handling and failover when a member of a 3-member cluster dies.
 * Uses FOG_ETCD_ENDPOINTS if set; otherwise starts etcd with scripts/etcd.sh. */
#include <curl/curl.h>
#include <libgen.h>
#include <limits.h>
#include <sys/stat.h>
#include "backends/etcd_json.h"
#include "tests/unit/store_conformance.h"

/* The suite's fixed inputs: which cluster, and where the script lives. */
static char etcd_endpoints_[1024];
static char etcd_script_[PATH_MAX];

static int etcd_open(struct fog_store **out)
{
    return store_etcd_open(etcd_endpoints_, out);
}

/* POSTs body to the first endpoint; returns the HTTP status or -1. */
static long raw_post(const char *endpoint, const char *path, const char *body)
{
    char url[512];
    long status = -1;
    CURL *h = curl_easy_init();
    FILE *sink = fopen("/dev/null", "w");

    if (!h || !sink) {
        if (h)
            curl_easy_cleanup(h);
        if (sink)
            fclose(sink);
        return -1;
    }
    snprintf(url, sizeof url, "http://%s%s", endpoint, path);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, sink);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(h);
    fclose(sink);
    return status;
}

/* Compacts etcd's history up to a fresh revision with the gateway's own call
 * (a watch from a revision below the compaction point is then refused). */
static int etcd_compact(struct fog_store *s, const char *prefix, int64_t *compacted)
{
    char key[256], endpoint[256];
    int64_t rev = 0;
    int rc;

    snprintf(key, sizeof key, "%sfill", prefix);
    for (int i = 0; i < 3; i++) {
        rc = s->ops->put(s, key, "x", 1, 0, &rev);
        if (rc)
            return rc;
    }
    snprintf(endpoint, sizeof endpoint, "%.*s", (int)strcspn(etcd_endpoints_, ","),
             etcd_endpoints_);
    char *body = etcd_req_compaction(rev);
    long status = body ? raw_post(endpoint, "/v3/kv/compaction", body) : -1;
    free(body);
    if (status != 200)
        return -EIO;
    /* etcd keeps revision rev itself; everything before it is gone. */
    *compacted = rev - 1;
    return 0;
}

/* ---- running scripts/etcd.sh ---- */

static int find_script(void)
{
    char exe[PATH_MAX];
    struct stat st;
    ssize_t n;

    if (stat("scripts/etcd.sh", &st) == 0) {
        snprintf(etcd_script_, sizeof etcd_script_, "scripts/etcd.sh");
        return 0;
    }
    n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return -ENOENT;
    exe[n] = 0;
    /* <root>/<build>/tests/test_store_etcd */
    char *root = dirname(dirname(dirname(exe)));
    snprintf(etcd_script_, sizeof etcd_script_, "%s/scripts/etcd.sh", root);
    return stat(etcd_script_, &st) == 0 ? 0 : -ENOENT;
}

/* Runs "etcd.sh start DIR --members N"; fills endpoints from its output. */
static int etcd_start(const char *dir, int members, char *endpoints, size_t size)
{
    char cmd[PATH_MAX * 2 + 64];
    snprintf(cmd, sizeof cmd, "sh '%s' start '%s' --members %d", etcd_script_, dir, members);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -errno;
    endpoints[0] = 0;
    if (!fgets(endpoints, (int)size, p))
        endpoints[0] = 0;
    int status = pclose(p);
    endpoints[strcspn(endpoints, "\n")] = 0;
    return status == 0 && endpoints[0] ? 0 : -EIO;
}

static void etcd_run(const char *verb, const char *dir, const char *arg)
{
    char cmd[PATH_MAX * 2 + 64];
    snprintf(cmd, sizeof cmd, "sh '%s' %s '%s' %s >/dev/null 2>&1", etcd_script_, verb, dir,
             arg ? arg : "");
    if (system(cmd) != 0)
        fprintf(stderr, "note: %s failed\n", cmd);
}

static void remove_dir(const char *dir)
{
    char cmd[PATH_MAX + 16];
    if (strncmp(dir, "/tmp/fog-etcd-", 14) != 0)
        return;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "note: could not remove %s\n", dir);
}

/* ---- etcd-only tests ---- */

static void test_describe_and_endpoints(void)
{
    struct fog_store *s = NULL;
    char url[1100], expect[1100];

    snprintf(url, sizeof url, "etcd://%s", etcd_endpoints_);
    CHECK_EQ_INT(fog_store_open(url, &s), 0);
    if (!s)
        return;
    snprintf(expect, sizeof expect, "etcd %s", etcd_endpoints_);
    CHECK_EQ_STR(s->ops->describe(s), expect);
    s->ops->close(s);
    CHECK_EQ_INT(store_etcd_open("", &s), -EINVAL);
    CHECK_EQ_INT(store_etcd_open("nohost", &s), -EINVAL);
    CHECK_EQ_INT(store_etcd_open(",", &s), -EINVAL);
}

/* A dead endpoint listed first is passed over. */
static void test_dead_endpoint_first(void)
{
    char list[1100], key[64];
    struct fog_store *s = NULL;
    struct fog_kv kv = {0};

    /* Port 1 on loopback: nothing listens there in a test machine. */
    snprintf(list, sizeof list, "127.0.0.1:1,%s", etcd_endpoints_);
    CHECK_EQ_INT(store_etcd_open(list, &s), 0);
    if (!s)
        return;
    snprintf(key, sizeof key, "/dead-first/%d", (int)getpid());
    CHECK_EQ_INT(s->ops->put(s, key, "v", 1, 0, NULL), 0);
    CHECK_EQ_INT(s->ops->get(s, key, &kv), 0);
    CHECK_EQ_STR(kv.value, "v");
    fog_kv_clear(&kv);
    CHECK_EQ_INT(s->ops->del(s, key, -1, NULL), 0);
    s->ops->close(s);
}

/* Three members; the one in use is killed mid-test. Reads, writes, CAS,
 * leases and a running watch all carry on through the others. */
static void test_failover(void)
{
    char dir[] = "/tmp/fog-etcd-XXXXXX", endpoints[1024], key[128], prefix[64];
    struct fog_store *s = NULL;
    struct conf_recorder *rec = calloc(1, sizeof *rec);
    struct fog_watch *w = NULL;
    struct fog_kv kv = {0};
    int64_t rev = 0, lease = 0;
    int puts = 0;

    if (!rec || !mkdtemp(dir)) {
        CHECK(!"no temp dir");
        free(rec);
        return;
    }
    conf_recorder_init(rec);
    int rc = etcd_start(dir, 3, endpoints, sizeof endpoints);
    CHECK_EQ_INT(rc, 0);
    if (rc)
        goto out;
    CHECK_EQ_INT(store_etcd_open(endpoints, &s), 0);
    if (!s)
        goto out;
    snprintf(prefix, sizeof prefix, "/failover/");
    CHECK_EQ_INT(s->ops->lease_grant(s, 30, &lease), 0);
    CHECK_EQ_INT(s->ops->watch(s, prefix, 0, conf_record_cb, rec, &w), 0);
    for (; puts < 5; puts++) {
        snprintf(key, sizeof key, "%s%02d", prefix, puts);
        if (puts == 4) {
            /* Hold the watch in this callback while its member dies and
             * the next changes are made: it must resume, not restart. */
            pthread_mutex_lock(&rec->mu);
            rec->sleep_ms = 4000;
            pthread_mutex_unlock(&rec->mu);
        }
        CHECK_EQ_INT(s->ops->put(s, key, "before", 6, 0, NULL), 0);
        CHECK_EQ_INT(conf_wait_events(rec, (size_t)puts + 1, 10), (size_t)puts + 1);
    }
    pthread_mutex_lock(&rec->mu);
    rec->sleep_ms = 0;
    pthread_mutex_unlock(&rec->mu);

    /* The store talks to the first member: kill it. */
    etcd_run("kill-member", dir, "0");
    for (; puts < 15; puts++) {
        snprintf(key, sizeof key, "%s%02d", prefix, puts);
        CHECK_EQ_INT(s->ops->put(s, key, "after", 5, 0, &rev), 0);
    }
    CHECK_EQ_INT(s->ops->get(s, key, &kv), 0);
    CHECK_EQ_STR(kv.value, "after");
    CHECK_EQ_INT(kv.mod_revision, rev);
    fog_kv_clear(&kv);
    CHECK_EQ_INT(s->ops->cas(s, key, rev, "cas", 3, 0, &rev), 0);
    puts++;
    CHECK_EQ_INT(s->ops->lease_keepalive(s, lease), 0);
    struct fog_kv *kvs = NULL;
    size_t n = 0;
    CHECK_EQ_INT(s->ops->list(s, prefix, &kvs, &n, NULL), 0);
    CHECK_EQ_INT(n, 15);
    fog_kv_free_array(kvs, n);

    /* The watch reconnected and resumed: every change once, in order. */
    CHECK_EQ_INT(conf_wait_events(rec, (size_t)puts, 20), (size_t)puts);
    conf_wait_events(rec, (size_t)puts + 1, 0.5);
    s->ops->unwatch(s, w);
    w = NULL;
    CHECK_EQ_INT(rec->n, (size_t)puts);
    for (size_t i = 1; i < rec->n; i++)
        CHECK(rec->ev[i].mod_revision > rec->ev[i - 1].mod_revision);
    if (rec->n == (size_t)puts)
        CHECK_EQ_STR(rec->ev[rec->n - 1].value, "cas");
    CHECK_EQ_INT(s->ops->lease_revoke(s, lease), 0);
out:
    if (w)
        s->ops->unwatch(s, w);
    if (s)
        s->ops->close(s);
    etcd_run("stop", dir, NULL);
    remove_dir(dir);
    conf_recorder_destroy(rec);
    free(rec);
}

int main(void)
{
    static const struct conformance_target etcd = {
        .open = etcd_open,
        .compact = etcd_compact,
        .cas_threads = 4,
        .cas_increments = 25,
    };
    const char *given = getenv("FOG_ETCD_ENDPOINTS");
    char dir[] = "/tmp/fog-etcd-XXXXXX";
    bool started = false;
    int failed = 0;

    setvbuf(stdout, NULL, _IOLBF, 0);
    curl_global_init(CURL_GLOBAL_ALL);
    if (find_script() || system("command -v etcd >/dev/null 2>&1") != 0) {
        printf("SKIP: store_etcd: etcd or scripts/etcd.sh not found\n");
        return 0;
    }
    if (given && *given) {
        snprintf(etcd_endpoints_, sizeof etcd_endpoints_, "%s", given);
    } else {
        if (!mkdtemp(dir)) {
            printf("FAIL: store_etcd: mkdtemp: %s\n", strerror(errno));
            return 1;
        }
        if (etcd_start(dir, 1, etcd_endpoints_, sizeof etcd_endpoints_)) {
            printf("FAIL: store_etcd: scripts/etcd.sh could not start etcd (logs in %s)\n", dir);
            etcd_run("stop", dir, NULL);
            return 1;
        }
        started = true;
    }
    failed += conformance_run(&etcd);
    failed += RUN_TEST(test_describe_and_endpoints);
    failed += RUN_TEST(test_dead_endpoint_first);
    if (started) {
        etcd_run("stop", dir, NULL);
        remove_dir(dir);
    }
    failed += RUN_TEST(test_failover);
    curl_global_cleanup();
    return failed ? 1 : 0;
}
