/* Frame reading (one open, one snapshot, as fogfs serves it), rotation and
 * mirroring, and the test patterns shown by ledd --test-pattern. */
#include "ledd/frame.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* Reads up to size - 1 bytes of a file from offset 0. */
static int read_small_file(const char *path, char *buf, size_t size, size_t *len)
{
    size_t used = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    while (used < size - 1) {
        ssize_t n = read(fd, buf + used, size - 1 - used);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int rc = -errno;
            close(fd);
            return rc;
        }
        if (n == 0)
            break;
        used += (size_t)n;
    }
    close(fd);
    buf[used] = 0;
    *len = used;
    return 0;
}

int frame_read_rows(const char *path, struct fog_led_frame *out)
{
    char buf[1024];
    size_t len;
    int rc = read_small_file(path, buf, sizeof buf, &len);
    if (rc)
        return rc;
    return fog_led_rows_parse(buf, len, out);
}

int frame_read_brightness(const char *path, int *out)
{
    char buf[64];
    size_t len;
    int rc = read_small_file(path, buf, sizeof buf, &len);
    if (rc)
        return rc;
    return fog_led_brightness_parse(buf, len, out);
}

static int lit(const struct fog_led_frame *f, int r, int c)
{
    return (f->rows[r] >> c) & 1;
}

void frame_transform(const struct fog_led_frame *in, int rotate, int mirror_h, int mirror_v,
                     struct fog_led_frame *out)
{
    struct fog_led_frame t = { { 0 } };
    for (int r = 0; r < 8; r++)
        for (int c = 0; c < 8; c++) {
            int sr, sc;     /* where (r, c) of the output comes from */
            int mr = mirror_v ? 7 - r : r, mc = mirror_h ? 7 - c : c;
            switch (rotate) {
            case 90: sr = 7 - mc; sc = mr; break;
            case 180: sr = 7 - mr; sc = 7 - mc; break;
            case 270: sr = mc; sc = 7 - mr; break;
            default: sr = mr; sc = mc; break;
            }
            if (lit(in, sr, sc))
                t.rows[r] |= (uint8_t)(1u << c);
        }
    *out = t;
}

void frame_test_pattern(int step, struct fog_led_frame *out)
{
    memset(out, 0, sizeof *out);
    step %= FRAME_TEST_PATTERN_STEPS;
    if (step < 0)
        step += FRAME_TEST_PATTERN_STEPS;
    if (step == 0) {
        memset(out->rows, 0xff, sizeof out->rows);
    } else if (step <= 8) {
        out->rows[step - 1] = 0xff;
    } else if (step <= 16) {
        for (int r = 0; r < 8; r++)
            out->rows[r] = (uint8_t)(1u << (step - 9));
    } else if (step <= 18) {
        for (int r = 0; r < 8; r++)
            out->rows[r] = ((r + step) & 1) ? 0xaa : 0x55;
    } else {
        out->rows[0] = 0xff;
        for (int r = 1; r < 8; r++)
            out->rows[r] = 0x01;
        out->rows[2] |= 0x10;   /* a dot off the diagonal: tells a flip from a turn */
    }
}
