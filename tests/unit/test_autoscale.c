/* Unit tests of the autoscaler's pure parts: the policy files' parsing and
 * printing, and the decision over (policy, container snapshot, clocks):
 * threshold edge, warmup, disabled, cooldown, window, max clamp, factor,
 * request handling, scale-down. */
#include "core/autoscale.h"
#include "core/ctable.h"
#include "core/units.h"
#include "tests/unit/check.h"
#include <errno.h>
#include <stdlib.h>

#define NOW_MONO 10000.0
#define NOW_UNIX 1700000000.0

static struct fog_autoscale_now clocks(void)
{
    return (struct fog_autoscale_now){ .mono = NOW_MONO, .unix_s = NOW_UNIX, .interval = 1 };
}

static struct fog_autoscale_policy policy(void)
{
    struct fog_autoscale_policy p;
    fog_autoscale_policy_default(&p);
    p.enabled = 1;
    p.window = 10;
    p.warmup = 5;
    p.cooldown = 0;
    return p;
}

/* A running container started `age` seconds ago, limit/request as given,
 * `n` samples of `cpu_m` ending now, one per second. */
static struct fog_container *box(double age, int64_t limit, int64_t req, size_t n, int64_t cpu_m)
{
    struct fog_container *c = calloc(1, sizeof *c);
    snprintf(c->name, sizeof c->name, "c");
    c->state = LXCB_RUNNING;
    c->limits.cpu_limit_m = limit;
    c->limits.cpu_request_m = req;
    c->limits.mem_limit = -1;
    c->limits.autoscale = -1;
    c->started_at = NOW_UNIX - age;
    for (size_t i = 0; i < n; i++)
        fog_container_record_usage_locked(c, NOW_MONO - (double)(n - 1 - i), cpu_m);
    return c;
}

static struct fog_autoscale_decision decide(const struct fog_autoscale_policy *p,
                                            const struct fog_container *c,
                                            const struct fog_autoscale_base *b)
{
    struct fog_autoscale_now now = clocks();
    struct fog_autoscale_decision d;
    fog_autoscale_decide(p, c, b, &now, &d);
    return d;
}

static void test_defaults(void)
{
    struct fog_autoscale_policy p;
    fog_autoscale_policy_default(&p);
    char b[32];
    const char *want[FOG_AUTOSCALE_NFILES] = { "0", "90", "2", "60", "60", "60", "max", "0" };
    for (int i = 0; i < FOG_AUTOSCALE_NFILES; i++) {
        CHECK_EQ_INT(fog_autoscale_format(&p, fog_autoscale_files[i], b, sizeof b), 0);
        CHECK_EQ_STR(b, want[i]);
    }
    CHECK_EQ_INT(fog_autoscale_format(&p, "nope", b, sizeof b), -EINVAL);
}

static int parse(struct fog_autoscale_policy *p, const char *file, const char *v)
{
    return fog_autoscale_parse(p, file, v, strlen(v), NULL);
}

