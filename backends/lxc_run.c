/* Running containers: start (liblxc's lxc-start in a fresh process, a
 * missing bridge left out), graceful stop, restart, freeze and unfreeze. */
#include "backends/lxc_internal.h"
#include "core/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define START_LOG "fogfs-start.log"
#define START_HELPER_TIMEOUT_MS 20000
#define RUNNING_WAIT_MS 5000

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

static int wait_state(struct lxc_container *c, enum lxcb_state want, int ms)
{
    double end = now_ms() + ms;
    for (;;) {
        if (lxcb_state_of(c) == want)
            return 0;
        if (now_ms() >= end)
            return -ETIMEDOUT;
        sleep_ms(10);
    }
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

int lxcb_start_locked(struct lxcb *b, struct ct_entry *e, char *why, size_t whylen)
{
    struct lxc_container *c = e->c;
    enum lxcb_state st = lxcb_state_of(c);
    if (st == LXCB_RUNNING)
        return 0;
    if (st == LXCB_FROZEN)
        return lxcb_fail(why, whylen, -EBUSY, "container %s is frozen", e->name);
    if (st != LXCB_STOPPED)
        return lxcb_fail(why, whylen, -EBUSY, "container %s is %s", e->name, lxcb_state_name(st));

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
        return lxcb_fail(why, whylen, -ENAMETOOLONG, "lxcpath too long");
    int status = 0;
    cache_forget_cgroup(e);
    rc = run_start_helper(b, e->name, idx >= 0 ? define : NULL, log, &status);
    if (rc == -ETIMEDOUT)
        return lxcb_fail(why, whylen, rc, "lxc-start %s did not return in %d s", e->name,
                         START_HELPER_TIMEOUT_MS / 1000);
    if (rc)
        return lxcb_fail(why, whylen, rc, "cannot run lxc-start: %s", strerror(-rc));
    if (wait_state(c, LXCB_RUNNING, RUNNING_WAIT_MS)) {
        char last[256];
        last_log_line(log, last, sizeof last);
        return lxcb_fail(why, whylen, -EIO,
                         "container %s did not start (lxc-start status %d): %s%s",
                         e->name, WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                         last[0] ? "" : "see ", last[0] ? last : log);
    }
    if (idx >= 0)
        lxcb_note(b, e->name, "start", "no bridge %s on this host: started without network", link);
    return 0;
}

int lxcb_start(struct lxcb *b, const char *name, char *why, size_t whylen)
{
    struct ct_entry *e;
    int rc = entry_lock(b, name, 0, &e, why, whylen);
    if (rc)
        return rc;
    rc = lxcb_start_locked(b, e, why, whylen);
    entry_unlock(b, e);
    return rc;
}

/* ---------- stop / restart / freeze ---------- */

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

int lxcb_stop_locked(struct lxcb *b, struct ct_entry *e, char *why, size_t whylen)
{
    struct lxc_container *c = e->c;
    enum lxcb_state st = lxcb_state_of(c);
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
    if (c->shutdown(c, 0) || lxcb_state_of(c) != LXCB_STOPPED) {
        double now = fog_mono_now(), deadline = now + b->stop_timeout, resend = now + 1;
        int alone = 0, fell = 0;
        while (lxcb_state_of(c) != LXCB_STOPPED && (now = fog_mono_now()) < deadline) {
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
    if (lxcb_state_of(c) != LXCB_STOPPED)
        c->stop(c);
    int rc = wait_state(c, LXCB_STOPPED, RUNNING_WAIT_MS);
    cache_forget_cgroup(e);
    if (rc)
        return lxcb_fail(why, whylen, -ETIMEDOUT, "container %s did not stop", e->name);
    return 0;
}

int lxcb_stop(struct lxcb *b, const char *name, char *why, size_t whylen)
{
    struct ct_entry *e;
    int rc = entry_lock(b, name, 0, &e, why, whylen);
    if (rc)
        return rc;
    rc = lxcb_stop_locked(b, e, why, whylen);
    entry_unlock(b, e);
    return rc;
}

int lxcb_restart(struct lxcb *b, const char *name, char *why, size_t whylen)
{
    struct ct_entry *e;
    int rc = entry_lock(b, name, 0, &e, why, whylen);
    if (rc)
        return rc;
    rc = lxcb_stop_locked(b, e, why, whylen);
    if (!rc)
        rc = lxcb_start_locked(b, e, why, whylen);
    entry_unlock(b, e);
    return rc;
}

/* Freezes (on) or thaws a container; 0 when it is so already. */
static int set_frozen(struct lxcb *b, const char *name, int on, char *why, size_t whylen)
{
    struct ct_entry *e;
    int rc = entry_lock(b, name, 0, &e, why, whylen);
    if (rc)
        return rc;
    enum lxcb_state st = lxcb_state_of(e->c);
    int done = on ? st == LXCB_FROZEN : st == LXCB_RUNNING;
    int can = on ? st == LXCB_RUNNING : st == LXCB_FROZEN || st == LXCB_FREEZING;
    if (!done && !can)
        rc = lxcb_fail(why, whylen, -EINVAL, "container %s is %s, not %s", name,
                       lxcb_state_name(st), on ? "running" : "frozen");
    else if (!done && !(on ? e->c->freeze(e->c) : e->c->unfreeze(e->c)))
        rc = lxcb_fail(why, whylen, -EIO, "liblxc could not %s %s", on ? "freeze" : "unfreeze",
                       name);
    entry_unlock(b, e);
    return rc;
}

int lxcb_freeze(struct lxcb *b, const char *name, char *why, size_t whylen)
{
    return set_frozen(b, name, 1, why, whylen);
}

int lxcb_unfreeze(struct lxcb *b, const char *name, char *why, size_t whylen)
{
    return set_frozen(b, name, 0, why, whylen);
}
