/* The containers this backend knows, one entry per name: looked up,
 * referenced, op-locked and retired (see lxc_internal.h); and the small
 * helpers every liblxc backend file shares (reasons, events, names). */
#include "backends/lxc_internal.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int lxcb_fail(char *why, size_t whylen, int rc, const char *fmt, ...)
{
    if (why && whylen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, whylen, fmt, ap);
        va_end(ap);
    }
    return rc;
}

void lxcb_note(struct lxcb *b, const char *name, const char *action, const char *fmt, ...)
{
    if (!b->note)
        return;
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    b->note(b->note_arg, name, action, text);
}

int lxcb_name_ok(const char *n)
{
    size_t len = n ? strlen(n) : 0;
    if (len == 0 || len >= NAME_MAX_LEN || !isalnum((unsigned char)n[0]))
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)n[i]) && n[i] != '_' && n[i] != '.' && n[i] != '-')
            return 0;
    return 1;
}
void entry_free(struct ct_entry *e)
{
    if (e->c)
        lxc_container_put(e->c);
    pthread_mutex_destroy(&e->op);
    pthread_mutex_destroy(&e->data);
    free(e);
}

/* Finds or makes the entry for `name` and takes a reference. */
static int entry_get(struct lxcb *b, const char *name, struct ct_entry **out)
{
    if (!lxcb_name_ok(name))
        return -EINVAL;
    pthread_mutex_lock(&b->mu);
    struct ct_entry *e;
    for (e = b->entries; e; e = e->next)
        if (!strcmp(e->name, name))
            break;
    if (!e) {
        e = calloc(1, sizeof *e);
        if (!e) {
            pthread_mutex_unlock(&b->mu);
            return -ENOMEM;
        }
        snprintf(e->name, sizeof e->name, "%s", name);
        e->c = lxc_container_new(name, b->lxcpath);
        if (!e->c) {
            free(e);
            pthread_mutex_unlock(&b->mu);
            return -ENOMEM;
        }
        pthread_mutex_init(&e->op, NULL);
        pthread_mutex_init(&e->data, NULL);
        e->next = b->entries;
        b->entries = e;
    }
    e->refs++;
    pthread_mutex_unlock(&b->mu);
    *out = e;
    return 0;
}

/* Takes the entry out of the list: the next lookup makes a fresh handle. */
void entry_retire(struct lxcb *b, struct ct_entry *e)
{
    pthread_mutex_lock(&b->mu);
    if (!e->stale) {
        for (struct ct_entry **p = &b->entries; *p; p = &(*p)->next)
            if (*p == e) {
                *p = e->next;
                break;
            }
        e->stale = 1;
    }
    pthread_mutex_unlock(&b->mu);
}

void entry_put(struct lxcb *b, struct ct_entry *e)
{
    pthread_mutex_lock(&b->mu);
    int gone = --e->refs == 0 && e->stale;
    pthread_mutex_unlock(&b->mu);
    if (gone)
        entry_free(e);
}

int entry_is_defined(struct ct_entry *e)
{
    return e->c->is_defined(e->c);
}

/* Reference + op lock on a live (not stale) entry. An undefined container
 * gets -ENOENT unless `may_be_new`. */
int entry_lock(struct lxcb *b, const char *name, int may_be_new, struct ct_entry **out,
                      char *why, size_t whylen)
{
    for (int tries = 0; tries < 100; tries++) {
        struct ct_entry *e;
        int rc = entry_get(b, name, &e);
        if (rc == -EINVAL)
            return lxcb_fail(why, whylen, rc, "bad container name \"%s\"", name ? name : "");
        if (rc)
            return lxcb_fail(why, whylen, rc, "out of memory");
        pthread_mutex_lock(&e->op);
        pthread_mutex_lock(&b->mu);
        int stale = e->stale;
        pthread_mutex_unlock(&b->mu);
        if (stale) {
            pthread_mutex_unlock(&e->op);
            entry_put(b, e);
            continue;
        }
        if (!may_be_new && !entry_is_defined(e)) {
            pthread_mutex_unlock(&e->op);
            entry_retire(b, e);
            entry_put(b, e);
            return lxcb_fail(why, whylen, -ENOENT, "no container %s", name);
        }
        *out = e;
        return 0;
    }
    return lxcb_fail(why, whylen, -EAGAIN, "container %s keeps changing", name);
}

void entry_unlock(struct lxcb *b, struct ct_entry *e)
{
    pthread_mutex_unlock(&e->op);
    entry_put(b, e);
}

/* Reference only, for reads that must not wait behind a slow stop. */
int entry_ref_defined(struct lxcb *b, const char *name, struct ct_entry **out)
{
    struct ct_entry *e;
    int rc = entry_get(b, name, &e);
    if (rc)
        return rc;
    if (!entry_is_defined(e)) {
        /* no handle kept for a name without a container: one made by
         * lxc-create later must get a handle that loads its config */
        entry_retire(b, e);
        entry_put(b, e);
        return -ENOENT;
    }
    *out = e;
    return 0;
}
