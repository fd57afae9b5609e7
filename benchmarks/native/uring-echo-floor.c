/*
 * The floor under Edgewise's io_uring level 2 (issue #21): the same ring work per echoed message, in C,
 * without Java, against a plain epoll echo server in C, both driven by the same C client over loopback.
 *
 * Server "uring" does what level 2 does per message: one ring set up with COOP_TASKRUN | TASKRUN_FLAG |
 * SUBMIT_ALL (as UringSupport.SETUP_FLAGS), a provided-buffer ring of 256 x 8 KiB (IORING_REGISTER_PBUF_RING,
 * as BufferRing's defaults), one multishot RECV with buffer select per connection, each received buffer
 * copied into a bounded per-connection send buffer (4 chunks of 16 KiB, as SendChunks; Edgewise copies in
 * write()) and handed back to the buffer ring at once, one SEND per connection in flight (the unsent bytes
 * of its head chunk, MSG_NOSIGNAL), and exactly one io_uring_enter per loop turn that submits every queued
 * SQE and waits for one completion.  When the send buffer is full, the received buffers wait in a queue
 * (the application's backpressure); a RECV that finds the buffer ring empty (ENOBUFS) is re-armed once a
 * buffer came back.
 *   -a  one more copy per byte (provided buffer -> application buffer -> send buffer), as Edgewise's
 *       read() copies out of the ring before Netty's write() copies into the send chunk;
 *   -b SIZE -n COUNT  provided buffers (default 8192 x 256);  -i  incremental consumption (IOU_PBUF_RING_INC,
 *       Linux 6.12), so a short receive does not take a whole buffer;
 *   -d  SINGLE_ISSUER | DEFER_TASKRUN (Netty's io_uring transport's flags) instead of COOP_TASKRUN;
 *   -s  a SEND takes every contiguous unsent byte (up to 64 KiB), not only its head chunk's (up to 16 KiB);
 *   -z  no copy at all: each SEND goes out of the received buffer itself, which returns to the buffer
 *       ring when the SEND completed (what a ring can do when the program hands it its buffers; a
 *       SelectorProvider cannot, its read() must copy into the caller's buffer);
 *   -x  level 2's large-write rule (UringSendStream): when nothing is buffered or in flight and at least
 *       8 KiB were received, up to 64 KiB of them are copied into the application buffer (Edgewise's
 *       read(), Netty's read buffer) and written with send(2, MSG_DONTWAIT); what the socket does not
 *       take is copied into the send buffer.
 * Server "epoll" is the readiness floor, as the JDK's provider works: level-triggered epoll_wait, then per
 * ready connection one read(2) into a 64 KiB buffer and one write(2) of what was read; what the socket does
 * not take waits for EPOLLOUT (reading from that connection pauses meanwhile).
 *
 * The client (main thread; the server runs in a second thread, as the Java bench's two event loops) is the
 * same for both: level-triggered epoll, read(2)/write(2), TCP_NODELAY, `-c` connections each keeping `-w`
 * messages of `-m` bytes in flight and sending a new one for each message fully echoed back (the bench's
 * EchoClientHandler).  Ping-pong is -c 4 -w 1 -m 64, with the round-trip time of every message sampled.
 * -C uring swaps it for a ring client of the server's shape (level 2 on the client's end, as in the Java
 * bench where Netty's client runs on Edgewise too; see "io_uring client" below).
 * After -W ms of warm-up it measures -M ms and prints one line:
 *   RESULT server=... msgs_per_s=... srv_cpu_us=(server thread CPU per message) srv_calls=(the server's
 *   own system calls per message, counted in the program) cli_cpu_us= cli_calls= (the client thread's)
   proc_cpu_us= (both threads) proc_user_us= (its user-space part) ... p50_us= p99_us= (ping-pong only)
 * and "TOTAL msgs=N" (every message of the run, to divide an `strace -c -f` count by).
 *
 * Raw system calls through <linux/io_uring.h> and syscall(2), no liburing; the header comes with the
 * kernel's user-space headers (Debian/Ubuntu: apt-get install -y linux-libc-dev).  Needs Linux 6.0+
 * (multishot RECV), 6.12+ for -i.  Exits non-zero on any error.
 * Build and run: benchmarks/native/uring-floor.sh  (interleaved rounds of both servers, medians, strace).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "bench-common.h"

/* newer than some distributions' headers (the kernel here is 6.18) */
#ifndef IOU_PBUF_RING_INC
#define IOU_PBUF_RING_INC 2
#endif
#ifndef IORING_CQE_F_BUF_MORE
#define IORING_CQE_F_BUF_MORE (1U << 4)
#endif

enum {
    MAX_CONNS = 64,
    SEND_CAP = 64 * 1024, CHUNK = 16 * 1024,  /* per-connection send buffer: 4 chunks (SendChunks) */
    PENDING = 4096,                            /* received pieces waiting for send-buffer room */
    SQ_ENTRIES = 256, CQ_ENTRIES = 1024,
    EPOLL_READ = 64 * 1024, CLIENT_IO = 256 * 1024,
    RECV = 1, SEND = 2,
};

