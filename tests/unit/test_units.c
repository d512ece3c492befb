/* Unit tests for core/units.c: tables of inputs with the exact value or
 * errno each must give, for CPU amounts, memory sizes, integers, names and
 * trimming, plus the round trip of the formatters. */
#include "core/units.h"
/* check.h's CHECK macro trips gcc's -Wmisleading-indentation (reported). */
#pragma GCC diagnostic ignored "-Wmisleading-indentation"
#include "tests/unit/check.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>

struct parse_case {
    const char *in;
    int rc;
    int64_t value;
};

#define CHECK_CASE(fn_call, c) do { int64_t v_ = -12345; int rc_ = (fn_call); \
    if (rc_ != (c)->rc || (rc_ == 0 && v_ != (c)->value)) { if (!check_failed_) \
    snprintf(check_why_, sizeof check_why_, "%s:%d: \"%s\" gave rc %d value %" PRId64 \
    ", expected rc %d value %" PRId64, __FILE__, __LINE__, (c)->in, rc_, v_, (c)->rc, \
    (c)->value); check_failed_ = 1; } } while (0)

static const struct parse_case cpu_cases[] = {
    { "250m", 0, 250 },
    { "0.25", 0, 250 },
    { "2", 0, 2000 },
    { "1.5", 0, 1500 },
    { "0", 0, 0 },
    { "0m", 0, 0 },
    { "1m", 0, 1 },
    { "0.001", 0, 1 },
    { "1.250", 0, 1250 },
    { "1.2500", 0, 1250 },       /* trailing zeros are not finer */
    { "007", 0, 7000 },
    { "  500m\n", 0, 500 },
    { "\t1.5 \n", 0, 1500 },
    { "max", 0, FOG_UNLIMITED },
    { " max\n", 0, FOG_UNLIMITED },
    { "9223372036854775807m", 0, INT64_MAX },
    { "9223372036854775.807", 0, INT64_MAX },
    { "9223372036854775", 0, INT64_C(9223372036854775000) },
    { "", -EINVAL, 0 },
    { " \n", -EINVAL, 0 },
    { "1.2345", -EINVAL, 0 },    /* finer than 1m */
    { "0.0001", -EINVAL, 0 },
    { "abc", -EINVAL, 0 },
    { "1e3", -EINVAL, 0 },
    { "0x10", -EINVAL, 0 },
    { "m", -EINVAL, 0 },
    { ".5", -EINVAL, 0 },
    { "1.", -EINVAL, 0 },
    { "1.5m", -EINVAL, 0 },
    { "250 m", -EINVAL, 0 },
    { "250M", -EINVAL, 0 },
    { "250mm", -EINVAL, 0 },
    { "+1", -EINVAL, 0 },
    { "1 2", -EINVAL, 0 },
    { "MAX", -EINVAL, 0 },
    { "maximum", -EINVAL, 0 },
    { "-", -EINVAL, 0 },
    { "-abc", -EINVAL, 0 },
    { "--1", -EINVAL, 0 },
    { "-1", -ERANGE, 0 },
    { "-250m", -ERANGE, 0 },
    { "-0.5", -ERANGE, 0 },
    { "9223372036854775808m", -ERANGE, 0 },
    { "9223372036854776", -ERANGE, 0 },
    { "9223372036854775.808", -ERANGE, 0 },
    { "99999999999999999999999", -ERANGE, 0 },
    { "99999999999999999999999x", -EINVAL, 0 },
    { "1\r", -EINVAL, 0 },
};

static void test_parse_cpu_table(void)
{
    for (size_t i = 0; i < sizeof cpu_cases / sizeof cpu_cases[0]; i++) {
        const struct parse_case *c = &cpu_cases[i];
        CHECK_CASE(units_parse_cpu(c->in, strlen(c->in), 1, &v_), c);
    }
}

