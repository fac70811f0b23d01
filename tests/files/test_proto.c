/*
 * tests/files/test_proto.c -- the file frames of docs/PROTOCOL.md
 * section 7: the example of 7.10 byte for byte, round trips, and the
 * header and payload checks a receiver applies to hostile frames.
 */
#include <string.h>

#include "crypto/util.h"
#include "files/file_proto.h"
#include "session/decoder.h"
#include "testutil.h"

/* docs/PROTOCOL.md 7.10: FILE_BEGIN, ACCEPT, CHUNK, END for "hello". */
static const uint8_t ex_begin[] = {
    0x10, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x19, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x02, 0x00, 0x00, 0x05, 0x61, 0x2e, 0x74, 0x78, 0x74};
static const uint8_t ex_accept[] = {0x14, 0x01, 0x00, 0x01, 0x00, 0x00,
                                    0x00, 0x09, 0x00, 0x00, 0x00, 0x00,
                                    0x00, 0x00, 0x00, 0x00, 0x00};
static const uint8_t ex_chunk_head[] = {0x11, 0x01, 0x00, 0x01, 0x00, 0x00,
                                        0x00, 0x0d, 0x00, 0x00, 0x00, 0x00,
                                        0x00, 0x00, 0x00, 0x00};
static const uint8_t ex_end_head[] = {0x12, 0x01, 0x00, 0x01,
                                      0x00, 0x00, 0x00, 0x20};
static const char hello_sha[] =
    "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

static void example(void)
{
    uint8_t out[1100], h[32];
    char hex[65];
    sp_file_begin b;

    memset(&b, 0, sizeof b);
    b.size = 5;
    b.options = SP_FILE_OPT_RESUMABLE;
    b.name = (const uint8_t *)"a.txt";
    b.name_len = 5;
    CHECK(sp_encode_file_begin(out, sizeof out, 1, &b) == sizeof ex_begin);
    CHECK(memcmp(out, ex_begin, sizeof ex_begin) == 0);
    CHECK(sp_encode_file_accept(out, sizeof out, 1, 0, 0) == sizeof ex_accept);
    CHECK(memcmp(out, ex_accept, sizeof ex_accept) == 0);
    CHECK(sp_encode_file_chunk_head(out, 1, 0, 5) == SP_FILE_CHUNK_HEAD);
    CHECK(memcmp(out, ex_chunk_head, sizeof ex_chunk_head) == 0);
    sp_sha256("hello", 5, h);
    sp_hex_encode(h, 32, hex);
    CHECK(strcmp(hex, hello_sha) == 0);
    CHECK(sp_encode_file_hash(out, sizeof out, SP_T_FILE_END, 1, h) == 40);
    CHECK(memcmp(out, ex_end_head, 8) == 0 && memcmp(out + 8, h, 32) == 0);
    CHECK(sp_encode_file_hash(out, sizeof out, SP_T_FILE_RECEIPT, 1, h) == 40);
    CHECK(out[0] == SP_T_FILE_RECEIPT);
}

static void round_trips(void)
{
    uint8_t out[1100], h[32], h2[32];
    sp_file_begin b, d;
    uint64_t off;
    uint8_t flags, role;
    unsigned reason;
    const char *text;
    const uint8_t *data;
    size_t n, tl;
    char longtext[2000];
    int len;

    memset(&b, 0, sizeof b);
    b.size = 0x0123456789abcdefull;
    b.mtime = -86400;
    b.options = SP_FILE_OPT_HAS_MTIME | SP_FILE_OPT_RESUMABLE;
    b.name = (const uint8_t *)"r\xc3\xa9sum\xc3\xa9.pdf";
    b.name_len = strlen((const char *)b.name);
    len = sp_encode_file_begin(out, sizeof out, 7, &b);
    CHECK(len > 0);
    CHECK_OK(sp_decode_file_begin(out + 8, (size_t)len - 8, &d));
    CHECK(d.size == b.size && d.mtime == b.mtime && d.options == b.options);
    CHECK(d.name_len == b.name_len && memcmp(d.name, b.name, d.name_len) == 0);

    len = sp_encode_file_accept(out, sizeof out, 7, 1234, SP_FILE_ACCEPT_PROVE);
    CHECK_OK(sp_decode_file_accept(out + 8, (size_t)len - 8, &off, &flags));
    CHECK(off == 1234 && flags == SP_FILE_ACCEPT_PROVE);

    memset(h, 0xa5, 32);
    len = sp_encode_file_prefix(out, sizeof out, 7, 99, h);
    CHECK(len == 48);
    CHECK_OK(sp_decode_file_prefix(out + 8, 40, &off, h2));
    CHECK(off == 99 && memcmp(h, h2, 32) == 0);

    CHECK(sp_encode_file_chunk_head(out, 7, 65536, 3) == 16);
    memcpy(out + 16, "abc", 3);
    CHECK_OK(sp_decode_file_chunk(out + 8, 11, &off, &data, &n));
    CHECK(off == 65536 && n == 3 && memcmp(data, "abc", 3) == 0);

    len = sp_encode_file_cancel(out, sizeof out, 7, SP_FILE_ROLE_RECEIVER,
                                SP_R_TOO_BIG, "too big");
    CHECK_OK(sp_decode_file_cancel(out + 8, (size_t)len - 8, &role, &reason,
                                   &text, &tl));
    CHECK(role == 1 && reason == SP_R_TOO_BIG && tl == 7 &&
          memcmp(text, "too big", 7) == 0);
    /* A long text is cut to fit 1024 bytes, on a character boundary. */
    memset(longtext, 0, sizeof longtext);
    for (n = 0; n + 2 < sizeof longtext; n += 2) {
        longtext[n] = (char)0xc3;
        longtext[n + 1] = (char)0xa9;
    }
    len = sp_encode_file_cancel(out, sizeof out, 7, 0, 0, longtext);
    CHECK(len > 0 && (size_t)len <= 8 + SP_FILE_CTL_MAX);
    CHECK_OK(sp_decode_file_cancel(out + 8, (size_t)len - 8, &role, &reason,
                                   &text, &tl));
}

