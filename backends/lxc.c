/* Containers through liblxc (the only file including <lxc/lxccontainer.h>):
 * create/destroy/start/stop/freeze/rename, cgroup limits persisted in the
 * container config plus a sidecar, usage read straight from cgroup files. */
#include "backends/lxc.h"
#include "backends/cgroup.h"
#include "core/clock.h"

#include <lxc/lxccontainer.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define NAME_MAX_LEN 64
#define SIDECAR "fogfs.limits"
#define START_LOG "fogfs-start.log"
#define START_HELPER_TIMEOUT_MS 20000
#define RUNNING_WAIT_MS 5000

/* One container known to this backend. `c` never changes for the life of an
 * entry; when a container is created, renamed or destroyed its entry goes
 * stale (out of the list) and the next lookup makes a fresh one. */
struct ct_entry {
    struct ct_entry *next;
    char name[NAME_MAX_LEN];
    struct lxc_container *c;
    int refs;                 /* under lxcb.mu */
    int stale;                /* under lxcb.mu */
    pthread_mutex_t op;       /* serializes changing operations */
    pthread_mutex_t data;     /* guards the caches below (held briefly) */
    pid_t cg_pid;             /* init pid the dirs were resolved for; 0 = none */
    struct cg_dirs dirs;
    double started_at;
    int limits_loaded;
    struct lxcb_limits limits;
    int config_dirty;         /* under lxcb.mu: config lags the limits */
};

struct lxcb {
    pthread_mutex_t mu;       /* guards `entries` and the entries' refs/stale */
    struct ct_entry *entries;
    char lxcpath[PATH_MAX];
    char template_name[64];
    char **template_args;     /* NULL-terminated copy */
    char *config_file;
    char shared_dir[PATH_MAX];  /* "" when containers live in lxcpath itself */
    int stop_timeout;
    lxcb_note_fn note;
    void *note_arg;
    int cg_rc;                /* result of cgroup detection */
    struct cg_mounts mounts;
    /* the flusher saves configs of running containers off the write path */
    pthread_t flusher;
    int flusher_started;
    int closing;              /* under mu */
    int dirty;                /* under mu: some entry has config_dirty */
    pthread_cond_t wake;      /* under mu */
};

#define FLUSH_DELAY_MS 300

struct ct_entry;
static int config_sync_locked(struct lxcb *b, struct ct_entry *e, char *why, size_t whylen);
static void flush_dirty(struct lxcb *b);
static void *flusher_main(void *arg);

static int fail(char *why, size_t whylen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(char *why, size_t whylen, int rc, const char *fmt, ...)
{
    if (why && whylen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, whylen, fmt, ap);
        va_end(ap);
    }
    return rc;
}

static void note(struct lxcb *b, const char *name, const char *action, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void note(struct lxcb *b, const char *name, const char *action, const char *fmt, ...)
{
    if (!b->note)
        return;
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    b->note(b->note_arg, name, action, text);
}

static int name_ok(const char *n)
{
    size_t len = n ? strlen(n) : 0;
    if (len == 0 || len >= NAME_MAX_LEN || !isalnum((unsigned char)n[0]))
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)n[i]) && n[i] != '_' && n[i] != '.' && n[i] != '-')
            return 0;
    return 1;
}

static double now_ms(void)
{
    return fog_mono_now() * 1e3;
}

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* ---------- entries: lookup, reference, lock ---------- */

static void entry_free(struct ct_entry *e)
{
    if (e->c)
        lxc_container_put(e->c);
    pthread_mutex_destroy(&e->op);
    pthread_mutex_destroy(&e->data);
    free(e);
}

/* Finds or makes the entry for `name` and takes a reference. */
static int entry_get(struct lxcb *b, const char *name, struct ct_entry **out)
{
    if (!name_ok(name))
        return -EINVAL;
    pthread_mutex_lock(&b->mu);
    struct ct_entry *e;
    for (e = b->entries; e; e = e->next)
        if (!strcmp(e->name, name))
            break;
    if (!e) {
        e = calloc(1, sizeof *e);
        if (!e) {
            pthread_mutex_unlock(&b->mu);
            return -ENOMEM;
        }
        snprintf(e->name, sizeof e->name, "%s", name);
        e->c = lxc_container_new(name, b->lxcpath);
        if (!e->c) {
            free(e);
            pthread_mutex_unlock(&b->mu);
            return -ENOMEM;
        }
        pthread_mutex_init(&e->op, NULL);
        pthread_mutex_init(&e->data, NULL);
        e->next = b->entries;
        b->entries = e;
    }
    e->refs++;
    pthread_mutex_unlock(&b->mu);
    *out = e;
    return 0;
}

/* Takes the entry out of the list: the next lookup makes a fresh handle. */
static void entry_retire(struct lxcb *b, struct ct_entry *e)
{
    pthread_mutex_lock(&b->mu);
    if (!e->stale) {
        for (struct ct_entry **p = &b->entries; *p; p = &(*p)->next)
            if (*p == e) {
                *p = e->next;
                break;
            }
        e->stale = 1;
    }
    pthread_mutex_unlock(&b->mu);
}

static void entry_put(struct lxcb *b, struct ct_entry *e)
{
    pthread_mutex_lock(&b->mu);
    int gone = --e->refs == 0 && e->stale;
    pthread_mutex_unlock(&b->mu);
    if (gone)
        entry_free(e);
}

static int entry_is_defined(struct ct_entry *e)
{
    return e->c->is_defined(e->c);
}

/* Reference + op lock on a live (not stale) entry. An undefined container
 * gets -ENOENT unless `may_be_new`. */
static int entry_lock(struct lxcb *b, const char *name, int may_be_new, struct ct_entry **out,
                      char *why, size_t whylen)
{
    for (int tries = 0; tries < 100; tries++) {
        struct ct_entry *e;
        int rc = entry_get(b, name, &e);
        if (rc == -EINVAL)
            return fail(why, whylen, rc, "bad container name \"%s\"", name ? name : "");
        if (rc)
            return fail(why, whylen, rc, "out of memory");
        pthread_mutex_lock(&e->op);
        pthread_mutex_lock(&b->mu);
        int stale = e->stale;
        pthread_mutex_unlock(&b->mu);
        if (stale) {
            pthread_mutex_unlock(&e->op);
            entry_put(b, e);
            continue;
        }
        if (!may_be_new && !entry_is_defined(e)) {
            pthread_mutex_unlock(&e->op);
            entry_retire(b, e);
            entry_put(b, e);
            return fail(why, whylen, -ENOENT, "no container %s", name);
        }
        *out = e;
        return 0;
    }
    return fail(why, whylen, -EAGAIN, "container %s keeps changing", name);
}

