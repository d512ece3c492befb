/* The etcd v3 store: core/store.h over etcd's JSON gateway with libcurl and
 * jansson. Requests fail over across the endpoints (remembering the last one
 * that worked); each watch is a thread reading the gateway's chunked stream.
 * libcurl is dlopen'ed on open (backends/curl_dl.h); calls go via es->curl. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "backends/curl_dl.h"
#include "backends/etcd_json.h"
#include "core/clock.h"
#include "core/store.h"

#define ETCD_IDLE_HANDLES 8
#define ETCD_CONNECT_TIMEOUT_MS 1000L
#define ETCD_REQUEST_TIMEOUT_MS 8000L
#define ETCD_CALL_DEADLINE_S 6.0
#define ETCD_WATCH_BACKOFF_MS 200

struct etcd_store {
    struct fog_store base;
    struct curl_dl curl;          /* libcurl's entry points; read-only once open */
    char **endpoints;             /* "host:port" */
    size_t n_endpoints;
    char *description;            /* "etcd h:p,h:p" */
    struct curl_slist *headers;   /* read-only once open */
    pthread_mutex_t mu;           /* guards the fields below */
    size_t preferred;             /* the endpoint that answered last */
    const char *api;              /* "/v3", or "/v3beta" for older gateways */
    double call_deadline_s;       /* how long one call keeps trying */
    CURL *idle[ETCD_IDLE_HANDLES];
    size_t n_idle;
};

struct fog_watch {
    struct etcd_store *es;
    char *prefix;
    fog_watch_cb cb;
    void *arg;
    pthread_t thread;
    CURLM *multi;
    pthread_mutex_t mu;
    pthread_cond_t cond;
    bool stop;                    /* unwatch asked; guarded by mu */
    bool free_on_exit;            /* unwatched from its own callback; guarded by mu */
    /* Owned by the watch thread: */
    int64_t next_rev;             /* resume point after a disconnect */
    bool compacted;               /* reported; the watch is over */
    int stream_error;
    char *buf;                    /* stream bytes not yet parsed */
    size_t buf_len, buf_cap;
};

enum call_safety {
    CALL_RETRY_ANYWHERE,          /* repeating it is harmless: reads, puts, keepalive */
    CALL_AT_MOST_ONCE,            /* retry only where it surely was not applied */
};

struct http_reply {
    char *data;
    size_t len, cap;
};

static struct etcd_store *etcd_from(struct fog_store *s)
{
    return (struct etcd_store *)s;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static int buffer_append(char **data, size_t *len, size_t *cap, const char *bytes, size_t n)
{
    if (*len + n + 1 > *cap) {
        size_t grown = *cap ? *cap : 4096;
        while (grown < *len + n + 1)
            grown *= 2;
        char *p = realloc(*data, grown);
        if (!p)
            return -ENOMEM;
        *data = p;
        *cap = grown;
    }
    memcpy(*data + *len, bytes, n);
    *len += n;
    (*data)[*len] = 0;
    return 0;
}

static size_t reply_write(char *bytes, size_t size, size_t nmemb, void *arg)
{
    struct http_reply *r = arg;
    size_t n = size * nmemb;
    return buffer_append(&r->data, &r->len, &r->cap, bytes, n) ? 0 : n;
}

/* ---- curl handles ---- */

static CURL *handle_take(struct etcd_store *es)
{
    CURL *h = NULL;
    pthread_mutex_lock(&es->mu);
    if (es->n_idle)
        h = es->idle[--es->n_idle];
    pthread_mutex_unlock(&es->mu);
    return h ? h : es->curl.easy_init();
}

static void handle_give_back(struct etcd_store *es, CURL *h)
{
    pthread_mutex_lock(&es->mu);
    if (es->n_idle < ETCD_IDLE_HANDLES) {
        es->idle[es->n_idle++] = h;
        h = NULL;
    }
    pthread_mutex_unlock(&es->mu);
    if (h)
        es->curl.easy_cleanup(h);
}

static void handle_setup(struct etcd_store *es, CURL *h, const char *url, const char *body)
{
    es->curl.easy_reset(h);
    es->curl.easy_setopt(h, CURLOPT_URL, url);
    es->curl.easy_setopt(h, CURLOPT_POSTFIELDS, body);
    es->curl.easy_setopt(h, CURLOPT_HTTPHEADER, es->headers);
    es->curl.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    es->curl.easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ETCD_CONNECT_TIMEOUT_MS);
    es->curl.easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    es->curl.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http");
}

