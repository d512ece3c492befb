/* ledd-trace-decode: reads a FAKE-chip trace file (ledd-fakechip's
 * LEDD_FAKE_GPIO_TRACE) and prints what the hardware would show, as
 * led/rows text. For the integration tests.
 *   ledd-trace-decode max7219 TRACE DIN CS CLK
 *     frame, then "shutdown=N intensity=N faults=N released=N"
 *   ledd-trace-decode matrix16 TRACE R0..R7 C0..C7 [ROW_INV COL_INV]
 *     frame, then "fps=N faults=N" */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/led.h"
#include "tests/ledd/gpio_trace.h"
#include "tests/ledd/matrix_model.h"
#include "tests/ledd/max7219_model.h"

int main(int argc, char **argv)
{
    struct gpio_trace trace = { 0 };
    struct fog_led_frame frame;
    char text[FOG_LED_ROWS_TEXT_LEN + 1];
    int rc;

    if (argc < 3) {
        fprintf(stderr, "usage: ledd-trace-decode max7219|matrix16 TRACE LINES...\n");
        return 2;
    }
    rc = gpio_trace_read_file(argv[2], &trace);
    if (rc) {
        fprintf(stderr, "ledd-trace-decode: %s: %s\n", argv[2], strerror(-rc));
        return 1;
    }
    if (!strcmp(argv[1], "max7219") && argc == 6) {
        struct max7219_model m;
        max7219_model_init(&m, (unsigned)atoi(argv[3]), (unsigned)atoi(argv[4]),
                           (unsigned)atoi(argv[5]), 0);
        max7219_model_feed(&m, &trace, 0);
        rc = max7219_model_frame(&m, &frame);
        if (rc == -ENODATA) {
            fprintf(stderr, "ledd-trace-decode: not every digit register was written\n");
            return 1;
        }
        fog_led_rows_format(&frame, text, sizeof text);
        printf("%sshutdown=%d intensity=%d faults=%d released=%d\n", text, m.reg[0xC],
               m.reg[0xA], m.faults, m.released);
        if (m.faults)
            fprintf(stderr, "ledd-trace-decode: %s\n", m.fault);
    } else if (!strcmp(argv[1], "matrix16") && (argc == 19 || argc == 21)) {
        unsigned rows[8], cols[8];
        struct matrix_model m;
        for (int i = 0; i < 8; i++) {
            rows[i] = (unsigned)atoi(argv[3 + i]);
            cols[i] = (unsigned)atoi(argv[11 + i]);
        }
        matrix_model_init(&m, rows, cols, argc == 21 && atoi(argv[19]),
                          argc == 21 && atoi(argv[20]));
        matrix_model_feed(&m, &trace);
        rc = matrix_model_frame(&m, &frame);
        fog_led_rows_format(&frame, text, sizeof text);
        printf("%sfps=%.0f faults=%d\n", text, matrix_model_fps(&m), m.faults + (rc != 0));
    } else {
        fprintf(stderr, "ledd-trace-decode: bad arguments\n");
        return 2;
    }
    gpio_trace_clear(&trace);
    return 0;
}