static void entry_unlock(struct lxcb *b, struct ct_entry *e)
{
    pthread_mutex_unlock(&e->op);
    entry_put(b, e);
}

/* ---------- shared storage ---------- */

/* With a shared dir, a container lives in <shared>/<name> (config, sidecar,
 * rootfs) and this node's lxcpath holds a symlink to it: the symlink is the
 * node's ownership, so handing a container over moves only the link. */
static int shared_path(struct lxcb *b, const char *name, char *out)
{
    return snprintf(out, PATH_MAX, "%s/%s", b->shared_dir, name) >= PATH_MAX ? -ENAMETOOLONG : 0;
}

static int local_path(struct lxcb *b, const char *name, char *out)
{
    return snprintf(out, PATH_MAX, "%s/%s", b->lxcpath, name) >= PATH_MAX ? -ENAMETOOLONG : 0;
}

/* 1 when the container's directory is a link into the shared dir. */
static int is_shared(struct lxcb *b, const char *name)
{
    char link[PATH_MAX], target[PATH_MAX], want[PATH_MAX];
    if (!b->shared_dir[0] || local_path(b, name, link) || shared_path(b, name, want))
        return 0;
    ssize_t n = readlink(link, target, sizeof target - 1);
    if (n < 0)
        return 0;
    target[n] = 0;
    return !strcmp(target, want);
}

static int link_shared(struct lxcb *b, const char *name, char *why, size_t whylen)
{
    char link[PATH_MAX], target[PATH_MAX];
    if (local_path(b, name, link) || shared_path(b, name, target))
        return fail(why, whylen, -ENAMETOOLONG, "path too long");
    if (symlink(target, link))
        return fail(why, whylen, -errno, "cannot link %s to %s: %s", link, target, strerror(errno));
    return 0;
}

int lxcb_is_shared(struct lxcb *b, const char *name)
{
    return is_shared(b, name);
}

/* Reference only, for reads that must not wait behind a slow stop. */
static int entry_ref_defined(struct lxcb *b, const char *name, struct ct_entry **out)
{
    struct ct_entry *e;
    int rc = entry_get(b, name, &e);
    if (rc)
        return rc;
    if (!entry_is_defined(e)) {
        /* no handle kept for a name without a container: one made by
         * lxc-create later must get a handle that loads its config */
        entry_retire(b, e);
        entry_put(b, e);
        return -ENOENT;
    }
    *out = e;
    return 0;
}

static void cache_forget_cgroup(struct ct_entry *e)
{
    pthread_mutex_lock(&e->data);
    e->cg_pid = 0;
    pthread_mutex_unlock(&e->data);
}

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
        snprintf(b->shared_dir, sizeof b->shared_dir, "%s", o->shared_dir) >= (int)sizeof b->shared_dir)
        goto nomem;
    b->note = note_fn;
    b->note_arg = note_arg;
    b->cg_rc = cg_detect(&b->mounts);
    pthread_mutex_init(&b->mu, NULL);
    fog_cond_init_mono(&b->wake);
    int rc = pthread_create(&b->flusher, NULL, flusher_main, b);
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
        flush_dirty(b);
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
    if (!name_ok(name))
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

static enum lxcb_state state_of(struct lxc_container *c)
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
        *st = state_of(e->c);
    entry_put(b, e);
    return 0;
}

static int wait_state(struct lxc_container *c, enum lxcb_state want, int ms)
{
    double end = now_ms() + ms;
    for (;;) {
        if (state_of(c) == want)
            return 0;
        if (now_ms() >= end)
            return -ETIMEDOUT;
        sleep_ms(10);
    }
}

/* ---------- networks naming a missing host interface ---------- */

/* Index of the first network whose link (bridge, parent) is absent from this
 * host, or -1. The missing link's name goes into `link`. */
static int first_missing_link(struct lxc_container *c, char *link, size_t linklen)
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
        return fail(why, whylen, -EEXIST, "container %s exists", name);
    }
    char spath[PATH_MAX];
    if (b->shared_dir[0] && (shared_path(b, name, spath) || access(spath, F_OK) == 0)) {
        entry_unlock(b, e);
        return fail(why, whylen, -EEXIST, "%s exists in the shared dir (another node's?)", spath);
    }
    struct lxc_container *c = lxc_container_new(name, b->shared_dir[0] ? b->shared_dir
                                                                      : b->lxcpath);
    if (!c) {
        entry_unlock(b, e);
        return fail(why, whylen, -ENOMEM, "liblxc could not make a handle for %s", name);
    }
    if (b->config_file && access(b->config_file, R_OK)) {
        rc = fail(why, whylen, -errno, "cannot read base config %s: %s", b->config_file,
                  strerror(errno));
        goto out;
    }
    const char *base = b->config_file ? b->config_file
                                      : lxc_get_global_config_item("lxc.default_config");
    if (base && access(base, R_OK) == 0 && !c->load_config(c, base)) {
        rc = fail(why, whylen, -EINVAL, "cannot load base config %s", base);
        goto out;
    }
    char link[64];
    if (first_missing_link(c, link, sizeof link) >= 0) {
        if (!c->clear_config_item(c, "lxc.net") ||
            !c->set_config_item(c, "lxc.net.0.type", "empty")) {
            rc = fail(why, whylen, -EIO, "cannot drop the network naming %s from %s", link, name);
            goto out;
        }
        note(b, name, "create", "no bridge %s on this host: created without network", link);
    }
    if (!c->create(c, b->template_name, NULL, NULL, LXC_CREATE_QUIET,
                   (char *const *)b->template_args)) {
        rc = fail(why, whylen, -EIO, "liblxc create of %s from template %s failed (lxcpath %s)",
                  name, b->template_name, b->shared_dir[0] ? b->shared_dir : b->lxcpath);
        goto out;
    }
    rc = 0;
    if (b->shared_dir[0] && (rc = link_shared(b, name, why, whylen)))
        c->destroy(c);
out:
    lxc_container_put(c);
    /* the entry's handle predates the container: replace it on next use */
    entry_retire(b, e);
    entry_unlock(b, e);
    return rc;
}

static int stop_locked(struct lxcb *b, struct ct_entry *e, char *why, size_t whylen);

int lxcb_destroy(struct lxcb *b, const char *name, char *why, size_t whylen)
{
    struct ct_entry *e;
    int rc = entry_lock(b, name, 0, &e, why, whylen);
    if (rc)
        return rc;
    rc = stop_locked(b, e, why, whylen);
    if (!rc && is_shared(b, name)) {
        /* destroy the real directory through a handle on the shared dir, then the link */
        struct lxc_container *sc = lxc_container_new(name, b->shared_dir);
        char link[PATH_MAX];
        if (!sc || !sc->destroy(sc))
            rc = fail(why, whylen, -EIO, "liblxc destroy of %s failed (shared dir %s)", name,
                      b->shared_dir);
        else if (!local_path(b, name, link))
            unlink(link);
        if (sc)
            lxc_container_put(sc);
    } else if (!rc && !e->c->destroy(e->c)) {
        rc = fail(why, whylen, -EIO, "liblxc destroy of %s failed (lxcpath %s)", name, b->lxcpath);
    }
    if (!rc)
        entry_retire(b, e);   /* the flusher skips retired entries */
    entry_unlock(b, e);
    return rc;
}

