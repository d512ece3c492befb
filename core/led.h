/* The 8x8 LED frame of a node: the row map (which metric each row shows and
 * on what scale), bars with hysteresis, and the text forms of led/rows,
 * led/map and led/brightness. Pure functions; fogfs serves them, ledd reads. */
#ifndef FOG_LED_H
#define FOG_LED_H
#include <stddef.h>
#include <stdint.h>
#include "core/metrics.h"

#define FOG_LED_ROWS 8
#define FOG_LED_COLS 8
/* led/rows: 8 lines of 8 chars ('#' lit, '.' dark), each ending in '\n'. */
#define FOG_LED_ROWS_TEXT_LEN (FOG_LED_ROWS * (FOG_LED_COLS + 1))
/* Longest led/map text fog_led_map_format() writes (8 lines of at most 80). */
#define FOG_LED_MAP_TEXT_MAX (FOG_LED_ROWS * 80)
#define FOG_LED_BRIGHTNESS_MAX 15
#define FOG_LED_BRIGHTNESS_DEFAULT 8
/* How far (in LEDs) a linear or log bar must pass a boundary before it moves
 * away from the count it showed last time. Count bars have none. */
#define FOG_LED_HYSTERESIS 0.25

/* What a row shows: the metrics/ file of the same name, or nothing. */
enum fog_led_metric {
    FOG_LED_NONE = 0,
    FOG_LED_CONTAINERS,     /* metrics/containers */
    FOG_LED_CPU,            /* metrics/cpu, percent */
    FOG_LED_MEM,            /* metrics/mem, percent */
    FOG_LED_NET_RX,         /* metrics/net_rx, bytes/s */
    FOG_LED_NET_TX,
    FOG_LED_IOPS_READ,      /* metrics/iops_read, per second */
    FOG_LED_IOPS_WRITE,
};

/* How a value becomes a number n of lit LEDs (0..8, lit from the left):
 *   count:  n = min(floor(v), full)              full an integer 1..8
 *   linear: n = round(8 v / full)                full > 0
 *   log:    n = ceil(8 clamp(log(v/min) / log(full/min), 0, 1))   full > min
 * where min is the metric's floor (fog_led_log_floor(): 1000 bytes/s for
 * net_rx/net_tx, 1 for the others) unless the map line gives a fifth field. */
enum fog_led_scale {
    FOG_LED_COUNT = 0,
    FOG_LED_LINEAR,
    FOG_LED_LOG,
};

struct fog_led_row_map {
    enum fog_led_metric metric;
    enum fog_led_scale scale;
    double full;            /* value that lights the whole row */
    double min;             /* log only: value at which the bar starts */
};

struct fog_led_map {
    struct fog_led_row_map row[FOG_LED_ROWS];
};

/* What the caller keeps per node between two renders so bars do not
 * flicker on a boundary. Zero-initialise it (or fog_led_state_reset()).
 * A row whose map changed since the last render starts afresh. */
struct fog_led_state {
    int valid[FOG_LED_ROWS];
    int lit[FOG_LED_ROWS];
    struct fog_led_row_map map[FOG_LED_ROWS];   /* map the lit count was made with */
};

/* The default map: 0 containers count 8, 1 cpu linear 100, 2 mem linear 100,
 * 3 net_rx / 4 net_tx log 1 kB/s..125 MB/s, 5 iops_read / 6 iops_write log
 * 1..10000/s, 7 none. */
void fog_led_map_default(struct fog_led_map *map);

/* Names as in metrics/ ("cpu", "net_rx", ... "none") and scales ("count",
 * "linear", "log"). The lookups return 0 or -EINVAL. */
const char *fog_led_metric_name(enum fog_led_metric metric);
const char *fog_led_scale_name(enum fog_led_scale scale);
int fog_led_metric_from_name(const char *name, size_t len, enum fog_led_metric *out);
int fog_led_scale_from_name(const char *name, size_t len, enum fog_led_scale *out);
/* The log scale's default bottom for a metric (1000 for net_*, else 1). */
double fog_led_log_floor(enum fog_led_metric metric);

