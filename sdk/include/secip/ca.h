/*
 * secip/ca.h -- the certificate authority: user database, CA server,
 * enrollment client and signed revocation lists.
 *
 * A CA directory holds ca.key (the CA's private key), ca.pem (its
 * self-signed certificate), users.json (the user database), users.json.lock
 * (the lock file that serialises every writer and reader of the database)
 * and audit.log (append-only JSON lines).  The protocol spoken by the CA
 * server is documented in docs/PROTOCOL.md, "Certificate authority
 * protocol".
 *
 * Database consistency: every database call is one transaction: take the
 * exclusive lock on users.json.lock, read users.json, apply the change,
 * write a temporary owner-only file beside it, fsync it, rename it over
 * users.json, fsync the directory, release the lock.  A crash at any
 * instant leaves the old or the new file.  Because the CA server runs
 * each request as such a transaction too, it sees changes made by
 * another process (the secip-ca tool) at the next request, without a
 * restart.
 *
 * Errors: every failing call returns a negative SECIP_E* code and records a
 * detail for secip_last_error().  Passwords are never logged or stored.
 */
#ifndef SECIP_CA_H
#define SECIP_CA_H

#include <stddef.h>
#include <stdint.h>

#include "secip/cert.h"
#include "secip/client.h"
#include "secip/error.h"
#include "secip/export.h"
#include "secip/key.h"
#include "secip/server.h"
#include "secip/session.h"

