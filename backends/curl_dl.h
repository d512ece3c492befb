/* libcurl loaded at run time: only the etcd store needs it, and linking it
 * would map its whole TLS/Kerberos/LDAP chain (~5 MB RSS) into every fogfs.
 * <curl/curl.h> is used for its types only; calls go through the table. */
#ifndef FOG_BACKENDS_CURL_DL_H
#define FOG_BACKENDS_CURL_DL_H

#ifndef CURL_DISABLE_TYPECHECK
#define CURL_DISABLE_TYPECHECK   /* no gcc typecheck macros over curl_easy_setopt & co. */
#endif
#include <curl/curl.h>

#define CURL_DL_SONAME "libcurl.so.4"

/* The libcurl functions the etcd store uses; held by the store itself. */
struct curl_dl {
    void *lib;                    /* dlopen handle; NULL when not loaded */
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *h);
    void (*easy_reset)(CURL *h);
    CURLcode (*easy_setopt)(CURL *h, CURLoption opt, ...);
    CURLcode (*easy_perform)(CURL *h);
    CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
    CURLM *(*multi_init)(void);
    CURLMcode (*multi_cleanup)(CURLM *m);
    CURLMcode (*multi_add_handle)(CURLM *m, CURL *h);
    CURLMcode (*multi_remove_handle)(CURLM *m, CURL *h);
    CURLMcode (*multi_perform)(CURLM *m, int *running);
    CURLMcode (*multi_poll)(CURLM *m, struct curl_waitfd extra[], unsigned n_extra,
                            int timeout_ms, int *numfds);
    CURLMcode (*multi_wakeup)(CURLM *m);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *s);
    void (*slist_free_all)(struct curl_slist *list);
};

/* Loads libcurl.so.4, fills *c, and runs curl_global_init once per process.
 * Returns 0, -ENOENT if the library is missing ("install libcurl4" on
 * stderr), -ELIBACC if it lacks a symbol, or -EIO if global init failed. */
int curl_dl_open(struct curl_dl *c);

/* Drops this table's reference; the library itself stays mapped (see .c). */
void curl_dl_close(struct curl_dl *c);

#endif
