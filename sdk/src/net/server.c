/*
 * sdk/src/net/server.c -- secip_server: identity, listener, accepting into
 * the loops round-robin, the shared session cache, and the two styles of
 * handing sessions to the application (handler threads or callbacks).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/cert_internal.h"
#include "crypto/key_internal.h"
#include "error.h"
#include "net/server_impl.h"

/* ---- session cache ------------------------------------------------------- */

static secip_session *session_of(br_ssl_server_context *sc)
{
    return (secip_session *)(void *)((char *)sc -
                                     offsetof(secip_session, u.sc));
}

static void lc_save(const br_ssl_session_cache_class **ctx,
                    br_ssl_server_context *sc,
                    const br_ssl_session_parameters *p)
{
    secip_server *srv = ((const locked_cache *)(const void *)ctx)->srv;
    spl_mutex_lock(srv->cache_mu);
    srv->lru.vtable->save(&srv->lru.vtable, sc, p);
    spl_mutex_unlock(srv->cache_mu);
}

static int lc_load(const br_ssl_session_cache_class **ctx,
                   br_ssl_server_context *sc, br_ssl_session_parameters *p)
{
    secip_server *srv = ((const locked_cache *)(const void *)ctx)->srv;
    int r;
    spl_mutex_lock(srv->cache_mu);
    r = srv->lru.vtable->load(&srv->lru.vtable, sc, p);
    spl_mutex_unlock(srv->cache_mu);
    if (r)
        session_of(sc)->resumed_hint = 1;
    return r;
}

static const br_ssl_session_cache_class lc_vtable = {sizeof(locked_cache),
                                                     lc_save, lc_load};

/* ---- configuration ------------------------------------------------------- */

int secip_server_new(const secip_key *key, secip_server **out)
{
    secip_server *srv;
    if (out == NULL || key == NULL)
        return sp_error_set(SECIP_EINVAL, "secip_server_new: NULL argument");
    *out = NULL;
    if (!secip_key_has_private(key))
        return sp_error_set(SECIP_EINVAL, "secip_server_new: the key has no "
                                          "private part");
    srv = calloc(1, sizeof *srv);
    if (srv == NULL)
        return sp_error_set(SECIP_ENOMEM, "out of memory for a server");
    srv->key = key;
    secip_session_options_init(&srv->opts);
    secip_server_limits_init(&srv->limits);
    srv->cache_buf = malloc(CACHE_BYTES);
    if (srv->cache_buf == NULL || spl_mutex_new(&srv->mu) < 0 ||
        spl_mutex_new(&srv->cache_mu) < 0 || spl_cond_new(&srv->cv) < 0) {
        secip_server_free(srv);
        return sp_error_set(SECIP_ENOMEM, "out of memory for a server");
    }
    br_ssl_session_cache_lru_init(&srv->lru, srv->cache_buf, CACHE_BYTES);
    srv->lcache.vtable = &lc_vtable;
    srv->lcache.srv = srv;
    *out = srv;
    return 0;
}

int secip_server_set_certificate(secip_server *srv, const secip_cert *cert)
{
    secip_key *pub = NULL;
    int rc, same;
    if (srv == NULL || cert == NULL)
        return sp_error_set(SECIP_EINVAL, "set_certificate: NULL argument");
    rc = secip_cert_public_key(cert, &pub);
    if (rc < 0)
        return rc;
    same = secip_key_public_equal(pub, srv->key);
    secip_key_free(pub);
    if (!same)
        return sp_error_set(SECIP_EINVAL, "set_certificate: the certificate "
                                          "is not for the server's key");
    srv->cert = cert;
    return 0;
}

int secip_server_require_client_cert(secip_server *srv, const secip_cert *ca)
{
    if (srv == NULL || ca == NULL)
        return sp_error_set(SECIP_EINVAL, "require_client_cert: NULL");
    srv->client_ca = ca;
    memset(&srv->ta, 0, sizeof srv->ta);
    srv->ta.dn.data = (unsigned char *)(uintptr_t)ca->subject_dn.p;
    srv->ta.dn.len = ca->subject_dn.len;
    srv->ta.flags = BR_X509_TA_CA;
    srv->ta.pkey = ca->pkey;
    return 0;
}

int secip_server_set_options(secip_server *srv,
                             const secip_session_options *opts)
{
    if (srv == NULL || opts == NULL)
        return sp_error_set(SECIP_EINVAL, "set_options: NULL argument");
    if (sp_session_options_check(opts) < 0)
        return SECIP_EINVAL;
    return sp_session_options_store(&srv->opts, opts); /* copies files_dir */
}

void secip_server_get_options(const secip_server *srv,
                              secip_session_options *out)
{
    if (srv != NULL && out != NULL)
        *out = srv->opts;
}

/* ---- server-wide limits ------------------------------------------------- */

