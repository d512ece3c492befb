/* fakenodes: registers M synthetic nodes with K containers each in a store,
 * following core/cluster.h's key layout (info under a lease kept alive while
 * it runs, sample, container statuses): data only, for the scale benchmark.
 *
 *   fakenodes STORE_URL [M [K]] [--hold SECONDS] [--prefix P] [--ttl S]
 *                               [--samples-every S] [--threads T]
 *   fakenodes STORE_URL --remove [--prefix P]
 *
 * Nodes are named P0001..PM (default P "fake"), containers P0001-c01...
 * Without --hold it holds until SIGINT/SIGTERM; then it revokes the lease
 * (the nodes read down) and leaves the data; --remove deletes every key of
 * nodes named P* (nodes/, specs/, events/). Prints "registered M nodes, M*K
 * containers in S s" once the data is in. Exit status 0, or 1 on an error. */
#include "core/store.h"
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

struct fake_opts {
    const char *url;
    const char *prefix;
    int nodes, containers;
    double hold;             /* < 0: until a signal */
    int ttl;
    double samples_every;    /* 0: publish samples once */
    int threads;
    int remove;
};

struct fake_job {
    struct fog_store *store;
    const struct fake_opts *o;
    int64_t lease;
    int first, step;         /* this thread's nodes: first, first + step, ... */
    int what;                /* FAKE_ALL or FAKE_INFO or FAKE_SAMPLE */
    int err;
};

enum { FAKE_ALL, FAKE_INFO, FAKE_SAMPLE };

static volatile sig_atomic_t fake_stop;