static struct {
    int uring, conns, window, size, warm_ms, measure_ms;
    int buf_size, buf_count, inc, defer, app_copy, whole_sends, no_copy, direct, ring_client, split_cpus;
} opt = {1, 8, 16, 64, 1000, 2000, 8192, 256, 0, 0, 0, 0, 0, 0, 0, 0};

static int listen_fd;
static struct sockaddr_in server_addr;

/* the server's own counts, written by the server thread only, read by the client at window edges */
static unsigned long srv_enter, srv_wait, srv_read, srv_write, srv_ctl, srv_enobufs, srv_recvs, srv_sends, srv_direct;

static void bump(unsigned long *c) { __atomic_store_n(c, *c + 1, __ATOMIC_RELAXED); }
static unsigned long peek(unsigned long *c) { return __atomic_load_n(c, __ATOMIC_RELAXED); }

static void fail(const char *what, int err) {
    fprintf(stderr, "%s: %s\n", what, strerror(err));
    exit(1);
}

static void nodelay_nonblocking(int fd) {
    int one = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one)) die("TCP_NODELAY");
    if (fcntl(fd, F_SETFL, O_NONBLOCK)) die("O_NONBLOCK");
}

/* the server thread takes its connections up front (accepting is not what is measured) */
static void accept_all(int *fds) {
    for (int i = 0; i < opt.conns; i++) {
        fds[i] = accept(listen_fd, NULL, NULL);
        if (fds[i] < 0) die("accept");
        nodelay_nonblocking(fds[i]);
    }
}

/* ---------------------------------------------------------------- io_uring server */

struct ring {
    int fd;
    unsigned *sq_head, *sq_tail, *sq_mask, *sq_flags, *sq_array, sq_entries, sq_local;
    unsigned *cq_head, *cq_tail, *cq_mask;
    struct io_uring_cqe *cqes;
    struct io_uring_sqe *sqes;
    unsigned to_submit;
};

struct uconn {
    int fd, recv_armed, starved, send_inflight, closed;
    char *sbuf;                 /* SEND_CAP bytes, used as a ring of chunks */
    unsigned s_head, s_tail;    /* next byte to send, next byte to write (s_tail - s_head <= SEND_CAP) */
    char *app;                  /* -a: the application's read buffer */
    struct piece { unsigned short bid, last; unsigned off, len; } q[PENDING];
    unsigned q_head, q_tail;
};

static struct ring R;
static struct uconn U[MAX_CONNS];
static struct io_uring_buf_ring *br;
static char *bufs;
static unsigned br_tail, *buf_off, recycled, held; /* held: buffers out of the ring (ours or, with -i, partly filled) */

/* sets up ring *r (both ends use it: the server's R, the -C uring client's own) */
static void ring_setup(struct ring *r) {
    struct io_uring_params p = {0};
    p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_SUBMIT_ALL
            | (opt.defer ? IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN
                         : IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG);
    p.cq_entries = CQ_ENTRIES;
    r->fd = (int)syscall(__NR_io_uring_setup, SQ_ENTRIES, &p);
    if (r->fd < 0) die("io_uring_setup");
    if (!(p.features & IORING_FEAT_SINGLE_MMAP)) fail("io_uring", ENOSYS);
    size_t sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
    size_t cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
    size_t len = sq_len > cq_len ? sq_len : cq_len;
    char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQ_RING);
    if (m == MAP_FAILED) die("mmap rings");
    r->sq_head = (unsigned *)(m + p.sq_off.head);
    r->sq_tail = (unsigned *)(m + p.sq_off.tail);
    r->sq_mask = (unsigned *)(m + p.sq_off.ring_mask);
    r->sq_flags = (unsigned *)(m + p.sq_off.flags);
    r->sq_array = (unsigned *)(m + p.sq_off.array);
    r->sq_entries = p.sq_entries;
    r->sq_local = *r->sq_tail;
    r->cq_head = (unsigned *)(m + p.cq_off.head);
    r->cq_tail = (unsigned *)(m + p.cq_off.tail);
    r->cq_mask = (unsigned *)(m + p.cq_off.ring_mask);
    r->cqes = (struct io_uring_cqe *)(m + p.cq_off.cqes);
    r->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
                  MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
    if (r->sqes == MAP_FAILED) die("mmap sqes");
    for (unsigned i = 0; i < p.sq_entries; i++) r->sq_array[i] = i; /* slot i holds SQE i, for good */
}

/* one io_uring_enter on ring *r (counted in *calls): submits what was queued, waits for min_complete completions */
static void ring_enter_on(struct ring *r, unsigned long *calls, unsigned min_complete) {
    __atomic_store_n(r->sq_tail, r->sq_local, __ATOMIC_RELEASE);
    for (;;) {
        bump(calls);
        long n = syscall(__NR_io_uring_enter, r->fd, r->to_submit, min_complete,
                         min_complete ? IORING_ENTER_GETEVENTS : 0, NULL, 0);
        if (n >= 0) {
            if ((unsigned)n != r->to_submit) fail("io_uring_enter: short submit", EIO);
            r->to_submit = 0;
            return;
        }
        if (errno == EBUSY && r->to_submit == 0) return; /* completions to reap first */
        if (errno != EINTR) die("io_uring_enter");
    }
}

