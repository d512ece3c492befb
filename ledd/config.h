/* ledd's settings: defaults, the config file ("key = value" lines, '#'
 * comments) and the checks on them. See docs/ledd.8 for every key. */
#ifndef LEDD_CONFIG_H
#define LEDD_CONFIG_H
#include <limits.h>
#include <stddef.h>

enum ledd_driver_kind { LEDD_DRIVER_MAX7219, LEDD_DRIVER_MATRIX16, LEDD_DRIVER_TERM };

struct ledd_config {
    enum ledd_driver_kind driver;
    char chip[256];             /* "auto", "gpiochip0", "/dev/gpiochip0", a label */
    char rows_path[PATH_MAX];   /* default /fog/<hostname>/led/rows */
    char brightness_path[PATH_MAX];   /* "" = none: use brightness */
    double interval;            /* seconds between two reads of the files */
    int brightness;             /* 0..15 when brightness_path gives none */
    /* max7219 */
    unsigned din, cs, clk;      /* line offsets (BCM numbers on a Pi) */
    int active_low;             /* the three lines inverted (level shifter) */
    double reinit;              /* seconds between full re-inits, 0 never */
    /* matrix16 */
    unsigned row_lines[8], col_lines[8];
    int row_active_low, col_active_low;
    int frame_rate;             /* full scans per second, 100..2000 */
    /* both */
    int rotate;                 /* 0, 90, 180, 270 clockwise */
    int mirror_h, mirror_v;     /* after rotating: swap columns / rows */
    char consumer[32];          /* the name the kernel shows for our lines */
};

/* Fills every default; host names the node (NULL: gethostname()). */
void ledd_config_defaults(struct ledd_config *cfg, const char *host);
/* Applies one "key = value" setting (also used for command-line options).
 * -EINVAL unknown key or bad value, -ERANGE out of range. */
int ledd_config_set(struct ledd_config *cfg, const char *key, const char *value);
/* Applies a whole config file's text. On failure *bad_line is the
 * 1-based line at fault. */
int ledd_config_parse(struct ledd_config *cfg, const char *text, size_t len, int *bad_line);
/* Reads and applies a file; -errno from open/read too. */
int ledd_config_load(struct ledd_config *cfg, const char *path, int *bad_line);
const char *ledd_driver_name(enum ledd_driver_kind kind);

#endif