static void fake_on_signal(int sig)
{
    (void)sig;
    fake_stop = 1;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void node_name(const struct fake_opts *o, int i, char *out, size_t len)
{
    snprintf(out, len, "%s%04d", o->prefix, i + 1);
}

static int put_str(struct fog_store *s, const char *key, const char *val, int64_t lease)
{
    return s->ops->put(s, key, val, strlen(val), lease, NULL);
}

static int put_info(struct fake_job *j, const char *node)
{
    static char arch[72];
    if (!arch[0]) {
        struct utsname u;
        snprintf(arch, sizeof arch, "%s", uname(&u) == 0 ? u.machine : "unknown");
    }
    char key[256], val[512];
    snprintf(key, sizeof key, "nodes/%s/info", node);
    /* A shared_dir no real node has: placement never migrates onto these. */
    snprintf(val, sizeof val,
             "{\"arch\":\"%s\",\"cpus\":4,\"cap_cpu_m\":4000,\"cap_mem\":4294967296,"
             "\"state\":\"up\",\"shared_dir\":\"/nonexistent/fakenodes/%s\","
             "\"lxcpath\":\"/nonexistent/fakenodes/%s/lxc\"}",
             arch, node, node);
    return put_str(j->store, key, val, j->lease);
}

static int put_sample(struct fake_job *j, const char *node, int i)
{
    char key[256], val[512];
    snprintf(key, sizeof key, "nodes/%s/sample", node);
    snprintf(val, sizeof val,
             "{\"time\":%.3f,\"interval\":1.0,\"cpu\":%.1f,\"mem\":%.1f,\"net_rx\":%d,"
             "\"net_tx\":%d,\"iops_read\":1.5,\"iops_write\":3.0,\"load\":[0.5,0.4,0.3],"
             "\"uptime\":%d,\"containers\":%d,\"cpus\":4}",
             now_s(), 10.0 + i % 80, 20.0 + i % 70, 1000 + i, 500 + i, 3600 + i,
             j->o->containers);
    return put_str(j->store, key, val, 0);
}

static int put_container(struct fake_job *j, const char *node, int c)
{
    char key[256], val[512];
    snprintf(key, sizeof key, "nodes/%s/containers/%s-c%02d", node, node, c + 1);
    snprintf(val, sizeof val,
             "{\"state\":\"RUNNING\",\"cpu_limit_m\":500,\"cpu_request_m\":100,"
             "\"mem_limit\":268435456,\"cpu_usage_m\":%d,\"mem_usage\":%d,\"pids\":3,"
             "\"ip\":[],\"devices\":[],\"autoscale\":0,\"started_at\":%.3f,\"applied\":0}",
             10 + c, 4000000 + c * 4096, now_s());
    return put_str(j->store, key, val, 0);
}

static void *fake_worker(void *arg)
{
    struct fake_job *j = arg;
    const struct fake_opts *o = j->o;
    char node[64];
    for (int i = j->first; i < o->nodes && !j->err; i += j->step) {
        node_name(o, i, node, sizeof node);
        int r = 0;
        if (j->what == FAKE_ALL || j->what == FAKE_INFO)
            r = put_info(j, node);
        if (!r && (j->what == FAKE_ALL || j->what == FAKE_SAMPLE))
            r = put_sample(j, node, i);
        for (int c = 0; !r && j->what == FAKE_ALL && c < o->containers; c++)
            r = put_container(j, node, c);
        if (r) {
            fprintf(stderr, "fakenodes: writing %s: %s\n", node, strerror(-r));
            j->err = r;
        }
    }
    return NULL;
}

/* Runs the writes of `what` for every node on o->threads threads. */
static int fake_publish(struct fog_store *s, const struct fake_opts *o, int64_t lease, int what)
{
    int n = o->threads;
    struct fake_job jobs[64];
    pthread_t th[64];
    int started = 0, err = 0;
    for (int t = 0; t < n; t++) {
        jobs[t] = (struct fake_job){ .store = s, .o = o, .lease = lease, .first = t, .step = n,
                                     .what = what };
        if (pthread_create(&th[t], NULL, fake_worker, &jobs[t]) != 0) {
            err = -EAGAIN;
            break;
        }
        started++;
    }
    for (int t = 0; t < started; t++) {
        pthread_join(th[t], NULL);
        if (jobs[t].err && !err)
            err = jobs[t].err;
    }
    return err;
}

static int fake_remove(struct fog_store *s, const struct fake_opts *o)
{
    static const char *const tops[] = { "nodes/", "specs/", "events/" };
    size_t removed = 0;
    for (size_t t = 0; t < sizeof tops / sizeof *tops; t++) {
        char prefix[256];
        snprintf(prefix, sizeof prefix, "%s%s", tops[t], o->prefix);
        struct fog_kv *kvs = NULL;
        size_t n = 0;
        int64_t rev = 0;
        int r = s->ops->list(s, prefix, &kvs, &n, &rev);
        if (r) {
            fprintf(stderr, "fakenodes: listing %s: %s\n", prefix, strerror(-r));
            return r;
        }
        for (size_t i = 0; i < n; i++) {
            r = s->ops->del(s, kvs[i].key, -1, NULL);
            if (r && r != -ENOENT) {
                fprintf(stderr, "fakenodes: deleting %s: %s\n", kvs[i].key, strerror(-r));
                fog_kv_free_array(kvs, n);
                return r;
            }
            removed++;
        }
        fog_kv_free_array(kvs, n);
    }
    printf("removed %zu keys of nodes %s*\n", removed, o->prefix);
    return 0;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: fakenodes STORE_URL [M [K]] [--hold SECONDS] [--prefix P] [--ttl S]\n"
            "                 [--samples-every S] [--threads T]\n"
            "       fakenodes STORE_URL --remove [--prefix P]\n"
            "M nodes (default 500) with K containers each (default 20).\n");
    exit(2);
}

static int parse_int(const char *s, int lo, int hi)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        usage();
    return (int)v;
}

static double parse_seconds(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || v < 0 || v > 1e7)
        usage();
    return v;
}

static int valid_prefix(const char *p)
{
    size_t n = strlen(p);
    if (n < 1 || n > 40)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 (i > 0 && (c == '-' || c == '_'));
        if (!ok)
            return 0;
    }
    return 1;
}

