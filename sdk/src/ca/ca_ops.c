/*
 * sdk/src/ca/ca_ops.c -- the CA server's requests: enroll (password),
 * challenge + renew (proof of possession of the certified key) and
 * revocations (the signed list).  Every decision is audited; passwords
 * never are.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca/ca_server_impl.h"
#include "crypto/util.h"
#include "error.h"
#include "secip/password.h"
#include "session/json_intake.h"

#define MAX_NAMES SECIP_CERT_MAX_SAN
#define MAX_FIELD 8192 /* longest password / PEM field accepted */

json_object *sp_ca_denied(const char *reason, uint64_t retry_after_ms)
{
    json_object *a = json_object_new_object();
    json_object_object_add(a, "status", json_object_new_string("denied"));
    json_object_object_add(a, "reason", json_object_new_string(reason));
    if (retry_after_ms > 0)
        json_object_object_add(a, "retry_after_ms",
                               json_object_new_int64((int64_t)retry_after_ms));
    return a;
}

void sp_ca_audit_event(secip_ca_server *ca, secip_session *s, const char *event,
                       const char *user, const char *what, const char *value)
{
    json_object *ev = json_object_new_object();
    json_object_object_add(ev, "event", json_object_new_string(event));
    if (user != NULL)
        json_object_object_add(ev, "user", json_object_new_string(user));
    json_object_object_add(
        ev, "address", json_object_new_string(secip_session_peer_address(s)));
    if (what != NULL && value != NULL)
        json_object_object_add(ev, what, json_object_new_string(value));
    sp_ca_audit(ca, ev);
}

json_object *sp_ca_deny(secip_ca_server *ca, secip_session *s, const char *user,
                        const char *reason, uint64_t wait)
{
    sp_ca_audit_event(ca, s, "denied", user, "reason", reason);
    return sp_ca_denied(reason, wait);
}

/* Throttle keys: "u:<user>" and "a:<address without port>". */
static void keys_for(secip_session *s, const char *user, char ukey[96],
                     char akey[96])
{
    const char *addr = secip_session_peer_address(s);
    const char *colon = strrchr(addr, ':');
    int alen = colon != NULL ? (int)(colon - addr) : (int)strlen(addr);
    snprintf(ukey, 96, "u:%s", user);
    snprintf(akey, 96, "a:%.*s", alen > 80 ? 80 : alen, addr);
}

/* Issue a certificate for key to user with the names of names_src
 * (a JSON array of strings, or NULL) and record it in root. */
static int issue(secip_ca_server *ca, json_object *root, const char *user,
                 const secip_key *key, const char *const *dns, size_t ndns,
                 const char *const *ips, size_t nip, secip_cert **out)
{
    secip_cert_options o;
    secip_cert_options_init(&o);
    o.subject_cn = user;
    o.dns_names = dns;
    o.dns_count = ndns;
    o.ip_addrs = ips;
    o.ip_count = nip;
    o.not_before = spl_time_now() - 300;
    o.not_after = o.not_before + 300 + ca->pol.lifetime_s;
    o.ext_key_usage = SECIP_EKU_SERVER | SECIP_EKU_CLIENT;
    int rc = secip_cert_issue(&o, key, ca->cert, ca->key, out);
    if (rc < 0)
        return rc;
    char fp[SECIP_FINGERPRINT_HEX_LEN + 1];
    (void)secip_key_fingerprint(key, fp);
    json_object *c = json_object_new_object(), *u = sp_cadb_user(root, user);
    json_object *certs = NULL;
    json_object_object_get_ex(u, "certificates", &certs);
    json_object_object_add(c, "serial",
                           json_object_new_string(secip_cert_serial_hex(*out)));
    json_object_object_add(c, "key_fingerprint", json_object_new_string(fp));
    json_object_object_add(c, "issued", json_object_new_int64(spl_time_now()));
    json_object_object_add(c, "not_after", json_object_new_int64(o.not_after));
    json_object_object_add(c, "revoked", json_object_new_boolean(0));
    json_object_object_add(c, "revoked_at", json_object_new_int64(0));
    json_object_array_add(certs, c);
    return 0;
}

json_object *sp_ca_granted(secip_ca_server *ca, const secip_cert *cert)
{
    json_object *a = json_object_new_object();
    int need = secip_cert_to_pem(cert, NULL, 0);
    char *pem = need > 0 ? malloc((size_t)need) : NULL;
    if (pem == NULL || secip_cert_to_pem(cert, pem, (size_t)need) < 0) {
        free(pem);
        json_object_put(a);
        return sp_ca_denied("internal error", 0);
    }
    json_object_object_add(a, "status", json_object_new_string("granted"));
    json_object_object_add(a, "certificate", json_object_new_string(pem));
    json_object_object_add(a, "ca_certificate",
                           json_object_new_string(ca->ca_pem));
    json_object_object_add(a, "serial",
                           json_object_new_string(secip_cert_serial_hex(cert)));
    free(pem);
    return a;
}

