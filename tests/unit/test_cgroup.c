/* Unit tests of backends/cgroup: v1/v2/hybrid detection from mountinfo text,
 * cgroup dirs from /proc/<pid>/cgroup text, and the limit mappings. Pure:
 * the v2 cases run on any host. */
#include "backends/cgroup.h"
#include "tests/unit/check.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

/* check.h's CHECK_EQ_STR warns (format-truncation) on fixed arrays and its
 * CHECK trips -Wmisleading-indentation; these keep the tests -Werror clean. */
static const char *volatile str_barrier_;
static const char *S(const char *p)
{
    str_barrier_ = p;
    return str_barrier_;
}
#define CHECK_TRUE(cond) CHECK_EQ_INT(!!(cond), 1)

static const char hybrid_mountinfo[] =
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n"
    "37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
    "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
    "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

/* Raspberry Pi OS bookworm: pure cgroup2, with an optional field before "-". */
static const char v2_mountinfo[] =
    "22 1 179:2 / / rw,noatime shared:1 - ext4 /dev/mmcblk0p2 rw\n"
    "26 22 0:23 / /sys rw,nosuid,nodev,noexec,relatime shared:2 - sysfs sysfs rw\n"
    "30 26 0:27 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n";

/* Older Debian: cpu and cpuacct co-mounted, mount point with a comma. */
static const char comount_mountinfo[] =
    "25 24 0:22 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
    "26 24 0:23 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
    "27 24 0:24 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n"
    "28 24 0:25 / /tmp/with\\040space rw - cgroup cgroup rw,freezer\n";

static void test_detect_hybrid(void)
{
    struct cg_mounts m;
    CHECK_EQ_INT(cg_parse_mountinfo(hybrid_mountinfo, &m), 0);
    CHECK_EQ_INT(m.version, CG_V1);
    CHECK_EQ_STR(S(m.v1[CG_CPU]), "/sys/fs/cgroup/cpu");
    CHECK_EQ_STR(S(m.v1[CG_CPUACCT]), "/sys/fs/cgroup/cpuacct");
    CHECK_EQ_STR(S(m.v1[CG_MEMORY]), "/sys/fs/cgroup/memory");
    CHECK_EQ_STR(S(m.v1[CG_PIDS]), "/sys/fs/cgroup/pids");
    CHECK_EQ_STR(S(m.unified), "/sys/fs/cgroup/unified");

    struct cg_dirs d;
    const char pc[] = "9:name=systemd:/lxc.payload.web\n8:pids:/lxc.payload.web\n"
                      "6:freezer:/lxc.payload.web\n5:devices:/lxc.payload.web\n"
                      "4:memory:/lxc.payload.web\n2:cpuacct:/lxc.payload.web\n"
                      "1:cpu:/lxc.payload.web\n0::/lxc.payload.web\n";
    CHECK_EQ_INT(cg_parse_proc_cgroup(pc, &m, &d), 0);
    CHECK_EQ_STR(S(d.dir[CG_CPU]), "/sys/fs/cgroup/cpu/lxc.payload.web");
    CHECK_EQ_STR(S(d.dir[CG_CPUACCT]), "/sys/fs/cgroup/cpuacct/lxc.payload.web");
    CHECK_EQ_STR(S(d.dir[CG_MEMORY]), "/sys/fs/cgroup/memory/lxc.payload.web");
    CHECK_EQ_STR(S(d.dir[CG_PIDS]), "/sys/fs/cgroup/pids/lxc.payload.web");
    CHECK_EQ_STR(S(d.dir[CG_FREEZER]), "/sys/fs/cgroup/freezer/lxc.payload.web");
    /* a process missing the memory controller line */
    CHECK_EQ_INT(cg_parse_proc_cgroup("1:cpu:/a\n2:cpuacct:/a\n8:pids:/a\n", &m, &d), -ENOENT);
}

