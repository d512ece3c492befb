/* The /fog tree of TREE.md, as attributes over the daemon context: the root
 * (README, cluster/, one directory per node), node files, metrics, containers. */
#ifndef FOG_TREE_H
#define FOG_TREE_H
#include "fs/tree.h"
#include <stddef.h>

struct fog_ctx;

const struct fs_dir *fog_tree_root(void);

/* Shared by the tree's files (core/tree_*.c). */
extern const struct fs_dir fog_node_dir;
extern const struct fs_dir fog_cluster_dir;
extern const struct fs_dir fog_led_dir;
/* Loads the LED map and brightness saved in the store, if any. */
void fog_led_load_settings(struct fog_ctx *ctx);
/* Trims a written value; logs and returns -EINVAL when it is not text. */
int fog_attr_value(struct fog_ctx *ctx, const char *container, const char *file,
                   const char *val, size_t len, char *out, size_t outlen);
/* Logs a value that did not parse or is out of range and returns r. */
int fog_attr_reject(struct fog_ctx *ctx, const char *container, const char *file, int r,
                    const char *val, size_t len, const char *expected);

#endif