static void test_parse(void)
{
    struct fog_autoscale_policy p, d;
    fog_autoscale_policy_default(&p);
    d = p;
    char b[32];
    CHECK_EQ_INT(parse(&p, "enabled", "1\n"), 0);
    CHECK_EQ_INT(p.enabled, 1);
    CHECK_EQ_INT(parse(&p, "enabled", "2"), -ERANGE);
    CHECK_EQ_INT(parse(&p, "enabled", "yes"), -EINVAL);
    CHECK_EQ_INT(parse(&p, "enabled", ""), -EINVAL);
    CHECK_EQ_INT(p.enabled, 1);
    CHECK_EQ_INT(parse(&p, "threshold", " 80 "), 0);
    CHECK_EQ_INT(p.threshold, 80);
    CHECK_EQ_INT(parse(&p, "threshold", "0"), -ERANGE);
    CHECK_EQ_INT(parse(&p, "threshold", "101"), -ERANGE);
    CHECK_EQ_INT(parse(&p, "threshold", "-5"), -ERANGE);
    CHECK_EQ_INT(parse(&p, "threshold", "90%"), -EINVAL);
    CHECK_EQ_INT(p.threshold, 80);
    CHECK_EQ_INT(parse(&p, "factor", "1.5"), 0);
    CHECK_EQ_INT(p.factor_milli, 1500);
    fog_autoscale_format(&p, "factor", b, sizeof b);
    CHECK_EQ_STR(b, "1.5");
    CHECK_EQ_INT(parse(&p, "factor", "1.25"), 0);
    fog_autoscale_format(&p, "factor", b, sizeof b);
    CHECK_EQ_STR(b, "1.25");
    CHECK_EQ_INT(parse(&p, "factor", "1"), -ERANGE);
    CHECK_EQ_INT(parse(&p, "factor", "17"), -ERANGE);
    CHECK_EQ_INT(parse(&p, "factor", "-2"), -ERANGE);
    CHECK_EQ_INT(parse(&p, "factor", "2000m"), -EINVAL);
    CHECK_EQ_INT(parse(&p, "factor", "two"), -EINVAL);
    CHECK_EQ_INT(parse(&p, "factor", "1.0001"), -EINVAL);
    CHECK_EQ_INT(p.factor_milli, 1250);
    CHECK_EQ_INT(parse(&p, "window", "3"), 0);
    CHECK_EQ_INT(parse(&p, "window", "0"), -ERANGE);
    CHECK_EQ_INT(parse(&p, "window", "86401"), -ERANGE);
    CHECK_EQ_INT(parse(&p, "window", "1.5"), -EINVAL);
    CHECK_EQ_INT(p.window, 3);
    CHECK_EQ_INT(parse(&p, "warmup", "0"), 0);
    CHECK_EQ_INT(p.warmup, 0);
    CHECK_EQ_INT(parse(&p, "cooldown", "99999999999999999999"), -ERANGE);
    CHECK_EQ_INT(parse(&p, "max_cpu_limit", "400m"), 0);
    CHECK_EQ_INT(p.max_cpu_limit_m, 400);
    CHECK_EQ_INT(parse(&p, "max_cpu_limit", "0"), -ERANGE);
    CHECK_EQ_INT(parse(&p, "max_cpu_limit", "-1"), -ERANGE);
    CHECK_EQ_INT(parse(&p, "max_cpu_limit", "lots"), -EINVAL);
    CHECK_EQ_INT(p.max_cpu_limit_m, 400);
    CHECK_EQ_INT(parse(&p, "max_cpu_limit", "max"), 0);
    CHECK_EQ_INT(p.max_cpu_limit_m, FOG_UNLIMITED);
    CHECK_EQ_INT(parse(&p, "down_threshold", "100"), -ERANGE);
    CHECK_EQ_INT(parse(&p, "down_threshold", "20"), 0);
    CHECK_EQ_INT(parse(&p, "nofile", "1"), -EINVAL);
    CHECK_EQ_INT(parse(&p, "window", "1\0002"), 0);   /* strlen stops at the NUL */
    CHECK_EQ_INT(fog_autoscale_parse(&p, "window", "1\0002", 3, NULL), -EINVAL);
    (void)d;
}

static void test_threshold_edge(void)
{
    struct fog_autoscale_policy p = policy();
    struct fog_container *c = box(100, 100, 50, 10, 90);    /* exactly 90% */
    struct fog_autoscale_decision d = decide(&p, c, NULL);
    CHECK_EQ_INT(d.verdict, FOG_AS_UP);
    CHECK_EQ_INT(d.limit_m, 200);
    CHECK_EQ_INT(d.request_m, 100);
    CHECK(d.mean_m == 90);
    CHECK_EQ_INT(d.samples, 10);
    free(c);
    c = box(100, 100, 50, 10, 89);
    d = decide(&p, c, NULL);
    CHECK_EQ_INT(d.verdict, FOG_AS_NONE);
    CHECK_EQ_STR(d.why, "within limits");
    free(c);
}

/* The mean, not one sample: one spike does not trigger, a late rise does
 * once the mean crosses. */
static void test_mean_not_sample(void)
{
    struct fog_autoscale_policy p = policy();
    struct fog_container *c = box(100, 100, 0, 9, 10);
    fog_container_record_usage_locked(c, NOW_MONO + 1, 100);
    struct fog_autoscale_now now = clocks();
    now.mono += 1;
    struct fog_autoscale_decision d;
    fog_autoscale_decide(&p, c, NULL, &now, &d);
    CHECK_EQ_INT(d.verdict, FOG_AS_NONE);
    CHECK(d.mean_m > 10 && d.mean_m < 90);
    free(c);
    /* Samples older than the window do not count. */
    c = box(100, 100, 0, 30, 100);
    for (int i = 1; i <= 10; i++)
        fog_container_record_usage_locked(c, NOW_MONO + i, 0);
    now = clocks();
    now.mono += 10;
    fog_autoscale_decide(&p, c, NULL, &now, &d);
    CHECK_EQ_INT(d.verdict, FOG_AS_NONE);
    CHECK(d.mean_m == 0);
    free(c);
}

