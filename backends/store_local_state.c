/* The embedded store's state file (see store_local_state.h): the one list of
 * persisted key prefixes, the JSON form of those keys, the atomic write and
 * the checked read. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "backends/store_local_state.h"

#define STATE_FORMAT "fogfs-state 1"

/* The keys that outlive a restart: settings and desired state users write
 * through the tree, each rewritten only when a user changes it. Nothing else
 * persists: registrations carry a lease (nodes/<n>/info); samples and
 * container statuses are rewritten every interval (nodes/<n>/sample,
 * nodes/<n>/containers/); events/ is a log; specs/, results/ and
 * migrations/ are exchanges between running nodes. A '*' stands for one
 * path segment. A key put with a lease never persists. */
static const char *const persisted_prefixes[] = {
    "config/",          /* cluster-wide policy: config/autoscale/<file> */
    "nodes/*/led/",     /* a node's LED settings: map, brightness */
};

static bool prefix_matches(const char *pattern, const char *key)
{
    for (; *pattern; pattern++) {
        if (*pattern == '*') {
            size_t seg = strcspn(key, "/");
            if (!seg)
                return false;
            key += seg;
        } else if (*key++ != *pattern) {
            return false;
        }
    }
    return true;
}

static bool key_matches(const char *key)
{
    for (size_t i = 0; i < sizeof persisted_prefixes / sizeof *persisted_prefixes; i++)
        if (prefix_matches(persisted_prefixes[i], key))
            return true;
    return false;
}

bool local_state_persists(const char *key, int64_t lease)
{
    return lease == 0 && key_matches(key);
}

/* ---- encode ---- */

/* A value as JSON: a string when it is UTF-8 (settings are text), else hex. */
static int kv_set_json_value(json_t *o, const struct fog_kv *kv)
{
    json_t *v = json_stringn(kv->value, kv->value_len);
    if (v)
        return json_object_set_new(o, "value", v) ? -ENOMEM : 0;
    char *hex = malloc(kv->value_len * 2 + 1);
    if (!hex)
        return -ENOMEM;
    for (size_t i = 0; i < kv->value_len; i++)
        snprintf(hex + 2 * i, 3, "%02x", (unsigned char)kv->value[i]);
    hex[kv->value_len * 2] = 0;
    int rc = json_object_set_new(o, "value_hex", json_string(hex)) ? -ENOMEM : 0;
    free(hex);
    return rc;
}

int local_state_encode(const struct fog_kv *const *kvs, size_t n, int64_t revision, char **text)
{
    json_t *keys = json_array();
    json_t *root = json_pack("{s:s,s:I,s:o}", "format", STATE_FORMAT, "revision",
                             (json_int_t)revision, "keys", keys);
    int rc = root ? 0 : -ENOMEM;
    for (size_t i = 0; !rc && i < n; i++) {
        const struct fog_kv *kv = kvs[i];
        json_t *o = json_pack("{s:s,s:I,s:I,s:I}", "key", kv->key,
                              "create_revision", (json_int_t)kv->create_revision,
                              "mod_revision", (json_int_t)kv->mod_revision,
                              "version", (json_int_t)kv->version);
        rc = o ? kv_set_json_value(o, kv) : -ENOMEM;
        if (json_array_append_new(keys, o) && !rc)
            rc = -ENOMEM;
    }
    *text = rc ? NULL : json_dumps(root, JSON_INDENT(1));
    json_decref(root);
    if (!rc && !*text)
        rc = -ENOMEM;
    return rc;
}

/* ---- write ---- */

static int write_all(int fd, const char *p, size_t len)
{
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -errno;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* fsyncs the directory holding path, so the rename itself is on disk. */
static int sync_parent(const char *path)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    int rc = fsync(fd) ? -errno : 0;
    close(fd);
    return rc;
}

