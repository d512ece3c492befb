/* /fog/<node>/led/: rows (the 8x8 frame rendered from each sample), map and
 * brightness (settings, validated by core/led.c and kept in the store under
 * nodes/<node>/led/ so they outlive a restart: etcd, or the local store's
 * state file). */
#include "core/ctx.h"
#include "core/led.h"
#include "core/tree.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>

static void led_key(struct fog_ctx *ctx, const char *what, char *key, size_t len)
{
    snprintf(key, len, "nodes/%s/led/%s", ctx->node, what);
}

void fog_led_load_settings(struct fog_ctx *ctx)
{
    char key[128];
    struct fog_kv kv;
    struct fog_led_map map;
    int b;
    led_key(ctx, "map", key, sizeof key);
    if (ctx->store->ops->get(ctx->store, key, &kv) == 0) {
        if (fog_led_map_parse(kv.value, kv.value_len, NULL, &map) == 0)
            ctx->led_map = map;
        fog_kv_clear(&kv);
    }
    led_key(ctx, "brightness", key, sizeof key);
    if (ctx->store->ops->get(ctx->store, key, &kv) == 0) {
        if (fog_led_brightness_parse(kv.value, kv.value_len, &b) == 0)
            ctx->led_brightness = b;
        fog_kv_clear(&kv);
    }
}

static int show_rows(void *priv, const struct fs_args *a, struct fs_buf *out)
{
    struct fog_ctx *ctx = priv;
    pthread_mutex_lock(&ctx->sample_lock);
    if (!ctx->led_rows[0])
        fog_led_render(&ctx->led_map, &ctx->sample, &ctx->led_state, ctx->led_rows,
                       sizeof ctx->led_rows);
    fs_buf_add(out, ctx->led_rows, strlen(ctx->led_rows));
    pthread_mutex_unlock(&ctx->sample_lock);
    return 0;
}

static int show_map(void *priv, const struct fs_args *a, struct fs_buf *out)
{
    struct fog_ctx *ctx = priv;
    char buf[FOG_LED_MAP_TEXT_MAX + 1];
    size_t len = 0;
    pthread_mutex_lock(&ctx->sample_lock);
    int r = fog_led_map_format(&ctx->led_map, buf, sizeof buf, &len);
    pthread_mutex_unlock(&ctx->sample_lock);
    if (!r)
        fs_buf_add(out, buf, len);
    return r;
}

static int store_map(void *priv, const struct fs_args *a, const char *val, size_t len)
{
    struct fog_ctx *ctx = priv;
    struct fog_led_map map;
    char text[FOG_LED_MAP_TEXT_MAX + 1], key[128];
    size_t tlen = 0;
    pthread_mutex_lock(&ctx->sample_lock);
    int r = fog_led_map_parse(val, len, &ctx->led_map, &map);
    if (!r)
        r = fog_led_map_format(&map, text, sizeof text, &tlen);
    if (!r) {
        led_key(ctx, "map", key, sizeof key);
        r = ctx->store->ops->put(ctx->store, key, text, tlen, 0, NULL);
    }
    if (!r) {
        ctx->led_map = map;
        fog_led_render(&ctx->led_map, &ctx->sample, &ctx->led_state, ctx->led_rows,
                       sizeof ctx->led_rows);
    }
    pthread_mutex_unlock(&ctx->sample_lock);
    if (r)
        return fog_attr_reject(ctx, NULL, "led/map", r, val, len,
                               "lines \"<row> <metric> <count|linear|log> <full>\"");
    fog_event(ctx, NULL, "led", "map changed");
    return 0;
}

static int show_brightness(void *priv, const struct fs_args *a, struct fs_buf *out)
{
    struct fog_ctx *ctx = priv;
    fs_buf_printf(out, "%d\n", ctx->led_brightness);
    return 0;
}

static int store_brightness(void *priv, const struct fs_args *a, const char *val, size_t len)
{
    struct fog_ctx *ctx = priv;
    int b;
    char key[128], text[8];
    int r = fog_led_brightness_parse(val, len, &b);
    if (r)
        return fog_attr_reject(ctx, NULL, "led/brightness", r, val, len, "0 to 15");
    led_key(ctx, "brightness", key, sizeof key);
    int n = snprintf(text, sizeof text, "%d\n", b);
    r = ctx->store->ops->put(ctx->store, key, text, n, 0, NULL);
    if (r) {
        fog_event(ctx, NULL, "error", "led/brightness: store: %s", strerror(-r));
        return r;
    }
    ctx->led_brightness = b;
    fog_event(ctx, NULL, "led", "brightness %d", b);
    return 0;
}

static const struct fs_entry led_entries[] = {
    { .name = "rows", .show = show_rows },
    { .name = "map", .show = show_map, .store = store_map },
    { .name = "brightness", .show = show_brightness, .store = store_brightness },
    { 0 },
};

const struct fs_dir fog_led_dir = { .entries = led_entries };