/* The gateway prefix in use; an older etcd serves /v3beta only. */
static const char *api_current(struct etcd_store *es)
{
    pthread_mutex_lock(&es->mu);
    const char *api = es->api;
    pthread_mutex_unlock(&es->mu);
    return api;
}

/* Called on a plain 404 from api: moves to the older prefix once. Returns
 * true if there is another prefix to try. */
static bool api_fall_back(struct etcd_store *es, const char *api)
{
    bool changed = false;
    pthread_mutex_lock(&es->mu);
    if (es->api == api && strcmp(api, "/v3") == 0) {
        es->api = "/v3beta";
        changed = true;
    } else if (es->api != api) {
        changed = true;   /* another thread already moved it */
    }
    pthread_mutex_unlock(&es->mu);
    return changed;
}

static size_t preferred_endpoint(struct etcd_store *es)
{
    pthread_mutex_lock(&es->mu);
    size_t i = es->preferred;
    pthread_mutex_unlock(&es->mu);
    return i;
}

static void remember_endpoint(struct etcd_store *es, size_t i)
{
    pthread_mutex_lock(&es->mu);
    es->preferred = i;
    pthread_mutex_unlock(&es->mu);
}

static bool curl_error_means_not_sent(CURLcode cc)
{
    return cc == CURLE_COULDNT_CONNECT || cc == CURLE_COULDNT_RESOLVE_HOST ||
           cc == CURLE_COULDNT_RESOLVE_PROXY;
}

/* One unary call: POSTs body to api+path, failing over across endpoints until
 * one gives an answer or the deadline passes. On 0, *out is the JSON reply. */
static int etcd_call(struct etcd_store *es, const char *path, const char *body,
                     enum call_safety safety, json_t **out)
{
    pthread_mutex_lock(&es->mu);
    double deadline = fog_mono_now() + es->call_deadline_s;
    pthread_mutex_unlock(&es->mu);
    int last_err = -EHOSTUNREACH;
    CURL *h;

