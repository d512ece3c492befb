/* Renaming a container: in place (its directory renamed, its config
 * rewritten) when its rootfs is a plain directory, else through liblxc's
 * copy; either way undone on failure, and finished at open after a crash. */
#include "backends/lxc_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A stopped container whose rootfs is a plain directory is renamed in
 * place: rename(2) of its directory (in the shared dir when it lives there,
 * with this node's link re-pointed), then the config lines that carry the
 * old name or directory rewritten. Nothing is copied; the sidecar and the
 * start log move with the directory. Other backing stores (overlay, lvm,
 * zfs, loop, ...) and containers with snapshots or clones go through
 * liblxc's rename, which copies the rootfs. */

#define RENAME_TMP "config.fogfs-rename"

/* The container's directory as its config may spell it, before and after:
 * in the lxcpath, in the shared dir, and through the real path of the
 * directory that holds it (an lxcpath that is a link, e.g. onto a USB disk). */
struct rename_paths {
    const char *from, *to;
    int ndirs;
    char old_dir[3][PATH_MAX];
    char new_dir[3][PATH_MAX];
};

/* The spellings of both directories; `shared`: they are in the shared dir
 * (old_dir[1], new_dir[1]), else in the lxcpath (old_dir[0], new_dir[0]). */
static int rename_paths_init(struct lxcb *b, struct rename_paths *p, const char *from,
                             const char *to, int shared)
{
    char parent[PATH_MAX];
    *p = (struct rename_paths){ .from = from, .to = to, .ndirs = shared ? 2 : 1 };
    if (lxcb_local_path(b, from, p->old_dir[0]) || lxcb_local_path(b, to, p->new_dir[0]) ||
        (shared && (lxcb_shared_path(b, from, p->old_dir[1]) ||
                    lxcb_shared_path(b, to, p->new_dir[1]))))
        return -ENAMETOOLONG;
    if (realpath(shared ? b->shared_dir : b->lxcpath, parent) &&
        !lxcb_path_join(p->old_dir[p->ndirs], parent, from) &&
        !lxcb_path_join(p->new_dir[p->ndirs], parent, to) &&
        strcmp(p->old_dir[p->ndirs], p->old_dir[shared]))
        p->ndirs++;
    return 0;
}

/* Where one config line carries the old name (lxc.uts.name equal to it: a
 * hostname of the user's own is left alone) or begins its value with an
 * old directory (after an optional quote and "dir:"), and what replaces
 * it. 0 when it carries neither. */
static int rename_line_match(const struct rename_paths *p, const char *line, const char **at,
                             size_t *len, const char **repl)
{
    const char *k = line + strspn(line, " \t");
    size_t klen = strcspn(k, "=\n");
    if (*k == '#' || k[klen] != '=')
        return 0;
    const char *v = k + klen + 1;
    while (klen && (k[klen - 1] == ' ' || k[klen - 1] == '\t'))
        klen--;
    v += strspn(v, " \t");
    v += *v == '"';
    /* strchr() also finds the terminating NUL: the end of the text ends a value */
    if ((klen == 12 && !strncmp(k, "lxc.uts.name", 12)) ||
        (klen == 11 && !strncmp(k, "lxc.utsname", 11))) {
        size_t n = strlen(p->from);
        if (strncmp(v, p->from, n) || !strchr("\" \t\n", v[n]))
            return 0;
        *at = v;
        *len = n;
        *repl = p->to;
        return 1;
    }
    if (!strncmp(v, "dir:", 4))
        v += 4;
    for (int i = 0; i < p->ndirs; i++) {
        size_t n = strlen(p->old_dir[i]);
        if (!strncmp(v, p->old_dir[i], n) && strchr("/\" \t\n", v[n])) {
            *at = v;
            *len = n;
            *repl = p->new_dir[i];
            return 1;
        }
    }
    return 0;
}

/* 1 when some line of `text` carries the old name or directory. */
static int config_mentions(const struct rename_paths *p, const char *text)
{
    for (const char *line = text; *line; line += strcspn(line, "\n"), line += *line == '\n') {
        const char *at, *repl;
        size_t len;
        if (rename_line_match(p, line, &at, &len, &repl))
            return 1;
    }
    return 0;
}

/* The config text with those lines rewritten (malloc'd; NULL: no memory). */
static char *config_renamed(const char *text, const struct rename_paths *p)
{
    char *out = NULL;
    size_t outlen = 0;
    FILE *f = open_memstream(&out, &outlen);
    if (!f)
        return NULL;
    for (const char *line = text; *line;) {
        size_t n = strcspn(line, "\n");
        n += line[n] == '\n';
        const char *at, *repl;
        size_t len;
        if (rename_line_match(p, line, &at, &len, &repl))
            fprintf(f, "%.*s%s%.*s", (int)(at - line), line, repl,
                    (int)(line + n - (at + len)), at + len);
        else
            fwrite(line, 1, n, f);
        line += n;
    }
    if (fclose(f)) {
        free(out);
        return NULL;
    }
    return out;
}

static int read_config_text(const char *path, char **text, mode_t *mode)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return -errno;
    struct stat st;
    int rc = fstat(fileno(f), &st) ? -errno : st.st_size > (1 << 20) ? -EFBIG : 0;
    char *buf = rc ? NULL : malloc((size_t)st.st_size + 1);
    if (!rc && !buf)
        rc = -ENOMEM;
    if (!rc && fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size)
        rc = -EIO;
    fclose(f);
    if (rc) {
        free(buf);
        return rc;
    }
    buf[st.st_size] = 0;
    *text = buf;
    *mode = st.st_mode & 07777;
    return 0;
}