/* Split the optional "names" array into DNS names and IP addresses. */
static int split_names(json_object *req, const char **dns, size_t *ndns,
                       const char **ips, size_t *nip)
{
    json_object *names = NULL;
    *ndns = *nip = 0;
    if (!json_object_object_get_ex(req, "names", &names))
        return 0;
    if (!json_object_is_type(names, json_type_array) ||
        json_object_array_length(names) > MAX_NAMES)
        return -1;
    for (size_t i = 0; i < json_object_array_length(names); i++) {
        json_object *v = json_object_array_get_idx(names, i);
        unsigned char ip[16];
        if (!json_object_is_type(v, json_type_string) ||
            json_object_get_string_len(v) > 253)
            return -1;
        const char *t = json_object_get_string(v);
        if (sp_ip_parse(t, ip) > 0)
            ips[(*nip)++] = t;
        else
            dns[(*ndns)++] = t;
    }
    return 0;
}

/* Authenticate user/password against root; NULL or a denial reason. */
static const char *authenticate(json_object *root, const char *user,
                                const char *password)
{
    json_object *u = sp_cadb_user(root, user), *v = NULL;
    if (u == NULL)
        return "unknown user";
    json_object_object_get_ex(u, "enabled", &v);
    if (!json_object_get_boolean(v))
        return "user disabled";
    json_object_object_get_ex(u, "hash", &v);
    if (secip_password_verify(password, json_object_get_string(v)) != 0)
        return "wrong password";
    return NULL;
}

json_object *sp_ca_enroll(secip_ca_server *ca, secip_session *s,
                          json_object *req)
{
    const char *user = sp_json_str(req, "username", MAX_FIELD);
    const char *password = sp_json_str(req, "password", MAX_FIELD);
    const char *pem = sp_json_str(req, "public_key", MAX_FIELD);
    const char *dns[MAX_NAMES], *ips[MAX_NAMES];
    size_t ndns, nip;
    char ukey[96], akey[96];
    if (user == NULL || password == NULL || pem == NULL ||
        !sp_cadb_name_ok(user) || split_names(req, dns, &ndns, ips, &nip) < 0)
        return sp_ca_deny(ca, s, NULL, "bad request", 0);
    keys_for(s, user, ukey, akey);
    uint64_t wu = sp_throttle_check(ca->th, ukey);
    uint64_t wa = sp_throttle_check(ca->th, akey);
    if (wu > 0 || wa > 0)
        return sp_ca_deny(ca, s, user, "throttled", wu > wa ? wu : wa);

    json_object *root = NULL;
    spl_file *lock = NULL;
    if (sp_cadb_begin(ca->db, 0, &root, &lock) < 0)
        return sp_ca_deny(ca, s, user, "database unavailable", 0);
    const char *why = authenticate(root, user, password);
    if (why != NULL) {
        sp_cadb_end(ca->db, root, lock);
        if (strcmp(why, "user disabled") != 0) {
            sp_throttle_fail(ca->th, ukey);
            sp_throttle_fail(ca->th, akey);
        }
        return sp_ca_deny(ca, s, user, why, 0);
    }
    secip_key *key = NULL;
    secip_cert *cert = NULL;
    int rc = secip_key_load_pem(pem, strlen(pem), &key);
    if (rc < 0) {
        sp_cadb_end(ca->db, root, lock);
        return sp_ca_deny(
            ca, s, user,
            rc == SECIP_EINVAL ? "key too small" : "bad public key", 0);
    }
    rc = issue(ca, root, user, key, dns, ndns, ips, nip, &cert);
    if (rc >= 0)
        rc = sp_cadb_save(ca->db, root);
    sp_cadb_end(ca->db, root, lock);
    secip_key_free(key);
    if (rc < 0) {
        secip_cert_free(cert);
        return sp_ca_deny(ca, s, user,
                          rc == SECIP_EINVAL ? "bad names" : "internal error",
                          0);
    }
    sp_throttle_clear(ca->th, ukey);
    sp_ca_audit_event(ca, s, "granted", user, "serial",
                      secip_cert_serial_hex(cert));
    json_object *a = sp_ca_granted(ca, cert);
    secip_cert_free(cert);
    return a;
}

json_object *sp_ca_challenge(sp_ca_conn *conn)
{
    unsigned char rnd[32];
    if (spl_random(rnd, sizeof rnd) < 0)
        return sp_ca_denied("internal error", 0);
    sp_hex_encode(rnd, sizeof rnd, conn->nonce);
    conn->have_nonce = 1;
    json_object *a = json_object_new_object();
    json_object_object_add(a, "status", json_object_new_string("ok"));
    json_object_object_add(a, "nonce", json_object_new_string(conn->nonce));
    return a;
}

char *sp_ca_proof_text(const char *purpose, const char *nonce,
                       const char *cert_fp, const char *extra)
{
    if (extra == NULL)
        extra = "";
    size_t n =
        strlen(purpose) + strlen(nonce) + strlen(cert_fp) + strlen(extra) + 8;
    char *t = malloc(n);
    if (t != NULL)
        snprintf(t, n, "%s\n%s\n%s\n%s", purpose, nonce, cert_fp, extra);
    return t;
}

