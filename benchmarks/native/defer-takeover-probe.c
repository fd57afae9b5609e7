/*
 * What another thread can do with a SINGLE_ISSUER | DEFER_TASKRUN ring whose owner thread is alive but no
 * longer enters it (issue #21: the facts a "ring per selecting thread" design for level 2 stands on; see
 * docs/io_uring.md, "DEFER_TASKRUN").  A Selector may be selected by one thread and then by another while
 * the first is busy elsewhere (Jetty hands selecting over; Kafka's heartbeat thread polls), so the second
 * thread must be able to take the selector's requests over without the first.
 *
 * The owner thread O makes the ring, a provided-buffer ring, one multishot RECV on socket r (of pair w -> r)
 * and one SEND on socket s2 (of pair s2 -> d2) whose send buffer it filled first, so the SEND waits for room.
 * It receives a first message through the ring (so the RECV is known to work), then parks on a condition
 * variable for good.  The main thread F, holding no claim on the ring, checks:
 *   1. io_uring_enter(GETEVENTS) and io_uring_register(...) from F: both refused (EEXIST);
 *   2. bytes sent to r while O is parked stay in r's receive queue (MSG_PEEK sees them), nothing is posted;
 *   3. room made for the SEND (F drains d2) while O is parked: none of the SEND's bytes leave;
 *   4. F closes the ring (with -u: unmaps its rings first): afterwards r still holds every byte, in order, and
 *      more sent later; the SEND's bytes never leave; the provided buffers were not written;
 *   5. F closes r and s2: the peers see EOF (the ring's requests no longer hold the files) — only with -u: the
 *      mappings hold the ring's file, so a close alone ends nothing and these two checks fail without it.
 * With -x, O's thread exits instead of parking; whether its exit ended its requests (CQEs in the mapped CQ) is
 * printed, and the same checks follow.
 *
 * Prints one "ok ..." or "FAIL ..." line per check and exits non-zero on any failure.  Raw system calls
 * through <linux/io_uring.h>, no liburing; Linux 6.1+ (DEFER_TASKRUN).  Output of a run:
 * benchmarks/native/results/defer-takeover-probe-2026-12-06.txt.
 * Build and run: cc -O2 -pthread -o /tmp/probe benchmarks/native/defer-takeover-probe.c && /tmp/probe -u && /tmp/probe -x -u
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "bench-common.h"

#define NBUF 8
#define BUFSZ 4096

static int ring_fd, r, w, s2, d2, owner_exits, unmap, failures;
static unsigned *sq_tail, *sq_mask, *sq_array, *sq_flags, *cq_head, *cq_tail, *cq_mask;
static struct io_uring_cqe *cqes;
static struct io_uring_sqe *sqes;
static void *rings_map, *sqes_map;
static size_t rings_len, sqes_len;
static unsigned sq_local;
static char *bufs;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int owner_ready;

static void check(int ok, const char *what) {
    printf("%s %s\n", ok ? "ok  " : "FAIL", what);
    if (!ok) failures++;
}

static void setup_ring(void) {
    struct io_uring_params p = {0};
    p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_SUBMIT_ALL;
    ring_fd = (int)syscall(__NR_io_uring_setup, 16, &p);
    if (ring_fd < 0) die("io_uring_setup (DEFER_TASKRUN needs Linux 6.1+)");
    size_t sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
    size_t cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
    rings_len = sq_len > cq_len ? sq_len : cq_len;
    sqes_len = p.sq_entries * sizeof(struct io_uring_sqe);
    char *m = rings_map = mmap(NULL, rings_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
                   ring_fd, IORING_OFF_SQ_RING);
    if (m == MAP_FAILED) die("mmap rings");
    sq_tail = (unsigned *)(m + p.sq_off.tail);
    sq_mask = (unsigned *)(m + p.sq_off.ring_mask);
    sq_array = (unsigned *)(m + p.sq_off.array);
    sq_flags = (unsigned *)(m + p.sq_off.flags);
    cq_head = (unsigned *)(m + p.cq_off.head);
    cq_tail = (unsigned *)(m + p.cq_off.tail);
    cq_mask = (unsigned *)(m + p.cq_off.ring_mask);
    cqes = (struct io_uring_cqe *)(m + p.cq_off.cqes);
    sqes = sqes_map = mmap(NULL, sqes_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
                ring_fd, IORING_OFF_SQES);
    if (sqes == MAP_FAILED) die("mmap sqes");
    for (unsigned i = 0; i < p.sq_entries; i++) sq_array[i] = i;
    sq_local = *sq_tail;
}

static struct io_uring_sqe *next_sqe(void) {
    struct io_uring_sqe *s = &sqes[sq_local & *sq_mask];
    memset(s, 0, sizeof *s);
    sq_local++;
    return s;
}

static long enter(unsigned submit, unsigned min_complete) {
    __atomic_store_n(sq_tail, sq_local, __ATOMIC_RELEASE);
    long n = syscall(__NR_io_uring_enter, ring_fd, submit, min_complete, IORING_ENTER_GETEVENTS, NULL, 0);
    return n < 0 ? -errno : n;
}

/* the owner's provided buffers: NBUF x BUFSZ, group 0 */
static void register_buffers(void) {
    size_t ring_len = NBUF * sizeof(struct io_uring_buf);
    struct io_uring_buf_ring *br = mmap(NULL, ring_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    bufs = mmap(NULL, NBUF * BUFSZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (br == MAP_FAILED || bufs == MAP_FAILED) die("mmap buffers");
    struct io_uring_buf_reg reg = {.ring_addr = (uint64_t)(uintptr_t)br, .ring_entries = NBUF, .bgid = 0};
    if (syscall(__NR_io_uring_register, ring_fd, IORING_REGISTER_PBUF_RING, &reg, 1) < 0) die("register pbuf ring");
    for (int i = 0; i < NBUF; i++) {
        br->bufs[i].addr = (uint64_t)(uintptr_t)(bufs + i * BUFSZ);
        br->bufs[i].len = BUFSZ;
        br->bufs[i].bid = (unsigned short)i;
    }
    __atomic_store_n(&br->tail, NBUF, __ATOMIC_RELEASE);
}

static int fill_send_buffer(int fd) { /* non-blocking writes of 'P' until EAGAIN; returns the bytes taken */
    static char p[65536];
    memset(p, 'P', sizeof p);
    int total = 0;
    for (;;) {
        ssize_t n = send(fd, p, sizeof p, MSG_DONTWAIT);
        if (n <= 0) return total;
        total += (int)n;
    }
}

static char send_data[1 << 20];

static void *owner(void *arg) {
    (void)arg;
    setup_ring();
    if (syscall(__NR_io_uring_register, ring_fd, IORING_REGISTER_ENABLE_RINGS, NULL, 0) < 0 && errno != EBADFD)
        die("enable rings");
    register_buffers();
    struct io_uring_sqe *s = next_sqe();
    s->opcode = IORING_OP_RECV;
    s->fd = r;
    s->ioprio = IORING_RECV_MULTISHOT;
    s->flags = IOSQE_BUFFER_SELECT;
    s->user_data = 1;
    memset(send_data, 'S', sizeof send_data);
    s = next_sqe();
    s->opcode = IORING_OP_SEND;
    s->fd = s2;
    s->addr = (uint64_t)(uintptr_t)send_data;
    s->len = sizeof send_data;
    s->msg_flags = MSG_NOSIGNAL;
    s->user_data = 2;
    if (enter(2, 0) != 2) die("submit");
    if (write(w, "first", 5) != 5) die("write first");
    long n = enter(0, 1);
    unsigned head = *cq_head, tail = __atomic_load_n(cq_tail, __ATOMIC_ACQUIRE);
    int got = n >= 0 && tail != head && cqes[head & *cq_mask].user_data == 1 && cqes[head & *cq_mask].res == 5
              && memcmp(bufs + (cqes[head & *cq_mask].flags >> IORING_CQE_BUFFER_SHIFT) * BUFSZ, "first", 5) == 0;
    check(got, "the owner received a first message through its multishot RECV");
    __atomic_store_n(cq_head, tail, __ATOMIC_RELEASE);
    pthread_mutex_lock(&mu);
    owner_ready = 1;
    pthread_cond_broadcast(&cv);
    if (!owner_exits) {
        for (;;) pthread_cond_wait(&cv, &mu); /* alive, never entering the ring again */
    }
    pthread_mutex_unlock(&mu);
    return NULL;
}

static int queued(int fd) { /* bytes in fd's receive queue, without taking them */
    static char peek[1 << 16];
    ssize_t n = recv(fd, peek, sizeof peek, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 ? 0 : (int)n;
}

static int drain(int fd, char *out, int cap) { /* every byte that arrives within 300 ms of the last */
    int total = 0;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    while (poll(&p, 1, 300) > 0) {
        ssize_t n = recv(fd, out + total, cap - total, MSG_DONTWAIT);
        if (n <= 0) break;
        total += (int)n;
    }
    return total;
}

static int count(const char *b, int n, char c) {
    int k = 0;
    for (int i = 0; i < n; i++) k += b[i] == c;
    return k;
}

static void sleep_ms(int ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

static int sees_eof(int fd) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    char b[64];
    return poll(&p, 1, 1000) > 0 && recv(fd, b, sizeof b, MSG_DONTWAIT) == 0;
}

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-x") == 0) owner_exits = 1;
        if (strcmp(argv[i], "-u") == 0) unmap = 1;
    }
    printf("# owner thread %s; the ring %s before its close\n", owner_exits ? "exits" : "stays alive, parked",
           unmap ? "unmapped" : "left mapped");
    connect_pair(&w, &r);
    connect_pair(&s2, &d2);
    int one = 1;
    setsockopt(r, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(r, F_SETFL, fcntl(r, F_GETFL) | O_NONBLOCK);
    int prefill = fill_send_buffer(s2);

    pthread_t t;
    pthread_create(&t, NULL, owner, NULL);
    pthread_mutex_lock(&mu);
    while (!owner_ready) pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
    if (owner_exits) {
        pthread_join(t, NULL);
        unsigned head = *cq_head, tail = __atomic_load_n(cq_tail, __ATOMIC_ACQUIRE);
        for (unsigned i = head; i != tail; i++) {
            struct io_uring_cqe *c = &cqes[i & *cq_mask];
            printf("# after the owner's exit: cqe user_data=%llu res=%d flags=0x%x\n",
                   (unsigned long long)c->user_data, c->res, c->flags);
        }
        printf("# the owner's exit %s\n", tail != head ? "ended its requests (CQEs above)"
                                                     : "left its requests in place: no CQE was posted");
    }

    long e = enter(0, 0);
    check(e == -EEXIST, "another thread's io_uring_enter(GETEVENTS) is refused (EEXIST)");
    struct io_uring_probe probe[2];
    memset(probe, 0, sizeof probe);
    long g = syscall(__NR_io_uring_register, ring_fd, IORING_REGISTER_PROBE, probe, 1);
    check(g < 0 && errno == EEXIST, "another thread's io_uring_register is refused (EEXIST)");

    unsigned tail0 = __atomic_load_n(cq_tail, __ATOMIC_ACQUIRE);
    char msg[3000];
    memset(msg, 'B', sizeof msg);
    if (write(w, msg, sizeof msg) != (ssize_t)sizeof msg) die("write B");
    static char got[1 << 24];
    int drained = drain(d2, got, sizeof got); /* room for the SEND */
    sleep_ms(100);
    check(queued(r) == (int)sizeof msg, "bytes sent while the owner does not enter stay in the socket");
    check(__atomic_load_n(cq_tail, __ATOMIC_ACQUIRE) == tail0, "nothing is posted to the CQ meanwhile");
    drained += drain(d2, got + drained, sizeof got - drained);
    printf("# prefill %d, drained %d, of which SEND bytes %d\n", prefill, drained, count(got, drained, 'S'));
    check(count(got, drained, 'S') == 0, "room made for the SEND: none of its bytes leave while the owner does not enter");
    printf("# sq_flags 0x%x (IORING_SQ_TASKRUN=0x%x)\n", *sq_flags, IORING_SQ_TASKRUN);

    if (unmap) {
        munmap(rings_map, rings_len); /* a mapping holds the ring's file: the close alone would not end it */
        munmap(sqes_map, sqes_len);
    }
    check(close(ring_fd) == 0, unmap ? "the other thread unmaps and closes the ring" : "the other thread closes the ring (still mapped)");
    sleep_ms(100);
    memset(msg, 'C', 1000);
    if (write(w, msg, 1000) != 1000) die("write C");
    sleep_ms(100);
    static char all[8192];
    int n = drain(r, all, sizeof all);
    check(n == 4000 && count(all, 3000, 'B') == 3000 && count(all + 3000, 1000, 'C') == 1000,
          "after the close the socket holds every byte, in order, and later ones");
    check(count(bufs, NBUF * BUFSZ, 'B') == 0 && count(bufs, NBUF * BUFSZ, 'C') == 0,
          "the provided buffers were never written after the first message");
    close(r);
    check(sees_eof(w), "closing r: its peer sees EOF (no request holds the file)");
    close(s2);
    int late = drain(d2, got, sizeof got); /* ends at s2's EOF, or after 300 ms without a byte */
    check(count(got, late, 'S') == 0, "the SEND's bytes never leave after the ring's close");
    check(drained + late == prefill, "every byte written before the SEND arrived");
    check(sees_eof(d2), "closing s2: its peer sees EOF after those bytes (no request holds the file)");
    printf("%s\n", failures ? "FAILED" : "PASSED");
    return failures != 0;
}
