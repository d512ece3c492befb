/* ledd's drivers on the wire, against a FAKE GPIO chip (no hardware and no
 * gpio-sim on the test machine): the fake libgpiod records every line
 * change, tests/ledd/max7219_model.c decodes MAX7219 traffic back into
 * registers and a frame, tests/ledd/matrix_model.c integrates per-LED
 * on-time of the bare matrix. Built once per libgpiod API available. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/led.h"
#include "ledd/chip_select.h"
#include "ledd/config.h"
#include "ledd/driver.h"
#include "ledd/frame.h"
#include "ledd/ledd.h"
#include "tests/ledd/fake_chips.h"
#include "tests/ledd/matrix_model.h"
#include "tests/ledd/max7219_model.h"
#include "tests/unit/check.h"

/* check.h's CHECK() trips -Wmisleading-indentation under -Werror. */
#define CHECK_TRUE(cond) CHECK_EQ_INT(!!(cond), 1)
/* CHECK_EQ_STR trips -Wformat-truncation on long buffers, so: */
#define CHECK_STR(a, b) do { if (strcmp((a), (b))) printf("# \"%s\" != \"%s\"\n", (a), (b)); \
    CHECK_EQ_INT(strcmp((a), (b)), 0); } while (0)
#define CHECK_FRAME(got, want) do { char g_[80], w_[80]; \
    fog_led_rows_format((got), g_, sizeof g_); fog_led_rows_format((want), w_, sizeof w_); \
    if (strcmp(g_, w_)) printf("# frame got:\n%s# want:\n%s", g_, w_); \
    CHECK_EQ_INT(strcmp(g_, w_), 0); } while (0)

static const char *sample_rows =
    "###.....\n####....\n########\n#######.\n........\n##......\n######..\n#.#.#.#.\n";

static struct fog_led_frame sample_frame(void)
{
    struct fog_led_frame f;
    fog_led_rows_parse(sample_rows, strlen(sample_rows), &f);
    return f;
}

static struct ledd_config test_config(enum ledd_driver_kind driver)
{
    struct ledd_config cfg;
    ledd_config_defaults(&cfg, "node1");
    cfg.driver = driver;
    return cfg;
}

static struct gpio_port_chip *open_chip0(void)
{
    struct gpio_port_chip *chip = NULL;
    CHECK_EQ_INT(gpio_port_open_chip("/dev/gpiochip0", &chip), 0);
    return chip;
}

static void test_chip_select(void)
{
    struct gpio_port_chip *chip = NULL;
    char path[64], why[256];
    fake_chips_reset(FAKE_CHIPS_DEFAULT);
    CHECK_EQ_INT(chip_select_open("auto", &chip, path, sizeof path, why, sizeof why), 0);
    CHECK_STR(path, "/dev/gpiochip0");
    gpio_port_close_chip(chip);
    CHECK_EQ_INT(chip_select_open("raspberrypi-exp-gpio", &chip, path, sizeof path, why,
                                  sizeof why), 0);
    CHECK_STR(path, "/dev/gpiochip1");
    gpio_port_close_chip(chip);
    CHECK_EQ_INT(chip_select_open("label:pinctrl-bcm2711", &chip, path, sizeof path, why,
                                  sizeof why), 0);
    CHECK_STR(path, "/dev/gpiochip0");
    gpio_port_close_chip(chip);
    CHECK_EQ_INT(chip_select_open("gpiochip1", &chip, path, sizeof path, why, sizeof why), 0);
    CHECK_STR(path, "/dev/gpiochip1");
    gpio_port_close_chip(chip);
    CHECK_EQ_INT(chip_select_open("/dev/gpiochip0", &chip, path, sizeof path, why,
                                  sizeof why), 0);
    gpio_port_close_chip(chip);
    CHECK_EQ_INT(chip_select_open("gpiochip7", &chip, path, sizeof path, why, sizeof why),
                 -ENOENT);
    CHECK_EQ_INT(chip_select_open("no-such-label", &chip, path, sizeof path, why, sizeof why),
                 -ENODEV);
    CHECK_TRUE(strstr(why, "gpiochip1=raspberrypi-exp-gpio") != NULL);
    /* A Raspberry Pi 5: the header is on the RP1, not chip 0. */
    fake_chips_reset("gpiochip0=gpio-brcmstb@107d508500:32,gpiochip1=gpio-brcmstb@107d517c00:15,"
                     "gpiochip4=pinctrl-rp1:54");
    CHECK_EQ_INT(chip_select_open("auto", &chip, path, sizeof path, why, sizeof why), 0);
    CHECK_STR(path, "/dev/gpiochip4");
    gpio_port_close_chip(chip);
    /* Not a Pi at all. */
    fake_chips_reset("gpiochip0=gpio-mockup-A:8");
    CHECK_EQ_INT(chip_select_open("auto", &chip, path, sizeof path, why, sizeof why), -ENODEV);
    CHECK_TRUE(strstr(why, "gpio-mockup-A") != NULL);
    fake_chips_reset(NULL);
}

