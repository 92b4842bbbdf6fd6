// epoll, eventfd and glibc's malloc tuning: not exposed by Glibc's Swift module.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <malloc.h>

/// `mallopt(M_MMAP_THRESHOLD, bytes)` and `mallopt(M_TRIM_THRESHOLD, bytes)`: the macros do not
/// reach Swift.
static inline int rl_set_malloc_thresholds(int mmapThreshold, int trimThreshold) {
    return mallopt(M_MMAP_THRESHOLD, mmapThreshold) && mallopt(M_TRIM_THRESHOLD, trimThreshold);
}
