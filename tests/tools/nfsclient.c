/* nfsclient: a small libnfs client for the NFS integration test and benchmark.
 * Does what nfs-ls/nfs-cat/nfs-cp cannot: overwrite a file and report the errno
 * by name, read exactly st_size bytes, mkdir/rmdir, reuse a handle, time reads. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-nfs.h>
#include <poll.h>

#define MAX_VALUE   (1 << 20)   /* largest file this tool reads */
#define MAX_DEPTH   16          /* recursion bound of lsr */
#define MAX_ENTRIES 100000      /* entry bound of lsr */

static const char *usage_text =
    "usage: nfsclient [-e EXPORT] [-t SECONDS] COMMAND URL [ARGS]\n"
    "  URL is nfs://SERVER/EXPORT/PATH[?version=4&nfsport=N&mountport=N]\n"
    "  EXPORT defaults to the first component of the URL's path.\n"
    "commands:\n"
    "  stat URL               size=N mtime=S.NS ino=N mode=OOO nlink=N\n"
    "  read URL               read exactly st_size bytes, check EOF follows\n"
    "  cat URL [CHUNK]        read until EOF in CHUNK-byte reads\n"
    "  write URL VALUE [notrunc]  open O_WRONLY|O_TRUNC (or not), write VALUE\\n\n"
    "  mkdir URL | rmdir URL\n"
    "  ls URL                 one line per entry: name ino type\n"
    "  lsr URL                recursive: path type size ino\n"
    "  hold URL               open, read, print READY, wait for a stdin line,\n"
    "                         then use the same handles again (handle reuse)\n"
    "  bench URL N            N x (open+read+close), print median and p90\n"
    "  bench-cached URL N     the same with handles kept (a kernel client with\n"
    "                         actimeo=0): GETATTR per path component, READ\n"
    "  bench-handle URL N     GETATTR + READ of one kept handle\n"
    "  bench-null URL N       one NULL RPC (transport and dispatch alone)\n"
    "                         (the last three: NFSv3 only)\n"
    "  localbench PATH N      open+read+close through the local file system\n"
    "Failures print the errno name (EINVAL, ESTALE...) on stdout, exit 1.\n";

/* libnfs 4.0 exports nfs_get_fh() but keeps this layout in its private header. */
struct libnfs_fh {
	int len;
	char *val;
};

struct client {
	struct nfs_context *nfs;
	int v4;
	char *export;   /* what is mounted, e.g. "/fog" */
	char *rel;      /* path inside the export, e.g. "/node1/metrics/cpu" */
};

static const char *errname(int err)
{
	const char *n = strerrorname_np(err < 0 ? -err : err);
	return n ? n : "EUNKNOWN";
}

/* Prints an errno name on stdout (what tests compare) and the detail on stderr. */
static int report(struct client *c, const char *what, int err)
{
	const char *detail = c && c->nfs ? nfs_get_error(c->nfs) : NULL;

	printf("%s\n", errname(err));
	fprintf(stderr, "nfsclient: %s: %s%s%s\n", what, strerror(-err),
		detail && *detail ? ": " : "", detail && *detail ? detail : "");
	return err;
}

static void on_alarm(int sig)
{
	(void)sig;
	static const char msg[] = "ETIMEDOUT\nnfsclient: timed out\n";
	if (write(1, msg, sizeof msg - 1) < 0) { /* nothing more to do */ }
	_exit(1);
}

