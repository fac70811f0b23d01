/*
 * tests/session/test_hostile.c -- hostile and broken input to the decoder:
 * garbage, truncation, reserved bits, unknown types, lying lengths (4 GiB
 * frames, oversized totals), stream misuse, missing HELLO, bad control
 * frames, invalid UTF-8, bad JSON (wrong kind, 10,000 deep, trailing bytes)
 * and configurable limits.  Each must fail with its own code and CLOSE
 * reason, without crashing or leaking (run under ASan).
 */
#include <stdlib.h>
#include <string.h>

#include "sess_util.h"
#include "testutil.h"

static sp_limits lim;

/* Decode whole and byte by byte; both must agree.  Returns rc. */
static int decode2(const uint8_t *w, size_t n, int flags, su_result *r)
{
    su_result r1;
    su_decode(&lim, flags, w, n, 1, &r1);
    su_decode(&lim, flags, w, n, 0, r);
    CHECK(r1.rc == r->rc && r1.reason == r->reason && r1.n == r->n);
    su_result_free(&r1);
    return r->rc;
}

static void expect(const uint8_t *w, size_t n, int code, unsigned reason)
{
    su_result r;
    int rc = decode2(w, n, 0, &r);
    if (rc != code || r.reason != reason)
        tu_log("expected %d/%u, got %d/%u (%s)", code, reason, rc, r.reason,
               secip_last_error());
    CHECK(rc == code);
    CHECK(r.reason == reason);
    su_result_free(&r);
}

/* A message as one frame on stream 0. */
static size_t single(uint8_t *out, uint8_t type, const char *s, size_t n)
{
    return su_frame(out, type, SP_F_FIN, 0, (uint32_t)n, s, n);
}

/* First fragment: header, 8-byte total, data. */
static size_t first(uint8_t *out, uint8_t type, uint16_t stream, uint64_t total,
                    const void *data, size_t n)
{
    uint8_t pre[8];
    size_t w;
    sp_be64_write(pre, total);
    w = su_frame(out, type, 0, stream, (uint32_t)(8 + n), pre, 8);
    if (n > 0)
        memcpy(out + w, data, n);
    return w + n;
}

static void test_garbage(void)
{
    uint8_t buf[4096];
    uint64_t seed;
    for (seed = 1; seed <= 300; seed++) {
        su_result r;
        size_t n = 1 + (size_t)(tu_pattern(seed, 9999) * 16);
        tu_fill(seed, 0, buf, n);
        decode2(buf, n, (seed & 1) ? SP_DEC_REQUIRE_HELLO : 0, &r);
        /* Random bytes either fail cleanly or sit waiting for more. */
        CHECK(r.rc == 0 || r.rc == SECIP_EPROTO || r.rc == SECIP_ENOTSUP ||
              r.rc == SECIP_ETOOBIG || r.rc == SECIP_EFORMAT);
        CHECK(r.rc == 0 || r.reason != SP_R_NORMAL);
        su_result_free(&r);
    }
    /* Plain text where a secip stream belongs (e.g. an HTTP client). */
    expect((const uint8_t *)"GET / HTTP/1.1\r\n\r\n", 18, SECIP_ENOTSUP,
           SP_R_UNSUPPORTED);
}

static void test_truncated(void)
{
    uint8_t w[256];
    size_t n = single(w, SP_T_TEXT, "hello", 5), cut;
    n += first(w + n, SP_T_BYTES, 3, 100, "abc", 3);
    for (cut = 0; cut < n; cut++) {
        su_result r;
        decode2(w, cut, 0, &r);
        CHECK_OK(r.rc);
        CHECK(r.n == (cut >= 13 ? 1 : 0));
        CHECK(r.idle == (cut == 0 || cut == 13)); /* partial data held */
        su_result_free(&r);
    }
}

