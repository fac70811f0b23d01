/*
 * secip/session.h -- a secure session: typed messages over TLS 1.2.
 *
 * A session is one TLS 1.2 connection (BearSSL's engine: ECDHE_RSA with
 * AES-128-GCM, AES-256-GCM or ChaCha20-Poly1305, curves X25519 and P-256,
 * ALPN "secip/1") carrying the framing protocol of docs/PROTOCOL.md.
 * Sessions come from a client (secip_client_connect, secip/client.h) or from
 * a server (secip/server.h), and are driven by the library's loop threads:
 * the application never pumps anything.
 *
 * Sending: secip_session_send_*() may be called from any thread.  The call
 * encodes the message and queues it; it returns once the message is queued,
 * not once the peer has it.  Several messages queued together leave in one
 * TLS record.  A send from a loop thread (inside a callback) never blocks;
 * a send from any other thread waits while the session's queue holds more
 * than its high-water mark (secip_session_options.send_high_water), so a
 * fast producer cannot exhaust memory.
 *
 * Order: messages arrive in the order they *complete*.  A large message is
 * cut into frames on a stream of its own, and messages sent after it may
 * arrive before it (so that a big message never holds small ones back);
 * messages that are not interleaved arrive in the order sent
 * (docs/PROTOCOL.md, "Delivery order").
 *
 * Receiving: secip_session_receive() waits for the next message; callback
 * servers get messages through on_message instead (and then must not call
 * receive).
 *
 * Lifetime: a client's session belongs to its secip_client and is freed
 * with it; a server's session belongs to the server and stays valid until
 * the handler returns (blocking style) or until on_close has returned
 * (callback style).  Never free a session yourself.
 *
 * Thread-safety: every function here may be called from any thread, also
 * concurrently on the same session, unless its comment says otherwise.
 */
#ifndef SECIP_SESSION_H
#define SECIP_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "secip/error.h"
#include "secip/export.h"
#include "secip/message.h"

