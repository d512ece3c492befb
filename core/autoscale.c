/* The autoscaler (see core/autoscale.h): the policy (parsed, printed, kept in
 * the store and cached), the pure decision over one container's usage
 * history, and the tick that applies decisions through op_rescale. */
#include "core/autoscale.h"
#include "core/ctx.h"
#include "core/ops.h"
#include "core/tree.h"
#include "core/units.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define AS_PREFIX "config/autoscale/"

const char *const fog_autoscale_files[FOG_AUTOSCALE_NFILES] = {
    "enabled", "threshold", "factor", "window", "warmup", "cooldown", "max_cpu_limit",
    "down_threshold",
};

void fog_autoscale_policy_default(struct fog_autoscale_policy *p)
{
    p->enabled = 0;
    p->threshold = 90;
    p->factor_milli = 2000;
    p->window = 60;
    p->warmup = 60;
    p->cooldown = 60;
    p->max_cpu_limit_m = FOG_UNLIMITED;
    p->down_threshold = 0;
}

static int file_index(const char *name)
{
    for (int i = 0; i < FOG_AUTOSCALE_NFILES; i++)
        if (!strcmp(name, fog_autoscale_files[i]))
            return i;
    return -1;
}

/* A factor: a decimal number above 1, at most 16, no unit ("2", "1.5"). */
static int parse_factor(const char *s, size_t n, int *milli)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != '-' && s[i] != '.' && (s[i] < '0' || s[i] > '9'))
            return -EINVAL;
    int64_t v;
    int r = units_parse_cpu(s, n, 0, &v);     /* a decimal to thousandths */
    if (r)
        return r;
    if (v <= 1000 || v > 16000)
        return -ERANGE;
    *milli = (int)v;
    return 0;
}

int fog_autoscale_parse(struct fog_autoscale_policy *p, const char *name, const char *val,
                        size_t len, const char **expected)
{
    static const char *const exp[FOG_AUTOSCALE_NFILES] = {
        "0 or 1", "a percent, 1 to 100", "a number above 1, at most 16 (e.g. 2 or 1.5)",
        "seconds, 1 to 86400", "seconds, 0 to 86400", "seconds, 0 to 86400",
        "a cpu amount above 0 (e.g. 4, 1500m) or max", "a percent, 0 (off) to 99",
    };
    int i = file_index(name);
    if (expected)
        *expected = i >= 0 ? exp[i] : NULL;
    if (i < 0)
        return -EINVAL;
    const char *s;
    size_t n;
    int r = units_trim(val, len, &s, &n);
    if (r)
        return r;
    int64_t v;
    switch (i) {
    case 0: r = units_parse_int(s, n, 0, 1, &v); if (!r) p->enabled = (int)v; break;
    case 1: r = units_parse_int(s, n, 1, 100, &v); if (!r) p->threshold = (int)v; break;
    case 2: r = parse_factor(s, n, &p->factor_milli); break;
    case 3: r = units_parse_int(s, n, 1, 86400, &v); if (!r) p->window = (int)v; break;
    case 4: r = units_parse_int(s, n, 0, 86400, &v); if (!r) p->warmup = (int)v; break;
    case 5: r = units_parse_int(s, n, 0, 86400, &v); if (!r) p->cooldown = (int)v; break;
    case 6:
        r = units_parse_cpu(s, n, 1, &v);
        if (!r && v == 0)
            r = -ERANGE;
        if (!r)
            p->max_cpu_limit_m = v;
        break;
    default: r = units_parse_int(s, n, 0, 99, &v); if (!r) p->down_threshold = (int)v; break;
    }
    return r;
}