static void test_flags_and_types(void)
{
    uint8_t w[64];
    unsigned bit;
    for (bit = 2; bit < 8; bit++) {
        size_t n = su_frame(w, SP_T_BYTES, (uint8_t)(SP_F_FIN | (1u << bit)), 0,
                            1, "x", 1);
        expect(w, n, SECIP_EPROTO, SP_R_PROTOCOL);
    }
    expect(w, su_frame(w, 0x00, SP_F_FIN, 0, 0, NULL, 0), SECIP_ENOTSUP,
           SP_R_UNSUPPORTED);
    expect(w, su_frame(w, 0x05, SP_F_FIN, 0, 0, NULL, 0), SECIP_ENOTSUP,
           SP_R_UNSUPPORTED);
    expect(w, su_frame(w, 0xff, SP_F_FIN, 0, 0, NULL, 0), SECIP_ENOTSUP,
           SP_R_UNSUPPORTED);
    expect(w, su_frame(w, SP_T_FILE_BEGIN, SP_F_FIN, 1, 0, NULL, 0),
           SECIP_ENOTSUP, SP_R_UNSUPPORTED);
    /* Control frames are never fragmented, always on stream 0. */
    expect(w, su_frame(w, SP_T_PING, 0, 0, 8, "12345678", 8), SECIP_EPROTO,
           SP_R_PROTOCOL);
    expect(w, su_frame(w, SP_T_PING, SP_F_FIN, 2, 8, "12345678", 8),
           SECIP_EPROTO, SP_R_PROTOCOL);
    expect(w, su_frame(w, SP_T_PONG, SP_F_FIN, 0, 4, "1234", 4), SECIP_EPROTO,
           SP_R_PROTOCOL);
}

static void test_huge_announcements(void)
{
    uint8_t w[64];
    size_t n;
    su_result r;

    /* 4 GiB - 1 in the header: rejected on the 8 header bytes alone. */
    n = su_frame(w, SP_T_BYTES, SP_F_FIN, 0, 0xffffffffu, NULL, 0);
    CHECK(n == 8);
    expect(w, n, SECIP_ETOOBIG, SP_R_TOO_BIG);
    n = su_frame(w, SP_T_TEXT, 0, 1, 0xffffffffu, NULL, 0);
    expect(w, n, SECIP_ETOOBIG, SP_R_TOO_BIG);
    /* One byte over max_frame. */
    n = su_frame(w, SP_T_BYTES, SP_F_FIN, 0, SP_DEFAULT_MAX_FRAME + 1, NULL, 0);
    expect(w, n, SECIP_ETOOBIG, SP_R_TOO_BIG);
    /* A fragmented message announcing 4 GiB, and 2^64 - 1, in its total:
     * rejected on header + prefix alone. */
    n = first(w, SP_T_BYTES, 1, 4ull << 30, NULL, 0);
    expect(w, n, SECIP_ETOOBIG, SP_R_TOO_BIG);
    n = first(w, SP_T_BYTES, 1, UINT64_MAX, NULL, 0);
    expect(w, n, SECIP_ETOOBIG, SP_R_TOO_BIG);
    /* Exactly max_message announced is accepted (and waits for data). */
    n = first(w, SP_T_BYTES, 1, SP_DEFAULT_MAX_MESSAGE, "ab", 2);
    decode2(w, n, 0, &r);
    CHECK_OK(r.rc);
    CHECK(!r.idle);
}

