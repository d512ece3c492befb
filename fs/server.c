/* libfuse3 low-level operations over the generic tree: lookup (with "." and
 * ".."), getattr from a fresh render, per-open snapshots for reads, writes
 * applied in write(), mkdir/rmdir/rename delegated to directory types. */
#define FUSE_USE_VERSION 312
#include "fs/server.h"
#include "fs/inode.h"
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FS_GENERATION 1
#define FS_ENTRY_TIMEOUT 1.0
/* Attributes are never cached: st_size must match the value, and a
 * directory's mtime must move as soon as its entries do (an NFS server
 * decides from it whether its listing is stale). */
#define FS_DIR_ATTR_TIMEOUT 0.0

struct fs_server {
    struct fs_itable itable;
    const struct fs_dir *root;
    void *priv;
    struct timespec started;
};

/* A file opened: what it showed at open (reads serve offsets from it) and
 * what has been written to it so far. */
struct fs_open {
    pthread_mutex_t lock;    /* reads and writes on one open file may run at once */
    struct fs_buf content;
    struct fs_buf written;
    int readable;
    int rendered_once;       /* a read at 0 has served the open's render */
};

static const struct fs_entry *fs_dir_entry(const struct fs_dir *d, const char *name)
{
    for (const struct fs_entry *e = d->entries; e && e->name; e++)
        if (!strcmp(e->name, name))
            return e;
    return NULL;
}

static int fs_name_ok(const char *name)
{
    size_t n = strlen(name);
    return n > 0 && n < FS_NAME_MAX;
}

/* Is the object at `in` still there? Checks each dynamic name up the path. */
static int fs_inode_alive(struct fs_server *s, struct fs_inode *in)
{
    for (struct fs_inode *p = in; p != &s->itable.root; p = p->parent) {
        if (p->dynamic) {
            struct fs_inode *pp = p->parent;
            if (!pp->dir->exists || pp->dir->exists(s->priv, &pp->args, p->name) != 1)
                return 0;
        } else if (p->file && p->file->exists && !p->file->exists(s->priv, &p->args)) {
            return 0;
        }
    }
    return 1;
}

/* Resolves name in dir inode parent. 0 and *out, or -ENOENT. */
static int fs_resolve(struct fs_server *s, struct fs_inode *parent, const char *name,
                      struct fs_inode **out)
{
    /* "." of any inode: how the kernel resolves an NFS handle whose dentry
     * it has dropped, files included. */
    if (!strcmp(name, ".")) {
        *out = parent;
        return 0;
    }
    if (!parent->dir)
        return -ENOTDIR;
    if (!strcmp(name, "..")) {
        *out = parent->parent;
        return 0;
    }
    if (!fs_name_ok(name))
        return -ENOENT;
    const struct fs_entry *e = fs_dir_entry(parent->dir, name);
    if (e) {
        if (e->exists && !e->exists(s->priv, &parent->args))
            return -ENOENT;
        *out = fs_itable_child(&s->itable, parent, name, e->dir, e->dir ? NULL : e, 0);
        return *out ? 0 : -ENOMEM;
    }
    if (parent->dir->child && parent->dir->exists &&
        parent->dir->exists(s->priv, &parent->args, name) == 1) {
        *out = fs_itable_child(&s->itable, parent, name, parent->dir->child, NULL, 1);
        return *out ? 0 : -ENOMEM;
    }
    return -ENOENT;
}

static int fs_render(struct fs_server *s, struct fs_inode *in, struct fs_buf *out)
{
    fs_buf_init(out);
    int r = in->file->show ? in->file->show(s->priv, &in->args, out) : 0;
    if (r == 0 && out->oom)
        r = -ENOMEM;
    if (r)
        fs_buf_free(out);
    return r;
}

/* A directory's listing, name by name, for readdir and for its mtime. */
struct fs_listing {
    struct fs_buf names;     /* NUL-separated */
    size_t count;
};

static void fs_listing_add(void *arg, const char *name)
{
    struct fs_listing *l = arg;
    fs_buf_add(&l->names, name, strlen(name) + 1);
    l->count++;
}

static int fs_list(struct fs_server *s, struct fs_inode *in, struct fs_listing *l)
{
    fs_buf_init(&l->names);
    l->count = 0;
    for (const struct fs_entry *e = in->dir->entries; e && e->name; e++)
        if (!e->exists || e->exists(s->priv, &in->args))
            fs_listing_add(l, e->name);
    if (in->dir->list) {
        int r = in->dir->list(s->priv, &in->args, fs_listing_add, l);
        if (r) {
            fs_buf_free(&l->names);
            return r;
        }
    }
    return l->names.oom ? -ENOMEM : 0;
}

