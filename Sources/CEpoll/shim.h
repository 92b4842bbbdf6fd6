// epoll and eventfd: not exposed by Glibc's Swift module.
#include <sys/epoll.h>
#include <sys/eventfd.h>
// mallopt: malloc.h is not in Glibc's Swift module either (Runner keeps large buffers on pages
// of their own).
#include <malloc.h>
static inline int rl_keep_large_buffers_apart(int mmap_threshold, int trim_threshold) {
    return mallopt(M_MMAP_THRESHOLD, mmap_threshold) && mallopt(M_TRIM_THRESHOLD, trim_threshold);
}
