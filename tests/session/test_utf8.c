/*
 * tests/session/test_utf8.c -- the strict UTF-8 validator: a table of valid
 * edge cases and of every class of malformation, whole and fed byte by byte.
 */
#include <string.h>

#include "session/utf8.h"
#include "testutil.h"

typedef struct {
    const char *name;
    const char *bytes;
    size_t len;
    int valid;
    long bad_at; /* expected offset of the first bad byte; -1: at the end */
} u8case;

#define C(name, s, valid, bad)                                                 \
    {                                                                          \
        name, s, sizeof(s) - 1, valid, bad                                     \
    }

static const u8case cases[] = {
    C("empty", "", 1, 0),
    C("ascii", "hello", 1, 0),
    C("nul", "a\0b", 1, 0),
    C("U+007F", "\x7f", 1, 0),
    C("U+0080", "\xc2\x80", 1, 0),
    C("U+07FF", "\xdf\xbf", 1, 0),
    C("U+0800", "\xe0\xa0\x80", 1, 0),
    C("U+D7FF", "\xed\x9f\xbf", 1, 0),
    C("U+E000", "\xee\x80\x80", 1, 0),
    C("U+FFFD", "\xef\xbf\xbd", 1, 0),
    C("U+FFFF", "\xef\xbf\xbf", 1, 0),
    C("U+10000", "\xf0\x90\x80\x80", 1, 0),
    C("U+10FFFF", "\xf4\x8f\xbf\xbf", 1, 0),
    C("mixed", "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z", 1, 0),
    /* overlongs */
    C("overlong / (C0 AF)", "\xc0\xaf", 0, 0),
    C("overlong NUL (C0 80)", "\xc0\x80", 0, 0),
    C("overlong C1 BF", "\xc1\xbf", 0, 0),
    C("overlong 3-byte (E0 80 AF)", "\xe0\x80\xaf", 0, 1),
    C("overlong U+07FF in 3 (E0 9F BF)", "\xe0\x9f\xbf", 0, 1),
    C("overlong 4-byte (F0 80 80 AF)", "\xf0\x80\x80\xaf", 0, 1),
    C("overlong U+FFFF in 4 (F0 8F BF BF)", "\xf0\x8f\xbf\xbf", 0, 1),
    /* surrogates */
    C("surrogate U+D800", "\xed\xa0\x80", 0, 1),
    C("surrogate U+DBFF", "\xed\xaf\xbf", 0, 1),
    C("surrogate U+DC00", "\xed\xb0\x80", 0, 1),
    C("surrogate U+DFFF", "\xed\xbf\xbf", 0, 1),
    C("surrogate pair (CESU-8)", "\xed\xa0\xbd\xed\xb8\x80", 0, 1),
    /* above U+10FFFF */
    C("U+110000", "\xf4\x90\x80\x80", 0, 1),
    C("F5 lead", "\xf5\x80\x80\x80", 0, 0),
    C("F8 5-byte lead", "\xf8\x88\x80\x80\x80", 0, 0),
    C("FC 6-byte lead", "\xfc\x84\x80\x80\x80\x80", 0, 0),
    C("FE", "\xfe", 0, 0),
    C("FF", "\xff", 0, 0),
    /* stray and missing continuation bytes */
    C("lone continuation", "a\x80", 0, 1),
    C("continuation BF", "\xbf", 0, 0),
    C("2-byte missing 1", "\xc3", 0, -1),
    C("3-byte missing 1", "\xe2\x82", 0, -1),
    C("3-byte missing 2", "\xe2", 0, -1),
    C("4-byte missing 1", "\xf0\x9f\x98", 0, -1),
    C("truncated then ascii", "\xe2\x82z", 0, 2),
    C("truncated then lead", "\xc3\xc3\xa9", 0, 1),
    C("valid then bad", "ok\xc3\xa9\xff", 0, 4),
};

static int feed_bytewise(const u8case *c, uint64_t *bad)
{
    sp_utf8 u;
    size_t i;

    sp_utf8_init(&u);
    for (i = 0; i < c->len; i++)
        if (sp_utf8_feed(&u, (const uint8_t *)c->bytes + i, 1, bad) < 0)
            return 0;
    *bad = c->len;
    return sp_utf8_complete(&u);
}

static void check_case(const u8case *c)
{
    const uint8_t *p = (const uint8_t *)c->bytes;
    sp_utf8 u;
    uint64_t bad = 0, bad1 = 0;
    int whole;

    whole = sp_utf8_valid(p, c->len);
    if (whole != c->valid)
        tu_log("case '%s': valid=%d, expected %d", c->name, whole, c->valid);
    CHECK(whole == c->valid);
    CHECK(feed_bytewise(c, &bad1) == c->valid);

    sp_utf8_init(&u);
    if (sp_utf8_feed(&u, p, c->len, &bad) < 0) {
        CHECK(!c->valid);
        CHECK(c->bad_at >= 0 && bad == (uint64_t)c->bad_at);
        CHECK(bad1 == bad); /* same offset when fed byte by byte */
    } else {
        /* Only truncation at the end may pass the byte check. */
        CHECK(c->valid || c->bad_at == -1);
        CHECK(sp_utf8_complete(&u) == c->valid);
    }
}

static void test_split_positions(void)
{
    /* A valid 4-byte sequence split at every position across two feeds. */
    const uint8_t s[] = {'x', 0xf0, 0x9f, 0x98, 0x80, 'y'};
    size_t cut;

    for (cut = 0; cut <= sizeof s; cut++) {
        sp_utf8 u;
        sp_utf8_init(&u);
        CHECK_OK(sp_utf8_feed(&u, s, cut, NULL));
        CHECK_OK(sp_utf8_feed(&u, s + cut, sizeof s - cut, NULL));
        CHECK(sp_utf8_complete(&u));
    }
}

static void test_exhaustive_two_byte(void)
{
    /* Every two-byte input: valid iff ASCII pair or C2..DF + 80..BF. */
    unsigned a, b;
    for (a = 0; a < 256; a++) {
        for (b = 0; b < 256; b++) {
            uint8_t s[2];
            int expect = (a < 0x80 && b < 0x80) ||
                         (a >= 0xc2 && a <= 0xdf && b >= 0x80 && b <= 0xbf);
            s[0] = (uint8_t)a;
            s[1] = (uint8_t)b;
            CHECK(sp_utf8_valid(s, 2) == expect);
        }
    }
}

static void test_cut(void)
{
    const uint8_t s[] = {'a', 0xc3, 0xa9, 0xe2, 0x82, 0xac};
    CHECK(sp_utf8_cut(s, 6) == 6);
    CHECK(sp_utf8_cut(s, 5) == 3);
    CHECK(sp_utf8_cut(s, 4) == 3);
    CHECK(sp_utf8_cut(s, 3) == 3);
    CHECK(sp_utf8_cut(s, 2) == 1);
    CHECK(sp_utf8_cut(s, 1) == 1);
    CHECK(sp_utf8_cut(s, 0) == 0);
}

int main(void)
{
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_case(&cases[i]);
    test_split_positions();
    test_exhaustive_two_byte();
    test_cut();
    tu_log("utf8: %u table cases passed",
           (unsigned)(sizeof cases / sizeof cases[0]));
    return 0;
}
