/*
 * secip/server.h -- accepting secure sessions.
 *
 * A server listens on one address, completes the TLS handshake of every
 * connection on its loop threads (one per core by default), and hands each
 * established session to the application in one of two styles:
 *
 *  - blocking: secip_server_set_handler(srv, fn, ud).  fn(session, ud) runs
 *    on a worker thread of its own for each session and may call
 *    secip_session_receive() and the send functions freely; the session is
 *    closed when fn returns (like the original handle_session(session));
 *  - events: secip_server_set_callbacks(srv, &cbs, ud).  on_open,
 *    on_message and on_close run on the loop threads; they must not block.
 *
 * Identity: the server presents a certificate (secip_server_set_certificate,
 * typically issued by a secip CA) or, without one, a self-signed certificate
 * generated from its key when it starts.  It may require client
 * certificates issued by a CA (mutual authentication), and then exposes each
 * client's verified name through secip_session_peer_name().
 *
 * Sessions resume: the server keeps a TLS session cache, so a client that
 * reconnects skips the RSA operation (secip_session_stats says resumed).
 *
 * Thread-safety: configure a server (set_*) before secip_server_start(),
 * from one thread.  start, stop and free may be called from any thread but
 * not concurrently with each other, and never from a callback or handler.
 */
#ifndef SECIP_SERVER_H
#define SECIP_SERVER_H

#include <stdint.h>

#include "secip/cert.h"
#include "secip/error.h"
#include "secip/export.h"
#include "secip/key.h"
#include "secip/session.h"

