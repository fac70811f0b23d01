/*
 * sdk/src/session/frame.h -- internal: the secip/1 wire format.
 *
 * Constants, the 8-byte frame header, receive limits and the codecs of the
 * small control payloads (HELLO, PING/PONG, CLOSE, ERROR).  The normative
 * description is docs/PROTOCOL.md; this header mirrors it and the two must
 * change together.
 *
 * Everything here is pure computation on caller-provided memory: no I/O, no
 * allocation, no global state, so every function is safe from any thread.
 */
#ifndef SP_FRAME_H
#define SP_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "secip/error.h"

/* ---- protocol constants ------------------------------------------------- */

/** The ALPN protocol name both peers must negotiate. */
#define SP_ALPN "secip/1"

/** Size of a frame header on the wire. */
#define SP_FRAME_HEADER_LEN 8
/** Size of the total-length prefix of a fragmented message's first frame. */
#define SP_FRAME_TOTAL_LEN 8

/** Every receiver accepts frames at least this long (and senders assume
 *  this limit until the peer's HELLO arrives). */
#define SP_FRAME_MIN_MAX (16u * 1024u)
/** Protocol ceiling of a frame's payload length. */
#define SP_FRAME_HARD_MAX (16u * 1024u * 1024u)
/** Largest payload of a control frame (HELLO, PING, PONG, CLOSE, ERROR). */
#define SP_CONTROL_MAX 1024u
/** Length of PING and PONG payloads. */
#define SP_PING_LEN 8u
/** Minimum HELLO payload (longer ones carry extensions, ignored here). */
#define SP_HELLO_LEN 16u

/* Frame types (byte 0 of the header). */
#define SP_T_BYTES       0x01
#define SP_T_TEXT        0x02
#define SP_T_OBJECT      0x03
#define SP_T_LIST        0x04
#define SP_T_FILE_BEGIN  0x10
#define SP_T_FILE_CHUNK  0x11
#define SP_T_FILE_END    0x12
#define SP_T_FILE_CANCEL 0x13
#define SP_T_FILE_LAST   0x1f /* 0x14..0x1f: reserved for file transfer */
#define SP_T_HELLO       0x20
#define SP_T_PING        0x21
#define SP_T_PONG        0x22
#define SP_T_CLOSE       0x23
#define SP_T_ERROR       0x24

/* Frame flags (byte 1 of the header). */
#define SP_F_FIN      0x01 /* last frame of a message */
#define SP_F_CONT     0x02 /* continues a message already open on this stream */
#define SP_F_RESERVED 0xfc

/* Close and error reason codes (u16). */
#define SP_R_NORMAL            0
#define SP_R_GOING_AWAY        1
#define SP_R_PROTOCOL          2
#define SP_R_UNSUPPORTED       3
#define SP_R_TOO_BIG           4
#define SP_R_INVALID_DATA      5
#define SP_R_POLICY            6
#define SP_R_INTERNAL          7
#define SP_R_IDLE_TIMEOUT      8
#define SP_R_HANDSHAKE_TIMEOUT 9
#define SP_R_APP_FIRST         4096 /* 4096..65535: application-defined */

/** Frame-type classes. */
#define SP_TC_DATA    1
#define SP_TC_FILE    2
#define SP_TC_CONTROL 3

/* ---- header -------------------------------------------------------------- */

typedef struct sp_frame_header {
    uint8_t type;
    uint8_t flags;
    uint16_t stream;
    uint32_t length; /* payload bytes following the header */
} sp_frame_header;

/** Write h as 8 bytes in network order.  Never fails. */
void sp_frame_header_write(uint8_t out[SP_FRAME_HEADER_LEN],
                           const sp_frame_header *h);

/** Read 8 bytes into h.  Checks nothing: see sp_frame_header_check(). */
void sp_frame_header_read(const uint8_t in[SP_FRAME_HEADER_LEN],
                          sp_frame_header *h);

/**
 * Class of a frame type: SP_TC_DATA, SP_TC_FILE, SP_TC_CONTROL, or 0 for a
 * type secip/1 does not define.
 */
int sp_frame_type_class(uint8_t type);

/** Static name of a frame type: "TEXT", "PING", ..., or "FILE_RESERVED" /
 * "UNKNOWN" for types secip/1 leaves undefined. */