static void test_window_full(void)
{
    struct fog_autoscale_policy p = policy();
    struct fog_container *c = box(100, 100, 0, 9, 100);    /* 9 of 10 */
    struct fog_autoscale_decision d = decide(&p, c, NULL);
    CHECK_EQ_INT(d.verdict, FOG_AS_NONE);
    CHECK_EQ_STR(d.why, "window not full");
    free(c);
    /* Samples from before the (re)start do not count. */
    c = box(100, 100, 0, 20, 100);
    c->started_at = NOW_UNIX - 5.5;
    p.warmup = 0;
    d = decide(&p, c, NULL);
    CHECK_EQ_STR(d.why, "window not full");
    CHECK_EQ_INT(d.samples, 6);
    free(c);
    /* Stale history (the agent stopped sampling it) is not acted on. */
    c = box(100, 100, 0, 20, 100);
    struct fog_autoscale_now now = clocks();
    now.mono += 30;
    fog_autoscale_decide(&p, c, NULL, &now, &d);
    CHECK_EQ_STR(d.why, "no recent samples");
    free(c);
    /* Half-second sampling: window/interval samples fill it. */
    c = box(100, 100, 0, 0, 0);
    for (int i = 0; i < 20; i++)
        fog_container_record_usage_locked(c, NOW_MONO - 9.5 + i * 0.5, 95);
    now = clocks();
    now.interval = 0.5;
    fog_autoscale_decide(&p, c, NULL, &now, &d);
    CHECK_EQ_INT(d.verdict, FOG_AS_UP);
    CHECK_EQ_INT(d.samples, 20);
    free(c);
}

static void test_warmup(void)
{
    struct fog_autoscale_policy p = policy();
    p.warmup = 60;
    struct fog_container *c = box(59.5, 100, 0, 30, 100);
    struct fog_autoscale_decision d = decide(&p, c, NULL);
    CHECK_EQ_INT(d.verdict, FOG_AS_NONE);
    CHECK_EQ_STR(d.why, "warmup");
    c->started_at = NOW_UNIX - 60;
    d = decide(&p, c, NULL);
    CHECK_EQ_INT(d.verdict, FOG_AS_UP);
    c->started_at = 0;
    d = decide(&p, c, NULL);
    CHECK_EQ_STR(d.why, "start time unknown");
    free(c);
}

static void test_disabled(void)
{
    struct fog_autoscale_policy p = policy();
    struct fog_container *c = box(100, 100, 0, 30, 100);
    p.enabled = 0;
    CHECK_EQ_STR(decide(&p, c, NULL).why, "disabled");
    c->limits.autoscale = 1;                 /* the container's own 1 wins */
    CHECK_EQ_INT(decide(&p, c, NULL).verdict, FOG_AS_UP);
    p.enabled = 1;
    c->limits.autoscale = 0;                 /* and its 0 */
    CHECK_EQ_STR(decide(&p, c, NULL).why, "disabled");
    c->limits.autoscale = -1;
    c->state = LXCB_FROZEN;
    CHECK_EQ_STR(decide(&p, c, NULL).why, "not running");
    c->state = LXCB_RUNNING;
    c->limits.cpu_limit_m = FOG_UNLIMITED;
    CHECK_EQ_STR(decide(&p, c, NULL).why, "no cpu limit");
    free(c);
}

static void test_cooldown(void)
{
    struct fog_autoscale_policy p = policy();
    p.cooldown = 30;
    struct fog_container *c = box(100, 100, 0, 60, 100);
    c->last_autoscale = NOW_MONO - 29;
    CHECK_EQ_STR(decide(&p, c, NULL).why, "cooldown");
    c->last_autoscale = NOW_MONO - 30;
    CHECK_EQ_INT(decide(&p, c, NULL).verdict, FOG_AS_UP);
    /* Without a cooldown the window still refills after an action. */
    p.cooldown = 0;
    c->last_autoscale = NOW_MONO - 5.5;
    struct fog_autoscale_decision d = decide(&p, c, NULL);
    CHECK_EQ_STR(d.why, "window not full");
    CHECK_EQ_INT(d.samples, 6);
    free(c);
}

