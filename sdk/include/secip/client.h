/*
 * secip/client.h -- opening a secure session to a server.
 *
 * A client is configured with how it trusts the server, then connects:
 *
 *  - CA mode (secip_client_set_ca): the server's chain must verify against
 *    the CA certificate, and the certificate must name the server: the name
 *    set with secip_client_set_server_name(), or else the host given to
 *    secip_client_connect() (an IP address must match an iPAddress SAN).
 *    Verification is never skipped silently: any failure fails the connect
 *    with SECIP_EVERIFY and the reason in secip_last_error().
 *  - pinned mode (secip_client_set_pin): the server's public key must have
 *    the given SHA-256 fingerprint (of its SubjectPublicKeyInfo).
 *  - no-CA mode (neither): the session is encrypted but not authenticated;
 *    secip_session_verified() is 0 and secip_session_peer_fingerprint()
 *    tells the key, so that the application can pin it next time.
 *
 * Revocation: in CA mode a client may also load the CA's signed revocation
 * list (secip_client_set_revocations(), declared in secip/ca.h); a server
 * whose certificate serial is on it then fails the connect with
 * SECIP_EVERIFY ("certificate revoked (serial ...)").
 *
 * A client may present its own identity (key + certificate) to servers that
 * require client certificates.  It remembers the TLS session of its last
 * connection, and a reconnect to the same host and port resumes it (the
 * abbreviated handshake skips the RSA operation; secip_session_stats_get()
 * reports resumed = 1).  A resumed session carries no certificate, so it
 * reports the verification result, name and fingerprint proven by the
 * session it resumes; changing the CA, name, pin or identity forgets the
 * remembered session.
 *
 * Threads: clients share one process-wide set of loop threads (one per
 * CPU), started with the first client and stopped when the last one is
 * freed.
 *
 * Two styles of receiving, as for servers: blocking (secip_session_receive()
 * from any thread; the default) or event callbacks
 * (secip_client_set_callbacks(): each message is handed to on_message on
 * the session's loop thread as soon as it is decrypted, with no hand-off
 * to another thread — the lowest latency, for event-driven programs).
 *
 * Thread-safety: configure from one thread before connecting.  A client has
 * at most one session at a time; connect and free must not run
 * concurrently.  The session may be used from any thread.
 */
#ifndef SECIP_CLIENT_H
#define SECIP_CLIENT_H

#include <stdint.h>

#include "secip/cert.h"
#include "secip/error.h"
#include "secip/export.h"
#include "secip/key.h"
#include "secip/session.h"

