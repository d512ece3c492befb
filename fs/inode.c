/* Inode table: hash of (parent ino, name) -> entry. Entries are never freed
 * while the daemon runs (handles may outlive objects); a removed object that
 * comes back under the same path gets the same entry and number. */
#include "fs/inode.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t fs_hash_bytes(uint64_t h, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++) {
        h ^= c[i];
        h *= 1099511628211ULL;
    }
    return h;
}

uint64_t fs_ino_of(uint64_t parent_ino, const char *name)
{
    uint64_t h = fs_hash_bytes(FS_HASH_SEED, &parent_ino, sizeof parent_ino);
    h = fs_hash_bytes(h, name, strlen(name));
    h &= 0x7fffffffffffffffULL;      /* positive in every client's off_t/ino_t */
    return h <= FS_ROOT_INO ? h + 2 : h;
}

int fs_itable_init(struct fs_itable *t, const struct fs_dir *root)
{
    memset(t, 0, sizeof *t);
    t->nbuckets = 1024;
    t->buckets = calloc(t->nbuckets, sizeof *t->buckets);
    if (!t->buckets)
        return -ENOMEM;
    pthread_mutex_init(&t->lock, NULL);
    t->root.ino = FS_ROOT_INO;
    t->root.parent = &t->root;
    t->root.dir = root;
    clock_gettime(CLOCK_REALTIME, &t->root.mtime);
    return 0;
}

void fs_itable_destroy(struct fs_itable *t)
{
    for (size_t i = 0; i < t->nbuckets; i++) {
        struct fs_inode *in = t->buckets[i];
        while (in) {
            struct fs_inode *next = in->hash_next;
            free(in);
            in = next;
        }
    }
    free(t->buckets);
    pthread_mutex_destroy(&t->lock);
}

static struct fs_inode *fs_itable_find_locked(struct fs_itable *t, uint64_t ino)
{
    if (ino == FS_ROOT_INO)
        return &t->root;
    for (struct fs_inode *in = t->buckets[ino % t->nbuckets]; in; in = in->hash_next)
        if (in->ino == ino)
            return in;
    return NULL;
}

struct fs_inode *fs_itable_get(struct fs_itable *t, uint64_t ino)
{
    pthread_mutex_lock(&t->lock);
    struct fs_inode *in = fs_itable_find_locked(t, ino);
    pthread_mutex_unlock(&t->lock);
    return in;
}

static void fs_itable_grow_locked(struct fs_itable *t)
{
    size_t n = t->nbuckets * 4;
    struct fs_inode **b = calloc(n, sizeof *b);
    if (!b)
        return;                      /* keep the old table: slower, still right */
    for (size_t i = 0; i < t->nbuckets; i++) {
        struct fs_inode *in = t->buckets[i];
        while (in) {
            struct fs_inode *next = in->hash_next;
            in->hash_next = b[in->ino % n];
            b[in->ino % n] = in;
            in = next;
        }
    }
    free(t->buckets);
    t->buckets = b;
    t->nbuckets = n;
}

struct fs_inode *fs_itable_child(struct fs_itable *t, struct fs_inode *parent, const char *name,
                                 const struct fs_dir *dir, const struct fs_entry *file,
                                 int dynamic)
{
    uint64_t ino = fs_ino_of(parent->ino, name);
    pthread_mutex_lock(&t->lock);
    /* Probe past a (rare) collision with another path. */
    for (;;) {
        struct fs_inode *in = fs_itable_find_locked(t, ino);
        if (!in)
            break;
        if (in->parent == parent && !strcmp(in->name, name)) {
            in->dir = dir;
            in->file = file;
            pthread_mutex_unlock(&t->lock);
            return in;
        }
        ino = ino + 1 > 0x7fffffffffffffffULL ? 2 : ino + 1;
    }
    struct fs_inode *in = calloc(1, sizeof *in);
    if (!in) {
        pthread_mutex_unlock(&t->lock);
        return NULL;
    }
    in->ino = ino;
    in->parent = parent;
    snprintf(in->name, sizeof in->name, "%s", name);
    in->dir = dir;
    in->file = file;
    in->dynamic = dynamic;
    in->args = parent->args;
    if (dynamic && in->args.n < FS_MAX_ARGS)
        snprintf(in->args.v[in->args.n++], FS_NAME_MAX, "%s", name);
    clock_gettime(CLOCK_REALTIME, &in->mtime);
    if (t->count * 2 > t->nbuckets)
        fs_itable_grow_locked(t);
    in->hash_next = t->buckets[ino % t->nbuckets];
    t->buckets[ino % t->nbuckets] = in;
    t->count++;
    pthread_mutex_unlock(&t->lock);
    return in;
}

static void fs_inode_derive_args(struct fs_inode *in)
{
    in->args = in->parent->args;
    if (in->dynamic && in->args.n < FS_MAX_ARGS)
        snprintf(in->args.v[in->args.n++], FS_NAME_MAX, "%s", in->name);
}

static int fs_inode_descends(const struct fs_inode *in, const struct fs_inode *from)
{
    for (const struct fs_inode *p = in; p->parent != p; p = p->parent)
        if (p->parent == from)
            return 1;
    return 0;
}

/* Re-derives args of every descendant of `from`, parents before children. */
static void fs_itable_rederive_locked(struct fs_itable *t, struct fs_inode *from)
{
    for (int depth = 1; depth <= FS_MAX_ARGS * 4; depth++) {
        int found = 0;
        for (size_t b = 0; b < t->nbuckets; b++) {
            for (struct fs_inode *in = t->buckets[b]; in; in = in->hash_next) {
                int d = 0;
                const struct fs_inode *p = in;
                while (p != from && p->parent != p) {
                    p = p->parent;
                    d++;
                }
                if (p == from && d == depth) {
                    fs_inode_derive_args(in);
                    found = 1;
                }
            }
        }
        if (!found)
            break;
    }
}

void fs_itable_move(struct fs_itable *t, struct fs_inode *parent, const char *name,
                    struct fs_inode *newparent, const char *newname)
{
    uint64_t ino = fs_ino_of(parent->ino, name);
    pthread_mutex_lock(&t->lock);
    struct fs_inode *in;
    while ((in = fs_itable_find_locked(t, ino)) &&
           !(in->parent == parent && !strcmp(in->name, name)))
        ino = ino + 1 > 0x7fffffffffffffffULL ? 2 : ino + 1;
    if (in && !fs_inode_descends(newparent, in) && newparent != in) {
        in->parent = newparent;
        snprintf(in->name, sizeof in->name, "%s", newname);
        fs_inode_derive_args(in);
        fs_itable_rederive_locked(t, in);
    }
    pthread_mutex_unlock(&t->lock);
}

struct timespec fs_inode_touch(struct fs_itable *t, struct fs_inode *in, uint64_t hash)
{
    pthread_mutex_lock(&t->lock);
    if (in->content_hash != hash) {
        if (in->content_hash)
            clock_gettime(CLOCK_REALTIME, &in->mtime);
        in->content_hash = hash;
    }
    struct timespec m = in->mtime;
    pthread_mutex_unlock(&t->lock);
    return m;
}
