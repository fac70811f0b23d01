/*
 * tests/session/test_codec.c -- encoder -> decoder round trips: every type,
 * sizes around the frame boundaries, fragmented messages, feeding 1 byte at
 * a time and in odd chunks, packing of many small messages into one buffer,
 * interleaving of large and small messages through the send queue, and the
 * message accessors.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "sess_util.h"
#include "session/json_intake.h"
#include "session/message_impl.h"
#include "testutil.h"

/* A payload of exactly len bytes that is valid for the type. */
static uint8_t *make_payload(uint8_t type, size_t len, uint64_t seed)
{
    uint8_t *p = malloc(len + 1);
    size_t i;

    CHECK(p != NULL);
    if (type == SP_T_BYTES) {
        tu_fill(seed, 0, p, len);
    } else if (type == SP_T_TEXT) {
        /* Mixed 1-4 byte characters, ASCII to fill the exact length. */
        static const char *chars[] = {"a", "\xc3\xa9", "\xe2\x82\xac",
                                      "\xf0\x9f\x98\x80"};
        i = 0;
        while (i < len) {
            const char *c = chars[tu_pattern(seed, i) % 4];
            size_t n = strlen(c);
            if (n > len - i) {
                c = "z";
                n = 1;
            }
            memcpy(p + i, c, n);
            i += n;
        }
    } else {
        /* {"k":"...."} or ["...."] padded with text to the exact size. */
        const char *open = type == SP_T_OBJECT ? "{\"k\":\"" : "[\"";
        const char *close = type == SP_T_OBJECT ? "\"}" : "\"]";
        size_t o = strlen(open), c = strlen(close);
        CHECK(len >= o + c);
        memcpy(p, open, o);
        for (i = o; i < len - c; i++)
            p[i] = (uint8_t)('a' + tu_pattern(seed, i) % 26);
        memcpy(p + len - c, close, c);
    }
    p[len] = 0;
    return p;
}

static void check_message(const secip_message *m, uint8_t type,
                          const uint8_t *data, size_t len)
{
    size_t got = 12345;
    const uint8_t *d = secip_message_data(m, &got);

    CHECK(secip_message_type(m) == sp_message_type_of_frame(type));
    CHECK(got == len);
    CHECK(d != NULL && (len == 0 || memcmp(d, data, len) == 0));
    CHECK(d[len] == 0); /* always NUL-terminated */
    if (type == SP_T_TEXT) {
        CHECK(secip_message_text(m) == (const char *)d);
    } else {
        CHECK(secip_message_text(m) == NULL);
    }
    if (type == SP_T_OBJECT) {
        CHECK(json_object_is_type(secip_message_json(m), json_type_object));
        CHECK(strlen(json_object_get_string(json_object_object_get(
                  secip_message_json(m), "k"))) == len - 8);
    } else if (type == SP_T_LIST) {
        CHECK(json_object_is_type(secip_message_json(m), json_type_array));
        CHECK(json_object_array_length(secip_message_json(m)) == 1);
    } else {
        CHECK(secip_message_json(m) == NULL);
    }
}

static const size_t chunks[] = {0, 1, 3, 7, 8, 9, 17, 4096};

/* One message of each size, encoded with frame size F and decoded with
 * every chunk size. */
static void round_trip(uint8_t type, size_t len, uint32_t F)
{
    uint8_t *data = make_payload(type, len, len * 31 + type);
    size_t wire_len, c;
    uint8_t *wire = su_encode(type, data, len, F, 7, &wire_len);
    sp_limits lim = su_limits();

    CHECK(wire_len == sp_wire_size(len, F));
    CHECK(wire[0] == type);
    CHECK(wire[1] == (len <= F ? SP_F_FIN : 0));
    for (c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        su_result r;
        /* Byte-by-byte on big messages costs time, not coverage. */
        if (chunks[c] == 1 && wire_len > 300000)
            continue;
        su_decode(&lim, 0, wire, wire_len, chunks[c], &r);
        if (r.rc != 0)
            tu_log("type %u len %lu F %u chunk %lu: %s", (unsigned)type,
                   (unsigned long)len, (unsigned)F, (unsigned long)chunks[c],
                   secip_last_error());
        CHECK_OK(r.rc);
        CHECK(r.n == 1 && r.kinds[0] == SP_EV_MESSAGE);
        CHECK(r.streams[0] == (len <= F ? 0 : 7));
        CHECK(r.idle);
        check_message(r.msgs[0], type, data, len);
        su_result_free(&r);
    }
    free(wire);
    free(data);
}

