/* ledd's config: defaults, "key = value" parsing, value checks. Keys and
 * their meaning are listed in docs/ledd.8 and scripts/ledd.conf.example. */
#include "ledd/config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Offsets on the Raspberry Pi header (BCM numbering): the SPI0 pins for a
 * MAX7219 (MOSI, CE0, SCLK), and 16 free pins for a bare matrix. */
static const unsigned default_rows[8] = { 2, 3, 4, 17, 27, 22, 5, 6 };
static const unsigned default_cols[8] = { 13, 19, 26, 12, 16, 20, 21, 18 };

const char *ledd_driver_name(enum ledd_driver_kind kind)
{
    switch (kind) {
    case LEDD_DRIVER_MAX7219: return "max7219";
    case LEDD_DRIVER_MATRIX16: return "matrix16";
    case LEDD_DRIVER_TERM: return "term";
    }
    return "?";
}

void ledd_config_defaults(struct ledd_config *cfg, const char *host)
{
    char name[256] = "localhost";
    memset(cfg, 0, sizeof *cfg);
    if (host)
        snprintf(name, sizeof name, "%s", host);
    else if (gethostname(name, sizeof name - 1) != 0)
        snprintf(name, sizeof name, "localhost");
    cfg->driver = LEDD_DRIVER_MAX7219;
    snprintf(cfg->chip, sizeof cfg->chip, "auto");
    snprintf(cfg->rows_path, sizeof cfg->rows_path, "/fog/%s/led/rows", name);
    snprintf(cfg->brightness_path, sizeof cfg->brightness_path, "/fog/%s/led/brightness", name);
    cfg->interval = 1.0;
    cfg->brightness = 8;
    cfg->din = 10;
    cfg->cs = 8;
    cfg->clk = 11;
    cfg->reinit = 60;
    memcpy(cfg->row_lines, default_rows, sizeof default_rows);
    memcpy(cfg->col_lines, default_cols, sizeof default_cols);
    cfg->frame_rate = 125;
    snprintf(cfg->consumer, sizeof cfg->consumer, "ledd");
}

static int parse_double(const char *v, double min, double max, double *out)
{
    char *end;
    double d;
    errno = 0;
    d = strtod(v, &end);
    if (end == v || *end || errno || !isfinite(d))
        return -EINVAL;
    if (d < min || d > max)
        return -ERANGE;
    *out = d;
    return 0;
}

static int parse_long(const char *v, long min, long max, long *out)
{
    char *end;
    long n;
    errno = 0;
    n = strtol(v, &end, 10);
    if (end == v || *end || errno)
        return -EINVAL;
    if (n < min || n > max)
        return -ERANGE;
    *out = n;
    return 0;
}

static int parse_offset(const char *v, unsigned *out)
{
    long n;
    int rc = parse_long(v, 0, 1023, &n);
    if (!rc)
        *out = (unsigned)n;
    return rc;
}

static int parse_bool(const char *v, int *out)
{
    if (!strcmp(v, "1") || !strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "on"))
        *out = 1;
    else if (!strcmp(v, "0") || !strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "off"))
        *out = 0;
    else
        return -EINVAL;
    return 0;
}

/* Exactly eight distinct offsets separated by blanks or commas. */
static int parse_eight(const char *v, unsigned out[8])
{
    unsigned got[8];
    int n = 0;
    const char *p = v;
    while (*p) {
        char word[16];
        size_t len;
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (!*p)
            break;
        len = strcspn(p, " \t,");
        if (len >= sizeof word || n == 8)
            return -EINVAL;
        memcpy(word, p, len);
        word[len] = 0;
        int rc = parse_offset(word, &got[n]);
        if (rc)
            return rc;
        for (int i = 0; i < n; i++)
            if (got[i] == got[n])
                return -EINVAL;
        n++;
        p += len;
    }
    if (n != 8)
        return -EINVAL;
    memcpy(out, got, sizeof got);
    return 0;
}

static int copy_string(char *dst, size_t size, const char *v)
{
    if (snprintf(dst, size, "%s", v) >= (int)size)
        return -ERANGE;
    return 0;
}