/* Splits URL into export and relative path, creates the context and mounts. */
static int client_open(struct client *c, const char *url, const char *export)
{
	struct nfs_url *u;
	const char *p, *slash;
	int r;

	memset(c, 0, sizeof *c);
	c->nfs = nfs_init_context();
	if (!c->nfs)
		return -ENOMEM;
	nfs_set_timeout(c->nfs, 10000);
	c->v4 = strstr(url, "version=4") != NULL;
	nfs_set_dircache(c->nfs, 0);
	u = nfs_parse_url_dir(c->nfs, url);
	if (!u) {
		fprintf(stderr, "nfsclient: bad url %s: %s\n", url, nfs_get_error(c->nfs));
		return -EINVAL;
	}
	p = u->path && *u->path ? u->path : "/";
	if (export) {
		size_t n = strlen(export);
		while (n > 1 && export[n - 1] == '/')
			n--;
		if (strncmp(p, export, n) || (p[n] && p[n] != '/')) {
			fprintf(stderr, "nfsclient: %s is not under export %s\n", p, export);
			nfs_destroy_url(u);
			return -EINVAL;
		}
		c->export = strndup(export, n);
		c->rel = strdup(p[n] ? p + n : "/");
	} else {
		slash = strchr(p + 1, '/');
		c->export = slash ? strndup(p, slash - p) : strdup(p);
		c->rel = strdup(slash ? slash : "/");
	}
	if (!c->export || !c->rel) {
		nfs_destroy_url(u);
		return -ENOMEM;
	}
	r = nfs_mount(c->nfs, u->server, c->export);
	nfs_destroy_url(u);
	return r;
}

static void client_close(struct client *c)
{
	if (c->nfs)
		nfs_destroy_context(c->nfs);
	free(c->export);
	free(c->rel);
}

static char *parent_of(const char *path)
{
	char *d = strdup(path);
	char *s = d ? strrchr(d, '/') : NULL;
	if (s && s != d)
		*s = '\0';
	else if (s)
		s[1] = '\0';
	return d;
}

static void print_stat(const char *tag, const struct nfs_stat_64 *st)
{
	printf("%ssize=%" PRIu64 " mtime=%" PRIu64 ".%09" PRIu64 " ino=%" PRIu64
	       " mode=%03" PRIo64 " nlink=%" PRIu64 "\n", tag,
	       st->nfs_size, st->nfs_mtime, st->nfs_mtime_nsec, st->nfs_ino,
	       st->nfs_mode & 07777, st->nfs_nlink);
}

static int cmd_stat(struct client *c)
{
	struct nfs_stat_64 st;
	int r = nfs_stat64(c->nfs, c->rel, &st);
	if (r < 0)
		return report(c, "stat", r);
	print_stat("", &st);
	return 0;
}

/* Reads exactly `want` bytes from offset 0 into buf, then checks EOF. */
static int read_exact(struct client *c, struct nfsfh *fh, char *buf, uint64_t want)
{
	uint64_t got = 0;
	char extra[64];
	int n;

	while (got < want) {
		n = nfs_pread(c->nfs, fh, got, want - got, buf + got);
		if (n < 0)
			return report(c, "read", n);
		if (n == 0) {
			printf("EPIPE\n");
			fprintf(stderr, "nfsclient: short read: %" PRIu64 " of st_size %" PRIu64 "\n",
				got, want);
			return -EPIPE;
		}
		got += n;
	}
	n = nfs_pread(c->nfs, fh, want, sizeof extra, extra);
	if (n < 0)
		return report(c, "read past st_size", n);
	if (n > 0) {
		printf("EFBIG\n");
		fprintf(stderr, "nfsclient: %d bytes beyond st_size %" PRIu64 "\n", n, want);
		return -EFBIG;
	}
	return 0;
}

static int cmd_read(struct client *c)
{
	struct nfs_stat_64 st;
	struct nfsfh *fh;
	char *buf;
	int r;

	r = nfs_stat64(c->nfs, c->rel, &st);
	if (r < 0)
		return report(c, "stat", r);
	if (st.nfs_size > MAX_VALUE)
		return report(c, "file too large", -EFBIG);
	r = nfs_open(c->nfs, c->rel, O_RDONLY, &fh);
	if (r < 0)
		return report(c, "open", r);
	buf = malloc(st.nfs_size + 1);
	r = buf ? read_exact(c, fh, buf, st.nfs_size) : -ENOMEM;
	if (r == 0)
		fwrite(buf, 1, st.nfs_size, stdout);
	free(buf);
	nfs_close(c->nfs, fh);
	return r;
}

