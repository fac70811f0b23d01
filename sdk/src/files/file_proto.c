/*
 * sdk/src/files/file_proto.c -- see file_proto.h.
 */
#include "files/file_proto.h"

#include <string.h>

#include "error.h"
#include "session/utf8.h"

/* Smallest payload of each file frame type. */
static size_t fixed_len(uint8_t type)
{
    switch (type) {
    case SP_T_FILE_BEGIN: return SP_FILE_BEGIN_FIXED + 1;
    case SP_T_FILE_CHUNK: return 9;
    case SP_T_FILE_END:
    case SP_T_FILE_RECEIPT: return 32;
    case SP_T_FILE_CANCEL: return 3;
    case SP_T_FILE_ACCEPT: return 9;
    case SP_T_FILE_PREFIX: return 40;
    case SP_T_FILE_WINDOW: return 8;
    default: return 0;
    }
}

static int proto(unsigned *reason, const char *what, const sp_frame_header *h)
{
    *reason = SP_R_PROTOCOL;
    return sp_error_set(SECIP_EPROTO, "file frame 0x%02x on stream %u: %s",
                        (unsigned)h->type, (unsigned)h->stream, what);
}

int sp_file_header_check(const sp_frame_header *h, unsigned *reason)
{
    size_t min = fixed_len(h->type);

    if (min == 0) {
        *reason = SP_R_UNSUPPORTED;
        return sp_error_set(SECIP_ENOTSUP, "file frame type 0x%02x is reserved",
                            (unsigned)h->type);
    }
    if (h->flags != SP_F_FIN)
        return proto(reason, "flags must be exactly FIN", h);
    if (h->stream == 0)
        return proto(reason, "stream 0", h);
    if (h->length < min)
        return proto(reason, "payload too short", h);
    if (h->type != SP_T_FILE_CHUNK && h->length > SP_FILE_CTL_MAX)
        return proto(reason, "payload above 1024 bytes", h);
    *reason = SP_R_NORMAL;
    return 0;
}

/* Header of a file frame with payload length n at out; checks room. */
static int head(uint8_t *out, size_t cap, uint8_t type, uint16_t t, size_t n)
{
    sp_frame_header h;

    if (out == NULL || t == 0)
        return sp_error_set(SECIP_EINVAL, "file frame: bad argument");
    if (cap < SP_FRAME_HEADER_LEN + n)
        return sp_error_set(SECIP_ETOOBIG, "file frame: buffer too small");
    h.type = type;
    h.flags = SP_F_FIN;
    h.stream = t;
    h.length = (uint32_t)n;
    sp_frame_header_write(out, &h);
    return 0;
}

int sp_encode_file_begin(uint8_t *out, size_t cap, uint16_t t,
                         const sp_file_begin *b)
{
    uint8_t *p;
    int rc;

    if (b == NULL || b->name == NULL || b->name_len == 0 ||
        b->name_len > SP_FILE_NAME_WIRE_MAX ||
        (b->options & ~(SP_FILE_OPT_HAS_MTIME | SP_FILE_OPT_RESUMABLE)))
        return sp_error_set(SECIP_EINVAL, "FILE_BEGIN: bad name or options");
    rc = head(out, cap, SP_T_FILE_BEGIN, t, SP_FILE_BEGIN_FIXED + b->name_len);
    if (rc < 0)
        return rc;
    p = out + SP_FRAME_HEADER_LEN;
    sp_be64_write(p, b->size);
    sp_be64_write(p + 8, (uint64_t)b->mtime);
    p[16] = b->options;
    p[17] = 0;
    sp_be16_write(p + 18, (uint16_t)b->name_len);
    memcpy(p + 20, b->name, b->name_len);
    return (int)(SP_FRAME_HEADER_LEN + SP_FILE_BEGIN_FIXED + b->name_len);
}

int sp_encode_file_accept(uint8_t *out, size_t cap, uint16_t t, uint64_t offset,
                          uint8_t flags)
{
    int rc;

    if (flags & ~SP_FILE_ACCEPT_PROVE)
        return sp_error_set(SECIP_EINVAL, "FILE_ACCEPT: bad flags");
    rc = head(out, cap, SP_T_FILE_ACCEPT, t, 9);
    if (rc < 0)
        return rc;
    sp_be64_write(out + SP_FRAME_HEADER_LEN, offset);
    out[SP_FRAME_HEADER_LEN + 8] = flags;
    return SP_FRAME_HEADER_LEN + 9;
}

int sp_encode_file_prefix(uint8_t *out, size_t cap, uint16_t t, uint64_t offset,
                          const uint8_t hash[32])
{
    int rc = head(out, cap, SP_T_FILE_PREFIX, t, 40);

    if (rc < 0)
        return rc;
    sp_be64_write(out + SP_FRAME_HEADER_LEN, offset);
    memcpy(out + SP_FRAME_HEADER_LEN + 8, hash, 32);
    return SP_FRAME_HEADER_LEN + 40;
}

int sp_encode_file_hash(uint8_t *out, size_t cap, uint8_t type, uint16_t t,
                        const uint8_t hash[32])
{
    int rc;

    if (type != SP_T_FILE_END && type != SP_T_FILE_RECEIPT)
        return sp_error_set(SECIP_EINVAL, "file hash frame: bad type");
    rc = head(out, cap, type, t, 32);
    if (rc < 0)
        return rc;
    memcpy(out + SP_FRAME_HEADER_LEN, hash, 32);
    return SP_FRAME_HEADER_LEN + 32;
}

