/*
 * sdk/src/ca/ca_client.c -- talking to a CA server: enroll, renew and
 * fetching the revocation list.  The connection is pinned to the CA
 * certificate's key, the "CA public key known by all clients".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca/ca_server_impl.h"
#include "crypto/util.h"
#include "error.h"
#include "secip/client.h"
#include "session/json_intake.h"

#define CA_TIMEOUT_MS 30000

void secip_ca_client_options_init(secip_ca_client_options *o)
{
    if (o != NULL) {
        o->source_address = NULL;
        o->timeout_ms = 0;
    }
}

/* Connect to the CA with options o (NULL: defaults). */
static int ca_connect_opts(const secip_ca_client_options *o, const char *host,
                           uint16_t port, const secip_cert *ca_cert,
                           secip_client **c, secip_session **s)
{
    int timeout =
        o != NULL && o->timeout_ms > 0 ? o->timeout_ms : CA_TIMEOUT_MS;
    char fp[SECIP_FINGERPRINT_HEX_LEN + 1];
    secip_key *pub = NULL;
    *c = NULL;
    int rc = secip_cert_public_key(ca_cert, &pub);
    if (rc >= 0)
        rc = secip_key_fingerprint(pub, fp);
    secip_key_free(pub);
    if (rc >= 0)
        rc = secip_client_new(c);
    if (rc >= 0)
        rc = secip_client_set_pin(*c, fp);
    if (rc >= 0 && o != NULL && o->source_address != NULL)
        rc = secip_client_set_source_address(*c, o->source_address);
    if (rc >= 0)
        rc = secip_client_connect(*c, host, port, timeout, s);
    if (rc < 0) {
        secip_client_free(*c);
        *c = NULL;
    }
    return rc;
}

static int ca_connect(const char *host, uint16_t port,
                      const secip_cert *ca_cert, secip_client **c,
                      secip_session **s)
{
    return ca_connect_opts(NULL, host, port, ca_cert, c, s);
}

/* Send req (consumed) and wait for the answer object (*ans, caller puts). */
static int exchange(secip_session *s, json_object *req, json_object **ans)
{
    int rc = secip_session_send_object(s, req);
    json_object_put(req);
    if (rc < 0)
        return rc;
    secip_message *m = NULL;
    rc = secip_session_receive(s, &m, CA_TIMEOUT_MS);
    if (rc < 0)
        return rc;
    json_object *o = secip_message_json(m);
    if (secip_message_type(m) != SECIP_OBJECT || o == NULL) {
        secip_message_free(m);
        return sp_error_set(SECIP_EPROTO, "CA answered with a non-object");
    }
    *ans = json_object_get(o);
    secip_message_free(m);
    return 0;
}

/* Turn a CA answer into a verified certificate for key, or a denial. */
static int take_grant(json_object *a, const secip_cert *ca_cert,
                      const secip_key *key, secip_cert **out, char *reason)
{
    const char *status = sp_json_str(a, "status", 0);
    const char *pem = sp_json_str(a, "certificate", 0);
    if (status != NULL && strcmp(status, "denied") == 0) {
        const char *why = sp_json_str(a, "reason", 0);
        if (reason != NULL)
            snprintf(reason, SECIP_CA_REASON_MAX, "%s", why ? why : "?");
        return sp_error_set(SECIP_EDENIED, "CA denied the request: %s",
                            why ? why : "no reason given");
    }
    if (status == NULL || strcmp(status, "granted") != 0 || pem == NULL)
        return sp_error_set(SECIP_EPROTO, "malformed CA answer");
    secip_cert *cert = NULL;
    secip_key *pub = NULL;
    int rc = secip_cert_load_pem(pem, strlen(pem), &cert);
    if (rc >= 0)
        rc = secip_cert_verify(cert, ca_cert, NULL, 0, 0);
    if (rc >= 0 && (rc = secip_cert_public_key(cert, &pub)) >= 0 &&
        !secip_key_public_equal(pub, key))
        rc = sp_error_set(SECIP_EVERIFY, "CA certified another key");
    secip_key_free(pub);
    if (rc < 0) {
        secip_cert_free(cert);
        return rc;
    }
    *out = cert;
    return 0;
}

