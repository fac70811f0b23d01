/*
 * sdk/src/net/server_impl.h -- internal: the layout of secip_server, shared
 * by server.c (configuration, cache, session bookkeeping, hooks) and
 * server_run.c (listener, accepting, start and stop).
 */
#ifndef SP_NET_SERVER_IMPL_H
#define SP_NET_SERVER_IMPL_H

#include <bearssl.h>

#include "net/loopset.h"
#include "net/session_impl.h"
#include "secip/server.h"

#define CACHE_BYTES   (64u * 1024u) /* ~600 sessions of BearSSL's LRU */
#define STOP_GRACE_MS 5000
#define ADDR_BUCKETS  256 /* per-address session counts, hashed */

/* Sessions held from one peer address (under the server's lock); freed
 * when the count drops to zero. */
typedef struct addr_slot {
    struct addr_slot *next;
    uint32_t count;
    char ip[64];
} addr_slot;

typedef struct handler_node {
    struct handler_node *next;
    spl_thread *thread;
    secip_session *s;
    secip_server *srv;
    int done;
} handler_node;

/* BearSSL's LRU cache is not thread-safe and sessions of one server run
 * on several loops: this class puts a lock around it. */
typedef struct locked_cache {
    const br_ssl_session_cache_class *vtable;
    secip_server *srv;
} locked_cache;

struct secip_server {
    const secip_key *key;
    const secip_cert *cert;
    secip_cert *self_cert;
    br_x509_certificate *chain;
    size_t chain_len;
    const secip_cert *client_ca;
    br_x509_trust_anchor ta; /* the client CA's name for CertificateRequest */
    secip_session_options opts;
    secip_server_limits limits; /* defaults filled in */
    int threads;
    secip_handler_fn handler;
    void *handler_ud;
    int have_cbs;
    secip_server_callbacks cbs;
    void *cb_ud;

    sp_loopset *loops;
    spl_loop *lloop;
    spl_tcp *listener;
    spl_timer *retry; /* re-arms accept after an error */
    spl_loop *next_target;
    uint16_t port;
    int listen_rc;

    br_ssl_session_cache_lru lru;
    unsigned char *cache_buf;
    locked_cache lcache;
    spl_mutex *cache_mu;

    spl_mutex *mu;     /* sessions, handlers, flags */
    secip_ca_crl *crl; /* server_crl.c: revocations, a reference, under mu */
    spl_cond *cv;
    secip_session *sessions;
    int live;
    addr_slot *addrs[ADDR_BUCKETS];
    spl_atomic refused; /* connections turned away by the limits */
    handler_node *handlers;
    int running, stopping, listen_done, listener_closed;
};

/* server.c */
extern const sp_session_hooks sp_server_blocking_hooks;
extern const sp_session_hooks sp_server_callback_hooks;
/** Add s to the server's sessions (the owner's reference moves there). */
void sp_server_list_add(secip_server *srv, secip_session *s);
/** Remove s and drop the owner's reference. */
void sp_server_list_remove(secip_server *srv, secip_session *s);
/**
 * Admission control on the listener's loop: count a new connection from
 * peer address ip ("1.2.3.4" or "::1") against the limits.  Returns its
 * address slot (to store in the session's srv_addr) or NULL when the
 * connection must be refused (counted in `refused`).
 */
addr_slot *sp_server_admit(secip_server *srv, const char *ip);
/** Give back a slot from sp_server_admit() whose session never joined the
 *  list (sp_server_list_remove gives back the slots of listed ones). */
void sp_server_unadmit(secip_server *srv, addr_slot *slot);
/** Join finished handler threads (all of them with `all`). */
void sp_server_reap_handlers(secip_server *srv, int all);

#endif /* SP_NET_SERVER_IMPL_H */