int sp_encode_file_window(uint8_t *out, size_t cap, uint16_t t, uint64_t limit)
{
    int rc = head(out, cap, SP_T_FILE_WINDOW, t, 8);
    if (rc < 0)
        return rc;
    sp_be64_write(out + SP_FRAME_HEADER_LEN, limit);
    return SP_FRAME_HEADER_LEN + 8;
}

int sp_encode_file_cancel(uint8_t *out, size_t cap, uint16_t t, uint8_t role,
                          unsigned reason, const char *text)
{
    size_t n = text != NULL ? strlen(text) : 0;
    int rc;

    if (role > SP_FILE_ROLE_RECEIVER || reason > 0xffffu)
        return sp_error_set(SECIP_EINVAL, "FILE_CANCEL: bad role or reason");
    if (n > SP_FILE_CTL_MAX - 3)
        n = sp_utf8_cut((const uint8_t *)text, SP_FILE_CTL_MAX - 3);
    rc = head(out, cap, SP_T_FILE_CANCEL, t, 3 + n);
    if (rc < 0)
        return rc;
    out[SP_FRAME_HEADER_LEN] = role;
    sp_be16_write(out + SP_FRAME_HEADER_LEN + 1, (uint16_t)reason);
    if (n > 0)
        memcpy(out + SP_FRAME_HEADER_LEN + 3, text, n);
    return (int)(SP_FRAME_HEADER_LEN + 3 + n);
}

int sp_encode_file_chunk_head(uint8_t out[SP_FILE_CHUNK_HEAD], uint16_t t,
                              uint64_t offset, size_t data_len)
{
    int rc;

    if (data_len == 0 || data_len > SP_FRAME_HARD_MAX - 8)
        return sp_error_set(SECIP_EINVAL, "FILE_CHUNK: bad data length");
    rc = head(out, SP_FILE_CHUNK_HEAD + data_len, SP_T_FILE_CHUNK, t,
              8 + data_len);
    if (rc < 0)
        return rc;
    sp_be64_write(out + SP_FRAME_HEADER_LEN, offset);
    return SP_FILE_CHUNK_HEAD;
}

static int short_payload(const char *what)
{
    return sp_error_set(SECIP_EPROTO, "%s payload too short", what);
}

int sp_decode_file_begin(const uint8_t *p, size_t len, sp_file_begin *b)
{
    if (len < SP_FILE_BEGIN_FIXED)
        return short_payload("FILE_BEGIN");
    b->size = sp_be64_read(p);
    b->mtime = (int64_t)sp_be64_read(p + 8);
    b->options = p[16];
    b->name_len = sp_be16_read(p + 18);
    b->name = p + 20;
    if (b->options & ~(SP_FILE_OPT_HAS_MTIME | SP_FILE_OPT_RESUMABLE))
        return sp_error_set(SECIP_EPROTO, "FILE_BEGIN: reserved option bits");
    if (b->name_len == 0 || b->name_len > SP_FILE_NAME_WIRE_MAX ||
        len < SP_FILE_BEGIN_FIXED + b->name_len)
        return sp_error_set(SECIP_EPROTO, "FILE_BEGIN: bad name length %u",
                            (unsigned)b->name_len);
    if (!(b->options & SP_FILE_OPT_HAS_MTIME))
        b->mtime = 0;
    return 0;
}

int sp_decode_file_accept(const uint8_t *p, size_t len, uint64_t *offset,
                          uint8_t *flags)
{
    if (len < 9)
        return short_payload("FILE_ACCEPT");
    *offset = sp_be64_read(p);
    *flags = p[8];
    if (*flags & ~SP_FILE_ACCEPT_PROVE)
        return sp_error_set(SECIP_EPROTO, "FILE_ACCEPT: reserved flag bits");
    if ((*flags & SP_FILE_ACCEPT_PROVE) && *offset == 0)
        return sp_error_set(SECIP_EPROTO, "FILE_ACCEPT: PROVE at offset 0");
    return 0;
}

int sp_decode_file_window(const uint8_t *p, size_t len, uint64_t *limit)
{
    if (len < 8)
        return short_payload("FILE_WINDOW");
    *limit = sp_be64_read(p);
    return 0;
}

int sp_decode_file_prefix(const uint8_t *p, size_t len, uint64_t *offset,
                          uint8_t hash[32])
{
    if (len < 40)
        return short_payload("FILE_PREFIX");
    *offset = sp_be64_read(p);
    memcpy(hash, p + 8, 32);
    return 0;
}

int sp_decode_file_hash(const uint8_t *p, size_t len, uint8_t hash[32])
{
    if (len < 32)
        return short_payload("FILE_END/FILE_RECEIPT");
    memcpy(hash, p, 32);
    return 0;
}

int sp_decode_file_chunk(const uint8_t *p, size_t len, uint64_t *offset,
                         const uint8_t **data, size_t *data_len)
{
    if (len < 9)
        return short_payload("FILE_CHUNK");
    *offset = sp_be64_read(p);
    *data = p + 8;
    *data_len = len - 8;
    return 0;
}

int sp_decode_file_cancel(const uint8_t *p, size_t len, uint8_t *role,
                          unsigned *reason, const char **text, size_t *text_len)
{
    if (len < 3)
        return short_payload("FILE_CANCEL");
    *role = p[0];
    *reason = sp_be16_read(p + 1);
    *text = (const char *)p + 3;
    *text_len = len - 3;
    if (*role > SP_FILE_ROLE_RECEIVER)
        return sp_error_set(SECIP_EPROTO, "FILE_CANCEL: unknown role %u",
                            (unsigned)*role);
    if (!sp_utf8_valid(p + 3, len - 3))
        return sp_error_set(SECIP_EFORMAT, "FILE_CANCEL text is not UTF-8");
    return 0;
}
