/* fs_buf: the growable buffer a file's show() renders into. An allocation
 * failure sets oom and drops further text; the caller reports -ENOMEM. */
#include "fs/tree.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fs_buf_init(struct fs_buf *b)
{
    memset(b, 0, sizeof *b);
}

void fs_buf_free(struct fs_buf *b)
{
    free(b->data);
    fs_buf_init(b);
}

static int fs_buf_reserve(struct fs_buf *b, size_t extra)
{
    if (b->oom)
        return -1;
    if (b->len + extra + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 128;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d) {
        b->oom = 1;
        return -1;
    }
    b->data = d;
    b->cap = cap;
    return 0;
}

void fs_buf_add(struct fs_buf *b, const char *s, size_t len)
{
    if (fs_buf_reserve(b, len))
        return;
    memcpy(b->data + b->len, s, len);
    b->len += len;
    b->data[b->len] = 0;
}

void fs_buf_printf(struct fs_buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        fs_buf_add(b, small, n);
        return;
    }
    if (fs_buf_reserve(b, n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, n + 1, fmt, ap);
    va_end(ap);
    b->len += n;
}
