/*
 * sdk/src/net/server_run.c -- a running server: the TLS profile of its
 * sessions, the listener, accepting into the loops round-robin, start and
 * stop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/cert_internal.h"
#include "crypto/key_internal.h"
#include "error.h"
#include "net/server_impl.h"

/* ---- accepting ----------------------------------------------------------- */

static int configure(secip_server *srv, secip_session *s)
{
    br_ssl_server_context *sc = &s->u.sc;
    int rc;
    br_ssl_server_zero(sc);
    sp_tls_engine_setup(&sc->eng);
    br_ssl_engine_add_flags(&sc->eng, BR_OPT_ENFORCE_SERVER_PREFERENCES |
                                          BR_OPT_FAIL_ON_ALPN_MISMATCH);
    br_ssl_server_set_single_rsa(sc, srv->chain, srv->chain_len,
                                 sp_key_rsa_sk(srv->key), BR_KEYTYPE_SIGN,
                                 br_rsa_private_get_default(),
                                 br_rsa_pkcs1_sign_get_default());
    rc = sp_tls_init(&s->tls, &sc->eng, &sp_session_tls_ops, s);
    if (rc < 0)
        return rc;
    if (srv->client_ca != NULL) {
        /* An abbreviated handshake carries no client certificate, so a
         * server that must name its clients does not resume. */
        sp_x509_rec_init(&s->rec, SP_TRUST_CA);
        s->rec.ca = srv->client_ca;
        s->rec.usage = SECIP_EKU_CLIENT;
        sp_server_crl_apply(srv, &s->rec);
        br_ssl_server_set_trust_anchor_names_alt(sc, &srv->ta, 1);
        br_ssl_engine_set_x509(&sc->eng, &s->rec.vtable);
    } else {
        br_ssl_server_set_cache(sc, &srv->lcache.vtable);
    }
    if (!br_ssl_server_reset(sc))
        return sp_error_set(SECIP_ETLS,
                            "TLS server reset failed (BearSSL "
                            "error %d)",
                            br_ssl_engine_last_error(&sc->eng));
    return 0;
}

typedef struct attach_req {
    secip_session *s;
    spl_tcp *conn;
} attach_req;

static void attach_fn(void *arg)
{
    attach_req *r = arg;
    sp_session_attach(r->s, r->conn);
    free(r);
}

static void close_conn_fn(void *arg)
{
    spl_tcp_close(arg, NULL, NULL);
}

static void on_accept(void *arg, int status, spl_tcp *conn);

static void accept_next(secip_server *srv)
{
    int rc;
    srv->next_target = sp_loopset_pick(srv->loops);
    rc = spl_tcp_accept(srv->listener, srv->next_target, on_accept, srv);
    if (rc < 0) {
        spl_mutex_lock(srv->mu);
        srv->listen_rc = rc; /* the listener is dead; stop() cleans up */
        spl_mutex_unlock(srv->mu);
    }
}

static void abort_conn_fn(void *arg)
{
    spl_tcp_abort(arg, NULL, NULL);
}

/* The peer's IP address without the port, from its name ("1.2.3.4:5" ->
 * "1.2.3.4", "[::1]:5" -> "::1").  An empty name counts as "?". */
static void peer_ip(const char *peer, char *ip, size_t cap)
{
    char name[80];
    char *end;
    const char *start = name;
    size_t n;
    if (peer[0] == '\0') {
        snprintf(ip, cap, "?");
        return;
    }
    snprintf(name, sizeof name, "%s", peer);
    if (name[0] == '[') {
        start = name + 1;
        end = strchr(name, ']');
    } else {
        end = strrchr(name, ':');
    }
    if (end != NULL)
        *end = '\0';
    /* An address longer than cap is cut: it still counts consistently. */
    n = strlen(start);
    if (n >= cap)
        n = cap - 1;
    memcpy(ip, start, n);
    ip[n] = '\0';
}

/* A connection beyond the limits: reset it at once, before any TLS work
 * (the handle belongs to the target loop: abort it there). */
static void refuse_conn(secip_server *srv, spl_tcp *conn)
{
    if (spl_loop_post(srv->next_target, abort_conn_fn, conn) < 0)
        spl_tcp_abort(conn, NULL, NULL); /* last resort */
}

