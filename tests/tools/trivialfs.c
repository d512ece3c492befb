/* trivialfs: the smallest libfuse3 low-level filesystem, one read-only file
 * "value" holding "42\n", served single-threaded in the foreground. A
 * benchmark reference for what any FUSE open+read+close costs (direct_io,
 * so every read reaches the daemon). Usage: trivialfs MOUNTPOINT */
#define FUSE_USE_VERSION 35
#include <fuse_lowlevel.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define VALUE_INO 2
static const char value_text[] = "42\n";

static void fill_stat(fuse_ino_t ino, struct stat *st)
{
    memset(st, 0, sizeof *st);
    st->st_ino = ino;
    if (ino == FUSE_ROOT_ID) {
        st->st_mode = S_IFDIR | 0755;
        st->st_nlink = 2;
    } else {
        st->st_mode = S_IFREG | 0444;
        st->st_nlink = 1;
        st->st_size = sizeof value_text - 1;
    }
}

static void trivial_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
    if (parent != FUSE_ROOT_ID || strcmp(name, "value") != 0) {
        fuse_reply_err(req, ENOENT);
        return;
    }
    struct fuse_entry_param e;
    memset(&e, 0, sizeof e);
    e.ino = VALUE_INO;
    e.attr_timeout = 1.0;
    e.entry_timeout = 1.0;
    fill_stat(VALUE_INO, &e.attr);
    fuse_reply_entry(req, &e);
}

static void trivial_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    if (ino != FUSE_ROOT_ID && ino != VALUE_INO) {
        fuse_reply_err(req, ENOENT);
        return;
    }
    struct stat st;
    fill_stat(ino, &st);
    fuse_reply_attr(req, &st, 1.0);
}

static void trivial_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                            struct fuse_file_info *fi)
{
    if (ino != FUSE_ROOT_ID) {
        fuse_reply_err(req, ENOTDIR);
        return;
    }
    static const struct { const char *name; fuse_ino_t ino; } entries[] = {
        { ".", FUSE_ROOT_ID }, { "..", FUSE_ROOT_ID }, { "value", VALUE_INO },
    };
    char buf[512];
    size_t used = 0;
    for (off_t i = off; i < 3; i++) {
        struct stat st;
        fill_stat(entries[i].ino, &st);
        size_t need = fuse_add_direntry(req, buf + used, sizeof buf - used, entries[i].name,
                                        &st, i + 1);
        if (need > sizeof buf - used || used + need > size)
            break;
        used += need;
    }
    fuse_reply_buf(req, buf, used);
}

static void trivial_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    if (ino != VALUE_INO) {
        fuse_reply_err(req, EISDIR);
        return;
    }
    if ((fi->flags & O_ACCMODE) != O_RDONLY) {
        fuse_reply_err(req, EACCES);
        return;
    }
    fi->direct_io = 1;
    fuse_reply_open(req, fi);
}

static void trivial_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                         struct fuse_file_info *fi)
{
    size_t len = sizeof value_text - 1;
    if (off < 0 || (size_t)off >= len) {
        fuse_reply_buf(req, NULL, 0);
        return;
    }
    size_t n = len - (size_t)off;
    fuse_reply_buf(req, value_text + off, n < size ? n : size);
}

static const struct fuse_lowlevel_ops trivial_ops = {
    .lookup = trivial_lookup,
    .getattr = trivial_getattr,
    .readdir = trivial_readdir,
    .open = trivial_open,
    .read = trivial_read,
};

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s MOUNTPOINT\n", argv[0]);
        return 2;
    }
    char *fuse_argv[] = { argv[0], "-o", "fsname=trivialfs,subtype=trivialfs", NULL };
    struct fuse_args args = FUSE_ARGS_INIT(3, fuse_argv);
    struct fuse_session *se = fuse_session_new(&args, &trivial_ops, sizeof trivial_ops, NULL);
    if (!se)
        return 1;
    int rc = 1;
    if (fuse_set_signal_handlers(se) == 0) {
        if (fuse_session_mount(se, argv[1]) == 0) {
            rc = fuse_session_loop(se) == 0 ? 0 : 1;
            fuse_session_unmount(se);
        }
        fuse_remove_signal_handlers(se);
    }
    fuse_session_destroy(se);
    return rc;
}
