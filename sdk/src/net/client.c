/*
 * sdk/src/net/client.c -- secip_client: trust configuration, connect with a
 * timeout on the shared client loops, resumption of the last TLS session.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca/ca_internal.h"
#include "crypto/cert_internal.h"
#include "crypto/key_internal.h"
#include "crypto/util.h"
#include "error.h"
#include "net/loopset.h"
#include "net/session_impl.h"
#include "secip/ca.h"
#include "secip/client.h"

struct secip_client {
    sp_loopset *loops;
    const secip_cert *ca;
    char name[256];
    int have_pin;
    unsigned char pin[32];
    const secip_key *id_key;
    br_x509_certificate *id_chain; /* entries point into the identity cert */
    size_t id_chain_len;
    secip_session_options opts;
    char source[64];   /* local address to connect from, "" for any */
    spl_mutex *crl_mu; /* guards crl: set from any thread */
    secip_ca_crl *crl; /* a reference, or NULL */
    secip_session *session;
    /* resumption: the last session's parameters and proven identity */
    int have_params;
    br_ssl_session_parameters params;
    char last_host[256];
    uint16_t last_port;
    int last_verified;
    char last_fp[65];
    char last_name[256];
    /* event style (secip_client_set_callbacks) */
    int have_cbs;
    secip_client_callbacks cbs;
    void *cb_ud;
};

static const sp_session_hooks client_hooks = {NULL, NULL, NULL, NULL};

/* Event style: the session's owner is the client, which outlives it. */
static void cb_message_hook(secip_session *s, secip_message *m)
{
    secip_client *c = s->owner;
    if (c->cbs.on_message != NULL)
        c->cbs.on_message(s, m, c->cb_ud);
    else
        secip_message_free(m);
}

/* on_ending: before connect or free can wake and free the client. */
static void cb_closed_hook(secip_session *s, int status)
{
    secip_client *c = s->owner;
    if (s->was_open && c->cbs.on_close != NULL)
        c->cbs.on_close(s, status, c->cb_ud);
}

/* Messages are queued for receive unless the callbacks take them. */
static const sp_session_hooks client_cb_hooks = {NULL, cb_message_hook, NULL,
                                                 cb_closed_hook};
static const sp_session_hooks client_close_hooks = {NULL, NULL, NULL,
                                                    cb_closed_hook};

int secip_client_set_callbacks(secip_client *c,
                               const secip_client_callbacks *cbs,
                               void *user_data)
{
    if (c == NULL)
        return sp_error_set(SECIP_EINVAL, "set_callbacks: NULL client");
    c->have_cbs = cbs != NULL;
    if (cbs != NULL)
        c->cbs = *cbs;
    else
        memset(&c->cbs, 0, sizeof c->cbs);
    c->cb_ud = user_data;
    return 0;
}

static const sp_session_hooks *hooks_of(const secip_client *c)
{
    if (!c->have_cbs)
        return &client_hooks;
    return c->cbs.on_message != NULL ? &client_cb_hooks : &client_close_hooks;
}

int secip_client_new(secip_client **out)
{
    secip_client *c;
    int rc;
    if (out == NULL)
        return sp_error_set(SECIP_EINVAL, "secip_client_new: NULL out");
    *out = NULL;
    c = calloc(1, sizeof *c);
    if (c == NULL)
        return sp_error_set(SECIP_ENOMEM, "out of memory for a client");
    rc = spl_mutex_new(&c->crl_mu);
    if (rc < 0) {
        free(c);
        return rc;
    }
    rc = sp_client_loops_acquire(&c->loops);
    if (rc < 0) {
        spl_mutex_free(c->crl_mu);
        free(c);
        return rc;
    }
    secip_session_options_init(&c->opts);
    *out = c;
    return 0;
}

/* A change of trust must not resume a session proven under another. */
static void forget_session(secip_client *c)
{
    c->have_params = 0;
    sp_wipe(&c->params, sizeof c->params);
}

int secip_client_set_ca(secip_client *c, const secip_cert *ca)
{
    if (c == NULL || ca == NULL)
        return sp_error_set(SECIP_EINVAL, "secip_client_set_ca: NULL");
    c->ca = ca;
    forget_session(c);
    return 0;
}

int secip_client_set_server_name(secip_client *c, const char *name)
{
    if (c == NULL || name == NULL || strlen(name) >= sizeof c->name)
        return sp_error_set(SECIP_EINVAL,
                            "secip_client_set_server_name: NULL or longer "
                            "than 255 bytes");
    snprintf(c->name, sizeof c->name, "%s", name);
    forget_session(c);
    return 0;
}

int secip_client_set_pin(secip_client *c, const char *sha256_hex)
{
    int rc;
    if (c == NULL)
        return sp_error_set(SECIP_EINVAL, "secip_client_set_pin: NULL");
    rc = sp_parse_fingerprint(sha256_hex, c->pin);
    if (rc < 0)
        return rc;
    c->have_pin = 1;
    forget_session(c);
    return 0;
}