/* Runs on the listener's loop; the connection belongs to next_target. */
static void start_session(secip_server *srv, spl_tcp *conn)
{
    secip_session *s = NULL;
    attach_req *r;
    addr_slot *slot;
    char ip[64], peer[64];
    int rc;

    /* One getpeername per connection: the session keeps the name. */
    if (spl_tcp_peer_name(conn, peer, sizeof peer) < 0)
        peer[0] = '\0';
    peer_ip(peer, ip, sizeof ip);
    slot = sp_server_admit(srv, ip);
    if (slot == NULL) {
        refuse_conn(srv, conn);
        return;
    }
    r = malloc(sizeof *r);
    rc = r ? sp_session_new(1, &srv->opts,
                            srv->have_cbs ? &sp_server_callback_hooks
                                          : &sp_server_blocking_hooks,
                            srv, &s)
           : SECIP_ENOMEM;
    if (rc == 0) {
        s->srv_addr = slot; /* given back when the session leaves the list */
        snprintf(s->peer_addr, sizeof s->peer_addr, "%s", peer);
        slot = NULL;
        s->queue_cap = srv->limits.max_queued_bytes;
        s->loop = srv->next_target;
        rc = configure(srv, s);
    }
    if (slot != NULL)
        sp_server_unadmit(srv, slot);
    if (rc == 0) {
        r->s = s;
        r->conn = conn;
        sp_server_list_add(srv, s);
        if (spl_loop_post(s->loop, attach_fn, r) == 0)
            return;
        sp_server_list_remove(srv, s); /* drops the owner's reference */
        rc = SECIP_ENOMEM;
    }
    free(r);
    if (s != NULL && s->srv_addr != NULL) {
        sp_server_unadmit(srv, s->srv_addr); /* never listed */
        s->srv_addr = NULL;
    }
    if (s != NULL)
        sp_session_release(s);
    /* the handle belongs to the target loop: close it there */
    if (spl_loop_post(srv->next_target, close_conn_fn, conn) < 0)
        spl_tcp_abort(conn, NULL, NULL); /* last resort */
}

static void on_retry(spl_timer *t, void *arg)
{
    (void)t;
    accept_next(arg);
}

static void on_accept(void *arg, int status, spl_tcp *conn)
{
    secip_server *srv = arg;
    if (status == SECIP_ECANCELED || status == SECIP_ECLOSED)
        return; /* the listener is closing */
    if (status == 0)
        start_session(srv, conn);
    sp_server_reap_handlers(srv, 0);
    /* An accept error (out of file descriptors, typically) would repeat at
     * once: wait a little instead of spinning the loop. */
    if (status < 0 && srv->retry != NULL &&
        spl_timer_start(srv->retry, 100, 0, on_retry, srv) == 0)
        return;
    accept_next(srv);
}

/* ---- start and stop ------------------------------------------------------ */

typedef struct listen_req {
    secip_server *srv;
    const char *host;
    uint16_t port;
} listen_req;

static void listen_fn(void *arg)
{
    listen_req *r = arg;
    secip_server *srv = r->srv;
    char detail[512];
    int rc = spl_tcp_listen(srv->lloop, r->host, r->port, 0, &srv->listener);
    snprintf(detail, sizeof detail, "%s", secip_last_error());
    if (rc == 0) {
        srv->port = spl_tcp_local_port(srv->listener);
        if (spl_timer_new(srv->lloop, &srv->retry) < 0)
            srv->retry = NULL; /* then errors are retried at once */
        accept_next(srv);
    }
    spl_mutex_lock(srv->mu);
    srv->listen_rc = rc;
    srv->listen_done = 1;
    spl_cond_broadcast(srv->cv);
    spl_mutex_unlock(srv->mu);
    if (rc < 0)
        sp_error_set(rc, "%s", detail);
}

static int make_identity(secip_server *srv)
{
    const secip_cert *cert = srv->cert;
    if (cert == NULL && srv->self_cert == NULL) {
        static const char *const dns[] = {"localhost"};
        static const char *const ips[] = {"127.0.0.1", "::1"};
        secip_cert_options o;
        int rc;
        secip_cert_options_init(&o);
        o.subject_cn = "secip self-signed server";
        o.dns_names = dns;
        o.dns_count = 1;
        o.ip_addrs = ips;
        o.ip_count = 2;
        o.ext_key_usage = SECIP_EKU_SERVER;
        rc = secip_cert_issue(&o, srv->key, NULL, srv->key, &srv->self_cert);
        if (rc < 0)
            return rc;
    }
    if (cert == NULL)
        cert = srv->self_cert;
    free(srv->chain);
    srv->chain = NULL;
    return sp_cert_br_chain(cert, &srv->chain, &srv->chain_len);
}

static int wait_listening(secip_server *srv)
{
    int rc;
    spl_mutex_lock(srv->mu);
    while (!srv->listen_done)
        spl_cond_wait(srv->cv, srv->mu);
    rc = srv->listen_rc;
    spl_mutex_unlock(srv->mu);
    return rc;
}