static int fs_stat(struct fs_server *s, struct fs_inode *in, struct stat *st)
{
    memset(st, 0, sizeof *st);
    st->st_ino = in->ino;
    st->st_uid = 0;
    st->st_gid = 0;
    if (in->dir) {
        struct fs_listing l;
        int r = fs_list(s, in, &l);
        if (r)
            return r;
        st->st_mode = S_IFDIR | 0755;
        st->st_nlink = 2;
        st->st_size = 4096;
        st->st_mtim = fs_inode_touch(&s->itable, in,
                                     fs_hash_bytes(FS_HASH_SEED, l.names.data, l.names.len) | 1);
        fs_buf_free(&l.names);
    } else {
        struct fs_buf b;
        int r = fs_render(s, in, &b);
        if (r)
            return r;
        st->st_mode = S_IFREG | (in->file->store ? 0644 : 0444);
        st->st_nlink = 1;
        st->st_size = b.len;
        st->st_mtim = fs_inode_touch(&s->itable, in, fs_hash_bytes(FS_HASH_SEED, b.data, b.len) | 1);
        fs_buf_free(&b);
    }
    st->st_atim = st->st_ctim = st->st_mtim;
    st->st_blksize = 4096;
    st->st_blocks = (st->st_size + 511) / 512;
    return 0;
}

static struct fs_inode *fs_get_alive(struct fs_server *s, fuse_ino_t ino, int *err)
{
    struct fs_inode *in = fs_itable_get(&s->itable, ino);
    if (!in) {
        *err = -ESTALE;
        return NULL;
    }
    if (!fs_inode_alive(s, in)) {
        *err = -ENOENT;
        return NULL;
    }
    return in;
}

static int fs_fill_entry(struct fs_server *s, struct fs_inode *in, struct fuse_entry_param *e)
{
    memset(e, 0, sizeof *e);
    int r = fs_stat(s, in, &e->attr);
    if (r)
        return r;
    e->ino = in->ino;
    e->generation = FS_GENERATION;
    e->attr_timeout = in->dir ? FS_DIR_ATTR_TIMEOUT : 0;
    e->entry_timeout = FS_ENTRY_TIMEOUT;
    return 0;
}

/* Replies to a lookup (or a mkdir) of name in p, unless err is already set. */
static void fs_reply_entry(fuse_req_t req, struct fs_server *s, struct fs_inode *p,
                           const char *name, int err)
{
    struct fs_inode *in = NULL;
    struct fuse_entry_param e;
    if (!err)
        err = fs_resolve(s, p, name, &in);
    if (!err)
        err = fs_fill_entry(s, in, &e);
    if (err)
        fuse_reply_err(req, -err);
    else
        fuse_reply_entry(req, &e);
}

static void fs_op_init(void *userdata, struct fuse_conn_info *conn)
{
    if (conn->capable & FUSE_CAP_EXPORT_SUPPORT)
        conn->want |= FUSE_CAP_EXPORT_SUPPORT;
    /* O_TRUNC arrives as setattr(size=0), as it does through NFS. */
    conn->want &= ~FUSE_CAP_ATOMIC_O_TRUNC;
}

static void fs_op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
    struct fs_server *s = fuse_req_userdata(req);
    int err = 0;
    struct fs_inode *p = fs_get_alive(s, parent, &err);
    fs_reply_entry(req, s, p, name, err);
}

static void fs_op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
    fuse_reply_none(req);     /* entries live as long as the daemon */
}

static void fs_op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    struct fs_server *s = fuse_req_userdata(req);
    int err = 0;
    struct fs_inode *in = fs_get_alive(s, ino, &err);
    struct stat st;
    if (in)
        err = fs_stat(s, in, &st);
    if (err)
        fuse_reply_err(req, -err);
    else
        fuse_reply_attr(req, &st, in->dir ? FS_DIR_ATTR_TIMEOUT : 0);
}

/* Only root changes the tree. The kernel does not check modes for us (no
 * default_permissions: it would fetch attributes along every path walk). */
static int fs_may_change(fuse_req_t req)
{
    return fuse_req_ctx(req)->uid == 0 ? 0 : -EACCES;
}