/* ---------- start ---------- */

/* Last line of a log file, for `why`. */
static void last_log_line(const char *path, char *out, size_t len)
{
    out[0] = 0;
    FILE *f = fopen(path, "re");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        if (line[0])
            if (snprintf(out, len, "%s", line) >= (int)len && len > 4)
                memcpy(out + len - 4, "...", 4);
    }
    fclose(f);
}

/* Runs liblxc's own lxc-start in a fresh process: no threads, empty signal
 * mask, default dispositions, no inherited fds (-C), stdio on /dev/null and
 * the log. Bounded in time; kills only the child it made. */
static int run_start_helper(struct lxcb *b, const char *name, const char *define,
                            const char *log, int *status)
{
    const char *argv[16];
    int k = 0;
    argv[k++] = "lxc-start";
    argv[k++] = "-P";
    argv[k++] = b->lxcpath;
    argv[k++] = "-n";
    argv[k++] = name;
    argv[k++] = "-d";
    argv[k++] = "-C";
    argv[k++] = "-o";
    argv[k++] = log;
    argv[k++] = "-l";
    argv[k++] = "ERROR";
    if (define) {
        argv[k++] = "-s";
        argv[k++] = define;
    }
    argv[k] = NULL;

    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, log, O_WRONLY | O_CREAT | O_TRUNC, 0640);
    posix_spawnattr_init(&at);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &all);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t pid = -1;
    int rc = ENOENT;
    static const char *const candidates[] = { "/usr/bin/lxc-start", "/usr/local/bin/lxc-start" };
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0] && rc; i++)
        if (access(candidates[i], X_OK) == 0)
            rc = posix_spawn(&pid, candidates[i], &fa, &at, (char *const *)argv, environ);
    if (rc)
        rc = posix_spawnp(&pid, "lxc-start", &fa, &at, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    if (rc)
        return -rc;

    double end = now_ms() + START_HELPER_TIMEOUT_MS;
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid)
            return 0;
        if (r < 0 && errno == ECHILD) {   /* SIGCHLD ignored: reaped for us */
            *status = -1;
            return 0;
        }
        if (r < 0 && errno != EINTR)
            return -errno;
        if (now_ms() >= end) {
            kill(pid, SIGKILL);
            while (waitpid(pid, status, 0) < 0 && errno == EINTR)
                ;
            return -ETIMEDOUT;
        }
        sleep_ms(5);
    }
}

static int start_locked(struct lxcb *b, struct ct_entry *e, char *why, size_t whylen)
{
    struct lxc_container *c = e->c;
    enum lxcb_state st = state_of(c);
    if (st == LXCB_RUNNING)
        return 0;
    if (st == LXCB_FROZEN)
        return fail(why, whylen, -EBUSY, "container %s is frozen", e->name);
    if (st != LXCB_STOPPED)
        return fail(why, whylen, -EBUSY, "container %s is %s", e->name, lxcb_state_name(st));

    int rc = config_sync_locked(b, e, why, whylen);
    if (rc)
        return rc;
    char link[64], define[64];
    int idx = first_missing_link(c, link, sizeof link);
    if (idx >= 0)
        snprintf(define, sizeof define, "lxc.net.%d.type=empty", idx);
    char log[PATH_MAX];
    int w = snprintf(log, sizeof log, "%s/%s/" START_LOG, b->lxcpath, e->name);
    if (w < 0 || w >= (int)sizeof log)
        return fail(why, whylen, -ENAMETOOLONG, "lxcpath too long");
    int status = 0;
    cache_forget_cgroup(e);
    rc = run_start_helper(b, e->name, idx >= 0 ? define : NULL, log, &status);
    if (rc == -ETIMEDOUT)
        return fail(why, whylen, rc, "lxc-start %s did not return in %d s", e->name,
                    START_HELPER_TIMEOUT_MS / 1000);
    if (rc)
        return fail(why, whylen, rc, "cannot run lxc-start: %s", strerror(-rc));
    if (wait_state(c, LXCB_RUNNING, RUNNING_WAIT_MS)) {
        char last[256];
        last_log_line(log, last, sizeof last);
        return fail(why, whylen, -EIO, "container %s did not start (lxc-start status %d): %s%s",
                    e->name, WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                    last[0] ? "" : "see ", last[0] ? last : log);
    }
    if (idx >= 0)
        note(b, e->name, "start", "no bridge %s on this host: started without network", link);
    return 0;
}

int lxcb_start(struct lxcb *b, const char *name, char *why, size_t whylen)
{
    struct ct_entry *e;
    int rc = entry_lock(b, name, 0, &e, why, whylen);
    if (rc)
        return rc;
    rc = start_locked(b, e, why, whylen);
    entry_unlock(b, e);
    return rc;
}

/* ---------- stop / restart / freeze ---------- */

static int cgroup_dirs_locked(struct lxcb *b, struct ct_entry *e);

/* Live processes in the container's cgroup now (cgroup.procs: pids.current
 * also counts the zombies an init has not reaped yet); 0 when unknown. */
static uint64_t tasks_now(struct lxcb *b, struct ct_entry *e)
{
    uint64_t n = 0;
    char text[4096];
    pthread_mutex_lock(&e->data);
    if (!cgroup_dirs_locked(b, e) &&
        !cg_read_file(e->dirs.dir[CG_PIDS], "cgroup.procs", text, sizeof text))
        for (const char *p = text; *p; p++)
            n += *p == '\n';
    pthread_mutex_unlock(&e->data);
    return n;
}