static void test_round_trips(void)
{
    static const uint8_t types[] = {SP_T_BYTES, SP_T_TEXT, SP_T_OBJECT,
                                    SP_T_LIST};
    const uint32_t F = 64;
    const size_t sizes[] = {0,         1,         2,    10,    F - 8 - 1,
                            F - 8,     F - 1,     F,    F + 1, 2 * F - 8,
                            2 * F - 7, 3 * F + 5, 1000, 70000};
    size_t t, s;

    for (t = 0; t < sizeof types; t++) {
        for (s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            if (types[t] >= SP_T_OBJECT && sizes[s] < 10)
                continue; /* too short for the JSON template */
            round_trip(types[t], sizes[s], F);
        }
        /* Real frame sizes: the default 1 MiB, and 16 KiB (the minimum
         * every receiver accepts), around their boundaries. */
        round_trip(types[t], SP_DEFAULT_MAX_FRAME, SP_DEFAULT_MAX_FRAME);
        round_trip(types[t], SP_DEFAULT_MAX_FRAME + 1, SP_DEFAULT_MAX_FRAME);
        round_trip(types[t], 3 * SP_FRAME_MIN_MAX - 1, SP_FRAME_MIN_MAX);
    }
    round_trip(SP_T_BYTES, 5 * SP_DEFAULT_MAX_FRAME / 2, SP_DEFAULT_MAX_FRAME);
    tu_log("round trips: ok");
}

/* Many small messages packed into one buffer decode in order. */
static void test_packing(void)
{
    enum { N = 120 };
    sp_out_msg msgs[N];
    sp_outq q;
    sp_out_msg *done = NULL, *it;
    uint8_t buf[16384];
    char texts[N][16];
    size_t w, i;
    su_result r;
    sp_limits lim = su_limits();
    int ndone = 0;

    sp_outq_init(&q, 4);
    for (i = 0; i < N; i++) {
        int n = snprintf(texts[i], sizeof texts[i], "m%u", (unsigned)i);
        CHECK_OK(sp_out_msg_init(&msgs[i], SP_T_TEXT, texts[i], (size_t)n,
                                 SP_DEFAULT_MAX_FRAME, 0));
        sp_outq_push(&q, &msgs[i]);
    }
    w = sp_outq_fill(&q, buf, sizeof buf, &done);
    CHECK(sp_outq_empty(&q));
    for (it = done; it != NULL; it = it->next)
        ndone++;
    CHECK(ndone == N && done == &msgs[0]);
    /* Decode in two halves: at most SU_MAX_EVENTS each. */
    for (i = 0; i < 2; i++) {
        size_t start = 0, k, j;
        /* Find the frame boundary after N/2 messages by walking headers. */
        for (k = 0; k < N / 2; k++)
            start += 8 + sp_be32_read(buf + start + 4);
        su_decode(&lim, 0, i == 0 ? buf : buf + start,
                  i == 0 ? start : w - start, 5, &r);
        CHECK_OK(r.rc);
        CHECK(r.n == N / 2);
        for (j = 0; j < (size_t)r.n; j++)
            CHECK(strcmp(secip_message_text(r.msgs[j]),
                         texts[j + i * (N / 2)]) == 0);
        su_result_free(&r);
    }
}

/* A big message in the queue does not hold back small ones: the small
 * messages come out after at most one frame of the big one. */
