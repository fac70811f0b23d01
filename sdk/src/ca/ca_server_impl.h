/*
 * sdk/src/ca/ca_server_impl.h -- internal: the CA server object and its
 * request handlers (ca_server.c, ca_ops.c).
 */
#ifndef SP_CA_SERVER_IMPL_H
#define SP_CA_SERVER_IMPL_H

#include "ca/ca_internal.h"
#include "secip/server.h"

struct secip_ca_server {
    const secip_key *key;
    const secip_cert *cert;
    char *ca_pem;
    secip_ca_db *db;
    char *audit_path;
    secip_ca_policy pol;
    sp_throttle *th;
    spl_mutex *audit_mu;
    secip_server *srv;
};

/** Per-session state: the renew nonce handed out by "challenge". */
typedef struct sp_ca_conn {
    int have_nonce;
    char nonce[65];
} sp_ca_conn;

/** {"status":"denied","reason":reason[,"retry_after_ms":n]}. */
json_object *sp_ca_denied(const char *reason, uint64_t retry_after_ms);

/** Append ev (plus "time") to the audit log; consumes ev. */
void sp_ca_audit(secip_ca_server *ca, json_object *ev);

json_object *sp_ca_enroll(secip_ca_server *ca, secip_session *s,
                          json_object *req);
json_object *sp_ca_challenge(sp_ca_conn *conn);
json_object *sp_ca_renew(secip_ca_server *ca, secip_session *s,
                         sp_ca_conn *conn, json_object *req);
json_object *sp_ca_revocations(secip_ca_server *ca);

/** Answer one request object by its "op" (enroll, challenge, renew, admin,
 *  revocations; anything else is denied as "unknown operation").  s may be
 *  NULL (no session: empty audit address); the answer belongs to the
 *  caller.  The CA server's handler and the careq fuzz target both use
 *  it. */
json_object *sp_ca_handle(secip_ca_server *ca, secip_session *s,
                          sp_ca_conn *conn, json_object *req);

/** The text a proof-of-possession signature covers (PROTOCOL.md):
 *  "<purpose>\n<nonce>\n<cert fp>\n<extra>"; malloc'd. */
char *sp_ca_proof_text(const char *purpose, const char *nonce,
                       const char *cert_fp, const char *extra);

/** Check the request's certificate and its signature over the proof text
 *  for the session's nonce; NULL when proven, else a denial reason.
 *  *cert gets the certificate (caller frees; may be set on failure). */
const char *sp_ca_prove(secip_ca_server *ca, sp_ca_conn *conn, json_object *req,
                        const char *purpose, const char *extra,
                        secip_cert **cert);

/** The entry of serial in user's certificates, or NULL. */
json_object *sp_ca_find_cert(json_object *root, const char *user,
                             const char *serial);

/** Audit an event with the session's address; what/value may be NULL. */
void sp_ca_audit_event(secip_ca_server *ca, secip_session *s, const char *event,
                       const char *user, const char *what, const char *value);

/** Audit and build a denial. */
json_object *sp_ca_deny(secip_ca_server *ca, secip_session *s, const char *user,
                        const char *reason, uint64_t wait);

/** The granted answer for cert. */
json_object *sp_ca_granted(secip_ca_server *ca, const secip_cert *cert);

json_object *sp_ca_admin(secip_ca_server *ca, secip_session *s,
                         sp_ca_conn *conn, json_object *req);

#endif /* SP_CA_SERVER_IMPL_H */