static int stop_locked(struct lxcb *b, struct ct_entry *e, char *why, size_t whylen)
{
    struct lxc_container *c = e->c;
    enum lxcb_state st = state_of(c);
    if (st == LXCB_STOPPED)
        return 0;
    if (st == LXCB_FROZEN || st == LXCB_FREEZING)
        c->unfreeze(c);   /* a frozen init cannot take the halt signal */
    /* Graceful: the halt signal to init, then wait until every other task
     * of the container has exited; an init left alone is only sleeping
     * through its own halt sequence (busybox's takes 2 s), so it is killed
     * then. An init that has not set up its handlers yet (a stop right
     * after a start) drops the signal: it is sent again each second until
     * the container's task count falls. A container whose init is alone
     * throughout gets the whole timeout. Bounded by stop_timeout. */
    uint64_t peak = tasks_now(b, e);
    if (c->shutdown(c, 0) || state_of(c) != LXCB_STOPPED) {
        double now = fog_mono_now(), deadline = now + b->stop_timeout, resend = now + 1;
        int alone = 0, fell = 0;
        while (state_of(c) != LXCB_STOPPED && (now = fog_mono_now()) < deadline) {
            uint64_t n = tasks_now(b, e);
            fell |= n < peak;
            peak = n > peak ? n : peak;
            alone = peak > 1 && n == 1 ? alone + 1 : 0;
            if (alone >= 2)
                break;
            if (!fell && now >= resend) {
                c->shutdown(c, 0);
                resend = now + 1;
            }
            struct timespec ts = { 0, 10 * 1000000L };
            nanosleep(&ts, NULL);
        }
    }
    /* Kill what is left; liblxc's stop may fail only because init is
     * already on its way out, so the state decides, after a bounded wait. */
    if (state_of(c) != LXCB_STOPPED)
        c->stop(c);
    int rc = wait_state(c, LXCB_STOPPED, RUNNING_WAIT_MS);
    cache_forget_cgroup(e);
    if (rc)
        return fail(why, whylen, -ETIMEDOUT, "container %s did not stop", e->name);
    return 0;
}

int lxcb_stop(struct lxcb *b, const char *name, char *why, size_t whylen)
{
    struct ct_entry *e;
    int rc = entry_lock(b, name, 0, &e, why, whylen);
    if (rc)
        return rc;
    rc = stop_locked(b, e, why, whylen);
    entry_unlock(b, e);
    return rc;
}

int lxcb_restart(struct lxcb *b, const char *name, char *why, size_t whylen)
{
    struct ct_entry *e;
    int rc = entry_lock(b, name, 0, &e, why, whylen);
    if (rc)
        return rc;
    rc = stop_locked(b, e, why, whylen);
    if (!rc)
        rc = start_locked(b, e, why, whylen);
    entry_unlock(b, e);
    return rc;
}

int lxcb_freeze(struct lxcb *b, const char *name, char *why, size_t whylen)
{
    struct ct_entry *e;
    int rc = entry_lock(b, name, 0, &e, why, whylen);
    if (rc)
        return rc;
    enum lxcb_state st = state_of(e->c);
    if (st == LXCB_FROZEN)
        rc = 0;
    else if (st != LXCB_RUNNING)
        rc = fail(why, whylen, -EINVAL, "container %s is %s, not running", name,
                  lxcb_state_name(st));
    else if (!e->c->freeze(e->c))
        rc = fail(why, whylen, -EIO, "liblxc could not freeze %s", name);
    entry_unlock(b, e);
    return rc;
}

int lxcb_unfreeze(struct lxcb *b, const char *name, char *why, size_t whylen)
{
    struct ct_entry *e;
    int rc = entry_lock(b, name, 0, &e, why, whylen);
    if (rc)
        return rc;
    enum lxcb_state st = state_of(e->c);
    if (st == LXCB_RUNNING)
        rc = 0;
    else if (st != LXCB_FROZEN && st != LXCB_FREEZING)
        rc = fail(why, whylen, -EINVAL, "container %s is %s, not frozen", name,
                  lxcb_state_name(st));
    else if (!e->c->unfreeze(e->c))
        rc = fail(why, whylen, -EIO, "liblxc could not unfreeze %s", name);
    entry_unlock(b, e);
    return rc;
}

/* ---------- limits: sidecar ---------- */

static void limits_default(struct lxcb_limits *l)
{
    l->cpu_limit_m = -1;
    l->cpu_request_m = 0;
    l->mem_limit = -1;
    l->autoscale = -1;
}

static int sidecar_path(struct lxcb *b, const char *name, const char *suffix, char *out)
{
    int w = snprintf(out, PATH_MAX, "%s/%s/" SIDECAR "%s", b->lxcpath, name, suffix);
    return (w < 0 || w >= PATH_MAX) ? -ENAMETOOLONG : 0;
}

/* Parses "key=value" lines; unknown keys are ignored. */
static int sidecar_read(struct lxcb *b, const char *name, struct lxcb_limits *l)
{
    char path[PATH_MAX];
    int rc = sidecar_path(b, name, "", path);
    if (rc)
        return rc;
    FILE *f = fopen(path, "re");
    if (!f)
        return -errno;
    limits_default(l);
    char line[128];
    while (fgets(line, sizeof line, f)) {
        char key[32];
        long long v;
        if (sscanf(line, "%31[a-z_]=%lld", key, &v) != 2)
            continue;
        if (!strcmp(key, "cpu_limit_m"))
            l->cpu_limit_m = v;
        else if (!strcmp(key, "cpu_request_m"))
            l->cpu_request_m = v;
        else if (!strcmp(key, "mem_limit"))
            l->mem_limit = v;
        else if (!strcmp(key, "autoscale"))
            l->autoscale = (int)v;
    }
    fclose(f);
    return 0;
}

/* Every value is padded to a fixed width, so the file never changes size:
 * an update is one pwrite() of one sector in place (about 5 us here), where
 * truncating or renaming over it frees blocks (250-400 us on ext4 with
 * discard). A new sidecar is made under a temporary name and renamed in. */
static int sidecar_write(struct lxcb *b, const char *name, const struct lxcb_limits *l)
{
    char path[PATH_MAX], tmp[PATH_MAX];
    int rc = sidecar_path(b, name, "", path);
    if (!rc)
        rc = sidecar_path(b, name, ".tmp", tmp);
    if (rc)
        return rc;
    char text[256];
    int n = snprintf(text, sizeof text,
                     "# fogfs: the exact limits set for this container\n"
                     "cpu_limit_m=%-20" PRId64 "\ncpu_request_m=%-20" PRId64 "\n"
                     "mem_limit=%-20" PRId64 "\nautoscale=%-2d\n",
                     l->cpu_limit_m, l->cpu_request_m, l->mem_limit, l->autoscale);
    struct stat st;
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size == n) {
        ssize_t w = pwrite(fd, text, (size_t)n, 0);
        int e = w < 0 ? -errno : (w != n ? -EIO : 0);
        if (close(fd) && !e)
            e = -errno;
        return e;
    }
    if (fd >= 0)
        close(fd);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -errno;
    ssize_t w = write(fd, text, (size_t)n);
    int e = w < 0 ? -errno : (w != n ? -EIO : 0);
    if (close(fd) && !e)
        e = -errno;
    if (!e && rename(tmp, path))
        e = -errno;
    if (e)
        unlink(tmp);
    return e;
}

/* ---------- limits: config keys and live cgroup files ---------- */

