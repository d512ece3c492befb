/* libFuzzer target for the /proc and /sys parsers of backends/procfs.c: each
 * input, NUL-terminated, goes through every parser; a success must give
 * values that hold together (busy <= total, available <= total, ...). */
#include "backends/procfs.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = 0;

    uint64_t a, b;
    double d, load[3];
    int n;
    if (procfs_parse_stat(text, &a, &b) == 0 && a > b)
        abort();
    if (procfs_parse_meminfo(text, &a, &b) == 0 && (b > a || a == 0))
        abort();
    (void)procfs_parse_net_dev(text, &a, &b);
    (void)procfs_parse_diskstats(text, &a, &b);
    if (procfs_parse_loadavg(text, load) == 0 && (load[0] < 0 || load[1] < 0 || load[2] < 0))
        abort();
    if (procfs_parse_uptime(text, &d) == 0 && d < 0)
        abort();
    (void)procfs_parse_thermal(text, &d);
    if (procfs_parse_cpu_list(text, &n) == 0 && (n < 1 || n > 65536))
        abort();
    (void)procfs_disk_is_whole((const char *)data, size);
    free(text);
    return 0;
}
