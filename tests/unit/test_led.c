/* Unit tests of core/led.c: the default map, map parsing and printing,
 * bars per scale (count, linear, log), hysteresis, led/rows rendering and
 * parsing, brightness parsing. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "core/led.h"
#include "tests/unit/check.h"

static const char default_map_text[] =
    "0 containers count 8\n"
    "1 cpu linear 100\n"
    "2 mem linear 100\n"
    "3 net_rx log 125000000\n"
    "4 net_tx log 125000000\n"
    "5 iops_read log 10000\n"
    "6 iops_write log 10000\n"
    "7 none count 0\n";

/* check.h's CHECK() trips -Wmisleading-indentation and CHECK_EQ_STR's
 * message -Wformat-truncation on long texts (both -Werror), so: */
#define CHECK_TRUE(cond) CHECK_EQ_INT(!!(cond), 1)
#define CHECK_TEXT(got, want) do { if (strcmp((got), (want)) != 0) { \
    printf("# got:\n%s# want:\n%s", (got), (want)); CHECK_EQ_INT(strcmp((got), (want)), 0); } } while (0)

static int parse(const char *s, struct fog_led_map *out)
{
    return fog_led_map_parse(s, strlen(s), NULL, out);
}

static void test_led_default_map_text(void)
{
    struct fog_led_map map;
    char buf[FOG_LED_MAP_TEXT_MAX + 1];
    size_t len = 0;
    fog_led_map_default(&map);
    CHECK_EQ_INT(fog_led_map_check(&map), 0);
    CHECK_EQ_INT(fog_led_map_format(&map, buf, sizeof buf, &len), 0);
    CHECK_TEXT(buf, default_map_text);
    CHECK_EQ_INT(len, strlen(default_map_text));
    CHECK_EQ_INT(fog_led_map_format(&map, buf, 20, &len), -ENOSPC);
}

static void test_led_map_roundtrip_and_partial(void)
{
    struct fog_led_map def, map, again;
    char buf[FOG_LED_MAP_TEXT_MAX + 1];
    size_t len;
    fog_led_map_default(&def);
    /* Writing back what a read returned changes nothing. */
    CHECK_EQ_INT(parse(default_map_text, &map), 0);
    CHECK_TRUE(memcmp(&map, &def, sizeof map) == 0);
    /* One line changes one row; blanks and CRLF are fine. */
    CHECK_EQ_INT(fog_led_map_parse("  1\tcpu  log 100 \r\n\n", 20, &def, &map), 0);
    CHECK_EQ_INT(map.row[1].scale, FOG_LED_LOG);
    CHECK_TRUE(map.row[1].min == 1.0);
    CHECK_EQ_INT(map.row[2].metric, FOG_LED_MEM);
    /* A log row with its own bottom prints a fifth field and parses back. */
    CHECK_EQ_INT(fog_led_map_parse("7 net_rx log 1e6 10", 19, &map, &map), 0);
    CHECK_EQ_INT(fog_led_map_format(&map, buf, sizeof buf, &len), 0);
    CHECK_TRUE(strstr(buf, "7 net_rx log 1000000 10\n") != NULL);
    CHECK_TRUE(strstr(buf, "1 cpu log 100\n") != NULL);
    CHECK_EQ_INT(parse(buf, &again), 0);
    CHECK_TRUE(memcmp(&again, &map, sizeof map) == 0);
    /* "<row> none" darkens a row. */
    CHECK_EQ_INT(fog_led_map_parse("1 none", 6, &map, &map), 0);
    CHECK_EQ_INT(map.row[1].metric, FOG_LED_NONE);
    CHECK_EQ_INT(parse("0 none linear 5", &map), 0);
    CHECK_EQ_INT(map.row[0].metric, FOG_LED_NONE);
    CHECK_EQ_INT(parse("2 mem linear 0.5", &map), 0);
    CHECK_TRUE(map.row[2].full == 0.5);
}

