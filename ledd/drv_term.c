/* Terminal driver: the frame for people without the hardware. On a
 * terminal it redraws in place with ANSI colours (brighter for higher
 * brightness); otherwise it prints led/rows text and an empty line. */
#include "ledd/driver.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct term {
    struct led_driver base;
    FILE *out;
    int tty;
    int drawn;                  /* a frame is on screen */
    struct fog_led_frame last;
    int last_brightness;
};

static int term_show(struct led_driver *d, const struct fog_led_frame *frame, int brightness,
                     double now)
{
    struct term *t = (struct term *)d;
    char text[FOG_LED_ROWS_TEXT_LEN + 1];
    (void)now;
    if (t->drawn && !memcmp(&t->last, frame, sizeof *frame) && brightness == t->last_brightness)
        return 0;
    if (!t->tty) {
        int rc = fog_led_rows_format(frame, text, sizeof text);
        if (rc)
            return rc;
        fprintf(t->out, "%s\n", text);
    } else {
        /* 256-colour reds from dim (52) to bright (196). */
        static const int reds[4] = { 52, 88, 160, 196 };
        int red = reds[brightness / 4];
        if (t->drawn)
            fprintf(t->out, "\033[8A");
        for (int r = 0; r < 8; r++) {
            fprintf(t->out, "\r");
            for (int c = 0; c < 8; c++) {
                if ((frame->rows[r] >> c) & 1)
                    fprintf(t->out, "\033[38;5;%dm\xe2\x97\x8f \033[0m", red);
                else
                    fprintf(t->out, "\033[38;5;238m\xc2\xb7 \033[0m");
            }
            fprintf(t->out, "\033[K\n");
        }
    }
    if (fflush(t->out) != 0)
        return -errno;
    t->last = *frame;
    t->last_brightness = brightness;
    t->drawn = 1;
    return 0;
}

static int term_close(struct led_driver *d, int blank)
{
    struct term *t = (struct term *)d;
    (void)blank;    /* a terminal keeps its last frame: nothing burns */
    fflush(t->out);
    free(t);
    return 0;
}

int term_open(FILE *out, struct led_driver **out_drv)
{
    struct term *t = calloc(1, sizeof *t);
    if (!t)
        return -ENOMEM;
    t->base.name = "term";
    t->base.show = term_show;
    t->base.close = term_close;
    t->out = out;
    t->tty = isatty(fileno(out));
    *out_drv = &t->base;
    return 0;
}
