/*
 * platform/win32/win_conn.c -- listening, accepting with AcceptEx, and
 * connecting with ConnectEx.
 *
 * AcceptEx and ConnectEx are Winsock extension functions: their addresses
 * come from WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER), loaded once.
 *
 * Accept: the socket that receives the connection is created before the
 * call and is not associated with any port while AcceptEx is pending (its
 * completion arrives on the listener).  Once accepted, it is associated
 * with the *target* loop's port, which is allowed because it has had no
 * overlapped I/O of its own yet.
 *
 * Connect: ConnectEx needs a socket bound beforehand: to the wildcard
 * address, or to the caller's source address (spl_tcp_connect_from).  A name
 * may resolve to several addresses ("localhost" gives ::1 and 127.0.0.1); they
 * are tried in order until one connects.  The timeout is an internal spl_timer:
 * on expiry it cancels the pending ConnectEx, and the aborted completion is
 * reported as SECIP_ETIMEDOUT.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "win_impl.h"

/* AcceptEx needs 16 bytes more than the largest address, per address. */
#define ACC_ADDR_LEN ((DWORD)(sizeof(SOCKADDR_STORAGE) + 16))

struct win_connect {
    win_addrs addrs;
    int next;         /* index of the next address to try */
    spl_timer *timer; /* NULL without a timeout */
    int timed_out;
    int have_local;  /* bind to local instead of the wildcard */
    int bind_failed; /* the last attempt failed binding local */
    SOCKADDR_STORAGE local;
    char name[300]; /* "host:port", for error details */
};

static LPFN_ACCEPTEX accept_ex;
static LPFN_CONNECTEX connect_ex;

static void accept_complete(win_op *op, DWORD err, DWORD bytes);
static void connect_complete(win_op *op, DWORD err, DWORD bytes);

/* ---- extension functions ------------------------------------------------ */

static int load_ext(SOCKET s, GUID guid, void *fn, DWORD size)
{
    DWORD got = 0;
    return WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &guid, sizeof guid,
                    fn, size, &got, NULL, NULL) == 0;
}

int spl__win_conn_init(void)
{
    GUID ga = WSAID_ACCEPTEX;
    GUID gc = WSAID_CONNECTEX;
    int ok;
    SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);

    if (s == INVALID_SOCKET) /* a host without IPv4 */
        s = socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP);
    if (s == INVALID_SOCKET)
        return spl__win_map_error((DWORD)WSAGetLastError());
    ok = load_ext(s, ga, (void *)&accept_ex, sizeof accept_ex) &&
         load_ext(s, gc, (void *)&connect_ex, sizeof connect_ex);
    if (!ok) {
        int err = WSAGetLastError();
        closesocket(s);
        WSASetLastError(err);
        return spl__win_map_error((DWORD)err);
    }
    closesocket(s);
    return 0;
}

/* ---- listen ------------------------------------------------------------ */

/* A listening socket on one address, or a negative code. */
static int listen_on(const SOCKADDR_STORAGE *sa, int salen, int backlog,
                     SOCKET *out)
{
    char name[80];
    BOOL on = TRUE;
    SOCKET s;
    int rc;

    spl__win_format_addr((const struct sockaddr *)sa, name, sizeof name);
    rc = spl__win_socket(sa->ss_family, &s);
    if (rc < 0)
        return rc;
    /* Windows lets another process bind the same port with SO_REUSEADDR
     * unless the first one asks for exclusive use. */
    setsockopt(s, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, (const char *)&on,
               sizeof on);
    if (bind(s, (const struct sockaddr *)sa, salen) != 0) {
        rc = spl__win_error((DWORD)WSAGetLastError(), "bind %s", name);
    } else if (listen(s, backlog > 0 ? backlog : SOMAXCONN) != 0) {
        rc = spl__win_error((DWORD)WSAGetLastError(), "listen %s", name);
    } else {
        *out = s;
        return 0;
    }
    closesocket(s);
    return rc;
}

