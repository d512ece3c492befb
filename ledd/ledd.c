/* The ledd loop: opens the chip and driver, then every interval reads the
 * rows (and brightness) files, turns the frame as configured and shows it.
 * Signals are taken with sigtimedwait(), so the loop needs no global flag;
 * SIGTERM/SIGINT end it with the display blanked and the lines released. */
#include "ledd/ledd.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "ledd/chip_select.h"
#include "ledd/driver.h"
#include "ledd/frame.h"

static double monotonic_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* Waits up to seconds for SIGTERM/SIGINT/SIGHUP (blocked by the caller).
 * Returns the signal, or 0 when the time ran out. */
static int wait_for_signal(const sigset_t *set, double seconds)
{
    struct timespec ts = { (time_t)seconds, (long)((seconds - floor(seconds)) * 1e9) };
    for (;;) {
        int sig = sigtimedwait(set, NULL, &ts);
        if (sig > 0)
            return sig;
        if (errno == EAGAIN)
            return 0;
        /* EINTR: another signal; go on waiting (the remaining time is
         * approximate, which an interval can afford). */
    }
}

/* What the read of the files gave this round; messages only on change. */
struct ledd_inputs {
    int rows_error;
    int brightness_error;
    int brightness;
};

static void read_rows(const struct ledd_config *cfg, FILE *log, struct ledd_inputs *in,
                      struct fog_led_frame *frame)
{
    int rc = frame_read_rows(cfg->rows_path, frame);
    if (rc) {
        memset(frame, 0, sizeof *frame);    /* no data: show nothing, not old data */
        if (rc != in->rows_error)
            fprintf(log, "ledd: %s: %s; the display stays dark until it reads\n",
                    cfg->rows_path, rc == -EINVAL ? "not 8 lines of 8 '#'/'.'" : strerror(-rc));
    } else if (in->rows_error) {
        fprintf(log, "ledd: %s: reading again\n", cfg->rows_path);
    }
    in->rows_error = rc;
}

static void read_brightness(const struct ledd_config *cfg, FILE *log, struct ledd_inputs *in)
{
    int b, rc;
    if (!cfg->brightness_path[0])
        return;
    rc = frame_read_brightness(cfg->brightness_path, &b);
    if (!rc)
        in->brightness = b;
    else if (rc != in->brightness_error)
        fprintf(log, "ledd: %s: %s; brightness stays %d\n", cfg->brightness_path,
                rc == -EINVAL || rc == -ERANGE ? "not 0..15" : strerror(-rc), in->brightness);
    in->brightness_error = rc;
}

static int open_driver(const struct ledd_config *cfg, const struct ledd_run_options *opt,
                       struct gpio_port_chip **chip, struct led_driver **drv)
{
    char path[4096], why[512];
    int rc;
    if (cfg->driver == LEDD_DRIVER_TERM)
        return term_open(opt->term_out, drv);
    rc = chip_select_open(cfg->chip, chip, path, sizeof path, why, sizeof why);
    if (rc) {
        fprintf(opt->log, "ledd: GPIO chip \"%s\": %s (%s)\n", cfg->chip, strerror(-rc), why);
        return rc;
    }
    if (cfg->driver == LEDD_DRIVER_MAX7219)
        rc = max7219_open(cfg, *chip, drv);
    else
        rc = matrix16_open(cfg, *chip, drv);
    if (rc) {
        fprintf(opt->log, "ledd: %s on %s: cannot request the lines: %s\n",
                ledd_driver_name(cfg->driver), path, strerror(-rc));
        gpio_port_close_chip(*chip);
        *chip = NULL;
        return rc;
    }
    fprintf(opt->log, "ledd: %s on %s (%s)\n", ledd_driver_name(cfg->driver), path,
            gpio_port_api());
    return 0;
}

int ledd_run(const struct ledd_config *cfg, const struct ledd_run_options *opt)
{
    struct gpio_port_chip *chip = NULL;
    struct led_driver *drv = NULL;
    struct ledd_inputs in = { 0, 0, cfg->brightness };
    sigset_t signals, old;
    int rc, sig = 0, step = 0, show_error = 0;

    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGHUP);
    /* Blocked before any thread starts, so the scan thread inherits it. */
    pthread_sigmask(SIG_BLOCK, &signals, &old);
    rc = open_driver(cfg, opt, &chip, &drv);
    if (rc)
        goto out;
    for (;;) {
        struct fog_led_frame frame, shown;
        if (opt->test_pattern)
            frame_test_pattern(step, &frame);
        else
            read_rows(cfg, opt->log, &in, &frame);
        read_brightness(cfg, opt->log, &in);
        frame_transform(&frame, cfg->rotate, cfg->mirror_h, cfg->mirror_v, &shown);
        rc = drv->show(drv, &shown, in.brightness, monotonic_now());
        if (rc && rc != show_error)
            fprintf(opt->log, "ledd: %s: %s; trying again next interval\n", drv->name,
                    strerror(-rc));
        show_error = rc;
        step++;
        if (opt->once && (!opt->test_pattern || step == FRAME_TEST_PATTERN_STEPS)) {
            /* matrix16 shows only while it scans: hold the frame one interval. */
            if (cfg->driver == LEDD_DRIVER_MATRIX16)
                sig = wait_for_signal(&signals, cfg->interval);
            break;
        }
        sig = wait_for_signal(&signals, cfg->interval);
        if (sig == SIGTERM || sig == SIGINT)
            break;
        /* SIGHUP: just read again now. */
    }
    /* --once leaves a MAX7219 showing the frame (it holds it by itself). */
    int close_rc = drv->close(drv, !opt->once || sig != 0);
    if (!rc)
        rc = close_rc;
    if (!rc && opt->once && !opt->test_pattern)
        rc = in.rows_error;     /* a script asking for one frame hears of a bad file */
    if (sig)
        rc = 0;         /* asked to stop: a last failed write is no error */
out:
    gpio_port_close_chip(chip);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}