static void test_led_map_rejects(void)
{
    struct fog_led_map map, keep;
    fog_led_map_default(&keep);
    map = keep;
    /* -EINVAL: does not parse. */
    CHECK_EQ_INT(parse("", &map), -EINVAL);
    CHECK_EQ_INT(parse(" \n \n", &map), -EINVAL);
    CHECK_EQ_INT(parse("1 cpu", &map), -EINVAL);
    CHECK_EQ_INT(parse("1 cpu linear", &map), -EINVAL);
    CHECK_EQ_INT(parse("1 gpu linear 100", &map), -EINVAL);
    CHECK_EQ_INT(parse("1 cpu sqrt 100", &map), -EINVAL);
    CHECK_EQ_INT(parse("1 cpu linear abc", &map), -EINVAL);
    CHECK_EQ_INT(parse("1 cpu linear nan", &map), -EINVAL);
    CHECK_EQ_INT(parse("1 cpu linear 0x10", &map), -EINVAL);
    CHECK_EQ_INT(parse("x cpu linear 100", &map), -EINVAL);
    CHECK_EQ_INT(parse("1.5 cpu linear 100", &map), -EINVAL);
    CHECK_EQ_INT(parse("1 cpu linear 100 5", &map), -EINVAL);   /* min: log only */
    CHECK_EQ_INT(parse("1 cpu log 100 5 6", &map), -EINVAL);
    CHECK_EQ_INT(parse("1 cpu linear 100\n1 mem linear 100", &map), -EINVAL);
    CHECK_EQ_INT(fog_led_map_parse("1 cpu linear 100\0", 17, NULL, &map), -EINVAL);
    CHECK_EQ_INT(parse("1 cpu linear\x01 100", &map), -EINVAL);
    /* -ERANGE: parses, out of range. */
    CHECK_EQ_INT(parse("8 cpu linear 100", &map), -ERANGE);
    CHECK_EQ_INT(parse("-1 cpu linear 100", &map), -ERANGE);
    CHECK_EQ_INT(parse("1 cpu linear 0", &map), -ERANGE);
    CHECK_EQ_INT(parse("1 cpu linear -5", &map), -ERANGE);
    CHECK_EQ_INT(parse("1 cpu linear 1e999", &map), -ERANGE);
    CHECK_EQ_INT(parse("0 containers count 9", &map), -ERANGE);
    CHECK_EQ_INT(parse("0 containers count 2.5", &map), -ERANGE);
    CHECK_EQ_INT(parse("3 net_rx log 500", &map), -ERANGE);      /* full <= floor 1000 */
    CHECK_EQ_INT(parse("3 net_rx log 5000 0", &map), -ERANGE);
    CHECK_EQ_INT(parse("3 net_rx log 5000 6000", &map), -ERANGE);
    /* A range error with a later line that does not parse is -EINVAL. */
    CHECK_EQ_INT(parse("9 cpu linear 100\n1 bogus", &map), -EINVAL);
    /* Nothing changed on any failure. */
    CHECK_TRUE(memcmp(&map, &keep, sizeof map) == 0);
    /* fog_led_map_check() applies the same rules to a map built in code. */
    map.row[1].full = -1;
    CHECK_EQ_INT(fog_led_map_check(&map), -ERANGE);
}

static void test_led_bar_count(void)
{
    struct fog_led_row_map r = { FOG_LED_CONTAINERS, FOG_LED_COUNT, 8, 0 };
    CHECK_EQ_INT(fog_led_bar(&r, 0), 0);
    CHECK_EQ_INT(fog_led_bar(&r, 1), 1);
    CHECK_EQ_INT(fog_led_bar(&r, 7), 7);
    CHECK_EQ_INT(fog_led_bar(&r, 8), 8);
    CHECK_EQ_INT(fog_led_bar(&r, 30), 8);
    CHECK_EQ_INT(fog_led_bar(&r, -3), 0);
    r.full = 4;
    CHECK_EQ_INT(fog_led_bar(&r, 6), 4);
}