/* Limits of a container without a sidecar, read back from its config. */
static void limits_from_config(struct lxcb *b, struct lxc_container *c, struct lxcb_limits *l)
{
    char v[128];
    limits_default(l);
    if (b->mounts.version == CG_V2) {
        if (c->get_config_item(c, "lxc.cgroup2.cpu.max", v, sizeof v) > 0) {
            int64_t m;
            if (!cg_parse_cpu_max(v, &m))
                l->cpu_limit_m = m;
        }
        if (c->get_config_item(c, "lxc.cgroup2.cpu.weight", v, sizeof v) > 0)
            l->cpu_request_m = (int64_t)cg_weight_to_shares(strtoull(v, NULL, 10)) * 1000 / 1024;
        if (c->get_config_item(c, "lxc.cgroup2.memory.max", v, sizeof v) > 0)
            cg_parse_mem(v, &l->mem_limit);
    } else {
        long long quota = -1, period = CG_CFS_PERIOD_US;
        if (c->get_config_item(c, "lxc.cgroup.cpu.cfs_quota_us", v, sizeof v) > 0)
            quota = strtoll(v, NULL, 10);
        if (c->get_config_item(c, "lxc.cgroup.cpu.cfs_period_us", v, sizeof v) > 0)
            period = strtoll(v, NULL, 10);
        l->cpu_limit_m = cg_cfs_to_millicores(quota, period);
        if (c->get_config_item(c, "lxc.cgroup.cpu.shares", v, sizeof v) > 0)
            l->cpu_request_m = strtoll(v, NULL, 10) * 1000 / 1024;
        if (c->get_config_item(c, "lxc.cgroup.memory.limit_in_bytes", v, sizeof v) > 0)
            cg_parse_mem(v, &l->mem_limit);
    }
}

/* Loads the cached limits once per entry (sidecar, else the config). */
static void limits_load(struct lxcb *b, struct ct_entry *e, struct lxcb_limits *out)
{
    pthread_mutex_lock(&e->data);
    if (!e->limits_loaded) {
        if (sidecar_read(b, e->name, &e->limits))
            limits_from_config(b, e->c, &e->limits);
        e->limits_loaded = 1;
    }
    *out = e->limits;
    pthread_mutex_unlock(&e->data);
}

int lxcb_get_limits(struct lxcb *b, const char *name, struct lxcb_limits *l)
{
    struct ct_entry *e;
    int rc = entry_ref_defined(b, name, &e);
    if (rc)
        return rc;
    limits_load(b, e, l);
    entry_put(b, e);
    return 0;
}

/* The cgroup items one limit maps to (backends/cgroup does the mapping). */
static int items_for(enum cg_version v, const struct lxcb_limits *l, int which,
                     struct cg_item *it)
{
    if (which == 0)
        return cg_items_cpu_limit(v, l->cpu_limit_m, it);
    if (which == 1)
        return cg_items_cpu_request(v, l->cpu_request_m, it);
    return cg_items_mem_limit(v, l->mem_limit, it);
}

/* Under e->data. Resolves the container's cgroup dirs from its init pid;
 * reuses them while that pid lives. -ESRCH if not running. */
static int cgroup_dirs_locked(struct lxcb *b, struct ct_entry *e)
{
    if (e->cg_pid > 0 && kill(e->cg_pid, 0) == 0)
        return 0;
    e->cg_pid = 0;
    if (b->cg_rc)
        return b->cg_rc;
    pid_t pid = e->c->init_pid(e->c);
    if (pid <= 0)
        return -ESRCH;
    char path[64], text[4096];
    snprintf(path, sizeof path, "/proc/%d", (int)pid);
    int rc = cg_read_file(path, "cgroup", text, sizeof text);
    if (rc)
        return rc == -ENOENT ? -ESRCH : rc;
    rc = cg_parse_proc_cgroup(text, &b->mounts, &e->dirs);
    if (rc)
        return rc;
    /* start time: field 22 of /proc/<pid>/stat (ticks after boot) + btime */
    char stat[1024], pstat[8192];
    e->started_at = 0;
    if (!cg_read_file(path, "stat", stat, sizeof stat) &&
        !cg_read_file("/proc", "stat", pstat, sizeof pstat)) {
        const char *p = strrchr(stat, ')');
        unsigned long long ticks = 0;
        for (int field = 2; p && field < 22; field++)
            p = strchr(p + 1, ' ');
        const char *bt = strstr(pstat, "\nbtime ");
        if (p && bt && sscanf(p + 1, "%llu", &ticks) == 1) {
            long hz = sysconf(_SC_CLK_TCK);
            e->started_at = strtod(bt + 7, NULL) + (double)ticks / (hz > 0 ? hz : 100);
        }
    }
    e->cg_pid = pid;
    return 0;
}

/* Writes one value live; falls back to liblxc when the dir is unknown. */
static int apply_live(struct lxcb *b, struct ct_entry *e, const struct cg_item *it)
{
    pthread_mutex_lock(&e->data);
    int rc = cgroup_dirs_locked(b, e);
    char dir[CG_PATH_MAX];
    if (!rc)
        snprintf(dir, sizeof dir, "%s", e->dirs.dir[it->ctrl]);
    pthread_mutex_unlock(&e->data);
    if (rc == -ESRCH)
        return rc;
    if (!rc)
        return cg_write_file(dir, it->file, it->value);
    return e->c->set_cgroup_item(e->c, it->file, it->value) ? 0 : -EIO;
}

/* Puts one item in the in-memory config unless it is there already.
 * Returns 1 when it changed something, 0 when not, or -errno. */
static int persist_item(struct lxc_container *c, const struct cg_item *it)
{
    char cur[128] = "";
    int n = c->get_config_item(c, it->key, cur, sizeof cur);
    if (n < 0 || (size_t)n >= sizeof cur)
        cur[0] = 0;
    cur[strcspn(cur, "\n")] = 0;
    if (it->clear ? !cur[0] : !strcmp(cur, it->value))
        return 0;
    /* clear first: set_config_item appends to a cgroup list */
    if (!c->clear_config_item(c, it->key))
        return -EIO;
    if (!it->clear && !c->set_config_item(c, it->key, it->value))
        return -EINVAL;
    return 1;
}

/* Under e->op. Makes the container's saved config carry its limits (the
 * sidecar's values): before every start, and from the flusher. */
static int config_sync_locked(struct lxcb *b, struct ct_entry *e, char *why, size_t whylen)
{
    pthread_mutex_lock(&b->mu);
    e->config_dirty = 0;
    pthread_mutex_unlock(&b->mu);
    if (b->cg_rc)
        return 0;
    struct lxcb_limits l;
    limits_load(b, e, &l);
    int changed = 0;
    for (int w = 0; w < 3; w++) {
        struct cg_item items[CG_MAX_ITEMS];
        int n = items_for(b->mounts.version, &l, w, items);
        for (int i = 0; i < n; i++) {
            int rc = persist_item(e->c, &items[i]);
            if (rc < 0)
                return fail(why, whylen, rc, "%s: cannot put %s in its config", e->name,
                            items[i].key);
            changed |= rc;
        }
    }
    if (changed && !e->c->save_config(e->c, NULL))
        return fail(why, whylen, -EIO, "%s: cannot save its config", e->name);
    return 0;
}