    *out = NULL;
    if (!body)
        return -ENOMEM;
    h = handle_take(es);
    if (!h)
        return -ENOMEM;
    for (int round = 0;; round++) {
        size_t start = preferred_endpoint(es);
        for (size_t k = 0; k < es->n_endpoints; k++) {
            size_t idx = (start + k) % es->n_endpoints;
            const char *api = api_current(es);
            struct http_reply reply = {0};
            char url[512], message[256] = "";
            long status = 0;

            snprintf(url, sizeof url, "http://%s%s%s", es->endpoints[idx], api, path);
            handle_setup(es, h, url, body);
            es->curl.easy_setopt(h, CURLOPT_TIMEOUT_MS, ETCD_REQUEST_TIMEOUT_MS);
            es->curl.easy_setopt(h, CURLOPT_WRITEFUNCTION, reply_write);
            es->curl.easy_setopt(h, CURLOPT_WRITEDATA, &reply);
            CURLcode cc = es->curl.easy_perform(h);
            es->curl.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
            if (cc != CURLE_OK) {
                free(reply.data);
                last_err = cc == CURLE_OPERATION_TIMEDOUT ? -ETIMEDOUT : -ECONNREFUSED;
                if (curl_error_means_not_sent(cc) || safety == CALL_RETRY_ANYWHERE)
                    continue;
                handle_give_back(es, h);
                return last_err == -ETIMEDOUT ? last_err : -EIO;
            }
            json_t *json = reply.data ? json_loadb(reply.data, reply.len, 0, NULL) : NULL;
            free(reply.data);
            if (!json) {
                if (status == 404 && api_fall_back(es, api)) {
                    k--;   /* same endpoint, other prefix */
                    continue;
                }
                last_err = status == 404 ? -ENOSYS : -EIO;
                if (status >= 500 && safety == CALL_RETRY_ANYWHERE)
                    continue;
                handle_give_back(es, h);
                return last_err;
            }
            int err = etcd_reply_error(json, message, sizeof message);
            if (err == -EAGAIN &&
                (safety == CALL_RETRY_ANYWHERE || strstr(message, "no leader"))) {
                last_err = err;    /* this member cannot serve now: try the next */
                json_decref(json);
                continue;
            }
            remember_endpoint(es, idx);
            handle_give_back(es, h);
            if (err) {
                json_decref(json);
                return err;
            }
            *out = json;
            return 0;
        }
        if (fog_mono_now() >= deadline)
            break;
        sleep_ms(100L * (round < 5 ? round + 1 : 5));
    }
    handle_give_back(es, h);
    return last_err;
}

/* ---- key/value operations ---- */

static int etcd_get(struct fog_store *s, const char *key, struct fog_kv *out)
{
    struct etcd_store *es = etcd_from(s);
    struct fog_kv *kvs = NULL;
    size_t n = 0;
    json_t *reply;
    int rc;

    if (!key || !*key || !out)
        return -EINVAL;
    char *body = etcd_req_range(key, false, false);
    rc = etcd_call(es, "/kv/range", body, CALL_RETRY_ANYWHERE, &reply);
    free(body);
    if (rc)
        return rc;
    rc = etcd_parse_range(reply, &kvs, &n, NULL);
    json_decref(reply);
    if (rc)
        return rc;
    if (!n)
        return -ENOENT;
    *out = kvs[0];
    memset(&kvs[0], 0, sizeof kvs[0]);
    fog_kv_free_array(kvs, n);
    return 0;
}

static int etcd_list(struct fog_store *s, const char *prefix, struct fog_kv **out, size_t *n,
                     int64_t *revision)
{
    struct etcd_store *es = etcd_from(s);
    json_t *reply;
    int rc;

    if (!out || !n)
        return -EINVAL;
    char *body = etcd_req_range(prefix ? prefix : "", true, false);
    rc = etcd_call(es, "/kv/range", body, CALL_RETRY_ANYWHERE, &reply);
    free(body);
    if (rc)
        return rc;
    rc = etcd_parse_range(reply, out, n, revision);
    json_decref(reply);
    return rc;
}

static int etcd_put(struct fog_store *s, const char *key, const void *val, size_t len,
                    int64_t lease, int64_t *revision)
{
    struct etcd_store *es = etcd_from(s);
    json_t *reply;
    int rc;

    if (!key || !*key || (len && !val))
        return -EINVAL;
    char *body = etcd_req_put(key, len ? val : "", len, lease);
    rc = etcd_call(es, "/kv/put", body, CALL_RETRY_ANYWHERE, &reply);
    free(body);
    if (rc)
        return rc;
    if (revision)
        *revision = etcd_json_header_revision(reply);
    json_decref(reply);
    return 0;
}

static int etcd_cas(struct fog_store *s, const char *key, int64_t expect, const void *val,
                    size_t len, int64_t lease, int64_t *revision)
{
    struct etcd_store *es = etcd_from(s);
    bool succeeded;
    int64_t rev, count;
    json_t *reply;
    int rc;

    if (!key || !*key || (len && !val) || expect < 0)
        return -EINVAL;
    char *body = etcd_req_cas(key, expect, len ? val : "", len, lease);
    rc = etcd_call(es, "/kv/txn", body, CALL_AT_MOST_ONCE, &reply);
    free(body);
    if (rc)
        return rc;
    rc = etcd_parse_txn(reply, &succeeded, &rev, &count);
    json_decref(reply);
    if (rc)
        return rc;
    if (!succeeded)
        return -ECANCELED;
    if (revision)
        *revision = rev;
    return 0;
}

