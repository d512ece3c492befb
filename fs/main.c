/* fogfs: mounts the cluster as a filesystem. Parses options, sets up the
 * daemon context, starts the node agent and serves the tree until unmounted. */
#include "core/agent.h"
#include "core/cluster.h"
#include "core/migrate.h"
#include "core/publish.h"
#include "core/remote.h"
#include "core/autoscale.h"
#include "core/ctx.h"
#include "core/tree.h"
#include "core/units.h"
#include "fs/server.h"
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FOGFS_VERSION "0.1.0"

static void usage(FILE *f)
{
    fprintf(f,
        "usage: fogfs MOUNTPOINT [options]\n"
        "Mounts this node (and its cluster) as a filesystem: metrics, LXC containers,\n"
        "limits. See fogfs(8) and the README file at the top of the mount.\n"
        "\n"
        "  -f, --foreground        stay in the foreground; events also on stderr\n"
        "  -d, --debug             print FUSE requests (implies -f)\n"
        "  -o OPT[,OPT...]         mount options, e.g. allow_other\n"
        "      --node NAME         this node's name (default: hostname)\n"
        "      --lxcpath DIR       where containers live (default: liblxc's lxc.lxcpath)\n"
        "      --lxc-config FILE   base LXC config for new containers\n"
        "                          (default: liblxc's, e.g. /etc/lxc/default.conf)\n"
        "      --template NAME     template for mkdir (default: busybox)\n"
        "      --template-arg ARG  an argument for the template (repeatable)\n"
        "      --procfs DIR        where /proc is (default /proc)\n"
        "      --sysfs DIR         where /sys is (default /sys)\n"
        "      --interval SECONDS  sampling interval (default 1)\n"
        "      --cpus N            CPU capacity in cores (default: online CPUs)\n"
        "      --mem BYTES         memory capacity, e.g. 2G (default: MemTotal)\n"
        "      --stop-timeout S    graceful stop before a kill (default 10)\n"
        "      --store URL         local (default) or etcd://HOST:PORT[,HOST:PORT...]\n"
        "      --state FILE        where the local store keeps settings across restarts\n"
        "                          (default as root: " FOG_STATE_FILE_DEFAULT ";\n"
        "                          otherwise none); \"none\": keep nothing\n"
        "      --lease-ttl S       seconds before a silent node reads down (default 5)\n"
        "      --shared-dir DIR    container root filesystems every node sees (migration)\n"
        "      --write-timeout S   how long a write to another node waits (default 5)\n"
        "  -h, --help              this text\n"
        "  -V, --version           the version\n"
        "\n"
        "Unmount with: fusermount3 -u MOUNTPOINT (or send SIGTERM).\n");
}

enum { O_NODE = 256, O_LXCPATH, O_LXCCONF, O_TEMPLATE, O_TARG, O_PROCFS, O_SYSFS,
       O_INTERVAL, O_CPUS, O_MEM, O_STOPTO, O_STORE, O_LEASE, O_SHARED, O_WTIMEOUT,
       O_STATE };

/* A relative path becomes absolute: the daemon runs from / (daemon_ready).
 * The copy lives as long as the process. -1 with errno set on failure. */
static int make_absolute(const char **path)
{
    char cwd[PATH_MAX], *abs;
    if (!*path || (*path)[0] == '/' || !strcmp(*path, "none"))
        return 0;
    if (!getcwd(cwd, sizeof cwd) || asprintf(&abs, "%s/%s", cwd, *path) < 0)
        return -1;
    *path = abs;
    return 0;
}

