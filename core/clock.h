/* Monotonic time for the daemon's waits: now in seconds, deadlines for
 * pthread_cond_timedwait, and condition variables that use that clock. */
#ifndef FOG_CLOCK_H
#define FOG_CLOCK_H
#include <pthread.h>
#include <time.h>

double fog_mono_now(void);
/* CLOCK_MONOTONIC time `seconds` from now. */
struct timespec fog_mono_after(double seconds);
/* A condition variable whose timed waits take fog_mono_after() deadlines. */
void fog_cond_init_mono(pthread_cond_t *cond);

#endif
