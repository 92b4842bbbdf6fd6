// epoll and eventfd: not exposed by Glibc's Swift module.
#include <sys/epoll.h>
#include <sys/eventfd.h>
