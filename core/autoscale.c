/* The autoscaler (see core/autoscale.h). */
#include "core/autoscale.h"
#include "core/ctx.h"

void fog_autoscale_tick(struct fog_ctx *ctx)
{
    (void)ctx;
}
