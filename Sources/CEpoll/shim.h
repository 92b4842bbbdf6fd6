// epoll, eventfd, glibc's malloc tuning and SCHED_IDLE: not exposed by Glibc's Swift module.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <malloc.h>
#include <pthread.h>
#include <sched.h>

// <sched.h> defines SCHED_IDLE only under _GNU_SOURCE, which would also change how <sys/select.h>
// declares fd_set, against Dispatch's module of the same header: a clean build then fails.
#ifndef SCHED_IDLE
#define SCHED_IDLE 5
#endif

/// `mallopt(M_MMAP_THRESHOLD, bytes)` and `mallopt(M_TRIM_THRESHOLD, bytes)`: the macros do not
/// reach Swift.
static inline int rl_set_malloc_thresholds(int mmapThreshold, int trimThreshold) {
    return mallopt(M_MMAP_THRESHOLD, mmapThreshold) && mallopt(M_TRIM_THRESHOLD, trimThreshold);
}

/// This thread to SCHED_IDLE: it runs only when nothing else wants the core, and any other thread
/// that wakes takes the core at once (the macro does not reach Swift). 0 when done.
static inline int rl_set_thread_idle_priority(void) {
    struct sched_param param = { .sched_priority = 0 };
    return pthread_setschedparam(pthread_self(), SCHED_IDLE, &param);
}