static int etcd_del(struct fog_store *s, const char *key, int64_t expect, int64_t *revision)
{
    struct etcd_store *es = etcd_from(s);
    bool succeeded = true;
    int64_t rev = 0, count = 0;
    json_t *reply;
    char *body;
    int rc;

    if (!key || !*key)
        return -EINVAL;
    if (expect < 0) {
        body = etcd_req_delete(key);
        rc = etcd_call(es, "/kv/deleterange", body, CALL_AT_MOST_ONCE, &reply);
        free(body);
        if (rc)
            return rc;
        rc = etcd_parse_delete(reply, &count, &rev);
    } else {
        body = etcd_req_delete_if(key, expect);
        rc = etcd_call(es, "/kv/txn", body, CALL_AT_MOST_ONCE, &reply);
        free(body);
        if (rc)
            return rc;
        rc = etcd_parse_txn(reply, &succeeded, &rev, &count);
    }
    json_decref(reply);
    if (rc)
        return rc;
    /* Succeeded: count is how many were deleted. Failed: how many exist. */
    if (count == 0)
        return -ENOENT;
    if (!succeeded)
        return -ECANCELED;
    if (revision)
        *revision = rev;
    return 0;
}

/* ---- leases ---- */

static int etcd_lease_grant(struct fog_store *s, int ttl_seconds, int64_t *lease_id)
{
    struct etcd_store *es = etcd_from(s);
    json_t *reply;
    int rc;

    if (ttl_seconds <= 0 || !lease_id)
        return -EINVAL;
    char *body = etcd_req_lease_grant(ttl_seconds);
    rc = etcd_call(es, "/lease/grant", body, CALL_AT_MOST_ONCE, &reply);
    free(body);
    if (rc)
        return rc;
    rc = etcd_parse_lease_grant(reply, lease_id);
    json_decref(reply);
    return rc;
}

static int etcd_lease_keepalive(struct fog_store *s, int64_t lease_id)
{
    struct etcd_store *es = etcd_from(s);
    int64_t ttl = 0;
    json_t *reply;
    int rc;

    char *body = etcd_req_lease_id(lease_id);
    rc = etcd_call(es, "/lease/keepalive", body, CALL_RETRY_ANYWHERE, &reply);
    free(body);
    if (rc)
        return rc;
    rc = etcd_parse_keepalive(reply, &ttl);
    json_decref(reply);
    if (rc)
        return rc;
    return ttl > 0 ? 0 : -ENOENT;
}

static int etcd_lease_revoke(struct fog_store *s, int64_t lease_id)
{
    struct etcd_store *es = etcd_from(s);
    json_t *reply;
    int rc;

    char *body = etcd_req_lease_id(lease_id);
    rc = etcd_call(es, "/lease/revoke", body, CALL_RETRY_ANYWHERE, &reply);
    free(body);
    if (rc)
        return rc;
    json_decref(reply);
    return 0;
}

/* ---- watches ---- */

static bool watch_stopping(struct fog_watch *w)
{
    pthread_mutex_lock(&w->mu);
    bool stop = w->stop;
    pthread_mutex_unlock(&w->mu);
    return stop;
}

/* Calls the user's callback unless unwatch has begun. */
static void watch_deliver(struct fog_watch *w, int status, const struct fog_watch_event *ev)
{
    if (!watch_stopping(w))
        w->cb(w->arg, status, ev);
}

