/*
 * What would it cost to learn "the receive queue is now empty" from the read itself, instead of
 * making the extra read that returns EAGAIN?  Linux reports the bytes left after a read as a
 * TCP_INQ control message of recvmsg(2).  This measures, on one loopback TCP connection:
 *
 *   read        a 64-byte recv() that finds data         (what every read costs today)
 *   recvmsg+inq the same read through recvmsg() with the TCP_INQ control message
 *   eagain      a recv() on the empty socket, EAGAIN      (the call TCP_INQ would save)
 *
 * Batches of each kind are interleaved so that machine noise hits all three alike; each figure is
 * the median over its batches of the mean cost per call.
 * Build and run: benchmarks/native/run.sh   (needs a C compiler; Linux 4.18+)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench-common.h"

#ifndef TCP_INQ
#define TCP_INQ 36
#endif

enum { MSG = 64, BATCH = 500, ROUNDS = 301 };

/* the loopback pair with TCP_INQ on the reading end */
static void connect_inq_pair(int *writer, int *reader) {
    int one = 1;
    connect_pair(writer, reader);
    if (setsockopt(*reader, SOL_TCP, TCP_INQ, &one, sizeof one)) die("TCP_INQ");
}

/* queue BATCH messages and wait until all have arrived */
static void fill(int writer, int reader) {
    static char out[MSG * BATCH];
    int queued = 0;
    if (write(writer, out, sizeof out) != (ssize_t)sizeof out) die("write");
    while (queued < (int)sizeof out) {
        if (ioctl(reader, SIOCINQ, &queued)) die("SIOCINQ");
    }
}

static int recvmsg_inq(int fd, char *buf, int len, int *left) {
    char control[CMSG_SPACE(sizeof(int))];
    struct iovec iov = { buf, (size_t)len };
    struct msghdr m = {0};
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = control;
    m.msg_controllen = sizeof control;
    int n = (int)recvmsg(fd, &m, MSG_DONTWAIT);
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    *left = -1;
    if (c && c->cmsg_level == SOL_TCP && c->cmsg_type == TCP_INQ) memcpy(left, CMSG_DATA(c), sizeof *left);
    return n;
}

int main(void) {
    int writer, reader, left;
    char buf[MSG];
    static double per_call[3][ROUNDS];
    int batches[3] = {0};
    double med[3];
    const char *name[3] = {"read 64 B (recv)", "read 64 B (recvmsg + TCP_INQ)", "read on empty socket (EAGAIN)"};
    connect_inq_pair(&writer, &reader);
    for (int r = 0; r < ROUNDS; r++) {
        int kind = r % 3;
        if (kind < 2) fill(writer, reader);
        double t0 = now_ns();
        for (int i = 0; i < BATCH; i++) {
            if (kind == 0) {
                if (recv(reader, buf, MSG, MSG_DONTWAIT) != MSG) die("recv");
            } else if (kind == 1) {
                if (recvmsg_inq(reader, buf, MSG, &left) != MSG || left < 0) die("recvmsg");
            } else if (recv(reader, buf, MSG, MSG_DONTWAIT) != -1) {
                die("recv on empty socket");
            }
        }
        per_call[kind][batches[kind]++] = (now_ns() - t0) / BATCH;
    }
    for (int k = 0; k < 3; k++) {
        qsort(per_call[k], batches[k], sizeof(double), by_value);
        med[k] = per_call[k][batches[k] / 2];
        printf("%-32s %6.0f ns/call (median of %d batches of %d)\n", name[k], med[k], batches[k], BATCH);
    }
    printf("TCP_INQ pays off only when more than %.0f%% of reads are followed by an EAGAIN read\n",
           100.0 * (med[1] - med[0]) / med[2]);
    return 0;
}