void secip_server_limits_init(secip_server_limits *lim)
{
    if (lim == NULL)
        return;
    memset(lim, 0, sizeof *lim);
    lim->max_sessions = SECIP_DEFAULT_MAX_SESSIONS;
    lim->max_sessions_per_address = SECIP_DEFAULT_MAX_PER_ADDRESS;
    lim->max_queued_bytes = SECIP_DEFAULT_MAX_QUEUED_BYTES;
}

#define MAX_SESSIONS_CEIL 1000000u
#define QUEUED_MIN        (64u * 1024u)
#define QUEUED_MAX        ((uint64_t)1 << 40)

int secip_server_set_limits(secip_server *srv, const secip_server_limits *lim)
{
    secip_server_limits l;
    if (srv == NULL || lim == NULL)
        return sp_error_set(SECIP_EINVAL, "set_limits: NULL argument");
    l = *lim;
    if (l.max_sessions == 0)
        l.max_sessions = SECIP_DEFAULT_MAX_SESSIONS;
    if (l.max_sessions_per_address == 0)
        l.max_sessions_per_address = SECIP_DEFAULT_MAX_PER_ADDRESS;
    if (l.max_queued_bytes == 0)
        l.max_queued_bytes = SECIP_DEFAULT_MAX_QUEUED_BYTES;
    if (l.max_sessions > MAX_SESSIONS_CEIL)
        return sp_error_set(SECIP_EINVAL,
                            "set_limits: max_sessions %lu is out of range "
                            "1..%lu",
                            (unsigned long)l.max_sessions,
                            (unsigned long)MAX_SESSIONS_CEIL);
    if (l.max_sessions_per_address > MAX_SESSIONS_CEIL)
        return sp_error_set(SECIP_EINVAL,
                            "set_limits: max_sessions_per_address %lu is out "
                            "of range 1..%lu",
                            (unsigned long)l.max_sessions_per_address,
                            (unsigned long)MAX_SESSIONS_CEIL);
    if (l.max_queued_bytes < QUEUED_MIN || l.max_queued_bytes > QUEUED_MAX)
        return sp_error_set(SECIP_EINVAL,
                            "set_limits: max_queued_bytes %llu is out of "
                            "range 64 KiB..1 TiB",
                            (unsigned long long)l.max_queued_bytes);
    srv->limits = l;
    return 0;
}

void secip_server_get_limits(const secip_server *srv, secip_server_limits *out)
{
    if (srv != NULL && out != NULL)
        *out = srv->limits;
}

uint64_t secip_server_refused(const secip_server *srv)
{
    if (srv == NULL)
        return 0;
    return (uint64_t)spl_atomic_load(
        &((secip_server *)(uintptr_t)srv)->refused);
}

int secip_server_set_threads(secip_server *srv, int threads)
{
    if (srv == NULL || threads < 0)
        return sp_error_set(SECIP_EINVAL, "set_threads: bad argument");
    srv->threads = threads;
    return 0;
}

int secip_server_set_handler(secip_server *srv, secip_handler_fn fn,
                             void *user_data)
{
    if (srv == NULL || fn == NULL)
        return sp_error_set(SECIP_EINVAL, "set_handler: NULL argument");
    srv->handler = fn;
    srv->handler_ud = user_data;
    srv->have_cbs = 0;
    return 0;
}

int secip_server_set_callbacks(secip_server *srv,
                               const secip_server_callbacks *cbs,
                               void *user_data)
{
    if (srv == NULL || cbs == NULL)
        return sp_error_set(SECIP_EINVAL, "set_callbacks: NULL argument");
    srv->cbs = *cbs;
    srv->cb_ud = user_data;
    srv->have_cbs = 1;
    srv->handler = NULL;
    return 0;
}

uint16_t secip_server_port(const secip_server *srv)
{
    return srv != NULL ? srv->port : 0;
}

/* ---- session bookkeeping ------------------------------------------------- */

static unsigned addr_hash(const char *ip)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *ip; ip++)
        h = (h ^ (unsigned char)*ip) * 16777619u;
    return h % ADDR_BUCKETS;
}

addr_slot *sp_server_admit(secip_server *srv, const char *ip)
{
    addr_slot *a;
    unsigned b = addr_hash(ip);
    spl_mutex_lock(srv->mu);
    if ((uint32_t)srv->live >= srv->limits.max_sessions)
        goto refuse;
    for (a = srv->addrs[b]; a != NULL; a = a->next)
        if (strcmp(a->ip, ip) == 0)
            break;
    if (a != NULL && a->count >= srv->limits.max_sessions_per_address)
        goto refuse;
    if (a == NULL) {
        a = calloc(1, sizeof *a);
        if (a == NULL)
            goto refuse; /* memory is short: taking a session would not help */
        snprintf(a->ip, sizeof a->ip, "%s", ip);
        a->next = srv->addrs[b];
        srv->addrs[b] = a;
    }
    a->count++;
    spl_mutex_unlock(srv->mu);
    return a;
refuse:
    spl_mutex_unlock(srv->mu);
    spl_atomic_add(&srv->refused, 1);
    return NULL;
}

