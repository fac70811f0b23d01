/*
 * platform/win32/win_tcp.c -- TCP handles on IOCP: reads, writes, closing,
 * options, and the completion dispatch shared by every operation.
 *
 * Lifetime of a handle (platform.h rule 3): h->pending counts operations
 * whose completion is still due, from the kernel or from the loop's
 * deferred list.  spl_tcp_close() cancels everything with CancelIoEx and
 * closes the socket at once, which makes every pending overlapped call
 * complete (with ERROR_OPERATION_ABORTED, or with its real result if it won
 * the race); each of those completions calls back with SECIP_ECANCELED.
 * When pending reaches 0 the handle goes on the loop's endgame list, whose
 * entries get their close callback and are freed at the start of the next
 * iteration -- never while a completion that names the handle may still be
 * dequeued, and never inside the call that closed it.
 *
 * No FILE_SKIP_COMPLETION_PORT_ON_SUCCESS: a call that succeeds at once
 * still queues its completion, which is how rule 1 (no callback inside the
 * starting call) holds for free.
 */
#include <stdlib.h>
#include <string.h>

#include "win_impl.h"

/* Largest single WSABUF: WSABUF.len is a ULONG; stay well inside it. */
#define WIN_CHUNK_MAX 0x40000000UL

static void read_complete(win_op *op, DWORD err, DWORD bytes);
static void write_complete(win_op *op, DWORD err, DWORD bytes);

int spl__win_socket(int family, SOCKET *out)
{
    SOCKET s = WSASocketW(family, SOCK_STREAM, IPPROTO_TCP, NULL, 0,
                          WSA_FLAG_OVERLAPPED);
    if (s == INVALID_SOCKET) {
        *out = INVALID_SOCKET;
        return spl__win_error((DWORD)WSAGetLastError(), "create socket");
    }
    /* Child processes must not inherit connections.  (The flag
     * WSA_FLAG_NO_HANDLE_INHERIT needs Windows 7 SP1 with an update.) */
    SetHandleInformation((HANDLE)s, HANDLE_FLAG_INHERIT, 0);
    *out = s;
    return 0;
}

int spl__win_nodelay(SOCKET s, int on)
{
    BOOL v = on ? TRUE : FALSE;
    if (setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (const char *)&v, sizeof v) !=
        0)
        return spl__win_error((DWORD)WSAGetLastError(), "set TCP_NODELAY");
    return 0;
}

static void op_init(win_op *op, spl_tcp *h, win_op_fn fn)
{
    memset(op, 0, sizeof *op);
    op->h = h;
    op->complete = fn;
}

int spl__win_associate(spl_loop *loop, SOCKET s)
{
    /* Every handle uses the same key: the OVERLAPPED names the operation.
     * A socket can be associated once only, before its first overlapped
     * call, which is why accepted sockets can join any loop. */
    if (CreateIoCompletionPort((HANDLE)s, loop->port, WIN_KEY_IO, 0) == NULL)
        return spl__win_error(GetLastError(),
                              "associate socket with completion port");
    return 0;
}

int spl__win_tcp_new(spl_loop *loop, SOCKET s, int family, spl_tcp **out)
{
    spl_tcp *h;
    int rc;

    *out = NULL;
    h = calloc(1, sizeof *h);
    if (h == NULL)
        return sp_error_set(SECIP_ENOMEM, "TCP handle: out of memory");
    if (s != INVALID_SOCKET && (rc = spl__win_associate(loop, s)) < 0) {
        free(h);
        return rc;
    }
    h->loop = loop;
    h->s = s;
    h->family = family;
    h->acc_sock = INVALID_SOCKET;
    op_init(&h->rd, h, read_complete);
    op_init(&h->wr, h, write_complete);
    *out = h;
    return 0;
}

void spl__win_tcp_discard(spl_tcp *h)
{
    free(h);
}

/* ---- completion dispatch -------------------------------------------- */

void spl__win_defer(win_op *op, DWORD err)
{
    spl_loop *loop = op->h->loop;

    op->deferred_err = err ? err : ERROR_INTERNAL_ERROR;
    op->next = NULL;
    if (loop->deferred_tail != NULL)
        loop->deferred_tail->next = op;
    else
        loop->deferred_head = op;
    loop->deferred_tail = op;
}

