/* Minimal unit-test helpers: CHECK records a failure with its line and goes on;
 * TEST_END prints "PASS: name" or "FAIL: name: ..." for tests/run.sh to count. */
#ifndef FOG_TEST_CHECK_H
#define FOG_TEST_CHECK_H
#include <stdio.h>
#include <string.h>

static int check_failed_;
static char check_why_[512];

#define CHECK(cond) do { if (!(cond)) { if (!check_failed_) { \
    snprintf(check_why_, sizeof check_why_, "%s:%d: %s", __FILE__, __LINE__, #cond); } \
    check_failed_ = 1; } } while (0)
#define CHECK_EQ_INT(a, b) do { long long a_ = (long long)(a), b_ = (long long)(b); \
    if (a_ != b_ && !check_failed_) { snprintf(check_why_, sizeof check_why_, \
    "%s:%d: %s == %lld, expected %lld", __FILE__, __LINE__, #a, a_, b_); check_failed_ = 1; } } while (0)
#define CHECK_EQ_STR(a, b) do { const char *a_ = (a), *b_ = (b); \
    if ((!a_ || !b_ || strcmp(a_, b_)) && !check_failed_) { snprintf(check_why_, sizeof check_why_, \
    "%s:%d: %s == \"%.200s\", expected \"%.200s\"", __FILE__, __LINE__, #a, a_ ? a_ : "(null)", \
    b_ ? b_ : "(null)"); check_failed_ = 1; } } while (0)

/* Runs one test function and reports it. Returns 1 if it failed. */
#define RUN_TEST(fn) run_test_(#fn, fn)
static inline int run_test_(const char *name, void (*fn)(void))
{
    check_failed_ = 0;
    check_why_[0] = 0;
    fn();
    if (check_failed_)
        printf("FAIL: %s: %s\n", name, check_why_);
    else
        printf("PASS: %s\n", name);
    fflush(stdout);
    return check_failed_;
}
#endif