static int parse_args(int argc, char **argv, struct fog_opts *o)
{
    static const struct option longopts[] = {
        { "foreground", no_argument, NULL, 'f' },
        { "debug", no_argument, NULL, 'd' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { "node", required_argument, NULL, O_NODE },
        { "lxcpath", required_argument, NULL, O_LXCPATH },
        { "lxc-config", required_argument, NULL, O_LXCCONF },
        { "template", required_argument, NULL, O_TEMPLATE },
        { "template-arg", required_argument, NULL, O_TARG },
        { "procfs", required_argument, NULL, O_PROCFS },
        { "sysfs", required_argument, NULL, O_SYSFS },
        { "interval", required_argument, NULL, O_INTERVAL },
        { "cpus", required_argument, NULL, O_CPUS },
        { "mem", required_argument, NULL, O_MEM },
        { "stop-timeout", required_argument, NULL, O_STOPTO },
        { "store", required_argument, NULL, O_STORE },
        { "lease-ttl", required_argument, NULL, O_LEASE },
        { "shared-dir", required_argument, NULL, O_SHARED },
        { "write-timeout", required_argument, NULL, O_WTIMEOUT },
        { "state", required_argument, NULL, O_STATE },
        { 0 },
    };
    int c, nt = 0;
    int64_t v;
    while ((c = getopt_long(argc, argv, "fdo:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': o->foreground = 1; break;
        case 'd': o->debug = o->foreground = 1; break;
        case 'o':
            if (strlen(o->fuse_opts) + strlen(optarg) + 2 > sizeof o->fuse_opts) {
                fprintf(stderr, "fogfs: -o options too long\n");
                return 2;
            }
            if (o->fuse_opts[0])
                strcat(o->fuse_opts, ",");
            strcat(o->fuse_opts, optarg);
            break;
        case 'h': usage(stdout); exit(0);
        case 'V': printf("fogfs %s\n", FOGFS_VERSION); exit(0);
        case O_NODE: o->node = optarg; break;
        case O_LXCPATH: o->lxcpath = optarg; break;
        case O_LXCCONF: o->lxc_config = optarg; break;
        case O_TEMPLATE: o->template_name = optarg; break;
        case O_TARG:
            if (nt >= 15) {
                fprintf(stderr, "fogfs: at most 15 --template-arg\n");
                return 2;
            }
            o->template_args[nt++] = optarg;
            break;
        case O_PROCFS: o->procfs = optarg; break;
        case O_SYSFS: o->sysfs = optarg; break;
        case O_INTERVAL: {
            char *end;
            o->interval = strtod(optarg, &end);
            if (*end || !(o->interval >= 0.05 && o->interval <= 3600)) {
                fprintf(stderr, "fogfs: --interval wants seconds between 0.05 and 3600\n");
                return 2;
            }
            break;
        }
        case O_CPUS:
            if (units_parse_int(optarg, strlen(optarg), 1, 4096, &v)) {
                fprintf(stderr, "fogfs: --cpus wants a whole number of cores, 1 to 4096\n");
                return 2;
            }
            o->cpus = (int)v;
            break;
        case O_MEM:
            if (units_parse_mem(optarg, strlen(optarg), 0, &v) || v <= 0) {
                fprintf(stderr, "fogfs: --mem wants a size such as 2G or 512Mi\n");
                return 2;
            }
            o->mem = v;
            break;
        case O_STOPTO:
            if (units_parse_int(optarg, strlen(optarg), 1, 3600, &v)) {
                fprintf(stderr, "fogfs: --stop-timeout wants seconds, 1 to 3600\n");
                return 2;
            }
            o->stop_timeout = (int)v;
            break;
        case O_STORE: o->store_url = optarg; break;
        case O_STATE: o->state_file = optarg; break;
        case O_LEASE:
            if (units_parse_int(optarg, strlen(optarg), 1, 3600, &v)) {
                fprintf(stderr, "fogfs: --lease-ttl wants seconds, 1 to 3600\n");
                return 2;
            }
            o->lease_ttl = (int)v;
            break;
        case O_SHARED: o->shared_dir = optarg; break;
        case O_WTIMEOUT: {
            char *end;
            o->write_timeout = strtod(optarg, &end);
            if (*end || !(o->write_timeout >= 0.1 && o->write_timeout <= 3600)) {
                fprintf(stderr, "fogfs: --write-timeout wants seconds between 0.1 and 3600\n");
                return 2;
            }
            break;
        }
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc - 1) {
        usage(stderr);
        return 2;
    }
    if (o->state_file && !fog_store_url_is_local(o->store_url)) {
        fprintf(stderr, "fogfs: --state is for the local store; etcd keeps its own\n");
        return 2;
    }
    o->mountpoint = argv[optind];
    const char **paths[] = { &o->mountpoint, &o->lxcpath, &o->lxc_config, &o->procfs,
                             &o->sysfs, &o->shared_dir, &o->state_file };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        if (make_absolute(paths[i])) {
            fprintf(stderr, "fogfs: cannot resolve %s: %s\n", *paths[i], strerror(errno));
            return 2;
        }
    return 0;
}

/* Without -f: the parent waits until the child has mounted (or failed) and
 * exits with its status, so errors reach the terminal. Forking happens before
 * any thread exists (the store, liblxc and the agent start threads). */
static int daemon_fd = -1;

static int daemon_fork(void)
{
    int p[2];
    if (pipe(p))
        return -errno;
    pid_t pid = fork();
    if (pid < 0)
        return -errno;
    if (pid > 0) {
        close(p[1]);
        char status = 1;
        if (read(p[0], &status, 1) != 1)
            status = 1;
        _exit(status);
    }
    close(p[0]);
    daemon_fd = p[1];
    setsid();
    return 0;
}

static void daemon_ready(int status)
{
    if (daemon_fd < 0)
        return;
    char s = (char)status;
    if (write(daemon_fd, &s, 1) != 1)
        status = 1;
    close(daemon_fd);
    daemon_fd = -1;
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        if (null > 2)
            close(null);
    }
    if (chdir("/"))
        status = 1;
}

static void on_mounted(void *arg)
{
    struct fog_ctx *ctx = arg;
    int r = fog_agent_start(ctx);
    if (r)
        fprintf(stderr, "fogfs: cannot start the node agent: %s\n", strerror(-r));
    daemon_ready(0);
}

int main(int argc, char **argv)
{
    static struct fog_ctx ctx;      /* the one daemon context, passed down from here */
    mallopt(M_ARENA_MAX, 2);        /* a few MB resident on a Pi: no arena per thread */
    int r = parse_args(argc, argv, &ctx.o);
    if (r)
        return r;
    if (!ctx.o.foreground && (r = daemon_fork())) {
        fprintf(stderr, "fogfs: cannot fork: %s\n", strerror(-r));
        return 1;
    }
    r = fog_ctx_init(&ctx);
    if (r) {
        fog_ctx_destroy(&ctx);
        return 1;
    }
    fog_autoscale_new(&ctx);        /* ctx.autoscale; stays NULL without memory */
    fog_agent_sample(&ctx);
    if ((r = fog_publish_start(&ctx)) || (r = fog_cluster_start(&ctx)) ||
        (r = fog_remote_start(&ctx)) ||
        (r = fog_migrate_start(&ctx))) {
        fprintf(stderr, "fogfs: cannot join the cluster through %s: %s\n",
                ctx.store->ops->describe(ctx.store), strerror(-r));
        fog_migrate_stop(&ctx);
        fog_remote_stop(&ctx);
        fog_publish_stop(&ctx);
        fog_cluster_stop(&ctx);
        fog_autoscale_free(&ctx);
        fog_ctx_destroy(&ctx);
        return 1;
    }
    fog_event(&ctx, NULL, "node-up", "fogfs %s on %s, store %s", FOGFS_VERSION, ctx.arch,
              ctx.store->ops->describe(ctx.store));
    struct fs_server *srv = NULL;
    r = fs_server_new(fog_tree_root(), &ctx, &srv);
    if (!r) {
        struct fs_server_opts so = {
            .mountpoint = ctx.o.mountpoint,
            .fuse_opts = ctx.o.fuse_opts,
            .foreground = 1,      /* daemon_fork() has done the rest */
            .debug = ctx.o.debug,
        };
        r = fs_server_run(srv, &so, on_mounted, &ctx);
        if (r)
            fprintf(stderr, "fogfs: cannot serve %s: %s\n", ctx.o.mountpoint, strerror(-r));
    }
    fog_agent_stop(&ctx);
    fog_migrate_stop(&ctx);
    fog_remote_stop(&ctx);
    fog_publish_stop(&ctx);
    fog_cluster_stop(&ctx);
    fs_server_free(srv);
    fog_autoscale_free(&ctx);
    fog_ctx_destroy(&ctx);
    return r ? 1 : 0;
}