int ledd_config_set(struct ledd_config *cfg, const char *key, const char *v)
{
    long n;
    int rc;
    if (!strcmp(key, "driver")) {
        if (!strcmp(v, "max7219"))
            cfg->driver = LEDD_DRIVER_MAX7219;
        else if (!strcmp(v, "matrix16"))
            cfg->driver = LEDD_DRIVER_MATRIX16;
        else if (!strcmp(v, "term"))
            cfg->driver = LEDD_DRIVER_TERM;
        else
            return -EINVAL;
        return 0;
    }
    if (!strcmp(key, "chip"))
        return *v ? copy_string(cfg->chip, sizeof cfg->chip, v) : -EINVAL;
    if (!strcmp(key, "rows"))
        return *v ? copy_string(cfg->rows_path, sizeof cfg->rows_path, v) : -EINVAL;
    if (!strcmp(key, "brightness_file"))
        return copy_string(cfg->brightness_path, sizeof cfg->brightness_path, v);
    if (!strcmp(key, "interval"))
        return parse_double(v, 0.01, 3600, &cfg->interval);
    if (!strcmp(key, "reinit"))
        return parse_double(v, 0, 86400, &cfg->reinit);
    if (!strcmp(key, "brightness")) {
        rc = parse_long(v, 0, 15, &n);
        if (!rc)
            cfg->brightness = (int)n;
        return rc;
    }
    if (!strcmp(key, "din"))
        return parse_offset(v, &cfg->din);
    if (!strcmp(key, "cs"))
        return parse_offset(v, &cfg->cs);
    if (!strcmp(key, "clk"))
        return parse_offset(v, &cfg->clk);
    if (!strcmp(key, "active_low"))
        return parse_bool(v, &cfg->active_low);
    if (!strcmp(key, "row_lines"))
        return parse_eight(v, cfg->row_lines);
    if (!strcmp(key, "col_lines"))
        return parse_eight(v, cfg->col_lines);
    if (!strcmp(key, "row_active_low"))
        return parse_bool(v, &cfg->row_active_low);
    if (!strcmp(key, "col_active_low"))
        return parse_bool(v, &cfg->col_active_low);
    if (!strcmp(key, "frame_rate")) {
        rc = parse_long(v, 100, 2000, &n);
        if (!rc)
            cfg->frame_rate = (int)n;
        return rc;
    }
    if (!strcmp(key, "rotate")) {
        rc = parse_long(v, 0, 270, &n);
        if (rc)
            return rc;
        if (n % 90)
            return -EINVAL;
        cfg->rotate = (int)n;
        return 0;
    }
    if (!strcmp(key, "mirror")) {
        if (!strcmp(v, "none"))
            cfg->mirror_h = 0, cfg->mirror_v = 0;
        else if (!strcmp(v, "horizontal"))
            cfg->mirror_h = 1, cfg->mirror_v = 0;
        else if (!strcmp(v, "vertical"))
            cfg->mirror_h = 0, cfg->mirror_v = 1;
        else if (!strcmp(v, "both"))
            cfg->mirror_h = 1, cfg->mirror_v = 1;
        else
            return -EINVAL;
        return 0;
    }
    if (!strcmp(key, "consumer"))
        return *v ? copy_string(cfg->consumer, sizeof cfg->consumer, v) : -EINVAL;
    return -EINVAL;
}

static char *trim(char *s)
{
    char *end;
    while (isspace((unsigned char)*s))
        s++;
    end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1]))
        *--end = 0;
    return s;
}

int ledd_config_parse(struct ledd_config *cfg, const char *text, size_t len, int *bad_line)
{
    struct ledd_config next = *cfg;
    size_t pos = 0;
    int line_no = 0;

    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t line_len = nl ? (size_t)(nl - (text + pos)) : len - pos;
        char line[1024], *hash, *eq, *key, *value;
        int rc;
        line_no++;
        if (bad_line)
            *bad_line = line_no;
        if (line_len >= sizeof line || memchr(text + pos, 0, line_len))
            return -EINVAL;
        memcpy(line, text + pos, line_len);
        line[line_len] = 0;
        pos += line_len + (nl ? 1 : 0);
        hash = strchr(line, '#');
        if (hash)
            *hash = 0;
        key = trim(line);
        if (!*key)
            continue;
        eq = strchr(key, '=');
        if (!eq)
            return -EINVAL;
        *eq = 0;
        value = trim(eq + 1);
        key = trim(key);
        rc = ledd_config_set(&next, key, value);
        if (rc)
            return rc;
    }
    if (bad_line)
        *bad_line = 0;
    *cfg = next;
    return 0;
}

int ledd_config_load(struct ledd_config *cfg, const char *path, int *bad_line)
{
    char buf[16384];
    size_t len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (bad_line)
        *bad_line = 0;
    if (fd < 0)
        return -errno;
    for (;;) {
        ssize_t n = read(fd, buf + len, sizeof buf - len);
        if (n < 0) {
            int rc = -errno;
            close(fd);
            return rc;
        }
        if (n == 0)
            break;
        len += (size_t)n;
        if (len == sizeof buf) {
            close(fd);
            return -EFBIG;
        }
    }
    close(fd);
    return ledd_config_parse(cfg, buf, len, bad_line);
}