/* Handles one message of the stream; returns false to end this connection. */
static bool watch_handle_message(struct fog_watch *w, const json_t *msg)
{
    struct etcd_watch_message m;
    int rc = etcd_parse_watch_message(msg, &m);

    if (rc) {
        w->stream_error = rc;
        return false;
    }
    if (m.error) {
        w->stream_error = m.error;
        etcd_watch_message_clear(&m);
        return false;
    }
    if (m.canceled) {
        if (m.compact_revision > 0) {
            w->compacted = true;
            watch_deliver(w, -ECANCELED, NULL);
        } else {
            w->stream_error = -EIO;
        }
        etcd_watch_message_clear(&m);
        return false;
    }
    /* Events of one revision come in one message; skip what was delivered
     * before a reconnect. */
    int64_t floor = w->next_rev;
    for (size_t i = 0; i < m.n_events; i++) {
        struct fog_kv *kv = &m.events[i].kv;
        if (kv->mod_revision < floor)
            continue;
        struct fog_watch_event ev = { .type = m.events[i].type, .kv = kv };
        watch_deliver(w, 0, &ev);
        if (kv->mod_revision + 1 > w->next_rev)
            w->next_rev = kv->mod_revision + 1;
    }
    etcd_watch_message_clear(&m);
    return !watch_stopping(w);
}

static size_t watch_write(char *bytes, size_t size, size_t nmemb, void *arg)
{
    struct fog_watch *w = arg;
    size_t n = size * nmemb, consumed = 0;

    if (watch_stopping(w) || buffer_append(&w->buf, &w->buf_len, &w->buf_cap, bytes, n))
        return 0;
    for (;;) {
        size_t start = 0, used = 0;
        int found = etcd_stream_next_object(w->buf + consumed, w->buf_len - consumed,
                                            &start, &used);
        if (found < 0) {
            w->stream_error = -EIO;
            return 0;
        }
        if (!found)
            break;
        json_t *msg = json_loadb(w->buf + consumed + start, used - start, 0, NULL);
        consumed += used;
        if (!msg) {
            w->stream_error = -EIO;
            return 0;
        }
        bool go_on = watch_handle_message(w, msg);
        json_decref(msg);
        if (!go_on)
            return 0;
    }
    memmove(w->buf, w->buf + consumed, w->buf_len - consumed);
    w->buf_len -= consumed;
    return n;
}

/* Streams from one endpoint until the connection ends or unwatch. Returns
 * true if the endpoint spoke the gateway (so it is worth staying on). */
static bool watch_stream_once(struct fog_watch *w, const char *endpoint)
{
    struct etcd_store *es = w->es;
    const char *api = api_current(es);
    char url[512];
    char *body = etcd_req_watch_create(w->prefix, w->next_rev);
    CURL *h = es->curl.easy_init();
    bool spoke = false;

    if (!body || !h) {
        free(body);
        if (h)
            es->curl.easy_cleanup(h);
        return false;
    }
    snprintf(url, sizeof url, "http://%s%s/watch", endpoint, api);
    handle_setup(es, h, url, body);
    es->curl.easy_setopt(h, CURLOPT_WRITEFUNCTION, watch_write);
    es->curl.easy_setopt(h, CURLOPT_WRITEDATA, w);
    w->buf_len = 0;
    w->stream_error = 0;
    es->curl.multi_add_handle(w->multi, h);
    for (;;) {
        int running = 0;
        if (es->curl.multi_perform(w->multi, &running) != CURLM_OK || !running)
            break;
        if (watch_stopping(w))
            break;
        es->curl.multi_poll(w->multi, NULL, 0, 1000, NULL);
    }
    long status = 0;
    es->curl.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (status == 404 && w->stream_error == -EIO && !watch_stopping(w))
        api_fall_back(es, api);
    spoke = status == 200 && !w->stream_error;
    es->curl.multi_remove_handle(w->multi, h);
    es->curl.easy_cleanup(h);
    free(body);
    return spoke;
}