static struct io_uring_sqe *sqe_next_on(struct ring *r, unsigned long *calls) {
    if (r->sq_local - __atomic_load_n(r->sq_head, __ATOMIC_ACQUIRE) == r->sq_entries) ring_enter_on(r, calls, 0);
    struct io_uring_sqe *s = &r->sqes[r->sq_local & *r->sq_mask];
    memset(s, 0, sizeof *s);
    r->sq_local++;
    r->to_submit++;
    return s;
}

/* the server's ring */
static void ring_enter(unsigned min_complete) { ring_enter_on(&R, &srv_enter, min_complete); }
static struct io_uring_sqe *sqe_next(void) { return sqe_next_on(&R, &srv_enter); }

static void arm_recv(int i) {
    struct io_uring_sqe *s = sqe_next();
    s->opcode = IORING_OP_RECV;
    s->fd = U[i].fd;
    s->ioprio = IORING_RECV_MULTISHOT;
    s->flags = IOSQE_BUFFER_SELECT;
    s->buf_group = 0;
    s->user_data = (uint64_t)i << 8 | RECV;
    U[i].recv_armed = 1;
    U[i].starved = 0;
}

/* the unsent bytes of the head chunk, as UringSendStream submits them */
static void queue_send(int i) {
    struct uconn *c = &U[i];
    unsigned at = c->s_head & (SEND_CAP - 1);
    unsigned len = c->s_tail - c->s_head, left = opt.whole_sends ? SEND_CAP - at : CHUNK - (at & (CHUNK - 1));
    if (len > left) len = left;
    struct io_uring_sqe *s = sqe_next();
    s->opcode = IORING_OP_SEND;
    s->fd = c->fd;
    s->addr = (uint64_t)(uintptr_t)(c->sbuf + at);
    s->len = len;
    s->msg_flags = MSG_NOSIGNAL;
    s->user_data = (uint64_t)i << 8 | SEND;
    c->send_inflight = 1;
}

/* -z: the head received piece goes out as it is */
static void queue_piece_send(int i) {
    struct uconn *c = &U[i];
    struct piece *p = &c->q[c->q_head % PENDING];
    struct io_uring_sqe *s = sqe_next();
    s->opcode = IORING_OP_SEND;
    s->fd = c->fd;
    s->addr = (uint64_t)(uintptr_t)(bufs + (size_t)p->bid * opt.buf_size + p->off);
    s->len = p->len;
    s->msg_flags = MSG_NOSIGNAL;
    s->user_data = (uint64_t)i << 8 | SEND;
    c->send_inflight = 1;
}