/* Writes `text` to `path`, synced to disk; nothing is left on failure. */
static int write_synced(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return -errno;
    size_t n = strlen(text);
    ssize_t w = write(fd, text, n);
    int rc = w < 0 ? -errno : (size_t)w != n ? -EIO : 0;
    if (!rc && fsync(fd))
        rc = -errno;
    if (close(fd) && !rc)
        rc = -errno;
    if (rc)
        unlink(path);
    return rc;
}

/* rename(2) that never replaces `to`, also where RENAME_NOREPLACE is not
 * supported (NFS: checked first, then renamed). */
static int rename_noreplace(const char *from, const char *to)
{
    if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return -errno;
    struct stat st;
    if (lstat(to, &st) == 0)
        return -EEXIST;
    return rename(from, to) ? -errno : 0;
}

/* 1 when the container can be renamed in place: its rootfs is a plain
 * directory ("dir:" or a bare path) or none, and it has neither snapshots
 * nor clones made from it (liblxc's snaps/ and lxc_snapshots). */
static int rename_in_place_ok(struct lxcb *b, struct lxc_container *c, const char *name)
{
    char rootfs[PATH_MAX] = "", dir[PATH_MAX], path[PATH_MAX];
    int n = c->get_config_item(c, "lxc.rootfs.path", rootfs, sizeof rootfs);
    if (n < 0 || n >= (int)sizeof rootfs)
        return 0;
    if (rootfs[0] && rootfs[0] != '/' && strncmp(rootfs, "dir:", 4))
        return 0;
    if (lxcb_local_path(b, name, dir))
        return 0;
    static const char *const users[] = { "snaps", "lxc_snapshots" };
    for (size_t i = 0; i < sizeof users / sizeof users[0]; i++)
        if (lxcb_path_join(path, dir, users[i]) || access(path, F_OK) == 0)
            return 0;
    return 1;
}

/* liblxc's own view of the renamed container: defined, its config where
 * expected, and the rootfs it names present (the old directory is gone, so
 * a path left pointing into it fails here). */
static int rename_check(struct lxcb *b, const char *to, char *why, size_t whylen)
{
    struct lxc_container *c = lxc_container_new(to, b->lxcpath);
    if (!c)
        return lxcb_fail(why, whylen, -ENOMEM, "liblxc could not make a handle for %s", to);
    char want[PATH_MAX], rootfs[PATH_MAX] = "";
    char *cfg = NULL;
    int rc = snprintf(want, sizeof want, "%s/%s/config", b->lxcpath, to) >= (int)sizeof want;
    if (rc || !c->is_defined(c) || !(cfg = c->config_file_name(c)) || strcmp(cfg, want))
        rc = lxcb_fail(why, whylen, -EIO, "liblxc does not find %s at %s after the rename", to,
                       want);
    else if (c->get_config_item(c, "lxc.rootfs.path", rootfs, sizeof rootfs) > 0 &&
             access(rootfs + (strncmp(rootfs, "dir:", 4) ? 0 : 4), F_OK))
        rc = lxcb_fail(why, whylen, -EIO, "renamed %s names a rootfs that is not there: %s", to,
                       rootfs);
    free(cfg);
    lxc_container_put(c);
    return rc;
}

