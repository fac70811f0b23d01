/*
 * tests/fuzz/fuzz_fileproto.c -- libFuzzer target: the payload codecs of
 * the file frames (sdk/src/files/file_proto.c).
 *
 * Input: the first 8 bytes are a frame header for sp_file_header_check;
 * the rest is a payload given to every decoder (BEGIN, ACCEPT, PREFIX,
 * END/RECEIPT, WINDOW, CHUNK, CANCEL).  Byte 8 (when present)
 * also seeds the encoders' arguments.  Invariants:
 *  - the header check accepts only a defined file type with flags FIN, a
 *    stream, and a length within that type's bounds;
 *  - a decoder that accepts a payload reads only inside it (decoded
 *    pointers and lengths stay within the payload, checked by ASan too)
 *    and its result obeys the documented ranges;
 *  - encoding an accepted decode gives a frame whose header passes the
 *    check and whose payload decodes to the same values;
 *  - FILE_CANCEL text of any valid UTF-8 is cut on a character boundary
 *    to fit, and decodes back to that prefix.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files/file_proto.h"
#include "secip/error.h"
#include "session/utf8.h"

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A frame an encoder wrote: header passes the check, payload returned. */
static const uint8_t *frame_ok(const uint8_t *out, int n, uint8_t type,
                               uint16_t t, size_t *plen)
{
    sp_frame_header h;
    unsigned reason = 99;
    CHECK(n >= (int)SP_FRAME_HEADER_LEN);
    sp_frame_header_read(out, &h);
    CHECK(h.type == type && h.stream == t && h.flags == SP_F_FIN);
    CHECK(h.length == (uint32_t)n - SP_FRAME_HEADER_LEN);
    CHECK(sp_file_header_check(&h, &reason) == 0 && reason == SP_R_NORMAL);
    *plen = h.length;
    return out + SP_FRAME_HEADER_LEN;
}

static void header(const uint8_t *d)
{
    sp_frame_header h;
    unsigned reason = 99;
    sp_frame_header_read(d, &h);
    int rc = sp_file_header_check(&h, &reason);
    if (rc == 0) {
        CHECK(reason == SP_R_NORMAL && h.flags == SP_F_FIN && h.stream != 0);
        CHECK((h.type >= SP_T_FILE_BEGIN && h.type <= SP_T_FILE_CANCEL) ||
              (h.type >= SP_T_FILE_ACCEPT && h.type <= SP_T_FILE_WINDOW));
        CHECK(h.type == SP_T_FILE_CHUNK ? h.length >= 9
                                        : h.length <= SP_FILE_CTL_MAX);
    } else {
        CHECK(rc == SECIP_EPROTO || rc == SECIP_ENOTSUP);
        CHECK(rc == SECIP_EPROTO ? reason == SP_R_PROTOCOL
                                 : reason == SP_R_UNSUPPORTED);
    }
}

static void begin(const uint8_t *p, size_t len, uint16_t t)
{
    sp_file_begin b, b2;
    uint8_t
        out[SP_FRAME_HEADER_LEN + SP_FILE_BEGIN_FIXED + SP_FILE_NAME_WIRE_MAX];
    size_t n2;
    if (sp_decode_file_begin(p, len, &b) < 0)
        return;
    CHECK(b.name == p + 20 && b.name_len >= 1 &&
          b.name_len <= SP_FILE_NAME_WIRE_MAX && 20 + b.name_len <= len);
    CHECK(!(b.options & ~(SP_FILE_OPT_HAS_MTIME | SP_FILE_OPT_RESUMABLE)));
    CHECK((b.options & SP_FILE_OPT_HAS_MTIME) || b.mtime == 0);
    int n = sp_encode_file_begin(out, sizeof out, t, &b);
    const uint8_t *q = frame_ok(out, n, SP_T_FILE_BEGIN, t, &n2);
    CHECK(n2 == SP_FILE_BEGIN_FIXED + b.name_len);
    CHECK(sp_decode_file_begin(q, n2, &b2) == 0);
    CHECK(b2.size == b.size && b2.mtime == b.mtime && b2.options == b.options &&
          b2.name_len == b.name_len &&
          memcmp(b2.name, b.name, b.name_len) == 0);
    /* One byte short of the name never decodes. */
    CHECK(sp_decode_file_begin(q, n2 - 1, &b2) < 0);
}