static void test_streams(void)
{
    uint8_t w[512];
    size_t n;
    uint16_t s;

    /* Continuation with nothing open. */
    n = su_frame(w, SP_T_BYTES, SP_F_CONT | SP_F_FIN, 4, 1, "x", 1);
    expect(w, n, SECIP_EPROTO, SP_R_PROTOCOL);
    /* Single-frame message off stream 0; fragmented one on stream 0. */
    expect(w, su_frame(w, SP_T_BYTES, SP_F_FIN, 5, 1, "x", 1), SECIP_EPROTO,
           SP_R_PROTOCOL);
    expect(w, first(w, SP_T_BYTES, 0, 10, "x", 1), SECIP_EPROTO, SP_R_PROTOCOL);
    /* First fragment too short for its total. */
    expect(w, su_frame(w, SP_T_BYTES, 0, 1, 7, "1234567", 7), SECIP_EPROTO,
           SP_R_PROTOCOL);
    /* Total smaller than the data already sent. */
    expect(w, first(w, SP_T_BYTES, 1, 2, "abc", 3), SECIP_EPROTO,
           SP_R_PROTOCOL);
    /* Second message on an open stream. */
    n = first(w, SP_T_BYTES, 1, 10, "abc", 3);
    n += first(w + n, SP_T_BYTES, 1, 10, "abc", 3);
    expect(w, n, SECIP_EPROTO, SP_R_PROTOCOL);
    /* Continuation of another type. */
    n = first(w, SP_T_BYTES, 1, 10, "abc", 3);
    n += su_frame(w + n, SP_T_TEXT, SP_F_CONT, 1, 3, "abc", 3);
    expect(w, n, SECIP_EPROTO, SP_R_PROTOCOL);
    /* More than announced. */
    n = first(w, SP_T_BYTES, 1, 5, "abc", 3);
    n += su_frame(w + n, SP_T_BYTES, SP_F_CONT, 1, 3, "abc", 3);
    expect(w, n, SECIP_EPROTO, SP_R_PROTOCOL);
    /* FIN before the announced total. */
    n = first(w, SP_T_BYTES, 1, 10, "abc", 3);
    n += su_frame(w + n, SP_T_BYTES, SP_F_CONT | SP_F_FIN, 1, 3, "abc", 3);
    expect(w, n, SECIP_EPROTO, SP_R_PROTOCOL);
    /* Too many open streams (limit 4): the fifth fails. */
    n = 0;
    for (s = 1; s <= 5; s++)
        n += first(w + n, SP_T_BYTES, s, 10, "abc", 3);
    expect(w, n, SECIP_EPROTO, SP_R_PROTOCOL);
    /* A stream id is free again once its message completed. */
    n = first(w, SP_T_BYTES, 1, 4, "abc", 3);
    n += su_frame(w + n, SP_T_BYTES, SP_F_CONT | SP_F_FIN, 1, 1, "d", 1);
    n += first(w + n, SP_T_BYTES, 1, 3, "abc", 3);
    n += su_frame(w + n, SP_T_BYTES, SP_F_CONT | SP_F_FIN, 1, 0, NULL, 0);
    {
        su_result r;
        decode2(w, n, 0, &r);
        CHECK_OK(r.rc);
        CHECK(r.n == 2 && r.idle);
        su_result_free(&r);
    }
}

static void test_hello_and_control(void)
{
    uint8_t w[2048];
    size_t n;
    su_result r;
    const uint8_t op[8] = {1, 2, 3, 4, 5, 6, 7, 8};

    /* A session stream must start with HELLO. */
    n = single(w, SP_T_TEXT, "hi", 2);
    CHECK_ERR(decode2(w, n, SP_DEC_REQUIRE_HELLO, &r), SECIP_EPROTO);
    n = su_hello(w);
    n += single(w + n, SP_T_TEXT, "hi", 2);
    n += (size_t)sp_encode_ping(w + n, 16, 0, op);
    n += (size_t)sp_encode_ping(w + n, 16, 1, op);
    n += (size_t)sp_encode_error(w + n, 64, SP_R_POLICY, 7, "refused");
    n += (size_t)sp_encode_close(w + n, 64, SP_R_GOING_AWAY, "bye \xc3\xa9");
    CHECK_OK(decode2(w, n, SP_DEC_REQUIRE_HELLO, &r));
    CHECK(r.n == 6);
    CHECK(r.kinds[0] == SP_EV_HELLO && r.kinds[1] == SP_EV_MESSAGE &&
          r.kinds[2] == SP_EV_PING && r.kinds[3] == SP_EV_PONG &&
          r.kinds[4] == SP_EV_ERROR && r.kinds[5] == SP_EV_CLOSE);
    CHECK(r.codes[4] == SP_R_POLICY && r.streams[4] == 7 &&
          strcmp(r.texts[4], "refused") == 0);
    CHECK(r.codes[5] == SP_R_GOING_AWAY &&
          strcmp(r.texts[5], "bye \xc3\xa9") == 0);
    su_result_free(&r);
    /* Nothing may follow CLOSE. */
    n += single(w + n, SP_T_TEXT, "late", 4);
    CHECK_ERR(decode2(w, n, SP_DEC_REQUIRE_HELLO, &r), SECIP_EPROTO);
    su_result_free(&r);
    /* Two HELLOs. */
    n = su_hello(w);
    n += su_hello(w + n);
    CHECK_ERR(decode2(w, n, SP_DEC_REQUIRE_HELLO, &r), SECIP_EPROTO);
    /* HELLO with max_frame 0. */
    n = su_hello(w);
    memset(w + 8, 0, 4);
    CHECK_ERR(decode2(w, n, 0, &r), SECIP_EPROTO);
    /* CLOSE with invalid UTF-8 text. */
    n = su_frame(w, SP_T_CLOSE, SP_F_FIN, 0, 4, "\x00\x02\xc0\xaf", 4);
    expect(w, n, SECIP_EFORMAT, SP_R_INVALID_DATA);
}