static int cmd_cat(struct client *c, size_t chunk)
{
	struct nfsfh *fh;
	char *buf;
	uint64_t off = 0;
	int n, r;

	if (chunk == 0 || chunk > MAX_VALUE)
		return report(c, "chunk size", -EINVAL);
	r = nfs_open(c->nfs, c->rel, O_RDONLY, &fh);
	if (r < 0)
		return report(c, "open", r);
	buf = malloc(chunk);
	r = buf ? 0 : -ENOMEM;
	while (r == 0 && off < MAX_VALUE) {
		n = nfs_pread(c->nfs, fh, off, chunk, buf);
		if (n < 0) {
			r = report(c, "read", n);
			break;
		}
		if (n == 0)
			break;
		fwrite(buf, 1, n, stdout);
		off += n;
	}
	free(buf);
	nfs_close(c->nfs, fh);
	return r;
}

struct write3_wait {
	int done;
	int err;
	uint32_t count;
};

static void write3_cb(struct rpc_context *rpc, int status, void *data, void *priv)
{
	struct write3_wait *w = priv;
	WRITE3res *res = data;

	w->done = 1;
	if (status != RPC_STATUS_SUCCESS) {
		w->err = status == RPC_STATUS_TIMEOUT ? -ETIMEDOUT : -EIO;
		fprintf(stderr, "nfsclient: WRITE3 rpc failed: %s\n", rpc_get_error(rpc));
	} else if (res->status != NFS3_OK) {
		w->err = nfsstat3_to_errno(res->status);
		fprintf(stderr, "nfsclient: WRITE3 returned %s\n", nfsstat3_to_str(res->status));
	} else {
		w->count = res->WRITE3res_u.resok.count;
	}
}

/* NFSv3 WRITE sent raw: libnfs 4.0's nfs_pwrite() turns every NFS3ERR_* of a
 * WRITE into EFAULT, and the errno is what the test is after. */
static int write3_raw(struct client *c, struct nfsfh *fh, const char *buf, size_t len)
{
	struct libnfs_fh *f = (struct libnfs_fh *)nfs_get_fh(fh);
	struct write3_wait w = { 0 };
	WRITE3args a;

	memset(&a, 0, sizeof a);
	a.file.data.data_len = f->len;
	a.file.data.data_val = f->val;
	a.offset = 0;
	a.count = len;
	a.stable = FILE_SYNC;
	a.data.data_len = len;
	a.data.data_val = (char *)buf;
	if (rpc_nfs3_write_async(nfs_get_rpc_context(c->nfs), write3_cb, &a, &w) != 0)
		return -ENOMEM;
	while (!w.done) {
		struct pollfd p = { .fd = nfs_get_fd(c->nfs), .events = nfs_which_events(c->nfs) };
		if (poll(&p, 1, 100) < 0 && errno != EINTR)
			return -errno;
		if (nfs_service(c->nfs, p.revents) < 0)
			return -EIO;
	}
	return w.err ? w.err : (int)w.count;
}

static int cmd_write(struct client *c, const char *value, int trunc)
{
	struct nfsfh *fh;
	size_t len = strlen(value);
	char *line = malloc(len + 2);
	int r, w;

	if (!line)
		return report(c, "malloc", -ENOMEM);
	memcpy(line, value, len);
	line[len++] = '\n';
	r = nfs_open(c->nfs, c->rel, O_WRONLY | (trunc ? O_TRUNC : 0), &fh);
	if (r < 0) {
		free(line);
		return report(c, "open", r);
	}
	w = c->v4 ? nfs_pwrite(c->nfs, fh, 0, len, line) : write3_raw(c, fh, line, len);
	free(line);
	r = nfs_close(c->nfs, fh);
	if (w < 0)
		return report(c, "write", w);
	if ((size_t)w != len)
		return report(c, "short write", -EIO);
	if (r < 0)
		return report(c, "close", r);
	printf("OK\n");
	return 0;
}

static int cmd_mkdir(struct client *c, int make)
{
	int r = make ? nfs_mkdir(c->nfs, c->rel) : nfs_rmdir(c->nfs, c->rel);
	if (r < 0)
		return report(c, make ? "mkdir" : "rmdir", r);
	printf("OK\n");
	return 0;
}

static const char *type_name(uint32_t mode)
{
	if (S_ISDIR(mode))
		return "dir";
	if (S_ISREG(mode))
		return "file";
	if (S_ISLNK(mode))
		return "link";
	return "other";
}

