/*
 * tests/net/test_net_hostile.c -- hostile peers against a callback server:
 * garbage instead of TLS, a peer that stops mid-handshake, and after the
 * handshake garbage, truncated and oversized frames, invalid UTF-8, a
 * non-object OBJECT and JSON nested 10,000 deep.  Each ends its session
 * with a clear status on both sides, and the server keeps serving.
 */
#include <stdlib.h>
#include <string.h>

#include "net/session_impl.h"
#include "net_util.h"
#include "platform.h"
#include "testutil.h"

static nt_pki pki;
static uint16_t port;
static spl_mutex *mu;
static int closes, last_status;

static void cb_message(secip_session *s, secip_message *m, void *ud)
{
    size_t len;
    const void *d = secip_message_data(m, &len);
    (void)ud;
    (void)secip_session_send_bytes(s, d, len);
    secip_message_free(m);
}

static void cb_close(secip_session *s, int st, void *ud)
{
    (void)s;
    (void)ud;
    spl_mutex_lock(mu);
    closes++;
    last_status = st;
    spl_mutex_unlock(mu);
}

static int closes_now(void)
{
    int n;
    spl_mutex_lock(mu);
    n = closes;
    spl_mutex_unlock(mu);
    return n;
}

/* Wait for the server's on_close number `n` and return its status. */
static int server_status(int n)
{
    int st;
    for (int i = 0; i < 500 && closes_now() < n; i++)
        spl_sleep_ms(10);
    spl_mutex_lock(mu);
    CHECK(closes >= n);
    st = last_status;
    spl_mutex_unlock(mu);
    return st;
}

static void still_serving(void)
{
    secip_client *c;
    secip_session *s;
    int n = closes_now();
    CHECK_OK(secip_client_new(&c));
    CHECK_OK(secip_client_connect(c, "127.0.0.1", port, 10000, &s));
    CHECK_OK(secip_session_send_text(s, "still there?"));
    nt_expect(s, SECIP_BYTES, "still there?", 12);
    secip_client_free(c);
    CHECK(server_status(n + 1) == SECIP_ECLOSED);
}

/* Send raw frames after the handshake; both sides must end with `code`. */
static void hostile_frames(const char *what, const void *bytes, size_t len,
                           int code, const char *reason)
{
    secip_client *c;
    secip_session *s;
    secip_message *m = NULL;
    int n = closes_now(), rc;
    tu_log("hostile: %s", what);
    CHECK_OK(secip_client_new(&c));
    CHECK_OK(secip_client_connect(c, "127.0.0.1", port, 10000, &s));
    CHECK_OK(sp_session_send_raw(s, bytes, len));
    rc = secip_session_receive(s, &m, 5000);
    tu_log("  client sees %d: %s", rc, secip_last_error());
    CHECK(rc == code);
    CHECK(nt_detail_has(reason));
    CHECK(server_status(n + 1) == code);
    secip_client_free(c);
    still_serving();
}

static void test_after_handshake(void)
{
    static const uint8_t unknown[] = {0x7f, 0x01, 0, 0, 0, 0, 0, 0};
    static const uint8_t huge[] = {0x01, 0x01, 0, 0, 0xff, 0xff, 0xff, 0xff};
    static const uint8_t bad_utf8[] = {0x02, 0x01, 0, 0,    0,
                                       0,    0,    2, 0xc0, 0xaf};
    static const uint8_t not_obj[] = {0x03, 0x01, 0, 0, 0, 0, 0, 2, '[', ']'};
    static const uint8_t reserved[] = {0x01, 0x81, 0, 0, 0, 0, 0, 0};
    enum { DEPTH = 10000 };
    uint8_t *deep = malloc(8 + 2 * DEPTH);

    hostile_frames("unknown frame type", unknown, sizeof unknown, SECIP_ENOTSUP,
                   "unsupported");
    hostile_frames("reserved flag bits", reserved, sizeof reserved,
                   SECIP_EPROTO, "protocol");
    hostile_frames("frame announcing 4 GiB", huge, sizeof huge, SECIP_ETOOBIG,
                   "too big");
    hostile_frames("invalid UTF-8 text", bad_utf8, sizeof bad_utf8,
                   SECIP_EFORMAT, "invalid data");
    hostile_frames("array sent as OBJECT", not_obj, sizeof not_obj,
                   SECIP_EFORMAT, "invalid data");
    CHECK(deep != NULL);
    deep[0] = 0x04; /* LIST */
    deep[1] = 0x01;
    deep[2] = deep[3] = 0;
    sp_be32_write(deep + 4, 2 * DEPTH);
    memset(deep + 8, '[', DEPTH);
    memset(deep + 8 + DEPTH, ']', DEPTH);
    hostile_frames("JSON nested 10,000 deep", deep, 8 + 2 * DEPTH,
                   SECIP_EFORMAT, "invalid data");
    free(deep);
}

/* A frame cut off by a connection that ends without close_notify. */
static void test_truncated(void)
{
    static const uint8_t part[] = {0x01, 0x01, 0, 0, 0, 0, 0, 100, 'a', 'b'};
    secip_client *c;
    secip_session *s;
    int n = closes_now(), st;
    CHECK_OK(secip_client_new(&c));
    CHECK_OK(secip_client_connect(c, "127.0.0.1", port, 10000, &s));
    CHECK_OK(sp_session_send_raw(s, part, sizeof part));
    spl_sleep_ms(100);
    sp_session_abort(s, SECIP_ECANCELED, "test: hang up");
    st = server_status(n + 1);
    tu_log("truncated frame: server status %d", st);
    CHECK(st == SECIP_ECONNRESET);
    secip_client_free(c);
    still_serving();
}

static void test_before_handshake(void)
{
    static const char http[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    static const uint8_t half_hello[] = {0x16, 0x03, 0x01, 0x00, 0xc8, 0x01};
    uint64_t t0;

    CHECK(nt_raw_peer(port, http, sizeof http - 1, 5000) == 1);
    still_serving();
    t0 = spl_clock_ms();
    CHECK(nt_raw_peer(port, half_hello, sizeof half_hello, 5000) == 1);
    tu_log("stalled handshake dropped after %llu ms",
           (unsigned long long)(spl_clock_ms() - t0));
    CHECK(spl_clock_ms() - t0 < 3000);
    CHECK(nt_raw_peer(port, NULL, 0, 5000) == 1); /* silent peer */
    still_serving();
}

int main(void)
{
    secip_server_callbacks cbs = {NULL, cb_message, cb_close};
    secip_session_options o;
    secip_server *srv;

    CHECK_OK(spl_mutex_new(&mu));
    nt_pki_make(&pki);
    secip_session_options_init(&o);
    o.handshake_timeout_ms = 500;
    CHECK_OK(secip_server_new(pki.srv_key, &srv));
    CHECK_OK(secip_server_set_options(srv, &o));
    CHECK_OK(secip_server_set_callbacks(srv, &cbs, NULL));
    CHECK_OK(secip_server_start(srv, "127.0.0.1", 0));
    port = secip_server_port(srv);

    test_before_handshake();
    test_after_handshake();
    test_truncated();

    secip_server_free(srv);
    nt_pki_free(&pki);
    spl_mutex_free(mu);
    tu_log("ok");
    return 0;
}