int secip_server_start(secip_server *srv, const char *host, uint16_t port)
{
    listen_req req;
    int rc;
    if (srv == NULL)
        return sp_error_set(SECIP_EINVAL, "secip_server_start: NULL server");
    if (srv->running)
        return sp_error_set(SECIP_EBUSY, "secip_server_start: already "
                                         "started");
    if (srv->handler == NULL && !srv->have_cbs)
        return sp_error_set(SECIP_EINVAL, "secip_server_start: set a handler "
                                          "or callbacks first");
    rc = make_identity(srv);
    if (rc < 0)
        return rc;
    rc = sp_loopset_start(srv->threads, &srv->loops);
    if (rc < 0)
        return rc;
    srv->lloop = srv->loops->loops[0];
    srv->listen_done = 0;
    srv->listener_closed = 0;
    srv->stopping = 0;
    req.srv = srv;
    req.host = host;
    req.port = port;
    rc = spl_loop_post(srv->lloop, listen_fn, &req);
    if (rc == 0)
        rc = wait_listening(srv);
    if (rc < 0) {
        char detail[512];
        snprintf(detail, sizeof detail, "%s", secip_last_error());
        sp_loopset_stop(srv->loops);
        srv->loops = NULL;
        srv->listener = NULL;
        return sp_error_set(rc, "%s", detail);
    }
    srv->running = 1;
    return 0;
}

static void on_listener_closed(spl_tcp *h, void *arg)
{
    secip_server *srv = arg;
    (void)h;
    spl_mutex_lock(srv->mu);
    srv->listener_closed = 1;
    spl_cond_broadcast(srv->cv);
    spl_mutex_unlock(srv->mu);
}

static void close_listener_fn(void *arg)
{
    secip_server *srv = arg;
    spl_timer_free(srv->retry);
    srv->retry = NULL;
    spl_tcp_close(srv->listener, on_listener_closed, srv);
}

/* Ask every session to close (abort those still in the handshake). */
static void close_all(secip_server *srv, int abort_all)
{
    secip_session **v;
    int n = 0;
    spl_mutex_lock(srv->mu);
    v = calloc((size_t)srv->live + 1, sizeof *v);
    for (secip_session *s = srv->sessions; v != NULL && s; s = s->srv_next) {
        sp_session_ref(s);
        v[n++] = s;
    }
    spl_mutex_unlock(srv->mu);
    for (int i = 0; i < n; i++) {
        int st;
        spl_mutex_lock(v[i]->mu);
        st = v[i]->state;
        spl_mutex_unlock(v[i]->mu);
        if (abort_all || st < SP_S_OPEN)
            sp_session_abort(v[i], SECIP_ECLOSED, "the server is stopping");
        else
            sp_session_request_close(v[i], SP_R_GOING_AWAY);
        sp_session_release(v[i]);
    }
    free(v);
}

static int wait_empty(secip_server *srv, uint64_t timeout_ms)
{
    uint64_t end = spl_clock_ms() + timeout_ms;
    int live;
    spl_mutex_lock(srv->mu);
    while (srv->live > 0 && spl_clock_ms() < end)
        (void)spl_cond_timedwait(srv->cv, srv->mu, end - spl_clock_ms());
    live = srv->live;
    spl_mutex_unlock(srv->mu);
    return live;
}

int secip_server_stop(secip_server *srv)
{
    if (srv == NULL)
        return sp_error_set(SECIP_EINVAL, "secip_server_stop: NULL server");
    if (!srv->running)
        return 0;
    srv->stopping = 1;
    if (spl_loop_post(srv->lloop, close_listener_fn, srv) == 0) {
        spl_mutex_lock(srv->mu);
        while (!srv->listener_closed)
            spl_cond_wait(srv->cv, srv->mu);
        spl_mutex_unlock(srv->mu);
    }
    close_all(srv, 0);
    if (wait_empty(srv, STOP_GRACE_MS) > 0) {
        close_all(srv, 1);
        /* handlers that never return keep this waiting: documented */
        while (wait_empty(srv, 1000) > 0)
            close_all(srv, 1);
    }
    sp_server_reap_handlers(srv, 1);
    sp_loopset_stop(srv->loops);
    srv->loops = NULL;
    srv->listener = NULL;
    srv->running = 0;
    srv->port = 0;
    return 0;
}

void secip_server_free(secip_server *srv)
{
    if (srv == NULL)
        return;
    secip_server_stop(srv);
    sp_server_crl_drop(srv);
    for (int b = 0; b < ADDR_BUCKETS; b++) /* empty once stopped */
        while (srv->addrs[b] != NULL) {
            addr_slot *a = srv->addrs[b];
            srv->addrs[b] = a->next;
            free(a);
        }
    secip_cert_free(srv->self_cert);
    free(srv->chain);
    free(srv->cache_buf);
    sp_session_options_release(&srv->opts);
    spl_cond_free(srv->cv);
    spl_mutex_free(srv->mu);
    spl_mutex_free(srv->cache_mu);
    free(srv);
}
