/* Unit tests for backends/procfs.c against the fixture trees in
 * tests/fixtures (a real x86_64 host and a hand-written Raspberry Pi 4, two
 * snapshots each): exact values, rates, and malformed input. Run from the
 * repository root (tests/run.sh does). */
#include "backends/procfs.h"
/* check.h's CHECK macro trips gcc's -Wmisleading-indentation (reported). */
#pragma GCC diagnostic ignored "-Wmisleading-indentation"
#include "tests/unit/check.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#define PI0 "tests/fixtures/rpi4/t0"
#define PI1 "tests/fixtures/rpi4/t1"
#define X0 "tests/fixtures/x86_64/t0"
#define X1 "tests/fixtures/x86_64/t1"

#define CHECK_NEAR(a, b, tol) do { double a_ = (a), b_ = (b); \
    if (!(fabs(a_ - b_) <= (tol)) && !check_failed_) { snprintf(check_why_, sizeof check_why_, \
    "%s:%d: %s == %.9g, expected %.9g", __FILE__, __LINE__, #a, a_, b_); check_failed_ = 1; } } while (0)

static char file_buf[64 * 1024];

/* The fixture file's text (static buffer), or "" after recording a failure. */
static const char *fixture(const char *dir, const char *rel)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    int rc = procfs_read_file(path, file_buf, sizeof file_buf);
    if (rc && !check_failed_) {
        snprintf(check_why_, sizeof check_why_, "cannot read %.400s: %d", path, rc);
        check_failed_ = 1;
        file_buf[0] = 0;
    }
    return file_buf;
}

struct expected {
    const char *dir;
    uint64_t busy, total, mem_total, mem_avail, rx, tx, reads, writes;
    double load[3], uptime;
    int cpus;
};

static const struct expected snapshots[] = {
    { PI0, 251370, 7872602, 3977584640ULL, 3085185024ULL, 1847043719, 100676963, 46440, 84355,
      { 0.42, 0.35, 0.30 }, 86412.37, 4 },
    { PI1, 251570, 7873402, 3977584640ULL, 2983079936ULL, 1847307719, 100776963, 46500, 84485,
      { 0.47, 0.36, 0.30 }, 86414.37, 4 },
    { X0, 9068, 92820, 25276514304ULL, 24886104064ULL, 60434951, 62765, 33399, 14331,
      { 0.06, 0.15, 0.09 }, 465.47, 2 },
    { X1, 9465, 93929, 25276514304ULL, 24907567104ULL, 60434951, 62765, 35558, 14450,
      { 0.20, 0.18, 0.10 }, 471.04, 2 },
};
#define N_SNAPSHOTS (sizeof snapshots / sizeof snapshots[0])

static void test_parse_stat_fixtures(void)
{
    for (size_t i = 0; i < N_SNAPSHOTS; i++) {
        uint64_t busy = 0, total = 0;
        CHECK_EQ_INT(procfs_parse_stat(fixture(snapshots[i].dir, "proc/stat"), &busy, &total), 0);
        CHECK_EQ_INT(busy, snapshots[i].busy);
        CHECK_EQ_INT(total, snapshots[i].total);
    }
}

static void test_parse_stat_fields(void)
{
    uint64_t busy, total;
    /* guest and guest_nice (last two) are inside user and not added. */
    CHECK_EQ_INT(procfs_parse_stat("cpu  10 1 5 100 4 2 3 7 50 60\ncpu0 1 1 1 1\n", &busy, &total), 0);
    CHECK_EQ_INT(total, 132);
    CHECK_EQ_INT(busy, 28);
    /* An old kernel with four fields; the aggregate need not be first. */
    CHECK_EQ_INT(procfs_parse_stat("intr 5\ncpu 1 2 3 4\n", &busy, &total), 0);
    CHECK_EQ_INT(total, 10);
    CHECK_EQ_INT(busy, 6);
    /* "cpu0" alone is no aggregate line. */
    CHECK_EQ_INT(procfs_parse_stat("cpu0 1 2 3 4\n", &busy, &total), -EINVAL);
}

static void test_parse_meminfo_fixtures(void)
{
    for (size_t i = 0; i < N_SNAPSHOTS; i++) {
        uint64_t t = 0, a = 0;
        CHECK_EQ_INT(procfs_parse_meminfo(fixture(snapshots[i].dir, "proc/meminfo"), &t, &a), 0);
        CHECK(t == snapshots[i].mem_total);
        CHECK(a == snapshots[i].mem_avail);
    }
}

static void test_parse_net_dev_fixtures(void)
{
    for (size_t i = 0; i < N_SNAPSHOTS; i++) {
        uint64_t rx = 0, tx = 0;
        CHECK_EQ_INT(procfs_parse_net_dev(fixture(snapshots[i].dir, "proc/net/dev"), &rx, &tx), 0);
        CHECK_EQ_INT(rx, snapshots[i].rx);
        CHECK_EQ_INT(tx, snapshots[i].tx);
    }
}

static void test_parse_net_dev_skips_lo_only(void)
{
    const char *hdr = "Inter-|   Receive                                                |  Transmit\n"
        " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n";
    char text[1024];
    uint64_t rx = 1, tx = 1;
    snprintf(text, sizeof text, "%s%s", hdr,
             "    lo: 1000 1 0 0 0 0 0 0 2000 2 0 0 0 0 0 0\n"
             "  lo0: 10 1 0 0 0 0 0 0 20 2 0 0 0 0 0 0\n"
             "  eth0:300 1 0 0 0 0 0 0 400 2 0 0 0 0 0 0\n");
    CHECK_EQ_INT(procfs_parse_net_dev(text, &rx, &tx), 0);
    CHECK_EQ_INT(rx, 310);
    CHECK_EQ_INT(tx, 420);
    /* Only lo: zero, not an error. */
    snprintf(text, sizeof text, "%s%s", hdr, "    lo: 1000 1 0 0 0 0 0 0 2000 2 0 0 0 0 0 0\n");
    CHECK_EQ_INT(procfs_parse_net_dev(text, &rx, &tx), 0);
    CHECK_EQ_INT(rx, 0);
    CHECK_EQ_INT(tx, 0);
}

static void test_parse_diskstats_fixtures(void)
{
    for (size_t i = 0; i < N_SNAPSHOTS; i++) {
        uint64_t r = 0, w = 0;
        CHECK_EQ_INT(procfs_parse_diskstats(fixture(snapshots[i].dir, "proc/diskstats"), &r, &w), 0);
        CHECK_EQ_INT(r, snapshots[i].reads);
        CHECK_EQ_INT(w, snapshots[i].writes);
    }
}

static void test_disk_is_whole(void)
{
    static const char *const whole[] = { "sda", "sdb", "sdaa", "vda", "xvda", "hda", "mmcblk0",
                                         "mmcblk1", "nvme0n1", "nvme10n2", "sr0", "nbd0" };
    static const char *const not_whole[] = { "sda1", "sdaa12", "vda2", "xvda1", "hda3",
                                             "mmcblk0p1", "mmcblk0p2", "mmcblk0boot0",
                                             "mmcblk0boot1", "nvme0n1p1", "nvme0n1p12", "nbd0p1",
                                             "loop0", "loop12", "ram0", "zram0", "dm-0", "md0",
                                             "md127", "" };
    for (size_t i = 0; i < sizeof whole / sizeof whole[0]; i++)
        if (!procfs_disk_is_whole(whole[i], strlen(whole[i])) && !check_failed_) {
            snprintf(check_why_, sizeof check_why_, "%s should count as a whole disk", whole[i]);
            check_failed_ = 1;
        }
    for (size_t i = 0; i < sizeof not_whole / sizeof not_whole[0]; i++)
        if (procfs_disk_is_whole(not_whole[i], strlen(not_whole[i])) && !check_failed_) {
            snprintf(check_why_, sizeof check_why_, "%s should not count", not_whole[i]);
            check_failed_ = 1;
        }
}

/* The Pi's partitions carry the same I/O as their disks; only disks count. */
static void test_parse_diskstats_skips_partitions(void)
{
    uint64_t r = 0, w = 0;
    const char *text =
        " 179       0 mmcblk0 100 0 0 0 200 0 0 0 0 0 0 0 0 0 0 0 0\n"
        " 179       1 mmcblk0p1 40 0 0 0 50 0 0 0 0 0 0 0 0 0 0 0 0\n"
        " 179       2 mmcblk0p2 60 0 0 0 150 0 0 0 0 0 0 0 0 0 0 0 0\n"
        "   7       0 loop0 7 0 0 0 7 0 0 0 0 0 0\n"
        " 254       0 zram0 9 0 0 0 9 0 0 0 0 0 0 0 0 0 0\n"
        " 259       0 nvme0n1 1 0 0 0 2 0 0 0 0 0 0 0 0 0 0 0 0\n"
        " 259       1 nvme0n1p1 1 0 0 0 2 0 0 0 0 0 0 0 0 0 0 0 0\n";
    CHECK_EQ_INT(procfs_parse_diskstats(text, &r, &w), 0);
    CHECK_EQ_INT(r, 101);
    CHECK_EQ_INT(w, 202);
}

static void test_parse_loadavg_uptime_fixtures(void)
{
    for (size_t i = 0; i < N_SNAPSHOTS; i++) {
        double load[3] = { -1, -1, -1 }, up = -1;
        CHECK_EQ_INT(procfs_parse_loadavg(fixture(snapshots[i].dir, "proc/loadavg"), load), 0);
        for (int k = 0; k < 3; k++)
            CHECK_NEAR(load[k], snapshots[i].load[k], 1e-9);
        CHECK_EQ_INT(procfs_parse_uptime(fixture(snapshots[i].dir, "proc/uptime"), &up), 0);
        CHECK_NEAR(up, snapshots[i].uptime, 1e-9);
    }
}

static void test_parse_cpu_list(void)
{
    for (size_t i = 0; i < N_SNAPSHOTS; i++) {
        int n = 0;
        CHECK_EQ_INT(procfs_parse_cpu_list(fixture(snapshots[i].dir,
                                                   "sys/devices/system/cpu/online"), &n), 0);
        CHECK_EQ_INT(n, snapshots[i].cpus);
    }
    static const struct { const char *in; int rc, n; } cases[] = {
        { "0", 0, 1 }, { "0\n", 0, 1 }, { "0-3", 0, 4 }, { "0,2-3", 0, 3 },
        { "0-1,4-7\n", 0, 6 }, { "0,1,2", 0, 3 }, { "5-5", 0, 1 },
        { "", -EINVAL, 0 }, { "\n", -EINVAL, 0 }, { "3-1", -EINVAL, 0 }, { "0-", -EINVAL, 0 },
        { "-1", -EINVAL, 0 }, { "0,,1", -EINVAL, 0 }, { "0,", -EINVAL, 0 }, { "0 1", -EINVAL, 0 },
        { "0-3\n\n", -EINVAL, 0 }, { "a", -EINVAL, 0 }, { "0-99999", -EINVAL, 0 },
        { "99999999999999999999999", -EINVAL, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int n = -1;
        int rc = procfs_parse_cpu_list(cases[i].in, &n);
        if ((rc != cases[i].rc || (rc == 0 && n != cases[i].n)) && !check_failed_) {
            snprintf(check_why_, sizeof check_why_, "cpu list \"%s\": rc %d n %d", cases[i].in, rc, n);
            check_failed_ = 1;
        }
    }
}

static void test_parse_thermal(void)
{
    double t = 0;
    CHECK_EQ_INT(procfs_parse_thermal(fixture(PI0, "sys/class/thermal/thermal_zone0/temp"), &t), 0);
    CHECK_NEAR(t, 47.236, 1e-9);
    CHECK_EQ_INT(procfs_parse_thermal(fixture(PI1, "sys/class/thermal/thermal_zone0/temp"), &t), 0);
    CHECK_NEAR(t, 48.311, 1e-9);
    CHECK_EQ_INT(procfs_parse_thermal("45678", &t), 0);
    CHECK_NEAR(t, 45.678, 1e-9);
    CHECK_EQ_INT(procfs_parse_thermal("-5000\n", &t), 0);
    CHECK_NEAR(t, -5.0, 1e-9);
    CHECK_EQ_INT(procfs_parse_thermal("", &t), -EINVAL);
    CHECK_EQ_INT(procfs_parse_thermal("\n", &t), -EINVAL);
    CHECK_EQ_INT(procfs_parse_thermal("-", &t), -EINVAL);
    CHECK_EQ_INT(procfs_parse_thermal("47.2\n", &t), -EINVAL);
    CHECK_EQ_INT(procfs_parse_thermal("47236 C\n", &t), -EINVAL);
    CHECK_EQ_INT(procfs_parse_thermal("99999999999999999999999", &t), -EINVAL);
}

/* Rates from the two snapshots, 2 s apart on the caller's clock: exact. */
static void test_rates_from_two_snapshots(void)
{
    struct procfs_counters c0, c1;
    struct fog_node_metrics m;
    memset(&m, 0, sizeof m);
    CHECK_EQ_INT(procfs_read_counters(PI0 "/proc", 1000.0, &c0), 0);
    CHECK_EQ_INT(procfs_read_counters(PI1 "/proc", 1002.0, &c1), 0);
    procfs_compute_rates(&c0, &c1, &m);
    CHECK_NEAR(m.interval, 2.0, 1e-12);
    CHECK_NEAR(m.cpu_percent, 25.0, 1e-9);      /* 200 busy of 800 jiffies */
    CHECK_NEAR(m.net_rx_bps, 132000.0, 1e-6);   /* eth0 + wlan0 + lxcbr0, not lo */
    CHECK_NEAR(m.net_tx_bps, 50000.0, 1e-6);
    CHECK_NEAR(m.iops_read, 30.0, 1e-9);        /* mmcblk0 + sda, no partitions, no zram */
    CHECK_NEAR(m.iops_write, 65.0, 1e-9);

    CHECK_EQ_INT(procfs_read_counters(X0 "/proc", 50.0, &c0), 0);
    CHECK_EQ_INT(procfs_read_counters(X1 "/proc", 51.0, &c1), 0);
    procfs_compute_rates(&c0, &c1, &m);
    CHECK_NEAR(m.interval, 1.0, 1e-12);
    CHECK_NEAR(m.cpu_percent, 397.0 / 1109.0 * 100.0, 1e-9);
    CHECK_NEAR(m.net_rx_bps, 0.0, 1e-9);
    CHECK_NEAR(m.iops_read, 2159.0, 1e-9);
    CHECK_NEAR(m.iops_write, 119.0, 1e-9);

    /* No previous reading, or a clock that did not move: all rates 0. */
    struct procfs_counters none = { 0 };
    m.cpu_percent = m.iops_read = 99;
    procfs_compute_rates(&none, &c1, &m);
    CHECK_NEAR(m.interval, 0.0, 0);
    CHECK_NEAR(m.cpu_percent, 0.0, 0);
    CHECK_NEAR(m.iops_read, 0.0, 0);
    procfs_compute_rates(&c1, &c1, &m);
    CHECK_NEAR(m.interval, 0.0, 0);
    /* Counters that went back (t1 then t0) give 0, not huge numbers. */
    c0.mono = 60.0;
    procfs_compute_rates(&c1, &c0, &m);
    CHECK_NEAR(m.iops_read, 0.0, 0);
    CHECK_NEAR(m.cpu_percent, 0.0, 0);
}

static double now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The whole sampler over the Pi tree: gauges exact, first rates 0, then
 * rates over a previous reading made to look 2 s old. */
static void test_sample_rpi4(void)
{
    struct procfs_counters prev = { 0 };
    struct fog_node_metrics m;
    memset(&m, 0, sizeof m);
    m.containers_running = 3;
    CHECK_EQ_INT(procfs_sample(PI0 "/proc", PI0 "/sys", &prev, &m), 0);
    CHECK_EQ_INT(m.containers_running, 3);
    CHECK_NEAR(m.interval, 0, 0);
    CHECK_NEAR(m.cpu_percent, 0, 0);
    CHECK_NEAR(m.net_rx_bps, 0, 0);
    CHECK(m.mem_total == 3977584640ULL);
    CHECK(m.mem_available == 3085185024ULL);
    CHECK_NEAR(m.mem_percent, (3977584640.0 - 3085185024.0) / 3977584640.0 * 100, 1e-9);
    CHECK_NEAR(m.load[0], 0.42, 1e-9);
    CHECK_NEAR(m.load[2], 0.30, 1e-9);
    CHECK_NEAR(m.uptime_s, 86412.37, 1e-9);
    CHECK_EQ_INT(m.cpus_online, 4);
    CHECK_EQ_INT(m.has_temp, 1);
    CHECK_NEAR(m.temp_c, 47.236, 1e-9);
    CHECK_NEAR(m.time, (double)time(NULL), 2.0);
    CHECK_EQ_INT(prev.cpu_busy, 251370);
    CHECK(prev.mono > 0);

    prev.mono = now_mono() - 2.0;
    CHECK_EQ_INT(procfs_sample(PI1 "/proc", PI1 "/sys", &prev, &m), 0);
    CHECK_NEAR(m.interval, 2.0, 0.05);
    CHECK_NEAR(m.cpu_percent, 25.0, 1e-9);   /* a ratio of jiffies: exact */
    CHECK_NEAR(m.net_rx_bps, 132000.0, 132000.0 * 0.03);
    CHECK_NEAR(m.iops_write, 65.0, 65.0 * 0.03);
    CHECK_NEAR(m.temp_c, 48.311, 1e-9);
    CHECK_EQ_INT(prev.cpu_busy, 251570);
}

/* This x86_64 host has no thermal zone: has_temp 0, no error. */
static void test_sample_missing_thermal(void)
{
    struct procfs_counters prev = { 0 };
    struct fog_node_metrics m;
    memset(&m, 0, sizeof m);
    m.has_temp = 1;
    m.temp_c = 50;
    CHECK_EQ_INT(procfs_sample(X0 "/proc", X0 "/sys", &prev, &m), 0);
    CHECK_EQ_INT(m.has_temp, 0);
    CHECK_NEAR(m.temp_c, 0, 0);
    CHECK_EQ_INT(m.cpus_online, 2);
    CHECK(m.mem_total == 25276514304ULL);
}

static void test_sample_missing_source_fails_cleanly(void)
{
    struct procfs_counters prev = { .mono = 5, .cpu_busy = 7 };
    struct fog_node_metrics m;
    memset(&m, 0, sizeof m);
    m.cpus_online = 9;
    CHECK_EQ_INT(procfs_sample("tests/fixtures/no-such-dir", PI0 "/sys", &prev, &m), -ENOENT);
    CHECK_EQ_INT(m.cpus_online, 9);   /* untouched on error */
    CHECK_EQ_INT(prev.cpu_busy, 7);
    CHECK_EQ_INT(procfs_sample(PI0 "/proc", "tests/fixtures/no-such-dir", &prev, &m), -ENOENT);
    CHECK_EQ_INT(prev.cpu_busy, 7);
}

/* The real /proc and /sys of the machine running the test: the live kernel's
 * formats must parse, and the values must agree with what libc reports. */
static void test_sample_real_host(void)
{
    struct procfs_counters prev = { 0 };
    struct fog_node_metrics m;
    memset(&m, 0, sizeof m);
    CHECK_EQ_INT(procfs_sample("/proc", "/sys", &prev, &m), 0);
    struct timespec pause = { 0, 200 * 1000 * 1000 };
    nanosleep(&pause, NULL);
    CHECK_EQ_INT(procfs_sample("/proc", "/sys", &prev, &m), 0);
    CHECK_EQ_INT(m.cpus_online, sysconf(_SC_NPROCESSORS_ONLN));
    CHECK(m.mem_total == (uint64_t)sysconf(_SC_PHYS_PAGES) * (uint64_t)sysconf(_SC_PAGESIZE));
    CHECK(m.interval > 0.15 && m.interval < 5);
    CHECK(m.cpu_percent >= 0 && m.cpu_percent <= 100);
    CHECK(m.mem_percent > 0 && m.mem_percent < 100);
    CHECK(m.uptime_s > 0);
}

static void test_read_file(void)
{
    char small[8];
    CHECK_EQ_INT(procfs_read_file(PI0 "/proc/loadavg", small, sizeof small), -EFBIG);
    CHECK_EQ_INT(procfs_read_head(PI0 "/proc/loadavg", small, sizeof small), 0);
    CHECK_EQ_STR(small, "0.42 0.");
    char buf[64];
    CHECK_EQ_INT(procfs_read_file(PI0 "/proc/loadavg", buf, sizeof buf), 0);
    CHECK_EQ_STR(buf, "0.42 0.35 0.30 1/213 4321\n");
    CHECK_EQ_INT(procfs_read_file("tests/fixtures/no-such-file", buf, sizeof buf), -ENOENT);
    CHECK_EQ_INT(procfs_read_file(PI0 "/proc/loadavg", buf, 1), -EINVAL);
    /* The real thing, where this machine has it. */
    CHECK_EQ_INT(procfs_read_file("/proc/loadavg", buf, sizeof buf), 0);
    double load[3];
    CHECK_EQ_INT(procfs_parse_loadavg(buf, load), 0);
}

/* Each parser on empty, garbage and truncated text: -EINVAL, no crash. */
static void test_malformed(void)
{
    uint64_t a, b;
    double d, load[3];
    int n;
    static const char *const garbage[] = { "", "\n", "hello world\n", "\x01\x02\xff\xfe",
                                           "cpu\n", "-1 -2 -3\n", "1 2 3", ":::\n" };
    for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++) {
        const char *g = garbage[i];
        CHECK_EQ_INT(procfs_parse_stat(g, &a, &b), -EINVAL);
        CHECK_EQ_INT(procfs_parse_meminfo(g, &a, &b), -EINVAL);
        CHECK_EQ_INT(procfs_parse_net_dev(g, &a, &b), -EINVAL);
        CHECK_EQ_INT(procfs_parse_diskstats(g, &a, &b), -EINVAL);
        CHECK_EQ_INT(procfs_parse_loadavg(g, load), -EINVAL);
        CHECK_EQ_INT(procfs_parse_uptime(g, &d), -EINVAL);
        CHECK_EQ_INT(procfs_parse_thermal(g, &d), -EINVAL);
        CHECK_EQ_INT(procfs_parse_cpu_list(g, &n), -EINVAL);
    }
    /* Truncated inside the line that matters. */
    CHECK_EQ_INT(procfs_parse_stat("cpu  184539 1203 62311 76", &a, &b), -EINVAL);
    CHECK_EQ_INT(procfs_parse_stat("cpu  1 2 3\n", &a, &b), -EINVAL);
    CHECK_EQ_INT(procfs_parse_stat("cpu  1 2 3 x 5\n", &a, &b), -EINVAL);
    CHECK_EQ_INT(procfs_parse_stat("cpu  1 2 3 4 -5\n", &a, &b), -EINVAL);
    CHECK_EQ_INT(procfs_parse_stat("cpu  99999999999999999999 1 1 1\n", &a, &b), -EINVAL);
    CHECK_EQ_INT(procfs_parse_stat("cpu  18446744073709551615 1 1 1\n", &a, &b), -EINVAL);
    CHECK_EQ_INT(procfs_parse_meminfo("MemTotal:       3884360 kB\nMemFree:  1 kB\n", &a, &b), -EINVAL);
    CHECK_EQ_INT(procfs_parse_meminfo("MemTotal:       3884360 kB\nMemAvailable:   30", &a, &b), -EINVAL);
    CHECK_EQ_INT(procfs_parse_meminfo("MemTotal: 10 kB\nMemAvailable: 20 kB\n", &a, &b), -EINVAL);
    CHECK_EQ_INT(procfs_parse_meminfo("MemTotal: 10 MB\nMemAvailable: 2 kB\n", &a, &b), -EINVAL);
    CHECK_EQ_INT(procfs_parse_meminfo("MemTotal: 0 kB\nMemAvailable: 0 kB\n", &a, &b), -EINVAL);
    CHECK_EQ_INT(procfs_parse_loadavg("0.42 0.35 0.3", load), -EINVAL);
    CHECK_EQ_INT(procfs_parse_loadavg("0.42 0.35 0.30 1/213", load), -EINVAL);
    CHECK_EQ_INT(procfs_parse_loadavg("0.42 0.35 .30 1/213 4321\n", load), -EINVAL);
    CHECK_EQ_INT(procfs_parse_uptime("86412.37", &d), -EINVAL);
    CHECK_EQ_INT(procfs_parse_uptime("86412. 1.0\n", &d), -EINVAL);

    /* Every cut of the real files: never a crash; a cut inside a line the
     * parser uses is -EINVAL, never a partial sum. */
    static char text[64 * 1024];
    static const char *const dirs[] = { PI0, X0 };
    for (size_t k = 0; k < 2; k++) {
        strcpy(text, fixture(dirs[k], "proc/net/dev"));
        size_t len = strlen(text);
        for (size_t cut = 0; cut < len; cut++) {
            char saved = text[cut];
            text[cut] = 0;
            int rc = procfs_parse_net_dev(text, &a, &b);
            int at_line_end = cut > 0 && text[cut - 1] == '\n';
            if (!at_line_end)
                CHECK_EQ_INT(rc, -EINVAL);
            text[cut] = saved;
        }
        strcpy(text, fixture(dirs[k], "proc/diskstats"));
        len = strlen(text);
        for (size_t cut = 0; cut < len; cut++) {
            char saved = text[cut];
            text[cut] = 0;
            int rc = procfs_parse_diskstats(text, &a, &b);
            if (!(cut > 0 && text[cut - 1] == '\n'))
                CHECK_EQ_INT(rc, -EINVAL);
            text[cut] = saved;
        }
        strcpy(text, fixture(dirs[k], "proc/stat"));
        const char *eol = strchr(text, '\n');
        for (size_t cut = 0; eol && cut <= (size_t)(eol - text); cut++) {
            char saved = text[cut];
            text[cut] = 0;
            CHECK_EQ_INT(procfs_parse_stat(text, &a, &b), -EINVAL);
            text[cut] = saved;
        }
        strcpy(text, fixture(dirs[k], "proc/meminfo"));
        const char *avail = strstr(text, "MemAvailable:");
        eol = avail ? strchr(avail, '\n') : NULL;
        for (size_t cut = 0; eol && cut <= (size_t)(eol - text); cut++) {
            char saved = text[cut];
            text[cut] = 0;
            CHECK_EQ_INT(procfs_parse_meminfo(text, &a, &b), -EINVAL);
            text[cut] = saved;
        }
    }
}

int main(void)
{
    int failed = 0;
    failed += RUN_TEST(test_parse_stat_fixtures);
    failed += RUN_TEST(test_parse_stat_fields);
    failed += RUN_TEST(test_parse_meminfo_fixtures);
    failed += RUN_TEST(test_parse_net_dev_fixtures);
    failed += RUN_TEST(test_parse_net_dev_skips_lo_only);
    failed += RUN_TEST(test_parse_diskstats_fixtures);
    failed += RUN_TEST(test_disk_is_whole);
    failed += RUN_TEST(test_parse_diskstats_skips_partitions);
    failed += RUN_TEST(test_parse_loadavg_uptime_fixtures);
    failed += RUN_TEST(test_parse_cpu_list);
    failed += RUN_TEST(test_parse_thermal);
    failed += RUN_TEST(test_rates_from_two_snapshots);
    failed += RUN_TEST(test_sample_rpi4);
    failed += RUN_TEST(test_sample_missing_thermal);
    failed += RUN_TEST(test_sample_missing_source_fails_cleanly);
    failed += RUN_TEST(test_sample_real_host);
    failed += RUN_TEST(test_read_file);
    failed += RUN_TEST(test_malformed);
    return failed ? 1 : 0;
}