static int cmd_ls(struct client *c)
{
	struct nfsdir *d;
	struct nfsdirent *e;
	int r = nfs_opendir(c->nfs, c->rel, &d);

	if (r < 0)
		return report(c, "opendir", r);
	while ((e = nfs_readdir(c->nfs, d)) != NULL) {
		if (!strcmp(e->name, ".") || !strcmp(e->name, ".."))
			continue;
		printf("%s %" PRIu64 " %s\n", e->name, e->inode, type_name(e->mode));
	}
	nfs_closedir(c->nfs, d);
	return 0;
}

static int list_tree(struct client *c, const char *dir, int depth, long *count)
{
	struct nfsdir *d;
	struct nfsdirent *e;
	int r;

	if (depth > MAX_DEPTH)
		return report(c, dir, -ELOOP);
	r = nfs_opendir(c->nfs, dir, &d);
	if (r < 0)
		return report(c, dir, r);
	while (r == 0 && (e = nfs_readdir(c->nfs, d)) != NULL) {
		char *path, *sub;
		if (!strcmp(e->name, ".") || !strcmp(e->name, ".."))
			continue;
		if (++*count > MAX_ENTRIES) {
			r = report(c, "too many entries", -E2BIG);
			break;
		}
		if (asprintf(&path, "%s/%s", strcmp(dir, "/") ? dir : "", e->name) < 0)
			return report(c, "asprintf", -ENOMEM);
		sub = path + (strcmp(c->rel, "/") ? strlen(c->rel) + 1 : 1);
		printf("%s %s %" PRIu64 " %" PRIu64 "\n", sub, type_name(e->mode), e->size,
		       e->inode);
		if (S_ISDIR(e->mode))
			r = list_tree(c, path, depth + 1, count);
		free(path);
	}
	nfs_closedir(c->nfs, d);
	return r;
}

static int cmd_lsr(struct client *c)
{
	long count = 0;
	return list_tree(c, c->rel, 0, &count);
}

/* Keeps the root handle (in the context), the file's handle and its parent's
 * path; after a stdin line, uses all of them again. */