static void accept_frame(const uint8_t *p, size_t len, uint16_t t)
{
    uint64_t off, off2;
    uint8_t fl, fl2, out[64];
    size_t n2;
    if (sp_decode_file_accept(p, len, &off, &fl) < 0)
        return;
    CHECK(len >= 9 && !(fl & ~SP_FILE_ACCEPT_PROVE));
    CHECK(!(fl & SP_FILE_ACCEPT_PROVE) || off > 0);
    int n = sp_encode_file_accept(out, sizeof out, t, off, fl);
    const uint8_t *q = frame_ok(out, n, SP_T_FILE_ACCEPT, t, &n2);
    CHECK(sp_decode_file_accept(q, n2, &off2, &fl2) == 0);
    CHECK(off2 == off && fl2 == fl && memcmp(q, p, 9) == 0);
}

static void prefix(const uint8_t *p, size_t len, uint16_t t)
{
    uint64_t off, off2;
    uint8_t h[32], h2[32], out[64];
    size_t n2;
    if (sp_decode_file_prefix(p, len, &off, h) < 0)
        return;
    CHECK(len >= 40);
    int n = sp_encode_file_prefix(out, sizeof out, t, off, h);
    const uint8_t *q = frame_ok(out, n, SP_T_FILE_PREFIX, t, &n2);
    CHECK(sp_decode_file_prefix(q, n2, &off2, h2) == 0);
    CHECK(off2 == off && memcmp(h, h2, 32) == 0 && memcmp(q, p, 40) == 0);
}

static void hash(const uint8_t *p, size_t len, uint16_t t, uint8_t type)
{
    uint8_t h[32], h2[32], out[64];
    size_t n2;
    if (sp_decode_file_hash(p, len, h) < 0) {
        CHECK(len < 32);
        return;
    }
    CHECK(len >= 32 && memcmp(h, p, 32) == 0);
    int n = sp_encode_file_hash(out, sizeof out, type, t, h);
    const uint8_t *q = frame_ok(out, n, type, t, &n2);
    CHECK(sp_decode_file_hash(q, n2, h2) == 0 && memcmp(h, h2, 32) == 0);
    /* Only END and RECEIPT carry a hash; too small a buffer is refused. */
    CHECK(sp_encode_file_hash(out, sizeof out, SP_T_FILE_CHUNK, t, h) ==
          SECIP_EINVAL);
    CHECK(sp_encode_file_hash(out, SP_FRAME_HEADER_LEN + 31, type, t, h) ==
          SECIP_ETOOBIG);
}

static void window(const uint8_t *p, size_t len, uint16_t t)
{
    uint64_t lim, lim2;
    uint8_t out[64];
    size_t n2;
    if (sp_decode_file_window(p, len, &lim) < 0) {
        CHECK(len < 8);
        return;
    }
    int n = sp_encode_file_window(out, sizeof out, t, lim);
    const uint8_t *q = frame_ok(out, n, SP_T_FILE_WINDOW, t, &n2);
    CHECK(sp_decode_file_window(q, n2, &lim2) == 0);
    CHECK(lim2 == lim && memcmp(q, p, 8) == 0);
}

static void chunk(const uint8_t *p, size_t len, uint16_t t)
{
    uint64_t off, off2;
    const uint8_t *d, *d2;
    size_t dl, dl2;
    uint8_t *out;
    if (sp_decode_file_chunk(p, len, &off, &d, &dl) < 0) {
        CHECK(len < 9);
        return;
    }
    CHECK(d == p + 8 && dl == len - 8 && dl >= 1);
    out = malloc(SP_FILE_CHUNK_HEAD + dl);
    CHECK(out != NULL);
    CHECK(sp_encode_file_chunk_head(out, t, off, dl) ==
          (int)SP_FILE_CHUNK_HEAD);
    memcpy(out + SP_FILE_CHUNK_HEAD, d, dl);
    size_t n2;
    const uint8_t *q =
        frame_ok(out, (int)(SP_FILE_CHUNK_HEAD + dl), SP_T_FILE_CHUNK, t, &n2);
    CHECK(sp_decode_file_chunk(q, n2, &off2, &d2, &dl2) == 0);
    CHECK(off2 == off && dl2 == dl && memcmp(d2, d, dl) == 0);
    free(out);
}

