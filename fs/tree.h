/* The generic tree fogfs serves: directories with static entries and dynamic
 * children (mkdir/rmdir/rename-able), files as attributes with show() and
 * store(), in the manner of sysfs/kernfs. Knows nothing of containers. */
#ifndef FOG_FS_TREE_H
#define FOG_FS_TREE_H
#include <stddef.h>
#include <stdint.h>

#define FS_MAX_ARGS 4
#define FS_NAME_MAX 64

/* The dynamic names along a path, outermost first: for
 * /<node>/containers/<name>/cpu_limit that is {node, name}. */
struct fs_args {
    int n;
    char v[FS_MAX_ARGS][FS_NAME_MAX];
};

/* A growable text buffer that show() renders into. */
struct fs_buf {
    char *data;
    size_t len, cap;
    int oom;
};
void fs_buf_init(struct fs_buf *b);
void fs_buf_free(struct fs_buf *b);
void fs_buf_add(struct fs_buf *b, const char *s, size_t len);
void fs_buf_printf(struct fs_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

struct fs_dir;

/* One entry of a directory: a file (show, store) or a subdirectory (dir). */
struct fs_entry {
    const char *name;
    const struct fs_dir *dir;
    /* Renders the whole value. 0 or -errno. */
    int (*show)(void *priv, const struct fs_args *a, struct fs_buf *out);
    /* Takes a whole written value; NULL makes the file read-only (0444). */
    int (*store)(void *priv, const struct fs_args *a, const char *val, size_t len);
    /* Optional: 0 hides the entry (e.g. temp on a board without a sensor). */
    int (*exists)(void *priv, const struct fs_args *a);
};

/* Receives one name per call from list(). */
typedef void (*fs_name_fn)(void *arg, const char *name);

struct fs_dir {
    const struct fs_entry *entries;   /* terminated by an entry with name NULL */
    /* Dynamic children: directories of type child, each adding its name to args. */
    const struct fs_dir *child;
    int (*list)(void *priv, const struct fs_args *a, fs_name_fn fn, void *arg);
    int (*exists)(void *priv, const struct fs_args *a, const char *name);  /* 1 or 0 */
    int (*mkdir)(void *priv, const struct fs_args *a, const char *name);
    int (*rmdir)(void *priv, const struct fs_args *a, const char *name);
    /* Within one directory or between two of this type. */
    int (*rename)(void *priv, const struct fs_args *from, const char *name,
                  const struct fs_args *to, const char *newname);
};

#endif