#ifdef __cplusplus
extern "C" {
#endif

struct json_object;

/** An opaque secure session. */
typedef struct secip_session secip_session;

/** Wait forever (for timeouts in milliseconds). */
#define SECIP_WAIT_FOREVER (-1)

/**
 * Limits and timeouts of a session.  Initialise with
 * secip_session_options_init(); clients and servers copy them when they are
 * set (secip_client_set_options, secip_server_set_options), which checks
 * them.  Zero in a size or time field means "the default" listed beside it.
 * The receive limits (max_frame, max_message) are announced to the peer in
 * the secip/1 HELLO; the peer's own limits bound what this side sends.
 */
typedef struct secip_session_options {
    /** Largest frame accepted from the peer (default 1 MiB; 16 KiB to
     *  16 MiB). */
    uint32_t max_frame;
    /** Largest message accepted from the peer (default 64 MiB). */
    uint64_t max_message;
    /** Deepest JSON nesting accepted (default 64; at most 1024). */
    uint32_t max_json_depth;
    /** Bytes queued for sending before foreign-thread sends wait (1 MiB). */
    uint64_t send_high_water;
    /** Received messages queued before reading stops (default 256); the
     *  peer then waits on TCP flow control.  Unused by callback servers. */
    uint32_t recv_queue_max;
    /** Handshake must finish within this (default 10000 ms). */
    uint32_t handshake_timeout_ms;
    /** Idle time before a keep-alive ping is sent (default 30000 ms). */
    uint32_t keepalive_ms;
    /** Idle time after which the session is closed (default 120000 ms). */
    uint32_t idle_timeout_ms;

    /* ---- receiving files (secip/file.h) ---- */
    /** Received files up to this size are kept in memory (default 1 MiB;
     *  0 is the default, SECIP_FILE_MEMORY_NONE sends every file to disk);
     *  larger ones are written to files_dir as they arrive. */
    uint64_t file_memory_max;
    /** Largest file accepted from the peer (default 8 GiB).  A larger
     *  announcement is refused before anything is written. */
    uint64_t file_max_size;
    /** Download directory for files above file_memory_max (NULL: such
     *  files are refused with "no download directory").  The string is
     *  copied when the options are set; the directory must exist. */
    const char *files_dir;
    /** SECIP_FILES_* flags (default 0: accept files, resume interrupted
     *  transfers, never overwrite). */
    uint32_t file_flags;
    /** Incoming transfers open at once on one session (default 4, at most
     *  64); further FILE_BEGINs are refused with reason "busy". */
    uint32_t max_transfers;
} secip_session_options;

/** secip_session_options.file_memory_max: keep no file in memory. */
#define SECIP_FILE_MEMORY_NONE UINT64_MAX
/** file_flags: refuse every file the peer offers. */
#define SECIP_FILES_REFUSE 0x01u
/** file_flags: replace an existing file of the same name in files_dir
 *  (atomically, after verification) instead of picking "name (n).ext". */
#define SECIP_FILES_OVERWRITE 0x02u
/** file_flags: do not keep partial files for resuming (an interrupted
 *  transfer's partial file is removed). */
#define SECIP_FILES_NO_RESUME 0x04u

/** Fill opts with the defaults.  Never fails; NULL is ignored. */
SECIP_API void secip_session_options_init(secip_session_options *opts);

/** Counters of one session, as returned by secip_session_stats(). */
typedef struct secip_session_stats {
    uint64_t bytes_in;     /**< application payload bytes received */
    uint64_t bytes_out;    /**< application payload bytes sent */
    uint64_t wire_in;      /**< TCP bytes received (TLS records) */
    uint64_t wire_out;     /**< TCP bytes sent (TLS records) */
    uint64_t messages_in;  /**< complete messages received */
    uint64_t messages_out; /**< messages queued for sending */
    uint64_t handshake_us; /**< handshake duration in microseconds */
    int resumed;           /**< 1 if the handshake resumed a TLS session */
} secip_session_stats;
/* wire_in/wire_out follow the traffic with a small delay (they are
 * refreshed whenever the loop hands data to the engine). */

/**
 * Send opaque bytes (len may be 0).
 *
 * Ownership: data is copied before the call returns.
 * Errors: SECIP_EINVAL (NULL session, or NULL data with len > 0),
 * SECIP_ECLOSED (the session is closed or closing), SECIP_ETOOBIG (len
 * exceeds the peer's announced message limit), SECIP_ENOMEM.  A send that
 * waits for queue space has no time limit; the end of the session wakes it
 * with SECIP_ECLOSED.
 */
SECIP_API int secip_session_send_bytes(secip_session *s, const void *data,
                                       size_t len);

/**
 * Send a NUL-terminated UTF-8 string.  SECIP_EFORMAT if text is not valid
 * UTF-8 (nothing is sent).  Otherwise as secip_session_send_bytes().
 */
SECIP_API int secip_session_send_text(secip_session *s, const char *text);

/** Send len bytes of UTF-8 text (may contain U+0000); errors as
 *  secip_session_send_text(). */
SECIP_API int secip_session_send_text_len(secip_session *s, const char *text,
                                          size_t len);

/**
 * Send a JSON object (json_type_object), serialised with json-c.
 * Ownership: obj stays the caller's; it is serialised before the call
 * returns and may be changed or released afterwards.  Errors: SECIP_EINVAL
 * if obj is not an object; otherwise as secip_session_send_bytes().
 */
SECIP_API int secip_session_send_object(secip_session *s,
                                        struct json_object *obj);

/** Send a JSON array (json_type_array); like secip_session_send_object. */
SECIP_API int secip_session_send_list(secip_session *s,
                                      struct json_object *list);

/**
 * Wait up to timeout_ms (SECIP_WAIT_FOREVER, or 0 to poll) for the next
 * message.
 *
 * Ownership: on success *out is a message the caller owns and frees with
 * secip_message_free().
 * Thread-safety: one receiver at a time per session.  Not for callback
 * servers (on_message receives instead) and never on a loop thread.
 * Errors: SECIP_ETIMEDOUT (nothing arrived in time), SECIP_ECLOSED (the peer
 * closed the session normally and every message before it was received),
 * or the error that ended the session (SECIP_EPROTO, SECIP_ETLS,
 * SECIP_ECONNRESET, ...), with the peer's close reason in the detail.
 */
SECIP_API int secip_session_receive(secip_session *s, secip_message **out,
                                    int timeout_ms);

/**
 * Close the session: queued messages are sent, then a CLOSE frame with
 * reason "normal" and the TLS close_notify.  Returns at once; the session
 * object stays valid (see the lifetime rules above), and later sends fail
 * with SECIP_ECLOSED.  Calling it twice is harmless.
 */
SECIP_API int secip_session_close(secip_session *s);

/** 1 once the session is closed or closing, 0 while it is open (1 for
 *  NULL).  Any thread. */
SECIP_API int secip_session_is_closed(const secip_session *s);

/**
 * 1 if the peer was authenticated (its certificate chain verified against
 * the configured CA, or its key matched the pin), 0 otherwise (no-CA mode,
 * or a server session without client certificates).  A resumed session
 * reports what the session it resumes proved.  Any thread; 0 for NULL.
 */
SECIP_API int secip_session_verified(const secip_session *s);

/**
 * The peer's verified name: the server name a client checked (CA mode; the
 * certificate's Common Name in pinned mode), or the Common Name of a client
 * certificate a server verified.  NULL when the peer is not verified.
 * Owned by the session, valid for its lifetime.  Any thread.
 */
SECIP_API const char *secip_session_peer_name(const secip_session *s);

/**
 * SHA-256 fingerprint of the peer's public key (of its SubjectPublicKeyInfo)
 * as 64 lowercase hex digits plus NUL, into hex.  Available in every trust
 * mode, so that an application can pin the key next time.
 * Errors: SECIP_ENOENT if the peer presented no certificate.
 */
SECIP_API int secip_session_peer_fingerprint(const secip_session *s,
                                             char hex[65]);

/** The peer's address as text ("127.0.0.1:5000"); owned by the session,
 *  valid for its lifetime; "" for NULL.  Any thread. */
SECIP_API const char *secip_session_peer_address(const secip_session *s);

/** Copy the session's counters into *out (nothing for NULL arguments).
 *  Any thread. */
SECIP_API void secip_session_stats_get(const secip_session *s,
                                       secip_session_stats *out);

/**
 * Attach an application pointer to the session, and read it back (NULL for
 * a NULL session).  The library never touches it.  Not synchronised: set
 * it before other threads read it (for example in on_open).
 */
SECIP_API void secip_session_set_user_data(secip_session *s, void *data);
SECIP_API void *secip_session_user_data(const secip_session *s);

#ifdef __cplusplus
}
#endif

#endif /* SECIP_SESSION_H */
