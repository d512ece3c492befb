/* ledd's pure parts: config parsing and checks, rotation and mirroring,
 * the test patterns, the MAX7219 row byte. No GPIO at all. */
#include <errno.h>
#include <string.h>

#include "ledd/config.h"
#include "ledd/driver.h"
#include "ledd/frame.h"
#include "tests/unit/check.h"

#define CHECK_TRUE(cond) CHECK_EQ_INT(!!(cond), 1)
/* CHECK_EQ_STR trips -Wformat-truncation on long buffers, so: */
#define CHECK_STR(a, b) do { if (strcmp((a), (b))) printf("# \"%s\" != \"%s\"\n", (a), (b)); \
    CHECK_EQ_INT(strcmp((a), (b)), 0); } while (0)

static struct fog_led_frame frame_of(const char *text)
{
    struct fog_led_frame f = { { 0 } };
    CHECK_EQ_INT(fog_led_rows_parse(text, strlen(text), &f), 0);
    return f;
}

static int same(const struct fog_led_frame *a, const struct fog_led_frame *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

static void test_ledd_config_defaults(void)
{
    struct ledd_config c;
    ledd_config_defaults(&c, "node2");
    CHECK_STR(c.rows_path, "/fog/node2/led/rows");
    CHECK_STR(c.brightness_path, "/fog/node2/led/brightness");
    CHECK_STR(c.chip, "auto");
    CHECK_EQ_INT(c.driver, LEDD_DRIVER_MAX7219);
    CHECK_EQ_INT(c.din, 10);
    CHECK_EQ_INT(c.cs, 8);
    CHECK_EQ_INT(c.clk, 11);
    CHECK_EQ_INT(c.frame_rate >= 100, 1);
}

static void test_ledd_config_file(void)
{
    struct ledd_config c;
    int bad = -1;
    const char *text =
        "# a comment\n"
        "driver = matrix16   # trailing comment\n"
        "chip = label:pinctrl-rp1\n"
        "\n"
        "rows=/tmp/rows\n"
        "brightness_file =\n"
        "interval = 0.25\n"
        "row_lines = 1, 2, 3, 4, 5, 6, 7, 8\n"
        "col_lines = 9 10 11 12 13 14 15 16\n"
        "row_active_low = yes\n"
        "rotate = 270\n"
        "mirror = horizontal\n"
        "frame_rate = 200\n"
        "brightness = 12\n";
    ledd_config_defaults(&c, "n");
    CHECK_EQ_INT(ledd_config_parse(&c, text, strlen(text), &bad), 0);
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_INT(c.driver, LEDD_DRIVER_MATRIX16);
    CHECK_STR(c.chip, "label:pinctrl-rp1");
    CHECK_STR(c.rows_path, "/tmp/rows");
    CHECK_STR(c.brightness_path, "");
    CHECK_TRUE(c.interval == 0.25);
    CHECK_EQ_INT(c.row_lines[7], 8);
    CHECK_EQ_INT(c.col_lines[0], 9);
    CHECK_EQ_INT(c.row_active_low, 1);
    CHECK_EQ_INT(c.col_active_low, 0);
    CHECK_EQ_INT(c.rotate, 270);
    CHECK_EQ_INT(c.mirror_h, 1);
    CHECK_EQ_INT(c.frame_rate, 200);
    CHECK_EQ_INT(c.brightness, 12);
}

static void test_ledd_config_rejects(void)
{
    struct ledd_config c, keep;
    int bad;
    ledd_config_defaults(&keep, "n");
    c = keep;
#define REJECT(text, rc, line) do { bad = -1; \
    CHECK_EQ_INT(ledd_config_parse(&c, text, strlen(text), &bad), rc); \
    CHECK_EQ_INT(bad, line); } while (0)
    REJECT("driver = ws2812\n", -EINVAL, 1);
    REJECT("# ok\ncolour = red\n", -EINVAL, 2);
    REJECT("driver\n", -EINVAL, 1);
    REJECT("interval = 0\n", -ERANGE, 1);
    REJECT("interval = fast\n", -EINVAL, 1);
    REJECT("brightness = 16\n", -ERANGE, 1);
    REJECT("rotate = 45\n", -EINVAL, 1);
    REJECT("rotate = 360\n", -ERANGE, 1);
    REJECT("mirror = diagonal\n", -EINVAL, 1);
    REJECT("row_lines = 1 2 3\n", -EINVAL, 1);
    REJECT("row_lines = 1 2 3 4 5 6 7 7\n", -EINVAL, 1);
    REJECT("frame_rate = 50\n", -ERANGE, 1);
    REJECT("active_low = maybe\n", -EINVAL, 1);
    REJECT("din = -1\n", -ERANGE, 1);
    REJECT("chip =\n", -EINVAL, 1);
    /* Nothing applied from a file that fails. */
    REJECT("driver = term\nrotate = 45\n", -EINVAL, 2);
    CHECK_EQ_INT(c.driver, keep.driver);
    CHECK_EQ_INT(ledd_config_load(&c, "/nonexistent/ledd.conf", &bad), -ENOENT);
}

