/*
 * Is a socket call cheaper than the file call with the same result?  On a connected stream socket
 * read(2)/recv(2), write(2)/send(2) and writev(2)/sendmsg(2) do the same thing, but the file calls
 * pass through the VFS layer first (fdget_pos, rw_verify_area, the LSM file-permission hook,
 * fsnotify, sock_read_iter/sock_write_iter).  This measures, on one loopback TCP connection with
 * TCP_NODELAY and non-blocking descriptors (as Edgewise has them):
 *
 *   64 B reads that find data, reads on the empty socket (EAGAIN), 64 B writes, and 2 x 32 B
 *   gathering writes — each through the file call and through the socket call.
 *
 * A write includes the loopback delivery to the peer (softirq), so it is the dearer call.
 * Kinds are interleaved batch by batch so that machine noise hits all of them alike; each figure
 * is the median over its batches of the mean cost per call.
 * Build and run: benchmarks/native/run.sh   (needs a C compiler; Linux)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "bench-common.h"

enum { MSG = 64, BATCH = 500, ROUNDS = 200, KINDS = 8 };

static const char *name[KINDS] = {
    "read 64 B", "recv 64 B", "read, empty (EAGAIN)", "recv, empty (EAGAIN)",
    "write 64 B", "send 64 B", "writev 2 x 32 B", "sendmsg 2 x 32 B",
};

/* the loopback pair, both ends non-blocking, TCP_NODELAY on the writer */
static void connect_nonblocking_pair(int *writer, int *reader) {
    int one = 1;
    connect_pair(writer, reader);
    if (setsockopt(*writer, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one)) die("TCP_NODELAY");
    if (fcntl(*reader, F_SETFL, O_NONBLOCK) || fcntl(*writer, F_SETFL, O_NONBLOCK)) die("O_NONBLOCK");
}

/* empty the reader's receive queue */
static void drain(int reader) {
    static char sink[1 << 20];
    while (read(reader, sink, sizeof sink) > 0) { }
}

/* queue BATCH messages on the reader and wait until all have arrived */
static void fill(int writer, int reader) {
    static char out[MSG * BATCH];
    int queued = 0;
    if (write(writer, out, sizeof out) != (ssize_t)sizeof out) die("fill");
    while (queued < (int)sizeof out) {
        if (ioctl(reader, SIOCINQ, &queued)) die("SIOCINQ");
    }
}

static void one_call(int kind, int writer, int reader, char *buf, struct iovec *iov, struct msghdr *msg) {
    switch (kind) {
    case 0: if (read(reader, buf, MSG) != MSG) die("read"); break;
    case 1: if (recv(reader, buf, MSG, 0) != MSG) die("recv"); break;
    case 2: if (read(reader, buf, MSG) != -1) die("read on empty socket"); break;
    case 3: if (recv(reader, buf, MSG, 0) != -1) die("recv on empty socket"); break;
    case 4: if (write(writer, buf, MSG) != MSG) die("write"); break;
    case 5: if (send(writer, buf, MSG, MSG_NOSIGNAL) != MSG) die("send"); break;
    case 6: if (writev(writer, iov, 2) != MSG) die("writev"); break;
    case 7: if (sendmsg(writer, msg, MSG_NOSIGNAL) != MSG) die("sendmsg"); break;
    }
}

int main(void) {
    int writer, reader;
    char buf[MSG] = {0};
    struct iovec iov[2] = {{buf, MSG / 2}, {buf + MSG / 2, MSG / 2}};
    struct msghdr msg = {0};
    static double per_call[KINDS][ROUNDS];
    msg.msg_iov = iov;
    msg.msg_iovlen = 2;
    connect_nonblocking_pair(&writer, &reader);
    for (int r = 0; r < ROUNDS; r++) {
        for (int kind = 0; kind < KINDS; kind++) {
            drain(reader);
            if (kind < 2) fill(writer, reader);
            double t0 = now_ns();
            for (int i = 0; i < BATCH; i++) {
                one_call(kind, writer, reader, buf, iov, &msg);
                if (kind >= 4 && i % 64 == 63) drain(reader); /* keep the peer's queue short */
            }
            per_call[kind][r] = (now_ns() - t0) / BATCH;
        }
    }
    double med[KINDS];
    for (int k = 0; k < KINDS; k++) {
        qsort(per_call[k], ROUNDS, sizeof(double), by_value);
        med[k] = per_call[k][ROUNDS / 2];
    }
    for (int k = 0; k < KINDS; k += 2) {
        printf("%-22s %6.0f ns/call   %-22s %6.0f ns/call   socket call: %+.1f%%\n",
               name[k], med[k], name[k + 1], med[k + 1], 100.0 * (med[k + 1] - med[k]) / med[k]);
    }
    printf("(medians of %d interleaved batches of %d calls)\n", ROUNDS, BATCH);
    return 0;
}