static void test_parse_cpu_max_not_allowed(void)
{
    int64_t v = 7;
    CHECK_EQ_INT(units_parse_cpu("max", 3, 0, &v), -EINVAL);
    CHECK_EQ_INT(v, 7);
    CHECK_EQ_INT(units_parse_cpu("500m", 4, 0, &v), 0);
    CHECK_EQ_INT(v, 500);
}

static void test_parse_cpu_uses_len_not_nul(void)
{
    int64_t v = 0;
    /* Only the first 3 bytes count: "250" of "250m". */
    CHECK_EQ_INT(units_parse_cpu("250m", 3, 1, &v), 0);
    CHECK_EQ_INT(v, 250000);
    /* A NUL inside the value is refused. */
    CHECK_EQ_INT(units_parse_cpu("25\0m", 4, 1, &v), -EINVAL);
}

static const struct parse_case mem_cases[] = {
    { "268435456", 0, 268435456 },
    { "256M", 0, 268435456 },
    { "256Mi", 0, 268435456 },
    { "512Mi", 0, 536870912 },
    { "1G", 0, 1073741824 },
    { "1Gi", 0, 1073741824 },
    { "4K", 0, 4096 },
    { "4Ki", 0, 4096 },
    { "2T", 0, INT64_C(2199023255552) },
    { "2Ti", 0, INT64_C(2199023255552) },
    { "0", 0, 0 },
    { "0G", 0, 0 },
    { " 1G\n", 0, 1073741824 },
    { "max", 0, FOG_UNLIMITED },
    { "9223372036854775807", 0, INT64_MAX },
    { "8388607T", 0, INT64_C(8388607) << 40 },
    { "", -EINVAL, 0 },
    { "G", -EINVAL, 0 },
    { "1.5G", -EINVAL, 0 },
    { "1g", -EINVAL, 0 },
    { "256m", -EINVAL, 0 },
    { "1k", -EINVAL, 0 },
    { "1GB", -EINVAL, 0 },
    { "1GiB", -EINVAL, 0 },
    { "1Gii", -EINVAL, 0 },
    { "1P", -EINVAL, 0 },
    { "1 G", -EINVAL, 0 },
    { "0x10", -EINVAL, 0 },
    { "1e9", -EINVAL, 0 },
    { "abc", -EINVAL, 0 },
    { "+1", -EINVAL, 0 },
    { "-", -EINVAL, 0 },
    { "-G", -EINVAL, 0 },
    { "-1", -ERANGE, 0 },
    { "-1G", -ERANGE, 0 },
    { "9223372036854775808", -ERANGE, 0 },
    { "8388608T", -ERANGE, 0 },
    { "8589934592G", -ERANGE, 0 },
    { "99999999999999999999999999K", -ERANGE, 0 },
    { "99999999999999999999999999Q", -EINVAL, 0 },
};

static void test_parse_mem_table(void)
{
    for (size_t i = 0; i < sizeof mem_cases / sizeof mem_cases[0]; i++) {
        const struct parse_case *c = &mem_cases[i];
        CHECK_CASE(units_parse_mem(c->in, strlen(c->in), 1, &v_), c);
    }
}

static void test_parse_mem_max_not_allowed(void)
{
    int64_t v = 7;
    CHECK_EQ_INT(units_parse_mem("max\n", 4, 0, &v), -EINVAL);
    CHECK_EQ_INT(v, 7);
}

static const struct parse_case int_cases[] = {   /* range [0, 100] */
    { "0", 0, 0 },
    { "90", 0, 90 },
    { "100", 0, 100 },
    { " 42\n", 0, 42 },
    { "0042", 0, 42 },
    { "101", -ERANGE, 0 },
    { "-1", -ERANGE, 0 },
    { "99999999999999999999", -ERANGE, 0 },
    { "", -EINVAL, 0 },
    { "-", -EINVAL, 0 },
    { "1.0", -EINVAL, 0 },
    { "1m", -EINVAL, 0 },
    { "+1", -EINVAL, 0 },
    { "ten", -EINVAL, 0 },
    { "4 2", -EINVAL, 0 },
};