/* Parses a write to led/map. Each non-empty line is
 *     "<row> <metric> <scale> <full> [<min>]"      (fields split by blanks)
 * or "<row> none" (a dark row; scale and full may follow and are ignored).
 * Lines change only the rows they name; the other rows keep their mapping
 * from *base (pass the current map; NULL means the default map), so writing
 * back what a read returned changes nothing and "1 cpu log 100" changes
 * row 1 alone. <min> is allowed for log only. *out is written only on
 * success. Returns
 *   -EINVAL: empty value, a line that does not parse, an unknown metric or
 *            scale, a row given twice, a NUL or control byte;
 *   -ERANGE: row outside 0..7, full not > 0 (count: not an integer 1..8),
 *            log with min not > 0 or full not > min, values not finite. */
int fog_led_map_parse(const char *text, size_t len, const struct fog_led_map *base,
                      struct fog_led_map *out);
/* Checks a map built in code the way fog_led_map_parse() checks text. */
int fog_led_map_check(const struct fog_led_map *map);
/* Writes led/map: 8 lines "<row> <metric> <scale> <full>\n" in row order,
 * numbers in %.15g form (125000000, 0.5); a log row whose min differs
 * from fog_led_log_floor() gets the fifth field; a dark row is
 * "7 none count 0". NUL-terminated.
 * *len = bytes written (without the NUL). -ENOSPC if size is too small
 * (FOG_LED_MAP_TEXT_MAX + 1 always suffices). */
int fog_led_map_format(const struct fog_led_map *map, char *buf, size_t size, size_t *len);

/* The value a row's metric has in a sample (0 for FOG_LED_NONE). */
double fog_led_metric_value(const struct fog_node_metrics *m, enum fog_led_metric metric);
/* The bar of one row without hysteresis: 0..8 LEDs lit. */
int fog_led_bar(const struct fog_led_row_map *row, double value);
/* The bar with hysteresis against st (may be NULL: none), and st updated.
 * row_index selects the slot in st. */
int fog_led_bar_steady(const struct fog_led_row_map *row, double value,
                       struct fog_led_state *st, int row_index);
void fog_led_state_reset(struct fog_led_state *st);

/* Renders led/rows for a sample: exactly FOG_LED_ROWS_TEXT_LEN bytes into
 * buf plus a NUL (size >= FOG_LED_ROWS_TEXT_LEN + 1, else -ENOSPC).
 * st may be NULL (no hysteresis); otherwise it is read and updated, so the
 * caller should render once per new sample, keep the text, and serve reads
 * from it (rendering the same sample again gives the same text). */
int fog_led_render(const struct fog_led_map *map, const struct fog_node_metrics *m,
                   struct fog_led_state *st, char *buf, size_t size);

/* A frame as bits: row r column c is lit when rows[r] & (1 << c);
 * column 0 is the leftmost char of a line. */
struct fog_led_frame {
    uint8_t rows[FOG_LED_ROWS];
};

/* Parses a led/rows text (any file of 8 lines of 8 '#'/'.' chars): trailing
 * white space on a line and a missing final newline are accepted, anything
 * else is -EINVAL (wrong count of lines or chars, other chars). */
int fog_led_rows_parse(const char *text, size_t len, struct fog_led_frame *out);
/* Writes a frame as led/rows text (size >= FOG_LED_ROWS_TEXT_LEN + 1). */
int fog_led_rows_format(const struct fog_led_frame *frame, char *buf, size_t size);

/* Parses a write to (or a read of) led/brightness: an integer, blanks around
 * it ignored. -EINVAL if it does not parse, -ERANGE outside 0..15. */
int fog_led_brightness_parse(const char *text, size_t len, int *out);

#endif