static void hostile(void)
{
    sp_frame_header h;
    sp_file_begin b;
    uint8_t p[64], fl;
    uint64_t off;
    unsigned reason;
    const char *text;
    size_t tl;

    memset(&h, 0, sizeof h);
    h.type = SP_T_FILE_BEGIN;
    h.flags = SP_F_FIN;
    h.stream = 1;
    h.length = 30;
    CHECK_OK(sp_file_header_check(&h, &reason));
    h.flags = 0;
    CHECK_ERR(sp_file_header_check(&h, &reason), SECIP_EPROTO);
    CHECK(reason == SP_R_PROTOCOL);
    h.flags = SP_F_FIN | SP_F_CONT;
    CHECK_ERR(sp_file_header_check(&h, &reason), SECIP_EPROTO);
    h.flags = SP_F_FIN;
    h.stream = 0;
    CHECK_ERR(sp_file_header_check(&h, &reason), SECIP_EPROTO);
    h.stream = 1;
    h.length = 1025;
    CHECK_ERR(sp_file_header_check(&h, &reason), SECIP_EPROTO);
    h.length = 20; /* no name byte */
    CHECK_ERR(sp_file_header_check(&h, &reason), SECIP_EPROTO);
    h.type = SP_T_FILE_CHUNK;
    h.length = 8; /* offset only, no data */
    CHECK_ERR(sp_file_header_check(&h, &reason), SECIP_EPROTO);
    h.length = 1u << 20; /* chunks may be large (max_frame applies) */
    CHECK_OK(sp_file_header_check(&h, &reason));
    h.type = SP_T_FILE_END;
    h.length = 31;
    CHECK_ERR(sp_file_header_check(&h, &reason), SECIP_EPROTO);
    h.type = SP_T_FILE_WINDOW;
    h.length = 7;
    CHECK_ERR(sp_file_header_check(&h, &reason), SECIP_EPROTO);
    h.length = 8;
    CHECK_OK(sp_file_header_check(&h, &reason));
    h.type = 0x18;
    h.length = 32;
    CHECK_ERR(sp_file_header_check(&h, &reason), SECIP_ENOTSUP);
    CHECK(reason == SP_R_UNSUPPORTED);
    {
        uint8_t fr[SP_FRAME_HEADER_LEN + 8];
        uint64_t lim = 0;
        CHECK(sp_encode_file_window(fr, sizeof fr, 9, 0x0102030405060708ull) ==
              (int)sizeof fr);
        CHECK_OK(sp_decode_file_window(fr + SP_FRAME_HEADER_LEN, 8, &lim));
        CHECK(lim == 0x0102030405060708ull);
        CHECK_ERR(sp_decode_file_window(fr + SP_FRAME_HEADER_LEN, 7, &lim),
                  SECIP_EPROTO);
    }

    /* FILE_BEGIN payloads. */
    memset(p, 0, sizeof p);
    CHECK_ERR(sp_decode_file_begin(p, 19, &b), SECIP_EPROTO);
    CHECK_ERR(sp_decode_file_begin(p, 21, &b), SECIP_EPROTO); /* len 0 */
    p[19] = 5; /* name_len 5, but only 1 byte follows */
    CHECK_ERR(sp_decode_file_begin(p, 21, &b), SECIP_EPROTO);
    CHECK_OK(sp_decode_file_begin(p, 25, &b));
    p[16] = 0x04; /* reserved option */
    CHECK_ERR(sp_decode_file_begin(p, 25, &b), SECIP_EPROTO);
    p[16] = 0;
    p[18] = 0x03; /* name_len 1029 */
    p[19] = 0xe9;
    CHECK_ERR(sp_decode_file_begin(p, sizeof p, &b), SECIP_EPROTO);

    /* FILE_ACCEPT: reserved bits, PROVE at 0. */
    memset(p, 0, sizeof p);
    p[8] = 2;
    CHECK_ERR(sp_decode_file_accept(p, 9, &off, &fl), SECIP_EPROTO);
    p[8] = SP_FILE_ACCEPT_PROVE;
    CHECK_ERR(sp_decode_file_accept(p, 9, &off, &fl), SECIP_EPROTO);

    /* FILE_CANCEL: unknown role, bad UTF-8 text. */
    memset(p, 0, sizeof p);
    p[0] = 2;
    CHECK_ERR(sp_decode_file_cancel(p, 3, &fl, &reason, &text, &tl),
              SECIP_EPROTO);
    p[0] = 0;
    p[3] = 0xc0;
    p[4] = 0xaf;
    CHECK_ERR(sp_decode_file_cancel(p, 5, &fl, &reason, &text, &tl),
              SECIP_EFORMAT);

    /* Encoders refuse what a peer must not send. */
    memset(&b, 0, sizeof b);
    b.name = p;
    b.name_len = 1001;
    CHECK_ERR(sp_encode_file_begin(p, sizeof p, 1, &b), SECIP_EINVAL);
    b.name_len = 1;
    CHECK_ERR(sp_encode_file_begin(p, sizeof p, 0, &b), SECIP_EINVAL);
    CHECK_ERR(sp_encode_file_begin(p, 10, 1, &b), SECIP_ETOOBIG);
    CHECK_ERR(sp_encode_file_chunk_head(p, 1, 0, 0), SECIP_EINVAL);
}

