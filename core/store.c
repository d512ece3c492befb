/* The store front door: frees what get/list return and opens the right
 * implementation from a URL ("local", NULL or "etcd://h:p[,h:p...]"). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "core/store.h"

void fog_kv_clear(struct fog_kv *kv)
{
    if (!kv)
        return;
    free(kv->key);
    free(kv->value);
    memset(kv, 0, sizeof *kv);
}

void fog_kv_free_array(struct fog_kv *kvs, size_t n)
{
    if (!kvs)
        return;
    for (size_t i = 0; i < n; i++)
        fog_kv_clear(&kvs[i]);
    free(kvs);
}

int fog_store_url_is_local(const char *url)
{
    return !url || strcmp(url, "local") == 0;
}

int fog_store_open(const char *url, struct fog_store **out)
{
    static const char etcd_scheme[] = "etcd://";

    if (!out)
        return -EINVAL;
    *out = NULL;
    if (fog_store_url_is_local(url))
        return store_local_open(NULL, out);
    if (strncmp(url, etcd_scheme, sizeof etcd_scheme - 1) == 0) {
        const char *endpoints = url + sizeof etcd_scheme - 1;
        if (!*endpoints)
            return -EINVAL;
        return store_etcd_open(endpoints, out);
    }
    return -EINVAL;
}