static void test_bad_text(void)
{
    static const char *bad[] = {"\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                                "ok\xff",   "\x80",         "\xe2\x82"};
    uint8_t w[256];
    size_t i, n;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        n = single(w, SP_T_TEXT, bad[i], strlen(bad[i]));
        expect(w, n, SECIP_EFORMAT, SP_R_INVALID_DATA);
    }
    /* A character split across two fragments is fine... */
    n = first(w, SP_T_TEXT, 2, 3, "\xe2", 1);
    n += su_frame(w + n, SP_T_TEXT, SP_F_CONT | SP_F_FIN, 2, 2, "\x82\xac", 2);
    {
        su_result r;
        CHECK_OK(decode2(w, n, 0, &r));
        CHECK(r.n == 1 &&
              strcmp(secip_message_text(r.msgs[0]), "\xe2\x82\xac") == 0);
        su_result_free(&r);
    }
    /* ...a message ending inside one is not, nor a bad byte in fragment 2. */
    n = first(w, SP_T_TEXT, 2, 3, "ab", 2);
    n += su_frame(w + n, SP_T_TEXT, SP_F_CONT | SP_F_FIN, 2, 1, "\xc3", 1);
    expect(w, n, SECIP_EFORMAT, SP_R_INVALID_DATA);
    n = first(w, SP_T_TEXT, 2, 4, "ab", 2);
    n += su_frame(w + n, SP_T_TEXT, SP_F_CONT, 2, 1, "\xc3", 1);
    n += su_frame(w + n, SP_T_TEXT, SP_F_CONT | SP_F_FIN, 2, 1, "(", 1);
    expect(w, n, SECIP_EFORMAT, SP_R_INVALID_DATA);
    /* BYTES carry anything. */
    n = single(w, SP_T_BYTES, "\xff\xfe", 2);
    expect(w, n, 0, SP_R_NORMAL);
}

/* n levels of nesting: [[[...]]] or {"a":{"a":{}}}. */
static uint8_t *nest(int n, int objects, size_t *len)
{
    size_t cap = (size_t)n * 6 + 4, w = 0;
    uint8_t *p = malloc(cap);
    int i;
    CHECK(p != NULL && n >= 1);
    for (i = 0; i < n - 1; i++) {
        if (objects) {
            memcpy(p + w, "{\"a\":", 5);
            w += 5;
        } else {
            p[w++] = '[';
        }
    }
    p[w++] = objects ? '{' : '[';
    for (i = 0; i < n; i++)
        p[w++] = objects ? '}' : ']';
    *len = w;
    return p;
}

static int decode_json(uint8_t type, const uint8_t *s, size_t len)
{
    uint8_t *w = malloc(len + 64);
    su_result r;
    size_t n;
    CHECK(w != NULL && len <= lim.max_frame);
    n = su_frame(w, type, SP_F_FIN, 0, (uint32_t)len, s, len);
    su_decode(&lim, 0, w, n, 0, &r);
    su_result_free(&r);
    free(w);
    if (r.rc != 0)
        CHECK(r.reason == SP_R_INVALID_DATA || r.reason == SP_R_TOO_BIG);
    return r.rc;
}

#define JS(type, s) decode_json(type, (const uint8_t *)(s), strlen(s))