/* Under both entries' op locks, the container stopped. Each step is undone
 * if a later one fails: then `from` is as it was and startable. */
static int rename_in_place(struct lxcb *b, const char *from, const char *to,
                           char *why, size_t whylen)
{
    int shared = lxcb_is_shared(b, from);
    struct rename_paths p;
    char cfg_from[PATH_MAX], tmp_from[PATH_MAX], cfg_to[PATH_MAX], tmp_to[PATH_MAX];
    if (rename_paths_init(b, &p, from, to, shared))
        return lxcb_fail(why, whylen, -ENAMETOOLONG, "path too long");
    /* the directory renamed: in the shared dir when the local one links there */
    const char *dir_from = p.old_dir[shared], *dir_to = p.new_dir[shared];
    if (lxcb_path_join(cfg_from, dir_from, "config") ||
        lxcb_path_join(tmp_from, dir_from, RENAME_TMP) ||
        lxcb_path_join(cfg_to, dir_to, "config") || lxcb_path_join(tmp_to, dir_to, RENAME_TMP))
        return lxcb_fail(why, whylen, -ENAMETOOLONG, "path too long");

    char *old_text = NULL, *new_text = NULL;
    mode_t mode = 0640;
    int rc = read_config_text(cfg_from, &old_text, &mode);
    if (rc)
        return lxcb_fail(why, whylen, rc, "cannot read %s: %s", cfg_from, strerror(-rc));
    if (!(new_text = config_renamed(old_text, &p))) {
        rc = lxcb_fail(why, whylen, -ENOMEM, "out of memory");
        goto out;
    }
    int step = 0;
    /* 1: the new config beside the old one (a full disk fails here, harmlessly) */
    if ((rc = write_synced(tmp_from, new_text, mode))) {
        lxcb_fail(why, whylen, rc, "cannot write %s: %s", tmp_from, strerror(-rc));
        goto out;
    }
    step = 1;
    /* 2: the directory */
    if ((rc = rename_noreplace(dir_from, dir_to))) {
        lxcb_fail(why, whylen, rc, "cannot rename %s to %s: %s", dir_from, dir_to, strerror(-rc));
        goto undo;
    }
    step = 2;
    /* 3: the config */
    if (rename(tmp_to, cfg_to)) {
        rc = lxcb_fail(why, whylen, -errno, "cannot put %s in place: %s", cfg_to, strerror(errno));
        goto undo;
    }
    step = 3;
    /* 4, 5: this node's link to the shared dir */
    if (shared) {
        if ((rc = lxcb_link_shared(b, to, why, whylen)))
            goto undo;
        step = 4;
        if (unlink(p.old_dir[0])) {
            rc = lxcb_fail(why, whylen, -errno, "cannot unlink %s: %s", p.old_dir[0],
                           strerror(errno));
            goto undo;
        }
        step = 5;
    }
    if (!(rc = rename_check(b, to, why, whylen)))
        goto out;
undo:;
    int undone = 1;
    if (step >= 5 && symlink(p.old_dir[1], p.old_dir[0]))
        undone = 0;
    if (step >= 4 && unlink(p.new_dir[0]))
        undone = 0;
    if (step >= 3 && (write_synced(tmp_to, old_text, mode) || rename(tmp_to, cfg_to)))
        undone = 0;
    if (step >= 2 && rename(dir_to, dir_from))
        undone = 0;
    unlink(tmp_from);
    if (!undone)
        lxcb_note(b, from, "error", "rename to %s failed and was not fully undone: check %s and %s",
                  to, dir_from, dir_to);
out:
    free(old_text);
    free(new_text);
    return rc;
}

/* Through liblxc (copies the rootfs). The sidecar is written anew: liblxc
 * copies only the config and the rootfs. */
