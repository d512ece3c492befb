/* Storage shared between nodes (--shared-dir): where a container lives,
 * this node's link to it, and the hand-over of a stopped container from one
 * node to another (release here, adopt there). */
#include "backends/lxc_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* With a shared dir, a container lives in <shared>/<name> (config, sidecar,
 * rootfs) and this node's lxcpath holds a symlink to it: the symlink is the
 * node's ownership, so handing a container over moves only the link. */
int lxcb_path_join(char *out, const char *dir, const char *file)
{
    return snprintf(out, PATH_MAX, "%s/%s", dir, file) >= PATH_MAX ? -ENAMETOOLONG : 0;
}

int lxcb_shared_path(struct lxcb *b, const char *name, char *out)
{
    return lxcb_path_join(out, b->shared_dir, name);
}

int lxcb_local_path(struct lxcb *b, const char *name, char *out)
{
    return lxcb_path_join(out, b->lxcpath, name);
}

/* 1 when the container's directory is a link into the shared dir. */
int lxcb_is_shared(struct lxcb *b, const char *name)
{
    char link[PATH_MAX], target[PATH_MAX], want[PATH_MAX];
    if (!b->shared_dir[0] || lxcb_local_path(b, name, link) || lxcb_shared_path(b, name, want))
        return 0;
    ssize_t n = readlink(link, target, sizeof target - 1);
    if (n < 0)
        return 0;
    target[n] = 0;
    return !strcmp(target, want);
}

int lxcb_link_shared(struct lxcb *b, const char *name, char *why, size_t whylen)
{
    char link[PATH_MAX], target[PATH_MAX];
    if (lxcb_local_path(b, name, link) || lxcb_shared_path(b, name, target))
        return lxcb_fail(why, whylen, -ENAMETOOLONG, "path too long");
    if (symlink(target, link))
        return lxcb_fail(why, whylen, -errno, "cannot link %s to %s: %s", link, target,
                         strerror(errno));
    return 0;
}

int lxcb_release(struct lxcb *b, const char *name, char *why, size_t whylen)
{
    struct ct_entry *e;
    int rc = entry_lock(b, name, 0, &e, why, whylen);
    if (rc)
        return rc;
    char link[PATH_MAX];
    if (!lxcb_is_shared(b, name))
        rc = lxcb_fail(why, whylen, -EXDEV, "%s is not on the shared storage (--shared-dir)", name);
    else if (lxcb_state_of(e->c) != LXCB_STOPPED)
        rc = lxcb_fail(why, whylen, -EBUSY, "%s is not stopped", name);
    if (!rc)
        rc = config_sync_locked(b, e, why, whylen);
    if (!rc && !lxcb_local_path(b, name, link) && unlink(link))
        rc = lxcb_fail(why, whylen, -errno, "cannot unlink %s: %s", link, strerror(errno));
    if (!rc)
        entry_retire(b, e);
    entry_unlock(b, e);
    return rc;
}

int lxcb_adopt(struct lxcb *b, const char *name, char *why, size_t whylen)
{
    char spath[PATH_MAX], config[PATH_MAX + 8], link[PATH_MAX];
    if (!lxcb_name_ok(name))
        return lxcb_fail(why, whylen, -EINVAL, "bad container name \"%s\"", name);
    if (!b->shared_dir[0])
        return lxcb_fail(why, whylen, -EXDEV, "this node has no shared dir (--shared-dir)");
    if (lxcb_shared_path(b, name, spath) || lxcb_local_path(b, name, link))
        return lxcb_fail(why, whylen, -ENAMETOOLONG, "path too long");
    snprintf(config, sizeof config, "%s/config", spath);
    if (access(config, R_OK))
        return lxcb_fail(why, whylen, -EXDEV, "cannot see %s on this node: %s", config,
                         strerror(errno));
    if (lxcb_is_shared(b, name))
        return 0;
    struct stat st;
    if (lstat(link, &st) == 0)
        return lxcb_fail(why, whylen, -EEXIST, "%s exists on this node", link);
    return lxcb_link_shared(b, name, why, whylen);
}
