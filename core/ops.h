/* The operations: every change to a container goes through one of these,
 * whether a user's write, mkdir/rmdir/mv, or the autoscaler. Each returns 0
 * or -errno and leaves exactly one line in cluster/events either way. */
#ifndef FOG_OPS_H
#define FOG_OPS_H
#include <stddef.h>
#include <stdint.h>

struct fog_ctx;

enum fog_limit { FOG_CPU_LIMIT, FOG_CPU_REQUEST, FOG_MEM_LIMIT };

int op_create(struct fog_ctx *ctx, const char *name);
int op_destroy(struct fog_ctx *ctx, const char *name);
/* action: start | stop | restart | freeze | unfreeze */
int op_state(struct fog_ctx *ctx, const char *name, const char *action);
/* value in millicores or bytes; FOG_UNLIMITED (-1) for max where allowed. */
int op_set_limit(struct fog_ctx *ctx, const char *name, enum fog_limit which, int64_t value);
/* Sets request and limit together (the autoscaler's doubling); `why` starts
 * the event line ("autoscale avg=...") or NULL for a plain rescale. */
int op_rescale(struct fog_ctx *ctx, const char *name, int64_t request_m, int64_t limit_m,
               const char *action, const char *why);
int op_rename(struct fog_ctx *ctx, const char *from, const char *to);
/* "+/dev/X" adds, "-/dev/X" removes */
int op_device(struct fog_ctx *ctx, const char *name, const char *change);
int op_set_autoscale(struct fog_ctx *ctx, const char *name, int on);
int op_migrate(struct fog_ctx *ctx, const char *name, const char *node);
/* Requests of every container but `except` (NULL: all), in millicores. */
int64_t ops_allocated_cpu(struct fog_ctx *ctx, const char *except);
int64_t ops_allocated_mem(struct fog_ctx *ctx);

#endif