static int rename_by_liblxc(struct lxcb *b, struct ct_entry *ef, const char *to,
                            const struct lxcb_limits *lim, int had_sidecar,
                            char *why, size_t whylen)
{
    const char *from = ef->name;
    int shared = lxcb_is_shared(b, from);
    struct lxc_container *c = shared ? lxc_container_new(from, b->shared_dir) : ef->c;
    int ok = c && c->rename(c, to);
    if (shared && c)
        lxc_container_put(c);
    if (!ok)
        return lxcb_fail(why, whylen, -EIO, "liblxc rename of %s to %s failed", from, to);
    if (shared) {
        char oldlink[PATH_MAX];
        if (!lxcb_local_path(b, from, oldlink))
            unlink(oldlink);
        int rc = lxcb_link_shared(b, to, why, whylen);
        if (rc)
            return rc;
    }
    if (had_sidecar && sidecar_write(b, to, lim))
        lxcb_note(b, to, "error", "renamed from %s but its " SIDECAR " was not copied", from);
    return 0;
}

/* 1 when something already has the name `to` on disk (a container or not,
 * here or in the shared dir): a rename must not replace it. */
static int rename_target_taken(struct lxcb *b, const char *to, char *path)
{
    struct stat st;
    if (!lxcb_local_path(b, to, path) && lstat(path, &st) == 0)
        return 1;
    return b->shared_dir[0] && !lxcb_shared_path(b, to, path) && lstat(path, &st) == 0;
}

int lxcb_rename(struct lxcb *b, const char *from, const char *to, char *why, size_t whylen)
{
    if (!lxcb_name_ok(to))
        return lxcb_fail(why, whylen, -EINVAL, "bad container name \"%s\"", to ? to : "");
    if (from && !strcmp(from, to))
        return lxcb_exists(b, from) ? 0 : lxcb_fail(why, whylen, -ENOENT, "no container %s", from);
    /* lock both names, in name order, so two renames cannot deadlock */
    int from_first = from && strcmp(from, to) < 0;
    struct ct_entry *ef = NULL, *et = NULL;
    int rc = entry_lock(b, from_first ? from : to, !from_first, from_first ? &ef : &et,
                        why, whylen);
    if (rc)
        return rc;
    rc = entry_lock(b, from_first ? to : from, from_first, from_first ? &et : &ef, why, whylen);
    if (rc) {
        entry_unlock(b, from_first ? ef : et);
        return rc;
    }
    char path[PATH_MAX];
    if (entry_is_defined(et)) {
        rc = lxcb_fail(why, whylen, -EEXIST, "container %s exists", to);
        goto out;
    }
    if (rename_target_taken(b, to, path)) {
        rc = lxcb_fail(why, whylen, -EEXIST, "%s exists", path);
        goto out;
    }
    struct lxcb_limits lim;
    int had_sidecar = !sidecar_path(b, from, "", path) && access(path, F_OK) == 0;
    limits_load(b, ef, &lim);
    int was_running = lxcb_state_of(ef->c) != LXCB_STOPPED;
    rc = lxcb_stop_locked(b, ef, why, whylen);
    if (!rc)
        rc = config_sync_locked(b, ef, why, whylen);
    if (rc)
        goto out;
    if (rename_in_place_ok(b, ef->c, from))
        rc = rename_in_place(b, from, to, why, whylen);
    else
        rc = rename_by_liblxc(b, ef, to, &lim, had_sidecar, why, whylen);
    if (rc) {
        if (was_running && lxcb_start_locked(b, ef, NULL, 0))
            lxcb_note(b, from, "error", "rename to %s failed and it did not start again", to);
        goto out;
    }
    entry_retire(b, ef);
    entry_retire(b, et);   /* its handle predates the container */
    if (was_running) {
        /* a fresh entry for the new name, locked while we hold the others */
        struct ct_entry *en;
        rc = entry_lock(b, to, 0, &en, why, whylen);
        if (!rc) {
            rc = lxcb_start_locked(b, en, why, whylen);
            entry_unlock(b, en);
        }
    }
out:
    entry_unlock(b, ef);
    entry_unlock(b, et);
    return rc;
}

/* ---------- a rename interrupted by a crash ---------- */

/* This node's link for the container that a shared-dir rename moved away
 * from: it points at a shared directory that is gone and `old_text` (the
 * config from before the rename) names. Its name into `from`; -ENOENT. */