/* Runs the model over the whole trace for the default max7219 wiring. */
static void model_of_trace(struct max7219_model *m, const struct ledd_config *cfg, int invert)
{
    max7219_model_init(m, cfg->din, cfg->cs, cfg->clk, invert);
    max7219_model_feed(m, fake_chips_trace(), 0);
}

static void test_max7219_init_and_frame(void)
{
    struct ledd_config cfg = test_config(LEDD_DRIVER_MAX7219);
    struct fog_led_frame want = sample_frame(), got;
    struct led_driver *drv = NULL;
    struct max7219_model m;
    fake_chips_reset(NULL);
    struct gpio_port_chip *chip = open_chip0();
    CHECK_EQ_INT(max7219_open(&cfg, chip, &drv), 0);
    if (!drv)
        return;
    CHECK_EQ_INT(drv->show(drv, &want, 5, 100.0), 0);
    model_of_trace(&m, &cfg, 0);
    if (m.faults)
        printf("# model fault: %s\n", m.fault);
    CHECK_EQ_INT(m.faults, 0);
    CHECK_EQ_INT(m.requested, 1);
    CHECK_EQ_INT(m.idle_at_request, 1);            /* CS high, CLK low */
    CHECK_EQ_INT(max7219_model_frame(&m, &got), 0);
    CHECK_FRAME(&got, &want);
    /* Init in the datasheet's order, then the eight rows. */
    CHECK_EQ_INT(m.writes, 13);
    CHECK_EQ_INT(m.log[0], 0xF00);                 /* display test off */
    CHECK_EQ_INT(m.log[1], 0x900);                 /* no decode */
    CHECK_EQ_INT(m.log[2], 0xB07);                 /* scan limit 7 */
    CHECK_EQ_INT(m.log[3], 0xA05);                 /* intensity 5 */
    CHECK_EQ_INT(m.log[4], 0xC01);                 /* shutdown 1: on */
    CHECK_EQ_INT(m.log[5], 0x1E0);                 /* row 0 "###....." */
    CHECK_EQ_INT(m.log[12], 0x8AA);                /* row 7 "#.#.#.#." */
    drv->close(drv, 1);
    gpio_port_close_chip(chip);
}

