/* The autoscaler: when a container's mean CPU use over the window reaches
 * threshold percent of its limit, multiply its request and limit by factor,
 * through the same operation a user's write uses. */
#ifndef FOG_AUTOSCALE_H
#define FOG_AUTOSCALE_H

struct fog_ctx;

/* Called by the agent after each sample. */
void fog_autoscale_tick(struct fog_ctx *ctx);

#endif
