/*
 * tests/crypto/test_der.c -- the DER writer and reader, X.509 date
 * encoding around the UTCTime/GeneralizedTime switch, date arithmetic,
 * and IP address text conversion.
 */
#include <string.h>

#include "crypto/der.h"
#include "crypto/util.h"
#include "testutil.h"

static void expect_bytes(const sp_dw *w, const unsigned char *want, size_t n)
{
    CHECK(sp_dw_status(w) == 0);
    if (w->len != n || memcmp(w->buf, want, n) != 0) {
        char hex[256];
        sp_hex_encode(w->buf, w->len < 100 ? w->len : 100, hex);
        fprintf(stderr, "got %s\n", hex);
        CHECK(!"DER bytes differ");
    }
}

static void test_integers(void)
{
    static const struct {
        unsigned long v;
        unsigned char der[8];
        size_t len;
    } v[] = {
        {0, {0x02, 0x01, 0x00}, 3},
        {1, {0x02, 0x01, 0x01}, 3},
        {127, {0x02, 0x01, 0x7f}, 3},
        {128, {0x02, 0x02, 0x00, 0x80}, 4},
        {255, {0x02, 0x02, 0x00, 0xff}, 4},
        {256, {0x02, 0x02, 0x01, 0x00}, 4},
        {65537, {0x02, 0x03, 0x01, 0x00, 0x01}, 5},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        sp_dw w;
        sp_dw_init(&w);
        sp_dw_small_uint(&w, v[i].v);
        expect_bytes(&w, v[i].der, v[i].len);
        /* And back. */
        sp_der d;
        sp_tlv t;
        long got;
        sp_der_init(&d, w.buf, w.len);
        CHECK(sp_der_next(&d, &t) == 0 && sp_der_empty(&d));
        CHECK(sp_der_small_uint(&t, &got) == 0 && got == (long)v[i].v);
        sp_dw_free(&w);
    }
    /* Magnitudes with leading zeros and a high bit. */
    sp_dw w;
    sp_dw_init(&w);
    static const unsigned char mag[] = {0x00, 0x00, 0x80, 0x01};
    sp_dw_uint(&w, mag, sizeof mag);
    static const unsigned char want[] = {0x02, 0x03, 0x00, 0x80, 0x01};
    expect_bytes(&w, want, sizeof want);
    sp_dw_free(&w);

    /* The reader refuses negative and non-minimal integers. */
    static const unsigned char neg[] = {0x02, 0x01, 0xff};
    static const unsigned char pad[] = {0x02, 0x02, 0x00, 0x01};
    const unsigned char *m;
    size_t ml;
    sp_der d;
    sp_tlv t;
    sp_der_init(&d, neg, sizeof neg);
    CHECK(sp_der_next(&d, &t) == 0 && sp_der_uint(&t, &m, &ml) < 0);
    sp_der_init(&d, pad, sizeof pad);
    CHECK(sp_der_next(&d, &t) == 0 && sp_der_uint(&t, &m, &ml) < 0);
}

static void test_nesting_and_lengths(void)
{
    /* A 300-byte OCTET STRING inside a SEQUENCE: long-form lengths. */
    unsigned char data[300];
    memset(data, 0x5a, sizeof data);
    sp_dw w;
    sp_dw_init(&w);
    size_t m = sp_dw_begin(&w);
    sp_dw_tlv(&w, DER_OCTET_STR, data, sizeof data);
    sp_dw_null(&w);
    sp_dw_end(&w, m, DER_SEQUENCE);
    CHECK(sp_dw_status(&w) == 0);
    CHECK(w.len == 4 + 4 + 300 + 2);
    static const unsigned char head[] = {0x30, 0x82, 0x01, 0x32,
                                         0x04, 0x82, 0x01, 0x2c};
    CHECK(memcmp(w.buf, head, sizeof head) == 0);
    sp_der d, in;
    sp_tlv seq, oct, nul;
    sp_der_init(&d, w.buf, w.len);
    CHECK(sp_der_expect(&d, DER_SEQUENCE, &seq) == 0);
    sp_der_enter(&seq, &in);
    CHECK(sp_der_expect(&in, DER_OCTET_STR, &oct) == 0 && oct.len == 300);
    CHECK(sp_der_expect(&in, DER_NULL, &nul) == 0 && sp_der_empty(&in));
    /* Every truncation of it fails cleanly. */
    for (size_t n = 0; n < w.len; n++) {
        sp_der_init(&d, w.buf, n);
        CHECK(sp_der_next(&d, &seq) < 0);
    }
    sp_dw_free(&w);

    /* Forbidden encodings. */
    static const unsigned char indefinite[] = {0x30, 0x80, 0x00, 0x00};
    static const unsigned char long_small[] = {0x04, 0x81, 0x05, 1, 2, 3, 4, 5};
    static const unsigned char lead_zero[] = {0x04, 0x82, 0x00, 0x81};
    static const unsigned char high_tag[] = {0x1f, 0x81, 0x01, 0x00};
    static const unsigned char huge[] = {0x04, 0x84, 0x7f, 0xff, 0xff, 0xff};
    static const unsigned char over[] = {0x04, 0x05, 1, 2};
    const unsigned char *bad[] = {indefinite, long_small, lead_zero,
                                  high_tag,   huge,       over};
    size_t bad_len[] = {sizeof indefinite, sizeof long_small, sizeof lead_zero,
                        sizeof high_tag,   sizeof huge,       sizeof over};
    for (size_t i = 0; i < 6; i++) {
        sp_der_init(&d, bad[i], bad_len[i]);
        CHECK(sp_der_next(&d, &seq) < 0);
    }
}