int secip_client_set_identity(secip_client *c, const secip_key *key,
                              const secip_cert *cert)
{
    secip_key *pub = NULL;
    int rc, same;
    if (c == NULL || key == NULL || cert == NULL || !secip_key_has_private(key))
        return sp_error_set(SECIP_EINVAL,
                            "secip_client_set_identity: NULL argument or "
                            "key without private part");
    rc = secip_cert_public_key(cert, &pub);
    if (rc < 0)
        return rc;
    same = secip_key_public_equal(pub, key);
    secip_key_free(pub);
    if (!same)
        return sp_error_set(SECIP_EINVAL, "client identity: the certificate "
                                          "is not for this key");
    free(c->id_chain);
    c->id_chain = NULL;
    rc = sp_cert_br_chain(cert, &c->id_chain, &c->id_chain_len);
    if (rc < 0)
        return rc;
    c->id_key = key;
    forget_session(c);
    return 0;
}

int secip_client_set_revocations(secip_client *c, const secip_ca_crl *crl)
{
    secip_ca_crl *old;
    if (c == NULL)
        return sp_error_set(SECIP_EINVAL,
                            "secip_client_set_revocations: NULL client");
    spl_mutex_lock(c->crl_mu);
    if (crl != NULL && c->ca != NULL && !sp_crl_signed_by(crl, c->ca)) {
        spl_mutex_unlock(c->crl_mu);
        return sp_error_set(SECIP_EINVAL, "revocation list: signed by another "
                                          "CA than the client trusts");
    }
    old = c->crl;
    c->crl = sp_crl_ref(crl);
    /* A resumed session skips the certificate, so it would skip the list:
     * the next connect makes a full handshake. */
    forget_session(c);
    spl_mutex_unlock(c->crl_mu);
    secip_ca_crl_free(old);
    return 0;
}

int secip_client_set_source_address(secip_client *c, const char *addr)
{
    unsigned char ip[16];
    if (c == NULL)
        return sp_error_set(SECIP_EINVAL,
                            "secip_client_set_source_address: NULL client");
    if (addr != NULL &&
        (strlen(addr) >= sizeof c->source || sp_ip_parse(addr, ip) <= 0))
        return sp_error_set(SECIP_EINVAL,
                            "source address '%.80s' is not a numeric IPv4 "
                            "or IPv6 address",
                            addr);
    snprintf(c->source, sizeof c->source, "%s", addr != NULL ? addr : "");
    return 0;
}

int secip_client_set_options(secip_client *c, const secip_session_options *o)
{
    if (c == NULL || o == NULL)
        return sp_error_set(SECIP_EINVAL, "secip_client_set_options: NULL");
    if (sp_session_options_check(o) < 0)
        return SECIP_EINVAL;
    return sp_session_options_store(&c->opts, o); /* copies files_dir */
}

secip_session *secip_client_session(const secip_client *c)
{
    return c != NULL ? c->session : NULL;
}

/* Keep what a reconnect needs to resume, then let the session go. */
static void drop_session(secip_client *c)
{
    secip_session *s = c->session;
    if (s == NULL)
        return;
    c->session = NULL;
    sp_session_shutdown(s, SP_R_GOING_AWAY);
    spl_mutex_lock(c->crl_mu); /* have_params: see set_revocations */
    spl_mutex_lock(s->mu);
    if (s->have_params && s->was_open) {
        c->params = s->params;
        c->have_params = 1;
        c->last_verified = s->verified;
        memcpy(c->last_fp, s->fingerprint, sizeof c->last_fp);
        snprintf(c->last_name, sizeof c->last_name, "%s", s->peer_name);
    }
    spl_mutex_unlock(s->mu);
    spl_mutex_unlock(c->crl_mu);
    sp_session_release(s);
}

/* ---- connecting ---------------------------------------------------------- */

typedef struct connect_req {
    secip_session *s;
    uint16_t port;
    uint32_t timeout_ms;
    char host[256];
    char source[64]; /* "" for any */
} connect_req;

static void on_connected(void *arg, int status, spl_tcp *conn)
{
    connect_req *r = arg;
    secip_session *s = r->s;
    if (status < 0) {
        sp_error_set(status, "connect %s:%u: %s", r->host, (unsigned)r->port,
                     secip_strerror(status));
        free(r);
        sp_session_fail_unattached(s, status);
        return;
    }
    free(r);
    sp_session_attach(s, conn);
}

static void connect_fn(void *arg)
{
    connect_req *r = arg;
    int rc =
        spl_tcp_connect_from(r->s->loop, r->source[0] ? r->source : NULL,
                             r->host, r->port, r->timeout_ms, on_connected, r);
    if (rc < 0) {
        secip_session *s = r->s;
        sp_error_wrap(rc, "connect %s:%u", r->host, (unsigned)r->port);
        free(r);
        sp_session_fail_unattached(s, rc);
    }
}

