/* Parsing and printing of the values users write into /fog: CPU amounts in
 * millicores, memory sizes in bytes, plain integers and names. Pure functions
 * over (pointer, length); no allocation, no locale, no global state. */
#include "core/units.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int is_trimmed_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n';
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* Leading/trailing space, tab and newline go; inside the value a space, tab
 * or newline may stay (multi-line values such as led/map), any other control
 * byte, NUL or byte >= 0x7f is refused. */
int units_trim(const char *s, size_t len, const char **start, size_t *out_len)
{
    if (!s && len)
        return -EINVAL;
    if (len > FOG_VALUE_MAX)
        return -EINVAL;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && !is_trimmed_space(c)) || c >= 0x7f)
            return -EINVAL;
    }
    size_t b = 0, e = len;
    while (b < e && is_trimmed_space((unsigned char)s[b]))
        b++;
    while (e > b && is_trimmed_space((unsigned char)s[e - 1]))
        e--;
    *start = s ? s + b : "";
    *out_len = e - b;
    return 0;
}

static int is_max(const char *s, size_t len)
{
    return len == 3 && memcmp(s, "max", 3) == 0;
}

/* Digits s[*i..] accumulated into *v (which holds the value so far).
 * Returns the number of digits taken, -ERANGE on overflow of INT64_MAX. */
static int take_digits(const char *s, size_t len, size_t *i, int64_t *v)
{
    int n = 0;
    while (*i < len && is_digit((unsigned char)s[*i])) {
        int d = s[*i] - '0';
        if (*v > (INT64_MAX - d) / 10)
            return -ERANGE;
        *v = *v * 10 + d;
        (*i)++;
        n++;
    }
    return n;
}

/* Multiplies with an overflow check against INT64_MAX. */
static int mul_checked(int64_t a, int64_t b, int64_t *out)
{
    if (a != 0 && b > INT64_MAX / a)
        return -ERANGE;
    *out = a * b;
    return 0;
}

/* The number part of a CPU amount, no sign: "250m", "2", "1.5", "0.250". */
static int parse_cpu_unsigned(const char *s, size_t len, int64_t *millicores)
{
    size_t i = 0;
    int64_t whole = 0;
    int n = take_digits(s, len, &i, &whole);
    int overflow = n == -ERANGE;
    if (overflow) {
        /* Keep checking the syntax so garbage stays -EINVAL. */
        while (i < len && is_digit((unsigned char)s[i]))
            i++;
    } else if (n == 0) {
        return -EINVAL;
    }
    if (i == len) {
        int64_t m;
        if (overflow || mul_checked(whole, 1000, &m))
            return -ERANGE;
        *millicores = m;
        return 0;
    }
    if (s[i] == 'm') {
        if (i + 1 != len)
            return -EINVAL;
        if (overflow)
            return -ERANGE;
        *millicores = whole;
        return 0;
    }
    if (s[i] != '.')
        return -EINVAL;
    i++;
    int64_t frac = 0;
    int digits = 0;
    size_t first = i;
    for (; i < len && is_digit((unsigned char)s[i]); i++, digits++) {
        if (digits < 3)
            frac = frac * 10 + (s[i] - '0');
        else if (s[i] != '0')
            return -EINVAL; /* finer than one millicore */
    }
    if (i == first || i != len)
        return -EINVAL;
    for (; digits < 3; digits++)
        frac *= 10;
    int64_t m;
    if (overflow || mul_checked(whole, 1000, &m) || m > INT64_MAX - frac)
        return -ERANGE;
    *millicores = m + frac;
    return 0;
}

/* A minus sign in front of something that parses makes it -ERANGE (TREE.md:
 * negative values parse but are out of range); "-" before garbage is -EINVAL. */
static int parse_signed(const char *s, size_t len, int64_t *out,
                        int (*parse_unsigned)(const char *, size_t, int64_t *))
{
    if (len > 0 && s[0] == '-') {
        int64_t ignored;
        int rc = parse_unsigned(s + 1, len - 1, &ignored);
        return rc == -EINVAL ? -EINVAL : -ERANGE;
    }
    return parse_unsigned(s, len, out);
}