static void expect_time(int64_t t, unsigned tag, const char *text)
{
    sp_dw w;
    sp_dw_init(&w);
    sp_dw_time(&w, t);
    CHECK(sp_dw_status(&w) == 0);
    CHECK(w.buf[0] == tag);
    CHECK(w.buf[1] == strlen(text));
    CHECK(memcmp(w.buf + 2, text, strlen(text)) == 0);
    sp_der d;
    sp_tlv tlv;
    int64_t back;
    sp_der_init(&d, w.buf, w.len);
    CHECK(sp_der_next(&d, &tlv) == 0);
    CHECK(sp_der_time(&tlv, &back) == 0 && back == t);
    sp_dw_free(&w);
}

static void test_times(void)
{
    /* RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
    expect_time(2524607999, DER_UTCTIME, "491231235959Z");   /* 2049 end */
    expect_time(2524608000, DER_GENTIME, "20500101000000Z"); /* 2050 */
    expect_time(-631152000, DER_UTCTIME, "500101000000Z");   /* 1950 */
    expect_time(-631152001, DER_GENTIME, "19491231235959Z"); /* 1949 */
    expect_time(0, DER_UTCTIME, "700101000000Z");
    expect_time(951782400, DER_UTCTIME, "000229000000Z"); /* leap day */
    expect_time(253402300799, DER_GENTIME, "99991231235959Z");
    expect_time(4102444800, DER_GENTIME, "21000101000000Z");

    /* Invalid times are refused. */
    static const char *const bad[] = {"491331000000Z", "490230000000Z",
                                      "4901010000Z",   "490101000000+0100",
                                      "490101250000Z", "4901010000a0Z"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sp_tlv t;
        int64_t out;
        t.tag = DER_UTCTIME;
        t.val = (const unsigned char *)bad[i];
        t.len = strlen(bad[i]);
        CHECK(sp_der_time(&t, &out) < 0);
    }
    /* 2100 is not a leap year; 2000 was. */
    sp_tlv t;
    int64_t out;
    t.tag = DER_GENTIME;
    t.val = (const unsigned char *)"21000229000000Z";
    t.len = 15;
    CHECK(sp_der_time(&t, &out) < 0);

    char buf[32];
    sp_time_format_date(1767312000, buf, sizeof buf); /* 2026-01-02 */
    CHECK(strcmp(buf, "2026-01-02") == 0);
    sp_time_format(-1, buf, sizeof buf);
    CHECK(strcmp(buf, "1969-12-31 23:59:59 UTC") == 0);
    /* Round trips over a wide range. */
    for (int64_t x = -62135596800; x < 253402300799; x += 86400LL * 997 + 13) {
        sp_civil c;
        sp_time_to_civil(x, &c);
        CHECK(sp_time_from_civil(&c) == x);
    }
}

static void test_ip(void)
{
    static const struct {
        const char *in, *out;
        int len;
    } v[] = {
        {"127.0.0.1", "127.0.0.1", 4},
        {"0.0.0.0", "0.0.0.0", 4},
        {"255.255.255.255", "255.255.255.255", 4},
        {"::1", "::1", 16},
        {"::", "::", 16},
        {"2001:DB8::1", "2001:db8::1", 16},
        {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1", 16},
        {"fe80::", "fe80::", 16},
        {"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8", 16},
        {"::ffff:192.0.2.1", "::ffff:c000:201", 16},
        {"1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7", 16},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        unsigned char a[16];
        char text[46];
        CHECK(sp_ip_parse(v[i].in, a) == v[i].len);
        sp_ip_format(a, (size_t)v[i].len, text);
        if (strcmp(text, v[i].out) != 0) {
            fprintf(stderr, "%s -> %s\n", v[i].in, text);
            CHECK(!"IP format");
        }
    }
    static const char *const bad[] = {
        "",          "1.2.3",    "1.2.3.4.5",
        "256.1.1.1", "01.2.3.4", "1.2.3.4 ",
        ":::",       "1::2::3",  "1:2:3:4:5:6:7:8:9",
        "12345::",   "1:",       "host.example",
        "::1.2.3",   "g::1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        unsigned char a[16];
        if (sp_ip_parse(bad[i], a) >= 0) {
            fprintf(stderr, "accepted '%s'\n", bad[i]);
            CHECK(!"bad IP accepted");
        }
    }
}

int main(void)
{
    test_integers();
    test_nesting_and_lengths();
    test_times();
    test_ip();
    tu_log("DER writer/reader, times and IP addresses ok");
    return 0;
}
