/* The liblxc backend's handle and the containers' existence: open/close,
 * list, state, create and destroy. The other backends/lxc_*.c files do the
 * rest; what they share is in backends/lxc_internal.h. */
#include "backends/lxc_internal.h"
#include "core/clock.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---------- open / close / list ---------- */

int lxcb_open(const struct lxcb_opts *o, lxcb_note_fn note_fn, void *note_arg, struct lxcb **out)
{
    struct lxcb *b = calloc(1, sizeof *b);
    if (!b)
        return -ENOMEM;
    const char *path = o && o->lxcpath ? o->lxcpath : lxc_get_global_config_item("lxc.lxcpath");
    if (!path)
        path = "/var/lib/lxc";
    if (snprintf(b->lxcpath, sizeof b->lxcpath, "%s", path) >= (int)sizeof b->lxcpath) {
        free(b);
        return -ENAMETOOLONG;
    }
    snprintf(b->template_name, sizeof b->template_name, "%s",
             o && o->template_name ? o->template_name : "busybox");
    size_t nargs = 0;
    if (o && o->template_args)
        while (o->template_args[nargs])
            nargs++;
    b->template_args = calloc(nargs + 1, sizeof *b->template_args);
    if (!b->template_args)
        goto nomem;
    for (size_t i = 0; i < nargs; i++)
        if (!(b->template_args[i] = strdup(o->template_args[i])))
            goto nomem;
    if (o && o->config_file && !(b->config_file = strdup(o->config_file)))
        goto nomem;
    b->stop_timeout = o && o->stop_timeout > 0 ? o->stop_timeout : 10;
    if (o && o->shared_dir &&
        snprintf(b->shared_dir, sizeof b->shared_dir, "%s", o->shared_dir) >= (int)sizeof b->shared_dir) {
        pthread_mutex_init(&b->mu, NULL);
        lxcb_close(b);
        return -ENAMETOOLONG;
    }
    b->note = note_fn;
    b->note_arg = note_arg;
    b->cg_rc = cg_detect(&b->mounts);
    pthread_mutex_init(&b->mu, NULL);
    fog_cond_init_mono(&b->wake);
    lxcb_rename_repair(b);
    int rc = pthread_create(&b->flusher, NULL, lxcb_flusher_main, b);
    if (rc) {
        lxcb_close(b);
        return -rc;
    }
    b->flusher_started = 1;
    *out = b;
    return 0;
nomem:
    pthread_mutex_init(&b->mu, NULL);
    lxcb_close(b);
    return -ENOMEM;
}

void lxcb_close(struct lxcb *b)
{
    if (!b)
        return;
    if (b->flusher_started) {
        pthread_mutex_lock(&b->mu);
        b->closing = 1;
        pthread_cond_signal(&b->wake);
        pthread_mutex_unlock(&b->mu);
        pthread_join(b->flusher, NULL);
        lxcb_flush_dirty(b);
        pthread_cond_destroy(&b->wake);
    }
    struct ct_entry *e = b->entries;
    while (e) {
        struct ct_entry *next = e->next;
        entry_free(e);
        e = next;
    }
    if (b->template_args)
        for (size_t i = 0; b->template_args[i]; i++)
            free(b->template_args[i]);
    free(b->template_args);
    free(b->config_file);
    pthread_mutex_destroy(&b->mu);
    free(b);
}