static const char *asym =
    "####....\n"
    "#.......\n"
    "#.#.....\n"
    "#.......\n"
    "........\n"
    "........\n"
    "........\n"
    ".......#\n";

static void test_ledd_rotate_mirror(void)
{
    struct fog_led_frame in = frame_of(asym), out, back;
    frame_transform(&in, 0, 0, 0, &out);
    CHECK_TRUE(same(&in, &out));
    frame_transform(&in, 90, 0, 0, &out);
    /* Clockwise: the left column becomes the top row (bottom LED at the
     * left), the top row the right column. */
    struct fog_led_frame want90 = frame_of(
        "....####\n"
        ".......#\n"
        ".....#.#\n"
        ".......#\n"
        "........\n"
        "........\n"
        "........\n"
        "#.......\n");
    CHECK_TRUE(same(&out, &want90));
    /* Four quarter turns: identity; two: a half turn. */
    back = in;
    for (int i = 0; i < 4; i++) {
        frame_transform(&back, 90, 0, 0, &out);
        back = out;
    }
    CHECK_TRUE(same(&back, &in));
    struct fog_led_frame twice, half;
    frame_transform(&in, 90, 0, 0, &out);
    frame_transform(&out, 90, 0, 0, &twice);
    frame_transform(&in, 180, 0, 0, &half);
    CHECK_TRUE(same(&twice, &half));
    frame_transform(&in, 270, 0, 0, &out);
    frame_transform(&out, 90, 0, 0, &back);
    CHECK_TRUE(same(&back, &in));
    /* Mirrors: horizontal swaps columns, vertical rows, both = half turn. */
    frame_transform(&in, 0, 1, 0, &out);
    CHECK_EQ_INT(out.rows[0], 0xf0);
    CHECK_EQ_INT(out.rows[7], 0x01);
    frame_transform(&in, 0, 0, 1, &out);
    CHECK_EQ_INT(out.rows[0], 0x80);
    CHECK_EQ_INT(out.rows[7], 0x0f);
    frame_transform(&in, 0, 1, 1, &out);
    CHECK_TRUE(same(&out, &half));
}

static void test_ledd_test_patterns(void)
{
    struct fog_led_frame f[FRAME_TEST_PATTERN_STEPS];
    for (int i = 0; i < FRAME_TEST_PATTERN_STEPS; i++)
        frame_test_pattern(i, &f[i]);
    for (int i = 0; i < FRAME_TEST_PATTERN_STEPS; i++)
        for (int j = i + 1; j < FRAME_TEST_PATTERN_STEPS; j++)
            CHECK_TRUE(!same(&f[i], &f[j]));
    for (int r = 0; r < 8; r++)
        CHECK_EQ_INT(f[0].rows[r], 0xff);
    CHECK_EQ_INT(f[3].rows[2], 0xff);
    CHECK_EQ_INT(f[3].rows[1], 0);
    CHECK_EQ_INT(f[9].rows[5], 0x01);
    /* The orientation mark tells all 8 ways of mounting the matrix apart:
     * its images under the 4 turns x (mirrored or not) all differ. */
    const struct fog_led_frame *mark = &f[FRAME_TEST_PATTERN_STEPS - 1];
    struct fog_led_frame img[8];
    for (int k = 0; k < 8; k++)
        frame_transform(mark, (k % 4) * 90, k / 4, 0, &img[k]);
    for (int i = 0; i < 8; i++)
        for (int j = i + 1; j < 8; j++)
            CHECK_TRUE(!same(&img[i], &img[j]));
}

static void test_ledd_max7219_row_byte(void)
{
    struct fog_led_frame f = frame_of(asym);
    CHECK_EQ_INT(max7219_row_byte(&f, 0), 0xf0);   /* column 0 = bit 7 */
    CHECK_EQ_INT(max7219_row_byte(&f, 2), 0xa0);
    CHECK_EQ_INT(max7219_row_byte(&f, 7), 0x01);
}

int main(void)
{
    int failed = 0;
    failed |= RUN_TEST(test_ledd_config_defaults);
    failed |= RUN_TEST(test_ledd_config_file);
    failed |= RUN_TEST(test_ledd_config_rejects);
    failed |= RUN_TEST(test_ledd_rotate_mirror);
    failed |= RUN_TEST(test_ledd_test_patterns);
    failed |= RUN_TEST(test_ledd_max7219_row_byte);
    return failed;
}