/* The session's decoder passes file frames through as FILE events (one
 * per piece of input): feeding it the example byte by byte gives back
 * frames that decode to what was sent. */
static void through_decoder(void)
{
    uint8_t wire[256], frame[1100], h[32], got_hash[32];
    size_t w = 0, i, used, flen = 0;
    sp_file_begin b, d;
    sp_limits lim;
    sp_decoder dec;
    sp_event ev;
    uint64_t off;
    const uint8_t *data;
    size_t dlen;
    int rc, frames = 0, n;

    memset(&b, 0, sizeof b);
    b.size = 5;
    b.name = (const uint8_t *)"a.txt";
    b.name_len = 5;
    n = sp_encode_file_begin(wire, sizeof wire, 3, &b);
    w += (size_t)n;
    w += (size_t)sp_encode_file_chunk_head(wire + w, 3, 0, 5);
    memcpy(wire + w, "hello", 5);
    w += 5;
    sp_sha256("hello", 5, h);
    w += (size_t)sp_encode_file_hash(wire + w, sizeof wire - w, SP_T_FILE_END,
                                     3, h);
    sp_limits_default(&lim);
    lim.accept_files = 1;
    CHECK_OK(sp_decoder_init(&dec, &lim, 0));
    for (i = 0; i < w; i++) {
        rc = sp_decoder_feed(&dec, wire + i, 1, &used, &ev);
        CHECK_OK(rc);
        if (rc == 0)
            continue;
        CHECK(ev.kind == SP_EV_FILE && ev.stream == 3);
        CHECK(ev.file.offset == flen && flen + ev.file.len <= sizeof frame);
        memcpy(frame + flen, ev.file.data, ev.file.len);
        flen += ev.file.len;
        if (!ev.file.frame_end)
            continue;
        CHECK(flen == ev.file.frame_len);
        switch (frames++) {
        case 0:
            CHECK(ev.file.type == SP_T_FILE_BEGIN);
            CHECK_OK(sp_decode_file_begin(frame, flen, &d));
            CHECK(d.size == 5 && d.name_len == 5);
            break;
        case 1:
            CHECK(ev.file.type == SP_T_FILE_CHUNK);
            CHECK_OK(sp_decode_file_chunk(frame, flen, &off, &data, &dlen));
            CHECK(off == 0 && dlen == 5 && memcmp(data, "hello", 5) == 0);
            break;
        default:
            CHECK(ev.file.type == SP_T_FILE_END);
            CHECK_OK(sp_decode_file_hash(frame, flen, got_hash));
            CHECK(memcmp(got_hash, h, 32) == 0);
        }
        flen = 0;
    }
    CHECK(frames == 3);
    sp_decoder_fini(&dec);
}

int main(void)
{
    example();
    through_decoder();
    round_trips();
    hostile();
    return 0;
}
