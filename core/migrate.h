/* Cold migration between nodes that share storage, and placement.
 * A record migrations/<name> = {"from","to","phase","was_running"} drives it:
 *   stopping  the source stops the container (graceful, bounded);
 *   handoff   the source has released it (its lxcpath link is gone);
 *             the target adopts, starts it if it ran, deletes the record;
 *   failed    the target could not adopt: the source takes it back.
 * The container runs on at most one node at any time (the source releases
 * only a stopped container; the target starts only after the handoff), and
 * is never lost: a node that restarts finishes or rolls back every record
 * naming it (a thread looks at migrations/ on every change and each second). */
#ifndef FOG_MIGRATE_H
#define FOG_MIGRATE_H
#include <stdint.h>

struct fog_ctx;

int fog_migrate_start(struct fog_ctx *ctx);
void fog_migrate_stop(struct fog_ctx *ctx);
/* Moves a local container to node `to`; returns when it runs there (or is
 * there stopped, if it was stopped). 0 or -errno with an event line. */
int fog_migrate(struct fog_ctx *ctx, const char *name, const char *to);
/* Picks a node for a request of request_m millicores: up, not draining, of
 * this node's arch and shared dir, with room; least allocated first.
 * Excludes this node. 0 and the name in node (>= 64 bytes), or -ENOSPC. */
int fog_place(struct fog_ctx *ctx, int64_t request_m, char *node);

#endif