static void fs_op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
                          struct fuse_file_info *fi)
{
    struct fs_server *s = fuse_req_userdata(req);
    int err = 0;
    struct fs_inode *in = fs_get_alive(s, ino, &err);
    if (in)
        err = fs_may_change(req);
    if (in && !err) {
        if (to_set & (FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID))
            err = -EPERM;
        else if (to_set & FUSE_SET_ATTR_SIZE) {
            /* Truncation before a write (O_TRUNC, NFS setattr): accepted on
             * writable files and changes nothing by itself. */
            if (in->dir)
                err = -EISDIR;
            else if (!in->file->store)
                err = -EACCES;
            else if (attr->st_size != 0)
                err = -EINVAL;
        }
    }
    struct stat st;
    if (!err)
        err = fs_stat(s, in, &st);
    if (err)
        fuse_reply_err(req, -err);
    else
        fuse_reply_attr(req, &st, 0);
}

static void fs_op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    struct fs_server *s = fuse_req_userdata(req);
    int err = 0;
    struct fs_inode *in = fs_get_alive(s, ino, &err);
    if (in && in->dir)
        err = -EISDIR;
    int acc = fi->flags & O_ACCMODE;
    if (!err && acc != O_RDONLY && !in->file->store)
        err = -EACCES;
    if (!err && acc != O_RDONLY)
        err = fs_may_change(req);
    struct fs_open *o = NULL;
    if (!err) {
        o = calloc(1, sizeof *o);
        if (!o)
            err = -ENOMEM;
        else
            pthread_mutex_init(&o->lock, NULL);
    }
    if (!err && acc != O_WRONLY) {
        err = fs_render(s, in, &o->content);
        o->readable = !err;
    }
    if (err) {
        free(o);
        fuse_reply_err(req, -err);
        return;
    }
    fi->fh = (uintptr_t)o;
    fi->direct_io = 1;       /* reads come to us: the per-open snapshot is the truth */
    fi->nonseekable = 0;
    if (fuse_reply_open(req, fi) == -ENOENT) {
        pthread_mutex_destroy(&o->lock);
        fs_buf_free(&o->content);
        free(o);
    }
}

static void fs_op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                       struct fuse_file_info *fi)
{
    struct fs_open *o = (struct fs_open *)(uintptr_t)fi->fh;
    if (!o->readable) {
        fuse_reply_err(req, EBADF);
        return;
    }
    pthread_mutex_lock(&o->lock);
    /* A read from offset 0 takes a fresh snapshot: an NFS server keeps one
     * open file for many clients' reads. Later offsets continue the snapshot. */
    if (off == 0 && o->rendered_once) {
        struct fs_server *s = fuse_req_userdata(req);
        struct fs_inode *in = fs_itable_get(&s->itable, ino);
        struct fs_buf fresh;
        if (in && fs_render(s, in, &fresh) == 0) {
            fs_buf_free(&o->content);
            o->content = fresh;
        }
    }
    o->rendered_once = 1;
    if (off < 0 || (size_t)off >= o->content.len) {
        fuse_reply_buf(req, NULL, 0);
    } else {
        size_t n = o->content.len - off;
        fuse_reply_buf(req, o->content.data + off, n < size ? n : size);
    }
    pthread_mutex_unlock(&o->lock);
}

static void fs_op_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
                        struct fuse_file_info *fi)
{
    struct fs_server *s = fuse_req_userdata(req);
    struct fs_open *o = (struct fs_open *)(uintptr_t)fi->fh;
    int err = 0;
    struct fs_inode *in = fs_get_alive(s, ino, &err);
    if (!in) {
        fuse_reply_err(req, -err);
        return;
    }
    /* A value split across writes (offset continues the last one) is applied
     * whole each time; a write at 0 starts a new value. */
    pthread_mutex_lock(&o->lock);
    if (off == 0)
        o->written.len = 0;
    if ((size_t)off != o->written.len)
        err = -EINVAL;
    else
        fs_buf_add(&o->written, buf, size);
    if (!err && o->written.oom)
        err = -ENOMEM;
    if (!err)
        err = in->file->store(s->priv, &in->args, o->written.data, o->written.len);
    if (!err)
        o->rendered_once = 1;          /* the next read at 0 shows the new value */
    pthread_mutex_unlock(&o->lock);
    if (err)
        fuse_reply_err(req, -err);
    else
        fuse_reply_write(req, size);
}