static void test_max7219_changed_rows_only(void)
{
    struct ledd_config cfg = test_config(LEDD_DRIVER_MAX7219);
    struct fog_led_frame a = sample_frame(), b, got;
    struct led_driver *drv = NULL;
    struct max7219_model m;
    fake_chips_reset(NULL);
    struct gpio_port_chip *chip = open_chip0();
    CHECK_EQ_INT(max7219_open(&cfg, chip, &drv), 0);
    if (!drv)
        return;
    CHECK_EQ_INT(drv->show(drv, &a, 8, 10.0), 0);
    model_of_trace(&m, &cfg, 0);
    int after_init = m.writes;
    size_t events = fake_chips_trace()->n;
    CHECK_EQ_INT(drv->show(drv, &a, 8, 11.0), 0);   /* same frame: silence */
    CHECK_EQ_INT(fake_chips_trace()->n, events);
    b = a;
    b.rows[3] = 0x0f;
    CHECK_EQ_INT(drv->show(drv, &b, 8, 12.0), 0);
    max7219_model_feed(&m, fake_chips_trace(), events);
    CHECK_EQ_INT(m.writes, after_init + 1);
    CHECK_EQ_INT(m.log[after_init], 0x4F0);        /* digit 3 = row 3 */
    events = fake_chips_trace()->n;
    CHECK_EQ_INT(drv->show(drv, &b, 15, 13.0), 0);
    max7219_model_feed(&m, fake_chips_trace(), events);
    CHECK_EQ_INT(m.writes, after_init + 2);
    CHECK_EQ_INT(m.log[after_init + 1], 0xA0F);    /* intensity only */
    CHECK_EQ_INT(m.faults, 0);
    CHECK_EQ_INT(max7219_model_frame(&m, &got), 0);
    CHECK_FRAME(&got, &b);
    drv->close(drv, 1);
    gpio_port_close_chip(chip);
}

static void test_max7219_periodic_reinit(void)
{
    struct ledd_config cfg = test_config(LEDD_DRIVER_MAX7219);
    struct fog_led_frame a = sample_frame();
    struct led_driver *drv = NULL;
    struct max7219_model m;
    cfg.reinit = 10;
    fake_chips_reset(NULL);
    struct gpio_port_chip *chip = open_chip0();
    CHECK_EQ_INT(max7219_open(&cfg, chip, &drv), 0);
    if (!drv)
        return;
    CHECK_EQ_INT(drv->show(drv, &a, 8, 100.0), 0);
    CHECK_EQ_INT(drv->show(drv, &a, 8, 109.0), 0);
    model_of_trace(&m, &cfg, 0);
    CHECK_EQ_INT(m.writes, 13);
    CHECK_EQ_INT(drv->show(drv, &a, 8, 110.5), 0);   /* 10 s since the init */
    model_of_trace(&m, &cfg, 0);
    CHECK_EQ_INT(m.writes, 26);
    CHECK_EQ_INT(m.log[13], 0xF00);
    CHECK_EQ_INT(m.log[17], 0xC01);
    CHECK_EQ_INT(m.faults, 0);
    drv->close(drv, 1);
    gpio_port_close_chip(chip);
}

static void test_max7219_close_blanks_and_releases(void)
{
    struct ledd_config cfg = test_config(LEDD_DRIVER_MAX7219);
    struct fog_led_frame a = sample_frame(), got;
    struct led_driver *drv = NULL;
    struct max7219_model m;
    fake_chips_reset(NULL);
    struct gpio_port_chip *chip = open_chip0();
    CHECK_EQ_INT(max7219_open(&cfg, chip, &drv), 0);
    if (!drv)
        return;
    CHECK_EQ_INT(drv->show(drv, &a, 8, 1.0), 0);
    CHECK_EQ_INT(drv->close(drv, 1), 0);
    model_of_trace(&m, &cfg, 0);
    CHECK_EQ_INT(m.faults, 0);
    CHECK_EQ_INT(m.reg[0xC], 0);                   /* shut down */
    CHECK_EQ_INT(max7219_model_frame(&m, &got), -EIO);
    for (int r = 0; r < 8; r++)
        CHECK_EQ_INT(got.rows[r], 0);              /* and the digits cleared */
    CHECK_EQ_INT(m.released, 1);
    CHECK_EQ_INT(m.level[1], 1);                   /* released idle: CS high */
    CHECK_EQ_INT(fake_chips_live_requests(), 0);
    gpio_port_close_chip(chip);
    /* --once: close without blanking leaves the frame showing. */
    fake_chips_reset(NULL);
    chip = open_chip0();
    CHECK_EQ_INT(max7219_open(&cfg, chip, &drv), 0);
    CHECK_EQ_INT(drv->show(drv, &a, 8, 1.0), 0);
    CHECK_EQ_INT(drv->close(drv, 0), 0);
    model_of_trace(&m, &cfg, 0);
    CHECK_EQ_INT(max7219_model_frame(&m, &got), 0);
    CHECK_FRAME(&got, &a);
    gpio_port_close_chip(chip);
}

