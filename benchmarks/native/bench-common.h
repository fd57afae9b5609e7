/*
 * Helpers shared by the native micro-benchmarks of this folder: a monotonic clock, a comparator for
 * medians, and a connected loopback TCP pair.
 */
#ifndef EDGEWISE_BENCH_COMMON_H
#define EDGEWISE_BENCH_COMMON_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static inline double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static inline int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void die(const char *what) {
    perror(what);
    exit(1);
}

/* a connected loopback TCP pair: *writer is the client end, *reader the accepted one (inline, as the
   helpers above: a program that does not use one compiles without an unused-function warning) */
static inline void connect_pair(int *writer, int *reader) {
    struct sockaddr_in a = {0};
    socklen_t len = sizeof a;
    int l = socket(AF_INET, SOCK_STREAM, 0);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, 1)
            || getsockname(l, (struct sockaddr *)&a, &len)) die("listen");
    *writer = socket(AF_INET, SOCK_STREAM, 0);
    if (*writer < 0 || connect(*writer, (struct sockaddr *)&a, sizeof a)) die("connect");
    *reader = accept(l, NULL, NULL);
    if (*reader < 0) die("accept");
    close(l);
}

#endif