static void mark_config_dirty(struct lxcb *b, struct ct_entry *e)
{
    pthread_mutex_lock(&b->mu);
    e->config_dirty = 1;
    b->dirty = 1;
    pthread_cond_signal(&b->wake);
    pthread_mutex_unlock(&b->mu);
}

/* Saves, one by one, the configs marked dirty; returns when none is left. */
static void flush_dirty(struct lxcb *b)
{
    for (;;) {
        pthread_mutex_lock(&b->mu);
        struct ct_entry *e;
        for (e = b->entries; e && !e->config_dirty; e = e->next)
            ;
        if (!e) {
            b->dirty = 0;
            pthread_mutex_unlock(&b->mu);
            return;
        }
        e->refs++;
        pthread_mutex_unlock(&b->mu);
        pthread_mutex_lock(&e->op);
        pthread_mutex_lock(&b->mu);
        int skip = e->stale || !e->config_dirty;
        if (e->stale)
            e->config_dirty = 0;
        pthread_mutex_unlock(&b->mu);
        char why[256];
        if (!skip && config_sync_locked(b, e, why, sizeof why))
            note(b, e->name, "error", "%s", why);
        pthread_mutex_unlock(&e->op);
        entry_put(b, e);
    }
}

static void *flusher_main(void *arg)
{
    struct lxcb *b = arg;
    pthread_mutex_lock(&b->mu);
    while (!b->closing) {
        if (!b->dirty) {
            pthread_cond_wait(&b->wake, &b->mu);
            continue;
        }
        /* let a burst of writes land, then save once */
        struct timespec until = fog_mono_after(FLUSH_DELAY_MS / 1000.0);
        while (!b->closing && pthread_cond_timedwait(&b->wake, &b->mu, &until) != ETIMEDOUT)
            ;
        pthread_mutex_unlock(&b->mu);
        flush_dirty(b);
        pthread_mutex_lock(&b->mu);
    }
    pthread_mutex_unlock(&b->mu);
    return NULL;
}

static int limits_valid(const struct lxcb_limits *l)
{
    return (l->cpu_limit_m == -1 || (l->cpu_limit_m > 0 && l->cpu_limit_m <= 1000000000)) &&
           l->cpu_request_m >= 0 && l->cpu_request_m <= 1000000000 &&
           (l->mem_limit == -1 || l->mem_limit > 0) &&
           l->autoscale >= -1 && l->autoscale <= 1;
}

int lxcb_set_limits(struct lxcb *b, const char *name, const struct lxcb_limits *l,
                    char *why, size_t whylen)
{
    if (!limits_valid(l))
        return fail(why, whylen, -ERANGE, "limits out of range for %s", name ? name : "");
    if (b->cg_rc)
        return fail(why, whylen, b->cg_rc, "no cgroup controllers found on this host");
    struct ct_entry *e;
    int rc = entry_lock(b, name, 0, &e, why, whylen);
    if (rc)
        return rc;
    struct lxcb_limits cur;
    limits_load(b, e, &cur);
    int changed[3] = { l->cpu_limit_m != cur.cpu_limit_m, l->cpu_request_m != cur.cpu_request_m,
                       l->mem_limit != cur.mem_limit };
    struct cg_item items[3][CG_MAX_ITEMS];
    int nitems[3] = { 0, 0, 0 };
    for (int w = 0; w < 3; w++)
        if (changed[w])
            nitems[w] = items_for(b->mounts.version, l, w, items[w]);

    /* live first: a refused value (EBUSY for memory under usage) changes nothing */
    int running = 1;
    for (int w = 0; w < 3 && running && !rc; w++)
        for (int i = 0; i < nitems[w] && running && !rc; i++) {
            rc = apply_live(b, e, &items[w][i]);
            if (rc == -ESRCH) {
                running = 0;
                rc = 0;
            } else if (rc) {
                fail(why, whylen, rc, "%s: cannot set %s to %s: %s%s", name, items[w][i].file,
                     items[w][i].value, strerror(-rc),
                     rc == -EBUSY ? " (memory in use is above it)" : "");
            }
        }
    /* the sidecar now, the LXC config now when stopped, else by the flusher
     * (and always before the next start) */
    if (!rc) {
        rc = sidecar_write(b, name, l);
        if (rc)
            fail(why, whylen, rc, "%s: cannot write " SIDECAR ": %s", name, strerror(-rc));
    }
    if (!rc) {
        pthread_mutex_lock(&e->data);
        e->limits = *l;
        e->limits_loaded = 1;
        pthread_mutex_unlock(&e->data);
        if (running && (nitems[0] || nitems[1] || nitems[2]))
            mark_config_dirty(b, e);
        else if (nitems[0] || nitems[1] || nitems[2])
            rc = config_sync_locked(b, e, why, whylen);
    }
    entry_unlock(b, e);
    return rc;
}

/* ---------- usage / started_at / ips ---------- */

static int read_u64(const char *dir, const char *file, uint64_t *v)
{
    char buf[64];
    int rc = cg_read_file(dir, file, buf, sizeof buf);
    if (rc)
        return rc;
    char *end;
    errno = 0;
    unsigned long long x = strtoull(buf, &end, 10);
    if (end == buf || errno)
        return -EINVAL;
    *v = x;
    return 0;
}

static int read_usage_locked(struct lxcb *b, struct ct_entry *e, struct lxcb_usage *u)
{
    const struct cg_dirs *d = &e->dirs;
    int rc;
    if (b->mounts.version == CG_V2) {
        char text[1024];
        rc = cg_read_file(d->dir[CG_CPU], "cpu.stat", text, sizeof text);
        if (!rc)
            rc = cg_parse_cpu_stat_usage_ns(text, &u->cpu_ns);
        if (!rc)
            rc = read_u64(d->dir[CG_MEMORY], "memory.current", &u->mem_bytes);
    } else {
        rc = read_u64(d->dir[CG_CPUACCT], "cpuacct.usage", &u->cpu_ns);
        if (!rc)
            rc = read_u64(d->dir[CG_MEMORY], "memory.usage_in_bytes", &u->mem_bytes);
    }
    if (!rc)
        rc = read_u64(d->dir[CG_PIDS], "pids.current", &u->pids);
    return rc;
}