int fog_autoscale_format(const struct fog_autoscale_policy *p, const char *name, char *buf,
                         size_t len)
{
    switch (file_index(name)) {
    case 0: snprintf(buf, len, "%d", p->enabled); break;
    case 1: snprintf(buf, len, "%d", p->threshold); break;
    case 2: {
        int w = p->factor_milli / 1000, f = p->factor_milli % 1000;
        if (!f)
            snprintf(buf, len, "%d", w);
        else if (f % 100 == 0)
            snprintf(buf, len, "%d.%d", w, f / 100);
        else if (f % 10 == 0)
            snprintf(buf, len, "%d.%02d", w, f / 10);
        else
            snprintf(buf, len, "%d.%03d", w, f);
        break;
    }
    case 3: snprintf(buf, len, "%d", p->window); break;
    case 4: snprintf(buf, len, "%d", p->warmup); break;
    case 5: snprintf(buf, len, "%d", p->cooldown); break;
    case 6: units_format_cpu(p->max_cpu_limit_m, buf, len); break;
    case 7: snprintf(buf, len, "%d", p->down_threshold); break;
    default: return -EINVAL;
    }
    return 0;
}

/* ---- the decision ---- */

static void decide_none(struct fog_autoscale_decision *d, const char *why)
{
    d->verdict = FOG_AS_NONE;
    d->why = why;
}

void fog_autoscale_decide(const struct fog_autoscale_policy *p, const struct fog_container *c,
                          const struct fog_autoscale_base *base,
                          const struct fog_autoscale_now *now,
                          struct fog_autoscale_decision *d)
{
    memset(d, 0, sizeof *d);
    d->mean_m = -1;
    if (c->state != LXCB_RUNNING)
        return decide_none(d, "not running");
    if (!(c->limits.autoscale >= 0 ? c->limits.autoscale : p->enabled))
        return decide_none(d, "disabled");
    int64_t limit = c->limits.cpu_limit_m;
    int64_t req = c->limits.cpu_request_m > 0 ? c->limits.cpu_request_m : 0;
    if (limit <= 0)
        return decide_none(d, "no cpu limit");
    if (c->started_at <= 0)
        return decide_none(d, "start time unknown");
    if (now->unix_s - c->started_at < p->warmup)
        return decide_none(d, "warmup");
    if (c->last_autoscale > 0 && now->mono - c->last_autoscale < p->cooldown)
        return decide_none(d, "cooldown");
    if (!c->hist_next)
        return decide_none(d, "no samples");

    /* The window ends at the newest sample and holds the samples newer than
     * its start (half an interval of slack against jitter), the (re)start
     * and the last action: after an action the window fills again. */
    double interval = now->interval > 0 ? now->interval : 1;
    const struct fog_usage_point *newest = &c->hist[(c->hist_next - 1) % FOG_USAGE_HISTORY];
    if (now->mono - newest->mono > 2 * interval + 1)
        return decide_none(d, "no recent samples");
    double from = newest->mono - p->window + interval / 2;
    double start_mono = now->mono - (now->unix_s - c->started_at);
    if (start_mono > from)
        from = start_mono;
    if (c->last_autoscale > from)
        from = c->last_autoscale;
    size_t kept = c->hist_next < FOG_USAGE_HISTORY ? c->hist_next : FOG_USAGE_HISTORY;
    double sum = 0;
    size_t n = 0;
    for (size_t k = 0; k < kept; k++) {
        const struct fog_usage_point *pt = &c->hist[(c->hist_next - 1 - k) % FOG_USAGE_HISTORY];
        if (pt->mono <= from)
            break;
        sum += pt->cpu_m;
        n++;
    }
    size_t need = (size_t)floor(p->window / interval + 1e-9);
    if (need < 1)
        need = 1;
    d->samples = n;
    if (n < need)
        return decide_none(d, "window not full");
    double mean = sum / n;
    d->mean_m = mean;

