/*
 * tests/session/test_frame.c -- the frame header, header checks, limits and
 * control-frame codecs, byte for byte against docs/PROTOCOL.md.
 */
#include <string.h>

#include "sess_util.h"
#include "testutil.h"

static void test_header_bytes(void)
{
    sp_frame_header h, g;
    uint8_t b[8];
    const uint8_t want[8] = {0x02, 0x03, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef};

    h.type = SP_T_TEXT;
    h.flags = SP_F_FIN | SP_F_CONT;
    h.stream = 0x1234;
    h.length = 0xdeadbeefu;
    sp_frame_header_write(b, &h);
    CHECK(memcmp(b, want, 8) == 0); /* big-endian, fixed layout */
    sp_frame_header_read(b, &g);
    CHECK(g.type == h.type && g.flags == h.flags && g.stream == h.stream &&
          g.length == h.length);
}

static int check_hdr(uint8_t type, uint8_t flags, uint16_t stream,
                     uint32_t length, unsigned *reason)
{
    sp_limits l = su_limits();
    sp_frame_header h;
    h.type = type;
    h.flags = flags;
    h.stream = stream;
    h.length = length;
    return sp_frame_header_check(&h, &l, reason);
}

static void test_header_check(void)
{
    unsigned r;
    unsigned t;

    CHECK_OK(check_hdr(SP_T_BYTES, SP_F_FIN, 0, 5, &r));
    CHECK_OK(check_hdr(SP_T_LIST, 0, 9, SP_DEFAULT_MAX_FRAME, &r));
    /* Every undefined type is unsupported, FILE types too by default. */
    for (t = 0; t < 256; t++) {
        int cls = sp_frame_type_class((uint8_t)t);
        int rc = check_hdr((uint8_t)t, SP_F_FIN, 0, SP_PING_LEN, &r);
        if (cls == 0 || cls == SP_TC_FILE) {
            CHECK_ERR(rc, SECIP_ENOTSUP);
            CHECK(r == SP_R_UNSUPPORTED);
        } else {
            CHECK(rc == 0 || rc == SECIP_EPROTO); /* control payload sizes */
        }
    }
    CHECK(sp_frame_type_class(0x00) == 0);
    CHECK(sp_frame_type_class(0x05) == 0);
    CHECK(sp_frame_type_class(0x25) == 0);
    CHECK(sp_frame_type_class(0xff) == 0);
    /* Each reserved flag bit. */
    for (t = 2; t < 8; t++) {
        CHECK_ERR(
            check_hdr(SP_T_BYTES, (uint8_t)(SP_F_FIN | (1u << t)), 0, 1, &r),
            SECIP_EPROTO);
        CHECK(r == SP_R_PROTOCOL);
    }
    /* Length: max_frame passes, one more is too big, 4 GiB - 1 too. */
    CHECK_ERR(check_hdr(SP_T_BYTES, 0, 1, SP_DEFAULT_MAX_FRAME + 1, &r),
              SECIP_ETOOBIG);
    CHECK(r == SP_R_TOO_BIG);
    CHECK_ERR(check_hdr(SP_T_BYTES, SP_F_FIN, 0, 0xffffffffu, &r),
              SECIP_ETOOBIG);
    /* Control frames: stream 0, flags exactly FIN, bounded payloads. */
    CHECK_OK(check_hdr(SP_T_PING, SP_F_FIN, 0, 8, &r));
    CHECK_ERR(check_hdr(SP_T_PING, SP_F_FIN, 1, 8, &r), SECIP_EPROTO);
    CHECK_ERR(check_hdr(SP_T_PING, 0, 0, 8, &r), SECIP_EPROTO);
    CHECK_ERR(check_hdr(SP_T_PING, SP_F_FIN | SP_F_CONT, 0, 8, &r),
              SECIP_EPROTO);
    CHECK_ERR(check_hdr(SP_T_PING, SP_F_FIN, 0, 7, &r), SECIP_EPROTO);
    CHECK_ERR(check_hdr(SP_T_PONG, SP_F_FIN, 0, 9, &r), SECIP_EPROTO);
    CHECK_ERR(check_hdr(SP_T_HELLO, SP_F_FIN, 0, 15, &r), SECIP_EPROTO);
    CHECK_OK(check_hdr(SP_T_HELLO, SP_F_FIN, 0, 40, &r));
    CHECK_ERR(check_hdr(SP_T_CLOSE, SP_F_FIN, 0, 1, &r), SECIP_EPROTO);
    CHECK_OK(check_hdr(SP_T_CLOSE, SP_F_FIN, 0, SP_CONTROL_MAX, &r));
    CHECK_ERR(check_hdr(SP_T_CLOSE, SP_F_FIN, 0, SP_CONTROL_MAX + 1, &r),
              SECIP_EPROTO);
    CHECK_ERR(check_hdr(SP_T_ERROR, SP_F_FIN, 0, 3, &r), SECIP_EPROTO);
}