static void test_max7219_active_low(void)
{
    struct ledd_config cfg = test_config(LEDD_DRIVER_MAX7219);
    struct fog_led_frame a = sample_frame(), got;
    struct led_driver *drv = NULL;
    struct max7219_model m;
    cfg.active_low = 1;
    fake_chips_reset(NULL);
    struct gpio_port_chip *chip = open_chip0();
    CHECK_EQ_INT(max7219_open(&cfg, chip, &drv), 0);
    if (!drv)
        return;
    CHECK_EQ_INT(drv->show(drv, &a, 8, 1.0), 0);
    model_of_trace(&m, &cfg, 1);                   /* through an inverter: fine */
    CHECK_EQ_INT(m.faults, 0);
    CHECK_EQ_INT(max7219_model_frame(&m, &got), 0);
    CHECK_FRAME(&got, &a);
    model_of_trace(&m, &cfg, 0);                   /* wired straight: garbage */
    CHECK_TRUE(m.faults > 0 || max7219_model_frame(&m, &got) != 0);
    drv->close(drv, 1);
    gpio_port_close_chip(chip);
}

static void test_max7219_refuses_busy_lines(void)
{
    struct ledd_config cfg = test_config(LEDD_DRIVER_MAX7219);
    struct led_driver *a = NULL, *b = NULL;
    fake_chips_reset(NULL);
    struct gpio_port_chip *chip = open_chip0();
    CHECK_EQ_INT(max7219_open(&cfg, chip, &a), 0);
    CHECK_EQ_INT(max7219_open(&cfg, chip, &b), -EBUSY);
    cfg.din = 200;                                 /* past the chip's 58 lines */
    CHECK_EQ_INT(max7219_open(&cfg, chip, &b), -ERANGE);
    if (a)
        a->close(a, 1);
    gpio_port_close_chip(chip);
}

/* Scans frame at brightness for about seconds and returns the model. */
static void matrix_run(const struct ledd_config *cfg, const struct fog_led_frame *frame,
                       int brightness, double seconds, struct matrix_model *m)
{
    struct led_driver *drv = NULL;
    fake_chips_reset(NULL);
    struct gpio_port_chip *chip = open_chip0();
    CHECK_EQ_INT(matrix16_open(cfg, chip, &drv), 0);
    if (!drv) {
        gpio_port_close_chip(chip);
        return;
    }
    CHECK_EQ_INT(drv->show(drv, frame, brightness, 0), 0);
    /* Let the frame settle in (the thread may have scanned a dark one). */
    usleep(50000);
    size_t from = fake_chips_trace()->n;
    usleep((useconds_t)(seconds * 1e6));
    CHECK_EQ_INT(drv->show(drv, frame, brightness, 0), 0);
    CHECK_EQ_INT(drv->close(drv, 1), 0);
    matrix_model_init(m, cfg->row_lines, cfg->col_lines, cfg->row_active_low,
                      cfg->col_active_low);
    /* The steady part only: from after settling to the end. */
    struct gpio_trace steady = { 0 };
    const struct gpio_trace *all = fake_chips_trace();
    for (size_t i = from; i < all->n; i++)
        gpio_trace_append(&steady, &all->ev[i]);
    matrix_model_feed(m, &steady);
    gpio_trace_clear(&steady);
    CHECK_EQ_INT(fake_chips_live_requests(), 0);
    gpio_port_close_chip(chip);
}

static void test_matrix16_scan(void)
{
    struct ledd_config cfg = test_config(LEDD_DRIVER_MATRIX16);
    struct fog_led_frame want = sample_frame(), got;
    struct matrix_model m;
    cfg.row_active_low = 1;                        /* rows through PNP transistors */
    matrix_run(&cfg, &want, 15, 0.4, &m);
    if (m.faults)
        printf("# model fault: %s\n", m.fault);
    CHECK_EQ_INT(m.faults, 0);
    CHECK_TRUE(m.max_active_rows == 1);
    CHECK_TRUE(m.row_changes > 100);
    CHECK_EQ_INT(m.dirty_row_changes, 0);
    double fps = matrix_model_fps(&m);
    printf("# matrix16 on the fake chip: %.0f frames/s over %.2f s\n", fps, m.span_ns / 1e9);
    CHECK_TRUE(fps >= 100);
    CHECK_EQ_INT(matrix_model_frame(&m, &got), 0);
    CHECK_FRAME(&got, &want);
}

