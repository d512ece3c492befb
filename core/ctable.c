/* The container table: a small sorted array of entries under one mutex;
 * tens to hundreds of entries per node, so a linear scan is plenty. */
#include "core/ctable.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fog_ctable_init(struct fog_ctable *t)
{
    memset(t, 0, sizeof *t);
    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->idle, NULL);
}

void fog_ctable_destroy(struct fog_ctable *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->v[i]);
    free(t->v);
    pthread_cond_destroy(&t->idle);
    pthread_mutex_destroy(&t->lock);
}

struct fog_container *fog_ctable_find_locked(struct fog_ctable *t, const char *name)
{
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->v[i]->name, name))
            return t->v[i];
    return NULL;
}

struct fog_container *fog_ctable_add_locked(struct fog_ctable *t, const char *name)
{
    struct fog_container *c = fog_ctable_find_locked(t, name);
    if (c)
        return c;
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        struct fog_container **v = realloc(t->v, cap * sizeof *v);
        if (!v)
            return NULL;
        t->v = v;
        t->cap = cap;
    }
    c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    snprintf(c->name, sizeof c->name, "%s", name);
    c->state = LXCB_STOPPED;
    c->limits.cpu_limit_m = -1;
    c->limits.mem_limit = -1;
    c->limits.autoscale = -1;
    size_t i = t->n;
    while (i > 0 && strcmp(t->v[i - 1]->name, name) > 0) {
        t->v[i] = t->v[i - 1];
        i--;
    }
    t->v[i] = c;
    t->n++;
    t->changes++;
    return c;
}

void fog_ctable_remove_locked(struct fog_ctable *t, const char *name)
{
    for (size_t i = 0; i < t->n; i++) {
        if (strcmp(t->v[i]->name, name))
            continue;
        free(t->v[i]);
        memmove(&t->v[i], &t->v[i + 1], (t->n - i - 1) * sizeof *t->v);
        t->n--;
        t->changes++;
        return;
    }
}

int fog_ctable_get(struct fog_ctable *t, const char *name, struct fog_container *out)
{
    pthread_mutex_lock(&t->lock);
    struct fog_container *c = fog_ctable_find_locked(t, name);
    if (c)
        memcpy(out, c, sizeof *out);
    pthread_mutex_unlock(&t->lock);
    return c ? 0 : -ENOENT;
}

void fog_ctable_names(struct fog_ctable *t, void (*fn)(void *, const char *), void *arg)
{
    pthread_mutex_lock(&t->lock);
    for (size_t i = 0; i < t->n; i++)
        fn(arg, t->v[i]->name);
    pthread_mutex_unlock(&t->lock);
}

void fog_container_record_usage_locked(struct fog_container *c, double mono, int64_t cpu_m)
{
    c->hist[c->hist_next % FOG_USAGE_HISTORY] = (struct fog_usage_point){ mono, cpu_m };
    c->hist_next++;
}