static void test_led_bar_linear(void)
{
    struct fog_led_row_map r = { FOG_LED_CPU, FOG_LED_LINEAR, 100, 0 };
    /* round(8v/100): 6.25 -> 0.5 rounds up to 1, 6.2 -> 0.496 down to 0. */
    CHECK_EQ_INT(fog_led_bar(&r, 0), 0);
    CHECK_EQ_INT(fog_led_bar(&r, 6.2), 0);
    CHECK_EQ_INT(fog_led_bar(&r, 6.25), 1);
    CHECK_EQ_INT(fog_led_bar(&r, 50), 4);
    CHECK_EQ_INT(fog_led_bar(&r, 93), 7);    /* 7.44 */
    CHECK_EQ_INT(fog_led_bar(&r, 94), 8);    /* 7.52 */
    CHECK_EQ_INT(fog_led_bar(&r, 100), 8);
    CHECK_EQ_INT(fog_led_bar(&r, 400), 8);
    CHECK_EQ_INT(fog_led_bar(&r, NAN), 0);
    for (int v = 0; v <= 100; v++)
        CHECK_EQ_INT(fog_led_bar(&r, v), (int)lround(8.0 * v / 100));
}

static void test_led_bar_log(void)
{
    struct fog_led_map map;
    fog_led_map_default(&map);
    const struct fog_led_row_map *net = &map.row[3], *io = &map.row[5];
    /* iops 1..10000: each decade is 2 LEDs. */
    CHECK_EQ_INT(fog_led_bar(io, 0), 0);
    CHECK_EQ_INT(fog_led_bar(io, 1), 0);
    CHECK_EQ_INT(fog_led_bar(io, 1.01), 1);   /* ceil of a sliver */
    CHECK_EQ_INT(fog_led_bar(io, 10), 2);
    CHECK_EQ_INT(fog_led_bar(io, 11), 3);
    CHECK_EQ_INT(fog_led_bar(io, 100), 4);
    CHECK_EQ_INT(fog_led_bar(io, 1000), 6);
    CHECK_EQ_INT(fog_led_bar(io, 10000), 8);
    CHECK_EQ_INT(fog_led_bar(io, 1e9), 8);
    /* net 1 kB/s..125 MB/s, against the formula. */
    CHECK_EQ_INT(fog_led_bar(net, 999), 0);
    CHECK_EQ_INT(fog_led_bar(net, 125e6), 8);
    const double vals[] = { 1500, 12e3, 1e5, 2.5e6, 1e7, 9e7, 1.2e8 };
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        double f = log(vals[i] / 1000) / log(125e6 / 1000);
        CHECK_EQ_INT(fog_led_bar(net, vals[i]), (int)ceil(8 * f));
    }
}