static void test_limits(void)
{
    sp_limits l = su_limits();

    CHECK(l.max_frame == 1024u * 1024u);
    CHECK(l.max_message == 64ull * 1024 * 1024);
    CHECK(l.json_depth == 64 && l.max_streams == 4);
    CHECK_OK(sp_limits_check(&l));
    l.max_frame = SP_FRAME_MIN_MAX - 1;
    CHECK_ERR(sp_limits_check(&l), SECIP_EINVAL);
    l.max_frame = SP_FRAME_HARD_MAX + 1;
    CHECK_ERR(sp_limits_check(&l), SECIP_EINVAL);
    l.max_frame = SP_FRAME_HARD_MAX;
    CHECK_OK(sp_limits_check(&l));
    l.max_streams = 0;
    CHECK_ERR(sp_limits_check(&l), SECIP_EINVAL);
    l.max_streams = SP_MAX_STREAMS_CAP + 1;
    CHECK_ERR(sp_limits_check(&l), SECIP_EINVAL);
    l.max_streams = 1;
    l.json_depth = 0;
    CHECK_ERR(sp_limits_check(&l), SECIP_EINVAL);
    l.json_depth = SP_JSON_DEPTH_CAP + 1;
    CHECK_ERR(sp_limits_check(&l), SECIP_EINVAL);
    l.json_depth = 1;
    l.max_message = 0;
    CHECK_OK(sp_limits_check(&l));
    l.max_message = UINT64_MAX;
    CHECK_ERR(sp_limits_check(&l), SECIP_EINVAL);
    CHECK_ERR(sp_limits_check(NULL), SECIP_EINVAL);
}

static void test_hello(void)
{
    uint8_t b[SP_CONTROL_FRAME_MAX];
    sp_hello h, g;
    const uint8_t want[24] = {0x20, 0x01, 0, 0, 0,    0, 0, 16, /* hdr */
                              0,    0x10, 0, 0, 0,    4, 0, 0,  /* */
                              0,    0,    0, 0, 0x04, 0, 0, 0};
    int n;

    h.max_frame = 1024u * 1024u;
    h.max_streams = 4;
    h.features = 0;
    h.max_message = 64ull * 1024 * 1024;
    n = sp_encode_hello(b, sizeof b, &h);
    CHECK(n == 24);
    CHECK(memcmp(b, want, 24) == 0);
    CHECK_OK(sp_decode_hello(b + 8, 16, &g));
    CHECK(g.max_frame == h.max_frame && g.max_streams == 4 &&
          g.max_message == h.max_message);
    CHECK_ERR(sp_encode_hello(b, 23, &h), SECIP_ETOOBIG);
    h.max_frame = 100;
    CHECK_ERR(sp_encode_hello(b, sizeof b, &h), SECIP_EINVAL);
    /* Out-of-range values from the wire are a protocol error. */
    b[8 + 3] = 0x01; /* max_frame = 0x00100001 > ... still fine */
    CHECK_OK(sp_decode_hello(b + 8, 16, &g));
    b[8 + 0] = 0x02; /* max_frame = 0x02100001 > 16 MiB */
    CHECK_ERR(sp_decode_hello(b + 8, 16, &g), SECIP_EPROTO);
    CHECK_ERR(sp_decode_hello(b + 8, 15, &g), SECIP_EPROTO);
}