    if (mean * 100 >= (double)p->threshold * limit) {
        int64_t max = p->max_cpu_limit_m;
        if (max > 0 && limit >= max)
            return decide_none(d, "at max_cpu_limit");
        int64_t nl = (limit * p->factor_milli + 500) / 1000;
        if (nl <= limit)
            nl = limit + 1;
        if (max > 0 && nl > max)
            nl = max;
        int64_t nr = (req * p->factor_milli + 500) / 1000;
        if (nr > nl)
            nr = nl;
        d->verdict = FOG_AS_UP;
        d->limit_m = nl;
        d->request_m = nr;
        return;
    }
    if (p->down_threshold > 0 && mean * 100 < (double)p->down_threshold * limit) {
        if (!base || !base->known || base->set_limit_m != limit || base->set_request_m != req)
            return decide_none(d, "not raised by the autoscaler");
        int64_t nl = limit * 1000 / p->factor_milli;
        int64_t nr = req * 1000 / p->factor_milli;
        if (nl < base->limit_m)
            nl = base->limit_m;
        if (nr < base->request_m)
            nr = base->request_m;
        if (nr > nl)
            nr = nl;
        if (nl >= limit && nr >= req)
            return decide_none(d, "at its original limits");
        /* Never lower into a limit the same mean would raise again. */
        if (mean * 100 >= (double)p->threshold * nl)
            return decide_none(d, "would cross the threshold again");
        d->verdict = FOG_AS_DOWN;
        d->limit_m = nl;
        d->request_m = nr;
        return;
    }
    decide_none(d, "within limits");
}

/* ---- the daemon side ---- */

struct as_base_entry {
    char name[64];
    struct fog_autoscale_base b;
};

struct fog_autoscale {
    pthread_mutex_t lock;                  /* guards p, rev and bases */
    struct fog_autoscale_policy p;
    int64_t rev[FOG_AUTOSCALE_NFILES];     /* store revision each field came from */
    struct fog_watch *watch;
    struct as_base_entry *bases;           /* containers this node's autoscaler raised */
    size_t nbases, capbases;
};

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Applies one stored value (with as->lock held) if it is newer than the one
 * the field has. A value that does not parse resets the field's default. */
static void as_apply_locked(struct fog_autoscale *as, const char *key, const char *val,
                            size_t len, int64_t rev)
{
    if (strncmp(key, AS_PREFIX, strlen(AS_PREFIX)))
        return;
    const char *name = key + strlen(AS_PREFIX);
    int i = file_index(name);
    if (i < 0 || rev <= as->rev[i])
        return;
    struct fog_autoscale_policy q = as->p;
    if (!val || fog_autoscale_parse(&q, name, val, len, NULL)) {
        struct fog_autoscale_policy def;
        char dflt[32];
        fog_autoscale_policy_default(&def);
        fog_autoscale_format(&def, name, dflt, sizeof dflt);
        q = as->p;
        fog_autoscale_parse(&q, name, dflt, strlen(dflt), NULL);
    }
    as->p = q;
    as->rev[i] = rev;
}

static void as_watch_cb(void *arg, int status, const struct fog_watch_event *ev)
{
    struct fog_autoscale *as = arg;
    if (status || !ev || !ev->kv)
        return;
    pthread_mutex_lock(&as->lock);
    if (ev->type == FOG_WATCH_DELETE)
        as_apply_locked(as, ev->kv->key, NULL, 0, ev->kv->mod_revision);
    else
        as_apply_locked(as, ev->kv->key, ev->kv->value, ev->kv->value_len, ev->kv->mod_revision);
    pthread_mutex_unlock(&as->lock);
}

int fog_autoscale_new(struct fog_ctx *ctx)
{
    struct fog_autoscale *as = calloc(1, sizeof *as);
    if (!as)
        return -ENOMEM;
    pthread_mutex_init(&as->lock, NULL);
    fog_autoscale_policy_default(&as->p);
    struct fog_store *s = ctx->store;
    struct fog_kv *kvs = NULL;
    size_t n = 0;
    int64_t rev = 0;
    if (s && s->ops->list(s, AS_PREFIX, &kvs, &n, &rev) == 0) {
        for (size_t i = 0; i < n; i++)
            as_apply_locked(as, kvs[i].key, kvs[i].value, kvs[i].value_len, kvs[i].mod_revision);
        fog_kv_free_array(kvs, n);
    }
    /* Changes made through other nodes (the same store) reach this cache. */
    if (s && s->ops->watch(s, AS_PREFIX, rev + 1, as_watch_cb, as, &as->watch))
        as->watch = NULL;
    ctx->autoscale = as;
    return 0;
}

