/* Unit tests of the etcd JSON gateway codec (backends/etcd_json.c): base64,
 * range ends, int64-as-string fields, request bodies, replies, stream framing. */
#include <errno.h>
#include <stdlib.h>
#include "backends/etcd_json.h"
#pragma GCC diagnostic ignored "-Wmisleading-indentation"
#pragma GCC diagnostic ignored "-Wformat-truncation"
#include "tests/unit/check.h"

static void test_b64_round_trip(void)
{
    static const struct { const char *plain; const char *encoded; } cases[] = {
        { "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
        { "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *enc = etcd_b64_encode(cases[i].plain, strlen(cases[i].plain));
        CHECK_EQ_STR(enc, cases[i].encoded);
        free(enc);
        char *dec = NULL;
        size_t len = 99;
        CHECK_EQ_INT(etcd_b64_decode(cases[i].encoded, &dec, &len), 0);
        CHECK_EQ_INT(len, strlen(cases[i].plain));
        CHECK_EQ_STR(dec, cases[i].plain);
        free(dec);
    }
    unsigned char all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (unsigned char)i;
    char *enc = etcd_b64_encode(all, sizeof all), *dec = NULL;
    size_t len = 0;
    CHECK_EQ_INT(etcd_b64_decode(enc, &dec, &len), 0);
    CHECK_EQ_INT(len, 256);
    CHECK(dec && memcmp(dec, all, 256) == 0 && dec[256] == 0);
    free(enc);
    free(dec);
}

static void test_b64_rejects_garbage(void)
{
    static const char *bad[] = { "Zg=", "Z===", "Zm9v!A==", "=Zg=", "Zg==Zg==", "Zm 9" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *dec = NULL;
        size_t len = 0;
        int rc = etcd_b64_decode(bad[i], &dec, &len);
        if (rc != -EINVAL) {
            CHECK_EQ_STR(bad[i], "(rejected)");
            free(dec);
        }
    }
}

static void test_prefix_range_end(void)
{
    char out[16];
    CHECK_EQ_INT(etcd_prefix_range_end("/fog/", out, sizeof out), 5);
    CHECK_EQ_STR(out, "/fog0");
    CHECK_EQ_INT(etcd_prefix_range_end("a\xff\xff", out, sizeof out), 1);
    CHECK_EQ_STR(out, "b");
    CHECK_EQ_INT(etcd_prefix_range_end("\xff", out, sizeof out), 1);
    CHECK_EQ_INT(out[0], 0);
    CHECK_EQ_INT(etcd_prefix_range_end("", out, sizeof out), 1);
    CHECK_EQ_INT(out[0], 0);
}

static void test_int64_fields(void)
{
    json_t *obj = json_loads("{\"a\":\"9223372036854775807\",\"b\":42,\"c\":\"x1\",\"d\":null,"
                             "\"e\":\"-5\",\"f\":true}", 0, NULL);
    int64_t v = 7;
    CHECK(obj != NULL);
    CHECK_EQ_INT(etcd_json_int64(obj, "a", &v), 0);
    CHECK(v == INT64_MAX);
    CHECK_EQ_INT(etcd_json_int64(obj, "b", &v), 0);
    CHECK_EQ_INT(v, 42);
    CHECK_EQ_INT(etcd_json_int64(obj, "c", &v), -EINVAL);
    CHECK_EQ_INT(etcd_json_int64(obj, "d", &v), 0);
    CHECK_EQ_INT(v, 0);
    CHECK_EQ_INT(etcd_json_int64(obj, "absent", &v), 0);
    CHECK_EQ_INT(v, 0);
    CHECK_EQ_INT(etcd_json_int64(obj, "e", &v), 0);
    CHECK_EQ_INT(v, -5);
    CHECK_EQ_INT(etcd_json_int64(obj, "f", &v), -EINVAL);
    json_decref(obj);
}

/* Parses a request body back and returns one field path's string. */
static const char *field(json_t *obj, const char *path)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    json_t *cur = obj;
    for (char *part = strtok(buf, "."); part && cur; part = strtok(NULL, ".")) {
        if (*part >= '0' && *part <= '9')
            cur = json_array_get(cur, (size_t)atoi(part));
        else
            cur = json_object_get(cur, part);
    }
    return json_is_string(cur) ? json_string_value(cur) : NULL;
}

static void test_request_bodies(void)
{
    char *text = etcd_req_range("/fog/", true, false);
    json_t *obj = json_loads(text, 0, NULL);
    CHECK_EQ_STR(field(obj, "key"), "L2ZvZy8=");      /* "/fog/" */
    CHECK_EQ_STR(field(obj, "range_end"), "L2ZvZzA="); /* "/fog0" */
    json_decref(obj);
    free(text);

    text = etcd_req_range("", true, false);
    obj = json_loads(text, 0, NULL);
    CHECK_EQ_STR(field(obj, "key"), "AA==");
    CHECK_EQ_STR(field(obj, "range_end"), "AA==");
    json_decref(obj);
    free(text);

    text = etcd_req_put("k", "v", 1, 1234567890123LL);
    obj = json_loads(text, 0, NULL);
    CHECK_EQ_STR(field(obj, "key"), "aw==");
    CHECK_EQ_STR(field(obj, "value"), "dg==");
    CHECK_EQ_STR(field(obj, "lease"), "1234567890123");
    json_decref(obj);
    free(text);

    text = etcd_req_cas("k", 17, "v", 1, 0);
    obj = json_loads(text, 0, NULL);
    CHECK_EQ_STR(field(obj, "compare.0.target"), "MOD");
    CHECK_EQ_STR(field(obj, "compare.0.result"), "EQUAL");
    CHECK_EQ_STR(field(obj, "compare.0.mod_revision"), "17");
    CHECK_EQ_STR(field(obj, "success.0.request_put.value"), "dg==");
    CHECK(json_object_get(json_object_get(json_array_get(json_object_get(obj, "success"), 0),
                                          "request_put"), "lease") == NULL);
    json_decref(obj);
    free(text);

    text = etcd_req_cas("k", 0, "", 0, 0);
    obj = json_loads(text, 0, NULL);
    CHECK_EQ_STR(field(obj, "compare.0.target"), "CREATE");
    CHECK_EQ_STR(field(obj, "compare.0.create_revision"), "0");
    CHECK_EQ_STR(field(obj, "success.0.request_put.value"), "");
    json_decref(obj);
    free(text);

    text = etcd_req_delete_if("k", 9);
    obj = json_loads(text, 0, NULL);
    CHECK_EQ_STR(field(obj, "success.0.request_delete_range.key"), "aw==");
    CHECK_EQ_STR(field(obj, "failure.0.request_range.key"), "aw==");
    json_decref(obj);
    free(text);

    text = etcd_req_watch_create("/a", 5);
    obj = json_loads(text, 0, NULL);
    CHECK_EQ_STR(field(obj, "create_request.start_revision"), "5");
    CHECK_EQ_STR(field(obj, "create_request.range_end"), "L2I="); /* "/b" */
    json_decref(obj);
    free(text);

    text = etcd_req_lease_id(-1);
    CHECK_EQ_STR(text, "{\"ID\":\"-1\"}");
    free(text);
}

static void test_parse_range_and_errors(void)
{
    const char *reply_text =
        "{\"header\":{\"revision\":\"12\"},\"kvs\":[{\"key\":\"YQ==\",\"create_revision\":\"2\","
        "\"mod_revision\":\"11\",\"version\":\"3\",\"value\":\"MQ==\",\"lease\":\"77\"},"
        "{\"key\":\"Yg==\",\"mod_revision\":\"5\"}],\"count\":\"2\"}";
    json_t *reply = json_loads(reply_text, 0, NULL);
    struct fog_kv *kvs = NULL;
    size_t n = 0;
    int64_t rev = 0;

    CHECK_EQ_INT(etcd_parse_range(reply, &kvs, &n, &rev), 0);
    CHECK_EQ_INT(n, 2);
    CHECK_EQ_INT(rev, 12);
    if (n == 2) {
        CHECK_EQ_STR(kvs[0].key, "a");
        CHECK_EQ_STR(kvs[0].value, "1");
        CHECK_EQ_INT(kvs[0].create_revision, 2);
        CHECK_EQ_INT(kvs[0].mod_revision, 11);
        CHECK_EQ_INT(kvs[0].version, 3);
        CHECK_EQ_INT(kvs[0].lease, 77);
        CHECK_EQ_STR(kvs[1].value, "");    /* absent value: empty */
        CHECK_EQ_INT(kvs[1].value_len, 0);
        CHECK_EQ_INT(kvs[1].version, 0);
    }
    fog_kv_free_array(kvs, n);
    json_decref(reply);

    char msg[64];
    reply = json_loads("{\"error\":\"etcdserver: requested lease not found\",\"code\":5}", 0, NULL);
    CHECK_EQ_INT(etcd_reply_error(reply, msg, sizeof msg), -ENOENT);
    CHECK_EQ_STR(msg, "etcdserver: requested lease not found");
    json_decref(reply);
    reply = json_loads("{\"error\":{\"grpc_code\":14,\"http_code\":503,\"message\":\"no leader\"}}",
                       0, NULL);
    CHECK_EQ_INT(etcd_reply_error(reply, msg, sizeof msg), -EAGAIN);
    CHECK_EQ_STR(msg, "no leader");
    json_decref(reply);
    reply = json_loads("{\"header\":{}}", 0, NULL);
    CHECK_EQ_INT(etcd_reply_error(reply, msg, sizeof msg), 0);
    json_decref(reply);

    reply = json_loads("{\"header\":{\"revision\":\"6\"},\"succeeded\":true,\"responses\":"
                       "[{\"response_delete_range\":{\"header\":{},\"deleted\":\"1\"}}]}", 0, NULL);
    bool ok = false;
    int64_t count = -1;
    CHECK_EQ_INT(etcd_parse_txn(reply, &ok, &rev, &count), 0);
    CHECK(ok);
    CHECK_EQ_INT(rev, 6);
    CHECK_EQ_INT(count, 1);
    json_decref(reply);
    reply = json_loads("{\"header\":{\"revision\":\"6\"},\"responses\":"
                       "[{\"response_range\":{\"header\":{}}}]}", 0, NULL);
    CHECK_EQ_INT(etcd_parse_txn(reply, &ok, &rev, &count), 0);
    CHECK(!ok);
    CHECK_EQ_INT(count, 0);
    json_decref(reply);

    int64_t ttl = -1;
    reply = json_loads("{\"result\":{\"header\":{},\"ID\":\"123\"}}", 0, NULL);
    CHECK_EQ_INT(etcd_parse_keepalive(reply, &ttl), 0);
    CHECK_EQ_INT(ttl, 0);
    json_decref(reply);
    reply = json_loads("{\"result\":{\"ID\":\"123\",\"TTL\":\"4\"}}", 0, NULL);
    CHECK_EQ_INT(etcd_parse_keepalive(reply, &ttl), 0);
    CHECK_EQ_INT(ttl, 4);
    json_decref(reply);
}

static void test_parse_watch_messages(void)
{
    struct etcd_watch_message m;
    json_t *msg = json_loads("{\"result\":{\"header\":{\"revision\":\"2\"},\"created\":true}}", 0, NULL);
    CHECK_EQ_INT(etcd_parse_watch_message(msg, &m), 0);
    CHECK(m.created && !m.canceled);
    CHECK_EQ_INT(m.header_revision, 2);
    CHECK_EQ_INT(m.n_events, 0);
    etcd_watch_message_clear(&m);
    json_decref(msg);

    msg = json_loads("{\"result\":{\"header\":{\"revision\":\"9\"},\"events\":["
                     "{\"kv\":{\"key\":\"YQ==\",\"mod_revision\":\"8\",\"value\":\"eA==\"}},"
                     "{\"type\":\"DELETE\",\"kv\":{\"key\":\"Yg==\",\"mod_revision\":\"9\"}}]}}",
                     0, NULL);
    CHECK_EQ_INT(etcd_parse_watch_message(msg, &m), 0);
    CHECK_EQ_INT(m.n_events, 2);
    if (m.n_events == 2) {
        CHECK_EQ_INT(m.events[0].type, FOG_WATCH_PUT);
        CHECK_EQ_STR(m.events[0].kv.key, "a");
        CHECK_EQ_STR(m.events[0].kv.value, "x");
        CHECK_EQ_INT(m.events[1].type, FOG_WATCH_DELETE);
        CHECK_EQ_INT(m.events[1].kv.mod_revision, 9);
    }
    etcd_watch_message_clear(&m);
    json_decref(msg);

    msg = json_loads("{\"result\":{\"header\":{},\"canceled\":true,\"compact_revision\":\"4\"}}",
                     0, NULL);
    CHECK_EQ_INT(etcd_parse_watch_message(msg, &m), 0);
    CHECK(m.canceled);
    CHECK_EQ_INT(m.compact_revision, 4);
    etcd_watch_message_clear(&m);
    json_decref(msg);

    msg = json_loads("{\"error\":{\"grpc_code\":14,\"message\":\"x\"}}", 0, NULL);
    CHECK_EQ_INT(etcd_parse_watch_message(msg, &m), 0);
    CHECK_EQ_INT(m.error, -EAGAIN);
    json_decref(msg);

    msg = json_loads("{\"result\":{\"events\":[{\"kv\":{\"key\":\"!!\"}}]}}", 0, NULL);
    CHECK_EQ_INT(etcd_parse_watch_message(msg, &m), -EIO);
    json_decref(msg);
}

static void test_stream_framing(void)
{
    const char *stream = "{\"a\":\"}{\\\"\"}\n {\"b\":[1,{\"c\":2}]}\n{\"d\":";
    size_t len = strlen(stream), start = 0, used = 0;

    CHECK_EQ_INT(etcd_stream_next_object(stream, len, &start, &used), 1);
    CHECK_EQ_INT(start, 0);
    CHECK_EQ_INT(used, strlen("{\"a\":\"}{\\\"\"}"));
    stream += used;
    len -= used;
    CHECK_EQ_INT(etcd_stream_next_object(stream, len, &start, &used), 1);
    CHECK_EQ_INT(start, 2);
    CHECK_EQ_INT(used, 2 + strlen("{\"b\":[1,{\"c\":2}]}"));
    stream += used;
    len -= used;
    CHECK_EQ_INT(etcd_stream_next_object(stream, len, &start, &used), 0);
    CHECK_EQ_INT(etcd_stream_next_object("  \n", 3, &start, &used), 0);
    CHECK_EQ_INT(etcd_stream_next_object("Not Found", 9, &start, &used), -EINVAL);
}

int main(void)
{
    int failed = 0;
    failed += RUN_TEST(test_b64_round_trip);
    failed += RUN_TEST(test_b64_rejects_garbage);
    failed += RUN_TEST(test_prefix_range_end);
    failed += RUN_TEST(test_int64_fields);
    failed += RUN_TEST(test_request_bodies);
    failed += RUN_TEST(test_parse_range_and_errors);
    failed += RUN_TEST(test_parse_watch_messages);
    failed += RUN_TEST(test_stream_framing);
    return failed ? 1 : 0;
}