int main(int argc, char **argv)
{
    struct fake_opts o = { .prefix = "fake", .nodes = 500, .containers = 20, .hold = -1,
                           .ttl = 10, .threads = 8 };
    int positional = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--hold") && i + 1 < argc) {
            o.hold = parse_seconds(argv[++i]);
        } else if (!strcmp(a, "--prefix") && i + 1 < argc) {
            o.prefix = argv[++i];
        } else if (!strcmp(a, "--ttl") && i + 1 < argc) {
            o.ttl = parse_int(argv[++i], 2, 3600);
        } else if (!strcmp(a, "--samples-every") && i + 1 < argc) {
            o.samples_every = parse_seconds(argv[++i]);
        } else if (!strcmp(a, "--threads") && i + 1 < argc) {
            o.threads = parse_int(argv[++i], 1, 64);
        } else if (!strcmp(a, "--remove")) {
            o.remove = 1;
        } else if (a[0] == '-') {
            usage();
        } else if (positional == 0) {
            o.url = a;
            positional++;
        } else if (positional == 1) {
            o.nodes = parse_int(a, 1, 9999);
            positional++;
        } else if (positional == 2) {
            o.containers = parse_int(a, 0, 99);
            positional++;
        } else {
            usage();
        }
    }
    if (!o.url)
        usage();
    if (!valid_prefix(o.prefix)) {
        fprintf(stderr, "fakenodes: --prefix must be a short node-name prefix\n");
        return 2;
    }
    struct fog_store *s = NULL;
    int r = fog_store_open(o.url, &s);
    if (r) {
        fprintf(stderr, "fakenodes: cannot open %s: %s\n", o.url, strerror(-r));
        return 1;
    }
    if (o.remove) {
        r = fake_remove(s, &o);
        s->ops->close(s);
        return r ? 1 : 0;
    }

    struct sigaction sa = { .sa_handler = fake_on_signal };
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    int64_t lease = 0;
    double t0 = mono_s();
    r = s->ops->lease_grant(s, o.ttl, &lease);
    if (r) {
        fprintf(stderr, "fakenodes: lease: %s\n", strerror(-r));
        s->ops->close(s);
        return 1;
    }
    r = fake_publish(s, &o, lease, FAKE_ALL);
    if (r) {
        s->ops->lease_revoke(s, lease);
        s->ops->close(s);
        return 1;
    }
    printf("registered %d nodes, %d containers in %.2f s (lease %lld, ttl %d s)\n", o.nodes,
           o.nodes * o.containers, mono_s() - t0, (long long)lease, o.ttl);
    fflush(stdout);

    /* Hold: keep the lease alive (a third of its TTL), republish samples if
     * asked; register again if the lease lapsed (the store was unreachable). */
    double end = o.hold >= 0 ? mono_s() + o.hold : 0;
    double next_keep = mono_s() + o.ttl / 3.0;
    double next_sample = o.samples_every > 0 ? mono_s() + o.samples_every : 0;
    int status = 0;
    while (!fake_stop && (o.hold < 0 || mono_s() < end)) {
        usleep(50000);
        double now = mono_s();
        if (now >= next_keep) {
            next_keep = now + o.ttl / 3.0;
            r = s->ops->lease_keepalive(s, lease);
            if (r == -ENOENT) {
                fprintf(stderr, "fakenodes: the lease lapsed; registering again\n");
                if (s->ops->lease_grant(s, o.ttl, &lease) == 0)
                    fake_publish(s, &o, lease, FAKE_INFO);
            } else if (r) {
                fprintf(stderr, "fakenodes: keepalive: %s\n", strerror(-r));
            }
        }
        if (next_sample && now >= next_sample) {
            next_sample = now + o.samples_every;
            if (fake_publish(s, &o, lease, FAKE_SAMPLE))
                status = 1;
        }
    }
    r = s->ops->lease_revoke(s, lease);
    if (r && r != -ENOENT)
        fprintf(stderr, "fakenodes: revoking the lease: %s\n", strerror(-r));
    s->ops->close(s);
    return status;
}
