/* readloop: times N rounds of open + read to EOF + close of one file and
 * prints the median and 90th percentile in microseconds, for the read
 * benchmarks (scripts/bench-read.sh). Usage: readloop FILE N */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* One open + read until EOF + close; returns bytes read or -errno. */
static long read_whole(const char *path, char *buf, size_t len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    long total = 0;
    for (;;) {
        ssize_t n = read(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int err = errno;
            close(fd);
            return -err;
        }
        if (n == 0)
            break;
        total += n;
    }
    close(fd);
    return total;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Times n rounds over nfiles files, one read of each file per round, so a
 * change in the machine's load hits every file alike; prints one line per
 * file ("median_us X p90_us Y", prefixed by the file when there are several). */
static int measure(char **files, int nfiles, long n)
{
    size_t buf_len = 64 * 1024;
    double *us = malloc((size_t)n * nfiles * sizeof *us);
    char *buf = malloc(buf_len);
    int rc = 0;
    if (!us || !buf) {
        rc = 1;
        goto out;
    }
    for (long i = -20; i < n && !rc; i++) {      /* 20 rounds warm the caches */
        for (int f = 0; f < nfiles; f++) {
            double t0 = now_us();
            long got = read_whole(files[f], buf, buf_len);
            if (got < 0) {
                fprintf(stderr, "readloop: %s: %s\n", files[f], strerror((int)-got));
                rc = 1;
                break;
            }
            if (i >= 0)
                us[f * n + i] = now_us() - t0;
        }
    }
    for (int f = 0; f < nfiles && !rc; f++) {
        double *t = us + f * n;
        qsort(t, (size_t)n, sizeof *t, compare_doubles);
        if (nfiles > 1)
            printf("%s ", files[f]);
        printf("median_us %.2f p90_us %.2f\n", t[n / 2], t[(n * 9) / 10 < n ? (n * 9) / 10 : n - 1]);
    }
out:
    free(us);
    free(buf);
    return rc;
}

int main(int argc, char **argv)
{
    /* readloop FILE N, or readloop -n N FILE... (interleaved) */
    int multi = argc >= 4 && !strcmp(argv[1], "-n");
    if (!multi && argc != 3) {
        fprintf(stderr, "usage: %s FILE N | %s -n N FILE...\n", argv[0], argv[0]);
        return 2;
    }
    char *end;
    long n = strtol(multi ? argv[2] : argv[2], &end, 10);
    if (*end || n < 1 || n > 10000000) {
        fprintf(stderr, "readloop: N must be 1..10000000\n");
        return 2;
    }
    return multi ? measure(argv + 3, argc - 3, n) : measure(argv + 1, 1, n);
}