int secip_ca_enroll(const char *host, uint16_t port, const secip_cert *ca_cert,
                    const char *username, const char *password,
                    const secip_key *key, const char *const *names,
                    size_t count, secip_cert **cert, char *reason)
{
    return secip_ca_enroll_ex(NULL, host, port, ca_cert, username, password,
                              key, names, count, cert, reason);
}

int secip_ca_enroll_ex(const secip_ca_client_options *o, const char *host,
                       uint16_t port, const secip_cert *ca_cert,
                       const char *username, const char *password,
                       const secip_key *key, const char *const *names,
                       size_t count, secip_cert **cert, char *reason)
{
    if (cert != NULL)
        *cert = NULL;
    if (reason != NULL)
        reason[0] = '\0';
    if (host == NULL || ca_cert == NULL || username == NULL ||
        password == NULL || key == NULL || cert == NULL ||
        (names == NULL && count > 0))
        return sp_error_set(SECIP_EINVAL, "secip_ca_enroll: NULL argument");
    char pem[SECIP_KEY_PEM_MAX];
    int rc = secip_key_to_pem(key, 0, pem, sizeof pem);
    if (rc < 0)
        return rc;
    json_object *req = json_object_new_object(), *list = NULL;
    json_object_object_add(req, "op", json_object_new_string("enroll"));
    json_object_object_add(req, "username", json_object_new_string(username));
    json_object_object_add(req, "password", json_object_new_string(password));
    json_object_object_add(req, "public_key", json_object_new_string(pem));
    if (count > 0) {
        list = json_object_new_array();
        for (size_t i = 0; i < count; i++)
            json_object_array_add(list, json_object_new_string(names[i]));
        json_object_object_add(req, "names", list);
    }
    secip_client *c = NULL;
    secip_session *s = NULL;
    json_object *ans = NULL;
    rc = ca_connect_opts(o, host, port, ca_cert, &c, &s);
    if (rc >= 0)
        rc = exchange(s, req, &ans);
    else
        json_object_put(req);
    if (rc >= 0)
        rc = take_grant(ans, ca_cert, key, cert, reason);
    json_object_put(ans);
    secip_client_free(c);
    return rc;
}

int secip_request_certificate(const char *host, uint16_t port,
                              const secip_cert *ca_cert, const char *username,
                              const char *password, const secip_key *key,
                              secip_cert **cert)
{
    return secip_ca_enroll(host, port, ca_cert, username, password, key, NULL,
                           0, cert, NULL);
}

/* Fill req (op already set) with the certificate and a signature over the
 * proof text for nonce; returns 0 or an error. */
static int sign_request(json_object *req, const char *purpose,
                        const char *extra, const char *nonce,
                        const secip_key *key, const secip_cert *cert)
{
    char fp[SECIP_FINGERPRINT_HEX_LEN + 1];
    char *text = NULL, *sig = NULL;
    if (secip_cert_fingerprint(cert, fp) < 0 ||
        (text = sp_ca_proof_text(purpose, nonce, fp, extra)) == NULL ||
        sp_ca_sign_b64(key, text, strlen(text), &sig) < 0) {
        free(text);
        return sp_error_set(SECIP_ENOMEM, "cannot sign the request");
    }
    free(text);
    int need = secip_cert_to_pem(cert, NULL, 0);
    char *pem = need > 0 ? malloc((size_t)need) : NULL;
    if (pem == NULL || secip_cert_to_pem(cert, pem, (size_t)need) < 0) {
        free(pem);
        free(sig);
        return sp_error_set(SECIP_ENOMEM, "out of memory");
    }
    json_object_object_add(req, "certificate", json_object_new_string(pem));
    json_object_object_add(req, "signature", json_object_new_string(sig));
    free(pem);
    free(sig);
    return 0;
}

/* challenge, then req signed for purpose/extra; *ans is the answer. */
static int proven_exchange(const char *host, uint16_t port,
                           const secip_cert *ca_cert, const secip_key *key,
                           const secip_cert *cert, const char *purpose,
                           const char *extra, json_object *req,
                           json_object **ans)
{
    secip_client *c = NULL;
    secip_session *s = NULL;
    json_object *ch = json_object_new_object();
    *ans = NULL;
    json_object_object_add(ch, "op", json_object_new_string("challenge"));
    int rc = ca_connect(host, port, ca_cert, &c, &s);
    if (rc >= 0)
        rc = exchange(s, ch, ans);
    else
        json_object_put(ch);
    const char *nonce = rc >= 0 ? sp_json_str(*ans, "nonce", 0) : NULL;
    if (rc >= 0 && (nonce == NULL || strlen(nonce) != 64))
        rc = sp_error_set(SECIP_EPROTO, "CA sent no challenge");
    if (rc >= 0)
        rc = sign_request(req, purpose, extra, nonce, key, cert);
    json_object_put(*ans);
    *ans = NULL;
    if (rc >= 0)
        rc = exchange(s, req, ans);
    else
        json_object_put(req);
    secip_client_free(c);
    return rc;
}

