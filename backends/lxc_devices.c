/* Device nodes passed through to a container: a cgroup allow rule plus a
 * bind-mount entry per node, persisted in its config, applied live. */
#include "backends/lxc_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#define MOUNT_OPTS "none bind,optional,create=file 0 0"

/* "/dev/X dev/X none bind,optional,create=file 0 0" -> source, if fogfs's. */
static int our_mount_entry(const char *line, char *src, size_t srclen)
{
    char a[PATH_MAX], rest[PATH_MAX];
    if (sscanf(line, "%4095s %4095[^\n]", a, rest) != 2 || strncmp(a, "/dev/", 5))
        return 0;
    char want[PATH_MAX + 64];
    snprintf(want, sizeof want, "%s " MOUNT_OPTS, a + 1);
    if (strcmp(rest, want))
        return 0;
    snprintf(src, srclen, "%s", a);
    return 1;
}

/* The config's mount entries, newline separated (malloc'd). */
static char *config_list(struct lxc_container *c, const char *key)
{
    int n = c->get_config_item(c, key, NULL, 0);
    if (n < 0)
        n = 0;
    char *s = calloc(1, (size_t)n + 1);
    if (s && n > 0)
        c->get_config_item(c, key, s, n + 1);
    return s;
}

int lxcb_get_devices(struct lxcb *b, const char *name, char *buf, size_t len)
{
    if (!len)
        return -ENOSPC;
    buf[0] = 0;
    struct ct_entry *e;
    int rc = entry_ref_defined(b, name, &e);   /* liblxc locks its config itself */
    if (rc)
        return rc;
    char *entries = config_list(e->c, "lxc.mount.entry");
    if (!entries) {
        entry_put(b, e);
        return -ENOMEM;
    }
    size_t used = 0;
    for (char *save = NULL, *line = strtok_r(entries, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char src[PATH_MAX];
        if (!our_mount_entry(line, src, sizeof src))
            continue;
        size_t n = strlen(src);
        if (used + n + 2 > len) {
            rc = -ENOSPC;
            break;
        }
        memcpy(buf + used, src, n);
        used += n;
        buf[used++] = '\n';
        buf[used] = 0;
    }
    free(entries);
    entry_put(b, e);
    return rc;
}

/* Rewrites a multi-valued key without the lines equal to `drop` (liblxc
 * only clears such a key whole). Adds `add` at the end when given. */
static int rewrite_list(struct lxc_container *c, const char *key, const char *drop,
                        const char *add)
{
    char *all = config_list(c, key);
    if (!all)
        return -ENOMEM;
    int rc = 0;
    if (drop || add) {
        if (!c->clear_config_item(c, key)) {
            free(all);
            return -EIO;
        }
        for (char *save = NULL, *line = strtok_r(all, "\n", &save); line && !rc;
             line = strtok_r(NULL, "\n", &save))
            if ((!drop || strcmp(line, drop)) && (!add || strcmp(line, add)) &&
                !c->set_config_item(c, key, line))
                rc = -EIO;
        if (!rc && add && !c->set_config_item(c, key, add))
            rc = -EIO;
    }
    free(all);
    return rc;
}

int lxcb_change_device(struct lxcb *b, const char *name, const char *path, int add,
                       char *why, size_t whylen)
{
    if (!path || strncmp(path, "/dev/", 5) || strstr(path, "/../") || strstr(path, " ") ||
        strlen(path) > 200 || !path[5])
        return lxcb_fail(why, whylen, -EINVAL, "not a /dev path: %s", path ? path : "");
    struct stat st;
    if (add && stat(path, &st))
        return lxcb_fail(why, whylen, -errno, "%s: %s on this host", path, strerror(errno));
    if (add && !S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
        return lxcb_fail(why, whylen, -EINVAL, "%s is not a device node", path);
    struct ct_entry *e;
    int rc = entry_lock(b, name, 0, &e, why, whylen);
    if (rc)
        return rc;
    struct lxc_container *c = e->c;
    char mount[PATH_MAX + 64];
    snprintf(mount, sizeof mount, "%s %s " MOUNT_OPTS, path, path + 1);
    const char *allow_key = b->mounts.version == CG_V2 ? "lxc.cgroup2.devices.allow"
                                                       : "lxc.cgroup.devices.allow";
    /* the rule comes from the node; the config's mount entry does not name
     * the numbers, so a node gone from the host leaves its rule (noted) */
    char rule[64] = "";
    if (add || !stat(path, &st))
        snprintf(rule, sizeof rule, "%c %u:%u rwm", S_ISBLK(st.st_mode) ? 'b' : 'c',
                 major(st.st_rdev), minor(st.st_rdev));

    char *mounts = config_list(c, "lxc.mount.entry");
    int present = mounts && strstr(mounts, mount) != NULL;
    free(mounts);
    if (add == present) {   /* nothing to do */
        entry_unlock(b, e);
        return 0;
    }
    int running = c->is_running(c);
    if (add) {
        if (running && !c->add_device_node(c, path, NULL)) {
            entry_unlock(b, e);
            return lxcb_fail(why, whylen, -EIO, "liblxc could not add %s to running %s", path,
                             name);
        }
        rc = rewrite_list(c, "lxc.mount.entry", NULL, mount);
        if (!rc)
            rc = rewrite_list(c, allow_key, NULL, rule);
    } else {
        if (running && !c->remove_device_node(c, path, NULL))
            lxcb_note(b, name, "devices", "%s removed from the config; still in the running "
                      "container until it restarts", path);
        rc = rewrite_list(c, "lxc.mount.entry", mount, NULL);
        if (!rc && rule[0])
            rc = rewrite_list(c, allow_key, rule, NULL);
        else if (!rc)
            lxcb_note(b, name, "devices", "%s is gone from this host: its mount is removed, "
                      "its %s rule stays in the config", path, allow_key);
    }
    if (!rc && !c->save_config(c, NULL))
        rc = -EIO;
    if (rc)
        lxcb_fail(why, whylen, rc, "%s: cannot update its config for %s", name, path);
    entry_unlock(b, e);
    return rc;
}
