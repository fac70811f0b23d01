/*
 * sdk/src/session/frame.c -- the frame header, limits and control payloads
 * of secip/1 (see docs/PROTOCOL.md).
 */
#include "frame.h"

#include <string.h>

#include "error.h"
#include "utf8.h"

/* ---- big-endian helpers -------------------------------------------------- */

void sp_be16_write(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

void sp_be32_write(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

void sp_be64_write(uint8_t *p, uint64_t v)
{
    sp_be32_write(p, (uint32_t)(v >> 32));
    sp_be32_write(p + 4, (uint32_t)v);
}

uint16_t sp_be16_read(const uint8_t *p)
{
    return (uint16_t)(((unsigned)p[0] << 8) | p[1]);
}

uint32_t sp_be32_read(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
           ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

uint64_t sp_be64_read(const uint8_t *p)
{
    return ((uint64_t)sp_be32_read(p) << 32) | sp_be32_read(p + 4);
}

/* ---- header -------------------------------------------------------------- */

void sp_frame_header_write(uint8_t out[SP_FRAME_HEADER_LEN],
                           const sp_frame_header *h)
{
    out[0] = h->type;
    out[1] = h->flags;
    sp_be16_write(out + 2, h->stream);
    sp_be32_write(out + 4, h->length);
}

void sp_frame_header_read(const uint8_t in[SP_FRAME_HEADER_LEN],
                          sp_frame_header *h)
{
    h->type = in[0];
    h->flags = in[1];
    h->stream = sp_be16_read(in + 2);
    h->length = sp_be32_read(in + 4);
}

int sp_frame_type_class(uint8_t type)
{
    if (type >= SP_T_BYTES && type <= SP_T_LIST)
        return SP_TC_DATA;
    if (type >= SP_T_FILE_BEGIN && type <= SP_T_FILE_LAST)
        return SP_TC_FILE;
    if (type >= SP_T_HELLO && type <= SP_T_ERROR)
        return SP_TC_CONTROL;
    return 0;
}

const char *sp_frame_type_name(uint8_t type)
{
    switch (type) {
    case SP_T_BYTES: return "BYTES";
    case SP_T_TEXT: return "TEXT";
    case SP_T_OBJECT: return "OBJECT";
    case SP_T_LIST: return "LIST";
    case SP_T_FILE_BEGIN: return "FILE_BEGIN";
    case SP_T_FILE_CHUNK: return "FILE_CHUNK";
    case SP_T_FILE_END: return "FILE_END";
    case SP_T_FILE_CANCEL: return "FILE_CANCEL";
    case SP_T_HELLO: return "HELLO";
    case SP_T_PING: return "PING";
    case SP_T_PONG: return "PONG";
    case SP_T_CLOSE: return "CLOSE";
    case SP_T_ERROR: return "ERROR";
    default:
        return sp_frame_type_class(type) == SP_TC_FILE ? "FILE_RESERVED"
                                                       : "UNKNOWN";
    }
}

const char *sp_reason_name(unsigned reason)
{
    switch (reason) {
    case SP_R_NORMAL: return "normal";
    case SP_R_GOING_AWAY: return "going away";
    case SP_R_PROTOCOL: return "protocol error";
    case SP_R_UNSUPPORTED: return "unsupported type";
    case SP_R_TOO_BIG: return "too big";
    case SP_R_INVALID_DATA: return "invalid data";
    case SP_R_POLICY: return "policy violation";
    case SP_R_INTERNAL: return "internal error";
    case SP_R_IDLE_TIMEOUT: return "idle timeout";
    case SP_R_HANDSHAKE_TIMEOUT: return "handshake timeout";
    default:
        return reason >= SP_R_APP_FIRST ? "application-defined" : "unknown";
    }
}

/* ---- limits -------------------------------------------------------------- */

void sp_limits_default(sp_limits *l)
{
    l->max_frame = SP_DEFAULT_MAX_FRAME;
    l->max_streams = SP_DEFAULT_MAX_STREAMS;
    l->max_message = SP_DEFAULT_MAX_MESSAGE;
    l->json_depth = SP_DEFAULT_JSON_DEPTH;
    l->accept_files = 0;
}

int sp_limits_check(const sp_limits *l)
{
    if (l == NULL)
        return sp_error_set(SECIP_EINVAL, "limits: NULL");
    if (l->max_frame < SP_FRAME_MIN_MAX || l->max_frame > SP_FRAME_HARD_MAX)
        return sp_error_set(
            SECIP_EINVAL, "limits: max_frame %lu outside [%u, %u]",
            (unsigned long)l->max_frame, SP_FRAME_MIN_MAX, SP_FRAME_HARD_MAX);
    if (l->max_streams < 1 || l->max_streams > SP_MAX_STREAMS_CAP)
        return sp_error_set(SECIP_EINVAL,
                            "limits: max_streams %lu outside [1, %u]",
                            (unsigned long)l->max_streams, SP_MAX_STREAMS_CAP);
    if (l->json_depth < 1 || l->json_depth > SP_JSON_DEPTH_CAP)
        return sp_error_set(SECIP_EINVAL,
                            "limits: json_depth %lu outside [1, %u]",
                            (unsigned long)l->json_depth, SP_JSON_DEPTH_CAP);
    /* A message must fit in memory with its terminating NUL. */
    if (l->max_message >= (uint64_t)SIZE_MAX / 2)
        return sp_error_set(SECIP_EINVAL,
                            "limits: max_message %llu too large for this "
                            "platform",
                            (unsigned long long)l->max_message);
    return 0;
}

static int control_check(const sp_frame_header *h, unsigned *reason)
{
    const char *name = sp_frame_type_name(h->type);

    *reason = SP_R_PROTOCOL;
    if (h->stream != 0)
        return sp_error_set(SECIP_EPROTO,
                            "%s frame on stream %u (control frames use 0)",
                            name, (unsigned)h->stream);
    if (h->flags != SP_F_FIN)
        return sp_error_set(SECIP_EPROTO,
                            "%s frame with flags 0x%02x (control frames are "
                            "never fragmented: flags must be FIN)",
                            name, (unsigned)h->flags);
    if (h->length > SP_CONTROL_MAX)
        return sp_error_set(SECIP_EPROTO,
                            "%s frame of %lu bytes (control payloads are at "
                            "most %u)",
                            name, (unsigned long)h->length, SP_CONTROL_MAX);
    if ((h->type == SP_T_PING || h->type == SP_T_PONG) &&
        h->length != SP_PING_LEN)
        return sp_error_set(SECIP_EPROTO, "%s payload of %lu bytes, not %u",
                            name, (unsigned long)h->length, SP_PING_LEN);
    if (h->type == SP_T_HELLO && h->length < SP_HELLO_LEN)
        return sp_error_set(SECIP_EPROTO, "HELLO payload of %lu bytes (< %u)",
                            (unsigned long)h->length, SP_HELLO_LEN);
    if ((h->type == SP_T_CLOSE && h->length < 2) ||
        (h->type == SP_T_ERROR && h->length < 4))
        return sp_error_set(SECIP_EPROTO, "%s payload of %lu bytes too short",
                            name, (unsigned long)h->length);
    *reason = SP_R_NORMAL;
    return 0;
}

int sp_frame_header_check(const sp_frame_header *h, const sp_limits *l,
                          unsigned *reason)
{
    int cls = sp_frame_type_class(h->type);

    if (cls == 0 || (cls == SP_TC_FILE && !l->accept_files)) {
        *reason = SP_R_UNSUPPORTED;
        return sp_error_set(SECIP_ENOTSUP,
                            "frame type 0x%02x (%s) is not supported here",
                            (unsigned)h->type, sp_frame_type_name(h->type));
    }
    if (h->flags & SP_F_RESERVED) {
        *reason = SP_R_PROTOCOL;
        return sp_error_set(SECIP_EPROTO,
                            "%s frame with reserved flag bits set (0x%02x)",
                            sp_frame_type_name(h->type), (unsigned)h->flags);
    }
    if (cls == SP_TC_CONTROL)
        return control_check(h, reason);
    if (h->length > l->max_frame) {
        *reason = SP_R_TOO_BIG;
        return sp_error_set(SECIP_ETOOBIG,
                            "%s frame announces %lu payload bytes; the limit "
                            "is %lu",
                            sp_frame_type_name(h->type),
                            (unsigned long)h->length,
                            (unsigned long)l->max_frame);
    }
    *reason = SP_R_NORMAL;
    return 0;
}

/* ---- control payloads ---------------------------------------------------- */

static void control_header(uint8_t *out, uint8_t type, size_t len)
{
    sp_frame_header h;
    h.type = type;
    h.flags = SP_F_FIN;
    h.stream = 0;
    h.length = (uint32_t)len;
    sp_frame_header_write(out, &h);
}

static int hello_values_ok(uint32_t max_frame, uint32_t max_streams)
{
    return max_frame >= SP_FRAME_MIN_MAX && max_frame <= SP_FRAME_HARD_MAX &&
           max_streams >= 1;
}

int sp_encode_hello(uint8_t *out, size_t cap, const sp_hello *h)
{
    if (out == NULL || h == NULL ||
        !hello_values_ok(h->max_frame, h->max_streams))
        return sp_error_set(SECIP_EINVAL, "HELLO: invalid values");
    if (cap < SP_FRAME_HEADER_LEN + SP_HELLO_LEN)
        return sp_error_set(SECIP_ETOOBIG, "HELLO: output buffer too small");
    control_header(out, SP_T_HELLO, SP_HELLO_LEN);
    sp_be32_write(out + 8, h->max_frame);
    sp_be16_write(out + 12, h->max_streams);
    sp_be16_write(out + 14, h->features);
    sp_be64_write(out + 16, h->max_message);
    return SP_FRAME_HEADER_LEN + SP_HELLO_LEN;
}

int sp_decode_hello(const uint8_t *p, size_t len, sp_hello *h)
{
    if (len < SP_HELLO_LEN)
        return sp_error_set(SECIP_EPROTO, "HELLO payload too short");
    h->max_frame = sp_be32_read(p);
    h->max_streams = sp_be16_read(p + 4);
    h->features = sp_be16_read(p + 6);
    h->max_message = sp_be64_read(p + 8);
    if (!hello_values_ok(h->max_frame, h->max_streams))
        return sp_error_set(SECIP_EPROTO,
                            "HELLO announces max_frame %lu, max_streams %u "
                            "(need [%u, %u] and >= 1)",
                            (unsigned long)h->max_frame,
                            (unsigned)h->max_streams, SP_FRAME_MIN_MAX,
                            SP_FRAME_HARD_MAX);
    return 0;
}

int sp_encode_ping(uint8_t *out, size_t cap, int pong,
                   const uint8_t opaque[SP_PING_LEN])
{
    if (out == NULL || opaque == NULL)
        return sp_error_set(SECIP_EINVAL, "PING: NULL argument");
    if (cap < SP_FRAME_HEADER_LEN + SP_PING_LEN)
        return sp_error_set(SECIP_ETOOBIG, "PING: output buffer too small");
    control_header(out, pong ? SP_T_PONG : SP_T_PING, SP_PING_LEN);
    memcpy(out + SP_FRAME_HEADER_LEN, opaque, SP_PING_LEN);
    return SP_FRAME_HEADER_LEN + SP_PING_LEN;
}

/* CLOSE and ERROR: a fixed part of fixed_len bytes, then UTF-8 text cut on a
 * character boundary to fit SP_CONTROL_MAX. */
static int encode_reason(uint8_t *out, size_t cap, uint8_t type,
                         const uint8_t *fixed, size_t fixed_len,
                         const char *text)
{
    size_t tlen = text != NULL ? strlen(text) : 0;
    size_t room = SP_CONTROL_MAX - fixed_len;

    if (out == NULL)
        return sp_error_set(SECIP_EINVAL, "%s: NULL output",
                            sp_frame_type_name(type));
    if (!sp_utf8_valid((const uint8_t *)text, tlen))
        return sp_error_set(SECIP_EFORMAT, "%s: reason text is not UTF-8",
                            sp_frame_type_name(type));
    if (tlen > room)
        tlen = sp_utf8_cut((const uint8_t *)text, room);
    if (cap < SP_FRAME_HEADER_LEN + fixed_len + tlen)
        return sp_error_set(SECIP_ETOOBIG, "%s: output buffer too small",
                            sp_frame_type_name(type));
    control_header(out, type, fixed_len + tlen);
    memcpy(out + SP_FRAME_HEADER_LEN, fixed, fixed_len);
    if (tlen > 0)
        memcpy(out + SP_FRAME_HEADER_LEN + fixed_len, text, tlen);
    return (int)(SP_FRAME_HEADER_LEN + fixed_len + tlen);
}

int sp_encode_close(uint8_t *out, size_t cap, unsigned reason, const char *text)
{
    uint8_t fixed[2];
    if (reason > 0xffff)
        return sp_error_set(SECIP_EINVAL, "CLOSE: reason %u out of range",
                            reason);
    sp_be16_write(fixed, (uint16_t)reason);
    return encode_reason(out, cap, SP_T_CLOSE, fixed, sizeof fixed, text);
}

int sp_encode_error(uint8_t *out, size_t cap, unsigned code, uint16_t stream,
                    const char *text)
{
    uint8_t fixed[4];
    if (code > 0xffff)
        return sp_error_set(SECIP_EINVAL, "ERROR: code %u out of range", code);
    sp_be16_write(fixed, (uint16_t)code);
    sp_be16_write(fixed + 2, stream);
    return encode_reason(out, cap, SP_T_ERROR, fixed, sizeof fixed, text);
}
