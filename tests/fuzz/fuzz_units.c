/* libFuzzer target for core/units.c: every parser on the raw bytes (with
 * their length, no NUL needed), and what parses must print and parse back
 * to the same value. */
#include "core/units.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void cpu_round_trip(int64_t v)
{
    char buf[32];
    int64_t back;
    units_format_cpu(v, buf, sizeof buf);
    if (units_parse_cpu(buf, strlen(buf), 1, &back) != 0 || back != v)
        abort();
}

static void mem_round_trip(int64_t v)
{
    char buf[32];
    int64_t back;
    units_format_mem(v, buf, sizeof buf);
    if (units_parse_mem(buf, strlen(buf), 1, &back) != 0 || back != v)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    int64_t v;
    const char *start;
    size_t len;

    if (units_trim(s, size, &start, &len) == 0 &&
        (start < s || start + len > s + size))
        abort();
    if (units_parse_cpu(s, size, 1, &v) == 0) {
        if (v < 0 && v != FOG_UNLIMITED)
            abort();
        cpu_round_trip(v);
    }
    if (units_parse_mem(s, size, 1, &v) == 0) {
        if (v < 0 && v != FOG_UNLIMITED)
            abort();
        mem_round_trip(v);
    }
    if (units_parse_int(s, size, -100, 100, &v) == 0 && (v < -100 || v > 100))
        abort();
    if (units_check_name(s, size) == 0 && (size == 0 || size > 63 || memchr(s, '/', size)))
        abort();
    return 0;
}
