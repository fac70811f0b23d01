/*
 * tests/ca/test_ca_throttle.c -- 1,000 wrong passwords in a row for one
 * user from 127.0.0.1: the CA checks only a handful of them, the gaps
 * between real checks double (exponential back-off), failures from that
 * address throttle other user names too, while another address
 * (127.0.0.2) is not throttled for other users; the real user, from
 * 127.0.0.2, is held back while the user's back-off lasts and enrolls once
 * the configured window has passed.
 */
#include <stdio.h>
#include <string.h>

#include "ca_util.h"

#define BASE_MS   2
#define MAX_MS    4000
#define WINDOW_MS 300
#define ATTEMPTS  1000

static ct_ca ca;

#define ATTACKER "127.0.0.1"
#define REAL     "127.0.0.2"

/* Enroll user from source address src: 0 or the error (reason in why). */
static int enroll_from(const char *src, const char *user, const char *pw,
                       const secip_key *key, char *why)
{
    secip_ca_client_options o;
    secip_cert *cert = NULL;
    secip_ca_client_options_init(&o);
    o.source_address = src;
    int rc = secip_ca_enroll_ex(&o, "127.0.0.1", ca.port, ca.cert, user, pw,
                                key, NULL, 0, &cert, why);
    if (rc == 0)
        CHECK_OK(secip_cert_verify(cert, ca.cert, NULL, 0, 0));
    secip_cert_free(cert);
    return rc;
}

static json_object *enroll_req(const char *user, const char *pw,
                               const char *pem);

/* One enroll request in session s: the reason ("" when granted) and the
 * retry-after in *retry (0 when absent).  The reason is a static copy. */
static const char *attempt(secip_session *s, const char *user, const char *pw,
                           const char *pem, uint64_t *retry)
{
    static char reason[SECIP_CA_REASON_MAX];
    json_object *req = enroll_req(user, pw, pem), *v = NULL;
    secip_message *m = NULL;
    CHECK_OK(secip_session_send_object(s, req));
    json_object_put(req);
    CHECK_OK(secip_session_receive(s, &m, 10000));
    json_object *ans = secip_message_json(m);
    snprintf(reason, sizeof reason, "%s", ct_reason(ans));
    *retry = json_object_object_get_ex(ans, "retry_after_ms", &v)
                 ? (uint64_t)json_object_get_int64(v)
                 : 0;
    secip_message_free(m);
    return reason;
}

static json_object *enroll_req(const char *user, const char *pw,
                               const char *pem)
{
    json_object *req = json_object_new_object();
    json_object_object_add(req, "op", json_object_new_string("enroll"));
    json_object_object_add(req, "username", json_object_new_string(user));
    json_object_object_add(req, "password", json_object_new_string(pw));
    json_object_object_add(req, "public_key", json_object_new_string(pem));
    return req;
}

