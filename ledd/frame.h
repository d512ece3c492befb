/* Frames for ledd: reading the rows and brightness files, turning a frame
 * to match how the matrix is mounted, and the test patterns. */
#ifndef LEDD_FRAME_H
#define LEDD_FRAME_H
#include "core/led.h"

/* Reads a whole led/rows file (any file of 8 lines of 8 '#'/'.') from
 * offset 0 in one open. -errno from the file, -EINVAL if it does not parse. */
int frame_read_rows(const char *path, struct fog_led_frame *out);
/* Reads a led/brightness file: 0..15. */
int frame_read_brightness(const char *path, int *out);

/* Rotates clockwise by rotate degrees (0, 90, 180, 270), then swaps
 * columns (mirror_h) and rows (mirror_v). */
void frame_transform(const struct fog_led_frame *in, int rotate, int mirror_h, int mirror_v,
                     struct fog_led_frame *out);

/* The test pattern sequence: all lit, each row, each column, two
 * checkerboards, and an orientation mark (top row and left column lit,
 * which shows how rotate/mirror should be set). */
#define FRAME_TEST_PATTERN_STEPS 20
void frame_test_pattern(int step, struct fog_led_frame *out);

#endif