/* A limit: trimmed, "max" (when allowed) or an amount parse_unsigned takes. */
static int parse_limit(const char *s, size_t len, int allow_max, int64_t *out,
                       int (*parse_unsigned)(const char *, size_t, int64_t *))
{
    const char *v;
    size_t n;
    int rc = units_trim(s, len, &v, &n);
    if (rc)
        return rc;
    if (is_max(v, n)) {
        if (!allow_max)
            return -EINVAL;
        *out = FOG_UNLIMITED;
        return 0;
    }
    return parse_signed(v, n, out, parse_unsigned);
}

int units_parse_cpu(const char *s, size_t len, int allow_max, int64_t *millicores)
{
    return parse_limit(s, len, allow_max, millicores, parse_cpu_unsigned);
}

void units_format_cpu(int64_t millicores, char *buf, size_t len)
{
    if (!buf || !len)
        return;
    if (millicores == FOG_UNLIMITED)
        snprintf(buf, len, "max");
    else
        snprintf(buf, len, "%" PRId64 "m", millicores);
}

/* Bytes with an optional binary suffix: K M G T, or Ki Mi Gi Ti (the same).
 * Lower case is refused: "256m" would read as millicores or millibytes. */
static int parse_mem_unsigned(const char *s, size_t len, int64_t *bytes)
{
    size_t i = 0;
    int64_t v = 0;
    int n = take_digits(s, len, &i, &v);
    int overflow = n == -ERANGE;
    if (overflow) {
        while (i < len && is_digit((unsigned char)s[i]))
            i++;
    } else if (n == 0) {
        return -EINVAL;
    }
    int shift = 0;
    if (i < len) {
        switch (s[i]) {
        case 'K': shift = 10; break;
        case 'M': shift = 20; break;
        case 'G': shift = 30; break;
        case 'T': shift = 40; break;
        default: return -EINVAL;
        }
        i++;
        if (i < len && s[i] == 'i')
            i++;
        if (i != len)
            return -EINVAL;
    }
    if (overflow || v > (INT64_MAX >> shift))
        return -ERANGE;
    *bytes = v << shift;
    return 0;
}

int units_parse_mem(const char *s, size_t len, int allow_max, int64_t *bytes)
{
    return parse_limit(s, len, allow_max, bytes, parse_mem_unsigned);
}

void units_format_mem(int64_t bytes, char *buf, size_t len)
{
    if (!buf || !len)
        return;
    if (bytes == FOG_UNLIMITED)
        snprintf(buf, len, "max");
    else
        snprintf(buf, len, "%" PRId64, bytes);
}

static int parse_int_unsigned(const char *s, size_t len, int64_t *out)
{
    size_t i = 0;
    int64_t v = 0;
    int n = take_digits(s, len, &i, &v);
    if (n == -ERANGE) {
        while (i < len && is_digit((unsigned char)s[i]))
            i++;
        return i == len ? -ERANGE : -EINVAL;
    }
    if (n == 0 || i != len)
        return -EINVAL;
    *out = v;
    return 0;
}

int units_parse_int(const char *s, size_t len, int64_t min, int64_t max, int64_t *out)
{
    const char *v;
    size_t n;
    if (min > max)
        return -EINVAL;
    int rc = units_trim(s, len, &v, &n);
    if (rc)
        return rc;
    int negative = n > 0 && v[0] == '-';
    int64_t value;
    rc = parse_int_unsigned(v + negative, n - negative, &value);
    if (rc)
        return rc;
    if (negative)
        value = -value;
    if (value < min || value > max)
        return -ERANGE;
    *out = value;
    return 0;
}

static int is_name_char(unsigned char c, int first)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c))
        return 1;
    return !first && (c == '_' || c == '.' || c == '-');
}

int units_check_name(const char *s, size_t len)
{
    if (!s || len == 0 || len > 63)
        return -EINVAL;
    for (size_t i = 0; i < len; i++)
        if (!is_name_char((unsigned char)s[i], i == 0))
            return -EINVAL;
    return 0;
}