static void fs_op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    struct fs_open *o = (struct fs_open *)(uintptr_t)fi->fh;
    pthread_mutex_lock(&o->lock);      /* the last read has replied */
    pthread_mutex_unlock(&o->lock);
    pthread_mutex_destroy(&o->lock);
    fs_buf_free(&o->content);
    fs_buf_free(&o->written);
    free(o);
    fuse_reply_err(req, 0);
}

/* An open directory: its listing, taken by the first readdir and again by
 * every readdir from offset 0 (rewinddir), not at opendir: an NFS server
 * opens a directory for each GETATTR and never reads it. */
struct fs_dir_open {
    struct fs_listing l;
    int listed;
};

static void fs_op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    struct fs_server *s = fuse_req_userdata(req);
    int err = 0;
    struct fs_inode *in = fs_get_alive(s, ino, &err);
    if (in && !in->dir)
        err = -ENOTDIR;
    struct fs_dir_open *d = NULL;
    if (!err && !(d = calloc(1, sizeof *d)))
        err = -ENOMEM;
    if (err) {
        fuse_reply_err(req, -err);
        return;
    }
    fi->fh = (uintptr_t)d;
    fi->cache_readdir = 0;
    if (fuse_reply_open(req, fi) == -ENOENT)
        free(d);
}

/* Offsets: 1 is ".", 2 is "..", 2 + i is the i-th name. */
static void fs_op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                          struct fuse_file_info *fi)
{
    struct fs_server *s = fuse_req_userdata(req);
    struct fs_dir_open *d = (struct fs_dir_open *)(uintptr_t)fi->fh;
    struct fs_listing *l = &d->l;
    struct fs_inode *in = fs_itable_get(&s->itable, ino);
    int err = in ? 0 : -ESTALE;
    if (!err && (off == 0 || !d->listed)) {   /* the kernel sends one readdir at a time */
        if (d->listed)
            fs_buf_free(&l->names);
        d->listed = 0;
        err = fs_inode_alive(s, in) ? fs_list(s, in, l) : -ENOENT;
        d->listed = !err;
    }
    if (err) {
        fuse_reply_err(req, -err);
        return;
    }
    char *out = malloc(size);
    if (!out) {
        fuse_reply_err(req, ENOMEM);
        return;
    }
    size_t used = 0;
    off_t pos = 0;
    const char *name = l->names.data;
    for (size_t i = 0; i < l->count + 2; i++) {
        const char *n = i == 0 ? "." : i == 1 ? ".." : name;
        if (i >= 2)
            name += strlen(name) + 1;
        pos = i + 1;
        if (pos <= off)
            continue;
        struct stat st = { 0 };
        if (i == 0) {
            st.st_ino = in->ino;
            st.st_mode = S_IFDIR;
        } else if (i == 1) {
            st.st_ino = in->parent->ino;
            st.st_mode = S_IFDIR;
        } else {
            const struct fs_entry *e = fs_dir_entry(in->dir, n);
            st.st_ino = fs_ino_of(in->ino, n);
            st.st_mode = (e && !e->dir) ? S_IFREG : S_IFDIR;
        }
        size_t want = fuse_add_direntry(req, out + used, size - used, n, &st, pos);
        if (want > size - used)
            break;
        used += want;
    }
    fuse_reply_buf(req, out, used);
    free(out);
}

static void fs_op_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    struct fs_dir_open *d = (struct fs_dir_open *)(uintptr_t)fi->fh;
    if (d->listed)
        fs_buf_free(&d->l.names);
    free(d);
    fuse_reply_err(req, 0);
}

static void fs_op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
    struct fs_server *s = fuse_req_userdata(req);
    int err = 0;
    struct fs_inode *p = fs_get_alive(s, parent, &err);
    if (p)
        err = fs_may_change(req);
    if (!err && (!p->dir->mkdir || fs_dir_entry(p->dir, name)))
        err = fs_dir_entry(p->dir, name) ? -EEXIST : -EPERM;
    if (!err)
        err = p->dir->mkdir(s->priv, &p->args, name);
    fs_reply_entry(req, s, p, name, err);
}

static void fs_op_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
    struct fs_server *s = fuse_req_userdata(req);
    int err = 0;
    struct fs_inode *p = fs_get_alive(s, parent, &err);
    if (p)
        err = fs_may_change(req);
    if (!err && (!p->dir->rmdir || fs_dir_entry(p->dir, name)))
        err = -EPERM;
    if (!err)
        err = p->dir->rmdir(s->priv, &p->args, name);
    fuse_reply_err(req, -err);
}