static void endgame_push(spl_tcp *h)
{
    spl_loop *loop = h->loop;

    if (h->in_endgame)
        return;
    /* FIFO, so close callbacks run in the order the handles finished. */
    h->in_endgame = 1;
    h->next_endgame = NULL;
    if (loop->endgame_tail != NULL)
        loop->endgame_tail->next_endgame = h;
    else
        loop->endgame = h;
    loop->endgame_tail = h;
}

/* One completion of op, from the port or from the deferred list. */
static void op_finish(win_op *op, DWORD err, DWORD bytes)
{
    spl_tcp *h = op->h;

    h->pending--;
    /* The handle's memory is released only from the endgame list, after
     * this function has returned: op->complete may use h freely. */
    if (h->closing && h->pending == 0)
        endgame_push(h);
    op->complete(op, err, bytes);
}

void spl__win_io_complete(OVERLAPPED *ov, DWORD bytes)
{
    win_op *op = CONTAINING_RECORD(ov, win_op, ov);
    spl_tcp *h = op->h;
    DWORD err = 0;

    if (h->closing) {
        /* The socket is closed: whatever happened is a cancellation. */
        err = ERROR_OPERATION_ABORTED;
    } else if (ov->Internal != 0) {
        /* OVERLAPPED.Internal holds the request's final status, 0 for
         * success; for anything else let Winsock translate it into the
         * WSAE* code (the socket is still open). */
        DWORD flags = 0;
        if (!WSAGetOverlappedResult(h->s, ov, &bytes, FALSE, &flags))
            err = (DWORD)WSAGetLastError();
    }
    op_finish(op, err, bytes);
}

int spl__win_loop_service(spl_loop *loop)
{
    int count = 0;
    win_op *op;
    spl_tcp *h;

    /* Take each list whole: items added while running wait for the next
     * iteration, so a callback that fails again cannot spin here. */
    op = loop->deferred_head;
    loop->deferred_head = loop->deferred_tail = NULL;
    while (op != NULL) {
        win_op *next = op->next;
        DWORD err = op->deferred_err;
        op->deferred_err = 0;
        op_finish(op, err, 0);
        op = next;
        count++;
    }
    h = loop->endgame;
    loop->endgame = loop->endgame_tail = NULL;
    while (h != NULL) {
        spl_tcp *next = h->next_endgame;
        if (h->close_cb != NULL)
            h->close_cb(h, h->close_arg);
        free(h);
        h = next;
        count++;
    }
    return count;
}

/* Start-time checks shared by read and write. */
static int io_check(spl_tcp *h, const win_op *op, const char *what)
{
    if (h->is_listener)
        return sp_error_set(SECIP_EINVAL, "%s: handle is a listener", what);
    if (h->closing)
        return sp_error_set(SECIP_ECLOSED, "%s: handle is closed", what);
    if (op->active)
        return sp_error_set(SECIP_EBUSY, "%s: one already in flight", what);
    return 0;
}

/* ---- read ------------------------------------------------------------- */