int local_state_write(const char *path, const char *text)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return -ENAMETOOLONG;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -errno;
    int rc = write_all(fd, text, strlen(text));
    if (!rc && fsync(fd))
        rc = -errno;
    if (close(fd) && !rc)
        rc = -errno;
    if (!rc && rename(tmp, path))
        rc = -errno;
    if (rc) {
        unlink(tmp);
        return rc;
    }
    return sync_parent(path);
}

/* ---- read ---- */

static int64_t json_int_or(json_t *o, const char *name, int64_t dflt)
{
    json_t *v = json_object_get(o, name);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* One entry of "keys" into kv; -EINVAL when it is not well formed. */
static int kv_from_json(json_t *o, int64_t revision, struct fog_kv *kv)
{
    json_t *key = json_object_get(o, "key"), *val = json_object_get(o, "value");
    json_t *hex = json_object_get(o, "value_hex");
    bool is_hex = !json_is_string(val);
    memset(kv, 0, sizeof *kv);
    kv->create_revision = json_int_or(o, "create_revision", 0);
    kv->mod_revision = json_int_or(o, "mod_revision", 0);
    kv->version = json_int_or(o, "version", 0);
    if (!json_is_string(key) || !json_string_length(key) ||
        strlen(json_string_value(key)) != json_string_length(key) ||
        json_is_string(val) == json_is_string(hex) || kv->create_revision < 1 ||
        kv->mod_revision < kv->create_revision || kv->mod_revision > revision || kv->version < 1)
        return -EINVAL;
    const char *src = json_string_value(is_hex ? hex : val);
    size_t len = json_string_length(is_hex ? hex : val);
    if (is_hex && len % 2)
        return -EINVAL;
    kv->value_len = is_hex ? len / 2 : len;
    kv->key = strdup(json_string_value(key));
    kv->value = malloc(kv->value_len + 1);
    if (!kv->key || !kv->value) {
        fog_kv_clear(kv);
        return -ENOMEM;
    }
    for (size_t i = 0; is_hex && i < kv->value_len; i++) {
        int hi = hex_digit(src[2 * i]), lo = hex_digit(src[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            fog_kv_clear(kv);
            return -EINVAL;
        }
        kv->value[i] = (char)(hi << 4 | lo);
    }
    if (!is_hex)
        memcpy(kv->value, src, len);
    kv->value[kv->value_len] = 0;
    return 0;
}

int local_state_read(const char *path, struct fog_kv **kvs, size_t *n, int64_t *revision)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return -errno;
    json_error_t err;
    json_t *root = json_loadf(f, JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, &err);
    int rc = !root && ferror(f) ? -EIO : 0;
    fclose(f);
    if (rc)
        return rc;
    json_t *format = json_object_get(root, "format"), *keys = json_object_get(root, "keys");
    int64_t rev = json_int_or(root, "revision", 0);
    if (!json_is_string(format) || strcmp(json_string_value(format), STATE_FORMAT) ||
        !json_is_array(keys) || rev < 1) {
        json_decref(root);
        return -EINVAL;
    }
    size_t count = 0, total = json_array_size(keys);
    struct fog_kv *out = calloc(total ? total : 1, sizeof *out);
    rc = out ? 0 : -ENOMEM;
    for (size_t i = 0; !rc && i < total; i++) {
        rc = kv_from_json(json_array_get(keys, i), rev, &out[count]);
        if (rc)
            break;
        /* Sorted, no key twice: as the store writes it. */
        if (count && strcmp(out[count - 1].key, out[count].key) >= 0) {
            fog_kv_clear(&out[count]);
            rc = -EINVAL;
        } else if (!local_state_persists(out[count].key, 0)) {
            fog_kv_clear(&out[count]);
        } else {
            count++;
        }
    }
    json_decref(root);
    if (rc) {
        fog_kv_free_array(out, count);
        return rc;
    }
    *kvs = out;
    *n = count;
    *revision = rev;
    return 0;
}

int local_state_set_aside(const char *path, char *aside, size_t len)
{
    if (snprintf(aside, len, "%s.bad-%lld", path, (long long)time(NULL)) >= (int)len)
        return -ENAMETOOLONG;
    return rename(path, aside) ? -errno : 0;
}
