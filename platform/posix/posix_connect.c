/*
 * platform/posix/posix_connect.c -- establishing connections: listen,
 * accept (into any loop) and connect (non-blocking, with a timeout, trying
 * each resolved address in turn).
 */
#define _GNU_SOURCE

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "posix.h"

/* Resolved addresses are copied out of the addrinfo list so that it can be
 * freed at once; a handful is plenty ("localhost" gives two). */
#define MAX_ADDRS 8

struct spl_connect {
    spl_conn_cb cb;
    void *arg;
    spl_timer *timer; /* NULL when timeout_ms was 0 */
    int naddrs;
    int next;       /* index of the next address to try */
    int last_err;   /* errno of the last failed attempt */
    int bind_err;   /* 1 when the last attempt failed binding local */
    int have_local; /* bind to local before connecting */
    struct sockaddr_storage local;
    socklen_t local_len;
    char name[300]; /* "host:port", for error details */
    struct sockaddr_storage addrs[MAX_ADDRS];
    socklen_t addrlens[MAX_ADDRS];
};

/* ---- listen ------------------------------------------------------------ */

static int open_listener(const struct addrinfo *ai, int backlog,
                         const char *host, uint16_t port)
{
    int one = 1;
    int fd =
        socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
               ai->ai_protocol);

    if (fd < 0)
        return spl__os_error(errno, "socket for listen %s:%u", host,
                             (unsigned)port);
    /* Lets a restarted server bind while old connections sit in
     * TIME_WAIT; on Linux it does not allow two live listeners. */
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        int err = errno;
        close(fd);
        return spl__os_error(err, "bind %s:%u", host, (unsigned)port);
    }
    if (listen(fd, backlog) != 0) {
        int err = errno;
        close(fd);
        return spl__os_error(err, "listen %s:%u", host, (unsigned)port);
    }
    return fd;
}

int spl_tcp_listen(spl_loop *loop, const char *host, uint16_t port, int backlog,
                   spl_tcp **out)
{
    struct addrinfo *res = NULL, *ai;
    const char *shown = (host == NULL || host[0] == '\0') ? "0.0.0.0" : host;
    spl_tcp *h;
    int fd = SECIP_EADDR, rc;

    if (loop == NULL || out == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_tcp_listen: NULL argument");
    *out = NULL;
    /* Linux silently caps the backlog at net.core.somaxconn, so asking for
     * a large one means "the OS maximum". */
    if (backlog <= 0)
        backlog = 65535;
    rc = spl__resolve(host, port, 1, &res);
    if (rc < 0)
        return rc;
    /* "localhost" may give ::1 and 127.0.0.1: take the first that binds
     * (a host without IPv6 fails the first with EADDRNOTAVAIL). */
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        fd = open_listener(ai, backlog, shown, port);
        if (fd >= 0 || (fd != SECIP_EADDR && fd != SECIP_ENOTSUP))
            break;
    }
    freeaddrinfo(res);
    if (fd < 0)
        return fd;
    h = spl__tcp_alloc(loop, SPL_TCP_LISTENER);
    if (h == NULL) {
        close(fd);
        return sp_error_set(SECIP_ENOMEM, "spl_tcp_listen: out of memory");
    }
    h->fd = fd;
    rc = spl__loop_add(loop, h, fd);
    if (rc < 0) {
        close(fd);
        free(h);
        return rc;
    }
    *out = h;
    return 0;
}

/* ---- accept ------------------------------------------------------------ */

int spl_tcp_accept(spl_tcp *listener, spl_loop *target, spl_conn_cb cb,
                   void *arg)
{
    if (listener == NULL || cb == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_tcp_accept: bad argument");
    if (listener->closing)
        return sp_error_set(SECIP_ECLOSED, "spl_tcp_accept: listener closed");
    if (listener->kind != SPL_TCP_LISTENER)
        return sp_error_set(SECIP_EINVAL, "spl_tcp_accept: not a listener");
    if (listener->accept_cb != NULL)
        return sp_error_set(SECIP_EBUSY, "spl_tcp_accept: accept in flight");
    listener->accept_cb = cb;
    listener->accept_arg = arg;
    listener->accept_target = target != NULL ? target : listener->loop;
    if (listener->can_read)
        spl__pending_add(listener);
    return 0;
}

static void complete_accept(spl_tcp *h, int status, spl_tcp *conn)
{
    spl_conn_cb cb = h->accept_cb;

    h->accept_cb = NULL;
    cb(h->accept_arg, status, conn);
}

void spl__accept_step(spl_tcp *h)
{
    spl_tcp *conn;
    int fd, rc;

    for (;;) {
        fd = accept4(h->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0)
            break;
        /* A connection reset while queued is the peer's business. */
        if (errno == EINTR || errno == ECONNABORTED)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            h->can_read = 0;
            return;
        }
        complete_accept(h, spl__os_error(errno, "accept (fd %d)", h->fd), NULL);
        return;
    }
    conn = spl__tcp_alloc(h->accept_target, SPL_TCP_CONN);
    if (conn == NULL) {
        close(fd);
        complete_accept(h, sp_error_set(SECIP_ENOMEM, "accept: out of memory"),
                        NULL);
        return;
    }
    conn->fd = fd;
    /* secip writes whole TLS records in one gather write, so Nagle would
     * only delay the last segment of each flight; off by default. */
    spl__set_nodelay(fd);
    /* Complete initialisation before registering: from epoll_ctl on, the
     * target loop's thread may look at the handle. */
    rc = spl__loop_add(conn->loop, conn, fd);
    if (rc < 0) {
        close(fd);
        free(conn);
        complete_accept(h, rc, NULL);
        return;
    }
    complete_accept(h, 0, conn);
}

