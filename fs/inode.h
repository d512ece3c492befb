/* The inode table: one entry per path the kernel has been told about. Inode
 * numbers are a hash of (parent inode, name), so a path keeps its number for
 * as long as it exists and across daemon restarts (NFS handles stay valid). */
#ifndef FOG_FS_INODE_H
#define FOG_FS_INODE_H
#include "fs/tree.h"
#include <pthread.h>
#include <stdint.h>
#include <time.h>

#define FS_ROOT_INO 1

struct fs_inode {
    uint64_t ino;
    struct fs_inode *parent;           /* root's parent is itself */
    char name[FS_NAME_MAX];
    const struct fs_dir *dir;          /* set for directories */
    const struct fs_entry *file;       /* set for files */
    struct fs_args args;
    int dynamic;                       /* its name is one of args (a dynamic child) */
    /* Change tracking for mtime: the hash of the last content seen. */
    uint64_t content_hash;
    struct timespec mtime;
    struct fs_inode *hash_next;
};

struct fs_itable {
    pthread_mutex_t lock;
    struct fs_inode **buckets;
    size_t nbuckets, count;
    struct fs_inode root;
};

int fs_itable_init(struct fs_itable *t, const struct fs_dir *root);
void fs_itable_destroy(struct fs_itable *t);
struct fs_inode *fs_itable_get(struct fs_itable *t, uint64_t ino);
/* Finds or adds the child `name` of parent, of the given kind. NULL on ENOMEM. */
struct fs_inode *fs_itable_child(struct fs_itable *t, struct fs_inode *parent, const char *name,
                                 const struct fs_dir *dir, const struct fs_entry *file,
                                 int dynamic);
/* After a rename: the entry of (parent, name), if any, now stands for
 * (newparent, newname), its descendants' args follow, so the inode the
 * kernel keeps for the moved dentry stays valid. */
void fs_itable_move(struct fs_itable *t, struct fs_inode *parent, const char *name,
                    struct fs_inode *newparent, const char *newname);
/* The inode number the child `name` of parent has or would have. */
uint64_t fs_ino_of(uint64_t parent_ino, const char *name);
/* Records content (by hash) seen now; moves mtime when it differs. Returns mtime. */
struct timespec fs_inode_touch(struct fs_itable *t, struct fs_inode *in, uint64_t hash);
uint64_t fs_hash_bytes(uint64_t h, const void *p, size_t n);
#define FS_HASH_SEED 1469598103934665603ULL

#endif
