/* timeloop: medians for the write benchmarks. "write FILE N V1 V2" times N
 * rounds of open + write + close alternating two values; "exec N CMD..."
 * times N runs of a command. Prints "median_us X p90_us Y". */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int write_value(const char *path, const char *v)
{
    int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t n = write(fd, v, strlen(v));
    int err = n < 0 ? -errno : 0;
    close(fd);
    return err;
}

static int run_command(char **argv)
{
    pid_t pid = fork();
    if (pid < 0)
        return -errno;
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, 1);
        execvp(argv[0], argv);
        _exit(127);
    }
    int st;
    if (waitpid(pid, &st, 0) < 0)
        return -errno;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -ECHILD;
}

int main(int argc, char **argv)
{
    int is_write = argc >= 6 && !strcmp(argv[1], "write");
    int is_exec = argc >= 4 && !strcmp(argv[1], "exec");
    if (!is_write && !is_exec) {
        fprintf(stderr, "usage: timeloop write FILE N V1 V2 | timeloop exec N CMD [ARGS...]\n");
        return 2;
    }
    long n = atol(is_write ? argv[3] : argv[2]);
    if (n < 1 || n > 1000000) {
        fprintf(stderr, "timeloop: N must be 1..1000000\n");
        return 2;
    }
    double *t = malloc(n * sizeof *t);
    if (!t)
        return 1;
    for (long i = 0; i < n; i++) {
        double t0 = now_us();
        int r = is_write ? write_value(argv[2], argv[4 + (i & 1)]) : run_command(argv + 3);
        t[i] = now_us() - t0;
        if (r) {
            fprintf(stderr, "timeloop: round %ld failed: %s\n", i, strerror(-r));
            free(t);
            return 1;
        }
    }
    qsort(t, n, sizeof *t, cmp_double);
    printf("median_us %.2f p90_us %.2f\n", t[n / 2], t[(n * 9) / 10]);
    free(t);
    return 0;
}