static void test_interleave(void)
{
    const uint32_t F = 1024;
    const size_t big_len = 10 * F;
    uint8_t *big = make_payload(SP_T_BYTES, big_len, 99);
    sp_out_msg mb, ms[3], mc;
    uint8_t ping[SP_CONTROL_FRAME_MAX];
    const uint8_t op[8] = {9, 9, 9, 9, 9, 9, 9, 9};
    sp_outq q;
    sp_out_msg *done = NULL;
    uint8_t *buf = malloc(20 * F);
    size_t w = 0, k;
    su_result r;
    sp_limits lim = su_limits();
    int pos_big = -1, pinged = 0;

    CHECK(buf != NULL);
    sp_outq_init(&q, 1);
    CHECK_OK(sp_out_msg_init(&mb, SP_T_BYTES, big, big_len, F, 0));
    sp_outq_push(&q, &mb);
    for (k = 0; k < 3; k++) {
        CHECK_OK(sp_out_msg_init(&ms[k], SP_T_TEXT, "small", 5, F, 0));
        sp_outq_push(&q, &ms[k]);
    }
    /* Fill in awkward slices so frames straddle fill() calls. */
    while (!sp_outq_empty(&q)) {
        size_t n = sp_outq_fill(&q, buf + w, 333, &done);
        CHECK(n > 0);
        w += n;
        if (w > 3 * F && w < 4 * F && !pinged) {
            CHECK(sp_encode_ping(ping, sizeof ping, 0, op) == 16);
            sp_out_msg_init_raw(&mc, ping, 16);
            pinged = 1;
            sp_outq_push_urgent(&q, &mc);
        }
        CHECK(w < 20 * F);
    }
    CHECK(w == sp_wire_size(big_len, F) + 3 * (8 + 5) + 16);
    su_decode(&lim, 0, buf, w, 0, &r);
    CHECK_OK(r.rc);
    CHECK(r.n == 5);
    for (k = 0; k < 5; k++)
        if (r.kinds[k] == SP_EV_MESSAGE &&
            secip_message_type(r.msgs[k]) == SECIP_BYTES)
            pos_big = (int)k;
    CHECK(pos_big == 4); /* the small ones and the PING completed first */
    CHECK(r.kinds[0] == SP_EV_MESSAGE && r.kinds[1] == SP_EV_MESSAGE &&
          r.kinds[2] == SP_EV_MESSAGE && r.kinds[3] == SP_EV_PING);
    check_message(r.msgs[4], SP_T_BYTES, big, big_len);
    /* The first small one starts right after the big one's first frame. */
    CHECK(buf[8 + 8 + (F - 8)] == SP_T_TEXT);
    su_result_free(&r);
    free(buf);
    free(big);
}

/* Two fragmented messages in flight on two streams; stream ids assigned
 * by the queue, reused after completion. */
static void test_two_streams(void)
{
    const uint32_t F = 256;
    uint8_t *a = make_payload(SP_T_BYTES, 5 * F, 1);
    uint8_t *b = make_payload(SP_T_TEXT, 3 * F, 2);
    sp_out_msg ma, mb, mc;
    sp_outq q;
    sp_out_msg *done = NULL;
    uint8_t *buf = malloc(20 * F);
    size_t w;
    su_result r;
    sp_limits lim = su_limits();

    sp_outq_init(&q, 2);
    CHECK_OK(sp_out_msg_init(&ma, SP_T_BYTES, a, 5 * F, F, 0));
    CHECK_OK(sp_out_msg_init(&mb, SP_T_TEXT, b, 3 * F, F, 0));
    CHECK_OK(sp_out_msg_init(&mc, SP_T_BYTES, a, 2 * F, F, 0));
    sp_outq_push(&q, &ma);
    sp_outq_push(&q, &mb);
    sp_outq_push(&q, &mc);
    w = sp_outq_fill(&q, buf, 20 * F, &done);
    CHECK(sp_outq_empty(&q));
    CHECK(ma.stream == 1 && mb.stream == 2);
    CHECK(mc.stream == 3); /* started while 1 was still open */
    su_decode(&lim, 0, buf, w, 100, &r);
    CHECK_OK(r.rc);
    CHECK(r.n == 3);
    CHECK(secip_message_type(r.msgs[0]) == SECIP_TEXT);
    check_message(r.msgs[0], SP_T_TEXT, b, 3 * F);
    su_result_free(&r);
    free(buf);
    free(a);
    free(b);
}