static void test_matrix16_brightness(void)
{
    struct ledd_config cfg = test_config(LEDD_DRIVER_MATRIX16);
    struct fog_led_frame want = sample_frame(), got;
    struct matrix_model full, dim;
    matrix_run(&cfg, &want, 15, 0.3, &full);
    matrix_run(&cfg, &want, 3, 0.3, &dim);
    CHECK_EQ_INT(dim.faults, 0);
    CHECK_EQ_INT(matrix_model_frame(&dim, &got), 0);
    CHECK_FRAME(&got, &want);
    double df = matrix_model_lit_duty(&full), dd = matrix_model_lit_duty(&dim);
    printf("# matrix16 duty per lit LED: %.3f at 15, %.3f at 3\n", df, dd);
    CHECK_TRUE(df > 0.08);                         /* ~1/8 */
    CHECK_TRUE(dd < df * 0.6);                     /* ~1/4 of it */
    CHECK_TRUE(dd > 0);
}

static void test_ledd_once_max7219_from_file(void)
{
    char path[] = "/tmp/ledd-rows-XXXXXX";
    struct ledd_config cfg = test_config(LEDD_DRIVER_MAX7219);
    struct ledd_run_options opt = { 1, 0, stdout, stdout };
    struct fog_led_frame want = sample_frame(), turned, got;
    struct max7219_model m;
    int fd = mkstemp(path);
    CHECK_TRUE(fd >= 0);
    CHECK_EQ_INT(write(fd, sample_rows, strlen(sample_rows)), (long long)strlen(sample_rows));
    close(fd);
    snprintf(cfg.rows_path, sizeof cfg.rows_path, "%s", path);
    cfg.brightness_path[0] = 0;
    cfg.brightness = 3;
    cfg.rotate = 90;
    fake_chips_reset(NULL);
    CHECK_EQ_INT(ledd_run(&cfg, &opt), 0);
    model_of_trace(&m, &cfg, 0);
    CHECK_EQ_INT(m.faults, 0);
    CHECK_EQ_INT(m.reg[0xA], 3);
    CHECK_EQ_INT(max7219_model_frame(&m, &got), 0);
    frame_transform(&want, 90, 0, 0, &turned);
    CHECK_FRAME(&got, &turned);
    CHECK_EQ_INT(fake_chips_live_requests(), 0);
    /* A file that is not a frame: --once fails, the display is dark. */
    fd = open(path, O_WRONLY | O_TRUNC);
    CHECK_EQ_INT(write(fd, "hello\n", 6), 6);
    close(fd);
    fake_chips_reset(NULL);
    CHECK_EQ_INT(ledd_run(&cfg, &opt), -EINVAL);
    model_of_trace(&m, &cfg, 0);
    CHECK_EQ_INT(max7219_model_frame(&m, &got), 0);
    for (int r = 0; r < 8; r++)
        CHECK_EQ_INT(got.rows[r], 0);
    unlink(path);
}

static void push(struct gpio_trace *t, long long ns, enum gpio_trace_kind kind, unsigned n,
                 const unsigned *offs, const int *levels)
{
    struct gpio_trace_event ev = { .t_ns = ns, .kind = kind, .n = n };
    for (unsigned i = 0; i < n; i++) {
        ev.offset[i] = offs[i];
        ev.level[i] = levels[i];
    }
    gpio_trace_append(t, &ev);
}