int main(void)
{
    secip_ca_policy pol;
    secip_ca_policy_init(&pol);
    pol.throttle_base_ms = BASE_MS;
    pol.throttle_max_ms = MAX_MS;
    pol.throttle_window_ms = WINDOW_MS;
    ct_ca_start(&ca, "throttle", &pol);
    CHECK_OK(secip_ca_db_add_user(ca.db, "alice", "the-real-pw", 0));
    CHECK_OK(secip_ca_db_add_user(ca.db, "bob", "bobs-pw", 0));
    secip_key *key = NULL;
    char pem[SECIP_KEY_PEM_MAX];
    CHECK_OK(secip_key_generate(2048, &key));
    CHECK_OK(secip_key_to_pem(key, 0, pem, sizeof pem));

    /* The attacker: one session, 1,000 wrong passwords back to back. */
    secip_key *pub = NULL;
    char fp[65];
    secip_client *c = NULL;
    secip_session *s = NULL;
    CHECK_OK(secip_cert_public_key(ca.cert, &pub));
    CHECK_OK(secip_key_fingerprint(pub, fp));
    secip_key_free(pub);
    CHECK_OK(secip_client_new(&c));
    CHECK_OK(secip_client_set_pin(c, fp));
    CHECK_OK(secip_client_set_source_address(c, ATTACKER));
    CHECK_OK(secip_client_connect(c, "127.0.0.1", ca.port, 10000, &s));
    CHECK(strncmp(secip_session_peer_address(s), "127.0.0.1:", 10) == 0);
    uint64_t sent_at[64], checked_at[64];
    int checked = 0, throttled = 0;
    uint64_t t0 = spl_clock_ms(), max_retry = 0;
    for (int i = 0; i < ATTEMPTS; i++) {
        json_object *req = enroll_req("alice", "guess", pem);
        secip_message *m = NULL;
        uint64_t t_send = spl_clock_ms();
        CHECK_OK(secip_session_send_object(s, req));
        json_object_put(req);
        CHECK_OK(secip_session_receive(s, &m, 10000));
        json_object *ans = secip_message_json(m), *v = NULL;
        const char *why = ct_reason(ans);
        if (strcmp(why, "wrong password") == 0) {
            CHECK(checked < 64);
            sent_at[checked] = t_send;
            checked_at[checked++] = spl_clock_ms();
        } else {
            CHECK(strcmp(why, "throttled") == 0);
            CHECK(json_object_object_get_ex(ans, "retry_after_ms", &v));
            if ((uint64_t)json_object_get_int64(v) > max_retry)
                max_retry = (uint64_t)json_object_get_int64(v);
            throttled++;
        }
        secip_message_free(m);
    }
    uint64_t spent = spl_clock_ms() - t0;
    tu_log("%d attempts in %llu ms: %d checked, %d throttled, longest "
           "retry-after %llu ms",
           ATTEMPTS, (unsigned long long)spent, checked, throttled,
           (unsigned long long)max_retry);
    /* Real checks k happen no earlier than BASE * (2^(k-1) - 1) ms after
     * the first, so their number grows only with log2 of the time. */
    CHECK(checked >= 2 && checked <= 24);
    CHECK(throttled == ATTEMPTS - checked);
    /* The server failed request k-1 after we sent it, and could check
     * request k only once the back-off had passed, before we got the
     * answer: so answer k came at least the back-off after sending k-1. */
    for (int k = 1; k < checked; k++) {
        uint64_t gap = checked_at[k] - sent_at[k - 1];
        uint64_t want = (uint64_t)BASE_MS << (k - 1);
        if (want > MAX_MS)
            want = MAX_MS;
        CHECK(gap >= want);
    }
    /* The attack took time exponential in the number of real checks: at
     * least the sum of the back-offs before the last one. */
    CHECK(spent >= ((uint64_t)BASE_MS << (checked - 1)) - BASE_MS ||
          ((uint64_t)BASE_MS << (checked - 1)) > MAX_MS);
    /* Keep guessing (bounded) until the back-off is long (1 s), then,
     * without a new handshake that could outlast it: another user name
     * from this address is throttled too, and so is alice even with the
     * right password. */
    uint64_t deadline = spl_clock_ms() + 20000, retry = 0;
    while (retry < 1000) {
        CHECK(spl_clock_ms() < deadline);
        const char *why = attempt(s, "alice", "guess", pem, &retry);
        if (strcmp(why, "wrong password") == 0)
            checked++;
    }
    CHECK(strcmp(attempt(s, "bob", "guess", pem, &retry), "throttled") == 0);
    CHECK(strcmp(attempt(s, "alice", "the-real-pw", pem, &retry),
                 "throttled") == 0);
    uint64_t backoff_end = spl_clock_ms() + retry;
    secip_client_free(c);

    /* The real user, from another address, during alice's back-off: the
     * per-user throttle holds her back; bob from that address is not
     * throttled (the address throttle is per address). */
    char why[SECIP_CA_REASON_MAX];
    CHECK_ERR(enroll_from(REAL, "alice", "the-real-pw", key, why),
              SECIP_EDENIED);
    CHECK(strcmp(why, "throttled") == 0);
    CHECK(spl_clock_ms() < backoff_end); /* the check above was in time */
    CHECK_OK(enroll_from(REAL, "bob", "bobs-pw", key, why));
    tu_log("from " REAL ": alice throttled during her back-off, bob enrolls");

    /* Once the back-off and the window have passed, the real user gets
     * through from her own address. */
    uint64_t now = spl_clock_ms();
    spl_sleep_ms((uint32_t)(backoff_end > now ? backoff_end - now : 0) +
                 WINDOW_MS + 50);
    CHECK_OK(enroll_from(REAL, "alice", "the-real-pw", key, why));
    tu_log("real user enrolled from " REAL " after the window");
    secip_key_free(key);
    ct_ca_stop(&ca);
    tu_log("ok");
    return 0;
}