static void *watch_thread(void *arg)
{
    struct fog_watch *w = arg;
    struct etcd_store *es = w->es;
    size_t idx = preferred_endpoint(es);

    while (!w->compacted && !watch_stopping(w)) {
        double started = fog_mono_now();
        bool spoke = watch_stream_once(w, es->endpoints[idx]);
        if (w->compacted || watch_stopping(w))
            break;
        if (!spoke || fog_mono_now() - started < 1)
            idx = (idx + 1) % es->n_endpoints;
        /* Back off a little, waking at once for unwatch. */
        struct timespec until = fog_mono_after(ETCD_WATCH_BACKOFF_MS / 1000.0);
        pthread_mutex_lock(&w->mu);
        if (!w->stop)
            pthread_cond_timedwait(&w->cond, &w->mu, &until);
        pthread_mutex_unlock(&w->mu);
    }
    pthread_mutex_lock(&w->mu);
    bool free_self = w->free_on_exit;
    pthread_mutex_unlock(&w->mu);
    if (free_self) {
        pthread_detach(pthread_self());
        es->curl.multi_cleanup(w->multi);
        pthread_cond_destroy(&w->cond);
        pthread_mutex_destroy(&w->mu);
        free(w->buf);
        free(w->prefix);
        free(w);
    }
    return NULL;
}

static void watch_free(struct fog_watch *w)
{
    if (w->multi)
        w->es->curl.multi_cleanup(w->multi);
    pthread_cond_destroy(&w->cond);
    pthread_mutex_destroy(&w->mu);
    free(w->buf);
    free(w->prefix);
    free(w);
}

static int etcd_watch(struct fog_store *s, const char *prefix, int64_t from, fog_watch_cb cb,
                      void *arg, struct fog_watch **out)
{
    struct etcd_store *es = etcd_from(s);
    struct fog_watch *w;
    int rc;

    if (!cb || !out || from < 0)
        return -EINVAL;
    if (!prefix)
        prefix = "";
    if (!from) {
        /* "From now on" is pinned here, so a reconnect before the first
         * event cannot skip changes made after watch() returned. */
        json_t *reply;
        char *body = etcd_req_range(prefix, true, true);
        rc = etcd_call(es, "/kv/range", body, CALL_RETRY_ANYWHERE, &reply);
        free(body);
        if (rc)
            return rc;
        from = etcd_json_header_revision(reply) + 1;
        json_decref(reply);
    }
    w = calloc(1, sizeof *w);
    if (!w)
        return -ENOMEM;
    w->es = es;
    w->cb = cb;
    w->arg = arg;
    w->next_rev = from;
    w->prefix = strdup(prefix);
    w->multi = es->curl.multi_init();
    pthread_mutex_init(&w->mu, NULL);
    fog_cond_init_mono(&w->cond);
    if (!w->prefix || !w->multi) {
        watch_free(w);
        return -ENOMEM;
    }
    rc = -pthread_create(&w->thread, NULL, watch_thread, w);
    if (rc) {
        watch_free(w);
        return rc;
    }
    *out = w;
    return 0;
}

static void etcd_unwatch(struct fog_store *s, struct fog_watch *w)
{
    if (!w)
        return;
    bool own_thread = pthread_equal(pthread_self(), w->thread);
    pthread_mutex_lock(&w->mu);
    w->stop = true;
    w->free_on_exit = own_thread;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->mu);
    w->es->curl.multi_wakeup(w->multi);
    if (own_thread)
        return;      /* the thread frees itself once the callback returns */
    pthread_join(w->thread, NULL);
    watch_free(w);
}

/* ---- the store ---- */

static const char *etcd_describe(struct fog_store *s)
{
    return etcd_from(s)->description;
}