void fog_autoscale_free(struct fog_ctx *ctx)
{
    struct fog_autoscale *as = ctx->autoscale;
    if (!as)
        return;
    ctx->autoscale = NULL;
    if (as->watch)
        ctx->store->ops->unwatch(ctx->store, as->watch);
    pthread_mutex_destroy(&as->lock);
    free(as->bases);
    free(as);
}

void fog_autoscale_get(struct fog_ctx *ctx, struct fog_autoscale_policy *out)
{
    struct fog_autoscale *as = ctx->autoscale;
    if (!as) {
        fog_autoscale_policy_default(out);
        return;
    }
    pthread_mutex_lock(&as->lock);
    *out = as->p;
    pthread_mutex_unlock(&as->lock);
}

int fog_autoscale_enabled(struct fog_ctx *ctx)
{
    struct fog_autoscale_policy p;
    fog_autoscale_get(ctx, &p);
    return p.enabled;
}

int fog_autoscale_set(struct fog_ctx *ctx, const char *name, const char *val, size_t len)
{
    struct fog_autoscale *as = ctx->autoscale;
    char file[64];
    snprintf(file, sizeof file, "autoscale/%s", name);
    if (!as)
        return -EOPNOTSUPP;
    struct fog_autoscale_policy q;
    char old[32];
    fog_autoscale_get(ctx, &q);
    fog_autoscale_format(&q, name, old, sizeof old);   /* before the store's watch can apply it */
    const char *expected = NULL;
    int r = fog_autoscale_parse(&q, name, val, len, &expected);
    if (r)
        return fog_attr_reject(ctx, NULL, file, r, val, len, expected);
    char now[32], key[128];
    fog_autoscale_format(&q, name, now, sizeof now);
    snprintf(key, sizeof key, AS_PREFIX "%s", name);
    int64_t rev = 0;
    r = ctx->store->ops->put(ctx->store, key, now, strlen(now), 0, &rev);
    if (r) {
        fog_event(ctx, NULL, "error", "%s: cannot store \"%s\" (%s)", file, now, strerror(-r));
        return r;
    }
    pthread_mutex_lock(&as->lock);
    if (rev <= 0)                   /* a store that does not say: this write wins */
        rev = as->rev[file_index(name)] + 1;
    as_apply_locked(as, key, now, strlen(now), rev);
    pthread_mutex_unlock(&as->lock);
    fog_event(ctx, NULL, "autoscale", "policy %s %s -> %s", name, old, now);
    return 0;
}

/* With as->lock held: the entry for a container, or NULL. */
static struct as_base_entry *as_base_find(struct fog_autoscale *as, const char *name)
{
    for (size_t i = 0; i < as->nbases; i++)
        if (!strcmp(as->bases[i].name, name))
            return &as->bases[i];
    return NULL;
}

/* Remembers what an action did (base values on the first raise). */
static void as_base_note(struct fog_autoscale *as, const char *name, int verdict,
                         int64_t old_req, int64_t old_lim, int64_t new_req, int64_t new_lim)
{
    pthread_mutex_lock(&as->lock);
    struct as_base_entry *e = as_base_find(as, name);
    if (!e && verdict == FOG_AS_UP) {
        if (as->nbases == as->capbases) {
            size_t cap = as->capbases ? as->capbases * 2 : 8;
            struct as_base_entry *v = realloc(as->bases, cap * sizeof *v);
            if (v) {
                as->bases = v;
                as->capbases = cap;
            }
        }
        if (as->nbases < as->capbases) {
            e = &as->bases[as->nbases++];
            memset(e, 0, sizeof *e);
            snprintf(e->name, sizeof e->name, "%s", name);
        }
    }
    if (e) {
        /* Someone else changed the limits since our last action: the values
         * found now are the new originals. */
        if (!e->b.known || e->b.set_limit_m != old_lim || e->b.set_request_m != old_req) {
            e->b.known = 1;
            e->b.request_m = old_req;
            e->b.limit_m = old_lim;
        }
        e->b.set_request_m = new_req;
        e->b.set_limit_m = new_lim;
        if (verdict == FOG_AS_DOWN && new_req == e->b.request_m && new_lim == e->b.limit_m)
            *e = as->bases[--as->nbases];        /* back at its originals: forget */
    }
    pthread_mutex_unlock(&as->lock);
}