/* Drop one session of slot a.  Caller holds srv->mu. */
static void addr_put_locked(secip_server *srv, addr_slot *a)
{
    addr_slot **pp;
    if (a == NULL || --a->count > 0)
        return;
    for (pp = &srv->addrs[addr_hash(a->ip)]; *pp != NULL; pp = &(*pp)->next)
        if (*pp == a) {
            *pp = a->next;
            free(a);
            return;
        }
}

void sp_server_unadmit(secip_server *srv, addr_slot *slot)
{
    spl_mutex_lock(srv->mu);
    addr_put_locked(srv, slot);
    spl_mutex_unlock(srv->mu);
}

void sp_server_list_add(secip_server *srv, secip_session *s)
{
    spl_mutex_lock(srv->mu);
    s->srv_next = srv->sessions;
    s->srv_prev = NULL;
    if (srv->sessions)
        srv->sessions->srv_prev = s;
    srv->sessions = s;
    srv->live++;
    spl_mutex_unlock(srv->mu);
}

/* Remove s and drop the owner's reference. */
void sp_server_list_remove(secip_server *srv, secip_session *s)
{
    spl_mutex_lock(srv->mu);
    if (s->srv_prev)
        s->srv_prev->srv_next = s->srv_next;
    else
        srv->sessions = s->srv_next;
    if (s->srv_next)
        s->srv_next->srv_prev = s->srv_prev;
    srv->live--;
    addr_put_locked(srv, s->srv_addr);
    s->srv_addr = NULL;
    spl_cond_broadcast(srv->cv);
    spl_mutex_unlock(srv->mu);
    sp_session_release(s);
}

static void handler_main(void *arg)
{
    handler_node *h = arg;
    secip_server *srv = h->srv;
    secip_session *s = h->s;
    srv->handler(s, srv->handler_ud);
    sp_session_shutdown(s, SP_R_NORMAL);
    sp_server_list_remove(srv, s);
    spl_mutex_lock(srv->mu); /* also waits for the creator's bookkeeping */
    h->done = 1;
    spl_mutex_unlock(srv->mu);
}

/* Join handler threads that have finished (they are exiting). */
void sp_server_reap_handlers(secip_server *srv, int all)
{
    handler_node *keep = NULL, *done = NULL, *h, *next;
    spl_mutex_lock(srv->mu);
    for (h = srv->handlers; h != NULL; h = next) {
        next = h->next;
        if (h->done || all) {
            h->next = done;
            done = h;
        } else {
            h->next = keep;
            keep = h;
        }
    }
    srv->handlers = keep;
    spl_mutex_unlock(srv->mu);
    for (h = done; h != NULL; h = next) {
        next = h->next;
        spl_thread_join(h->thread);
        free(h);
    }
}

static void on_open_hook(secip_session *s)
{
    secip_server *srv = s->owner;
    handler_node *h;
    if (srv->have_cbs) {
        if (srv->cbs.on_open)
            srv->cbs.on_open(s, srv->cb_ud);
        return;
    }
    h = calloc(1, sizeof *h);
    if (h == NULL) {
        sp_session_abort(s, SECIP_ENOMEM, "out of memory for a handler");
        return;
    }
    h->s = s;
    h->srv = srv;
    spl_mutex_lock(srv->mu);
    if (spl_thread_create(&h->thread, handler_main, h) < 0) {
        spl_mutex_unlock(srv->mu);
        free(h);
        sp_session_abort(s, SECIP_EIO, "cannot start a handler thread");
        return;
    }
    s->has_handler = 1;
    h->next = srv->handlers;
    srv->handlers = h;
    spl_mutex_unlock(srv->mu);
}

static void on_message_hook(secip_session *s, secip_message *m)
{
    secip_server *srv = s->owner;
    if (srv->cbs.on_message)
        srv->cbs.on_message(s, m, srv->cb_ud);
    else
        secip_message_free(m);
}

static void on_closed_hook(secip_session *s, int status)
{
    secip_server *srv = s->owner;
    if (srv->have_cbs && s->was_open && srv->cbs.on_close)
        srv->cbs.on_close(s, status, srv->cb_ud);
    if (!s->has_handler)
        sp_server_list_remove(srv, s); /* else the handler thread does it */
}

const sp_session_hooks sp_server_blocking_hooks = {on_open_hook, NULL,
                                                   on_closed_hook, NULL};
const sp_session_hooks sp_server_callback_hooks = {
    on_open_hook, on_message_hook, on_closed_hook, NULL};
