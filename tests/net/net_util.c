/*
 * tests/net/net_util.c -- fixtures of the session tests (net_util.h).
 */
#include "net_util.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "platform.h"
#include "testutil.h"

static secip_cert *issue(const char *cn, const char *const *dns, size_t ndns,
                         const char *const *ips, size_t nips, unsigned eku,
                         secip_key *key, secip_cert *ca, secip_key *ca_key)
{
    secip_cert_options o;
    secip_cert *c = NULL;
    secip_cert_options_init(&o);
    o.subject_cn = cn;
    o.dns_names = dns;
    o.dns_count = ndns;
    o.ip_addrs = ips;
    o.ip_count = nips;
    o.ext_key_usage = eku;
    CHECK_OK(secip_cert_issue(&o, key, ca, ca_key, &c));
    return c;
}

void nt_pki_make(nt_pki *p)
{
    static const char *const dns[] = {"localhost", "server.test"};
    static const char *const ips[] = {"127.0.0.1"};
    uint64_t t0 = spl_clock_ms();
    memset(p, 0, sizeof *p);
    CHECK_OK(secip_key_generate(2048, &p->ca_key));
    CHECK_OK(secip_key_generate(2048, &p->srv_key));
    CHECK_OK(secip_key_generate(2048, &p->cli_key));
    CHECK_OK(secip_cert_create_ca(p->ca_key, "Test CA", NULL, 30, &p->ca));
    p->srv_cert = issue("server.test", dns, 2, ips, 1, SECIP_EKU_SERVER,
                        p->srv_key, p->ca, p->ca_key);
    CHECK_OK(secip_cert_chain_append(p->srv_cert, p->ca));
    p->cli_cert = issue("alice", NULL, 0, NULL, 0, SECIP_EKU_CLIENT, p->cli_key,
                        p->ca, p->ca_key);
    tu_log("PKI ready in %llu ms", (unsigned long long)(spl_clock_ms() - t0));
}

void nt_pki_free(nt_pki *p)
{
    secip_cert_free(p->ca);
    secip_cert_free(p->srv_cert);
    secip_cert_free(p->cli_cert);
    secip_key_free(p->ca_key);
    secip_key_free(p->srv_key);
    secip_key_free(p->cli_key);
}

void nt_other_ca(secip_key **key, secip_cert **ca)
{
    CHECK_OK(secip_key_generate(2048, key));
    CHECK_OK(secip_cert_create_ca(*key, "Other CA", NULL, 30, ca));
}

static int echo_one(secip_session *s, secip_message *m)
{
    size_t len;
    const void *d = secip_message_data(m, &len);
    switch (secip_message_type(m)) {
    case SECIP_BYTES: return secip_session_send_bytes(s, d, len);
    case SECIP_TEXT: return secip_session_send_text_len(s, d, len);
    case SECIP_OBJECT:
        return secip_session_send_object(s, secip_message_json(m));
    case SECIP_LIST: return secip_session_send_list(s, secip_message_json(m));
    default: return SECIP_EINVAL;
    }
}

void nt_echo_handler(secip_session *s, void *ud)
{
    (void)ud;
    for (int i = 0; i < 1000000; i++) {
        secip_message *m = NULL;
        int rc = secip_session_receive(s, &m, 20000);
        if (rc < 0)
            return;
        rc = echo_one(s, m);
        secip_message_free(m);
        if (rc < 0)
            return;
    }
}

void nt_expect(secip_session *s, int type, const void *data, size_t len)
{
    secip_message *m = NULL;
    size_t got;
    const void *d;
    CHECK_OK(secip_session_receive(s, &m, 5000));
    CHECK(secip_message_type(m) == type);
    d = secip_message_data(m, &got);
    CHECK(got == len);
    CHECK(len == 0 || memcmp(d, data, len) == 0);
    secip_message_free(m);
}