#ifdef __cplusplus
extern "C" {
#endif

/** An opaque server. */
typedef struct secip_server secip_server;

/** Blocking handler: runs on its own thread, one call per session. */
typedef void (*secip_handler_fn)(secip_session *s, void *user_data);

/** Event callbacks (any may be NULL); they run on loop threads. */
typedef struct secip_server_callbacks {
    /** A session completed its handshake. */
    void (*on_open)(secip_session *s, void *user_data);
    /**
     * A message arrived.  Ownership: m belongs to the callback, which frees
     * it with secip_message_free() (now or later, from any thread).
     */
    void (*on_message)(secip_session *s, secip_message *m, void *user_data);
    /**
     * The session ended; status is SECIP_ECLOSED for a normal close or the
     * error that ended it.  The session is freed after this returns.
     */
    void (*on_close)(secip_session *s, int status, void *user_data);
} secip_server_callbacks;

/**
 * Create a server with its private key.
 * Ownership: the key is borrowed and must outlive the server; free the
 * server with secip_server_free().
 * Errors: SECIP_EINVAL (no private part, or an RSA key under 2048 bits),
 * SECIP_ENOMEM.
 */
SECIP_API int secip_server_new(const secip_key *key, secip_server **out);

/**
 * Present cert (a certificate for the server's key, with its chain) instead
 * of a self-signed one.  Borrowed; must outlive the server.
 * Errors: SECIP_EINVAL if the certificate is not for the server's key.
 */
SECIP_API int secip_server_set_certificate(secip_server *srv,
                                           const secip_cert *cert);

/**
 * Require every client to present a certificate that verifies against ca
 * (borrowed; must outlive the server) and allows TLS client authentication
 * (extended key usage).  Clients without one, or with one from another CA,
 * fail the handshake.  secip_session_peer_name() then gives the client
 * certificate's Common Name.  Such a server does not resume sessions: an
 * abbreviated handshake carries no client certificate to name the client.
 * Revoked client certificates are refused once the CA's revocation list is
 * loaded with secip_server_set_revocations() (secip/ca.h).
 * Errors: SECIP_EINVAL.
 */
SECIP_API int secip_server_require_client_cert(secip_server *srv,
                                               const secip_cert *ca);

/**
 * Limits and timeouts for the sessions of this server (copied; zero fields
 * mean the defaults); see secip_server_limits for the server-wide ones.
 * Errors: SECIP_EINVAL naming a field out of range.
 */
SECIP_API int secip_server_set_options(secip_server *srv,
                                       const secip_session_options *opts);

/**
 * Server-wide resource limits: what a server lets its peers make it hold.
 *
 * The limit set of a server is this structure plus the per-session limits
 * of secip_session_options (secip/session.h), set with
 * secip_server_set_options():
 *
 *  - handshake_timeout_ms (default 10 000 ms): a connection that has not
 *    finished its TLS handshake by then is reset, so slow or silent
 *    connections hold a session slot for at most this long;
 *  - idle_timeout_ms (default 120 000 ms): an open session from which
 *    nothing arrives for this long is closed;
 *  - max_frame (1 MiB), max_message (64 MiB), max_json_depth (64): checked
 *    on every frame header before memory is reserved;
 *  - file_max_size (8 GiB) and max_transfers (4 concurrent incoming file
 *    transfers per session): a FILE_BEGIN beyond them is refused;
 *  - send_high_water (1 MiB) and recv_queue_max (256 messages).
 *
 * Zero in a field of this structure means the default beside it.  The
 * defaults suit a server with a few GiB of memory; docs/SECURITY.md
 * ("Resource limits") lists them all with the worst-case memory they
 * allow.
 */
typedef struct secip_server_limits {
    /**
     * Sessions held at once, counting those still in the TLS handshake,
     * open ones and those closing (default 10 000; 1 .. 1 000 000).  A
     * connection beyond it is accepted and reset at once, before any TLS
     * work, so it costs the server neither a handshake nor memory.
     */
    uint32_t max_sessions;
    /**
     * Sessions held at once from one peer IP address, whatever the port
     * (default 64; 1 .. 1 000 000).  Connections beyond it are reset at
     * once, like those beyond max_sessions.  Behind a NAT or a proxy many
     * clients share an address: raise it there.
     */
    uint32_t max_sessions_per_address;
    /**
     * Bytes one session may hold queued in each direction (default
     * 16 MiB; 64 KiB .. 1 TiB):
     *  - sending: a send from a loop thread (a callback) that would take
     *    the send queue above this fails with SECIP_EAGAIN instead of
     *    growing memory (a message is always accepted into an empty
     *    queue, so one message up to the peer's max_message always
     *    fits).  Sends from other threads wait at send_high_water first;
     *    control frames the peer provokes (PONGs to its PINGs) are
     *    dropped while the queue is above the limit;
     *  - receiving: when the received-but-unread messages of a blocking
     *    handler hold this many bytes, the session stops reading (the
     *    peer then waits on TCP flow control) until the handler has
     *    received some of them.
     */
    uint64_t max_queued_bytes;
} secip_server_limits;

/** secip_server_limits defaults. */
#define SECIP_DEFAULT_MAX_SESSIONS     10000u
#define SECIP_DEFAULT_MAX_PER_ADDRESS  64u
#define SECIP_DEFAULT_MAX_QUEUED_BYTES (16u * 1024u * 1024u)

/** Fill lim with the defaults.  Never fails; NULL is ignored.  Any
 *  thread. */
SECIP_API void secip_server_limits_init(secip_server_limits *lim);

/**
 * Set the server-wide limits (lim is copied; zero fields mean the
 * defaults).  Thread-safety: like the other setters, call it before
 * secip_server_start() or while the server is stopped, never while it
 * runs.
 * Errors: SECIP_EINVAL (NULL argument, or a field out of its range, named
 * in the detail); the server's limits are then unchanged.
 */
SECIP_API int secip_server_set_limits(secip_server *srv,
                                      const secip_server_limits *lim);

/**
 * Copy the limits in force into *out (defaults filled in).  Nothing for
 * NULL arguments.  Any thread.
 */
SECIP_API void secip_server_get_limits(const secip_server *srv,
                                       secip_server_limits *out);

/**
 * Connections the server refused because of max_sessions or
 * max_sessions_per_address since it was created (0 for NULL).  Any
 * thread.
 */
SECIP_API uint64_t secip_server_refused(const secip_server *srv);

/**
 * Copy the session options as last set (zero fields mean the defaults)
 * into *out, for changing some of them and setting them again.  The files_dir
 * pointer in *out is the server's copy: valid until the options are set again
 * or the server is freed.  Nothing for NULL arguments.  Same thread rules as
 * the setters.
 */
SECIP_API void secip_server_get_options(const secip_server *srv,
                                        secip_session_options *out);

/** Number of loop threads (default 0 = one per core).  SECIP_EINVAL if
 *  negative. */
SECIP_API int secip_server_set_threads(secip_server *srv, int threads);

/**
 * Choose the blocking style (see the file comment); replaces callbacks set
 * before.  user_data is passed to fn unchanged.  Errors: SECIP_EINVAL.
 */
SECIP_API int secip_server_set_handler(secip_server *srv, secip_handler_fn fn,
                                       void *user_data);

/**
 * Choose the event style; cbs is copied and replaces a handler set before.
 * on_close runs only for sessions whose on_open ran (a failed handshake is
 * not reported).  Errors: SECIP_EINVAL.
 */
SECIP_API int secip_server_set_callbacks(secip_server *srv,
                                         const secip_server_callbacks *cbs,
                                         void *user_data);

/**
 * Bind host:port (port 0 picks a free port), start the loop threads and
 * accept sessions.  Returns once the server is listening.  Without
 * secip_server_set_certificate() the server first issues itself a
 * self-signed certificate for its key (CN "secip self-signed server",
 * subjectAltName localhost, 127.0.0.1 and ::1), so clients use the pinned
 * or no-CA mode.  A stopped server may be started again.
 * Errors: SECIP_EADDRINUSE, SECIP_EADDR, SECIP_EINVAL (neither a handler nor
 * callbacks set), SECIP_EBUSY (already started).
 */
SECIP_API int secip_server_start(secip_server *srv, const char *host,
                                 uint16_t port);

/** The port the server listens on (after start), 0 before and after
 *  stop.  Any thread. */
SECIP_API uint16_t secip_server_port(const secip_server *srv);

/**
 * Stop accepting, close every session with reason "going away" (on_close
 * and the handlers' receive see SECIP_ECLOSED; sessions that do not finish
 * their close within 5 s are cut), wait for the handlers to return, and
 * join the threads.  Returns when all is stopped; a handler that never
 * returns keeps it waiting.  Errors: SECIP_EINVAL (NULL).
 */
SECIP_API int secip_server_stop(secip_server *srv);

/** Stop if needed and free the server.  NULL is fine. */
SECIP_API void secip_server_free(secip_server *srv);

#ifdef __cplusplus
}
#endif

#endif /* SECIP_SERVER_H */