#ifdef __cplusplus
extern "C" {
#endif

/** An opaque client. */
typedef struct secip_client secip_client;

/**
 * Create a client (in no-CA mode until configured).
 * Ownership: free it with secip_client_free().
 * Thread-safety: any thread.
 * Errors: SECIP_EINVAL (out NULL), SECIP_ENOMEM, SECIP_EIO (the shared loop
 * threads could not start).
 */
SECIP_API int secip_client_new(secip_client **out);

/**
 * CA mode: trust servers whose chain verifies against ca.
 * Ownership: ca is borrowed and must outlive the client.
 * Errors: SECIP_EINVAL (NULL argument).
 */
SECIP_API int secip_client_set_ca(secip_client *c, const secip_cert *ca);

/**
 * The name the server's certificate must carry in CA mode (copied; at most
 * 255 bytes): a DNS name, or an IP address matched against iPAddress SANs.
 * It is also sent as SNI when it is a DNS name.  Errors: SECIP_EINVAL.
 */
SECIP_API int secip_client_set_server_name(secip_client *c, const char *name);

/**
 * Pinned mode: the server's key must have this SHA-256 fingerprint, 64 hex
 * digits (case-insensitive, ':' separators allowed).  Errors: SECIP_EFORMAT.
 */
SECIP_API int secip_client_set_pin(secip_client *c, const char *sha256_hex);

/**
 * Present key and cert (with its chain) as the client's identity to servers
 * that ask for a client certificate.  Both are borrowed and must outlive the
 * client.  Errors: SECIP_EINVAL (NULL, key without private part, or cert
 * not for key), SECIP_ENOMEM.
 */
SECIP_API int secip_client_set_identity(secip_client *c, const secip_key *key,
                                        const secip_cert *cert);

/**
 * Limits and timeouts for the next sessions (copied; zero fields mean the
 * defaults).  Errors: SECIP_EINVAL naming a field outside its range (for
 * example max_frame outside [16 KiB, 16 MiB]).
 */
SECIP_API int secip_client_set_options(secip_client *c,
                                       const secip_session_options *opts);

/**
 * Connect from this local address (a numeric IPv4 or IPv6 address such as
 * "127.0.0.2", copied; the port is chosen by the OS) instead of the one the
 * OS would pick.  NULL goes back to the OS's choice.  Takes effect at the
 * next connect; a connect whose address cannot be bound (not a local
 * address, or not of the server's family) fails with SECIP_EADDR.
 * Thread-safety: as the other set_* functions (before connecting).
 * Errors: SECIP_EINVAL (NULL client, or addr not a numeric address).
 */
SECIP_API int secip_client_set_source_address(secip_client *c,
                                              const char *addr);

/** Event callbacks of a client (any may be NULL); they run on the
 *  session's loop thread and must not block (no connect, receive or free
 *  from them; sending is fine and leaves with the same loop iteration). */
typedef struct secip_client_callbacks {
    /**
     * A message arrived.  Ownership: m belongs to the callback, which frees
     * it with secip_message_free() (now or later, from any thread).
     */
    void (*on_message)(secip_session *s, secip_message *m, void *user_data);
    /**
     * The session ended; status is SECIP_ECLOSED for a normal close or the
     * error that ended it.  Runs once per session that opened.  The session
     * stays valid (it belongs to the client) until the next connect or
     * secip_client_free().
     */
    void (*on_close)(secip_session *s, int status, void *user_data);
} secip_client_callbacks;

/**
 * Choose the event style for the sessions of later connects: cbs is copied;
 * NULL goes back to the blocking style.  With an on_message callback,
 * secip_session_receive() on those sessions fails with SECIP_EINVAL.
 * user_data is passed to the callbacks unchanged.
 * Thread-safety: as the other set_* functions (before connecting).
 * Errors: SECIP_EINVAL (NULL client).
 */
SECIP_API int secip_client_set_callbacks(secip_client *c,
                                         const secip_client_callbacks *cbs,
                                         void *user_data);

/**
 * Connect to host:port and complete the handshake within timeout_ms (> 0,
 * or SECIP_WAIT_FOREVER: the OS connect timeout and the handshake timeout
 * of the options still apply).  The call blocks the calling thread, which
 * must not be a loop thread (a callback).  A previous session of this
 * client is closed (gracefully, waiting for the close handshake) and freed
 * first.
 *
 * Ownership: *out belongs to the client, valid until the next connect or
 * secip_client_free().
 * Errors: SECIP_ECONNREFUSED, SECIP_ETIMEDOUT, SECIP_EADDR, SECIP_EVERIFY
 * (certificate, name or pin mismatch: see secip_last_error()), SECIP_ETLS.
 */
SECIP_API int secip_client_connect(secip_client *c, const char *host,
                                   uint16_t port, int timeout_ms,
                                   secip_session **out);

/** The current session (owned by the client), or NULL.  Any thread. */
SECIP_API secip_session *secip_client_session(const secip_client *c);

/**
 * Close the session (if any; queued messages are sent and the close
 * handshake is waited for, a few seconds at most) and free the client.
 * NULL is fine.  Not from a loop thread.
 */
SECIP_API void secip_client_free(secip_client *c);

#ifdef __cplusplus
}
#endif

#endif /* SECIP_CLIENT_H */
