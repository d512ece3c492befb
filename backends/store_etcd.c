/* The etcd v3 store over its JSON gateway (libcurl + jansson).
 * Placeholder until the client lands: opening it reports -ENOSYS. */
#include <errno.h>
#include "core/store.h"

int store_etcd_open(const char *endpoints, struct fog_store **out)
{
    (void)endpoints;
    if (out)
        *out = 0;
    return -ENOSYS;
}