int spl_tcp_listen(spl_loop *loop, const char *host, uint16_t port, int backlog,
                   spl_tcp **out)
{
    win_addrs addrs;
    SOCKET s = INVALID_SOCKET;
    spl_tcp *h;
    int i, rc;

    if (loop == NULL || out == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_tcp_listen: NULL argument");
    *out = NULL;
    rc = spl_init();
    if (rc < 0)
        return rc;
    rc = spl__win_resolve(host, port, 1, &addrs);
    if (rc < 0)
        return rc;
    /* The first address that works; the error of the last one if none. */
    for (i = 0; i < addrs.count; i++) {
        rc = listen_on(&addrs.addr[i], addrs.len[i], backlog, &s);
        if (rc == 0)
            break;
    }
    if (rc < 0)
        return rc;
    rc = spl__win_tcp_new(loop, s, addrs.addr[i].ss_family, &h);
    if (rc < 0) {
        closesocket(s);
        return rc;
    }
    h->is_listener = 1;
    h->cn.h = h;
    h->cn.complete = accept_complete;
    *out = h;
    return 0;
}

/* ---- accept ------------------------------------------------------------ */

/* Create the socket for the next connection and start AcceptEx. */
static void accept_issue(spl_tcp *l)
{
    DWORD got = 0;
    SOCKET as = WSASocketW(l->family, SOCK_STREAM, IPPROTO_TCP, NULL, 0,
                           WSA_FLAG_OVERLAPPED);

    l->pending++;
    if (as == INVALID_SOCKET) {
        spl__win_defer(&l->cn, (DWORD)WSAGetLastError());
        return;
    }
    SetHandleInformation((HANDLE)as, HANDLE_FLAG_INHERIT, 0);
    l->acc_sock = as;
    memset(&l->cn.ov, 0, sizeof l->cn.ov);
    /* Receive no data with the connection (dwReceiveDataLength 0), so the
     * accept completes as soon as the handshake does. */
    if (!accept_ex(l->s, as, l->acc_addrs, 0, ACC_ADDR_LEN, ACC_ADDR_LEN, &got,
                   &l->cn.ov)) {
        DWORD err = (DWORD)WSAGetLastError();
        if (err != ERROR_IO_PENDING) {
            closesocket(as);
            l->acc_sock = INVALID_SOCKET;
            spl__win_defer(&l->cn, err);
        }
    }
}

int spl_tcp_accept(spl_tcp *l, spl_loop *target, spl_conn_cb cb, void *arg)
{
    if (l == NULL || cb == NULL || !l->is_listener)
        return sp_error_set(SECIP_EINVAL, "spl_tcp_accept: not a listener");
    if (l->closing)
        return sp_error_set(SECIP_ECLOSED, "accept: listener is closed");
    if (l->cn.active)
        return sp_error_set(SECIP_EBUSY, "accept: one already in flight");
    l->acc_target = target != NULL ? target : l->loop;
    l->conn_cb = cb;
    l->conn_arg = arg;
    l->cn.active = 1;
    accept_issue(l);
    return 0;
}

/* The connection went away between its handshake and our accept: the
 * listener is fine, so wait for the next connection instead of failing.
 * Windows reports this as a reset or abort; Wine as WSAENOTCONN (a
 * listening socket is never "not connected" otherwise).  Each retry is
 * one more AcceptEx through the loop, so other events keep running. */
static int is_aborted_connection(DWORD err)
{
    return err == WSAECONNRESET || err == WSAECONNABORTED ||
           err == WSAENOTCONN || err == ERROR_NETNAME_DELETED ||
           err == ERROR_CONNECTION_ABORTED;
}

static void accept_complete(win_op *op, DWORD err, DWORD bytes)
{
    spl_tcp *l = op->h;
    SOCKET as = l->acc_sock;
    spl_tcp *conn = NULL;
    int rc = 0;

    (void)bytes;
    l->acc_sock = INVALID_SOCKET;
    if (l->closing) {
        rc = sp_error_set(SECIP_ECANCELED, "accept: listener closed");
    } else if (err != 0 && is_aborted_connection(err)) {
        if (as != INVALID_SOCKET)
            closesocket(as);
        accept_issue(l); /* not the caller's problem: wait for the next */
        return;
    } else if (err != 0) {
        rc = spl__win_error(err, "accept");
    } else if (setsockopt(as, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT,
                          (const char *)&l->s, sizeof l->s) != 0) {
        /* Without it getpeername and shutdown fail on the new socket. */
        rc = spl__win_error((DWORD)WSAGetLastError(),
                            "accept: SO_UPDATE_ACCEPT_CONTEXT");
    } else {
        rc = spl__win_tcp_new(l->acc_target, as, l->family, &conn);
    }
    if (rc < 0) {
        if (as != INVALID_SOCKET)
            closesocket(as);
        conn = NULL;
    } else {
        spl__win_nodelay(as, 1); /* best effort; the default for secip */
    }
    op->active = 0;
    l->conn_cb(l->conn_arg, rc, conn);
}

/* ---- connect ----------------------------------------------------------- */

/* Start ConnectEx to addrs[next]; 0, or a Winsock error code. */
static DWORD connect_one(spl_tcp *h, const SOCKADDR_STORAGE *sa, int salen)
{
    SOCKADDR_STORAGE any;
    SOCKET s;
    DWORD err;

    h->connect->bind_failed = 0;
    if (h->connect->have_local && h->connect->local.ss_family != sa->ss_family)
        return WSAEAFNOSUPPORT; /* filtered out before; kept for safety */
    s = WSASocketW(sa->ss_family, SOCK_STREAM, IPPROTO_TCP, NULL, 0,
                   WSA_FLAG_OVERLAPPED);
    if (s == INVALID_SOCKET)
        return (DWORD)WSAGetLastError();
    SetHandleInformation((HANDLE)s, HANDLE_FLAG_INHERIT, 0);
    /* ConnectEx refuses an unbound socket: bind the wildcard, port 0.
     * Zeroed storage is exactly that for both families. */
    memset(&any, 0, sizeof any);
    any.ss_family = sa->ss_family;
    if (h->connect->have_local)
        any = h->connect->local; /* port 0: Winsock picks it */
    if (bind(s, (const struct sockaddr *)&any, salen) != 0) {
        err = (DWORD)WSAGetLastError();
        h->connect->bind_failed = 1;
        closesocket(s);
        return err;
    }
    if (CreateIoCompletionPort((HANDLE)s, h->loop->port, WIN_KEY_IO, 0) ==
        NULL) {
        err = GetLastError();
        closesocket(s);
        return err;
    }
    h->s = s;
    h->family = sa->ss_family;
    memset(&h->cn.ov, 0, sizeof h->cn.ov);
    if (!connect_ex(s, (const struct sockaddr *)sa, salen, NULL, 0, NULL,
                    &h->cn.ov)) {
        err = (DWORD)WSAGetLastError();
        if (err != ERROR_IO_PENDING) {
            closesocket(s);
            h->s = INVALID_SOCKET;
            return err;
        }
    }
    return 0;
}

/* Try the remaining addresses in order until one is under way; if none
 * is, the last failure completes the connect from the loop. */
static void connect_next(spl_tcp *h)
{
    win_connect *c = h->connect;
    DWORD err = WSAEADDRNOTAVAIL;

    h->pending++;
    while (c->next < c->addrs.count) {
        int i = c->next++;
        err = connect_one(h, &c->addrs.addr[i], c->addrs.len[i]);
        if (err == 0)
            return;
    }
    spl__win_defer(&h->cn, err);
}

static void connect_timeout(spl_timer *t, void *arg)
{
    spl_tcp *h = arg;

    (void)t;
    h->connect->timed_out = 1;
    /* The aborted completion reports the timeout; if the connect finished
     * first, its own result stands. */
    if (h->s != INVALID_SOCKET)
        CancelIoEx((HANDLE)h->s, &h->cn.ov);
}

static void connect_free(spl_tcp *h)
{
    if (h->connect != NULL) {
        spl_timer_free(h->connect->timer);
        free(h->connect);
        h->connect = NULL;
    }
}

/* Parse a numeric source address into c->local (never the resolver). */
static int parse_local(win_connect *c, const char *local)
{
    struct sockaddr_in *v4 = (struct sockaddr_in *)&c->local;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&c->local;

    memset(&c->local, 0, sizeof c->local);
    if (inet_pton(AF_INET, local, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
    } else if (inet_pton(AF_INET6, local, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
    } else {
        return sp_error_set(SECIP_EADDR,
                            "connect: source address '%.80s' is not a "
                            "numeric IPv4 or IPv6 address",
                            local);
    }
    c->have_local = 1;
    return 0;
}

/* Drop the resolved addresses of the other family than the source's. */
static int keep_local_family(win_connect *c, const char *host)
{
    int n = 0;
    for (int i = 0; i < c->addrs.count; i++) {
        if (c->addrs.addr[i].ss_family != c->local.ss_family)
            continue;
        c->addrs.addr[n] = c->addrs.addr[i];
        c->addrs.len[n++] = c->addrs.len[i];
    }
    c->addrs.count = n;
    if (n == 0)
        return sp_error_set(SECIP_EADDR,
                            "connect %s: no address of the source "
                            "address's family",
                            host);
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
    win_connect *c;
    spl_tcp *h = NULL;
    int rc;

    if (loop == NULL || cb == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_tcp_connect: NULL argument");
    rc = spl_init();
    if (rc < 0)
        return rc;
    if (host == NULL || host[0] == '\0')
        return sp_error_set(SECIP_EINVAL, "spl_tcp_connect: no host given");
    c = calloc(1, sizeof *c);
    if (c == NULL)
        return sp_error_set(SECIP_ENOMEM, "connect: out of memory");
    snprintf(c->name, sizeof c->name, "%s:%u", host, (unsigned)port);
    rc = local != NULL ? parse_local(c, local) : 0;
    if (rc == 0)
        rc = spl__win_resolve(host, port, 0, &c->addrs);
    if (rc == 0 && local != NULL)
        rc = keep_local_family(c, host);
    if (rc == 0)
        rc = spl__win_tcp_new(loop, INVALID_SOCKET, 0, &h);
    if (rc == 0 && timeout_ms > 0) {
        rc = spl_timer_new(loop, &c->timer);
        if (rc == 0)
            rc = spl_timer_start(c->timer, timeout_ms, 0, connect_timeout, h);
        if (rc < 0)
            spl__win_tcp_discard(h);
    }
    if (rc < 0) {
        spl_timer_free(c->timer);
        free(c);
        return rc;
    }
    h->connect = c;
    h->conn_cb = cb;
    h->conn_arg = arg;
    h->cn.h = h;
    h->cn.complete = connect_complete;
    h->cn.active = 1;
    connect_next(h);
    return 0;
}

static void connect_complete(win_op *op, DWORD err, DWORD bytes)
{
    spl_tcp *h = op->h;
    win_connect *c = h->connect;
    spl_conn_cb cb = h->conn_cb;
    void *arg = h->conn_arg;
    int rc;

    (void)bytes;
    if (err == 0) {
        /* Makes getpeername, getsockname and shutdown work. */
        setsockopt(h->s, SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, NULL, 0);
        spl__win_nodelay(h->s, 1);
        connect_free(h);
        op->active = 0;
        cb(arg, 0, h);
        return;
    }
    if (h->s != INVALID_SOCKET) {
        closesocket(h->s);
        h->s = INVALID_SOCKET;
    }
    if (c->timed_out && err == ERROR_OPERATION_ABORTED) {
        rc = sp_error_set(SECIP_ETIMEDOUT, "connect %s: timed out", c->name);
    } else if (!c->timed_out && c->next < c->addrs.count) {
        connect_next(h);
        return;
    } else if (c->bind_failed) {
        rc = sp_error_set(SECIP_EADDR,
                          "connect %s: cannot bind the source address "
                          "(Winsock error %lu)",
                          c->name, (unsigned long)err);
    } else {
        rc = spl__win_error(err, "connect %s", c->name);
    }
    connect_free(h);
    spl__win_tcp_discard(h);
    cb(arg, rc, NULL);
}