static void test_led_bar_hysteresis(void)
{
    struct fog_led_row_map r = { FOG_LED_CPU, FOG_LED_LINEAR, 100, 0 };
    struct fog_led_state st;
    fog_led_state_reset(&st);
    /* Boundary between 3 and 4 LEDs is at 43.75 %. */
    CHECK_EQ_INT(fog_led_bar_steady(&r, 43.0, &st, 1), 3);
    CHECK_EQ_INT(fog_led_bar_steady(&r, 44.5, &st, 1), 3);   /* just over: holds */
    CHECK_EQ_INT(fog_led_bar_steady(&r, 43.0, &st, 1), 3);
    CHECK_EQ_INT(fog_led_bar_steady(&r, 44.5, &st, 1), 3);
    CHECK_EQ_INT(fog_led_bar_steady(&r, 47.0, &st, 1), 4);   /* past by > 0.25 LED */
    CHECK_EQ_INT(fog_led_bar_steady(&r, 43.0, &st, 1), 4);   /* just under: holds */
    CHECK_EQ_INT(fog_led_bar_steady(&r, 40.0, &st, 1), 3);   /* well under: moves */
    /* Big jumps go straight there; zero always goes dark. */
    CHECK_EQ_INT(fog_led_bar_steady(&r, 100, &st, 1), 8);
    CHECK_EQ_INT(fog_led_bar_steady(&r, 0, &st, 1), 0);
    /* A row whose map changed starts afresh. */
    CHECK_EQ_INT(fog_led_bar_steady(&r, 47.0, &st, 1), 4);
    r.full = 50;
    CHECK_EQ_INT(fog_led_bar_steady(&r, 21.5, &st, 1), 3);   /* 3.44: no hold at 4 */
    /* Log: a value hovering on 10 iops stays put either side. */
    struct fog_led_row_map io = { FOG_LED_IOPS_READ, FOG_LED_LOG, 1e4, 1 };
    CHECK_EQ_INT(fog_led_bar_steady(&io, 9.9, &st, 5), 2);
    CHECK_EQ_INT(fog_led_bar_steady(&io, 10.2, &st, 5), 2);
    CHECK_EQ_INT(fog_led_bar_steady(&io, 9.8, &st, 5), 2);
    CHECK_EQ_INT(fog_led_bar_steady(&io, 20, &st, 5), 3);
    CHECK_EQ_INT(fog_led_bar_steady(&io, 11, &st, 5), 3);    /* 2.08: holds at 3 */
    CHECK_EQ_INT(fog_led_bar_steady(&io, 8, &st, 5), 3);     /* 1.81: holds */
    CHECK_EQ_INT(fog_led_bar_steady(&io, 6, &st, 5), 2);
    CHECK_EQ_INT(fog_led_bar_steady(&io, 0.5, &st, 5), 0);
    /* Without a state there is no hysteresis. */
    CHECK_EQ_INT(fog_led_bar_steady(&r, 22.5, NULL, 1), 4);
    /* Count bars move at once. */
    struct fog_led_row_map cnt = { FOG_LED_CONTAINERS, FOG_LED_COUNT, 8, 0 };
    CHECK_EQ_INT(fog_led_bar_steady(&cnt, 3, &st, 0), 3);
    CHECK_EQ_INT(fog_led_bar_steady(&cnt, 4, &st, 0), 4);
    CHECK_EQ_INT(fog_led_bar_steady(&cnt, 3, &st, 0), 3);
}

static void test_led_render(void)
{
    struct fog_led_map map;
    struct fog_led_state st;
    struct fog_node_metrics m;
    char buf[FOG_LED_ROWS_TEXT_LEN + 1];
    fog_led_map_default(&map);
    fog_led_state_reset(&st);
    memset(&m, 0, sizeof m);
    m.containers_running = 3;
    m.cpu_percent = 50;
    m.mem_percent = 100;
    m.net_rx_bps = 125e6;
    m.net_tx_bps = 0;
    m.iops_read = 10;
    m.iops_write = 1000;
    CHECK_EQ_INT(fog_led_render(&map, &m, &st, buf, sizeof buf), 0);
    CHECK_TEXT(buf,
                 "###.....\n"
                 "####....\n"
                 "########\n"
                 "########\n"
                 "........\n"
                 "##......\n"
                 "######..\n"
                 "........\n");
    CHECK_EQ_INT(strlen(buf), FOG_LED_ROWS_TEXT_LEN);
    /* Same sample again: same text. */
    char again[FOG_LED_ROWS_TEXT_LEN + 1];
    CHECK_EQ_INT(fog_led_render(&map, &m, &st, again, sizeof again), 0);
    CHECK_TEXT(again, buf);
    CHECK_EQ_INT(fog_led_render(&map, &m, &st, buf, FOG_LED_ROWS_TEXT_LEN), -ENOSPC);
    /* Row 7 mapped to cpu lights, then "none" darkens it again. */
    CHECK_EQ_INT(fog_led_map_parse("7 cpu linear 50", 15, &map, &map), 0);
    CHECK_EQ_INT(fog_led_render(&map, &m, NULL, buf, sizeof buf), 0);
    CHECK_EQ_STR(buf + 7 * 9, "########\n");
}