static void test_max_clamp_and_factor(void)
{
    struct fog_autoscale_policy p = policy();
    p.max_cpu_limit_m = 400;
    struct fog_container *c = box(100, 300, 300, 30, 300);
    struct fog_autoscale_decision d = decide(&p, c, NULL);
    CHECK_EQ_INT(d.verdict, FOG_AS_UP);
    CHECK_EQ_INT(d.limit_m, 400);              /* clamped */
    CHECK_EQ_INT(d.request_m, 400);            /* never above the limit */
    free(c);
    c = box(100, 400, 0, 30, 395);             /* at the ceiling */
    CHECK_EQ_STR(decide(&p, c, NULL).why, "at max_cpu_limit");
    free(c);
    c = box(100, 500, 0, 30, 480);             /* a user set more than the ceiling */
    CHECK_EQ_STR(decide(&p, c, NULL).why, "at max_cpu_limit");
    free(c);
    p.max_cpu_limit_m = FOG_UNLIMITED;
    p.factor_milli = 1500;
    c = box(100, 100, 40, 30, 95);
    d = decide(&p, c, NULL);
    CHECK_EQ_INT(d.limit_m, 150);
    CHECK_EQ_INT(d.request_m, 60);
    free(c);
    /* No request stays no request: only the cap grows. */
    p.factor_milli = 2000;
    c = box(100, 100, 0, 30, 95);
    d = decide(&p, c, NULL);
    CHECK_EQ_INT(d.limit_m, 200);
    CHECK_EQ_INT(d.request_m, 0);
    free(c);
    /* A tiny limit still grows with a small factor. */
    p.factor_milli = 1001;
    c = box(100, 1, 0, 30, 1);
    d = decide(&p, c, NULL);
    CHECK_EQ_INT(d.limit_m, 2);
    free(c);
}

static void test_scale_down(void)
{
    struct fog_autoscale_policy p = policy();
    struct fog_container *c = box(100, 400, 200, 30, 10);
    struct fog_autoscale_base b = { .known = 1, .request_m = 50, .limit_m = 100,
                                    .set_request_m = 200, .set_limit_m = 400 };
    /* Off by default. */
    CHECK_EQ_STR(decide(&p, c, &b).why, "within limits");
    p.down_threshold = 20;
    struct fog_autoscale_decision d = decide(&p, c, &b);
    CHECK_EQ_INT(d.verdict, FOG_AS_DOWN);
    CHECK_EQ_INT(d.limit_m, 200);
    CHECK_EQ_INT(d.request_m, 100);
    /* Never below the original values. */
    c->limits.cpu_limit_m = b.set_limit_m = 150;
    c->limits.cpu_request_m = b.set_request_m = 60;
    d = decide(&p, c, &b);
    CHECK_EQ_INT(d.verdict, FOG_AS_DOWN);
    CHECK_EQ_INT(d.limit_m, 100);
    CHECK_EQ_INT(d.request_m, 50);
    c->limits.cpu_limit_m = b.set_limit_m = 100;
    c->limits.cpu_request_m = b.set_request_m = 50;
    CHECK_EQ_STR(decide(&p, c, &b).why, "at its original limits");
    /* Not one the autoscaler did not raise, nor one someone changed since. */
    c->limits.cpu_limit_m = 400;
    c->limits.cpu_request_m = 200;
    CHECK_EQ_STR(decide(&p, c, NULL).why, "not raised by the autoscaler");
    b.set_limit_m = 300;
    CHECK_EQ_STR(decide(&p, c, &b).why, "not raised by the autoscaler");
    free(c);
    /* Not into a limit the same mean would raise again. */
    p.down_threshold = 50;
    c = box(100, 400, 0, 30, 190);
    struct fog_autoscale_base b2 = { .known = 1, .limit_m = 100, .set_limit_m = 400 };
    CHECK_EQ_STR(decide(&p, c, &b2).why, "would cross the threshold again");
    free(c);
}

int main(void)
{
    int f = 0;
    f |= RUN_TEST(test_defaults);
    f |= RUN_TEST(test_parse);
    f |= RUN_TEST(test_threshold_edge);
    f |= RUN_TEST(test_mean_not_sample);
    f |= RUN_TEST(test_window_full);
    f |= RUN_TEST(test_warmup);
    f |= RUN_TEST(test_disabled);
    f |= RUN_TEST(test_cooldown);
    f |= RUN_TEST(test_max_clamp_and_factor);
    f |= RUN_TEST(test_scale_down);
    return f;
}
