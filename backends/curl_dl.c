/* Run-time loader of libcurl for the etcd store: dlopen("libcurl.so.4") on
 * the first etcd open, symbols resolved into the caller's table, and a clear
 * error when the library is not installed. */
#include "backends/curl_dl.h"
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* curl_global_init must run once per process before any other thread uses
 * curl, and is not reference-safe against a concurrent cleanup; there is no
 * per-store way to do that, so it is the one process-wide step, done here
 * under pthread_once on the store-open path. Its handle is opened with
 * RTLD_NODELETE so libcurl is never unmapped after init (a later dlclose
 * would otherwise drop its global state while the once-flag stays set).
 * The result is written once, inside the once routine, and only read after. */
static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static int global_rc = -EIO;

static void global_init_once(void)
{
    void *lib = dlopen(CURL_DL_SONAME, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    CURLcode (*init)(long flags);

    if (!lib)
        return;
    *(void **)&init = dlsym(lib, "curl_global_init");
    if (init && init(CURL_GLOBAL_ALL) == CURLE_OK)
        global_rc = 0;
    dlclose(lib);   /* NODELETE: stays mapped */
}

#define RESOLVE(field, name)                                           \
    do {                                                               \
        *(void **)&c->field = dlsym(c->lib, name);                     \
        if (!c->field) {                                               \
            fprintf(stderr, "fogfs: %s: missing symbol %s\n",          \
                    CURL_DL_SONAME, name);                             \
            rc = -ELIBACC;                                             \
            goto fail;                                                 \
        }                                                              \
    } while (0)

int curl_dl_open(struct curl_dl *c)
{
    int rc;

    memset(c, 0, sizeof *c);
    c->lib = dlopen(CURL_DL_SONAME, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (!c->lib) {
        const char *why = dlerror();
        fprintf(stderr, "fogfs: %s not found: install libcurl4 (%s)\n", CURL_DL_SONAME,
                why ? why : "dlopen failed");
        return -ENOENT;
    }
    RESOLVE(easy_init, "curl_easy_init");
    RESOLVE(easy_cleanup, "curl_easy_cleanup");
    RESOLVE(easy_reset, "curl_easy_reset");
    RESOLVE(easy_setopt, "curl_easy_setopt");
    RESOLVE(easy_perform, "curl_easy_perform");
    RESOLVE(easy_getinfo, "curl_easy_getinfo");
    RESOLVE(multi_init, "curl_multi_init");
    RESOLVE(multi_cleanup, "curl_multi_cleanup");
    RESOLVE(multi_add_handle, "curl_multi_add_handle");
    RESOLVE(multi_remove_handle, "curl_multi_remove_handle");
    RESOLVE(multi_perform, "curl_multi_perform");
    RESOLVE(multi_poll, "curl_multi_poll");
    RESOLVE(multi_wakeup, "curl_multi_wakeup");
    RESOLVE(slist_append, "curl_slist_append");
    RESOLVE(slist_free_all, "curl_slist_free_all");
    pthread_once(&global_once, global_init_once);
    if (global_rc) {
        fprintf(stderr, "fogfs: %s: curl_global_init failed\n", CURL_DL_SONAME);
        rc = global_rc;
        goto fail;
    }
    return 0;
fail:
    curl_dl_close(c);
    return rc;
}

void curl_dl_close(struct curl_dl *c)
{
    if (c->lib)
        dlclose(c->lib);
    memset(c, 0, sizeof *c);
}