static void test_json(void)
{
    uint8_t *p;
    size_t len;
    int d, max_ok = 0;

    CHECK_OK(JS(SP_T_OBJECT, "{\"a\":[1,2,{\"b\":null}]}"));
    CHECK_OK(JS(SP_T_OBJECT, " {} \r\n\t"));
    CHECK_OK(JS(SP_T_LIST, "[]"));
    CHECK_OK(JS(SP_T_LIST, "[\"\xc3\xa9\", 1.5e3, true]"));
    /* Wrong kinds. */
    CHECK_ERR(JS(SP_T_OBJECT, "[1]"), SECIP_EFORMAT);
    CHECK_ERR(JS(SP_T_OBJECT, "\"s\""), SECIP_EFORMAT);
    CHECK_ERR(JS(SP_T_OBJECT, "null"), SECIP_EFORMAT);
    CHECK_ERR(JS(SP_T_OBJECT, "1 "), SECIP_EFORMAT);
    CHECK_ERR(JS(SP_T_OBJECT, "1"), SECIP_EFORMAT); /* truncated number */
    CHECK_ERR(JS(SP_T_LIST, "{}"), SECIP_EFORMAT);
    CHECK_ERR(JS(SP_T_LIST, "true"), SECIP_EFORMAT);
    /* Syntax, truncation, emptiness. */
    CHECK_ERR(JS(SP_T_OBJECT, ""), SECIP_EFORMAT);
    CHECK_ERR(JS(SP_T_OBJECT, "   "), SECIP_EFORMAT);
    CHECK_ERR(JS(SP_T_OBJECT, "{\"a\":1"), SECIP_EFORMAT);
    CHECK_ERR(JS(SP_T_OBJECT, "{\"a\" 1}"), SECIP_EFORMAT);
    CHECK_ERR(JS(SP_T_LIST, "[1,2,]"), SECIP_EFORMAT);
    CHECK_ERR(JS(SP_T_LIST, "[01]"), SECIP_EFORMAT);
    /* Not RFC 8259, although json-c alone would take it. */
    CHECK_ERR(JS(SP_T_LIST, "[NaN]"), SECIP_EFORMAT);
    CHECK_ERR(JS(SP_T_LIST, "[-Infinity]"), SECIP_EFORMAT);
    CHECK_ERR(JS(SP_T_LIST, "[1.]"), SECIP_EFORMAT);
    CHECK_ERR(JS(SP_T_OBJECT, "{'a':1}"), SECIP_EFORMAT);
    CHECK_ERR(JS(SP_T_LIST, "[\"a\tb\"]"), SECIP_EFORMAT);
    CHECK_ERR(JS(SP_T_LIST, "[/*c*/1]"), SECIP_EFORMAT);
    CHECK_ERR(JS(SP_T_LIST, "[True]"), SECIP_EFORMAT);
    CHECK_OK(JS(SP_T_LIST, "[1e5, 1E-5, -0.5e+3, 0, \"a\\\"b\\\\\", "
                           "\"NaN\\u0001\", true, false, null]"));
    /* Trailing garbage. */
    CHECK_ERR(JS(SP_T_OBJECT, "{} x"), SECIP_EFORMAT);
    CHECK_ERR(JS(SP_T_OBJECT, "{}{}"), SECIP_EFORMAT);
    CHECK_ERR(JS(SP_T_LIST, "[1]]"), SECIP_EFORMAT);
    CHECK_ERR(decode_json(SP_T_LIST, (const uint8_t *)"[1]\0", 4),
              SECIP_EFORMAT);
    CHECK_ERR(decode_json(SP_T_LIST, (const uint8_t *)"[\"a\0b\"]", 7),
              SECIP_EFORMAT);
    /* Invalid UTF-8 inside a string. */
    CHECK_ERR(JS(SP_T_LIST, "[\"\xc0\xaf\"]"), SECIP_EFORMAT);
    /* 10,000 deep: a clean error, no stack overflow. */
    p = nest(10000, 0, &len);
    CHECK_ERR(decode_json(SP_T_LIST, p, len), SECIP_EFORMAT);
    free(p);
    p = nest(10000, 1, &len);
    CHECK_ERR(decode_json(SP_T_OBJECT, p, len), SECIP_EFORMAT);
    free(p);
    /* The depth limit is configurable and exact. */
    for (d = 1; d <= 70; d++) {
        p = nest(d, 0, &len);
        if (decode_json(SP_T_LIST, p, len) == 0)
            max_ok = d;
        free(p);
    }
    CHECK(max_ok == (int)SP_DEFAULT_JSON_DEPTH);
    lim.json_depth = 3;
    p = nest(3, 1, &len);
    CHECK_OK(decode_json(SP_T_OBJECT, p, len));
    free(p);
    p = nest(4, 1, &len);
    CHECK_ERR(decode_json(SP_T_OBJECT, p, len), SECIP_EFORMAT);
    free(p);
    lim.json_depth = SP_DEFAULT_JSON_DEPTH;
}