int spl_tcp_read(spl_tcp *h, void *buf, size_t len, spl_io_cb cb, void *arg)
{
    DWORD flags = 0;
    int rc;

    if (h == NULL || buf == NULL || len == 0 || cb == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_tcp_read: bad argument");
    rc = io_check(h, &h->rd, "read");
    if (rc < 0)
        return rc;
    h->rd_cb = cb;
    h->rd_arg = arg;
    h->rd_buf.buf = buf;
    h->rd_buf.len = len > WIN_CHUNK_MAX ? WIN_CHUNK_MAX : (ULONG)len;
    h->rd.active = 1;
    h->pending++;
    memset(&h->rd.ov, 0, sizeof h->rd.ov);
    if (WSARecv(h->s, &h->rd_buf, 1, NULL, &flags, &h->rd.ov, NULL) != 0) {
        DWORD err = (DWORD)WSAGetLastError();
        if (err != WSA_IO_PENDING)
            spl__win_defer(&h->rd, err);
    }
    return 0;
}

static void read_complete(win_op *op, DWORD err, DWORD bytes)
{
    spl_tcp *h = op->h;
    ptrdiff_t result;

    if (h->closing)
        result = sp_error_set(SECIP_ECANCELED, "read: handle closed");
    else if (err != 0)
        result = spl__win_error(err, "read");
    else
        result = (ptrdiff_t)bytes; /* 0: the peer shut down its side */
    op->active = 0;
    h->rd_cb(h, h->rd_arg, result);
}

/* ---- write ------------------------------------------------------------ */

/* Fill wr_bufs from the cursor and start one WSASend. */
static void write_issue(spl_tcp *h)
{
    int i = h->wr_idx;
    size_t off = h->wr_off;
    DWORD nb = 0;

    while (i < h->wr_n && nb < SPL_IOV_MAX) {
        size_t left = h->wr_iov[i].len - off;
        if (left > 0) {
            ULONG chunk = left > WIN_CHUNK_MAX ? WIN_CHUNK_MAX : (ULONG)left;
            h->wr_bufs[nb].buf = (char *)h->wr_iov[i].base + off;
            h->wr_bufs[nb].len = chunk;
            nb++;
            if (chunk < left)
                break; /* the rest of this buffer goes in the next call */
        }
        i++;
        off = 0;
    }
    if (nb == 0) {
        /* Nothing but empty buffers: a zero-byte send still completes
         * through the port, keeping the callback asynchronous. */
        static char none; /* a valid address, in case NULL is refused */
        h->wr_bufs[0].buf = &none;
        h->wr_bufs[0].len = 0;
        nb = 1;
    }
    h->pending++;
    memset(&h->wr.ov, 0, sizeof h->wr.ov);
    if (WSASend(h->s, h->wr_bufs, nb, NULL, 0, &h->wr.ov, NULL) != 0) {
        DWORD err = (DWORD)WSAGetLastError();
        if (err != WSA_IO_PENDING)
            spl__win_defer(&h->wr, err);
    }
}

/* Move the cursor past n written bytes; returns bytes still to write. */
static size_t write_advance(spl_tcp *h, size_t n)
{
    size_t left = 0;
    int i;

    h->wr_done += n;
    while (h->wr_idx < h->wr_n) {
        size_t avail = h->wr_iov[h->wr_idx].len - h->wr_off;
        if (n < avail) {
            h->wr_off += n;
            break;
        }
        n -= avail;
        h->wr_idx++;
        h->wr_off = 0;
    }
    for (i = h->wr_idx; i < h->wr_n; i++)
        left += h->wr_iov[i].len - (i == h->wr_idx ? h->wr_off : 0);
    return left;
}

int spl_tcp_write(spl_tcp *h, const spl_iov *iov, int n, spl_io_cb cb,
                  void *arg)
{
    size_t total = 0;
    int rc, i;

    if (h == NULL || iov == NULL || n < 1 || n > SPL_IOV_MAX || cb == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_tcp_write: bad argument");
    rc = io_check(h, &h->wr, "write");
    if (rc < 0)
        return rc;
    if (h->shut)
        return sp_error_set(SECIP_ECLOSED, "write: sending side shut down");
    for (i = 0; i < n; i++) {
        if (iov[i].base == NULL && iov[i].len > 0)
            return sp_error_set(SECIP_EINVAL, "spl_tcp_write: NULL buffer");
        /* The result reports the total as a ptrdiff_t. */
        if (iov[i].len > (size_t)PTRDIFF_MAX - total)
            return sp_error_set(SECIP_EINVAL, "spl_tcp_write: too large");
        total += iov[i].len;
    }
    memcpy(h->wr_iov, iov, (size_t)n * sizeof *iov);
    h->wr_n = n;
    h->wr_idx = 0;
    h->wr_off = 0;
    h->wr_done = 0;
    h->wr_cb = cb;
    h->wr_arg = arg;
    h->wr.active = 1;
    write_issue(h);
    return 0;
}

static void write_complete(win_op *op, DWORD err, DWORD bytes)
{
    spl_tcp *h = op->h;
    ptrdiff_t result;

    if (h->closing) {
        result = sp_error_set(SECIP_ECANCELED, "write: handle closed");
    } else if (err != 0) {
        result = spl__win_error(err, "write");
    } else if (write_advance(h, bytes) > 0) {
        if (bytes == 0) {
            /* No progress and no error: never retry forever. */
            result = sp_error_set(SECIP_EIO, "write: send made no progress");
        } else {
            write_issue(h); /* a partial send: continue with the rest */
            return;
        }
    } else {
        result = (ptrdiff_t)h->wr_done; /* <= PTRDIFF_MAX, checked at start */
    }
    op->active = 0;
    h->wr_cb(h, h->wr_arg, result);
}

/* ---- shutdown, close, abort ------------------------------------------- */

int spl_tcp_shutdown(spl_tcp *h)
{
    if (h == NULL || h->is_listener)
        return sp_error_set(SECIP_EINVAL, "spl_tcp_shutdown: bad handle");
    if (h->closing)
        return sp_error_set(SECIP_ECLOSED, "shutdown: handle is closed");
    if (shutdown(h->s, SD_SEND) != 0)
        return spl__win_error((DWORD)WSAGetLastError(), "shutdown");
    h->shut = 1;
    return 0;
}

static void tcp_close(spl_tcp *h, spl_close_cb cb, void *arg, int hard)
{
    if (h == NULL || h->closing)
        return;
    h->closing = 1;
    h->close_cb = cb;
    h->close_arg = arg;
    if (h->s != INVALID_SOCKET) {
        if (hard) {
            /* Linger on with a zero timeout: closesocket sends a RST. */
            LINGER l;
            l.l_onoff = 1;
            l.l_linger = 0;
            setsockopt(h->s, SOL_SOCKET, SO_LINGER, (const char *)&l, sizeof l);
        }
        /* Cancel first so every pending call is aborted even where a
         * layered provider keeps the base socket open after closesocket. */
        CancelIoEx((HANDLE)h->s, NULL);
        closesocket(h->s);
        h->s = INVALID_SOCKET;
    }
    if (h->pending == 0)
        endgame_push(h);
}

void spl_tcp_close(spl_tcp *h, spl_close_cb cb, void *arg)
{
    tcp_close(h, cb, arg, 0);
}

void spl_tcp_abort(spl_tcp *h, spl_close_cb cb, void *arg)
{
    tcp_close(h, cb, arg, 1);
}

/* ---- options and accessors -------------------------------------------- */

uint16_t spl_tcp_local_port(const spl_tcp *h)
{
    if (h == NULL || h->s == INVALID_SOCKET)
        return 0;
    return spl__win_local_port(h->s);
}

int spl_tcp_peer_name(const spl_tcp *h, char *buf, size_t len)
{
    SOCKADDR_STORAGE ss;
    int sl = (int)sizeof ss;

    if (h == NULL || buf == NULL || len == 0)
        return sp_error_set(SECIP_EINVAL, "spl_tcp_peer_name: bad argument");
    buf[0] = '\0';
    if (h->closing || h->is_listener)
        return sp_error_set(SECIP_ECLOSED, "peer name: not connected");
    if (getpeername(h->s, (struct sockaddr *)&ss, &sl) != 0)
        return spl__win_error((DWORD)WSAGetLastError(), "getpeername");
    return spl__win_format_addr((const struct sockaddr *)&ss, buf, len);
}

int spl_tcp_nodelay(spl_tcp *h, int on)
{
    if (h == NULL || h->closing)
        return sp_error_set(SECIP_EINVAL, "spl_tcp_nodelay: bad handle");
    return spl__win_nodelay(h->s, on);
}

int spl_tcp_buffers(spl_tcp *h, int sndbuf, int rcvbuf)
{
    if (h == NULL || h->closing || sndbuf < 0 || rcvbuf < 0)
        return sp_error_set(SECIP_EINVAL, "spl_tcp_buffers: bad argument");
    if (sndbuf > 0 && setsockopt(h->s, SOL_SOCKET, SO_SNDBUF,
                                 (const char *)&sndbuf, sizeof sndbuf) != 0)
        return spl__win_error((DWORD)WSAGetLastError(), "set SO_SNDBUF");
    if (rcvbuf > 0 && setsockopt(h->s, SOL_SOCKET, SO_RCVBUF,
                                 (const char *)&rcvbuf, sizeof rcvbuf) != 0)
        return spl__win_error((DWORD)WSAGetLastError(), "set SO_RCVBUF");
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