static void test_ping_close_error(void)
{
    uint8_t b[SP_CONTROL_FRAME_MAX + 16];
    const uint8_t op[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    const uint8_t ping[16] = {0x21, 1, 0, 0, 0, 0, 0, 8,
                              1,    2, 3, 4, 5, 6, 7, 8};
    const uint8_t close_[13] = {0x23, 1, 0, 0, 0, 0, 0, 5, 0, 4, 'b', 'i', 'g'};
    const uint8_t err[14] = {0x24, 1, 0, 0, 0, 0, 0, 6, 0, 6, 0, 9, 'n', 'o'};
    char longtext[2000];
    size_t i;
    int n;

    CHECK(sp_encode_ping(b, sizeof b, 0, op) == 16);
    CHECK(memcmp(b, ping, 16) == 0);
    CHECK(sp_encode_ping(b, sizeof b, 1, op) == 16);
    CHECK(b[0] == SP_T_PONG);
    CHECK_ERR(sp_encode_ping(b, 15, 0, op), SECIP_ETOOBIG);
    CHECK(sp_encode_close(b, sizeof b, SP_R_TOO_BIG, "big") == 13);
    CHECK(memcmp(b, close_, 13) == 0);
    CHECK(sp_encode_close(b, sizeof b, SP_R_NORMAL, NULL) == 10);
    CHECK(sp_encode_error(b, sizeof b, SP_R_POLICY, 9, "no") == 14);
    CHECK(memcmp(b, err, 14) == 0);
    CHECK_ERR(sp_encode_close(b, sizeof b, 70000, "x"), SECIP_EINVAL);
    CHECK_ERR(sp_encode_close(b, sizeof b, 0, "\xff"), SECIP_EFORMAT);
    /* A long reason is cut on a character boundary to fit 1024 bytes. */
    for (i = 0; i + 2 < sizeof longtext; i += 2) {
        longtext[i] = (char)0xc3;
        longtext[i + 1] = (char)0xa9;
    }
    longtext[i] = 0;
    n = sp_encode_close(b, sizeof b, SP_R_INTERNAL, longtext);
    CHECK(n == 8 + 2 + 1022);
    n = sp_encode_error(b, sizeof b, SP_R_INTERNAL, 0, longtext);
    CHECK(n == 8 + 4 + 1020);
    /* Shifted by one ASCII byte: cutting at 1022 would split an é. */
    memmove(longtext + 1, longtext, sizeof longtext - 1);
    longtext[0] = 'y';
    longtext[sizeof longtext - 1] = 0;
    n = sp_encode_close(b, sizeof b, SP_R_INTERNAL, longtext);
    CHECK(n == 8 + 2 + 1021);
    CHECK(sp_utf8_valid(b + 10, (size_t)n - 10));
}

static void test_names(void)
{
    CHECK(strcmp(sp_frame_type_name(SP_T_OBJECT), "OBJECT") == 0);
    CHECK(strcmp(sp_frame_type_name(0x14), "FILE_RESERVED") == 0);
    CHECK(strcmp(sp_frame_type_name(0x99), "UNKNOWN") == 0);
    CHECK(strcmp(sp_reason_name(SP_R_IDLE_TIMEOUT), "idle timeout") == 0);
    CHECK(strcmp(sp_reason_name(5000), "application-defined") == 0);
    CHECK(strcmp(secip_message_type_name(SECIP_LIST), "LIST") == 0);
    CHECK(strcmp(secip_message_type_name(99), "?") == 0);
}

int main(void)
{
    test_header_bytes();
    test_header_check();
    test_limits();
    test_hello();
    test_ping_close_error();
    test_names();
    tu_log("frame: ok");
    return 0;
}