static void test_limits_configurable(void)
{
    uint8_t *w = malloc(70000);
    size_t n;
    CHECK(w != NULL);
    memset(w, 'a', 70000);
    lim.max_message = 1000;
    /* Exactly at the limit, single frame and fragmented. */
    n = su_frame(w, SP_T_BYTES, SP_F_FIN, 0, 1000, w + 8, 1000);
    expect(w, n, 0, SP_R_NORMAL);
    n = su_frame(w, SP_T_BYTES, SP_F_FIN, 0, 1001, w + 8, 1001);
    expect(w, n, SECIP_ETOOBIG, SP_R_TOO_BIG);
    n = first(w, SP_T_BYTES, 1, 1001, NULL, 0);
    expect(w, n, SECIP_ETOOBIG, SP_R_TOO_BIG);
    lim.max_message = 0; /* only empty messages */
    expect(w, su_frame(w, SP_T_TEXT, SP_F_FIN, 0, 0, NULL, 0), 0, SP_R_NORMAL);
    expect(w, su_frame(w, SP_T_TEXT, SP_F_FIN, 0, 1, "a", 1), SECIP_ETOOBIG,
           SP_R_TOO_BIG);
    lim.max_message = SP_DEFAULT_MAX_MESSAGE;
    /* max_frame at its minimum, 16 KiB. */
    lim.max_frame = SP_FRAME_MIN_MAX;
    n = su_frame(w, SP_T_BYTES, SP_F_FIN, 0, SP_FRAME_MIN_MAX, NULL, 0);
    expect(w, n, 0, SP_R_NORMAL); /* header alone: waits for payload */
    n = su_frame(w, SP_T_BYTES, SP_F_FIN, 0, SP_FRAME_MIN_MAX + 1, NULL, 0);
    expect(w, n, SECIP_ETOOBIG, SP_R_TOO_BIG);
    lim.max_frame = SP_DEFAULT_MAX_FRAME;
    /* max_streams 1. */
    lim.max_streams = 1;
    n = first(w, SP_T_BYTES, 1, 10, "abc", 3);
    n += first(w + n, SP_T_BYTES, 2, 10, "abc", 3);
    expect(w, n, SECIP_EPROTO, SP_R_PROTOCOL);
    lim.max_streams = SP_DEFAULT_MAX_STREAMS;
    free(w);
}

static void test_files_and_sticky(void)
{
    uint8_t w[256], chunk[100];
    size_t n, used;
    su_result r;
    sp_decoder d;
    sp_event ev;
    int rc;

    /* With accept_files, FILE frames come out as pieces, copy-free. */
    lim.accept_files = 1;
    tu_fill(3, 0, chunk, sizeof chunk);
    n = su_frame(w, SP_T_FILE_CHUNK, 0, 9, 100, chunk, 100);
    n += su_frame(w + n, SP_T_FILE_END, SP_F_FIN, 9, 0, NULL, 0);
    su_decode(&lim, 0, w, n, 7, &r);
    CHECK_OK(r.rc);
    CHECK(r.file_bytes == 100 && r.n == 2 && r.kinds[0] == SP_EV_FILE &&
          r.streams[0] == 9);
    CHECK_OK(sp_decoder_init(&d, &lim, 0));
    CHECK(sp_decoder_feed(&d, w, n, &used, &ev) == 1);
    CHECK(ev.file.data == w + 8 && ev.file.len == 100 && ev.file.frame_end);
    sp_decoder_fini(&d);
    lim.accept_files = 0;
    /* After an error, the decoder stays failed. */
    CHECK_OK(sp_decoder_init(&d, &lim, 0));
    n = su_frame(w, 0x77, SP_F_FIN, 0, 0, NULL, 0);
    rc = sp_decoder_feed(&d, w, n, &used, &ev);
    CHECK_ERR(rc, SECIP_ENOTSUP);
    CHECK(strstr(secip_last_error(), "0x77") != NULL);
    n = single(w, SP_T_TEXT, "ok", 2);
    CHECK_ERR(sp_decoder_feed(&d, w, n, &used, &ev), SECIP_ENOTSUP);
    CHECK(sp_decoder_reason(&d) == SP_R_UNSUPPORTED);
    sp_decoder_fini(&d);
    /* Invalid limits are refused. */
    lim.max_frame = 1;
    CHECK_ERR(sp_decoder_init(&d, &lim, 0), SECIP_EINVAL);
    lim.max_frame = SP_DEFAULT_MAX_FRAME;
}

int main(void)
{
    lim = su_limits();
    test_garbage();
    test_truncated();
    test_flags_and_types();
    test_huge_announcements();
    test_streams();
    test_hello_and_control();
    test_bad_text();
    test_json();
    test_limits_configurable();
    test_files_and_sticky();
    tu_log("hostile: ok");
    return 0;
}
