/* Pure encoders and parsers for etcd v3's JSON gateway (see etcd_json.h):
 * base64, int64-as-string fields, request bodies, replies, watch messages
 * and watch stream framing. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backends/etcd_json.h"

/* ---- base64 ---- */

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *etcd_b64_encode(const void *data, size_t len)
{
    const unsigned char *in = data;
    char *out = malloc(4 * ((len + 2) / 3) + 1), *o = out;

    if (!out)
        return NULL;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < len)
            v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < len)
            v |= in[i + 2];
        *o++ = b64_alphabet[(v >> 18) & 63];
        *o++ = b64_alphabet[(v >> 12) & 63];
        *o++ = i + 1 < len ? b64_alphabet[(v >> 6) & 63] : '=';
        *o++ = i + 2 < len ? b64_alphabet[v & 63] : '=';
    }
    *o = 0;
    return out;
}

static int b64_value(char c)
{
    const char *p = c ? strchr(b64_alphabet, c) : NULL;
    return p ? (int)(p - b64_alphabet) : -1;
}

int etcd_b64_decode(const char *text, char **out, size_t *len)
{
    size_t n = strlen(text), pad = 0, o = 0;
    char *buf;

    if (n % 4)
        return -EINVAL;
    if (n && text[n - 1] == '=')
        pad++;
    if (n > 1 && text[n - 2] == '=')
        pad++;
    buf = malloc(n / 4 * 3 + 1);
    if (!buf)
        return -ENOMEM;
    for (size_t i = 0; i < n; i += 4) {
        uint32_t v = 0;
        bool last = i + 4 == n;
        for (size_t j = 0; j < 4; j++) {
            int d = b64_value(text[i + j]);
            if (d < 0) {
                if (!(last && text[i + j] == '=' && j >= 4 - pad)) {
                    free(buf);
                    return -EINVAL;
                }
                d = 0;
            }
            v = v << 6 | (uint32_t)d;
        }
        buf[o++] = (char)(v >> 16);
        if (!last || pad < 2)
            buf[o++] = (char)(v >> 8);
        if (!last || pad < 1)
            buf[o++] = (char)v;
    }
    buf[o] = 0;
    *out = buf;
    *len = o;
    return 0;
}

size_t etcd_prefix_range_end(const char *prefix, char *out, size_t size)
{
    size_t n = strlen(prefix);

    while (n && (unsigned char)prefix[n - 1] == 0xff)
        n--;
    if (!n || n + 1 > size) {
        if (size)
            out[0] = 0;
        return 1;   /* the single byte "\0": no upper bound */
    }
    memcpy(out, prefix, n);
    out[n - 1] = (char)((unsigned char)out[n - 1] + 1);
    out[n] = 0;
    return n;
}

/* ---- fields ---- */

int etcd_json_int64(const json_t *obj, const char *field, int64_t *out)
{
    const json_t *v = json_is_object(obj) ? json_object_get(obj, field) : NULL;
    *out = 0;
    if (!v || json_is_null(v))
        return 0;
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return 0;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        char *end;
        errno = 0;
        long long parsed = strtoll(s, &end, 10);
        if (!*s || *end || errno)
            return -EINVAL;
        *out = parsed;
        return 0;
    }
    return -EINVAL;
}

int64_t etcd_json_header_revision(const json_t *reply)
{
    int64_t rev = 0;
    etcd_json_int64(json_object_get(reply, "header"), "revision", &rev);
    return rev;
}

/* ---- request bodies ---- */

static char *dump_and_free(json_t *obj)
{
    char *text = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
    json_decref(obj);
    return text;
}

static int set_b64(json_t *obj, const char *field, const void *data, size_t len)
{
    char *enc = etcd_b64_encode(data, len);
    int rc = enc ? json_object_set_new(obj, field, json_string(enc)) : -1;
    free(enc);
    return rc ? -ENOMEM : 0;
}

static int set_int64(json_t *obj, const char *field, int64_t v)
{
    char text[24];
    snprintf(text, sizeof text, "%" PRId64, v);
    return json_object_set_new(obj, field, json_string(text)) ? -ENOMEM : 0;
}

