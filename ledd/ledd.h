/* The ledd loop: every interval read the rows and brightness files and
 * show them on the configured driver, until SIGTERM/SIGINT. */
#ifndef LEDD_LEDD_H
#define LEDD_LEDD_H
#include <stdio.h>
#include "ledd/config.h"

struct ledd_run_options {
    int once;           /* show one frame (for one interval), then exit */
    int test_pattern;   /* show the test patterns instead of the file */
    FILE *term_out;     /* where the term driver draws (stdout) */
    FILE *log;          /* messages (stderr) */
};

/* Runs until a signal (or the end of --once). Returns 0 or -errno. */
int ledd_run(const struct ledd_config *cfg, const struct ledd_run_options *opt);

#endif