json_object *sp_ca_find_cert(json_object *root, const char *user,
                             const char *serial)
{
    json_object *u = sp_cadb_user(root, user), *certs = NULL, *v = NULL;
    if (u == NULL || !json_object_object_get_ex(u, "certificates", &certs))
        return NULL;
    for (size_t i = 0; i < json_object_array_length(certs); i++) {
        json_object *c = json_object_array_get_idx(certs, i);
        json_object_object_get_ex(c, "serial", &v);
        if (strcmp(json_object_get_string(v), serial) == 0)
            return c;
    }
    return NULL;
}

/* Check the renew request's certificate and signature; loads *cert. */
const char *sp_ca_prove(secip_ca_server *ca, sp_ca_conn *conn, json_object *req,
                        const char *purpose, const char *extra,
                        secip_cert **cert)
{
    const char *pem = sp_json_str(req, "certificate", MAX_FIELD);
    const char *sig = sp_json_str(req, "signature", MAX_FIELD);
    char fp[SECIP_FINGERPRINT_HEX_LEN + 1];
    if (!conn->have_nonce)
        return "no challenge";
    conn->have_nonce = 0; /* one use only */
    if (pem == NULL || sig == NULL ||
        secip_cert_load_pem(pem, strlen(pem), cert) < 0)
        return "bad request";
    if (secip_cert_verify(*cert, ca->cert, NULL, 0, SECIP_EKU_CLIENT) < 0)
        return "certificate not valid";
    secip_key *pub = NULL;
    char *text = NULL;
    int rc = secip_cert_fingerprint(*cert, fp);
    if (rc >= 0)
        rc = secip_cert_public_key(*cert, &pub);
    if (rc >= 0 &&
        (text = sp_ca_proof_text(purpose, conn->nonce, fp, extra)) == NULL)
        rc = SECIP_ENOMEM;
    if (rc >= 0)
        rc = sp_ca_verify_b64(pub, text, strlen(text), sig);
    free(text);
    secip_key_free(pub);
    return rc < 0 ? "bad signature" : NULL;
}

json_object *sp_ca_renew(secip_ca_server *ca, secip_session *s,
                         sp_ca_conn *conn, json_object *req)
{
    secip_cert *old = NULL, *cert = NULL;
    const char *why = sp_ca_prove(ca, conn, req, "secip-renew-v1", NULL, &old);
    const char *user = secip_cert_subject_cn(old);
    json_object *root = NULL, *entry = NULL, *v = NULL;
    spl_file *lock = NULL;
    secip_key *key = NULL;
    int locked = 0;
    if (why == NULL && sp_cadb_begin(ca->db, 0, &root, &lock) < 0)
        why = "database unavailable";
    else if (why == NULL)
        locked = 1;
    if (why == NULL) {
        json_object *u = sp_cadb_user(root, user);
        entry = sp_ca_find_cert(root, user, secip_cert_serial_hex(old));
        json_object_object_get_ex(u, "enabled", &v);
        if (entry == NULL)
            why = "unknown certificate";
        else if (!json_object_get_boolean(v))
            why = "user disabled";
        else if (json_object_object_get_ex(entry, "revoked", &v) &&
                 json_object_get_boolean(v))
            why = "revoked";
    }
    if (why == NULL) {
        const char *dns[MAX_NAMES], *ips[MAX_NAMES];
        size_t nd = secip_cert_dns_count(old), ni = secip_cert_ip_count(old);
        for (size_t i = 0; i < nd && i < MAX_NAMES; i++)
            dns[i] = secip_cert_dns_name(old, i);
        for (size_t i = 0; i < ni && i < MAX_NAMES; i++)
            ips[i] = secip_cert_ip(old, i);
        if (secip_cert_public_key(old, &key) < 0 ||
            issue(ca, root, user, key, dns, nd, ips, ni, &cert) < 0 ||
            sp_cadb_save(ca->db, root) < 0)
            why = "internal error";
    }
    if (locked)
        sp_cadb_end(ca->db, root, lock);
    json_object *a;
    if (why != NULL) {
        a = sp_ca_deny(ca, s, user[0] != '\0' ? user : NULL, why, 0);
    } else {
        sp_ca_audit_event(ca, s, "renewed", user, "serial",
                          secip_cert_serial_hex(cert));
        a = sp_ca_granted(ca, cert);
    }
    secip_key_free(key);
    secip_cert_free(cert);
    secip_cert_free(old);
    return a;
}

json_object *sp_ca_revocations(secip_ca_server *ca)
{
    json_object *root = NULL, *crl = NULL;
    spl_file *lock = NULL;
    if (sp_cadb_begin(ca->db, 0, &root, &lock) < 0)
        return sp_ca_denied("database unavailable", 0);
    int rc = sp_crl_build(root, ca->key, spl_time_now(), ca->pol.crl_validity_s,
                          &crl);
    sp_cadb_end(ca->db, root, lock);
    if (rc < 0)
        return sp_ca_denied("internal error", 0);
    json_object *a = json_object_new_object();
    json_object_object_add(a, "status", json_object_new_string("ok"));
    json_object_object_add(a, "revocations", crl);
    return a;
}