static int cmd_hold(struct client *c)
{
	struct nfs_stat_64 before, after, again;
	struct nfsfh *fh;
	char buf[4096], line[64];
	int n, r;
	char *parent;
	struct nfsdir *d;

	r = nfs_stat64(c->nfs, c->rel, &before);
	if (r < 0)
		return report(c, "stat", r);
	r = nfs_open(c->nfs, c->rel, O_RDONLY, &fh);
	if (r < 0)
		return report(c, "open", r);
	n = nfs_pread(c->nfs, fh, 0, sizeof buf - 1, buf);
	if (n < 0)
		return report(c, "read", n);
	print_stat("BEFORE ", &before);
	printf("READY\n");
	fflush(stdout);
	if (!fgets(line, sizeof line, stdin))
		return report(c, "stdin closed", -EPIPE);

	r = nfs_fstat64(c->nfs, fh, &after);
	if (r < 0)
		return report(c, "fstat on the old handle", r);
	n = nfs_pread(c->nfs, fh, 0, sizeof buf - 1, buf);
	if (n < 0)
		return report(c, "read on the old handle", n);
	r = nfs_stat64(c->nfs, c->rel, &again);
	if (r < 0)
		return report(c, "lookup from the old root handle", r);
	parent = parent_of(c->rel);
	r = parent ? nfs_opendir(c->nfs, parent, &d) : -ENOMEM;
	free(parent);
	if (r < 0)
		return report(c, "opendir of the parent", r);
	nfs_closedir(c->nfs, d);
	nfs_close(c->nfs, fh);
	print_stat("AFTER ", &after);
	if (after.nfs_ino != before.nfs_ino || again.nfs_ino != before.nfs_ino) {
		printf("ESTALE\n");
		fprintf(stderr, "nfsclient: inode changed: %" PRIu64 " -> %" PRIu64 "/%" PRIu64 "\n",
			before.nfs_ino, after.nfs_ino, again.nfs_ino);
		return -ESTALE;
	}
	printf("OK read=%d\n", n);
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

static int print_times(uint64_t *t, long n)
{
	qsort(t, n, sizeof *t, cmp_u64);
	printf("n=%ld median_us=%.1f p90_us=%.1f min_us=%.1f\n", n, t[n / 2] / 1000.0,
	       t[n * 9 / 10] / 1000.0, t[0] / 1000.0);
	return 0;
}

/* What one timed step of a benchmark does. */
enum bench_kind {
	BENCH_LOCAL,    /* open+read+close through the local file system */
	BENCH_WALK,     /* libnfs open (LOOKUP from the export root, ACCESS) + READ */
	BENCH_CACHED,   /* handles kept, as a kernel client's dentry cache keeps them:
			 * GETATTR of each directory on the path and of the file
			 * (actimeo=0, close-to-open), then READ */
	BENCH_HANDLE,   /* GETATTR + READ of a kept file handle: the least any
			 * close-to-open client sends for open+read+close */
	BENCH_NULL,     /* one NULL RPC: the transport and server dispatch alone */
};

struct bench {
	enum bench_kind kind;
	struct client *c;
	const char *local;
	struct nfsfh *fh[MAX_DEPTH + 1];   /* BENCH_CACHED/HANDLE: root .. file */
	int nfh;
	int null_done;
};

static int bench_keep(struct bench *b, const char *path)
{
	int r;

	if (b->nfh == MAX_DEPTH + 1)
		return report(b->c, "path too deep", -ENAMETOOLONG);
	r = nfs_open(b->c->nfs, path, O_RDONLY, &b->fh[b->nfh]);
	if (r < 0)
		return report(b->c, path, r);
	b->nfh++;
	return 0;
}

/* Keeps handles of the root, of each directory on c->rel and of the file. */
static int bench_keep_handles(struct bench *b)
{
	char *path = b->c->rel;
	size_t len = strlen(path);
	int r = bench_keep(b, "/");

	for (size_t i = 1; r == 0 && len > 1 && i <= len; i++) {
		if (i < len && path[i] != '/')
			continue;
		char c = path[i];
		path[i] = '\0';
		r = bench_keep(b, path);
		path[i] = c;
	}
	return r;
}

static void bench_null_done(struct rpc_context *rpc, int status, void *data, void *arg)
{
	(void)rpc; (void)status; (void)data;
	((struct bench *)arg)->null_done = 1;
}

static int bench_null(struct bench *b)
{
	struct nfs_context *nfs = b->c->nfs;
	uint64_t deadline = now_ns() + 10000000000ull;

	b->null_done = 0;
	if (rpc_nfs3_null_async(nfs_get_rpc_context(nfs), bench_null_done, b))
		return report(b->c, "null", -EIO);
	while (!b->null_done && now_ns() < deadline) {
		struct pollfd p = { .fd = nfs_get_fd(nfs), .events = nfs_which_events(nfs) };
		if (poll(&p, 1, 1000) < 0 && errno != EINTR)
			return report(b->c, "poll", -errno);
		if (nfs_service(nfs, p.revents) < 0)
			return report(b->c, "null", -EIO);
	}
	return b->null_done ? 0 : report(b->c, "null", -ETIMEDOUT);
}

/* One timed step; returns bytes read (> 0) or -errno. */
static int bench_step(struct bench *b, char *buf, size_t len)
{
	struct nfs_stat_64 st;
	struct nfsfh *fh;
	int got, r;

	switch (b->kind) {
	case BENCH_LOCAL: {
		int fd = open(b->local, O_RDONLY);
		if (fd < 0)
			return -errno;
		got = read(fd, buf, len);
		got = got < 0 ? -errno : got;
		close(fd);
		return got;
	}
	case BENCH_WALK:
		r = nfs_open(b->c->nfs, b->c->rel, O_RDONLY, &fh);
		if (r < 0)
			return r;
		got = nfs_pread(b->c->nfs, fh, 0, len, buf);
		nfs_close(b->c->nfs, fh);
		return got;
	case BENCH_CACHED:
	case BENCH_HANDLE:
		for (int i = b->kind == BENCH_HANDLE ? b->nfh - 1 : 0; i < b->nfh; i++)
			if ((r = nfs_fstat64(b->c->nfs, b->fh[i], &st)) < 0)
				return r;
		return nfs_pread(b->c->nfs, b->fh[b->nfh - 1], 0, len, buf);
	case BENCH_NULL:
		return bench_null(b) < 0 ? -EIO : 1;
	}
	return -EINVAL;
}

static int cmd_bench(struct bench *b, long n)
{
	uint64_t *t = calloc(n, sizeof *t);
	char buf[65536];
	int r = 0;

	if (!t)
		return report(b->c, "calloc", -ENOMEM);
	if (b->kind == BENCH_CACHED || b->kind == BENCH_HANDLE || b->kind == BENCH_NULL)
		r = b->c->v4 ? report(b->c, "bench-cached/-handle/-null speak NFSv3 only",
				      -EPROTONOSUPPORT) : 0;
	if (r == 0 && (b->kind == BENCH_CACHED || b->kind == BENCH_HANDLE))
		r = bench_keep_handles(b);
	for (long i = 0; r == 0 && i < n; i++) {
		uint64_t t0 = now_ns();
		int got = bench_step(b, buf, sizeof buf);
		if (got <= 0)
			r = report(b->c, b->local ? b->local : "read", got < 0 ? got : -ENODATA);
		t[i] = now_ns() - t0;
	}
	if (r == 0)
		print_times(t, n);
	for (int i = 0; i < b->nfh; i++)
		nfs_close(b->c->nfs, b->fh[i]);
	free(t);
	return r;
}

static int bench_kind_of(const char *suffix, enum bench_kind *k)
{
	static const struct { const char *name; enum bench_kind kind; } kinds[] = {
		{ "", BENCH_WALK }, { "-cached", BENCH_CACHED },
		{ "-handle", BENCH_HANDLE }, { "-null", BENCH_NULL },
	};
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (!strcmp(suffix, kinds[i].name))
			return *k = kinds[i].kind, 0;
	return -EINVAL;
}

int main(int argc, char **argv)
{
	struct client c = { 0 };
	const char *export = NULL, *cmd, *url;
	int opt, r, timeout = 60;

	while ((opt = getopt(argc, argv, "+e:t:h")) != -1) {
		switch (opt) {
		case 'e': export = optarg; break;
		case 't': timeout = atoi(optarg); break;
		default: fputs(usage_text, opt == 'h' ? stdout : stderr); return opt != 'h' ? 2 : 0;
		}
	}
	if (argc - optind < 2) {
		fputs(usage_text, stderr);
		return 2;
	}
	cmd = argv[optind];
	url = argv[optind + 1];
	signal(SIGALRM, on_alarm);
	alarm(timeout > 0 ? timeout : 60);

	long n = argc - optind > 2 ? atol(argv[optind + 2]) : 1000;
	struct bench b = { .c = &c, .local = url };
	if (n < 1)
		n = 1;
	if (!strcmp(cmd, "localbench")) {
		b.c = NULL;
		return cmd_bench(&b, n) ? 1 : 0;
	}
	r = client_open(&c, url, export);
	if (r < 0) {
		report(&c, "mount", r);
		client_close(&c);
		return 1;
	}
	if (!strcmp(cmd, "stat"))
		r = cmd_stat(&c);
	else if (!strcmp(cmd, "read"))
		r = cmd_read(&c);
	else if (!strcmp(cmd, "cat"))
		r = cmd_cat(&c, argc - optind > 2 ? (size_t)atol(argv[optind + 2]) : 4096);
	else if (!strcmp(cmd, "write") && argc - optind > 2)
		r = cmd_write(&c, argv[optind + 2],
			      !(argc - optind > 3 && !strcmp(argv[optind + 3], "notrunc")));
	else if (!strcmp(cmd, "mkdir") || !strcmp(cmd, "rmdir"))
		r = cmd_mkdir(&c, cmd[0] == 'm');
	else if (!strcmp(cmd, "ls"))
		r = cmd_ls(&c);
	else if (!strcmp(cmd, "lsr"))
		r = cmd_lsr(&c);
	else if (!strcmp(cmd, "hold"))
		r = cmd_hold(&c);
	else if (!strncmp(cmd, "bench", 5) && bench_kind_of(cmd + 5, &b.kind) == 0)
		r = cmd_bench(&b, n);
	else {
		fputs(usage_text, stderr);
		r = -EINVAL;
	}
	fflush(stdout);
	client_close(&c);
	return r < 0 ? 1 : 0;
}