static int configure(secip_client *c, secip_session *s, const char *host,
                     uint16_t port)
{
    br_ssl_client_context *cc = &s->u.cc;
    unsigned char ip[16];
    int is_ip = sp_ip_parse(host, ip) > 0;
    int resume;
    int rc;

    br_ssl_client_zero(cc);
    sp_tls_engine_setup(&cc->eng);
    rc = sp_tls_init(&s->tls, &cc->eng, &sp_session_tls_ops, s);
    if (rc < 0)
        return rc;
    sp_x509_rec_init(&s->rec, c->ca         ? SP_TRUST_CA
                              : c->have_pin ? SP_TRUST_PIN
                                            : SP_TRUST_NONE);
    s->rec.ca = c->ca;
    s->rec.usage = SECIP_EKU_SERVER;
    memcpy(s->rec.pin, c->pin, sizeof s->rec.pin);
    snprintf(s->rec.name, sizeof s->rec.name, "%s",
             c->name[0] ? c->name : host);
    if (c->ca != NULL)
        snprintf(s->peer_name, sizeof s->peer_name, "%s", s->rec.name);
    spl_mutex_lock(c->crl_mu);
    sp_x509_rec_set_crl(&s->rec, c->crl);
    resume = c->have_params && c->last_port == port &&
             strcmp(c->last_host, host) == 0;
    if (resume) {
        s->params = c->params;
        s->have_params = 1;
        s->carry_verified = c->last_verified;
        memcpy(s->carry_fp, c->last_fp, sizeof s->carry_fp);
        snprintf(s->carry_name, sizeof s->carry_name, "%s", c->last_name);
    }
    spl_mutex_unlock(c->crl_mu);
    br_ssl_engine_set_x509(&cc->eng, &s->rec.vtable);
    if (c->id_key != NULL)
        br_ssl_client_set_single_rsa(cc, c->id_chain, c->id_chain_len,
                                     sp_key_rsa_sk(c->id_key),
                                     br_rsa_pkcs1_sign_get_default());
    if (resume)
        br_ssl_engine_set_session_parameters(&cc->eng, &s->params);
    /* SNI carries DNS names only (RFC 6066), never an address. */
    if (!br_ssl_client_reset(cc, is_ip ? NULL : s->rec.name, resume))
        return sp_error_set(SECIP_ETLS,
                            "TLS client reset failed (BearSSL "
                            "error %d)",
                            br_ssl_engine_last_error(&cc->eng));
    snprintf(c->last_host, sizeof c->last_host, "%s", host);
    c->last_port = port;
    return 0;
}

static int start_connect(secip_session *s, const char *source, const char *host,
                         uint16_t port, int timeout_ms)
{
    connect_req *r = calloc(1, sizeof *r);
    if (r == NULL)
        return sp_error_set(SECIP_ENOMEM, "out of memory connecting");
    r->s = s;
    r->port = port;
    r->timeout_ms = timeout_ms < 0 ? 0 : (uint32_t)timeout_ms;
    snprintf(r->host, sizeof r->host, "%s", host);
    snprintf(r->source, sizeof r->source, "%s", source);
    if (spl_loop_post(s->loop, connect_fn, r) < 0) {
        free(r);
        return sp_error_set(SECIP_ENOMEM, "out of memory connecting");
    }
    return 0;
}

int secip_client_connect(secip_client *c, const char *host, uint16_t port,
                         int timeout_ms, secip_session **out)
{
    secip_session *s = NULL;
    int rc, st;

    if (c == NULL || host == NULL || out == NULL || host[0] == '\0' ||
        strlen(host) >= 256)
        return sp_error_set(SECIP_EINVAL, "secip_client_connect: bad argument");
    *out = NULL;
    drop_session(c);
    rc = sp_session_new(0, &c->opts, hooks_of(c), c, &s);
    if (rc < 0)
        return rc;
    s->loop = sp_loopset_pick(c->loops);
    rc = configure(c, s, host, port);
    if (rc == 0)
        rc = start_connect(s, c->source, host, port, timeout_ms);
    if (rc < 0) {
        sp_session_release(s); /* never reached the loop: both refs */
        sp_session_release(s);
        return rc;
    }
    st = sp_session_wait_state(s, SP_S_OPEN, timeout_ms);
    if (st < SP_S_OPEN) {
        sp_session_abort(s, SECIP_ETIMEDOUT,
                         "connect: no session within "
                         "the timeout");
        (void)sp_session_wait_state(s, SP_S_CLOSED, -1);
    }
    spl_mutex_lock(s->mu);
    st = s->ever_open;
    spl_mutex_unlock(s->mu);
    if (!st) {
        rc = sp_session_report(s);
        sp_session_release(s);
        return rc;
    }
    c->session = s;
    *out = s;
    return 0;
}

void secip_client_free(secip_client *c)
{
    if (c == NULL)
        return;
    drop_session(c);
    forget_session(c);
    free(c->id_chain);
    sp_session_options_release(&c->opts);
    secip_ca_crl_free(c->crl);
    spl_mutex_free(c->crl_mu);
    sp_client_loops_release();
    free(c);
}