static int shared_link_before(struct lxcb *b, const char *old_text, char *from)
{
    DIR *d = opendir(b->lxcpath);
    if (!d)
        return -errno;
    int rc = -ENOENT;
    char target[PATH_MAX];
    struct rename_paths p;
    struct stat st;
    for (struct dirent *de; rc && (de = readdir(d));)
        if (lxcb_name_ok(de->d_name) && lxcb_is_shared(b, de->d_name) &&
            !lxcb_shared_path(b, de->d_name, target) && lstat(target, &st) && errno == ENOENT &&
            !rename_paths_init(b, &p, de->d_name, de->d_name, 1) && config_mentions(&p, old_text))
            rc = snprintf(from, NAME_MAX_LEN, "%s", de->d_name) < NAME_MAX_LEN ? 0 : -ENOENT;
    closedir(d);
    return rc;
}

/* Step 4 for a rename finished at start: this node's link re-pointed. */
static void relink_shared(struct lxcb *b, const char *from, const char *to)
{
    char why[PATH_MAX + 64], link[PATH_MAX];
    if (!lxcb_is_shared(b, to) && lxcb_link_shared(b, to, why, sizeof why))
        lxcb_note(b, to, "error", "after the interrupted rename: %s", why);
    else if (!lxcb_local_path(b, from, link) && unlink(link))
        lxcb_note(b, to, "error", "after the interrupted rename: cannot unlink %s: %s", link,
                  strerror(errno));
}

/* A RENAME_TMP left in container `name`'s directory (in the shared dir when
 * `shared`). It names that directory when the crash came after the
 * directory's rename: then it is the config to put in place. Else the
 * directory was not renamed and the config it has is right. In the shared
 * dir only this node's containers are touched: another node may be in the
 * middle of a rename. */
static void repair_one(struct lxcb *b, const char *name, int shared)
{
    struct rename_paths p;
    char tmp[PATH_MAX], cfg[PATH_MAX], from[NAME_MAX_LEN] = "";
    struct stat st;
    if (rename_paths_init(b, &p, name, name, shared) ||
        lxcb_path_join(tmp, p.old_dir[shared], RENAME_TMP) ||
        lxcb_path_join(cfg, p.old_dir[shared], "config") || lstat(tmp, &st) || !S_ISREG(st.st_mode))
        return;
    char *text = NULL, *old_text = NULL;
    mode_t mode;
    int rc = read_config_text(tmp, &text, &mode);
    if (rc) {
        lxcb_note(b, name, "error", "cannot read %s: %s", tmp, strerror(-rc));
        return;
    }
    int finish = config_mentions(&p, text);
    if (shared && !finish && !lxcb_is_shared(b, name))
        goto out;   /* another node's container */
    if (shared && finish &&
        (read_config_text(cfg, &old_text, &mode) || shared_link_before(b, old_text, from)))
        goto out;   /* renamed from none of this node's containers */
    if (!finish) {
        if (unlink(tmp))
            lxcb_note(b, name, "error", "cannot remove %s: %s", tmp, strerror(errno));
        else
            lxcb_note(b, name, "rename", "dropped %s, left by a rename interrupted before it "
                      "moved the directory", RENAME_TMP);
    } else if (rename(tmp, cfg)) {
        lxcb_note(b, name, "error", "cannot put %s in place: %s", tmp, strerror(errno));
    } else {
        lxcb_note(b, name, "rename", "finished an interrupted rename%s%s: %s put in place",
                  from[0] ? " from " : "", from, RENAME_TMP);
        if (shared)
            relink_shared(b, from, name);
    }
out:
    free(text);
    free(old_text);
}

static void repair_dir(struct lxcb *b, int shared)
{
    DIR *d = opendir(shared ? b->shared_dir : b->lxcpath);
    if (!d)
        return;
    /* a link into the shared dir is seen there */
    for (struct dirent *de; (de = readdir(d));)
        if (lxcb_name_ok(de->d_name) && (shared || !lxcb_is_shared(b, de->d_name)))
            repair_one(b, de->d_name, shared);
    closedir(d);
}

void lxcb_rename_repair(struct lxcb *b)
{
    repair_dir(b, 0);
    if (b->shared_dir[0])
        repair_dir(b, 1);
}