/* Zero-copy pieces: header, then a pointer into the caller's payload. */
static void test_pieces(void)
{
    uint8_t data[100];
    sp_out_msg m;
    const uint8_t *p;
    size_t n;

    tu_fill(5, 0, data, sizeof data);
    CHECK_OK(sp_out_msg_init(&m, SP_T_BYTES, data, 100, 64, 3));
    n = sp_out_msg_peek(&m, &p);
    CHECK(n == 16 && p[0] == SP_T_BYTES && p[1] == 0 && p[3] == 3);
    CHECK(sp_be32_read(p + 4) == 64 && sp_be64_read(p + 8) == 100);
    sp_out_msg_advance(&m, 16);
    n = sp_out_msg_peek(&m, &p);
    CHECK(n == 56 && p == data); /* no copy */
    sp_out_msg_advance(&m, 50);
    n = sp_out_msg_peek(&m, &p);
    CHECK(n == 6 && p == data + 50);
    sp_out_msg_advance(&m, 6);
    CHECK(sp_out_msg_at_boundary(&m));
    n = sp_out_msg_peek(&m, &p);
    CHECK(n == 8 && p[1] == (SP_F_FIN | SP_F_CONT) &&
          sp_be32_read(p + 4) == 44);
    sp_out_msg_advance(&m, 8);
    n = sp_out_msg_peek(&m, &p);
    CHECK(n == 44 && p == data + 56);
    sp_out_msg_advance(&m, 44);
    CHECK(sp_out_msg_done(&m));
    CHECK(sp_out_msg_peek(&m, &p) == 0);
    /* Invalid arguments. */
    CHECK_ERR(sp_out_msg_init(&m, SP_T_PING, data, 1, 64, 0), SECIP_EINVAL);
    CHECK_ERR(sp_out_msg_init(&m, SP_T_BYTES, data, 1, 15, 0), SECIP_EINVAL);
    CHECK_ERR(sp_out_msg_init(&m, SP_T_BYTES, NULL, 1, 64, 0), SECIP_EINVAL);
}

/* json-c value -> JSON text -> frames -> decoder -> an equal value. */
static void test_json_values(void)
{
    struct json_object *o = json_object_new_object();
    struct json_object *a = json_object_new_array();
    struct json_object *vals[2];
    const char *text;
    size_t len, wire_len, i;
    sp_limits lim = su_limits();

    json_object_object_add(o, "n", json_object_new_int(42));
    json_object_object_add(o, "s", json_object_new_string("\xc3\xa9/x\"\n"));
    json_object_array_add(a, json_object_new_double(1.5));
    json_object_array_add(a, json_object_get(o));
    vals[0] = o;
    vals[1] = a;
    for (i = 0; i < 2; i++) {
        uint8_t type = i == 0 ? SP_T_OBJECT : SP_T_LIST;
        uint8_t *wire;
        su_result r;
        CHECK_OK(sp_json_serialize(vals[i], type, &text, &len));
        CHECK(strchr(text, ' ') == NULL); /* compact */
        wire = su_encode(type, text, len, 16, 1, &wire_len);
        su_decode(&lim, 0, wire, wire_len, 3, &r);
        CHECK_OK(r.rc);
        CHECK(r.n == 1);
        CHECK(json_object_equal(secip_message_json(r.msgs[0]), vals[i]));
        su_result_free(&r);
        free(wire);
    }
    CHECK_ERR(sp_json_serialize(o, SP_T_LIST, &text, &len), SECIP_EINVAL);
    CHECK_ERR(sp_json_serialize(a, SP_T_OBJECT, &text, &len), SECIP_EINVAL);
    CHECK_ERR(sp_json_serialize(NULL, SP_T_OBJECT, &text, &len), SECIP_EINVAL);
    json_object_put(o);
    json_object_put(a);
}

static void test_accessors_null(void)
{
    size_t len = 7;
    CHECK_ERR(secip_message_type(NULL), SECIP_EINVAL);
    CHECK(secip_message_data(NULL, &len) == NULL && len == 0);
    CHECK(secip_message_text(NULL) == NULL);
    CHECK(secip_message_json(NULL) == NULL);
    secip_message_free(NULL);
}

int main(void)
{
    test_round_trips();
    test_packing();
    test_interleave();
    test_two_streams();
    test_pieces();
    test_json_values();
    test_accessors_null();
    tu_log("codec: ok");
    return 0;
}