/* ---- connect ----------------------------------------------------------- */

void spl__connect_free(spl_tcp *h)
{
    struct spl_connect *c = h->conn;

    if (c == NULL)
        return;
    spl_timer_free(c->timer);
    free(c);
    h->conn = NULL;
}

/* End the connect: success hands h to the caller, failure retires it. */
static void connect_done(spl_tcp *h, int status)
{
    struct spl_connect *c = h->conn;
    spl_conn_cb cb = c->cb;
    void *arg = c->arg;

    spl__connect_free(h);
    if (status == 0) {
        h->kind = SPL_TCP_CONN;
        h->can_read = 1;
        h->can_write = 1;
        spl__set_nodelay(h->fd); /* see spl__accept_step */
        cb(arg, 0, h);
        return;
    }
    /* Never seen by the caller: close it quietly through the loop, which
     * frees it after this iteration's events (one may still name it). */
    h->closing = 1;
    spl__pending_remove(h);
    spl__tcp_close_fd(h);
    spl__closing_add(h);
    cb(arg, status, NULL);
}

static int connect_error(spl_tcp *h, int err)
{
    int rc;

    if (h->conn->bind_err)
        return spl__os_error_as(SECIP_EADDR, err,
                                "connect %s: cannot bind "
                                "the source address",
                                h->conn->name);
    rc = spl__os_error(err, "connect %s", h->conn->name);

    /* The contract lists the codes a connect may report. */
    if (rc != SECIP_ECONNREFUSED && rc != SECIP_ETIMEDOUT &&
        rc != SECIP_EUNREACH && rc != SECIP_EADDR && rc != SECIP_ENOMEM)
        rc = spl__os_error_as(SECIP_EIO, err, "connect %s", h->conn->name);
    return rc;
}

static void on_connect_timeout(spl_timer *t, void *arg)
{
    spl_tcp *h = arg;
    (void)t;
    sp_error_set(SECIP_ETIMEDOUT, "connect %s: timed out", h->conn->name);
    connect_done(h, SECIP_ETIMEDOUT);
}

/* Start the attempt at addrs[next].  Returns 1 when it is in progress,
 * 0 when connected, or -1 (errno in c->last_err) when it failed at once. */
static int start_attempt(spl_tcp *h)
{
    struct spl_connect *c = h->conn;
    int i = c->next++;
    const struct sockaddr *sa = (struct sockaddr *)&c->addrs[i];
    int fd, rc;

    c->bind_err = 0;
    if (c->have_local && c->local.ss_family != sa->sa_family) {
        c->last_err = EAFNOSUPPORT; /* this address is of the other family */
        c->bind_err = 1;
        return -1;
    }
    fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        c->last_err = errno;
        return -1;
    }
    /* The chosen source address; port 0 lets the kernel pick the port. */
    if (c->have_local &&
        bind(fd, (const struct sockaddr *)&c->local, c->local_len) != 0) {
        c->last_err = errno;
        c->bind_err = 1;
        close(fd);
        return -1;
    }
    /* No retry on EINTR: the attempt then goes on in the background, like
     * EINPROGRESS, and a second connect() would fail with EALREADY. */
    rc = connect(fd, sa, c->addrlens[i]);
    if (rc != 0 && errno != EINPROGRESS && errno != EINTR) {
        c->last_err = errno;
        close(fd);
        return -1;
    }
    /* Registered after connect(): an unconnected socket polls as HUP, which
     * would look like a finished attempt.  A registration made after the
     * connection completed still reports it (epoll checks the state). */
    h->fd = fd;
    h->can_write = 0;
    if (spl__loop_add(h->loop, h, fd) != 0) {
        c->last_err = errno; /* kept by spl__loop_add */
        h->fd = -1;
        close(fd);
        return -1;
    }
    return rc == 0 ? 0 : 1;
}

/* Has the attempt on h->fd finished?  1 = connected, 0 = not yet,
 * -1 = failed (errno in last_err). */