static void test_detect_v2(void)
{
    struct cg_mounts m;
    CHECK_EQ_INT(cg_parse_mountinfo(v2_mountinfo, &m), 0);
    CHECK_EQ_INT(m.version, CG_V2);
    CHECK_EQ_STR(S(m.unified), "/sys/fs/cgroup");
    CHECK_EQ_STR(S(m.v1[CG_CPU]), "");

    struct cg_dirs d;
    CHECK_EQ_INT(cg_parse_proc_cgroup("0::/lxc.payload.web\n", &m, &d), 0);
    for (int c = 0; c < CG_NCTRL; c++)
        CHECK_EQ_STR(S(d.dir[c]), "/sys/fs/cgroup/lxc.payload.web");
    CHECK_EQ_INT(cg_parse_proc_cgroup("0::/\n", &m, &d), 0);
    CHECK_EQ_STR(S(d.dir[CG_MEMORY]), "/sys/fs/cgroup");
    CHECK_EQ_INT(cg_parse_mountinfo("22 1 179:2 / / rw - ext4 /dev/root rw\n", &m), -ENOENT);
    CHECK_EQ_INT(cg_parse_mountinfo("", &m), -ENOENT);
}

static void test_detect_comount(void)
{
    struct cg_mounts m;
    CHECK_EQ_INT(cg_parse_mountinfo(comount_mountinfo, &m), 0);
    CHECK_EQ_INT(m.version, CG_V1);
    CHECK_EQ_STR(S(m.v1[CG_CPU]), "/sys/fs/cgroup/cpu,cpuacct");
    CHECK_EQ_STR(S(m.v1[CG_CPUACCT]), "/sys/fs/cgroup/cpu,cpuacct");
    CHECK_EQ_STR(S(m.v1[CG_FREEZER]), "/tmp/with space");
    CHECK_EQ_STR(S(m.unified), "");
    struct cg_dirs d;
    CHECK_EQ_INT(cg_parse_proc_cgroup("3:memory:/x\n2:cpu,cpuacct:/x\n4:pids:/x\n", &m, &d), 0);
    CHECK_EQ_STR(S(d.dir[CG_CPU]), "/sys/fs/cgroup/cpu,cpuacct/x");
    CHECK_EQ_STR(S(d.dir[CG_CPUACCT]), "/sys/fs/cgroup/cpu,cpuacct/x");
}

static void test_cpu_mapping(void)
{
    int64_t q, p;
    cg_millicores_to_cfs(500, &q, &p);
    CHECK_EQ_INT(q, 50000);
    CHECK_EQ_INT(p, 100000);
    cg_millicores_to_cfs(1500, &q, &p);
    CHECK_EQ_INT(q, 150000);
    cg_millicores_to_cfs(-1, &q, &p);
    CHECK_EQ_INT(q, -1);
    cg_millicores_to_cfs(1, &q, &p);
    CHECK_EQ_INT(q, 1000);   /* the kernel's minimum quota */
    CHECK_EQ_INT(cg_cfs_to_millicores(50000, 100000), 500);
    CHECK_EQ_INT(cg_cfs_to_millicores(25000, 50000), 500);
    CHECK_EQ_INT(cg_cfs_to_millicores(-1, 100000), -1);

    char buf[64];
    CHECK_EQ_INT(cg_format_cpu_max(250, buf, sizeof buf), 0);
    CHECK_EQ_STR(S(buf), "25000 100000");
    CHECK_EQ_INT(cg_format_cpu_max(-1, buf, sizeof buf), 0);
    CHECK_EQ_STR(S(buf), "max 100000");
    CHECK_EQ_INT(cg_format_cpu_max(250, buf, 4), -ENOSPC);
    int64_t m = 0;
    CHECK_EQ_INT(cg_parse_cpu_max("max 100000\n", &m), 0);
    CHECK_EQ_INT(m, -1);
    CHECK_EQ_INT(cg_parse_cpu_max("200000 100000\n", &m), 0);
    CHECK_EQ_INT(m, 2000);
    CHECK_EQ_INT(cg_parse_cpu_max("max", &m), 0);
    CHECK_EQ_INT(m, -1);
    CHECK_EQ_INT(cg_parse_cpu_max("abc 100000", &m), -EINVAL);
    CHECK_EQ_INT(cg_parse_cpu_max("100 0", &m), -EINVAL);
    CHECK_EQ_INT(cg_parse_cpu_max("100 100000 x", &m), -EINVAL);
}

