/* The publisher: puts and deletes that tell other nodes what happened
 * (event lines, container statuses, samples) go through a queue that a
 * thread drains, so no user's write ever waits on the cluster store, and a
 * store that is away (etcd down) costs a retry later, not a blocked write.
 * Keys marked latest-only keep just their newest value in the queue. */
#ifndef FOG_PUBLISH_H
#define FOG_PUBLISH_H
#include <stddef.h>

struct fog_ctx;

int fog_publish_start(struct fog_ctx *ctx);
/* Drains what is queued (bounded by a few seconds), then stops. */
void fog_publish_stop(struct fog_ctx *ctx);
/* Queues a put (val NULL: a delete). latest_only: an older queued value of
 * the same key is replaced. Without a publisher, does it at once. */
void fog_publish(struct fog_ctx *ctx, const char *key, const char *val, size_t len,
                 int latest_only);

#endif