struct as_action {
    char name[64];
    int verdict;
    int64_t old_req, old_lim, req, lim;
    double mean;
};

/* Only the containers of this node's table are looked at: in a cluster,
 * exactly the node that runs (owns) a container acts for it, so two nodes
 * never scale one container twice. */
void fog_autoscale_tick(struct fog_ctx *ctx)
{
    struct fog_autoscale *as = ctx->autoscale;
    if (!as)
        return;
    struct fog_autoscale_policy p;
    fog_autoscale_get(ctx, &p);
    struct fog_autoscale_now now = {
        .mono = clock_s(CLOCK_MONOTONIC),
        .unix_s = clock_s(CLOCK_REALTIME),
        .interval = ctx->o.interval,
    };
    struct as_action *acts = NULL;
    size_t nacts = 0, capacts = 0;
    struct fog_ctable *t = &ctx->containers;
    pthread_mutex_lock(&t->lock);
    for (size_t i = 0; i < t->n; i++) {
        const struct fog_container *c = t->v[i];
        if (c->busy || c->state != LXCB_RUNNING)
            continue;
        struct fog_autoscale_base b = { 0 };
        pthread_mutex_lock(&as->lock);
        const struct as_base_entry *e = as_base_find(as, c->name);
        if (e)
            b = e->b;
        pthread_mutex_unlock(&as->lock);
        struct fog_autoscale_decision d;
        fog_autoscale_decide(&p, c, &b, &now, &d);
        if (d.verdict == FOG_AS_NONE)
            continue;
        if (nacts == capacts) {
            size_t cap = capacts ? capacts * 2 : 4;
            struct as_action *v = realloc(acts, cap * sizeof *v);
            if (!v)
                break;
            acts = v;
            capacts = cap;
        }
        struct as_action *a = &acts[nacts++];
        snprintf(a->name, sizeof a->name, "%s", c->name);
        a->verdict = d.verdict;
        a->old_req = c->limits.cpu_request_m > 0 ? c->limits.cpu_request_m : 0;
        a->old_lim = c->limits.cpu_limit_m;
        a->req = d.request_m;
        a->lim = d.limit_m;
        a->mean = d.mean_m;
    }
    pthread_mutex_unlock(&t->lock);

    /* The table lock is not held here: op_rescale takes it itself. */
    for (size_t i = 0; i < nacts; i++) {
        struct as_action *a = &acts[i];
        char why[128];
        if (a->verdict == FOG_AS_UP)
            snprintf(why, sizeof why, "avg=%lldm threshold=%d%% window=%ds",
                     (long long)llround(a->mean), p.threshold, p.window);
        else
            snprintf(why, sizeof why, "avg=%lldm down_threshold=%d%% window=%ds",
                     (long long)llround(a->mean), p.down_threshold, p.window);
        int r = op_rescale(ctx, a->name, a->req, a->lim, "autoscale", why);
        if (!r)
            as_base_note(as, a->name, a->verdict, a->old_req, a->old_lim, a->req, a->lim);
        /* Success or not (ENOSPC), the window and the cooldown start again:
         * a container that does not fit is retried once per window, not
         * once per sample. */
        double done = clock_s(CLOCK_MONOTONIC);
        pthread_mutex_lock(&t->lock);
        struct fog_container *c = fog_ctable_find_locked(t, a->name);
        if (c)
            c->last_autoscale = done;
        pthread_mutex_unlock(&t->lock);
    }
    free(acts);

    /* Forget containers that have gone (cheap: only when something is kept). */
    pthread_mutex_lock(&as->lock);
    size_t nb = as->nbases;
    pthread_mutex_unlock(&as->lock);
    if (!nb)
        return;
    pthread_mutex_lock(&t->lock);
    pthread_mutex_lock(&as->lock);
    for (size_t i = 0; i < as->nbases;) {
        if (!fog_ctable_find_locked(t, as->bases[i].name))
            as->bases[i] = as->bases[--as->nbases];
        else
            i++;
    }
    pthread_mutex_unlock(&as->lock);
    pthread_mutex_unlock(&t->lock);
}