static void test_shares_weight(void)
{
    CHECK_EQ_INT(cg_millicores_to_shares(1000), 1024);
    CHECK_EQ_INT(cg_millicores_to_shares(500), 512);
    CHECK_EQ_INT(cg_millicores_to_shares(1), 2);
    CHECK_EQ_INT(cg_millicores_to_shares(0), 1024);
    CHECK_EQ_INT(cg_millicores_to_shares(1000000), 262144);
    CHECK_EQ_INT(cg_shares_to_weight(1024), 100);
    CHECK_EQ_INT(cg_shares_to_weight(512), 50);
    CHECK_EQ_INT(cg_shares_to_weight(2), 1);
    CHECK_EQ_INT(cg_shares_to_weight(262144), 10000);   /* 25600 clamped */
    CHECK_EQ_INT(cg_shares_to_weight(2048), 200);
    CHECK_EQ_INT(cg_weight_to_shares(100), 1024);
    CHECK_EQ_INT(cg_weight_to_shares(1), 10);
    CHECK_EQ_INT(cg_weight_to_shares(10000), 102400);
    CHECK_EQ_INT(cg_weight_to_shares(0), 10);
    /* round trip of a request through weight stays close */
    CHECK_EQ_INT(cg_shares_to_weight(cg_millicores_to_shares(250)), 25);
}

static void test_mem_mapping(void)
{
    char buf[32];
    CHECK_EQ_INT(cg_format_mem_v1(268435456, buf, sizeof buf), 0);
    CHECK_EQ_STR(S(buf), "268435456");
    CHECK_EQ_INT(cg_format_mem_v1(-1, buf, sizeof buf), 0);
    CHECK_EQ_STR(S(buf), "-1");
    CHECK_EQ_INT(cg_format_mem_v2(-1, buf, sizeof buf), 0);
    CHECK_EQ_STR(S(buf), "max");
    CHECK_EQ_INT(cg_format_mem_v2(1048576, buf, sizeof buf), 0);
    CHECK_EQ_STR(S(buf), "1048576");
    CHECK_EQ_INT(cg_format_mem_v2(1048576, buf, 3), -ENOSPC);
    int64_t b = 0;
    CHECK_EQ_INT(cg_parse_mem("max\n", &b), 0);
    CHECK_EQ_INT(b, -1);
    CHECK_EQ_INT(cg_parse_mem("9223372036854771712\n", &b), 0);
    CHECK_EQ_INT(b, -1);
    CHECK_EQ_INT(cg_parse_mem("268435456\n", &b), 0);
    CHECK_EQ_INT(b, 268435456);
    CHECK_EQ_INT(cg_parse_mem("12k", &b), -EINVAL);
    CHECK_EQ_INT(cg_parse_mem("", &b), -EINVAL);
}

static void test_cpu_stat(void)
{
    uint64_t ns = 0;
    CHECK_EQ_INT(cg_parse_cpu_stat_usage_ns("usage_usec 1234\nuser_usec 1000\n", &ns), 0);
    CHECK_EQ_INT(ns, 1234000);
    CHECK_EQ_INT(cg_parse_cpu_stat_usage_ns("user_usec 1\nusage_usec 7\n", &ns), 0);
    CHECK_EQ_INT(ns, 7000);
    CHECK_EQ_INT(cg_parse_cpu_stat_usage_ns("user_usec 1\n", &ns), -ENOENT);
}

static void test_items_v1(void)
{
    struct cg_item it[CG_MAX_ITEMS];
    CHECK_EQ_INT(cg_items_cpu_limit(CG_V1, 500, it), 2);
    CHECK_EQ_STR(S(it[0].key), "lxc.cgroup.cpu.cfs_period_us");
    CHECK_EQ_STR(S(it[0].value), "100000");
    CHECK_EQ_STR(S(it[1].key), "lxc.cgroup.cpu.cfs_quota_us");
    CHECK_EQ_STR(S(it[1].file), "cpu.cfs_quota_us");
    CHECK_EQ_STR(S(it[1].value), "50000");
    CHECK_EQ_INT(it[1].ctrl, CG_CPU);
    CHECK_EQ_INT(it[1].clear, 0);
    CHECK_EQ_INT(cg_items_cpu_limit(CG_V1, -1, it), 2);
    CHECK_EQ_STR(S(it[1].value), "-1");
    CHECK_EQ_INT(it[0].clear + it[1].clear, 2);
    CHECK_EQ_INT(cg_items_cpu_request(CG_V1, 250, it), 1);
    CHECK_EQ_STR(S(it[0].key), "lxc.cgroup.cpu.shares");
    CHECK_EQ_STR(S(it[0].value), "256");
    CHECK_EQ_INT(cg_items_cpu_request(CG_V1, 0, it), 1);
    CHECK_EQ_STR(S(it[0].value), "1024");
    CHECK_EQ_INT(it[0].clear, 1);
    CHECK_EQ_INT(cg_items_mem_limit(CG_V1, 268435456, it), 1);
    CHECK_EQ_STR(S(it[0].key), "lxc.cgroup.memory.limit_in_bytes");
    CHECK_EQ_STR(S(it[0].value), "268435456");
    CHECK_EQ_INT(it[0].ctrl, CG_MEMORY);
    CHECK_EQ_INT(cg_items_mem_limit(CG_V1, -1, it), 1);
    CHECK_EQ_STR(S(it[0].value), "-1");
    CHECK_EQ_INT(it[0].clear, 1);
}