#ifdef __cplusplus
extern "C" {
#endif

struct json_object;

/* ------------------------------------------------------------------------
 * User database
 * ---------------------------------------------------------------------- */

/** A handle on one users.json file (opaque). */
typedef struct secip_ca_db secip_ca_db;

/** Largest users.json accepted (a larger file is refused as hostile). */
#define SECIP_CA_DB_MAX_BYTES (16u * 1024u * 1024u)
/** Longest user name, in bytes.  Names use [A-Za-z0-9._@-] only. */
#define SECIP_CA_NAME_MAX 64

/**
 * Open the database in directory dir (users.json and users.json.lock).
 * With create non-zero a missing users.json is created empty; otherwise it
 * must exist and load.  The file is read and checked strictly at once.
 * Ownership: free with secip_ca_db_free().
 * Thread-safety: one handle may be used by several threads; calls are
 * serialised by the file lock (and an in-process mutex).
 * Errors: SECIP_EINVAL, SECIP_ENOENT (no database), SECIP_EFORMAT (the file
 * is not a valid database; the detail says where), SECIP_ETOOBIG, SECIP_EIO.
 */
SECIP_API int secip_ca_db_open(const char *dir, int create, secip_ca_db **out);

/** Close the handle.  NULL is fine. */
SECIP_API void secip_ca_db_free(secip_ca_db *db);

/**
 * PBKDF2 iterations for new password hashes (0 = the default,
 * SECIP_PASSWORD_DEFAULT_ITERATIONS).  Tests use small counts.
 */
SECIP_API int secip_ca_db_set_iterations(secip_ca_db *db, uint32_t iterations);

/**
 * Add a user with password (hashed with PBKDF2, never stored) and admin
 * flag; the user starts enabled.  Errors: SECIP_EEXIST, SECIP_EINVAL (bad
 * name, empty password), plus the load/save errors.
 */
SECIP_API int secip_ca_db_add_user(secip_ca_db *db, const char *name,
                                   const char *password, int admin);

/** Remove a user.  Errors: SECIP_ENOENT, plus the load/save errors. */
SECIP_API int secip_ca_db_remove_user(secip_ca_db *db, const char *name);

/** Replace a user's password.  Errors: SECIP_ENOENT, SECIP_EINVAL. */
SECIP_API int secip_ca_db_set_password(secip_ca_db *db, const char *name,
                                       const char *password);

/** Enable (enabled != 0) or disable a user.  Errors: SECIP_ENOENT. */
SECIP_API int secip_ca_db_set_enabled(secip_ca_db *db, const char *name,
                                      int enabled);

/**
 * Mark the certificate with this serial (lowercase hex, as
 * secip_cert_serial_hex()) revoked now.  Errors: SECIP_ENOENT (no such
 * serial), SECIP_EEXIST (already revoked).
 */
SECIP_API int secip_ca_db_revoke(secip_ca_db *db, const char *serial_hex);

/**
 * A snapshot of the whole database as JSON (the users.json document;
 * password hashes removed), for listing.  Ownership: the caller releases
 * *out with json_object_put().  Errors: load errors, SECIP_ENOMEM.
 */
SECIP_API int secip_ca_db_list(secip_ca_db *db, struct json_object **out);

/* ------------------------------------------------------------------------
 * CA server
 * ---------------------------------------------------------------------- */

/** A CA server (opaque). */
typedef struct secip_ca_server secip_ca_server;

/** Policy knobs; initialise with secip_ca_policy_init(). */
typedef struct secip_ca_policy {
    /** Lifetime of issued certificates in seconds (default 365 days). */
    int64_t lifetime_s;
    /** First back-off after a failed login, in ms (default 1000). */
    uint32_t throttle_base_ms;
    /** Longest back-off in ms (default 15 minutes). */
    uint32_t throttle_max_ms;
    /** Failures are forgotten this long after the back-off ended, when no
     *  new failure came (default 1 h). */
    uint32_t throttle_window_ms;
    /** Validity of a revocation list, seconds (default 1 day). */
    int64_t crl_validity_s;
} secip_ca_policy;

/** Fill p with the defaults. */
SECIP_API void secip_ca_policy_init(secip_ca_policy *p);

/**
 * Create a CA server that signs with ca_key and presents ca_cert.
 * Ownership: both are borrowed and must outlive the server.
 * Errors: SECIP_EINVAL (NULL, no private key, ca_cert not a CA or not for
 * ca_key), SECIP_ENOMEM.
 */
SECIP_API int secip_ca_server_new(const secip_key *ca_key,
                                  const secip_cert *ca_cert,
                                  secip_ca_server **out);

/**
 * Attach the database (borrowed, must outlive the server) and the audit
 * log path (copied; NULL for no audit log).  Required before start.
 */
SECIP_API int secip_ca_server_set_database(secip_ca_server *ca, secip_ca_db *db,
                                           const char *audit_path);

/** The database attached with secip_ca_server_set_database(), or NULL. */
SECIP_API secip_ca_db *secip_ca_server_get_database(const secip_ca_server *ca);

/** Replace the policy (copied; checked: SECIP_EINVAL). Before start. */
SECIP_API int secip_ca_server_set_policy(secip_ca_server *ca,
                                         const secip_ca_policy *p);

/**
 * Listen on host:port (0 picks a port; see secip_ca_server_port()).
 * Errors: those of secip_server_start(), SECIP_EINVAL (no database).
 */
SECIP_API int secip_ca_server_start(secip_ca_server *ca, const char *host,
                                    uint16_t port);

/** The listening port after start, else 0. */
SECIP_API uint16_t secip_ca_server_port(const secip_ca_server *ca);

/** Stop serving (waits for the sessions to end).  Errors: SECIP_EINVAL. */
SECIP_API int secip_ca_server_stop(secip_ca_server *ca);

/** Stop if needed and free.  NULL is fine. */
SECIP_API void secip_ca_server_free(secip_ca_server *ca);

/* ------------------------------------------------------------------------
 * Clients of the CA
 * ---------------------------------------------------------------------- */

/** Longest denial reason, NUL included. */
#define SECIP_CA_REASON_MAX 64

/**
 * Enroll: send username, password and key's public half to the CA at
 * host:port, which must present ca_cert's key (the CA public key every
 * client knows in advance: the connection is pinned to it).  names are
 * optional DNS names or IP addresses for the certificate (may be NULL with
 * count 0).  On a grant *cert is the issued certificate, verified against
 * ca_cert before it is returned.  On a denial the call returns
 * SECIP_EDENIED and, when reason is not NULL, copies the CA's reason
 * ("wrong password", "unknown user", "user disabled", "throttled", "key too
 * small", ...) into reason[SECIP_CA_REASON_MAX].
 * Ownership: *cert is the caller's (secip_cert_free).  The password is not
 * kept.  Thread-safety: any thread except loop threads.
 * Errors: SECIP_EDENIED, SECIP_EVERIFY (CA key mismatch or bad
 * certificate), SECIP_EPROTO (bad answer), and connection errors.
 */
SECIP_API int secip_ca_enroll(const char *host, uint16_t port,
                              const secip_cert *ca_cert, const char *username,
                              const char *password, const secip_key *key,
                              const char *const *names, size_t count,
                              secip_cert **cert, char *reason);

/**
 * How a client reaches the CA; initialise with
 * secip_ca_client_options_init() and pass to the *_ex calls (the calls
 * without _ex use the defaults).
 */
typedef struct secip_ca_client_options {
    /** Local address to connect from (numeric, e.g. "127.0.0.2"; borrowed
     *  for the call), NULL for the OS's choice.  See
     *  secip_client_set_source_address(). */
    const char *source_address;
    /** Connect and answer timeout in ms, 0 for the default (30 s). */
    int timeout_ms;
} secip_ca_client_options;

/** Fill o with the defaults (no source address, default timeout). */
SECIP_API void secip_ca_client_options_init(secip_ca_client_options *o);

/**
 * secip_ca_enroll() with options o (NULL: defaults).  Errors as
 * secip_ca_enroll(), plus SECIP_EINVAL / SECIP_EADDR for a source address
 * that is not numeric or cannot be bound.
 */
SECIP_API int secip_ca_enroll_ex(const secip_ca_client_options *o,
                                 const char *host, uint16_t port,
                                 const secip_cert *ca_cert,
                                 const char *username, const char *password,
                                 const secip_key *key, const char *const *names,
                                 size_t count, secip_cert **cert, char *reason);

/** secip_ca_enroll() without names or reason (the signature). */
SECIP_API int secip_request_certificate(const char *host, uint16_t port,
                                        const secip_cert *ca_cert,
                                        const char *username,
                                        const char *password,
                                        const secip_key *key,
                                        secip_cert **cert);

/** A verified revocation list (opaque). */
typedef struct secip_ca_crl secip_ca_crl;

/**
 * Fetch the CA's current revocation list and verify its signature with
 * ca_cert's key.  Ownership: free *out with secip_ca_crl_free().
 * Errors: SECIP_EVERIFY (bad signature), SECIP_EPROTO, connection errors.
 */
SECIP_API int secip_ca_fetch_revocations(const char *host, uint16_t port,
                                         const secip_cert *ca_cert,
                                         secip_ca_crl **out);

/** secip_ca_fetch_revocations() with options o (NULL: defaults). */
SECIP_API int secip_ca_fetch_revocations_ex(const secip_ca_client_options *o,
                                            const char *host, uint16_t port,
                                            const secip_cert *ca_cert,
                                            secip_ca_crl **out);

/** Issue and next-update times of a list (0 for NULL). */
SECIP_API int64_t secip_ca_crl_issued(const secip_ca_crl *crl);
SECIP_API int64_t secip_ca_crl_next_update(const secip_ca_crl *crl);
/** Number of revoked entries. */
SECIP_API size_t secip_ca_crl_count(const secip_ca_crl *crl);

/**
 * 1 if the certificate with this serial (lowercase hex) is revoked, else 0.
 */
SECIP_API int secip_ca_crl_has_serial(const secip_ca_crl *crl,
                                      const char *serial_hex);

/**
 * Make a client refuse revoked servers.  In CA mode (secip_client_set_ca)
 * every later handshake checks the server's leaf certificate serial
 * against crl, when crl was signed by that CA (a list of another CA is
 * ignored: serials are unique per issuer only); a listed certificate fails
 * the connect with SECIP_EVERIFY and the detail "certificate revoked
 * (serial <hex>, CN <name>)".  NULL removes the list.  Setting a list also
 * forgets the remembered TLS session (a resumed handshake carries no
 * certificate to check), so the next connect is a full handshake.
 * Ownership: the client takes its own reference on the (immutable) list;
 * the caller may free its handle with secip_ca_crl_free() at once.
 * Thread-safety: may be called from any thread at any time, also while a
 * connect runs on another thread (that connect uses the list it saw first).
 * Errors: SECIP_EINVAL (NULL client; or a CA is already set and the list
 * is not signed by it).
 */
SECIP_API int secip_client_set_revocations(secip_client *c,
                                           const secip_ca_crl *crl);

/**
 * Make a server refuse revoked clients.  When the server requires client
 * certificates from ca (secip_server_require_client_cert), every handshake
 * that starts after this call checks the client's leaf certificate serial
 * against crl, if crl was signed by ca; a listed certificate fails that
 * handshake on the server with SECIP_EVERIFY ("certificate revoked (serial
 * <hex>, CN <name>)"): the session never opens (no handler, no on_open) and
 * the client's connect fails.  Sessions already open are not touched
 * (close them with secip_ca_crl_check_session() if needed).  A
 * server refreshes by fetching a new list (secip_ca_fetch_revocations) and
 * calling this again; NULL removes the list.
 * Ownership: the server takes its own reference; the caller may free its
 * handle at once.  Thread-safety: any thread, any time, also while the
 * server runs.
 * Errors: SECIP_EINVAL (NULL server; or a client CA is set and the list is
 * not signed by it).
 */
SECIP_API int secip_server_set_revocations(secip_server *srv,
                                           const secip_ca_crl *crl);

/**
 * Check the peer of a session against the list: the list names each
 * revoked certificate's key fingerprint too, which every session exposes
 * (secip_session_peer_fingerprint).  Returns 0 if the peer is not revoked,
 * SECIP_EVERIFY ("peer certificate revoked") if it is; SECIP_ENOENT if the
 * peer presented no certificate.  New handshakes are checked by the
 * library once the list is set (secip_server_set_revocations,
 * secip_client_set_revocations); this call is for sessions that were
 * already open when a fresher list arrived: the application closes those
 * that fail it.
 */
SECIP_API int secip_ca_crl_check_session(const secip_ca_crl *crl,
                                         const secip_session *s);

/**
 * Release the caller's handle on a list.  NULL is fine.  Clients and
 * servers that were given the list keep their own reference, so the list
 * lives until its last user lets it go.  Thread-safe.
 */
SECIP_API void secip_ca_crl_free(secip_ca_crl *crl);

/**
 * Renew: prove possession of cert's key (a signature over a fresh nonce of
 * the CA) and receive a new certificate for the same user and key.
 * Ownership and errors as secip_ca_enroll(); SECIP_EDENIED with reason
 * "revoked", "unknown certificate" or "user disabled".
 */
SECIP_API int secip_ca_renew(const char *host, uint16_t port,
                             const secip_cert *ca_cert, const secip_key *key,
                             const secip_cert *cert, secip_cert **out,
                             char *reason);

/**
 * Administrative request, allowed only to an enabled user with the admin
 * flag (secip_ca_db_add_user(..., admin = 1)), proven like a renewal by a
 * signature with cert's key over a fresh nonce.  action is "revoke" (target:
 * a serial, lowercase hex), "enable" or "disable" (target: a user name).
 * Returns 0 when done; SECIP_EDENIED with reason ("not an admin", "revoked",
 * "no such certificate", "already revoked", "unknown user", ...).
 * Thread-safety: any thread except loop threads.
 */
SECIP_API int secip_ca_admin(const char *host, uint16_t port,
                             const secip_cert *ca_cert, const secip_key *key,
                             const secip_cert *cert, const char *action,
                             const char *target, char *reason);

#ifdef __cplusplus
}
#endif

#endif /* SECIP_CA_H */