static void etcd_close(struct fog_store *s)
{
    struct etcd_store *es = etcd_from(s);

    if (!es)
        return;
    for (size_t i = 0; i < es->n_idle; i++)
        es->curl.easy_cleanup(es->idle[i]);   /* n_idle > 0 only once curl is loaded */
    for (size_t i = 0; i < es->n_endpoints; i++)
        free(es->endpoints[i]);
    free(es->endpoints);
    free(es->description);
    if (es->headers)
        es->curl.slist_free_all(es->headers);
    curl_dl_close(&es->curl);
    pthread_mutex_destroy(&es->mu);
    free(es);
}

static void etcd_set_call_timeout(struct fog_store *s, double seconds)
{
    struct etcd_store *es = etcd_from(s);
    pthread_mutex_lock(&es->mu);
    es->call_deadline_s = seconds > 0 ? seconds : ETCD_CALL_DEADLINE_S;
    pthread_mutex_unlock(&es->mu);
}

static const struct fog_store_ops etcd_ops = {
    .get = etcd_get,
    .list = etcd_list,
    .put = etcd_put,
    .cas = etcd_cas,
    .del = etcd_del,
    .lease_grant = etcd_lease_grant,
    .lease_keepalive = etcd_lease_keepalive,
    .lease_revoke = etcd_lease_revoke,
    .watch = etcd_watch,
    .unwatch = etcd_unwatch,
    .describe = etcd_describe,
    .set_call_timeout = etcd_set_call_timeout,
    .close = etcd_close,
};

/* Splits "h:p,http://h:p" into bare "host:port" strings. */
static int parse_endpoints(struct etcd_store *es, const char *list)
{
    char *copy = strdup(list), *save = NULL;
    size_t joined = 0;
    int rc = 0;

    if (!copy)
        return -ENOMEM;
    for (char *tok = strtok_r(copy, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        if (strncmp(tok, "http://", 7) == 0)
            tok += 7;
        size_t len = strcspn(tok, " /");
        if (!len || !strchr(tok, ':') || strchr(tok, ':') > tok + len) {
            rc = -EINVAL;
            break;
        }
        char **grown = realloc(es->endpoints, (es->n_endpoints + 1) * sizeof *grown);
        if (!grown) {
            rc = -ENOMEM;
            break;
        }
        es->endpoints = grown;
        es->endpoints[es->n_endpoints] = strndup(tok, len);
        if (!es->endpoints[es->n_endpoints]) {
            rc = -ENOMEM;
            break;
        }
        joined += len + 1;
        es->n_endpoints++;
    }
    free(copy);
    if (!rc && !es->n_endpoints)
        rc = -EINVAL;
    if (rc)
        return rc;
    es->description = malloc(joined + 8);
    if (!es->description)
        return -ENOMEM;
    strcpy(es->description, "etcd ");
    for (size_t i = 0; i < es->n_endpoints; i++) {
        if (i)
            strcat(es->description, ",");
        strcat(es->description, es->endpoints[i]);
    }
    return 0;
}

int store_etcd_open(const char *endpoints, struct fog_store **out)
{
    struct etcd_store *es;
    int rc;

    if (!out)
        return -EINVAL;
    *out = NULL;
    if (!endpoints || !*endpoints)
        return -EINVAL;
    es = calloc(1, sizeof *es);
    if (!es)
        return -ENOMEM;
    es->base.ops = &etcd_ops;
    es->api = "/v3";
    pthread_mutex_init(&es->mu, NULL);
    es->call_deadline_s = ETCD_CALL_DEADLINE_S;
    rc = parse_endpoints(es, endpoints);
    if (!rc)
        rc = curl_dl_open(&es->curl);   /* also curl_global_init, once per process */
    if (!rc) {
        es->headers = es->curl.slist_append(NULL, "Content-Type: application/json");
        if (!es->headers)
            rc = -ENOMEM;
    }
    if (rc) {
        etcd_close(&es->base);
        return rc;
    }
    *out = &es->base;
    return 0;
}