static int check_attempt(spl_tcp *h)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(int);
    int err = 0;

    if (getsockopt(h->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
        err = errno;
    if (err != 0) {
        h->conn->last_err = err;
        return -1;
    }
    len = sizeof(ss);
    if (getpeername(h->fd, (struct sockaddr *)&ss, &len) != 0) {
        if (errno == ENOTCONN) {
            h->can_write = 0; /* spurious edge: keep waiting */
            return 0;
        }
        h->conn->last_err = errno;
        return -1;
    }
    return 1;
}

void spl__connect_step(spl_tcp *h)
{
    struct spl_connect *c = h->conn;
    int r;

    if (h->fd >= 0) {
        if (!h->can_write)
            return;
        r = check_attempt(h);
        if (r == 0)
            return;
        if (r == 1) {
            connect_done(h, 0);
            return;
        }
        spl__tcp_close_fd(h);
    }
    /* No attempt in progress: start the next one(s). */
    while (c->next < c->naddrs) {
        r = start_attempt(h);
        if (r == 0) {
            connect_done(h, 0);
            return;
        }
        if (r == 1)
            return;
    }
    connect_done(h, connect_error(h, c->last_err));
}

/* Keep the addresses of the local address's family (all without one). */
static int family_ok(const struct spl_connect *c, int family)
{
    return !c->have_local || c->local.ss_family == family;
}

static int copy_addrs(struct spl_connect *c, const struct addrinfo *res)
{
    for (; res != NULL && c->naddrs < MAX_ADDRS; res = res->ai_next) {
        if (res->ai_addrlen > sizeof(c->addrs[0]) ||
            !family_ok(c, res->ai_family))
            continue;
        memcpy(&c->addrs[c->naddrs], res->ai_addr, res->ai_addrlen);
        c->addrlens[c->naddrs] = res->ai_addrlen;
        c->naddrs++;
    }
    return c->naddrs;
}

/* Parse a numeric local address (no resolver: it must never block). */
static int parse_local(struct spl_connect *c, const char *local)
{
    struct sockaddr_in *v4 = (struct sockaddr_in *)&c->local;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&c->local;

    memset(&c->local, 0, sizeof(c->local));
    if (inet_pton(AF_INET, local, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        c->local_len = sizeof(*v4);
    } else if (inet_pton(AF_INET6, local, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        c->local_len = sizeof(*v6);
    } else {
        return sp_error_set(SECIP_EADDR,
                            "connect: source address '%.80s' is not a "
                            "numeric IPv4 or IPv6 address",
                            local);
    }
    c->have_local = 1;
    return 0;
}

int spl_tcp_connect(spl_loop *loop, const char *host, uint16_t port,
                    uint32_t timeout_ms, spl_conn_cb cb, void *arg)
{
    return spl_tcp_connect_from(loop, NULL, host, port, timeout_ms, cb, arg);
}

int spl_tcp_connect_from(spl_loop *loop, const char *local, const char *host,
                         uint16_t port, uint32_t timeout_ms, spl_conn_cb cb,
                         void *arg)
{
    struct addrinfo *res = NULL;
    struct spl_connect *c;
    spl_tcp *h;
    int rc;

    if (loop == NULL || host == NULL || host[0] == '\0' || cb == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_tcp_connect: bad argument");
    rc = spl__resolve(host, port, 0, &res);
    if (rc < 0)
        return rc;
    h = spl__tcp_alloc(loop, SPL_TCP_CONNECTING);
    c = calloc(1, sizeof(*c));
    if (h == NULL || c == NULL) {
        freeaddrinfo(res);
        free(h);
        free(c);
        return sp_error_set(SECIP_ENOMEM, "spl_tcp_connect: out of memory");
    }
    h->conn = c;
    c->cb = cb;
    c->arg = arg;
    snprintf(c->name, sizeof(c->name), "%s:%u", host, (unsigned)port);
    rc = local != NULL ? parse_local(c, local) : 0;
    if (rc == 0)
        copy_addrs(c, res);
    freeaddrinfo(res);
    if (rc == 0 && c->naddrs == 0)
        rc = sp_error_set(SECIP_EADDR, "connect %s: no usable address%s%s",
                          host, local != NULL ? " of the family of " : "",
                          local != NULL ? local : "");
    if (rc < 0) {
        spl__connect_free(h);
        free(h);
        return rc;
    }
    if (timeout_ms > 0) {
        rc = spl_timer_new(loop, &c->timer);
        if (rc == 0)
            rc =
                spl_timer_start(c->timer, timeout_ms, 0, on_connect_timeout, h);
        if (rc < 0) {
            spl__connect_free(h);
            free(h);
            return rc;
        }
    }
    /* The first attempt is made by the loop, so that even an immediate
     * failure reaches cb from there and never from inside this call. */
    spl__pending_add(h);
    return 0;
}