static void test_led_rows_parse(void)
{
    struct fog_led_frame f;
    char buf[FOG_LED_ROWS_TEXT_LEN + 1];
    const char *text = "#.......\n.#......\n..#.....\n...#....\n"
                       "....#...\n.....#..\n......#.\n########\n";
    CHECK_EQ_INT(fog_led_rows_parse(text, strlen(text), &f), 0);
    CHECK_EQ_INT(f.rows[0], 0x01);
    CHECK_EQ_INT(f.rows[6], 0x40);
    CHECK_EQ_INT(f.rows[7], 0xff);
    CHECK_EQ_INT(fog_led_rows_format(&f, buf, sizeof buf), 0);
    CHECK_TEXT(buf, text);
    /* No final newline, trailing blanks, CRLF, blank lines after: fine. */
    const char *loose = "#.......\r\n.#......  \n..#.....\n...#....\n"
                        "....#...\n.....#..\n......#.\n########\n\n";
    CHECK_EQ_INT(fog_led_rows_parse(loose, strlen(loose), &f), 0);
    CHECK_EQ_INT(fog_led_rows_parse(text, strlen(text) - 1, &f), 0);
    /* Wrong sizes and chars. */
    CHECK_EQ_INT(fog_led_rows_parse(text, 9 * 7, &f), -EINVAL);
    CHECK_EQ_INT(fog_led_rows_parse("#######\n", 8, &f), -EINVAL);
    char bad[FOG_LED_ROWS_TEXT_LEN + 1];
    memcpy(bad, text, sizeof bad);
    bad[3] = 'x';
    CHECK_EQ_INT(fog_led_rows_parse(bad, strlen(bad), &f), -EINVAL);
    char more[FOG_LED_ROWS_TEXT_LEN + 10];
    snprintf(more, sizeof more, "%s########\n", text);
    CHECK_EQ_INT(fog_led_rows_parse(more, strlen(more), &f), -EINVAL);
}

static void test_led_brightness_parse(void)
{
    int b = -1;
    CHECK_EQ_INT(fog_led_brightness_parse("0", 1, &b), 0);
    CHECK_EQ_INT(b, 0);
    CHECK_EQ_INT(fog_led_brightness_parse(" 15\n", 4, &b), 0);
    CHECK_EQ_INT(b, 15);
    CHECK_EQ_INT(fog_led_brightness_parse("7\n", 2, &b), 0);
    CHECK_EQ_INT(b, 7);
    CHECK_EQ_INT(fog_led_brightness_parse("16", 2, &b), -ERANGE);
    CHECK_EQ_INT(fog_led_brightness_parse("-1", 2, &b), -ERANGE);
    CHECK_EQ_INT(fog_led_brightness_parse("99999999999999999999", 20, &b), -ERANGE);
    CHECK_EQ_INT(fog_led_brightness_parse("", 0, &b), -EINVAL);
    CHECK_EQ_INT(fog_led_brightness_parse(" \n", 2, &b), -EINVAL);
    CHECK_EQ_INT(fog_led_brightness_parse("high", 4, &b), -EINVAL);
    CHECK_EQ_INT(fog_led_brightness_parse("1 2", 3, &b), -EINVAL);
    CHECK_EQ_INT(fog_led_brightness_parse("-", 1, &b), -EINVAL);
    CHECK_EQ_INT(b, 7);
}

int main(void)
{
    int failed = 0;
    failed |= RUN_TEST(test_led_default_map_text);
    failed |= RUN_TEST(test_led_map_roundtrip_and_partial);
    failed |= RUN_TEST(test_led_map_rejects);
    failed |= RUN_TEST(test_led_bar_count);
    failed |= RUN_TEST(test_led_bar_linear);
    failed |= RUN_TEST(test_led_bar_log);
    failed |= RUN_TEST(test_led_bar_hysteresis);
    failed |= RUN_TEST(test_led_render);
    failed |= RUN_TEST(test_led_rows_parse);
    failed |= RUN_TEST(test_led_brightness_parse);
    return failed;
}
