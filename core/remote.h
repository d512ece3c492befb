/* Writes to another node's containers. The writer appends the write to the
 * container's desired spec (specs/<node>/<name>, {"ops":[...]}) with a
 * compare-and-swap, retrying on a newer revision so concurrent writers lose
 * nothing; the owner, watching specs/<itself>/, applies each op through the
 * same function a local write uses and answers under results/<node>/<id>
 * with the errno; the writer returns that, or ETIMEDOUT. */
#ifndef FOG_REMOTE_H
#define FOG_REMOTE_H
#include <stddef.h>

struct fog_ctx;

int fog_remote_start(struct fog_ctx *ctx);
void fog_remote_stop(struct fog_ctx *ctx);
/* The name that stands for the node itself (its state file): not a valid
 * container name, so it clashes with none. */
#define FOG_REMOTE_NODE ".node"

/* op: a writable file's name, or create | destroy | rename. 0 or -errno. */
int fog_remote_write(struct fog_ctx *ctx, const char *node, const char *name, const char *op,
                     const char *val, size_t len);
/* The owner's side: applies one op to a local container (core/tree_container.c). */
int fog_container_apply(struct fog_ctx *ctx, const char *name, const char *op, const char *val,
                        size_t len);

/* The owner's side for FOG_REMOTE_NODE (core/tree_node.c). */
int fog_node_apply(struct fog_ctx *ctx, const char *op, const char *val, size_t len);

#endif