int secip_ca_renew(const char *host, uint16_t port, const secip_cert *ca_cert,
                   const secip_key *key, const secip_cert *cert,
                   secip_cert **out, char *reason)
{
    if (out != NULL)
        *out = NULL;
    if (reason != NULL)
        reason[0] = '\0';
    if (host == NULL || ca_cert == NULL || key == NULL || cert == NULL ||
        out == NULL || !secip_key_has_private(key))
        return sp_error_set(SECIP_EINVAL, "secip_ca_renew: bad argument");
    json_object *ans = NULL, *req = json_object_new_object();
    json_object_object_add(req, "op", json_object_new_string("renew"));
    int rc = proven_exchange(host, port, ca_cert, key, cert, "secip-renew-v1",
                             NULL, req, &ans);
    if (rc >= 0)
        rc = take_grant(ans, ca_cert, key, out, reason);
    json_object_put(ans);
    return rc;
}

int secip_ca_admin(const char *host, uint16_t port, const secip_cert *ca_cert,
                   const secip_key *key, const secip_cert *cert,
                   const char *action, const char *target, char *reason)
{
    char extra[160];
    if (reason != NULL)
        reason[0] = '\0';
    if (host == NULL || ca_cert == NULL || key == NULL || cert == NULL ||
        action == NULL || target == NULL || !secip_key_has_private(key) ||
        strlen(action) > 64 || strlen(target) > 64)
        return sp_error_set(SECIP_EINVAL, "secip_ca_admin: bad argument");
    snprintf(extra, sizeof extra, "%s\n%s\n", action, target);
    json_object *ans = NULL, *req = json_object_new_object();
    json_object_object_add(req, "op", json_object_new_string("admin"));
    json_object_object_add(req, "action", json_object_new_string(action));
    json_object_object_add(req, "target", json_object_new_string(target));
    int rc = proven_exchange(host, port, ca_cert, key, cert, "secip-admin-v1",
                             extra, req, &ans);
    const char *status = rc >= 0 ? sp_json_str(ans, "status", 0) : NULL;
    if (rc >= 0 && (status == NULL || strcmp(status, "ok") != 0)) {
        const char *why = sp_json_str(ans, "reason", 0);
        if (reason != NULL)
            snprintf(reason, SECIP_CA_REASON_MAX, "%s", why ? why : "?");
        rc = sp_error_set(SECIP_EDENIED, "CA denied the request: %s",
                          why ? why : "no reason given");
    }
    json_object_put(ans);
    return rc;
}

int secip_ca_fetch_revocations(const char *host, uint16_t port,
                               const secip_cert *ca_cert, secip_ca_crl **out)
{
    return secip_ca_fetch_revocations_ex(NULL, host, port, ca_cert, out);
}

int secip_ca_fetch_revocations_ex(const secip_ca_client_options *o,
                                  const char *host, uint16_t port,
                                  const secip_cert *ca_cert, secip_ca_crl **out)
{
    if (out != NULL)
        *out = NULL;
    if (host == NULL || ca_cert == NULL || out == NULL)
        return sp_error_set(SECIP_EINVAL, "NULL argument");
    secip_client *c = NULL;
    secip_session *s = NULL;
    json_object *ans = NULL, *req = json_object_new_object(), *crl = NULL;
    json_object_object_add(req, "op", json_object_new_string("revocations"));
    int rc = ca_connect_opts(o, host, port, ca_cert, &c, &s);
    if (rc >= 0)
        rc = exchange(s, req, &ans);
    else
        json_object_put(req);
    if (rc >= 0 && !json_object_object_get_ex(ans, "revocations", &crl))
        rc = sp_error_set(SECIP_EPROTO, "CA sent no revocation list");
    if (rc >= 0)
        rc = sp_crl_parse(crl, ca_cert, out);
    json_object_put(ans);
    secip_client_free(c);
    return rc;
}
