/*
 * sdk/src/net/session_impl.h -- internal: the layout of secip_session and
 * the interface between sessions and their owners (client.c, server.c).
 *
 * Who touches what:
 *  - loop-only fields (tls, rec, tcp, timer, dec, the engine context) are
 *    used by the session's loop thread alone once the session is attached;
 *  - fields marked (mu) are shared with application threads and guarded by
 *    the session mutex;
 *  - refs counts the holders: the owner (client, server, handler thread)
 *    and the loop (until the TCP handle is closed), plus one per posted
 *    wake-up.  The last release frees the session.
 */
#ifndef SP_NET_SESSION_IMPL_H
#define SP_NET_SESSION_IMPL_H

#include <bearssl.h>

#include "net/tls_pump.h"
#include "net/x509_rec.h"
#include "platform.h"
#include "secip/session.h"
#include "session/decoder.h"
#include "session/encoder.h"

#define SP_S_NEW       0 /* created, not connected */
#define SP_S_HANDSHAKE 1 /* TCP up, TLS handshake running */
#define SP_S_OPEN      2 /* established */
#define SP_S_CLOSED    3 /* TCP closed; final status known */

/** Hooks of the owner; every hook runs on the session's loop thread. */
typedef struct sp_session_hooks {
    void (*on_open)(secip_session *s);
    /** Callback style: takes the message (NULL: queue for receive). */
    void (*on_message)(secip_session *s, secip_message *m);
    /** The TCP handle is closed; last call from the loop. */
    void (*on_closed)(secip_session *s, int status);
    /** The TCP handle is closed and the session is about to say so to
     *  waiting threads: an owner that may be freed as soon as they wake
     *  (a client) reports the end here, while it still exists. */
    void (*on_ending)(secip_session *s, int status);
} sp_session_hooks;

/*
 * Small messages from application threads share nodes: each is encoded
 * as one whole frame and appended to the queue's tail node while that
 * node has room and the loop has not started writing it.  One allocation
 * (and one cross-thread free) then serves up to SP_BATCH_CAP bytes of
 * messages instead of one per message, which was ~18 % of the CPU of a
 * 64-byte message stream (docs/BENCHMARKS.md, workload 2).
 */
#define SP_BATCH_MSG_MAX 512u  /* larger payloads get a node of their own */
#define SP_BATCH_CAP     4096u /* bytes of frames per shared node */

/* A queued outgoing message or control frame, with its bytes. */
typedef struct sp_out_node {
    sp_out_msg m; /* first: the queue links sp_out_msg pointers */
    uint64_t cost;
    int is_close;
    size_t cap; /* payload room of a reusable node (large data), else 0 */
    uint8_t data[1];
} sp_out_node;

/** Free a node the queue is done with (large data nodes may be kept for
 *  the next large send instead, see session_queue.c).  Any thread. */
void sp_out_node_free(sp_out_node *n);

typedef struct sp_rq_node {
    struct sp_rq_node *next;
    secip_message *msg;
} sp_rq_node;

struct secip_session {
    int is_server;
    union {
        br_ssl_client_context cc;
        br_ssl_server_context sc;
    } u;
    sp_tls tls;
    sp_x509_rec rec;
    secip_session_options opts;
    spl_loop *loop;
    spl_tcp *tcp;
    spl_timer *timer;
    sp_decoder dec;
    const sp_session_hooks *hooks;
    void *owner;
    void *user_data;
    spl_atomic refs;

    /* loop only */
    int dec_failed;
    int aborting;
    uint64_t t0_ns, last_rx_ms, last_ping_ms, close_deadline_ms;
    uint64_t hs_deadline_ms;

    /* (mu) */
    spl_mutex *mu;
    spl_cond *cv;
    int state;
    int status; /* 0 while running; the end: SECIP_ECLOSED or an error */
    char detail[512];
    int close_queued; /* our CLOSE frame is in the queue */
    int close_written;
    int kick_posted;
    sp_outq outq;
    sp_out_node *batch; /* the queue's tail while small messages may still
                           be appended to it (SP_BATCH_CAP), else NULL */
    uint64_t queued;    /* bytes in outq */
    uint32_t send_frame;
    uint64_t peer_max_message;
    sp_rq_node *rq_head, *rq_tail;
    uint32_t rq_count;
    uint64_t rq_bytes;  /* payload bytes of the messages in rq */
    uint64_t queue_cap; /* max queued bytes each way, 0: none (server) */
    int rq_blocked;
    secip_session_stats stats;
    int ever_open; /* the handshake completed at some point */
    int verified;
    int have_fp;
    char fingerprint[65];
    char peer_name[256];
    char peer_addr[64];
    br_ssl_session_parameters params; /* client: for resumption */
    int have_params;

    /* resumption keeps the identity proven by the resumed session */
    int resumed_hint; /* server: the cache had the session (loop only) */
    int carry_verified;
    char carry_fp[65];
    char carry_name[256];