int lxcb_get_usage(struct lxcb *b, const char *name, struct lxcb_usage *u)
{
    struct ct_entry *e;
    int rc = entry_ref_defined(b, name, &e);
    if (rc)
        return rc;
    pthread_mutex_lock(&e->data);
    for (int attempt = 0; attempt < 2; attempt++) {
        rc = cgroup_dirs_locked(b, e);
        if (rc)
            break;
        rc = read_usage_locked(b, e, u);
        if (rc != -ENOENT && rc != -ENODEV)
            break;
        e->cg_pid = 0;   /* the cgroup went away: resolve again once */
        rc = -ESRCH;
    }
    pthread_mutex_unlock(&e->data);
    entry_put(b, e);
    return rc;
}

int lxcb_get_started_at(struct lxcb *b, const char *name, double *unix_time)
{
    struct ct_entry *e;
    int rc = entry_ref_defined(b, name, &e);
    if (rc)
        return rc;
    pthread_mutex_lock(&e->data);
    rc = cgroup_dirs_locked(b, e);
    if (!rc)
        *unix_time = e->started_at;
    if (!rc && e->started_at <= 0)
        rc = -EIO;
    pthread_mutex_unlock(&e->data);
    entry_put(b, e);
    return rc;
}

int lxcb_get_ips(struct lxcb *b, const char *name, char *buf, size_t len)
{
    if (!len)
        return -ENOSPC;
    buf[0] = 0;
    struct ct_entry *e;
    int rc = entry_ref_defined(b, name, &e);
    if (rc)
        return rc;
    if (!e->c->is_running(e->c)) {
        entry_put(b, e);
        return 0;
    }
    char **ips = e->c->get_ips(e->c, NULL, NULL, 0);
    size_t used = 0;
    for (size_t i = 0; ips && ips[i]; i++) {
        size_t n = strlen(ips[i]);
        if (!rc && used + n + 2 <= len) {
            memcpy(buf + used, ips[i], n);
            used += n;
            buf[used++] = '\n';
            buf[used] = 0;
        } else {
            rc = -ENOSPC;
        }
        free(ips[i]);
    }
    free(ips);
    entry_put(b, e);
    return rc;
}

/* ---------- devices ---------- */

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
        return fail(why, whylen, -EINVAL, "not a /dev path: %s", path ? path : "");
    struct stat st;
    if (add && stat(path, &st))
        return fail(why, whylen, -errno, "%s: %s on this host", path, strerror(errno));
    if (add && !S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
        return fail(why, whylen, -EINVAL, "%s is not a device node", path);
    struct ct_entry *e;
    int rc = entry_lock(b, name, 0, &e, why, whylen);
    if (rc)
        return rc;
    struct lxc_container *c = e->c;
    char mount[PATH_MAX + 64];
    snprintf(mount, sizeof mount, "%s %s " MOUNT_OPTS, path, path + 1);
    const char *allow_key = b->mounts.version == CG_V2 ? "lxc.cgroup2.devices.allow"
                                                       : "lxc.cgroup.devices.allow";
    /* the rule: from the node when it exists, else from the config entry */
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
            return fail(why, whylen, -EIO, "liblxc could not add %s to running %s", path, name);
        }
        rc = rewrite_list(c, "lxc.mount.entry", NULL, mount);
        if (!rc)
            rc = rewrite_list(c, allow_key, NULL, rule);
    } else {
        if (running && !c->remove_device_node(c, path, NULL))
            note(b, name, "devices", "%s removed from the config; still in the running "
                 "container until it restarts", path);
        rc = rewrite_list(c, "lxc.mount.entry", mount, NULL);
        if (!rc && rule[0])
            rc = rewrite_list(c, allow_key, rule, NULL);
    }
    if (!rc && !c->save_config(c, NULL))
        rc = -EIO;
    if (rc)
        fail(why, whylen, rc, "%s: cannot update its config for %s", name, path);
    entry_unlock(b, e);
    return rc;
}

/* ---------- rename ---------- */

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

static int path_join(char *out, const char *dir, const char *file)
{
    return snprintf(out, PATH_MAX, "%s/%s", dir, file) >= PATH_MAX ? -ENAMETOOLONG : 0;
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
    if (local_path(b, name, dir))
        return 0;
    static const char *const users[] = { "snaps", "lxc_snapshots" };
    for (size_t i = 0; i < sizeof users / sizeof users[0]; i++)
        if (path_join(path, dir, users[i]) || access(path, F_OK) == 0)
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
        return fail(why, whylen, -ENOMEM, "liblxc could not make a handle for %s", to);
    char want[PATH_MAX], rootfs[PATH_MAX] = "";
    char *cfg = NULL;
    int rc = snprintf(want, sizeof want, "%s/%s/config", b->lxcpath, to) >= (int)sizeof want;
    if (rc || !c->is_defined(c) || !(cfg = c->config_file_name(c)) || strcmp(cfg, want))
        rc = fail(why, whylen, -EIO, "liblxc does not find %s at %s after the rename", to, want);
    else if (c->get_config_item(c, "lxc.rootfs.path", rootfs, sizeof rootfs) > 0 &&
             access(rootfs + (strncmp(rootfs, "dir:", 4) ? 0 : 4), F_OK))
        rc = fail(why, whylen, -EIO, "renamed %s names a rootfs that is not there: %s", to, rootfs);
    free(cfg);
    lxc_container_put(c);
    return rc;
}

/* Under both entries' op locks, the container stopped. Each step is undone
 * if a later one fails: then `from` is as it was and startable. */
