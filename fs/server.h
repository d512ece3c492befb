/* The FUSE server: serves a generic tree (fs/tree.h) over the libfuse3
 * low-level API, multithreaded, with stable inode numbers and NFS export
 * support. */
#ifndef FOG_FS_SERVER_H
#define FOG_FS_SERVER_H
#include "fs/tree.h"

struct fs_server;

struct fs_server_opts {
    const char *mountpoint;
    const char *fuse_opts;      /* "-o" list, e.g. "allow_other"; may be NULL */
    int foreground;
    int debug;
};

int fs_server_new(const struct fs_dir *root, void *priv, struct fs_server **out);
/* Mounts, serves until unmounted or SIGTERM/SIGINT, unmounts. Calls ready(arg)
 * once mounted (e.g. to start the agent after daemonizing). */
int fs_server_run(struct fs_server *s, const struct fs_server_opts *o,
                  void (*ready)(void *arg), void *arg);
void fs_server_free(struct fs_server *s);

#endif