/* What a Raspberry Pi OS bookworm board (pure v2) gets. */
static void test_items_v2(void)
{
    struct cg_item it[CG_MAX_ITEMS];
    CHECK_EQ_INT(cg_items_cpu_limit(CG_V2, 1500, it), 1);
    CHECK_EQ_STR(S(it[0].key), "lxc.cgroup2.cpu.max");
    CHECK_EQ_STR(S(it[0].file), "cpu.max");
    CHECK_EQ_STR(S(it[0].value), "150000 100000");
    CHECK_EQ_INT(it[0].clear, 0);
    CHECK_EQ_INT(cg_items_cpu_limit(CG_V2, -1, it), 1);
    CHECK_EQ_STR(S(it[0].value), "max 100000");
    CHECK_EQ_INT(it[0].clear, 1);
    CHECK_EQ_INT(cg_items_cpu_request(CG_V2, 250, it), 1);
    CHECK_EQ_STR(S(it[0].key), "lxc.cgroup2.cpu.weight");
    CHECK_EQ_STR(S(it[0].file), "cpu.weight");
    CHECK_EQ_STR(S(it[0].value), "25");
    CHECK_EQ_INT(cg_items_cpu_request(CG_V2, 0, it), 1);
    CHECK_EQ_STR(S(it[0].value), "100");
    CHECK_EQ_INT(it[0].clear, 1);
    CHECK_EQ_INT(cg_items_mem_limit(CG_V2, 536870912, it), 1);
    CHECK_EQ_STR(S(it[0].key), "lxc.cgroup2.memory.max");
    CHECK_EQ_STR(S(it[0].file), "memory.max");
    CHECK_EQ_STR(S(it[0].value), "536870912");
    CHECK_EQ_INT(cg_items_mem_limit(CG_V2, -1, it), 1);
    CHECK_EQ_STR(S(it[0].value), "max");
    CHECK_EQ_INT(it[0].clear, 1);
}

static void test_file_io(void)
{
    char dir[] = "/tmp/fogfs-cg-XXXXXX", buf[64];
    CHECK_TRUE(mkdtemp(dir) != NULL);
    char path[64];
    snprintf(path, sizeof path, "%s/memory.max", dir);
    FILE *f = fopen(path, "w");
    CHECK_TRUE(f != NULL);
    if (f)
        fclose(f);
    CHECK_EQ_INT(cg_write_file(dir, "memory.max", "12345"), 0);
    CHECK_EQ_INT(cg_read_file(dir, "memory.max", buf, sizeof buf), 0);
    CHECK_EQ_STR(S(buf), "12345");
    CHECK_EQ_INT(cg_read_file(dir, "memory.max", buf, 3), 0);   /* truncated, terminated */
    CHECK_EQ_STR(S(buf), "12");
    CHECK_EQ_INT(cg_read_file(dir, "nosuch", buf, sizeof buf), -ENOENT);
    CHECK_EQ_INT(cg_write_file(dir, "nosuch", "1"), -ENOENT);
    unlink(path);
    rmdir(dir);
}

static void test_detect_this_host(void)
{
    struct cg_mounts m;
    int rc = cg_detect(&m);
    CHECK_TRUE(rc == 0 || rc == -ENOENT);
    if (rc == 0)
        CHECK_TRUE(m.version == CG_V1 || m.version == CG_V2);
}

int main(void)
{
    int failed = 0;
    failed += RUN_TEST(test_detect_hybrid);
    failed += RUN_TEST(test_detect_v2);
    failed += RUN_TEST(test_detect_comount);
    failed += RUN_TEST(test_cpu_mapping);
    failed += RUN_TEST(test_shares_weight);
    failed += RUN_TEST(test_mem_mapping);
    failed += RUN_TEST(test_cpu_stat);
    failed += RUN_TEST(test_items_v1);
    failed += RUN_TEST(test_items_v2);
    failed += RUN_TEST(test_file_io);
    failed += RUN_TEST(test_detect_this_host);
    return failed ? 1 : 0;
}