    /* owner bookkeeping (server.c, under the server's lock) */
    secip_session *srv_prev, *srv_next;
    void *srv_addr;  /* the server's per-address count (addr_slot) */
    int has_handler; /* loop only */
    int was_open;    /* loop only: on_open ran */

    /* file transfer (net/session_files.h); nothing is allocated until a
     * file frame arrives or the application sends a file */
    struct sp_recv_files *rfiles; /* loop only: incoming transfers */
    struct sp_send_xfer *sends;   /* (mu) outgoing transfers */
    uint16_t next_xfer;           /* (mu) next outgoing transfer id */
    struct sp_file_job *jobs;     /* (mu) threads of send_file_ex */
};

/** A new session (refs = 2: owner and loop) with opts (NULL: defaults),
 *  its HELLO already queued.  Errors: SECIP_ENOMEM, SECIP_EINVAL. */
int sp_session_new(int is_server, const secip_session_options *opts,
                   const sp_session_hooks *hooks, void *owner,
                   secip_session **out);

/** Check options (zero fields mean defaults).  Errors: SECIP_EINVAL
 *  naming the field and its range. */
int sp_session_options_check(const secip_session_options *opts);

/**
 * Store options checked with sp_session_options_check() into *dst (a
 * client's or server's copy): files_dir is duplicated, dst's previous copy
 * freed.  Errors: SECIP_ENOMEM (dst unchanged).
 */
int sp_session_options_store(secip_session_options *dst,
                             const secip_session_options *src);

/** Free what sp_session_options_store() duplicated (files_dir). */
void sp_session_options_release(secip_session_options *o);

/** Drop one reference; the last frees the session. */
void sp_session_release(secip_session *s);

/** Take a reference. */
void sp_session_ref(secip_session *s);

/** Loop thread: attach a connected handle and start the handshake (the
 *  engine must be configured and reset). */
void sp_session_attach(secip_session *s, spl_tcp *tcp);

/** Loop thread: the connection could not be made; end with status. */
void sp_session_fail_unattached(secip_session *s, int status);

/** Any thread: end the session now (no goodbye) with status/detail. */
void sp_session_abort(secip_session *s, int status, const char *detail);

/** Any thread: wait until the session reached state >= want, at most
 *  timeout_ms (< 0: forever).  Returns the state reached. */
int sp_session_wait_state(secip_session *s, int want, int timeout_ms);

/** Record the final status (first one wins).  Caller holds mu. */
void sp_session_set_status_locked(secip_session *s, int status,
                                  const char *detail);

/** Record the session's end on the calling thread's error detail and
 *  return the code. */
int sp_session_report(secip_session *s);

/* Loop-side pieces shared between session files. */
extern const sp_tls_ops sp_session_tls_ops;
void sp_session_kick(secip_session *s);
void sp_session_free_outq_locked(secip_session *s);

/* (continued) loop-side helpers */
/** Queue pre-encoded control frames (urgent: ahead of unstarted data).
 *  Best effort: out of memory drops the frame.  Caller holds mu. */
void sp_session_queue_control_locked(secip_session *s, const uint8_t *frame,
                                     size_t len, int is_close, int urgent);
/** Queue CLOSE(reason, text) once; flush_queue drops queued data first
 *  (the stream is broken).  Caller holds mu. */
void sp_session_queue_close_locked(secip_session *s, unsigned reason,
                                   const char *text, int flush_queue);
/** Close (or abort, before the handshake) and wait until the TCP handle
 *  is closed.  Any thread but the session's loop. */
void sp_session_shutdown(secip_session *s, unsigned reason);
void sp_session_request_close(secip_session *s, unsigned reason);
/**
 * A data node holding a copy of data (a reused one when available, see
 * session_queue.c), made before taking mu: copying a large payload with
 * the lock held made the loop wait for it on every record.  NULL when out
 * of memory (detail set).  Any thread.
 */
sp_out_node *sp_out_node_copy(const void *data, size_t len);
/**
 * Queue a data message.  n: a node from sp_out_node_copy() holding the
 * payload, or NULL to copy data here (small messages are packed into a
 * shared node).  On an error a given n is still the caller's to free.
 * Caller holds mu.
 */
int sp_session_queue_locked(secip_session *s, uint8_t type, const void *data,
                            size_t len, sp_out_node *n);
int sp_session_queue_hello_locked(secip_session *s);
/**
 * Loop thread of s: write a message straight into the engine's plaintext
 * buffer when nothing is queued and it fits.  Returns 1 when sent, 0 when
 * the caller must queue it instead.
 */
int sp_session_send_direct(secip_session *s, uint8_t type, const void *data,
                           size_t len);
/** Tests only: queue raw bytes as if they were frames (hostile peers). */
int sp_session_send_raw(secip_session *s, const void *bytes, size_t len);
#endif /* SP_NET_SESSION_IMPL_H */
