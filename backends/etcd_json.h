/* Pure encoders and parsers for etcd v3's JSON gateway: base64 keys and
 * values, int64 fields sent as strings, request bodies, replies, and the
 * framing of the watch stream. No I/O; used by store_etcd.c, unit tested. */
#ifndef FOG_ETCD_JSON_H
#define FOG_ETCD_JSON_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/store.h"

/* Base64 (standard alphabet, padded). encode returns a malloc'd string or NULL. */
char *etcd_b64_encode(const void *data, size_t len);
/* Decodes into a malloc'd buffer with a NUL after *len bytes; -EINVAL if malformed. */
int etcd_b64_decode(const char *text, char **out, size_t *len);

/* The end of the key range holding every key that starts with prefix
 * (etcd's "range_end"): prefix with its last byte below 0xff incremented and
 * what follows dropped; "\0" (all keys from prefix on) when there is none. */
size_t etcd_prefix_range_end(const char *prefix, char *out, size_t size);

/* An int64 field that etcd sends as a JSON string (or a number); an absent
 * field is 0. -EINVAL when present but not an integer. */
int etcd_json_int64(const json_t *obj, const char *field, int64_t *out);
/* header.revision of a reply (0 when absent). */
int64_t etcd_json_header_revision(const json_t *reply);

/* Request bodies; each returns a malloc'd JSON string or NULL. */
char *etcd_req_range(const char *key, bool prefix, bool count_only);
char *etcd_req_put(const char *key, const void *val, size_t len, int64_t lease);
/* Txn: put if mod_revision == expect (expect 0: create_revision == 0). */
char *etcd_req_cas(const char *key, int64_t expect, const void *val, size_t len, int64_t lease);
/* Txn: delete if mod_revision == expect; on failure reads the key back. */
char *etcd_req_delete_if(const char *key, int64_t expect);
char *etcd_req_delete(const char *key);
char *etcd_req_lease_grant(int ttl_seconds);
char *etcd_req_lease_id(int64_t lease_id);   /* keepalive, revoke */
char *etcd_req_watch_create(const char *prefix, int64_t start_revision);
char *etcd_req_compaction(int64_t revision);

/* Maps a gRPC status code (the "code" of an error reply) to -errno. */
int etcd_grpc_code_to_errno(int code);
/* If reply is an error object ({"error":..,"code":n}), returns its -errno and
 * copies the message; 0 if it is not an error. */
int etcd_reply_error(const json_t *reply, char *message, size_t size);

/* One "kv" object into a fog_kv (key and value decoded, NUL-terminated). */
int etcd_parse_kv(const json_t *obj, struct fog_kv *out);
/* A range reply: its kvs (malloc'd array, n may be 0) and header revision. */
int etcd_parse_range(const json_t *reply, struct fog_kv **kvs, size_t *n, int64_t *revision);
/* A txn reply: succeeded, header revision, and (for a failed delete_if)
 * whether the key read back exists; for a succeeded delete_if, deleted count. */
int etcd_parse_txn(const json_t *reply, bool *succeeded, int64_t *revision, int64_t *count);
/* A deleterange reply: how many keys were deleted, and the revision. */
int etcd_parse_delete(const json_t *reply, int64_t *deleted, int64_t *revision);
/* lease/grant reply: the lease ID (-EIO if missing or the reply has an error). */
int etcd_parse_lease_grant(const json_t *reply, int64_t *lease_id);
/* lease/keepalive reply ({"result":{...}}): the TTL left; 0 means not found. */
int etcd_parse_keepalive(const json_t *reply, int64_t *ttl);

/* One message of the watch stream. */
struct etcd_watch_event {
    enum fog_watch_type type;
    struct fog_kv kv;
};
struct etcd_watch_message {
    bool created, canceled;
    int64_t header_revision;
    int64_t compact_revision;
    int error;                      /* -errno if the stream carried an error */
    struct etcd_watch_event *events;
    size_t n_events;
};
int etcd_parse_watch_message(const json_t *msg, struct etcd_watch_message *out);
void etcd_watch_message_clear(struct etcd_watch_message *m);

/* Watch stream framing: the length of the first complete top-level JSON
 * object at the start of buf (after leading white space, which counts).
 * Returns 1 and sets *used when one is complete, 0 when more bytes are
 * needed, -EINVAL when buf does not start with an object. */
int etcd_stream_next_object(const char *buf, size_t len, size_t *start, size_t *used);

#endif
