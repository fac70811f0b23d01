/*
 * platform/win32/win_impl.h -- internal: the IOCP backend's shared types.
 *
 * Only the files of platform/win32/ include this header.  It pulls in the
 * Windows headers in the order Winsock requires (winsock2.h before
 * windows.h) and declares the loop and handle structures that win_loop.c,
 * win_tcp.c and win_conn.c share, plus the helpers of win_error.c,
 * win_text.c and win_addr.c.
 *
 * The model (nng's): each handle embeds one operation object per direction
 * (read, write, accept-or-connect), each with its own OVERLAPPED.  The
 * kernel posts the completion of an overlapped call to the loop's
 * completion port; the loop maps the OVERLAPPED back to its operation with
 * CONTAINING_RECORD and calls the operation's completion function.
 * Failures known when an operation starts are queued on the loop's
 * "deferred" list instead, so that a callback never runs inside the call
 * that started the operation.
 */
#ifndef SPL_WIN_IMPL_H
#define SPL_WIN_IMPL_H

/* clang-format off: the order of these headers matters. */
#include <winsock2.h>
#include <windows.h>
#include <mswsock.h>
#include <ws2tcpip.h>
/* clang-format on */

#include "common/common.h"
#include "error.h"

/* Completion keys: what a packet dequeued from the port means. */
#define WIN_KEY_IO   ((ULONG_PTR)1) /* lpOverlapped is a win_op's OVERLAPPED */
#define WIN_KEY_POST ((ULONG_PTR)2) /* the post queue became non-empty */
#define WIN_KEY_STOP ((ULONG_PTR)3) /* spl_loop_stop() was called */

typedef struct win_op win_op;

/* Completion function of an operation: err is 0 or a Winsock (WSAE*) or
 * Win32 (ERROR_*) error code, bytes the count the kernel reported. */
typedef void (*win_op_fn)(win_op *op, DWORD err, DWORD bytes);

struct win_op {
    OVERLAPPED ov;      /* handed to the kernel; first for clarity only */
    spl_tcp *h;         /* the handle this operation belongs to */
    win_op_fn complete; /* what to do when it completes */
    win_op *next;       /* link on the loop's deferred list */
    DWORD deferred_err; /* error known at start (deferred completion) */
    int active;         /* started and its callback has not run yet */
};

struct spl_loop {
    HANDLE port; /* the I/O completion port */
    spl_timers timers;
    spl_postq postq;
    volatile LONG stop;      /* set by spl_loop_stop(), cleared by run */
    volatile LONG thread_id; /* thread running the loop, 0 when none */
    /* Loop-thread-only lists, serviced before every wait: */
    win_op *deferred_head; /* operations whose failure is already known */
    win_op *deferred_tail;
    spl_tcp *endgame; /* closed handles waiting for their close cb */
    spl_tcp *endgame_tail;
};

/* Per-handle state of a pending connect (win_conn.c). */
typedef struct win_connect win_connect;

struct spl_tcp {
    spl_loop *loop;
    SOCKET s;
    int family;
    int is_listener;
    int closing;    /* close or abort was called */
    int shut;       /* spl_tcp_shutdown() was called */
    int in_endgame; /* on the loop's endgame list */
    int pending;    /* operations whose completion is still due */
    spl_close_cb close_cb;
    void *close_arg;
    spl_tcp *next_endgame;
    void *data;

    win_op rd; /* read */
    spl_io_cb rd_cb;
    void *rd_arg;
    WSABUF rd_buf;

    win_op wr; /* write: the caller's iov array, copied, and a cursor */
    spl_io_cb wr_cb;
    void *wr_arg;
    int wr_n;
    int wr_idx;     /* first iov not yet fully written */
    size_t wr_off;  /* bytes of wr_iov[wr_idx] already written */
    size_t wr_done; /* total bytes written so far */
    spl_iov wr_iov[SPL_IOV_MAX];
    WSABUF wr_bufs[SPL_IOV_MAX];

