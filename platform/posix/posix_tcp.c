/*
 * platform/posix/posix_tcp.c -- TCP handles on the epoll loop: read, write,
 * shutdown, close, abort, socket options, and the per-handle dispatch that
 * turns readiness into completions.
 *
 * Listen, accept and connect live in posix_connect.c.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "posix.h"

/* ---- handle life ------------------------------------------------------- */

spl_tcp *spl__tcp_alloc(spl_loop *loop, int kind)
{
    spl_tcp *h = calloc(1, sizeof(*h));

    if (h == NULL)
        return NULL;
    h->loop = loop;
    h->fd = -1;
    h->kind = kind;
    /* Unknown readiness counts as ready: the first attempt finds out. */
    h->can_read = 1;
    h->can_write = 1;
    return h;
}

void spl__set_nodelay(int fd)
{
    int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

void spl__tcp_close_fd(spl_tcp *h)
{
    if (h->fd < 0)
        return;
    /* Explicit removal: close() alone leaves the registration alive if the
     * descriptor was duplicated (e.g. inherited by a fork()ed child). */
    (void)epoll_ctl(h->loop->epfd, EPOLL_CTL_DEL, h->fd, NULL);
    close(h->fd);
    h->fd = -1;
}

void spl__tcp_finish_close(spl_tcp *h)
{
    /* Each cancellation clears its slot before calling back, so a callback
     * that tries to start again sees a closed handle, not a busy one. */
    if (h->read_cb != NULL) {
        spl_io_cb cb = h->read_cb;
        h->read_cb = NULL;
        sp_error_set(SECIP_ECANCELED, "read cancelled: handle closed");
        cb(h, h->read_arg, SECIP_ECANCELED);
    }
    if (h->write_cb != NULL) {
        spl_io_cb cb = h->write_cb;
        h->write_cb = NULL;
        sp_error_set(SECIP_ECANCELED, "write cancelled: handle closed");
        cb(h, h->write_arg, SECIP_ECANCELED);
    }
    if (h->accept_cb != NULL) {
        spl_conn_cb cb = h->accept_cb;
        h->accept_cb = NULL;
        sp_error_set(SECIP_ECANCELED, "accept cancelled: listener closed");
        cb(h->accept_arg, SECIP_ECANCELED, NULL);
    }
    if (h->conn != NULL)
        spl__connect_free(h);
    if (h->close_cb != NULL)
        h->close_cb(h, h->close_arg);
    free(h);
}

static void close_handle(spl_tcp *h, spl_close_cb cb, void *arg, int reset)
{
    if (h == NULL || h->closing)
        return;
    h->closing = 1;
    h->close_cb = cb;
    h->close_arg = arg;
    spl__pending_remove(h);
    if (reset && h->fd >= 0) {
        /* Linger on with a zero timeout: close() then discards unsent data
         * and sends RST instead of FIN. */
        struct linger lg;
        lg.l_onoff = 1;
        lg.l_linger = 0;
        (void)setsockopt(h->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    }
    /* The descriptor goes at once (the peer sees FIN/RST now); the memory
     * stays until the loop has delivered the cancellations. */
    spl__tcp_close_fd(h);
    spl__closing_add(h);
}

void spl_tcp_close(spl_tcp *h, spl_close_cb cb, void *arg)
{
    close_handle(h, cb, arg, 0);
}

void spl_tcp_abort(spl_tcp *h, spl_close_cb cb, void *arg)
{
    close_handle(h, cb, arg, 1);
}

/* ---- read -------------------------------------------------------------- */

static void complete_read(spl_tcp *h, ptrdiff_t result)
{
    spl_io_cb cb = h->read_cb;

    h->read_cb = NULL;
    cb(h, h->read_arg, result);
}

static void do_read(spl_tcp *h)
{
    size_t len = h->read_len;
    ssize_t n;

    if (len > (size_t)PTRDIFF_MAX)
        len = (size_t)PTRDIFF_MAX;
    do {
        n = recv(h->fd, h->read_buf, len, 0);
    } while (n < 0 && errno == EINTR);
    if (n >= 0) {
        /* A short read emptied the receive queue; anything that arrives
         * later raises a new edge, so the next read can wait for it
         * instead of paying for a recv() that fails with EAGAIN.  Not
         * after a hang-up or error: those raise no further edge, and the
         * next recv() must report them. */
        if (n > 0 && (size_t)n < len && !h->hup)
            h->can_read = 0;
        complete_read(h, (ptrdiff_t)n); /* 0 = end of stream */
        return;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
        h->can_read = 0; /* wait for the next input edge */
        return;
    }
    complete_read(h, spl__os_error(errno, "recv (fd %d)", h->fd));
}

int spl_tcp_read(spl_tcp *h, void *buf, size_t len, spl_io_cb cb, void *arg)
{
    if (h == NULL || buf == NULL || len == 0 || cb == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_tcp_read: bad argument");
    if (h->closing)
        return sp_error_set(SECIP_ECLOSED, "spl_tcp_read: handle closed");
    if (h->kind != SPL_TCP_CONN)
        return sp_error_set(SECIP_EINVAL, "spl_tcp_read: not a connection");
    if (h->read_cb != NULL)
        return sp_error_set(SECIP_EBUSY, "spl_tcp_read: read in flight");
    h->read_cb = cb;
    h->read_arg = arg;
    h->read_buf = buf;
    h->read_len = len;
    if (h->can_read)
        spl__pending_add(h);
    return 0;
}

/* ---- write ------------------------------------------------------------- */

static void complete_write(spl_tcp *h, ptrdiff_t result)
{
    spl_io_cb cb = h->write_cb;

    h->write_cb = NULL;
    cb(h, h->write_arg, result);
}

/* Drop n sent bytes from the front of the remaining iovecs, and skip empty
 * ones so that iov_pos == iov_cnt means "all written". */
static void advance_iov(spl_tcp *h, size_t n)
{
    while (h->iov_pos < h->iov_cnt) {
        struct iovec *v = &h->iov[h->iov_pos];
        if (n < v->iov_len) {
            v->iov_base = (char *)v->iov_base + n;
            v->iov_len -= n;
            return;
        }
        n -= v->iov_len;
        h->iov_pos++;
    }
}

static void write_done(spl_tcp *h)
{
    if (h->shut_wanted) {
        h->shut_wanted = 0;
        h->shut_done = 1;
        (void)shutdown(h->fd, SHUT_WR);
    }
    complete_write(h, (ptrdiff_t)h->write_total);
}

static void do_write(spl_tcp *h)
{
    struct msghdr msg;
    ssize_t n;

    advance_iov(h, 0);
    /* Keep writing until done or EAGAIN: with edge-triggered epoll a
     * partial write is not a promise of a future edge. */
    while (h->iov_pos < h->iov_cnt) {
        memset(&msg, 0, sizeof(msg));
        msg.msg_iov = &h->iov[h->iov_pos];
        msg.msg_iovlen = (size_t)(h->iov_cnt - h->iov_pos);
        /* sendmsg rather than writev, for MSG_NOSIGNAL: a reset peer gives
         * EPIPE here instead of a process-killing SIGPIPE. */
        n = sendmsg(h->fd, &msg, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                h->can_write = 0; /* wait for the next output edge */
                return;
            }
            complete_write(h, spl__os_error(errno, "send (fd %d)", h->fd));
            return;
        }
        advance_iov(h, (size_t)n);
    }
    write_done(h);
}

int spl_tcp_write(spl_tcp *h, const spl_iov *iov, int n, spl_io_cb cb,
                  void *arg)
{
    size_t total = 0;
    int i;

    if (h == NULL || iov == NULL || n < 1 || n > SPL_IOV_MAX || cb == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_tcp_write: bad argument");
    if (h->closing)
        return sp_error_set(SECIP_ECLOSED, "spl_tcp_write: handle closed");
    if (h->kind != SPL_TCP_CONN)
        return sp_error_set(SECIP_EINVAL, "spl_tcp_write: not a connection");
    if (h->write_cb != NULL)
        return sp_error_set(SECIP_EBUSY, "spl_tcp_write: write in flight");
    if (h->shut_done || h->shut_wanted)
        return sp_error_set(SECIP_ECLOSED, "spl_tcp_write: shut down");
    for (i = 0; i < n; i++) {
        if (iov[i].base == NULL && iov[i].len > 0)
            return sp_error_set(SECIP_EINVAL, "spl_tcp_write: NULL buffer");
        if (iov[i].len > (size_t)PTRDIFF_MAX - total)
            return sp_error_set(SECIP_EINVAL, "spl_tcp_write: too large");
        total += iov[i].len;
        h->iov[i].iov_base = (void *)iov[i].base;
        h->iov[i].iov_len = iov[i].len;
    }
    h->iov_pos = 0;
    h->iov_cnt = n;
    h->write_total = total;
    h->write_cb = cb;
    h->write_arg = arg;
    /* An empty write still completes from the loop, never inline. */
    if (h->can_write || total == 0)
        spl__pending_add(h);
    return 0;
}

int spl_tcp_shutdown(spl_tcp *h)
{
    if (h == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_tcp_shutdown: NULL handle");
    if (h->closing)
        return sp_error_set(SECIP_ECLOSED, "spl_tcp_shutdown: handle closed");
    if (h->kind != SPL_TCP_CONN)
        return sp_error_set(SECIP_EINVAL, "spl_tcp_shutdown: not a "
                                          "connection");
    if (h->shut_done || h->shut_wanted)
        return 0;
    if (h->write_cb != NULL) {
        /* Let the write in flight finish first; write_done shuts down. */
        h->shut_wanted = 1;
        return 0;
    }
    if (shutdown(h->fd, SHUT_WR) != 0)
        return spl__os_error(errno, "shutdown (fd %d)", h->fd);
    h->shut_done = 1;
    return 0;
}

/* ---- dispatch ---------------------------------------------------------- */

void spl__tcp_process(spl_tcp *h)
{
    if (h->closing)
        return;
    switch (h->kind) {
    case SPL_TCP_CONNECTING: spl__connect_step(h); break;
    case SPL_TCP_LISTENER:
        if (h->accept_cb != NULL && h->can_read)
            spl__accept_step(h);
        break;
    default:
        if (h->read_cb != NULL && h->can_read)
            do_read(h);
        /* The read callback may have closed the handle. */
        if (!h->closing && h->write_cb != NULL &&
            (h->can_write || h->write_total == 0))
            do_write(h);
        break;
    }
}

void spl__tcp_event(spl_tcp *h, uint32_t events)
{
    if (h->closing)
        return;
    /* Errors and hang-ups make both directions "ready": the next attempt
     * then reports the condition (reset, end of stream, ...). */
    if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
        h->hup = 1;
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
        h->can_read = 1;
    if (events & (EPOLLOUT | EPOLLHUP | EPOLLERR))
        h->can_write = 1;
    spl__tcp_process(h);
}

/* ---- options and accessors --------------------------------------------- */

uint16_t spl_tcp_local_port(const spl_tcp *h)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);

    if (h == NULL || h->fd < 0)
        return 0;
    if (getsockname(h->fd, (struct sockaddr *)&ss, &len) != 0)
        return 0;
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return 0;
}

int spl_tcp_peer_name(const spl_tcp *h, char *buf, size_t len)
{
    struct sockaddr_storage ss;
    socklen_t sslen = sizeof(ss);

    if (h == NULL || buf == NULL || len == 0)
        return sp_error_set(SECIP_EINVAL, "spl_tcp_peer_name: bad argument");
    buf[0] = '\0';
    if (h->fd < 0)
        return sp_error_set(SECIP_ECLOSED, "spl_tcp_peer_name: closed");
    if (getpeername(h->fd, (struct sockaddr *)&ss, &sslen) != 0)
        return spl__os_error(errno, "getpeername (fd %d)", h->fd);
    return spl__format_addr((struct sockaddr *)&ss, sslen, buf, len);
}

static int usable_fd(const spl_tcp *h, const char *what)
{
    if (h == NULL)
        return sp_error_set(SECIP_EINVAL, "%s: NULL handle", what);
    if (h->closing || h->fd < 0)
        return sp_error_set(SECIP_ECLOSED, "%s: handle closed", what);
    return 0;
}

int spl_tcp_nodelay(spl_tcp *h, int on)
{
    int v = on ? 1 : 0;
    int rc = usable_fd(h, "spl_tcp_nodelay");

    if (rc < 0)
        return rc;
    if (setsockopt(h->fd, IPPROTO_TCP, TCP_NODELAY, &v, sizeof(v)) != 0)
        return spl__os_error(errno, "setsockopt(TCP_NODELAY)");
    return 0;
}

int spl_tcp_buffers(spl_tcp *h, int sndbuf, int rcvbuf)
{
    int rc = usable_fd(h, "spl_tcp_buffers");

    if (rc < 0)
        return rc;
    if (sndbuf < 0 || rcvbuf < 0)
        return sp_error_set(SECIP_EINVAL, "spl_tcp_buffers: negative size");
    if (sndbuf > 0 &&
        setsockopt(h->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)) != 0)
        return spl__os_error(errno, "setsockopt(SO_SNDBUF, %d)", sndbuf);
    if (rcvbuf > 0 &&
        setsockopt(h->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) != 0)
        return spl__os_error(errno, "setsockopt(SO_RCVBUF, %d)", rcvbuf);
    return 0;
}

spl_loop *spl_tcp_loop(const spl_tcp *h)
{
    return h == NULL ? NULL : h->loop;
}

void spl_tcp_set_data(spl_tcp *h, void *data)
{
    if (h != NULL)
        h->data = data;
}

void *spl_tcp_data(const spl_tcp *h)
{
    return h == NULL ? NULL : h->data;
}
