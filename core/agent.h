/* The node agent: once per interval it samples /proc and /sys, refreshes the
 * container table (state, usage), publishes the sample and the node's
 * registration to the store, and lets the autoscaler look at the result. */
#ifndef FOG_AGENT_H
#define FOG_AGENT_H

struct fog_ctx;

int fog_agent_start(struct fog_ctx *ctx);
void fog_agent_stop(struct fog_ctx *ctx);
/* One round, synchronously (used at start so the first read has data). */
void fog_agent_sample(struct fog_ctx *ctx);
/* The sample as all.json renders it, into buf. */
struct fs_buf;
void fog_agent_render_json(struct fog_ctx *ctx, struct fs_buf *out);

#endif