static void fs_op_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
                         fuse_ino_t newparent, const char *newname, unsigned int flags)
{
    struct fs_server *s = fuse_req_userdata(req);
    int err = 0;
    struct fs_inode *p = fs_get_alive(s, parent, &err), *np = NULL;
    if (p)
        np = fs_get_alive(s, newparent, &err);
    if (np)
        err = fs_may_change(req);
    if (err)
        ;
    else if (flags & RENAME_EXCHANGE)
        err = -EINVAL;
    else if ((p->dir != np->dir || !p->dir->rename || fs_dir_entry(p->dir, name)))
        err = p->dir == np->dir ? -EPERM : -EXDEV;
    if (!err)
        err = p->dir->rename(s->priv, &p->args, name, &np->args, newname);
    if (!err)
        fs_itable_move(&s->itable, p, name, np, newname);
    fuse_reply_err(req, -err);
}

static void fs_op_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
                         struct fuse_file_info *fi)
{
    fuse_reply_err(req, EPERM);     /* files are the tree's own */
}

static void fs_op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
                        dev_t rdev)
{
    fuse_reply_err(req, EPERM);
}

static void fs_op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
    fuse_reply_err(req, EPERM);
}

static const struct fuse_lowlevel_ops fs_ops = {
    .init = fs_op_init,
    .lookup = fs_op_lookup,
    .forget = fs_op_forget,
    .getattr = fs_op_getattr,
    .setattr = fs_op_setattr,
    .open = fs_op_open,
    .read = fs_op_read,
    .write = fs_op_write,
    .release = fs_op_release,
    .opendir = fs_op_opendir,
    .readdir = fs_op_readdir,
    .releasedir = fs_op_releasedir,
    .mkdir = fs_op_mkdir,
    .rmdir = fs_op_rmdir,
    .rename = fs_op_rename,
    .create = fs_op_create,
    .mknod = fs_op_mknod,
    .unlink = fs_op_unlink,
};

int fs_server_new(const struct fs_dir *root, void *priv, struct fs_server **out)
{
    struct fs_server *s = calloc(1, sizeof *s);
    if (!s)
        return -ENOMEM;
    int r = fs_itable_init(&s->itable, root);
    if (r) {
        free(s);
        return r;
    }
    s->root = root;
    s->priv = priv;
    *out = s;
    return 0;
}

void fs_server_free(struct fs_server *s)
{
    if (!s)
        return;
    fs_itable_destroy(&s->itable);
    free(s);
}

int fs_server_run(struct fs_server *s, const struct fs_server_opts *o,
                  void (*ready)(void *arg), void *arg)
{
    char *argv[8];
    int argc = 0;
    argv[argc++] = "fogfs";
    char opts[1024];
    snprintf(opts, sizeof opts, "fsname=fogfs,subtype=fogfs%s%s",
             o->fuse_opts && *o->fuse_opts ? "," : "", o->fuse_opts ? o->fuse_opts : "");
    argv[argc++] = "-o";
    argv[argc++] = opts;
    if (o->debug)
        argv[argc++] = "-d";
    argv[argc] = NULL;
    struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
    struct fuse_session *se = fuse_session_new(&args, &fs_ops, sizeof fs_ops, s);
    fuse_opt_free_args(&args);
    if (!se)
        return -EINVAL;
    int r = -EIO;
    if (fuse_set_signal_handlers(se) != 0)
        goto out_destroy;
    if (fuse_session_mount(se, o->mountpoint) != 0)
        goto out_signals;
    if (fuse_daemonize(o->foreground) != 0)
        goto out_unmount;
    if (ready)
        ready(arg);
    struct fuse_loop_config *cfg = fuse_loop_cfg_create();
    if (!cfg) {
        r = -ENOMEM;
        goto out_unmount;
    }
    fuse_loop_cfg_set_clone_fd(cfg, 0);
    fuse_loop_cfg_set_max_threads(cfg, 16);
    fuse_loop_cfg_set_idle_threads(cfg, 4);
    r = fuse_session_loop_mt(se, cfg) == 0 ? 0 : -EIO;
    fuse_loop_cfg_destroy(cfg);
out_unmount:
    fuse_session_unmount(se);
out_signals:
    fuse_remove_signal_handlers(se);
out_destroy:
    fuse_session_destroy(se);
    return r;
}
