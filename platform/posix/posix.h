/*
 * platform/posix/posix.h -- internal to the epoll backend: the loop and
 * handle structures and the functions the backend's files share.
 *
 * Completion emulation in one paragraph: every socket is registered with
 * epoll once, edge-triggered, for input and output.  A handle remembers
 * whether its last attempt in each direction hit EAGAIN (can_read /
 * can_write = 0); an edge sets the flag again.  Starting an operation only
 * records it and, if the direction may be ready, queues the handle on the
 * loop's pending list; the loop tries the system call later (never inside
 * the starting call) and, on EAGAIN, waits for the next edge.
 */
#ifndef SPL_POSIX_H
#define SPL_POSIX_H

#include <stdatomic.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "common/common.h"
#include "posix_error.h"

/* Events taken from epoll per wait; more simply wait for the next call. */
#define SPL_MAX_EVENTS 256

struct spl_loop {
    int epfd;
    int wakefd;      /* eventfd: spl_loop_post and spl_loop_stop wake-ups */
    atomic_int stop; /* set by spl_loop_stop from any thread */
    spl_timers timers;
    spl_postq posts;
    /* Handles with an operation to try (doubly linked, FIFO). */
    spl_tcp *pend_head;
    spl_tcp *pend_tail;
    size_t pend_count;
    /* Closed handles whose cancellations and close callback are due. */
    spl_tcp *closing_head;
    spl_tcp *closing_tail;
    struct epoll_event events[SPL_MAX_EVENTS];
};

enum spl_tcp_kind {
    SPL_TCP_CONN,      /* connected stream: read, write, shutdown */
    SPL_TCP_LISTENER,  /* accept */
    SPL_TCP_CONNECTING /* internal: spl_tcp_connect in progress */
};

struct spl_connect; /* posix_connect.c */

struct spl_tcp {
    spl_loop *loop;
    int fd;
    int kind;
    /* Separate bytes rather than bit-fields: an accepted handle's flags are
     * written by its target loop's thread while the listener's thread may
     * still touch other fields (data), and bit-fields would share memory. */
    unsigned char can_read;    /* no EAGAIN seen since the last input edge */
    unsigned char can_write;   /* no EAGAIN seen since the last output edge */
    unsigned char closing;     /* spl_tcp_close/abort called */
    unsigned char in_pending;  /* linked on loop->pend_* */
    unsigned char shut_wanted; /* shutdown requested while writing */
    unsigned char shut_done;   /* SHUT_WR done: no more writes */
    unsigned char hup;         /* RDHUP/HUP/ERR seen: reads end soon */
    void *data;
    spl_tcp *pend_prev;
    spl_tcp *pend_next;
    spl_tcp *close_next;

    /* Read in flight when read_cb != NULL. */
    spl_io_cb read_cb;
    void *read_arg;
    void *read_buf;
    size_t read_len;

    /* Write in flight when write_cb != NULL: iov[iov_pos..iov_cnt-1] is
     * what remains (iov[iov_pos] advanced past bytes already sent). */
    spl_io_cb write_cb;
    void *write_arg;
    size_t write_total;
    int iov_pos;
    int iov_cnt;
    struct iovec iov[SPL_IOV_MAX];

    /* Accept in flight when accept_cb != NULL. */
    spl_conn_cb accept_cb;
    void *accept_arg;
    spl_loop *accept_target;

    /* Connect state while kind == SPL_TCP_CONNECTING. */
    struct spl_connect *conn;

    spl_close_cb close_cb;
    void *close_arg;
};

/* ---- posix_loop.c ------------------------------------------------------ */

/** Register fd (owned by h) with loop's epoll, once, edge-triggered. */
int spl__loop_add(spl_loop *loop, spl_tcp *h, int fd);
/** Queue h so that the loop tries its operations (no-op if queued). */
void spl__pending_add(spl_tcp *h);
/** Take h off the pending list (no-op if not queued). */
void spl__pending_remove(spl_tcp *h);
/** Queue a closed handle for its cancellations, close callback and free. */
void spl__closing_add(spl_tcp *h);

/* ---- posix_tcp.c ------------------------------------------------------- */

/** A new handle of the given kind on loop, fd not yet set (-1). */
spl_tcp *spl__tcp_alloc(spl_loop *loop, int kind);
/** React to epoll events for h. */
void spl__tcp_event(spl_tcp *h, uint32_t events);
/** Try whatever operations h has in flight and may be ready. */
void spl__tcp_process(spl_tcp *h);
/** Complete a closed handle: cancellations, close callback, free. */
void spl__tcp_finish_close(spl_tcp *h);
/** Unregister and close h's descriptor (if any). */
void spl__tcp_close_fd(spl_tcp *h);
/** Disable Nagle on fd; best effort (errors ignored). */
void spl__set_nodelay(int fd);

/* ---- posix_connect.c --------------------------------------------------- */

/** Loop step of an accept (listener with accept_cb set). */
void spl__accept_step(spl_tcp *h);
/** Loop step of a connect (kind == SPL_TCP_CONNECTING). */
void spl__connect_step(spl_tcp *h);
/** Free connect state (for a handle closed while connecting). */
void spl__connect_free(spl_tcp *h);

/* ---- posix_addr.c ------------------------------------------------------ */

struct addrinfo;
/**
 * Resolve host:port for a stream socket (numeric first, then by name).
 * passive: for bind (NULL/"" host means every IPv4 address).  Frees with
 * freeaddrinfo.  Errors: SECIP_EADDR, SECIP_ENOMEM, SECIP_EIO.
 */
int spl__resolve(const char *host, uint16_t port, int passive,
                 struct addrinfo **out);
/** "1.2.3.4:5" or "[::1]:5" into buf (truncated, NUL-terminated). */
int spl__format_addr(const struct sockaddr *sa, socklen_t salen, char *buf,
                     size_t len);

#endif /* SPL_POSIX_H */