const char *sp_frame_type_name(uint8_t type);

/** Static name of a reason code ("normal", "protocol error", ...). */
const char *sp_reason_name(unsigned reason);

/* ---- limits -------------------------------------------------------------- */

/** What a receiver accepts; announced to the peer in HELLO. */
typedef struct sp_limits {
    uint32_t max_frame;   /* payload bytes; [16 KiB, 16 MiB], default 1 MiB */
    uint32_t max_streams; /* open fragmented messages; [1, 256], default 4 */
    uint64_t max_message; /* message bytes; >= 0, default 64 MiB */
    uint32_t json_depth;  /* JSON nesting; [1, 1024], default 64 */
    int accept_files;     /* deliver FILE_* frames (issue 5); default 0 */
} sp_limits;

#define SP_DEFAULT_MAX_FRAME   (1024u * 1024u)
#define SP_DEFAULT_MAX_STREAMS 4u
#define SP_DEFAULT_MAX_MESSAGE (64ull * 1024u * 1024u)
#define SP_DEFAULT_JSON_DEPTH  64u
#define SP_MAX_STREAMS_CAP     256u
#define SP_JSON_DEPTH_CAP      1024u

/** Fill l with the defaults above. */
void sp_limits_default(sp_limits *l);

/**
 * Check that every field is within its range.
 * Errors: SECIP_EINVAL naming the field and its range.
 */
int sp_limits_check(const sp_limits *l);

/**
 * Check a header against the protocol and the receiver's limits, before a
 * single payload byte is looked at or any memory is reserved for it.
 * Checks: defined type, reserved flag bits clear, control frames on stream
 * 0 with exactly FIN and a bounded payload, length <= max_frame.  Stream
 * bookkeeping (is the stream open?) is the decoder's job.
 *
 * Errors (detail recorded; *reason receives the CLOSE reason to send):
 *   SECIP_ENOTSUP  undefined type, or FILE frames while !accept_files
 *                  (SP_R_UNSUPPORTED);
 *   SECIP_EPROTO   reserved flags, bad control framing (SP_R_PROTOCOL);
 *   SECIP_ETOOBIG  length above max_frame (SP_R_TOO_BIG).
 */
int sp_frame_header_check(const sp_frame_header *h, const sp_limits *l,
                          unsigned *reason);

/* ---- control payloads ---------------------------------------------------- */

typedef struct sp_hello {
    uint32_t max_frame;
    uint16_t max_streams;
    uint16_t features; /* 0 in secip/1; unknown bits are ignored */
    uint64_t max_message;
} sp_hello;

/**
 * Encode a whole control frame (header + payload) into out[cap].
 * Returns the frame length, or SECIP_ETOOBIG when cap is too small or text
 * too long (CLOSE/ERROR text is cut at SP_CONTROL_MAX - 4 bytes instead,
 * on a UTF-8 character boundary, so a long reason never fails).
 * SECIP_EINVAL for NULL arguments or an invalid HELLO (values out of range).
 */
int sp_encode_hello(uint8_t *out, size_t cap, const sp_hello *h);
int sp_encode_ping(uint8_t *out, size_t cap, int pong,
                   const uint8_t opaque[SP_PING_LEN]);
int sp_encode_close(uint8_t *out, size_t cap, unsigned reason,
                    const char *text);
int sp_encode_error(uint8_t *out, size_t cap, unsigned code, uint16_t stream,
                    const char *text);

/** Worst-case length of any control frame. */
#define SP_CONTROL_FRAME_MAX (SP_FRAME_HEADER_LEN + SP_CONTROL_MAX)

/**
 * Decode a HELLO payload.  Errors: SECIP_EPROTO when shorter than
 * SP_HELLO_LEN or when a value is outside the protocol's ranges.
 */
int sp_decode_hello(const uint8_t *p, size_t len, sp_hello *h);

/* ---- big-endian helpers -------------------------------------------------- */

void sp_be16_write(uint8_t *p, uint16_t v);
void sp_be32_write(uint8_t *p, uint32_t v);
void sp_be64_write(uint8_t *p, uint64_t v);
uint16_t sp_be16_read(const uint8_t *p);
uint32_t sp_be32_read(const uint8_t *p);
uint64_t sp_be64_read(const uint8_t *p);

#endif /* SP_FRAME_H */