static void cancel(const uint8_t *p, size_t len, uint16_t t)
{
    uint8_t role, role2, out[SP_FRAME_HEADER_LEN + SP_FILE_CTL_MAX];
    unsigned reason, reason2;
    const char *text, *text2;
    size_t tl, tl2, n2;
    char *z;
    int rc = sp_decode_file_cancel(p, len, &role, &reason, &text, &tl);
    if (rc < 0) {
        CHECK(rc == SECIP_EPROTO || rc == SECIP_EFORMAT);
        return;
    }
    CHECK(role <= SP_FILE_ROLE_RECEIVER && reason <= 0xffffu);
    CHECK(text == (const char *)p + 3 && tl == len - 3);
    CHECK(sp_utf8_valid((const uint8_t *)text, tl));
    /* The encoder takes a C string: the text up to its first NUL. */
    z = malloc(tl + 1);
    CHECK(z != NULL);
    memcpy(z, text, tl);
    z[tl] = '\0';
    size_t zl = strlen(z);
    int n = sp_encode_file_cancel(out, sizeof out, t, role, reason, z);
    const uint8_t *q = frame_ok(out, n, SP_T_FILE_CANCEL, t, &n2);
    CHECK(sp_decode_file_cancel(q, n2, &role2, &reason2, &text2, &tl2) == 0);
    CHECK(role2 == role && reason2 == reason && tl2 <= zl &&
          tl2 <= SP_FILE_CTL_MAX - 3 && memcmp(text2, z, tl2) == 0);
    CHECK(zl <= SP_FILE_CTL_MAX - 3 ? tl2 == zl
                                    : tl2 + 3 >= SP_FILE_CTL_MAX - 3);
    free(z);
}

/* Encoders refuse what they must refuse. */
static void refusals(uint8_t seed)
{
    uint8_t out[SP_FRAME_HEADER_LEN + SP_FILE_CTL_MAX], h[32];
    sp_file_begin b;
    memset(h, seed, sizeof h);
    memset(&b, 0, sizeof b);
    b.name = h;
    b.name_len = 1;
    b.options = (uint8_t)(seed | 0x04);
    CHECK(sp_encode_file_begin(out, sizeof out, 1, &b) == SECIP_EINVAL);
    b.options = 0;
    CHECK(sp_encode_file_begin(out, sizeof out, 0, &b) == SECIP_EINVAL);
    b.name_len = SP_FILE_NAME_WIRE_MAX + 1 + seed;
    CHECK(sp_encode_file_begin(out, sizeof out, 1, &b) == SECIP_EINVAL);
    CHECK(sp_encode_file_accept(out, sizeof out, 1, seed,
                                (uint8_t)(seed | 0x02)) == SECIP_EINVAL);
    CHECK(sp_encode_file_prefix(out, SP_FRAME_HEADER_LEN + 39, 1, seed, h) ==
          SECIP_ETOOBIG);
    CHECK(sp_encode_file_cancel(out, sizeof out, 1, (uint8_t)(2 + seed % 250),
                                0, "x") == SECIP_EINVAL);
    CHECK(sp_encode_file_chunk_head(out, 1, seed, 0) == SECIP_EINVAL);
    CHECK(sp_encode_file_chunk_head(out, 1, seed, SP_FRAME_HARD_MAX - 7) ==
          SECIP_EINVAL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *p;
    size_t len;
    uint16_t t;

    if (size < SP_FRAME_HEADER_LEN || size > 64 * 1024)
        return 0;
    header(data);
    p = data + SP_FRAME_HEADER_LEN;
    len = size - SP_FRAME_HEADER_LEN;
    /* The payload of each decoder is copied to its own exact-size buffer,
     * so ASan sees any read past it. */
    uint8_t *copy = malloc(len > 0 ? len : 1);
    CHECK(copy != NULL);
    memcpy(copy, p, len);
    t = (uint16_t)(1 + (len > 0 ? p[0] : 0));
    begin(copy, len, t);
    accept_frame(copy, len, t);
    prefix(copy, len, t);
    hash(copy, len, t, SP_T_FILE_END);
    hash(copy, len, t, SP_T_FILE_RECEIPT);
    window(copy, len, t);
    chunk(copy, len, t);
    cancel(copy, len, t);
    refusals(len > 0 ? p[len - 1] : 0);
    free(copy);
    return 0;
}