static int rename_in_place(struct lxcb *b, const char *from, const char *to,
                           char *why, size_t whylen)
{
    int shared = is_shared(b, from);
    struct rename_paths p = { .from = from, .to = to, .ndirs = shared ? 2 : 1 };
    char cfg_from[PATH_MAX], tmp_from[PATH_MAX], cfg_to[PATH_MAX], tmp_to[PATH_MAX];
    char parent[PATH_MAX];
    if (local_path(b, from, p.old_dir[0]) || local_path(b, to, p.new_dir[0]) ||
        (shared && (shared_path(b, from, p.old_dir[1]) || shared_path(b, to, p.new_dir[1]))))
        return fail(why, whylen, -ENAMETOOLONG, "path too long");
    /* the directory renamed: in the shared dir when the local one links there */
    const char *dir_from = p.old_dir[shared], *dir_to = p.new_dir[shared];
    if (realpath(shared ? b->shared_dir : b->lxcpath, parent) &&
        !path_join(p.old_dir[p.ndirs], parent, from) && !path_join(p.new_dir[p.ndirs], parent, to) &&
        strcmp(p.old_dir[p.ndirs], dir_from))
        p.ndirs++;
    if (path_join(cfg_from, dir_from, "config") || path_join(tmp_from, dir_from, RENAME_TMP) ||
        path_join(cfg_to, dir_to, "config") || path_join(tmp_to, dir_to, RENAME_TMP))
        return fail(why, whylen, -ENAMETOOLONG, "path too long");

    char *old_text = NULL, *new_text = NULL;
    mode_t mode = 0640;
    int rc = read_config_text(cfg_from, &old_text, &mode);
    if (rc)
        return fail(why, whylen, rc, "cannot read %s: %s", cfg_from, strerror(-rc));
    if (!(new_text = config_renamed(old_text, &p))) {
        rc = fail(why, whylen, -ENOMEM, "out of memory");
        goto out;
    }
    int step = 0;
    /* 1: the new config beside the old one (a full disk fails here, harmlessly) */
    if ((rc = write_synced(tmp_from, new_text, mode))) {
        fail(why, whylen, rc, "cannot write %s: %s", tmp_from, strerror(-rc));
        goto out;
    }
    step = 1;
    /* 2: the directory */
    if ((rc = rename_noreplace(dir_from, dir_to))) {
        fail(why, whylen, rc, "cannot rename %s to %s: %s", dir_from, dir_to, strerror(-rc));
        goto undo;
    }
    step = 2;
    /* 3: the config */
    if (rename(tmp_to, cfg_to)) {
        rc = fail(why, whylen, -errno, "cannot put %s in place: %s", cfg_to, strerror(errno));
        goto undo;
    }
    step = 3;
    /* 4, 5: this node's link to the shared dir */
    if (shared) {
        if ((rc = link_shared(b, to, why, whylen)))
            goto undo;
        step = 4;
        if (unlink(p.old_dir[0])) {
            rc = fail(why, whylen, -errno, "cannot unlink %s: %s", p.old_dir[0], strerror(errno));
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
        note(b, from, "error", "rename to %s failed and was not fully undone: check %s and %s",
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
    int shared = is_shared(b, from);
    struct lxc_container *c = shared ? lxc_container_new(from, b->shared_dir) : ef->c;
    int ok = c && c->rename(c, to);
    if (shared && c)
        lxc_container_put(c);
    if (!ok)
        return fail(why, whylen, -EIO, "liblxc rename of %s to %s failed", from, to);
    if (shared) {
        char oldlink[PATH_MAX];
        if (!local_path(b, from, oldlink))
            unlink(oldlink);
        int rc = link_shared(b, to, why, whylen);
        if (rc)
            return rc;
    }
    if (had_sidecar && sidecar_write(b, to, lim))
        note(b, to, "error", "renamed from %s but its " SIDECAR " was not copied", from);
    return 0;
}

/* 1 when something already has the name `to` on disk (a container or not,
 * here or in the shared dir): a rename must not replace it. */
static int rename_target_taken(struct lxcb *b, const char *to, char *path)
{
    struct stat st;
    if (!local_path(b, to, path) && lstat(path, &st) == 0)
        return 1;
    return b->shared_dir[0] && !shared_path(b, to, path) && lstat(path, &st) == 0;
}

int lxcb_rename(struct lxcb *b, const char *from, const char *to, char *why, size_t whylen)
{
    if (!name_ok(to))
        return fail(why, whylen, -EINVAL, "bad container name \"%s\"", to ? to : "");
    if (from && !strcmp(from, to))
        return lxcb_exists(b, from) ? 0 : fail(why, whylen, -ENOENT, "no container %s", from);
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
        rc = fail(why, whylen, -EEXIST, "container %s exists", to);
        goto out;
    }
    if (rename_target_taken(b, to, path)) {
        rc = fail(why, whylen, -EEXIST, "%s exists", path);
        goto out;
    }
    struct lxcb_limits lim;
    int had_sidecar = !sidecar_path(b, from, "", path) && access(path, F_OK) == 0;
    limits_load(b, ef, &lim);
    int was_running = state_of(ef->c) != LXCB_STOPPED;
    rc = stop_locked(b, ef, why, whylen);
    if (!rc)
        rc = config_sync_locked(b, ef, why, whylen);
    if (rc)
        goto out;
    if (rename_in_place_ok(b, ef->c, from))
        rc = rename_in_place(b, from, to, why, whylen);
    else
        rc = rename_by_liblxc(b, ef, to, &lim, had_sidecar, why, whylen);
    if (rc) {
        if (was_running && start_locked(b, ef, NULL, 0))
            note(b, from, "error", "rename to %s failed and it did not start again", to);
        goto out;
    }
    entry_retire(b, ef);
    entry_retire(b, et);   /* its handle predates the container */
    if (was_running) {
        /* a fresh entry for the new name, locked while we hold the others */
        struct ct_entry *en;
        rc = entry_lock(b, to, 0, &en, why, whylen);
        if (!rc) {
            rc = start_locked(b, en, why, whylen);
            entry_unlock(b, en);
        }
    }
out:
    entry_unlock(b, ef);
    entry_unlock(b, et);
    return rc;
}

/* ---------- hand-over between nodes (shared storage) ---------- */

int lxcb_release(struct lxcb *b, const char *name, char *why, size_t whylen)
{
    struct ct_entry *e;
    int rc = entry_lock(b, name, 0, &e, why, whylen);
    if (rc)
        return rc;
    char link[PATH_MAX];
    if (!is_shared(b, name))
        rc = fail(why, whylen, -EXDEV, "%s is not on the shared storage (--shared-dir)", name);
    else if (state_of(e->c) != LXCB_STOPPED)
        rc = fail(why, whylen, -EBUSY, "%s is not stopped", name);
    if (!rc)
        rc = config_sync_locked(b, e, why, whylen);
    if (!rc && !local_path(b, name, link) && unlink(link))
        rc = fail(why, whylen, -errno, "cannot unlink %s: %s", link, strerror(errno));
    if (!rc)
        entry_retire(b, e);
    entry_unlock(b, e);
    return rc;
}

int lxcb_adopt(struct lxcb *b, const char *name, char *why, size_t whylen)
{
    char spath[PATH_MAX], config[PATH_MAX + 8], link[PATH_MAX];
    if (!name_ok(name))
        return fail(why, whylen, -EINVAL, "bad container name \"%s\"", name);
    if (!b->shared_dir[0])
        return fail(why, whylen, -EXDEV, "this node has no shared dir (--shared-dir)");
    if (shared_path(b, name, spath) || local_path(b, name, link))
        return fail(why, whylen, -ENAMETOOLONG, "path too long");
    snprintf(config, sizeof config, "%s/config", spath);
    if (access(config, R_OK))
        return fail(why, whylen, -EXDEV, "cannot see %s on this node: %s", config, strerror(errno));
    if (is_shared(b, name))
        return 0;
    struct stat st;
    if (lstat(link, &st) == 0)
        return fail(why, whylen, -EEXIST, "%s exists on this node", link);
    return link_shared(b, name, why, whylen);
}
