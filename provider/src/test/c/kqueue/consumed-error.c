/*
 * Proof, without Java, that libkqueue on Linux takes a socket's pending error off the socket while it
 * reports the event, where a kernel's kqueue (and Linux's own poll/epoll) leave it for the socket's call.
 *
 * For two failures (a refused connect, a connection reset by the peer) it waits twice on identical
 * sockets: once with poll(2) (control), once with libkqueue's kevent(2); then asks the socket what its
 * own call reports (SO_ERROR after the refused connect; recv after the reset).
 *
 * Expected (and asserted) on Linux with libkqueue:
 *   control: SO_ERROR = ECONNREFUSED;                   recv = -1 ECONNRESET
 *   kevent:  fflags = ECONNREFUSED, then SO_ERROR = 0;  fflags = ECONNRESET, then recv = 0 (EOF)
 * i.e. the error moved from the socket into the event's fflags. Exit 0 when that is what happened,
 * 1 when anything else did (e.g. a libkqueue that no longer consumes the error: then Edgewise's
 * io.edgewise.sys.ConsumedErrors is no longer needed over it).
 *
 * Built and run by run.sh next to it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/event.h>
#include <sys/socket.h>
#include <unistd.h>
#include <fcntl.h>

static int failures;

static void check(int ok, const char *what) {
    printf("  %s: %s\n", ok ? "ok  " : "FAIL", what);
    if (!ok) failures++;
}

static int nb_socket(void) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0) { perror("socket"); _exit(2); }
    return fd;
}

static struct sockaddr_in loopback(int port) {
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    return a;
}

/* A socket bound to loopback but not listening: connects to it are refused. Returns its port. */
static int refusing_port(int *holder) {
    struct sockaddr_in a = loopback(0);
    socklen_t len = sizeof a;
    *holder = nb_socket();
    if (bind(*holder, (struct sockaddr *) &a, sizeof a) < 0 || getsockname(*holder, (struct sockaddr *) &a, &len) < 0) {
        perror("bind"); _exit(2);
    }
    return ntohs(a.sin_port);
}

/* A started connect to a refusing port (EINPROGRESS), or -1 when the kernel refused at once. */
static int refused_connect(int port) {
    int fd = nb_socket();
    struct sockaddr_in a = loopback(port);
    if (connect(fd, (struct sockaddr *) &a, sizeof a) == 0 || errno != EINPROGRESS) {
        printf("  connect did not go in progress (%s): case not applicable\n", strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

/* A connected pair whose client end was closed with SO_LINGER 0 (RST); returns the server end. */
static int reset_connection(void) {
    int l = nb_socket(), c = nb_socket(), s = -1;
    struct sockaddr_in a = loopback(0);
    socklen_t len = sizeof a;
    struct linger lg = {1, 0};
    struct pollfd p;
    if (bind(l, (struct sockaddr *) &a, sizeof a) < 0 || listen(l, 4) < 0
            || getsockname(l, (struct sockaddr *) &a, &len) < 0) {
        perror("listen"); _exit(2);
    }
    connect(c, (struct sockaddr *) &a, sizeof a);
    p.fd = l; p.events = POLLIN;
    poll(&p, 1, 5000);
    s = accept(l, NULL, NULL);
    if (s < 0) { perror("accept"); _exit(2); }
    fcntl(s, F_SETFL, O_NONBLOCK);
    p.fd = c; p.events = POLLOUT;
    poll(&p, 1, 5000);
    setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(c); /* RST */
    close(l);
    return s;
}

static int so_error(int fd) {
    int e = -1;
    socklen_t len = sizeof e;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0) { perror("getsockopt"); _exit(2); }
    return e;
}

/* Waits for one event of fd/filter on a fresh kqueue; returns its fflags (and prints the event). */
static int kevent_once(int fd, short filter) {
    struct kevent ch, ev;
    struct timespec ts = {5, 0};
    int kq = kqueue(), n;
    if (kq < 0) { perror("kqueue"); _exit(2); }
    EV_SET(&ch, fd, filter, EV_ADD, 0, 0, NULL);
    n = kevent(kq, &ch, 1, &ev, 1, &ts);
    if (n != 1) { printf("  kevent returned %d (%s)\n", n, strerror(errno)); _exit(2); }
    printf("  kevent: filter=%d flags=0x%x (EV_EOF %s) fflags=%u (%s) data=%ld\n", ev.filter, ev.flags,
           (ev.flags & EV_EOF) ? "set" : "clear", ev.fflags, strerror((int) ev.fflags), (long) ev.data);
    close(kq);
    return (int) ev.fflags;
}

static void poll_once(int fd, short events) {
    struct pollfd p = {fd, events, 0};
    if (poll(&p, 1, 5000) != 1) { printf("  poll timed out\n"); _exit(2); }
    printf("  poll: revents=0x%x\n", p.revents);
}

int main(void) {
    int holder, port, fd, fflags, e;
    char b[8];
    ssize_t r;

    port = refusing_port(&holder);
    printf("refused connect, control (poll):\n");
    if ((fd = refused_connect(port)) >= 0) {
        poll_once(fd, POLLOUT);
        e = so_error(fd);
        printf("  SO_ERROR after poll = %d (%s)\n", e, strerror(e));
        check(e == ECONNREFUSED, "poll leaves ECONNREFUSED on the socket");
        close(fd);
    }
    printf("refused connect, libkqueue (EVFILT_WRITE):\n");
    if ((fd = refused_connect(port)) >= 0) {
        fflags = kevent_once(fd, EVFILT_WRITE);
        e = so_error(fd);
        printf("  SO_ERROR after kevent = %d (%s)\n", e, strerror(e));
        check(fflags == ECONNREFUSED, "the event carries ECONNREFUSED in fflags");
        check(e == 0, "and SO_ERROR no longer has it: libkqueue consumed it");
        close(fd);
    }
    close(holder);

    printf("read after reset, control (poll):\n");
    fd = reset_connection();
    poll_once(fd, POLLIN);
    r = recv(fd, b, sizeof b, 0);
    e = errno;
    printf("  recv after poll = %zd (%s)\n", r, r < 0 ? strerror(e) : "-");
    check(r < 0 && e == ECONNRESET, "poll leaves ECONNRESET for recv");
    close(fd);

    printf("read after reset, libkqueue (EVFILT_READ):\n");
    fd = reset_connection();
    fflags = kevent_once(fd, EVFILT_READ);
    r = recv(fd, b, sizeof b, 0);
    e = errno;
    printf("  recv after kevent = %zd (%s)\n", r, r < 0 ? strerror(e) : "end of stream");
    check(fflags == ECONNRESET, "the event carries ECONNRESET in fflags");
    check(r == 0, "and recv reads end of stream: libkqueue consumed the reset");
    close(fd);

    printf(failures ? "RESULT: libkqueue did NOT behave as documented (%d checks failed)\n"
                    : "RESULT: libkqueue takes the socket error off the socket when it reports it\n", failures);
    return failures ? 1 : 0;
}