/* The models must see faults, or the tests above prove nothing. */
static void test_models_catch_faults(void)
{
    const unsigned w[3] = { 10, 8, 11 };    /* DIN CS CLK */
    struct gpio_trace t = { 0 };
    struct max7219_model m;
    long long ns = 0;
    push(&t, ns++, GPIO_TRACE_REQUEST, 3, w, (int[]){ 0, 1, 0 });
    push(&t, ns++, GPIO_TRACE_SET, 3, w, (int[]){ 0, 0, 0 });          /* CS low */
    for (int bit = 0; bit < 15; bit++) {                                /* 15 clocks */
        push(&t, ns++, GPIO_TRACE_SET, 3, w, (int[]){ 1, 0, 1 });       /* DIN+CLK at once */
        push(&t, ns++, GPIO_TRACE_SET, 3, w, (int[]){ 1, 0, 0 });
    }
    push(&t, ns++, GPIO_TRACE_SET, 3, w, (int[]){ 1, 1, 0 });          /* latch */
    max7219_model_init(&m, 10, 8, 11, 0);
    max7219_model_feed(&m, &t, 0);
    CHECK_TRUE(m.faults >= 2);
    CHECK_EQ_INT(m.writes, 0);
    CHECK_TRUE(strstr(m.fault, "DIN and CLK") != NULL);
    gpio_trace_clear(&t);

    const unsigned rows[8] = { 0, 1, 2, 3, 4, 5, 6, 7 }, cols[8] = { 8, 9, 10, 11, 12, 13, 14, 15 };
    struct matrix_model mm;
    struct fog_led_frame f;
    push(&t, 0, GPIO_TRACE_SET, 8, cols, (int[]){ 1, 0, 0, 0, 0, 0, 0, 0 });
    push(&t, 10, GPIO_TRACE_SET, 8, rows, (int[]){ 1, 0, 0, 0, 0, 0, 0, 0 }); /* cols still on */
    push(&t, 1000, GPIO_TRACE_SET, 8, rows, (int[]){ 1, 1, 0, 0, 0, 0, 0, 0 }); /* two rows */
    push(&t, 1100, GPIO_TRACE_SET, 8, rows, (int[]){ 0, 0, 0, 0, 0, 0, 0, 0 });
    matrix_model_init(&mm, rows, cols, 0, 0);
    matrix_model_feed(&mm, &t);
    CHECK_EQ_INT(mm.max_active_rows, 2);
    CHECK_TRUE(mm.dirty_row_changes >= 1);
    CHECK_TRUE(mm.faults >= 2);
    CHECK_EQ_INT(matrix_model_frame(&mm, &f), -EIO);   /* row 1 lit briefly: a ghost */
    gpio_trace_clear(&t);
}

#ifndef LEDD_WIRE_API_NAME
#define LEDD_WIRE_API_NAME "v1"
#endif

static int run(const char *name, void (*fn)(void))
{
    char full[128];
    snprintf(full, sizeof full, "ledd_%s_fakechip_%s", LEDD_WIRE_API_NAME, name);
    return run_test_(full, fn);
}

int main(void)
{
    int failed = 0;
    printf("# The GPIO chip here is a FAKE (tests/ledd/fake_gpiod_%s.c over %s's\n"
           "# signatures): there is no GPIO hardware; the wire is decoded by models.\n",
           LEDD_WIRE_API_NAME, gpio_port_api());
    failed |= run("models_catch_faults", test_models_catch_faults);
    failed |= run("chip_select", test_chip_select);
    failed |= run("max7219_init_and_frame", test_max7219_init_and_frame);
    failed |= run("max7219_changed_rows_only", test_max7219_changed_rows_only);
    failed |= run("max7219_periodic_reinit", test_max7219_periodic_reinit);
    failed |= run("max7219_close_blanks_and_releases", test_max7219_close_blanks_and_releases);
    failed |= run("max7219_active_low", test_max7219_active_low);
    failed |= run("max7219_refuses_busy_lines", test_max7219_refuses_busy_lines);
    failed |= run("matrix16_scan", test_matrix16_scan);
    failed |= run("matrix16_brightness", test_matrix16_brightness);
    failed |= run("ledd_once_max7219_from_file", test_ledd_once_max7219_from_file);
    return failed;
}
