/* The embedded store's state file: which keys outlive a restart of fogfs,
 * and reading and atomically writing them as JSON (jansson). Used only by
 * backends/store_local.c. Functions return 0 or -errno. */
#ifndef FOG_STORE_LOCAL_STATE_H
#define FOG_STORE_LOCAL_STATE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/store.h"

/* True when a key with this lease (0: none) belongs in the state file. */
bool local_state_persists(const char *key, int64_t lease);

/* The file's text for n key/values and the store revision; *text is malloc'd. */
int local_state_encode(const struct fog_kv *const *kvs, size_t n, int64_t revision, char **text);
/* Writes text to path atomically: path.tmp in the same directory, fsync,
 * rename over path, fsync the directory. */
int local_state_write(const char *path, const char *text);
/* Reads path into *kvs (n of them, sorted as in the file) and *revision.
 * -ENOENT: no file (a first start); -EINVAL: not a state file (corrupt);
 * another -errno: it could not be read. Keys that no longer persist are skipped. */
int local_state_read(const char *path, struct fog_kv **kvs, size_t *n, int64_t *revision);
/* Renames a bad state file to path.bad-<unix time>; the new name in aside. */
int local_state_set_aside(const char *path, char *aside, size_t len);

#endif
