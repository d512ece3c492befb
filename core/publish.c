/* The publisher (see core/publish.h): a FIFO of puts and deletes, drained
 * by one thread; a failed put stays at the head and is retried after a
 * pause, so order is kept and nothing is dropped but by the queue bound. */
#include "core/publish.h"
#include "core/clock.h"
#include "core/ctx.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PUBLISH_QUEUE_MAX 4096       /* beyond it the oldest entries are dropped */
#define PUBLISH_RETRY_MS 500

struct pub_item {
    struct pub_item *next;
    char *key;
    char *val;                       /* NULL: delete */
    size_t len;
    int latest_only;
};

struct fog_publisher {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct pub_item *head, *tail;
    size_t n;
    int stop;
    pthread_t thread;
};

static void pub_free(struct pub_item *it)
{
    free(it->key);
    free(it->val);
    free(it);
}

static int pub_do(struct fog_ctx *ctx, const struct pub_item *it)
{
    struct fog_store *s = ctx->store;
    if (!it->val) {
        int r = s->ops->del(s, it->key, -1, NULL);
        return r == -ENOENT ? 0 : r;
    }
    return s->ops->put(s, it->key, it->val, it->len, 0, NULL);
}

void fog_publish(struct fog_ctx *ctx, const char *key, const char *val, size_t len,
                 int latest_only)
{
    struct fog_publisher *p = ctx->publisher;
    struct pub_item *it = calloc(1, sizeof *it);
    if (!it)
        return;
    it->key = strdup(key);
    it->val = val ? malloc(len + 1) : NULL;
    if (!it->key || (val && !it->val)) {
        pub_free(it);
        return;
    }
    if (val) {
        memcpy(it->val, val, len);
        it->val[len] = 0;
    }
    it->len = len;
    it->latest_only = latest_only;
    if (!p) {
        pub_do(ctx, it);
        pub_free(it);
        return;
    }
    pthread_mutex_lock(&p->lock);
    if (latest_only) {
        /* Replace a queued value of the key in place (not the head: it may be in flight). */
        for (struct pub_item *q = p->head ? p->head->next : NULL; q; q = q->next) {
            if (q->latest_only && !strcmp(q->key, key)) {
                free(q->val);
                q->val = it->val;
                q->len = it->len;
                it->val = NULL;
                pub_free(it);
                pthread_mutex_unlock(&p->lock);
                return;
            }
        }
    }
    if (p->n >= PUBLISH_QUEUE_MAX && p->head && p->head->next) {
        struct pub_item *old = p->head->next;     /* keep the head: it may be in flight */
        p->head->next = old->next;
        if (p->tail == old)
            p->tail = p->head;
        pub_free(old);
        p->n--;
    }
    if (p->tail)
        p->tail->next = it;
    else
        p->head = it;
    p->tail = it;
    p->n++;
    pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->lock);
}

static void *pub_main(void *arg)
{
    struct fog_ctx *ctx = arg;
    struct fog_publisher *p = ctx->publisher;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->head && !p->stop)
            pthread_cond_wait(&p->wake, &p->lock);
        if (!p->head)
            break;                    /* stopping and drained */
        struct pub_item *it = p->head;
        pthread_mutex_unlock(&p->lock);
        int r = pub_do(ctx, it);
        pthread_mutex_lock(&p->lock);
        if (r && p->stop)
            break;                    /* stopping: what the store will not take is dropped */
        if (r) {
            struct timespec until = fog_mono_after(PUBLISH_RETRY_MS / 1000.0);
            while (!p->stop && pthread_cond_timedwait(&p->wake, &p->lock, &until) != ETIMEDOUT)
                ;
            continue;                 /* the same head again */
        }
        p->head = it->next;
        if (!p->head)
            p->tail = NULL;
        p->n--;
        pub_free(it);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

int fog_publish_start(struct fog_ctx *ctx)
{
    struct fog_publisher *p = calloc(1, sizeof *p);
    if (!p)
        return -ENOMEM;
    pthread_mutex_init(&p->lock, NULL);
    fog_cond_init_mono(&p->wake);
    ctx->publisher = p;               /* before the thread, which reads it */
    int r = pthread_create(&p->thread, NULL, pub_main, ctx);
    if (r) {
        ctx->publisher = NULL;
        free(p);
        return -r;
    }
    return 0;
}

void fog_publish_stop(struct fog_ctx *ctx)
{
    struct fog_publisher *p = ctx->publisher;
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stop = 1;
    pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->thread, NULL);
    ctx->publisher = NULL;
    while (p->head) {
        struct pub_item *next = p->head->next;
        pub_free(p->head);
        p->head = next;
    }
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
    free(p);
}