/* {"key":..., ["range_end":...]} for key, or for every key under it. */
static json_t *key_range(const char *key, bool prefix)
{
    json_t *obj = json_object();
    int rc;

    if (!obj)
        return NULL;
    if (prefix && !*key) {
        rc = set_b64(obj, "key", "", 1);        /* "\0": from the first key */
        rc = rc ? rc : set_b64(obj, "range_end", "", 1);
    } else {
        rc = set_b64(obj, "key", key, strlen(key));
        if (!rc && prefix) {
            size_t size = strlen(key) + 1;
            char *end = malloc(size);
            size_t n = end ? etcd_prefix_range_end(key, end, size) : 0;
            rc = end ? set_b64(obj, "range_end", end, n) : -ENOMEM;
            free(end);
        }
    }
    if (rc) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

char *etcd_req_range(const char *key, bool prefix, bool count_only)
{
    json_t *obj = key_range(key, prefix);
    if (obj && count_only)
        json_object_set_new(obj, "count_only", json_true());
    return dump_and_free(obj);
}

static json_t *put_object(const char *key, const void *val, size_t len, int64_t lease)
{
    json_t *obj = json_object();
    if (!obj || set_b64(obj, "key", key, strlen(key)) || set_b64(obj, "value", val, len) ||
        (lease && set_int64(obj, "lease", lease))) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

char *etcd_req_put(const char *key, const void *val, size_t len, int64_t lease)
{
    return dump_and_free(put_object(key, val, len, lease));
}

/* One compare: target MOD == expect, or CREATE == 0 when expect is 0. */
static json_t *compare_revision(const char *key, int64_t expect)
{
    json_t *cmp = json_object();
    if (!cmp || set_b64(cmp, "key", key, strlen(key)) ||
        json_object_set_new(cmp, "result", json_string("EQUAL")) ||
        json_object_set_new(cmp, "target", json_string(expect ? "MOD" : "CREATE")) ||
        set_int64(cmp, expect ? "mod_revision" : "create_revision", expect)) {
        json_decref(cmp);
        return NULL;
    }
    return cmp;
}

static json_t *txn(json_t *compare, const char *success_kind, json_t *success,
                   const char *failure_kind, json_t *failure)
{
    json_t *obj = json_object();
    if (!obj || !compare || !success || (failure_kind && !failure)) {
        json_decref(obj);
        json_decref(compare);
        json_decref(success);
        json_decref(failure);
        return NULL;
    }
    json_object_set_new(obj, "compare", json_pack("[o]", compare));
    json_object_set_new(obj, "success", json_pack("[{so}]", success_kind, success));
    if (failure_kind)
        json_object_set_new(obj, "failure", json_pack("[{so}]", failure_kind, failure));
    return obj;
}

char *etcd_req_cas(const char *key, int64_t expect, const void *val, size_t len, int64_t lease)
{
    return dump_and_free(txn(compare_revision(key, expect), "request_put",
                             put_object(key, val, len, lease), NULL, NULL));
}

char *etcd_req_delete_if(const char *key, int64_t expect)
{
    json_t *probe = key_range(key, false);
    if (probe)
        json_object_set_new(probe, "count_only", json_true());
    return dump_and_free(txn(compare_revision(key, expect), "request_delete_range",
                             key_range(key, false), "request_range", probe));
}

char *etcd_req_delete(const char *key)
{
    return dump_and_free(key_range(key, false));
}

char *etcd_req_lease_grant(int ttl_seconds)
{
    return dump_and_free(json_pack("{sI}", "TTL", (json_int_t)ttl_seconds));
}

char *etcd_req_lease_id(int64_t lease_id)
{
    json_t *obj = json_object();
    if (obj && set_int64(obj, "ID", lease_id)) {
        json_decref(obj);
        obj = NULL;
    }
    return dump_and_free(obj);
}

char *etcd_req_watch_create(const char *prefix, int64_t start_revision)
{
    json_t *create = key_range(prefix, true);
    if (create && start_revision > 0 && set_int64(create, "start_revision", start_revision)) {
        json_decref(create);
        create = NULL;
    }
    return dump_and_free(create ? json_pack("{so}", "create_request", create) : NULL);
}

char *etcd_req_compaction(int64_t revision)
{
    json_t *obj = json_object();
    if (obj && (set_int64(obj, "revision", revision) ||
                json_object_set_new(obj, "physical", json_true()))) {
        json_decref(obj);
        obj = NULL;
    }
    return dump_and_free(obj);
}

/* ---- replies ---- */

int etcd_grpc_code_to_errno(int code)
{
    switch (code) {
    case 0: return 0;
    case 1: return -ECANCELED;      /* CANCELLED */
    case 3: return -EINVAL;         /* INVALID_ARGUMENT */
    case 4: return -ETIMEDOUT;      /* DEADLINE_EXCEEDED */
    case 5: return -ENOENT;         /* NOT_FOUND */
    case 6: return -EEXIST;         /* ALREADY_EXISTS */
    case 7: return -EACCES;         /* PERMISSION_DENIED */
    case 8: return -ENOSPC;         /* RESOURCE_EXHAUSTED */
    case 9: return -EPERM;          /* FAILED_PRECONDITION */
    case 10: return -ECANCELED;     /* ABORTED */
    case 11: return -ERANGE;        /* OUT_OF_RANGE: compacted or future revision */
    case 12: return -ENOSYS;        /* UNIMPLEMENTED */
    case 14: return -EAGAIN;        /* UNAVAILABLE: no leader, leader changed */
    case 16: return -EACCES;        /* UNAUTHENTICATED */
    default: return -EIO;
    }
}

int etcd_reply_error(const json_t *reply, char *message, size_t size)
{
    const json_t *err = json_object_get(reply, "error");
    const json_t *msg;
    int64_t code = 0;

    if (!err)
        return 0;
    /* Unary errors: {"error":"text","code":n}; stream errors nest an object. */
    if (json_is_object(err)) {
        etcd_json_int64(err, "grpc_code", &code);
        if (!code)
            code = 2;   /* UNKNOWN */
        msg = json_object_get(err, "message");
    } else {
        etcd_json_int64(reply, "code", &code);
        msg = err;
    }
    if (message && size)
        snprintf(message, size, "%s", json_is_string(msg) ? json_string_value(msg) : "");
    int rc = etcd_grpc_code_to_errno((int)code);
    return rc ? rc : -EIO;
}

int etcd_parse_kv(const json_t *obj, struct fog_kv *out)
{
    const json_t *key = json_object_get(obj, "key");
    const json_t *value = json_object_get(obj, "value");
    size_t key_len = 0;
    int rc;

    memset(out, 0, sizeof *out);
    if (!json_is_string(key))
        return -EIO;
    rc = etcd_b64_decode(json_string_value(key), &out->key, &key_len);
    if (!rc)
        rc = etcd_b64_decode(json_is_string(value) ? json_string_value(value) : "",
                             &out->value, &out->value_len);
    if (!rc)
        rc = etcd_json_int64(obj, "create_revision", &out->create_revision);
    if (!rc)
        rc = etcd_json_int64(obj, "mod_revision", &out->mod_revision);
    if (!rc)
        rc = etcd_json_int64(obj, "version", &out->version);
    if (!rc)
        rc = etcd_json_int64(obj, "lease", &out->lease);
    if (!rc && strlen(out->key) != key_len)
        rc = -EINVAL;    /* a key with a NUL inside cannot be a C string */
    if (rc) {
        fog_kv_clear(out);
        return rc == -ENOMEM ? rc : -EIO;
    }
    return 0;
}

int etcd_parse_range(const json_t *reply, struct fog_kv **kvs, size_t *n, int64_t *revision)
{
    const json_t *arr = json_object_get(reply, "kvs");
    size_t count = json_is_array(arr) ? json_array_size(arr) : 0;
    struct fog_kv *out = NULL;

    *kvs = NULL;
    *n = 0;
    if (revision)
        *revision = etcd_json_header_revision(reply);
    if (!count)
        return 0;
    out = calloc(count, sizeof *out);
    if (!out)
        return -ENOMEM;
    for (size_t i = 0; i < count; i++) {
        int rc = etcd_parse_kv(json_array_get(arr, i), &out[i]);
        if (rc) {
            fog_kv_free_array(out, i);
            return rc;
        }
    }
    *kvs = out;
    *n = count;
    return 0;
}

int etcd_parse_txn(const json_t *reply, bool *succeeded, int64_t *revision, int64_t *count)
{
    const json_t *responses = json_object_get(reply, "responses");
    const json_t *first = json_array_get(responses, 0);
    const json_t *inner;

    *succeeded = json_is_true(json_object_get(reply, "succeeded"));
    *revision = etcd_json_header_revision(reply);
    *count = 0;
    if ((inner = json_object_get(first, "response_delete_range")))
        return etcd_json_int64(inner, "deleted", count);
    if ((inner = json_object_get(first, "response_range")))
        return etcd_json_int64(inner, "count", count);
    return 0;
}

int etcd_parse_delete(const json_t *reply, int64_t *deleted, int64_t *revision)
{
    *revision = etcd_json_header_revision(reply);
    return etcd_json_int64(reply, "deleted", deleted);
}

int etcd_parse_lease_grant(const json_t *reply, int64_t *lease_id)
{
    const json_t *err = json_object_get(reply, "error");
    int rc;

    if (json_is_string(err) && json_string_length(err))
        return -EIO;
    rc = etcd_json_int64(reply, "ID", lease_id);
    if (rc || !*lease_id)
        return -EIO;
    return 0;
}

int etcd_parse_keepalive(const json_t *reply, int64_t *ttl)
{
    const json_t *result = json_object_get(reply, "result");
    int rc = etcd_reply_error(reply, NULL, 0);

    *ttl = 0;
    if (rc)
        return rc;
    if (!json_is_object(result))
        return -EIO;
    return etcd_json_int64(result, "TTL", ttl);
}

void etcd_watch_message_clear(struct etcd_watch_message *m)
{
    for (size_t i = 0; i < m->n_events; i++)
        fog_kv_clear(&m->events[i].kv);
    free(m->events);
    memset(m, 0, sizeof *m);
}

int etcd_parse_watch_message(const json_t *msg, struct etcd_watch_message *out)
{
    const json_t *result = json_object_get(msg, "result");
    const json_t *events;
    int rc;

    memset(out, 0, sizeof *out);
    if (json_object_get(msg, "error")) {
        out->error = etcd_reply_error(msg, NULL, 0);
        return 0;
    }
    if (!json_is_object(result))
        return -EIO;
    out->created = json_is_true(json_object_get(result, "created"));
    out->canceled = json_is_true(json_object_get(result, "canceled"));
    out->header_revision = etcd_json_header_revision(result);
    rc = etcd_json_int64(result, "compact_revision", &out->compact_revision);
    if (rc)
        return -EIO;
    events = json_object_get(result, "events");
    size_t count = json_is_array(events) ? json_array_size(events) : 0;
    if (!count)
        return 0;
    out->events = calloc(count, sizeof *out->events);
    if (!out->events)
        return -ENOMEM;
    for (size_t i = 0; i < count; i++) {
        const json_t *ev = json_array_get(events, i);
        const json_t *type = json_object_get(ev, "type");
        /* PUT is enum value 0, which the gateway leaves out. */
        if (json_is_string(type) && strcmp(json_string_value(type), "DELETE") == 0)
            out->events[i].type = FOG_WATCH_DELETE;
        else if (json_is_integer(type) && json_integer_value(type) == 1)
            out->events[i].type = FOG_WATCH_DELETE;
        else
            out->events[i].type = FOG_WATCH_PUT;
        rc = etcd_parse_kv(json_object_get(ev, "kv"), &out->events[i].kv);
        if (rc) {
            etcd_watch_message_clear(out);
            return rc;
        }
        out->n_events = i + 1;
    }
    return 0;
}

/* ---- stream framing ---- */

int etcd_stream_next_object(const char *buf, size_t len, size_t *start, size_t *used)
{
    size_t i = 0;
    int depth = 0;
    bool in_string = false, escaped = false;

    while (i < len && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\t'))
        i++;
    *start = i;
    if (i == len)
        return 0;
    if (buf[i] != '{')
        return -EINVAL;
    for (; i < len; i++) {
        char c = buf[i];
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == '"')
            in_string = true;
        else if (c == '{' || c == '[')
            depth++;
        else if ((c == '}' || c == ']') && --depth == 0) {
            *used = i + 1;
            return 1;
        }
    }
    return 0;
}