    win_op cn; /* accept (listener) or connect */
    spl_conn_cb conn_cb;
    void *conn_arg;
    SOCKET acc_sock;      /* accept: the socket AcceptEx fills */
    spl_loop *acc_target; /* accept: the loop the new handle joins */
    win_connect *connect; /* connect: addresses, timer */
    /* AcceptEx writes the local and remote addresses here. */
    char acc_addrs[2 * (sizeof(SOCKADDR_STORAGE) + 16)];
};

/* ---- win_tcp.c: handles and operations --------------------------------- */

/** Associate socket s with loop's completion port (once per socket). */
int spl__win_associate(spl_loop *loop, SOCKET s);

/** Create a handle for socket s and associate s with loop's completion
 * port (s may be INVALID_SOCKET: no association yet).  On failure s is
 * left open for the caller. */
int spl__win_tcp_new(spl_loop *loop, SOCKET s, int family, spl_tcp **out);

/** Free a handle that never reached the user (its socket is closed). */
void spl__win_tcp_discard(spl_tcp *h);

/** Record that op failed with err before reaching the kernel; its
 * completion runs from the loop.  The caller has counted it in pending. */
void spl__win_defer(win_op *op, DWORD err);

/** Completion of an overlapped operation dequeued from the port. */
void spl__win_io_complete(OVERLAPPED *ov, DWORD bytes);

/** Run deferred completions and finished closes.  Returns the number of
 * items handled.  Loop thread. */
int spl__win_loop_service(spl_loop *loop);

/** Open an overlapped, non-inheritable TCP socket of the family. */
int spl__win_socket(int family, SOCKET *out);

/** Set TCP_NODELAY (helper shared with win_conn.c). */
int spl__win_nodelay(SOCKET s, int on);

/* ---- win_conn.c: listen, accept, connect ------------------------------- */

/** Load AcceptEx and ConnectEx.  Called once from spl_init(); on failure
 * the WSA error is left in WSAGetLastError(). */
int spl__win_conn_init(void);

/* ---- win_addr.c: names and addresses ----------------------------------- */

#define WIN_ADDR_MAX 8 /* addresses tried by one connect */

typedef struct win_addrs {
    int count;
    SOCKADDR_STORAGE addr[WIN_ADDR_MAX];
    int len[WIN_ADDR_MAX];
} win_addrs;

/**
 * Resolve host:port into at most WIN_ADDR_MAX TCP addresses.  passive
 * (listen) maps NULL or "" to 0.0.0.0.  Errors: SECIP_EADDR, SECIP_ENOMEM.
 */
int spl__win_resolve(const char *host, uint16_t port, int passive,
                     win_addrs *out);

/** Format "1.2.3.4:5" or "[::1]:5" into buf (always NUL-terminated). */
int spl__win_format_addr(const struct sockaddr *sa, char *buf, size_t len);

/** Port of a socket's local address, 0 if unknown. */
uint16_t spl__win_local_port(SOCKET s);

/* ---- win_error.c: OS errors to SECIP_E* -------------------------------- */

/** Map a Win32 or Winsock error code to a SECIP_E* code (never 0). */
int spl__win_map_error(DWORD err);

/** The system's text for err (UTF-8, without the final ".\r\n"). */
void spl__win_message(DWORD err, char *buf, size_t len);

/**
 * Record "<what>: <system message> (os error N)" for secip_last_error()
 * and return the mapped code.  what is a printf format.
 */
int spl__win_error(DWORD err, const char *fmt, ...) SP_PRINTF(2, 3);

/* ---- win_text.c: UTF-8 <-> UTF-16 -------------------------------------- */

/**
 * Convert NUL-terminated UTF-8 to a newly allocated UTF-16 string (free()
 * it).  Errors: SECIP_EFORMAT (not valid UTF-8), SECIP_ENOMEM.
 */
int spl__win_utf16(const char *s, wchar_t **out);

/** Convert UTF-16 to UTF-8 into buf (truncated, NUL-terminated). */
void spl__win_utf8(const wchar_t *w, char *buf, size_t len);

#endif /* SPL_WIN_IMPL_H */
