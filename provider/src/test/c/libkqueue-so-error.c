/*
 * Shows that libkqueue on Linux takes a socket's pending error away from the program.
 *
 * A non-blocking connect to a loopback port nobody listens on fails with ECONNREFUSED. The error
 * waits in the socket (SO_ERROR) until someone reads it; the program's getsockopt(SO_ERROR) (what
 * finishConnect does) is supposed to be that someone. Here it is watched three ways:
 *   1. epoll (the kernel):            the event comes, then getsockopt(SO_ERROR) = ECONNREFUSED
 *   2. libkqueue EVFILT_WRITE:        the event comes with EV_EOF and fflags = ECONNREFUSED, and then
 *                                     getsockopt(SO_ERROR) = 0 - libkqueue read it while translating
 *                                     the event (src/linux/write.c, evfilt_write_copyout), and on
 *                                     Linux reading SO_ERROR clears it
 *   3. libkqueue EVFILT_READ:         the same (src/linux/read.c)
 * A BSD or macOS kernel fills fflags from the socket without clearing its error, so there (2) and (3)
 * print ECONNREFUSED twice. A program that trusts SO_ERROR after a libkqueue event sees a failed
 * connect as "still in progress" forever; Edgewise takes the error from fflags instead.
 *
 * Uses only libkqueue (loaded with dlopen, no header needed: struct kevent is declared below as
 * libkqueue declares it on Linux). Exit status 0 when libkqueue behaves as described above (the
 * artefact is present), 1 when it keeps the error (the artefact is gone), 2 on a set-up failure.
 *
 *   gcc -O1 -o /tmp/libkqueue-so-error libkqueue-so-error.c -ldl && /tmp/libkqueue-so-error LIB.so.0
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct kevent {
    uintptr_t ident;
    short filter;
    unsigned short flags;
    unsigned int fflags;
    intptr_t data;
    void *udata;
};
#define EVFILT_READ (-1)
#define EVFILT_WRITE (-2)
#define EV_ADD 0x0001
#define EV_ONESHOT 0x0010
#define EV_EOF 0x8000

static int (*kq_kqueue)(void);
static int (*kq_kevent)(int, const struct kevent *, int, struct kevent *, int, const struct timespec *);

/* A non-blocking socket whose connect to a closed loopback port is in progress (or already failed). */
static int refused_connect(void) {
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof a;
    if (l < 0 || bind(l, (struct sockaddr *) &a, sizeof a) < 0 || getsockname(l, (struct sockaddr *) &a, &len) < 0)
        return -1;
    close(l); /* the port is free now: connecting to it is refused */
    int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (s < 0) return -1;
    if (connect(s, (struct sockaddr *) &a, sizeof a) == 0 || (errno != EINPROGRESS && errno != ECONNREFUSED)) {
        close(s);
        return -1;
    }
    return s;
}

static int so_error(int s) {
    int e = -1;
    socklen_t len = sizeof e;
    if (getsockopt(s, SOL_SOCKET, SO_ERROR, &e, &len) < 0) return -errno;
    return e;
}

static int with_epoll(void) {
    int s = refused_connect(), ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLOUT }, out;
    if (s < 0 || ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev) < 0 || epoll_wait(ep, &out, 1, 5000) != 1) return -1;
    int e = so_error(s);
    printf("epoll:                 event 0x%x, then SO_ERROR = %d (%s)\n", out.events, e, e > 0 ? strerror(e) : "none");
    close(ep);
    close(s);
    return e;
}

/* Returns the SO_ERROR read after the event; *fflags gets the error the event carried. */
static int with_kqueue(short filter, const char *name, unsigned *fflags) {
    int s = refused_connect(), kq = kq_kqueue();
    struct kevent ch = { .ident = (uintptr_t) s, .filter = filter, .flags = EV_ADD | EV_ONESHOT }, out;
    struct timespec ts = { 5, 0 };
    if (s < 0 || kq < 0 || kq_kevent(kq, &ch, 1, NULL, 0, NULL) < 0 || kq_kevent(kq, NULL, 0, &out, 1, &ts) != 1) return -1;
    int e = so_error(s);
    *fflags = out.fflags;
    printf("libkqueue %s: event flags 0x%x fflags %u (%s), then SO_ERROR = %d (%s)\n", name, out.flags,
           out.fflags, out.fflags ? strerror((int) out.fflags) : "none", e, e > 0 ? strerror(e) : "none");
    close(kq);
    close(s);
    return e;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s /path/to/libkqueue.so.0\n", argv[0]);
        return 2;
    }
    void *lib = dlopen(argv[1], RTLD_NOW);
    if (!lib || !(kq_kqueue = (int (*)(void)) dlsym(lib, "kqueue")) || !(kq_kevent = dlsym(lib, "kevent"))) {
        fprintf(stderr, "cannot load %s: %s\n", argv[1], dlerror());
        return 2;
    }
    unsigned wf = 0, rf = 0;
    int k = with_epoll();
    int w = with_kqueue(EVFILT_WRITE, "EVFILT_WRITE", &wf);
    int r = with_kqueue(EVFILT_READ, "EVFILT_READ ", &rf);
    if (k != ECONNREFUSED || w < 0 || r < 0) {
        fprintf(stderr, "set-up failed (epoll SO_ERROR %d, kqueue %d/%d)\n", k, w, r);
        return 2;
    }
    int artefact = w == 0 && r == 0 && wf == ECONNREFUSED && rf == ECONNREFUSED;
    printf(artefact ? "RESULT: libkqueue consumed the socket error; it is only in the event's fflags\n"
                    : "RESULT: the socket error survived the libkqueue event\n");
    return artefact ? 0 : 1;
}