const char *lxcb_lxcpath(struct lxcb *b)
{
    return b->lxcpath;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int lxcb_list(struct lxcb *b, char ***names, size_t *n)
{
    char **list = NULL;
    int count = list_defined_containers(b->lxcpath, &list, NULL);
    if (count < 0) {
        /* a missing lxcpath simply holds no containers */
        *names = NULL;
        *n = 0;
        return access(b->lxcpath, F_OK) ? 0 : -EIO;
    }
    if (count > 1)
        qsort(list, (size_t)count, sizeof *list, cmp_names);
    *names = list;
    *n = (size_t)count;
    return 0;
}

void lxcb_free_names(char **names, size_t n)
{
    if (!names)
        return;
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

int lxcb_exists(struct lxcb *b, const char *name)
{
    if (!lxcb_name_ok(name))
        return 0;
    char path[PATH_MAX];
    int w = snprintf(path, sizeof path, "%s/%s/config", b->lxcpath, name);
    return w > 0 && w < (int)sizeof path && access(path, F_OK) == 0;
}

/* ---------- state ---------- */

static const char *const state_names[] = {
    [LXCB_STOPPED] = "STOPPED", [LXCB_STARTING] = "STARTING", [LXCB_RUNNING] = "RUNNING",
    [LXCB_STOPPING] = "STOPPING", [LXCB_FROZEN] = "FROZEN", [LXCB_ABORTING] = "ABORTING",
    [LXCB_FREEZING] = "FREEZING", [LXCB_THAWED] = "THAWED", [LXCB_UNKNOWN] = "UNKNOWN",
};

const char *lxcb_state_name(enum lxcb_state st)
{
    return (unsigned)st <= LXCB_UNKNOWN ? state_names[st] : "UNKNOWN";
}

enum lxcb_state lxcb_state_of(struct lxc_container *c)
{
    const char *s = c->state(c);
    if (!s)
        return LXCB_UNKNOWN;
    for (int i = 0; i < LXCB_UNKNOWN; i++)
        if (!strcmp(s, state_names[i]))
            return (enum lxcb_state)i;
    return LXCB_UNKNOWN;
}

/* Without asking the monitor (a socket round trip per call, for every
 * container every interval): while the init pid the cgroup dirs were
 * resolved for lives, the container runs, frozen or not as its freezer
 * says. 0, or -ESRCH when that does not settle it. */
static int state_fast(struct lxcb *b, struct ct_entry *e, enum lxcb_state *st)
{
    int rc = -ESRCH;
    pthread_mutex_lock(&e->data);
    if (e->cg_pid > 0 && kill(e->cg_pid, 0) == 0 && e->dirs.dir[CG_FREEZER][0]) {
        char text[256];
        if (b->mounts.version == CG_V2) {
            if (!cg_read_file(e->dirs.dir[CG_FREEZER], "cgroup.events", text, sizeof text)) {
                *st = strstr(text, "frozen 1") ? LXCB_FROZEN : LXCB_RUNNING;
                rc = 0;
            }
        } else if (!cg_read_file(e->dirs.dir[CG_FREEZER], "freezer.state", text, sizeof text)) {
            *st = !strncmp(text, "FROZEN", 6) ? LXCB_FROZEN
                : !strncmp(text, "FREEZING", 8) ? LXCB_FREEZING : LXCB_RUNNING;
            rc = 0;
        }
    }
    pthread_mutex_unlock(&e->data);
    return rc;
}

int lxcb_get_state(struct lxcb *b, const char *name, enum lxcb_state *st)
{
    struct ct_entry *e;
    int rc = entry_ref_defined(b, name, &e);
    if (rc)
        return rc;
    if (state_fast(b, e, st))
        *st = lxcb_state_of(e->c);
    entry_put(b, e);
    return 0;
}

/* ---------- networks naming a missing host interface ---------- */

/* Index of the first network whose link (bridge, parent) is absent from this
 * host, or -1. The missing link's name goes into `link`. */
int first_missing_link(struct lxc_container *c, char *link, size_t linklen)
{
    for (int i = 0; i < 32; i++) {
        char key[64], type[32] = "", dev[64] = "";
        snprintf(key, sizeof key, "lxc.net.%d.type", i);
        if (c->get_config_item(c, key, type, sizeof type) <= 0)
            return -1;
        if (!strcmp(type, "empty") || !strcmp(type, "none"))
            continue;
        snprintf(key, sizeof key, "lxc.net.%d.link", i);
        if (c->get_config_item(c, key, dev, sizeof dev) <= 0 || !dev[0])
            continue;
        char sys[PATH_MAX];
        snprintf(sys, sizeof sys, "/sys/class/net/%s", dev);
        if (access(sys, F_OK)) {
            snprintf(link, linklen, "%s", dev);
            return i;
        }
    }
    return -1;
}

/* ---------- create / destroy ---------- */

int lxcb_create(struct lxcb *b, const char *name, char *why, size_t whylen)
{
    struct ct_entry *e;
    int rc = entry_lock(b, name, 1, &e, why, whylen);
    if (rc)
        return rc;
    if (entry_is_defined(e)) {
        entry_unlock(b, e);
        return lxcb_fail(why, whylen, -EEXIST, "container %s exists", name);
    }
    char spath[PATH_MAX];
    if (b->shared_dir[0] && (lxcb_shared_path(b, name, spath) || access(spath, F_OK) == 0)) {
        entry_unlock(b, e);
        return lxcb_fail(why, whylen, -EEXIST, "%s exists in the shared dir (another node's?)",
                         spath);
    }
    struct lxc_container *c = lxc_container_new(name, b->shared_dir[0] ? b->shared_dir
                                                                      : b->lxcpath);
    if (!c) {
        entry_unlock(b, e);
        return lxcb_fail(why, whylen, -ENOMEM, "liblxc could not make a handle for %s", name);
    }
    if (b->config_file && access(b->config_file, R_OK)) {
        rc = lxcb_fail(why, whylen, -errno, "cannot read base config %s: %s", b->config_file,
                       strerror(errno));
        goto out;
    }
    const char *base = b->config_file ? b->config_file
                                      : lxc_get_global_config_item("lxc.default_config");
    if (base && access(base, R_OK) == 0 && !c->load_config(c, base)) {
        rc = lxcb_fail(why, whylen, -EINVAL, "cannot load base config %s", base);
        goto out;
    }
    char link[64];
    if (first_missing_link(c, link, sizeof link) >= 0) {
        if (!c->clear_config_item(c, "lxc.net") ||
            !c->set_config_item(c, "lxc.net.0.type", "empty")) {
            rc = lxcb_fail(why, whylen, -EIO, "cannot drop the network naming %s from %s", link,
                           name);
            goto out;
        }
        lxcb_note(b, name, "create", "no bridge %s on this host: created without network", link);
    }
    if (!c->create(c, b->template_name, NULL, NULL, LXC_CREATE_QUIET,
                   (char *const *)b->template_args)) {
        rc = lxcb_fail(why, whylen, -EIO,
                       "liblxc create of %s from template %s failed (lxcpath %s)",
                       name, b->template_name, b->shared_dir[0] ? b->shared_dir : b->lxcpath);
        goto out;
    }
    rc = 0;
    if (b->shared_dir[0] && (rc = lxcb_link_shared(b, name, why, whylen)))
        c->destroy(c);
out:
    lxc_container_put(c);
    /* the entry's handle predates the container: replace it on next use */
    entry_retire(b, e);
    entry_unlock(b, e);
    return rc;
}

int lxcb_destroy(struct lxcb *b, const char *name, char *why, size_t whylen)
{
    struct ct_entry *e;
    int rc = entry_lock(b, name, 0, &e, why, whylen);
    if (rc)
        return rc;
    rc = lxcb_stop_locked(b, e, why, whylen);
    if (!rc && lxcb_is_shared(b, name)) {
        /* destroy the real directory through a handle on the shared dir, then the link */
        struct lxc_container *sc = lxc_container_new(name, b->shared_dir);
        char link[PATH_MAX];
        if (!sc || !sc->destroy(sc))
            rc = lxcb_fail(why, whylen, -EIO, "liblxc destroy of %s failed (shared dir %s)", name,
                           b->shared_dir);
        else if (!lxcb_local_path(b, name, link))
            unlink(link);
        if (sc)
            lxc_container_put(sc);
    } else if (!rc && !e->c->destroy(e->c)) {
        rc = lxcb_fail(why, whylen, -EIO, "liblxc destroy of %s failed (lxcpath %s)", name,
                       b->lxcpath);
    }
    if (!rc)
        entry_retire(b, e);   /* the flusher skips retired entries */
    entry_unlock(b, e);
    return rc;
}
