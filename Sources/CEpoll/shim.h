// epoll, eventfd, glibc's malloc tuning, SCHED_IDLE, the idle I/O class and sync_file_range: not
// exposed by Glibc's Swift module.
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <unistd.h>
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

/// This thread's I/O to the idle class (ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO_CLASS_IDLE)):
/// what it submits itself (a write-back it asks for, an fsync) is served when the disk has nothing
/// else queued, by schedulers that keep I/O priorities (mq-deadline, BFQ). 0 when done. glibc has
/// no wrapper, and syscall(2) is variadic, which Swift cannot call.
static inline int rl_set_thread_io_idle(void) {
    return (int)syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, (3 /* IOPRIO_CLASS_IDLE */ << 13) | 0);
}

/// sync_file_range(2), declared by <fcntl.h> only under _GNU_SOURCE (see SCHED_IDLE above).
int sync_file_range(int fd, long long offset, long long nbytes, unsigned int flags);
/// SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER: start the
/// write-back of the file's dirty pages and wait for it (no metadata, no cache flush: not a
/// durability point, a way to keep what is dirty small).
static inline int rl_write_back_and_wait(int fd) {
    return sync_file_range(fd, 0, 0, 1 | 2 | 4);
}
