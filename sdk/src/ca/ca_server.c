/*
 * sdk/src/ca/ca_server.c -- the CA server: a blocking-style secip server
 * whose handler answers enroll, challenge, renew and revocations requests
 * (docs/PROTOCOL.md, "Certificate authority protocol").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca/ca_server_impl.h"
#include "crypto/util.h"
#include "error.h"
#include "secip/message.h"
#include "secip/server.h"
#include "session/json_intake.h"

#define REQUEST_TIMEOUT_MS 30000
#define MAX_REQUESTS       100000 /* per session: bounds a hostile client's loop */

void secip_ca_policy_init(secip_ca_policy *p)
{
    if (p == NULL)
        return;
    p->lifetime_s = 365 * 86400;
    p->throttle_base_ms = 1000;
    p->throttle_max_ms = 15u * 60u * 1000u;
    p->throttle_window_ms = 3600u * 1000u;
    p->crl_validity_s = 86400;
}

int secip_ca_server_new(const secip_key *ca_key, const secip_cert *ca_cert,
                        secip_ca_server **out)
{
    if (out != NULL)
        *out = NULL;
    if (ca_key == NULL || ca_cert == NULL || out == NULL ||
        !secip_key_has_private(ca_key) || !secip_cert_is_ca(ca_cert))
        return sp_error_set(SECIP_EINVAL, "secip_ca_server_new: need the CA "
                                          "private key and CA certificate");
    secip_ca_server *ca = calloc(1, sizeof *ca);
    if (ca == NULL)
        return sp_error_set(SECIP_ENOMEM, "out of memory");
    ca->key = ca_key;
    ca->cert = ca_cert;
    secip_ca_policy_init(&ca->pol);
    int rc = sp_throttle_new(&ca->th);
    if (rc >= 0)
        rc = spl_mutex_new(&ca->audit_mu) < 0 ? SECIP_ENOMEM : 0;
    if (rc >= 0)
        rc = secip_server_new(ca_key, &ca->srv);
    if (rc >= 0)
        rc = secip_server_set_certificate(ca->srv, ca_cert);
    if (rc >= 0) {
        int need = secip_cert_to_pem(ca_cert, NULL, 0);
        ca->ca_pem = need > 0 ? malloc((size_t)need) : NULL;
        rc = ca->ca_pem == NULL
                 ? SECIP_ENOMEM
                 : secip_cert_to_pem(ca_cert, ca->ca_pem, (size_t)need);
    }
    if (rc < 0) {
        secip_ca_server_free(ca);
        return rc == SECIP_ENOMEM ? sp_error_set(rc, "out of memory") : rc;
    }
    sp_throttle_config(ca->th, ca->pol.throttle_base_ms,
                       ca->pol.throttle_max_ms, ca->pol.throttle_window_ms);
    *out = ca;
    return 0;
}

int secip_ca_server_set_database(secip_ca_server *ca, secip_ca_db *db,
                                 const char *audit_path)
{
    if (ca == NULL || db == NULL)
        return sp_error_set(SECIP_EINVAL, "NULL argument");
    const char *base = audit_path != NULL ? audit_path : db->dir;
    size_t n = strlen(base) + 16;
    char *p = malloc(n);
    if (p == NULL)
        return sp_error_set(SECIP_ENOMEM, "out of memory");
    if (audit_path != NULL)
        snprintf(p, n, "%s", audit_path);
    else
        snprintf(p, n, "%s/audit.log", db->dir);
    free(ca->audit_path);
    ca->audit_path = p;
    ca->db = db;
    return 0;
}

secip_ca_db *secip_ca_server_get_database(const secip_ca_server *ca)
{
    return ca != NULL ? ca->db : NULL;
}

int secip_ca_server_set_policy(secip_ca_server *ca, const secip_ca_policy *p)
{
    if (ca == NULL || p == NULL || p->lifetime_s < 60 ||
        p->lifetime_s > 36500LL * 86400 || p->throttle_max_ms < 1 ||
        p->throttle_base_ms < 1 || p->crl_validity_s < 1)
        return sp_error_set(SECIP_EINVAL, "bad CA policy");
    ca->pol = *p;
    sp_throttle_config(ca->th, p->throttle_base_ms, p->throttle_max_ms,
                       p->throttle_window_ms);
    return 0;
}

void sp_ca_audit(secip_ca_server *ca, json_object *ev)
{
    spl_mutex_lock(ca->audit_mu);
    sp_audit_append(ca->audit_path, ev);
    spl_mutex_unlock(ca->audit_mu);
}

static void reply(secip_session *s, json_object *ans)
{
    (void)secip_session_send_object(s, ans);
    json_object_put(ans);
}

json_object *sp_ca_handle(secip_ca_server *ca, secip_session *s,
                          sp_ca_conn *conn, json_object *req)
{
    const char *name = sp_json_str(req, "op", 0);
    if (name != NULL && strcmp(name, "enroll") == 0)
        return sp_ca_enroll(ca, s, req);
    if (name != NULL && strcmp(name, "challenge") == 0)
        return sp_ca_challenge(conn);
    if (name != NULL && strcmp(name, "renew") == 0)
        return sp_ca_renew(ca, s, conn, req);
    if (name != NULL && strcmp(name, "admin") == 0)
        return sp_ca_admin(ca, s, conn, req);
    if (name != NULL && strcmp(name, "revocations") == 0)
        return sp_ca_revocations(ca);
    return sp_ca_denied("unknown operation", 0);
}

static void ca_handler(secip_session *s, void *ud)
{
    secip_ca_server *ca = ud;
    sp_ca_conn conn;
    memset(&conn, 0, sizeof conn);
    for (int i = 0; i < MAX_REQUESTS; i++) {
        secip_message *m = NULL;
        if (secip_session_receive(s, &m, REQUEST_TIMEOUT_MS) < 0)
            break;
        json_object *req = secip_message_json(m);
        if (secip_message_type(m) != SECIP_OBJECT || req == NULL) {
            secip_message_free(m);
            reply(s, sp_ca_denied("bad request", 0));
            break;
        }
        reply(s, sp_ca_handle(ca, s, &conn, req));
        secip_message_free(m);
    }
    sp_wipe(&conn, sizeof conn);
}

int secip_ca_server_start(secip_ca_server *ca, const char *host, uint16_t port)
{
    if (ca == NULL || ca->db == NULL)
        return sp_error_set(SECIP_EINVAL, "CA server without a database");
    int rc = secip_server_set_handler(ca->srv, ca_handler, ca);
    if (rc >= 0)
        rc = secip_server_start(ca->srv, host, port);
    return rc;
}

uint16_t secip_ca_server_port(const secip_ca_server *ca)
{
    return ca != NULL ? secip_server_port(ca->srv) : 0;
}

int secip_ca_server_stop(secip_ca_server *ca)
{
    if (ca == NULL)
        return sp_error_set(SECIP_EINVAL, "NULL CA server");
    return secip_server_stop(ca->srv);
}

void secip_ca_server_free(secip_ca_server *ca)
{
    if (ca == NULL)
        return;
    secip_server_free(ca->srv);
    sp_throttle_free(ca->th);
    if (ca->audit_mu != NULL)
        spl_mutex_free(ca->audit_mu);
    free(ca->ca_pem);
    free(ca->audit_path);
    free(ca);
}