static void test_parse_int_table(void)
{
    for (size_t i = 0; i < sizeof int_cases / sizeof int_cases[0]; i++) {
        const struct parse_case *c = &int_cases[i];
        CHECK_CASE(units_parse_int(c->in, strlen(c->in), 0, 100, &v_), c);
    }
}

static void test_parse_int_bounds(void)
{
    int64_t v = 0;
    CHECK_EQ_INT(units_parse_int("-5", 2, -10, 10, &v), 0);
    CHECK_EQ_INT(v, -5);
    CHECK_EQ_INT(units_parse_int("-11", 3, -10, 10, &v), -ERANGE);
    CHECK_EQ_INT(units_parse_int("9223372036854775807", 19, 0, INT64_MAX, &v), 0);
    CHECK(v == INT64_MAX);
    CHECK_EQ_INT(units_parse_int("1", 1, 5, 4, &v), -EINVAL);
    CHECK_EQ_INT(units_parse_int("15", 2, 0, 15, &v), 0);
    CHECK_EQ_INT(v, 15);
    CHECK_EQ_INT(units_parse_int("16", 2, 0, 15, &v), -ERANGE);
}

struct name_case {
    const char *in;
    int rc;
};

static void test_check_name(void)
{
    static const struct name_case cases[] = {
        { "web", 0 }, { "a", 0 }, { "Z9", 0 }, { "node2", 0 }, { "my_app-1.2", 0 },
        { "0", 0 }, { "a..b", 0 }, { "a-", 0 },
        { "", -EINVAL }, { ".", -EINVAL }, { "..", -EINVAL }, { ".hidden", -EINVAL },
        { "-x", -EINVAL }, { "_x", -EINVAL }, { "a/b", -EINVAL }, { "/", -EINVAL },
        { "a b", -EINVAL }, { "a\n", -EINVAL }, { "a\t", -EINVAL }, { "caf\xc3\xa9", -EINVAL },
        { "a:b", -EINVAL }, { "a*", -EINVAL }, { "a\x7f", -EINVAL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = units_check_name(cases[i].in, strlen(cases[i].in));
        if (rc != cases[i].rc && !check_failed_) {
            snprintf(check_why_, sizeof check_why_, "name \"%s\": rc %d, expected %d",
                     cases[i].in, rc, cases[i].rc);
            check_failed_ = 1;
        }
    }
    char name[65];
    memset(name, 'a', sizeof name);
    CHECK_EQ_INT(units_check_name(name, 63), 0);
    CHECK_EQ_INT(units_check_name(name, 64), -EINVAL);
    CHECK_EQ_INT(units_check_name("ab\0c", 4), -EINVAL);
    CHECK_EQ_INT(units_check_name(NULL, 0), -EINVAL);
}

static void test_trim(void)
{
    const char *start = NULL;
    size_t n = 99;
    const char *s = " \t hello world\n\n";
    CHECK_EQ_INT(units_trim(s, strlen(s), &start, &n), 0);
    CHECK_EQ_INT(n, 11);
    CHECK(start == s + 3);
    CHECK(memcmp(start, "hello world", 11) == 0);

    CHECK_EQ_INT(units_trim("x", 1, &start, &n), 0);
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_INT(units_trim("", 0, &start, &n), 0);
    CHECK_EQ_INT(n, 0);
    CHECK_EQ_INT(units_trim(" \n\t", 3, &start, &n), 0);
    CHECK_EQ_INT(n, 0);
    /* Lines inside a value stay (led/map carries several). */
    s = "0 containers count 8\n1 cpu linear 100\n";
    CHECK_EQ_INT(units_trim(s, strlen(s), &start, &n), 0);
    CHECK_EQ_INT(n, strlen(s) - 1);

    CHECK_EQ_INT(units_trim("a\0b", 3, &start, &n), -EINVAL);
    CHECK_EQ_INT(units_trim("1\r\n", 3, &start, &n), -EINVAL);
    CHECK_EQ_INT(units_trim("\x1b[31m", 5, &start, &n), -EINVAL);
    CHECK_EQ_INT(units_trim("a\x7f", 2, &start, &n), -EINVAL);
    CHECK_EQ_INT(units_trim("\xc3\xa9", 2, &start, &n), -EINVAL);
    CHECK_EQ_INT(units_trim("a\v", 2, &start, &n), -EINVAL);

    static char big[FOG_VALUE_MAX + 2];
    memset(big, ' ', sizeof big);
    big[0] = '1';
    CHECK_EQ_INT(units_trim(big, FOG_VALUE_MAX, &start, &n), 0);
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_INT(units_trim(big, FOG_VALUE_MAX + 1, &start, &n), -EINVAL);
    int64_t v;
    CHECK_EQ_INT(units_parse_cpu(big, FOG_VALUE_MAX + 1, 1, &v), -EINVAL);
}

static void test_format_cpu(void)
{
    char buf[32];
    units_format_cpu(250, buf, sizeof buf);
    CHECK_EQ_STR(buf, "250m");
    units_format_cpu(0, buf, sizeof buf);
    CHECK_EQ_STR(buf, "0m");
    units_format_cpu(1500, buf, sizeof buf);
    CHECK_EQ_STR(buf, "1500m");
    units_format_cpu(FOG_UNLIMITED, buf, sizeof buf);
    CHECK_EQ_STR(buf, "max");
    units_format_cpu(INT64_MAX, buf, sizeof buf);
    CHECK_EQ_STR(buf, "9223372036854775807m");
    char small[4];
    units_format_cpu(12345, small, sizeof small);
    CHECK_EQ_STR(small, "123");   /* truncated, still terminated */
}

static void test_format_mem(void)
{
    char buf[32];
    units_format_mem(268435456, buf, sizeof buf);
    CHECK_EQ_STR(buf, "268435456");
    units_format_mem(0, buf, sizeof buf);
    CHECK_EQ_STR(buf, "0");
    units_format_mem(FOG_UNLIMITED, buf, sizeof buf);
    CHECK_EQ_STR(buf, "max");
}

/* What format prints, parse reads back to the same value. */
static void test_round_trip(void)
{
    static const int64_t values[] = { 0, 1, 250, 999, 1000, 1500, 123456789,
                                      INT64_MAX, FOG_UNLIMITED };
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char buf[32];
        int64_t back = -2;
        units_format_cpu(values[i], buf, sizeof buf);
        CHECK_EQ_INT(units_parse_cpu(buf, strlen(buf), 1, &back), 0);
        CHECK(back == values[i]);
        back = -2;
        units_format_mem(values[i], buf, sizeof buf);
        CHECK_EQ_INT(units_parse_mem(buf, strlen(buf), 1, &back), 0);
        CHECK(back == values[i]);
    }
}

int main(void)
{
    int failed = 0;
    failed += RUN_TEST(test_parse_cpu_table);
    failed += RUN_TEST(test_parse_cpu_max_not_allowed);
    failed += RUN_TEST(test_parse_cpu_uses_len_not_nul);
    failed += RUN_TEST(test_parse_mem_table);
    failed += RUN_TEST(test_parse_mem_max_not_allowed);
    failed += RUN_TEST(test_parse_int_table);
    failed += RUN_TEST(test_parse_int_bounds);
    failed += RUN_TEST(test_check_name);
    failed += RUN_TEST(test_trim);
    failed += RUN_TEST(test_format_cpu);
    failed += RUN_TEST(test_format_mem);
    failed += RUN_TEST(test_round_trip);
    return failed ? 1 : 0;
}
