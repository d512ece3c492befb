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

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s FILE N\n", argv[0]);
        return 2;
    }
    char *end;
    long n = strtol(argv[2], &end, 10);
    if (*end || n < 1 || n > 10000000) {
        fprintf(stderr, "readloop: N must be 1..10000000\n");
        return 2;
    }
    size_t buf_len = 64 * 1024;
    double *us = malloc((size_t)n * sizeof *us);
    char *buf = malloc(buf_len);
    if (!us || !buf) {
        free(us);
        free(buf);
        return 1;
    }
    for (int i = 0; i < 20; i++) {   /* warm the caches first */
        long rc = read_whole(argv[1], buf, buf_len);
        if (rc < 0) {
            fprintf(stderr, "readloop: %s: %s\n", argv[1], strerror((int)-rc));
            free(us);
            free(buf);
            return 1;
        }
    }
    for (long i = 0; i < n; i++) {
        double t0 = now_us();
        long rc = read_whole(argv[1], buf, buf_len);
        us[i] = now_us() - t0;
        if (rc < 0) {
            fprintf(stderr, "readloop: %s: %s\n", argv[1], strerror((int)-rc));
            free(us);
            free(buf);
            return 1;
        }
    }
    qsort(us, (size_t)n, sizeof *us, compare_doubles);
    printf("median_us %.2f p90_us %.2f\n", us[n / 2], us[(n * 9) / 10 < n ? (n * 9) / 10 : n - 1]);
    free(us);
    free(buf);
    return 0;
}