static void buf_ring_setup(void) {
    size_t ring_len = (size_t)opt.buf_count * sizeof(struct io_uring_buf);
    br = mmap(NULL, ring_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    bufs = mmap(NULL, (size_t)opt.buf_count * opt.buf_size, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    buf_off = calloc(opt.buf_count, sizeof *buf_off);
    if (br == MAP_FAILED || bufs == MAP_FAILED || !buf_off) die("buffer ring memory");
    struct io_uring_buf_reg reg = {0};
    reg.ring_addr = (uint64_t)(uintptr_t)br;
    reg.ring_entries = opt.buf_count;
    reg.bgid = 0;
    reg.pad = opt.inc ? IOU_PBUF_RING_INC : 0; /* "flags" in newer headers */
    if (syscall(__NR_io_uring_register, R.fd, IORING_REGISTER_PBUF_RING, &reg, 1)) die("IORING_REGISTER_PBUF_RING");
    for (int b = 0; b < opt.buf_count; b++) {
        struct io_uring_buf *e = &br->bufs[b];
        e->addr = (uint64_t)(uintptr_t)(bufs + (size_t)b * opt.buf_size);
        e->len = opt.buf_size;
        e->bid = b;
    }
    br_tail = opt.buf_count;
    __atomic_store_n(&br->tail, (unsigned short)br_tail, __ATOMIC_RELEASE);
}

/* buffer bid of the slab at base goes (back) to the kernel through ring r: an entry and a release store of
   the tail, no system call */
static void buf_ring_put(struct io_uring_buf_ring *r, unsigned *tail, char *base, unsigned bid) {
    struct io_uring_buf *e = &r->bufs[*tail & (opt.buf_count - 1)];
    e->addr = (uint64_t)(uintptr_t)(base + (size_t)bid * opt.buf_size);
    e->len = opt.buf_size;
    e->bid = bid;
    ++*tail;
    __atomic_store_n(&r->tail, (unsigned short)*tail, __ATOMIC_RELEASE);
}

/* a buffer read empty goes back to the kernel */
static void recycle(unsigned bid) {
    buf_ring_put(br, &br_tail, bufs, bid);
    recycled++;
    held--;
}

/* copies what fits of a received piece into the send buffer (through the application buffer with -a) */
static unsigned copy_in(struct uconn *c, const char *src, unsigned len) {
    unsigned room = SEND_CAP - (c->s_tail - c->s_head);
    if (len > room) len = room;
    if (opt.app_copy) {
        memcpy(c->app, src, len);
        src = c->app;
    }
    unsigned at = c->s_tail & (SEND_CAP - 1), first = SEND_CAP - at;
    if (first > len) first = len;
    memcpy(c->sbuf + at, src, first);
    memcpy(c->sbuf, src + first, len - first);
    c->s_tail += len;
    return len;
}

/* -x: a large write with nothing queued goes to the socket itself (one send(2)), the rest is buffered */
static void direct_write(struct uconn *c) {
    unsigned have = 0, n = 0;
    for (unsigned k = c->q_head; k != c->q_tail; k++) have += c->q[k % PENDING].len;
    if (have < 8192 || c->send_inflight || c->s_tail != c->s_head) return;
    while (c->q_head != c->q_tail && n < CHUNK * 4) { /* the application's read: up to 64 KiB */
        struct piece *p = &c->q[c->q_head % PENDING];
        unsigned take = p->len < CHUNK * 4 - n ? p->len : CHUNK * 4 - n;
        memcpy(c->app + n, bufs + (size_t)p->bid * opt.buf_size + p->off, take);
        n += take;
        p->off += take;
        p->len -= take;
        if (p->len) break;
        if (p->last) recycle(p->bid);
        c->q_head++;
    }
    bump(&srv_direct);
    ssize_t w = send(c->fd, c->app, n, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (w < 0) {
        if (errno != EAGAIN && errno != EPIPE && errno != ECONNRESET) die("send");
        w = 0;
    }
    unsigned rest = n - (unsigned)w, at = c->s_tail & (SEND_CAP - 1), first = SEND_CAP - at;
    if (rest > SEND_CAP) fail("direct write remainder", ENOSPC); /* the buffer was empty: 64 KiB fit */
    if (first > rest) first = rest;
    memcpy(c->sbuf + at, c->app + w, first);
    memcpy(c->sbuf, c->app + w + first, rest - first);
    c->s_tail += rest;
}

/* moves waiting pieces into the send buffer while it has room; a piece fully taken frees its buffer */
static void drain_pending(struct uconn *c) {
    while (c->q_head != c->q_tail) {
        struct piece *p = &c->q[c->q_head % PENDING];
        unsigned n = copy_in(c, bufs + (size_t)p->bid * opt.buf_size + p->off, p->len);
        p->off += n;
        p->len -= n;
        if (p->len) return;
        if (p->last) recycle(p->bid);
        c->q_head++;
    }
}

static void on_recv(int i, struct io_uring_cqe *e) {
    struct uconn *c = &U[i];
    bump(&srv_recvs);
    int more = e->flags & IORING_CQE_F_MORE;
    if (!more) c->recv_armed = 0;
    if (e->res == -ENOBUFS) {
        bump(&srv_enobufs);
        c->starved = 1;
        return;
    }
    if (e->res <= 0) {
        if (e->res < 0 && e->res != -ECONNRESET) fail("recv", -e->res);
        c->closed = 1; /* the client went away: the run is over */
        return;
    }
    if (!(e->flags & IORING_CQE_F_BUFFER)) fail("recv without a buffer", EIO);
    unsigned bid = e->flags >> IORING_CQE_BUFFER_SHIFT;
    struct piece *p = &c->q[c->q_tail % PENDING];
    if (c->q_tail - c->q_head == PENDING) fail("pending queue", ENOSPC);
    p->bid = bid;
    p->off = buf_off[bid];
    if (p->off == 0) held++;
    p->len = e->res;
    p->last = 1;
    if (opt.inc) {
        if (e->flags & IORING_CQE_F_BUF_MORE) {
            p->last = 0;
            buf_off[bid] += e->res;
        } else {
            buf_off[bid] = 0;
        }
    }
    c->q_tail++;
    if (!opt.no_copy && !opt.direct) drain_pending(c);
    if (!more) arm_recv(i);
}

static void on_send(int i, struct io_uring_cqe *e) {
    struct uconn *c = &U[i];
    bump(&srv_sends);
    c->send_inflight = 0;
    if (e->res < 0) {
        if (e->res != -EPIPE && e->res != -ECONNRESET) fail("send", -e->res);
        c->closed = 1;
        return;
    }
    if (opt.no_copy) { /* the piece sent from: done, or on from where the send stopped */
        struct piece *p = &c->q[c->q_head % PENDING];
        p->off += e->res;
        p->len -= e->res;
        if (!p->len) {
            if (p->last) recycle(p->bid);
            c->q_head++;
        }
        return;
    }
    c->s_head += e->res; /* a partial send goes on from where it stopped */
    if (!opt.direct) drain_pending(c); /* (with -x the end of the batch does it, after the large-write rule) */
}

static void *uring_server(void *unused) {
    int fds[MAX_CONNS];
    (void)unused;
    accept_all(fds);
    ring_setup(&R); /* on this thread: with -d the ring belongs to its first submitter */
    buf_ring_setup();
    for (int i = 0; i < opt.conns; i++) {
        U[i].fd = fds[i];
        U[i].sbuf = aligned_alloc(4096, SEND_CAP);
        U[i].app = aligned_alloc(4096, opt.buf_size > SEND_CAP ? opt.buf_size : SEND_CAP);
        if (!U[i].sbuf || !U[i].app) die("malloc");
        arm_recv(i);
    }
    for (;;) {
        unsigned head = *R.cq_head, tail = __atomic_load_n(R.cq_tail, __ATOMIC_ACQUIRE);
        recycled = 0;
        for (; head != tail; head++) {
            struct io_uring_cqe *e = &R.cqes[head & *R.cq_mask];
            int i = (int)(e->user_data >> 8);
            if ((e->user_data & 0xff) == RECV) on_recv(i, e);
            else on_send(i, e);
        }
        __atomic_store_n(R.cq_head, head, __ATOMIC_RELEASE);
        for (int i = 0; i < opt.conns; i++) {
            struct uconn *c = &U[i];
            if (c->closed) continue;
            if (opt.direct) {
                direct_write(c);
                drain_pending(c);
            }
            if (c->starved && (recycled || held < (unsigned)opt.buf_count)) arm_recv(i);
            if (c->send_inflight) continue;
            if (opt.no_copy ? c->q_head != c->q_tail : c->s_tail != c->s_head) {
                if (opt.no_copy) queue_piece_send(i);
                else queue_send(i);
            }
        }
        ring_enter(1);
    }
    return NULL;
}

/* ---------------------------------------------------------------- epoll server */

struct econn { int fd; char *out; unsigned out_off, out_len; };

static void ctl(int ep, int op, int fd, unsigned events, int i) {
    struct epoll_event ev = {.events = events, .data.u32 = i};
    bump(&srv_ctl);
    if (epoll_ctl(ep, op, fd, &ev)) die("epoll_ctl");
}

/* the client went away (the end of a run): anything but EOF, a reset or a broken pipe is an error */
static void lost(struct econn *c, ssize_t r) {
    if (r < 0 && errno != ECONNRESET && errno != EPIPE) die("epoll server read/write");
    close(c->fd);
    c->fd = -1;
}

static void *epoll_server(void *unused) {
    static struct econn E[MAX_CONNS];
    static char buf[EPOLL_READ];
    struct epoll_event evs[64];
    int fds[MAX_CONNS];
    (void)unused;
    accept_all(fds);
    int ep = epoll_create1(0);
    if (ep < 0) die("epoll_create1");
    for (int i = 0; i < opt.conns; i++) {
        E[i].fd = fds[i];
        E[i].out = malloc(EPOLL_READ);
        if (!E[i].out) die("malloc");
        ctl(ep, EPOLL_CTL_ADD, fds[i], EPOLLIN, i);
    }
    for (;;) {
        bump(&srv_wait);
        int n = epoll_wait(ep, evs, 64, -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("epoll_wait");
        }
        for (int k = 0; k < n; k++) {
            struct econn *c = &E[evs[k].data.u32];
            if (c->fd < 0) continue;
            if (c->out_len) { /* waiting for room: EPOLLOUT only */
                bump(&srv_write);
                ssize_t w = write(c->fd, c->out + c->out_off, c->out_len);
                if (w < 0 && errno != EAGAIN) { lost(c, w); continue; }
                if (w > 0) { c->out_off += w; c->out_len -= w; }
                if (!c->out_len) ctl(ep, EPOLL_CTL_MOD, c->fd, EPOLLIN, evs[k].data.u32);
                continue;
            }
            bump(&srv_read);
            ssize_t r = read(c->fd, buf, sizeof buf);
            if (r < 0 && errno == EAGAIN) continue;
            if (r <= 0) { lost(c, r); continue; }
            bump(&srv_write);
            ssize_t w = write(c->fd, buf, r);
            if (w < 0 && errno != EAGAIN) { lost(c, w); continue; }
            if (w < 0) w = 0;
            if (w < r) {
                memcpy(c->out, buf + w, r - w);
                c->out_off = 0;
                c->out_len = r - w;
                ctl(ep, EPOLL_CTL_MOD, c->fd, EPOLLOUT, evs[k].data.u32);
            }
        }
    }
    return NULL;
}

/* ---------------------------------------------------------------- client (main thread) */

struct cconn { int fd, want_out; unsigned long owed; unsigned partial; double sent_at; };

static struct cconn C[MAX_CONNS];
static int cep;
static unsigned long received;
static double *samples;
static size_t nsamples, max_samples = 1 << 22;
static int sampling;
static unsigned long cli_calls; /* the client's own system calls (either client), main thread only */

/* r bytes came back on c: counts the messages they complete (timing each in ping-pong), returns how many;
   each one earns the next message (owed) */
static int client_count(struct cconn *c, size_t r) {
    c->partial += r;
    int got = 0;
    while (c->partial >= (unsigned)opt.size) {
        c->partial -= opt.size;
        got++;
        if (sampling && opt.window == 1 && nsamples < max_samples) samples[nsamples++] = now_ns() - c->sent_at;
    }
    received += got;
    c->owed += (unsigned long)got * opt.size;
    return got;
}

static void client_flush(int i) {
    static char zeros[CLIENT_IO];
    struct cconn *c = &C[i];
    while (c->owed) {
        size_t len = c->owed < sizeof zeros ? c->owed : sizeof zeros;
        if (opt.window == 1) c->sent_at = now_ns();
        cli_calls++;
        ssize_t w = write(c->fd, zeros, len);
        if (w < 0) {
            if (errno != EAGAIN) die("client write");
            break;
        }
        c->owed -= w;
    }
    int want = c->owed != 0;
    if (want != c->want_out) {
        struct epoll_event ev = {.events = EPOLLIN | (want ? EPOLLOUT : 0), .data.u32 = i};
        cli_calls++;
        if (epoll_ctl(cep, EPOLL_CTL_MOD, c->fd, &ev)) die("client epoll_ctl");
        c->want_out = want;
    }
}

static void client_read(int i) {
    static char buf[CLIENT_IO];
    struct cconn *c = &C[i];
    cli_calls++;
    ssize_t r = read(c->fd, buf, sizeof buf);
    if (r < 0 && errno == EAGAIN) return;
    if (r < 0) die("client read");
    if (r == 0) fail("client read", ECONNRESET);
    if (client_count(c, r)) client_flush(i);
}

/* ---------------------------------------------------------------- io_uring client (-C uring) */
/*
 * The Java bench's client (Netty) runs on Edgewise too, so with level 2 both ends wait in a ring.  This
 * client does on its end what the "uring" server does: its own ring (the same setup flags), its own
 * provided-buffer ring (group 1, the server's size and count), one multishot RECV with buffer select per
 * connection, each received buffer copied out (Edgewise's read()) and handed back at once, one SEND per
 * connection in flight (what the echoes earned, from a zero buffer), and one io_uring_enter per loop turn
 * that submits everything queued and waits for one completion.  With -w > 1 the echoes a SEND's flight
 * earns wait for the next SEND, which takes them all (level 2's coalescing of writes behind one in flight).
 */
enum { CLIENT_BGID = 1 };

struct rconn { int recv_armed, send_inflight; };

static struct ring CR;
static struct rconn RC[MAX_CONNS];
static struct io_uring_buf_ring *cbr;
static char *cbufs;
static unsigned cbr_tail;

static void client_recycle(unsigned bid) {
    buf_ring_put(cbr, &cbr_tail, cbufs, bid);
}

static void client_ring_setup(void) {
    ring_setup(&CR);
    cbr = mmap(NULL, (size_t)opt.buf_count * sizeof(struct io_uring_buf), PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    cbufs = mmap(NULL, (size_t)opt.buf_count * opt.buf_size, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (cbr == MAP_FAILED || cbufs == MAP_FAILED) die("client buffer ring memory");
    struct io_uring_buf_reg reg = {0};
    reg.ring_addr = (uint64_t)(uintptr_t)cbr;
    reg.ring_entries = opt.buf_count;
    reg.bgid = CLIENT_BGID;
    if (syscall(__NR_io_uring_register, CR.fd, IORING_REGISTER_PBUF_RING, &reg, 1)) die("client IORING_REGISTER_PBUF_RING");
    for (int b = 0; b < opt.buf_count; b++) client_recycle(b);
}

static void client_arm_recv(int i) {
    struct io_uring_sqe *s = sqe_next_on(&CR, &cli_calls);
    s->opcode = IORING_OP_RECV;
    s->fd = C[i].fd;
    s->ioprio = IORING_RECV_MULTISHOT;
    s->flags = IOSQE_BUFFER_SELECT;
    s->buf_group = CLIENT_BGID;
    s->user_data = (uint64_t)i << 8 | RECV;
    RC[i].recv_armed = 1;
}

static void client_queue_send(int i) {
    static char zeros[CLIENT_IO];
    struct cconn *c = &C[i];
    unsigned len = c->owed < sizeof zeros ? (unsigned)c->owed : sizeof zeros;
    struct io_uring_sqe *s = sqe_next_on(&CR, &cli_calls);
    s->opcode = IORING_OP_SEND;
    s->fd = c->fd;
    s->addr = (uint64_t)(uintptr_t)zeros;
    s->len = len;
    s->msg_flags = MSG_NOSIGNAL;
    s->user_data = (uint64_t)i << 8 | SEND;
    c->sent_at = now_ns(); /* submitted by this turn's io_uring_enter, right after */
    RC[i].send_inflight = 1;
}

static void client_on_cqe(struct io_uring_cqe *e) {
    static char app[CLIENT_IO]; /* the application's buffer a read() copies into */
    int i = (int)(e->user_data >> 8);
    struct cconn *c = &C[i];
    if ((e->user_data & 0xff) == SEND) {
        RC[i].send_inflight = 0;
        if (e->res < 0) fail("client send", -e->res);
        c->owed -= e->res; /* a partial send goes on from where it stopped (the bytes are all zeros) */
        return;
    }
    if (!(e->flags & IORING_CQE_F_MORE)) RC[i].recv_armed = 0;
    if (e->res == -ENOBUFS) return; /* re-armed at the end of the turn: buffers go back at once */
    if (e->res < 0) fail("client recv", -e->res);
    if (e->res == 0) fail("client recv", ECONNRESET);
    if (!(e->flags & IORING_CQE_F_BUFFER)) fail("client recv without a buffer", EIO);
    unsigned bid = e->flags >> IORING_CQE_BUFFER_SHIFT;
    memcpy(app, cbufs + (size_t)bid * opt.buf_size, e->res);
    client_recycle(bid);
    client_count(c, e->res);
}

/* one loop turn: every completion, then the RECVs and SENDs they call for, then one io_uring_enter */
static void client_ring_turn(void) {
    unsigned head = *CR.cq_head, tail = __atomic_load_n(CR.cq_tail, __ATOMIC_ACQUIRE);
    for (; head != tail; head++) client_on_cqe(&CR.cqes[head & *CR.cq_mask]);
    __atomic_store_n(CR.cq_head, head, __ATOMIC_RELEASE);
    for (int i = 0; i < opt.conns; i++) {
        if (!RC[i].recv_armed) client_arm_recv(i);
        if (!RC[i].send_inflight && C[i].owed) client_queue_send(i);
    }
    ring_enter_on(&CR, &cli_calls, 1);
}

static double thread_cpu_ns(clockid_t id) {
    struct timespec t;
    if (clock_gettime(id, &t)) die("clock_gettime");
    return t.tv_sec * 1e9 + t.tv_nsec;
}

struct snap { double t, srv_cpu, proc_cpu, proc_user, cli_cpu; unsigned long cli_calls, msgs, enter, wait, rd, wr, ctl, enobufs, recvs, sends, direct; };

static void take(struct snap *s, clockid_t srv) {
    s->t = now_ns();
    s->srv_cpu = thread_cpu_ns(srv);
    s->proc_cpu = thread_cpu_ns(CLOCK_PROCESS_CPUTIME_ID);
    struct rusage u;
    if (getrusage(RUSAGE_SELF, &u)) die("getrusage");
    s->proc_user = u.ru_utime.tv_sec * 1e9 + u.ru_utime.tv_usec * 1e3; /* tick-based: enough over a window */
    s->cli_cpu = thread_cpu_ns(CLOCK_THREAD_CPUTIME_ID);
    s->cli_calls = cli_calls;
    s->msgs = received;
    s->enter = peek(&srv_enter);
    s->wait = peek(&srv_wait);
    s->rd = peek(&srv_read);
    s->wr = peek(&srv_write);
    s->ctl = peek(&srv_ctl);
    s->enobufs = peek(&srv_enobufs);
    s->recvs = peek(&srv_recvs);
    s->sends = peek(&srv_sends);
    s->direct = peek(&srv_direct);
}

static void usage(void) {
    fprintf(stderr, "usage: uring-echo-floor uring|epoll [-C epoll|uring (client)] [-c conns] [-w window] [-m size] [-W warm_ms] [-M measure_ms]\n"
                    "       [-b buf_size] [-n buf_count] [-i (IOU_PBUF_RING_INC)] [-d (DEFER_TASKRUN)] [-a (app copy)]\n"
                    "       [-s (a SEND takes every contiguous unsent byte, not just the head chunk's)]\n"
                    "       [-z (no copy: each SEND straight from the received buffer)]\n"
                    "       [-x (level 2's large-write rule: >= 8 KiB with nothing queued goes out by send(2))]\n"
                    "       [-A (client thread on CPU 0, server thread on CPU 1: every wake-up crosses CPUs)]\n");
    exit(2);
}

int main(int argc, char **argv) {
    if (argc < 2) usage();
    if (!strcmp(argv[1], "uring")) opt.uring = 1;
    else if (!strcmp(argv[1], "epoll")) opt.uring = 0;
    else usage();
    int o;
    optind = 2;
    while ((o = getopt(argc, argv, "C:c:w:m:W:M:b:n:idaszxA")) != -1) {
        switch (o) {
        case 'C':
            if (!strcmp(optarg, "uring")) opt.ring_client = 1;
            else if (strcmp(optarg, "epoll")) usage();
            break;
        case 'c': opt.conns = atoi(optarg); break;
        case 'w': opt.window = atoi(optarg); break;
        case 'm': opt.size = atoi(optarg); break;
        case 'W': opt.warm_ms = atoi(optarg); break;
        case 'M': opt.measure_ms = atoi(optarg); break;
        case 'b': opt.buf_size = atoi(optarg); break;
        case 'n': opt.buf_count = atoi(optarg); break;
        case 'i': opt.inc = 1; break;
        case 'd': opt.defer = 1; break;
        case 'a': opt.app_copy = 1; break;
        case 's': opt.whole_sends = 1; break;
        case 'z': opt.no_copy = 1; break;
        case 'x': opt.direct = 1; break;
        case 'A': opt.split_cpus = 1; break;
        default: usage();
        }
    }
    if (opt.conns < 1 || opt.conns > MAX_CONNS || opt.window < 1 || opt.size < 1 || opt.measure_ms < 1
            || opt.buf_size < 64 || opt.buf_count < 1 || opt.buf_count > 32768
            || (opt.buf_count & (opt.buf_count - 1))
            || (opt.no_copy && (opt.app_copy || opt.direct || opt.whole_sends))) usage();

    socklen_t len = sizeof server_addr;
    server_addr.sin_family = AF_INET;
    server_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&server_addr, sizeof server_addr)
            || listen(listen_fd, MAX_CONNS) || getsockname(listen_fd, (struct sockaddr *)&server_addr, &len)) die("listen");
    pthread_t server;
    int err = pthread_create(&server, NULL, opt.uring ? uring_server : epoll_server, NULL);
    if (err) fail("pthread_create", err);
    pthread_setname_np(server, "floor-server"); /* for perf report --comm */
    if (opt.split_cpus) { /* the scheduler places the two threads on one CPU or two from run to run: fix it */
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(1, &one);
        if ((err = pthread_setaffinity_np(server, sizeof one, &one))) fail("pin server thread", err);
        CPU_ZERO(&one);
        CPU_SET(0, &one);
        if ((err = pthread_setaffinity_np(pthread_self(), sizeof one, &one))) fail("pin client thread", err);
    }
    pthread_setname_np(pthread_self(), "floor-client");
    clockid_t srv_clock;
    err = pthread_getcpuclockid(server, &srv_clock);
    if (err) fail("pthread_getcpuclockid", err);

    samples = malloc(max_samples * sizeof *samples);
    cep = epoll_create1(0);
    if (!samples || cep < 0) die("client setup");
    if (opt.ring_client) client_ring_setup();
    for (int i = 0; i < opt.conns; i++) {
        C[i].fd = socket(AF_INET, SOCK_STREAM, 0);
        if (C[i].fd < 0 || connect(C[i].fd, (struct sockaddr *)&server_addr, sizeof server_addr)) die("connect");
        nodelay_nonblocking(C[i].fd);
        if (opt.ring_client) continue;
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = i};
        if (epoll_ctl(cep, EPOLL_CTL_ADD, C[i].fd, &ev)) die("client epoll_ctl");
    }
    for (int i = 0; i < opt.conns; i++) {
        C[i].owed = (unsigned long)opt.window * opt.size;
        if (!opt.ring_client) client_flush(i); /* the ring client's first turn queues them */
    }

    struct snap a = {0}, b = {0};
    struct epoll_event evs[64];
    double start = now_ns(), measure_at = start + opt.warm_ms * 1e6, end = measure_at + opt.measure_ms * 1e6;
    int measuring = 0;
    for (;;) {
        int n = 0;
        if (opt.ring_client) {
            client_ring_turn();
        } else {
            cli_calls++;
            n = epoll_wait(cep, evs, 64, 100);
            if (n < 0 && errno != EINTR) die("client epoll_wait");
        }
        for (int k = 0; k < n; k++) {
            int i = evs[k].data.u32;
            if (evs[k].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) client_read(i);
            if (evs[k].events & EPOLLOUT) client_flush(i);
        }
        double t = now_ns();
        if (!measuring && t >= measure_at) {
            take(&a, srv_clock);
            measuring = sampling = 1;
        } else if (measuring && t >= end) {
            take(&b, srv_clock);
            break;
        }
    }
    double msgs = b.msgs - a.msgs, secs = (b.t - a.t) / 1e9;
    if (msgs < 1) fail("no message echoed in the window", EIO);
    printf("RESULT server=%s client=%s conns=%d window=%d size=%d buf=%dx%d%s%s%s%s%s%s msgs_per_s=%.0f mb_per_s=%.1f"
           " srv_cpu_us=%.3f cli_cpu_us=%.3f proc_cpu_us=%.3f proc_user_us=%.3f cli_calls=%.4f",
           opt.uring ? "uring" : "epoll", opt.ring_client ? "uring" : "epoll", opt.conns, opt.window, opt.size, opt.buf_count, opt.buf_size,
           opt.inc ? " inc" : "", opt.defer ? " defer" : "", opt.app_copy ? " appcopy" : "", opt.whole_sends ? " wholesends" : "", opt.no_copy ? " nocopy" : "", opt.direct ? " direct" : "",
           msgs / secs, msgs * opt.size / secs / 1e6, (b.srv_cpu - a.srv_cpu) / 1e3 / msgs,
           (b.cli_cpu - a.cli_cpu) / 1e3 / msgs, (b.proc_cpu - a.proc_cpu) / 1e3 / msgs,
           (b.proc_user - a.proc_user) / 1e3 / msgs, (b.cli_calls - a.cli_calls) / msgs);
    if (opt.uring)
        printf(" srv_calls=%.4f enter=%.4f send=%.4f recv_cqes=%.4f send_cqes=%.4f enobufs=%lu",
               (b.enter + b.direct - a.enter - a.direct) / msgs, (b.enter - a.enter) / msgs, (b.direct - a.direct) / msgs,
               (b.recvs - a.recvs) / msgs, (b.sends - a.sends) / msgs, b.enobufs - a.enobufs);
    else
        printf(" srv_calls=%.4f epoll_wait=%.4f read=%.4f write=%.4f epoll_ctl=%.4f",
               (b.wait + b.rd + b.wr + b.ctl - a.wait - a.rd - a.wr - a.ctl) / msgs, (b.wait - a.wait) / msgs,
               (b.rd - a.rd) / msgs, (b.wr - a.wr) / msgs, (b.ctl - a.ctl) / msgs);
    if (opt.window == 1 && nsamples) {
        qsort(samples, nsamples, sizeof *samples, by_value);
        printf(" p50_us=%.1f p99_us=%.1f", samples[nsamples / 2] / 1e3, samples[nsamples * 99 / 100] / 1e3);
    }
    printf("\nTOTAL msgs=%lu\n", received);
    fflush(stdout);
    _exit(0); /* the server thread is still in its loop */
}