void nt_roundtrip_all(secip_session *s)
{
    static const char text[] = "h\xc3\xa9llo, w\xc3\xb6rld";
    uint8_t *big = malloc(300000);
    json_object *obj = json_object_new_object();
    json_object *list = json_object_new_array();
    const char *js;
    CHECK(big != NULL && obj != NULL && list != NULL);
    tu_fill(7, 0, big, 300000);
    json_object_object_add(obj, "a", json_object_new_int(1));
    json_object_array_add(list, json_object_new_string("x"));
    json_object_array_add(list, json_object_new_int(2));

    CHECK_OK(secip_session_send_bytes(s, "\x00\x01\x02", 3));
    CHECK_OK(secip_session_send_bytes(s, "", 0));
    CHECK_OK(secip_session_send_text(s, text));
    CHECK_OK(secip_session_send_object(s, obj));
    CHECK_OK(secip_session_send_list(s, list));
    CHECK_OK(secip_session_send_bytes(s, big, 300000)); /* fragmented */
    CHECK_ERR(secip_session_send_object(s, list), SECIP_EINVAL);
    CHECK_ERR(secip_session_send_text(s, "\xc0\xaf"), SECIP_EFORMAT);

    nt_expect(s, SECIP_BYTES, "\x00\x01\x02", 3);
    nt_expect(s, SECIP_BYTES, "", 0);
    nt_expect(s, SECIP_TEXT, text, strlen(text));
    js = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN);
    nt_expect(s, SECIP_OBJECT, js, strlen(js));
    js = json_object_to_json_string_ext(list, JSON_C_TO_STRING_PLAIN);
    nt_expect(s, SECIP_LIST, js, strlen(js));
    nt_expect(s, SECIP_BYTES, big, 300000);
    json_object_put(obj);
    json_object_put(list);
    free(big);
}

static spl_mutex *g_shared;
int nt_closed_count, nt_last_status;

void nt_shared_init(void)
{
    CHECK_OK(spl_mutex_new(&g_shared));
}

void nt_shared_free(void)
{
    spl_mutex_free(g_shared);
}

void nt_lock(void)
{
    spl_mutex_lock(g_shared);
}

void nt_unlock(void)
{
    spl_mutex_unlock(g_shared);
}

int nt_get(const int *p)
{
    int v;
    nt_lock();
    v = *p;
    nt_unlock();
    return v;
}

void nt_on_close(secip_session *s, int status, void *ud)
{
    (void)s;
    (void)ud;
    nt_lock();
    nt_closed_count++;
    nt_last_status = status;
    nt_unlock();
}

int nt_detail_has(const char *needle)
{
    const char *d = secip_last_error();
    if (strstr(d, needle) != NULL)
        return 1;
    tu_log("detail '%s' lacks '%s'", d, needle);
    return 0;
}

/* ---- raw TCP peer -------------------------------------------------------- */

typedef struct raw_peer {
    spl_loop *loop;
    spl_tcp *h;
    const void *data;
    size_t len;
    int closed_by_server;
    uint8_t buf[4096];
    spl_timer *timer;
} raw_peer;

static void raw_done(spl_tcp *h, void *arg)
{
    raw_peer *r = arg;
    (void)h;
    spl_loop_stop(r->loop);
}

static void raw_finish(raw_peer *r)
{
    spl_timer_stop(r->timer);
    spl_tcp_close(r->h, raw_done, r);
}

static void raw_on_read(spl_tcp *h, void *arg, ptrdiff_t n)
{
    raw_peer *r = arg;
    if (n > 0 && spl_tcp_read(h, r->buf, sizeof r->buf, raw_on_read, r) == 0)
        return; /* the server may answer with an alert first */
    if (n <= 0 && n != SECIP_ECANCELED)
        r->closed_by_server = 1;
    if (n != SECIP_ECANCELED)
        raw_finish(r);
}

static void raw_on_write(spl_tcp *h, void *arg, ptrdiff_t n)
{
    (void)h;
    (void)arg;
    (void)n;
}

static void raw_on_timeout(spl_timer *t, void *arg)
{
    raw_peer *r = arg;
    (void)t;
    raw_finish(r);
}

static void raw_on_connect(void *arg, int status, spl_tcp *conn)
{
    raw_peer *r = arg;
    spl_iov iov;
    CHECK_OK(status);
    r->h = conn;
    iov.base = r->data;
    iov.len = r->len;
    if (r->len > 0)
        CHECK_OK(spl_tcp_write(conn, &iov, 1, raw_on_write, r));
    CHECK_OK(spl_tcp_read(conn, r->buf, sizeof r->buf, raw_on_read, r));
}

int nt_raw_peer(uint16_t port, const void *data, size_t len,
                uint32_t timeout_ms)
{
    raw_peer r;
    memset(&r, 0, sizeof r);
    r.data = data;
    r.len = len;
    CHECK_OK(spl_loop_new(&r.loop));
    CHECK_OK(spl_timer_new(r.loop, &r.timer));
    CHECK_OK(spl_timer_start(r.timer, timeout_ms, 0, raw_on_timeout, &r));
    CHECK_OK(
        spl_tcp_connect(r.loop, "127.0.0.1", port, 5000, raw_on_connect, &r));
    CHECK_OK(spl_loop_run(r.loop));
    spl_timer_free(r.timer);
    spl_loop_free(r.loop);
    return r.closed_by_server;
}
