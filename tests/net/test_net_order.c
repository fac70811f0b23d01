/*
 * tests/net/test_net_order.c -- a stream of messages of mixed sizes from
 * an application thread: small ones share queue nodes (SP_BATCH_CAP),
 * larger ones have their own, the largest are cut into frames.  The server
 * checks every payload, that messages sent whole arrive in the order sent
 * (fragmented ones may complete later: PROTOCOL "Delivery order"), and the
 * totals; the client's statistics must count every message.
 */
#include <stdio.h>
#include <string.h>

#include "net_util.h"
#include "platform.h"
#include "testutil.h"

#define COUNT 20000u

/* 0 carries no sequence number; 70000 is fragmented (frames <= 16 KiB). */
static const size_t sizes[] = {4, 64, 511, 512, 513, 0, 3000, 64, 70000, 8};
#define NSIZES (sizeof sizes / sizeof sizes[0])

typedef struct tally {
    uint64_t msgs, bytes, errors;
    int64_t last_seq; /* of the last message sent whole */
} tally;

static spl_mutex *mu;
static tally seen;

static void fill(uint8_t *p, size_t len, uint32_t seq)
{
    for (size_t j = 0; j < len; j++)
        p[j] = (uint8_t)(seq * 31u + j);
    if (len >= 4)
        memcpy(p, &seq, 4);
}

static void on_message(secip_session *s, secip_message *m, void *ud)
{
    static uint8_t want[70000];
    size_t len = 0;
    const uint8_t *d = secip_message_data(m, &len);
    uint32_t seq = 0;
    (void)ud;
    if (secip_message_type(m) == SECIP_TEXT) { /* the end: report */
        uint64_t out[3];
        spl_mutex_lock(mu);
        out[0] = seen.msgs;
        out[1] = seen.bytes;
        out[2] = seen.errors;
        spl_mutex_unlock(mu);
        CHECK_OK(secip_session_send_bytes(s, out, sizeof out));
        secip_message_free(m);
        return;
    }
    spl_mutex_lock(mu);
    seen.msgs++;
    seen.bytes += len;
    if (len >= 4) {
        memcpy(&seq, d, 4);
        fill(want, len, seq);
        if (seq >= COUNT || sizes[seq % NSIZES] != len ||
            memcmp(d, want, len) != 0)
            seen.errors++;
        else if (len <= 16384) {
            if ((int64_t)seq <= seen.last_seq)
                seen.errors++; /* a whole message overtook a later one */
            seen.last_seq = seq;
        }
    }
    spl_mutex_unlock(mu);
    secip_message_free(m);
}

int main(void)
{
    secip_server_callbacks cbs = {NULL, on_message, NULL};
    static uint8_t buf[70000];
    uint64_t bytes = 0, got[3];
    secip_session_stats st;
    secip_server *srv;
    secip_client *c;
    secip_session *s = NULL;
    secip_message *m = NULL;
    secip_key *key;
    size_t len;

    CHECK_OK(spl_mutex_new(&mu));
    seen.last_seq = -1;
    CHECK_OK(secip_key_generate(2048, &key));
    CHECK_OK(secip_server_new(key, &srv));
    CHECK_OK(secip_server_set_callbacks(srv, &cbs, NULL));
    CHECK_OK(secip_server_start(srv, "127.0.0.1", 0));
    CHECK_OK(secip_client_new(&c));
    CHECK_OK(secip_client_connect(c, "127.0.0.1", secip_server_port(srv),
                                  10000, &s));
    for (uint32_t i = 0; i < COUNT; i++) {
        size_t n = sizes[i % NSIZES];
        fill(buf, n, i);
        CHECK_OK(secip_session_send_bytes(s, buf, n));
        bytes += n;
    }
    CHECK_OK(secip_session_send_text(s, "end"));
    CHECK_OK(secip_session_receive(s, &m, 30000));
    CHECK(secip_message_data(m, &len) != NULL && len == sizeof got);
    memcpy(got, secip_message_data(m, &len), sizeof got);
    secip_message_free(m);
    tu_log("server: %llu messages, %llu bytes, %llu errors",
           (unsigned long long)got[0], (unsigned long long)got[1],
           (unsigned long long)got[2]);
    CHECK(got[0] == COUNT);
    CHECK(got[1] == bytes);
    CHECK(got[2] == 0);
    secip_session_stats_get(s, &st);
    CHECK(st.messages_out == COUNT + 1);
    CHECK(st.bytes_out == bytes + 3);
    secip_client_free(c);
    secip_server_free(srv);
    secip_key_free(key);
    spl_mutex_free(mu);
    tu_log("ok");
    return 0;
}
