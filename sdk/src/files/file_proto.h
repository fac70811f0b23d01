/*
 * sdk/src/files/file_proto.h -- internal: the payloads of the file frames
 * (docs/PROTOCOL.md section 7): constants, checks and codecs.
 *
 * Pure computation on caller memory, like session/frame.h: no I/O, no
 * allocation, safe from any thread.  Encoders write a whole frame (header
 * and payload) and return its length; FILE_CHUNK is the exception: only
 * its 16-byte head (frame header and offset) is encoded, so the data can go
 * from the chunk buffer to the TLS engine without another copy.
 */
#ifndef SP_FILES_PROTO_H
#define SP_FILES_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "session/frame.h"

/* Frame types beyond the four that frame.h names (0x14..0x16 are carved
 * out of the range frame.h reserves for file transfer). */
#define SP_T_FILE_ACCEPT  0x14
#define SP_T_FILE_PREFIX  0x15
#define SP_T_FILE_RECEIPT 0x16
#define SP_T_FILE_WINDOW  0x17

/** Flow control (PROTOCOL 7.4): chunk data a sender may have beyond the
 *  limit the receiver granted last (FILE_ACCEPT offset + this, then each
 *  FILE_WINDOW), and how far the receiver lets it shrink before it grants
 *  more. */
#define SP_FILE_WINDOW       (512u * 1024u)
#define SP_FILE_WINDOW_EVERY (SP_FILE_WINDOW / 4u)

/** Largest payload of every file frame but FILE_CHUNK. */
#define SP_FILE_CTL_MAX 1024u
/** Fixed part of FILE_BEGIN, and the longest name it may carry. */
#define SP_FILE_BEGIN_FIXED   20u
#define SP_FILE_NAME_WIRE_MAX 1000u
/** FILE_CHUNK: frame header + u64 offset. */
#define SP_FILE_CHUNK_HEAD (SP_FRAME_HEADER_LEN + 8u)
/** Advised data bytes per chunk. */
#define SP_FILE_CHUNK_DATA (64u * 1024u)

#define SP_FILE_OPT_HAS_MTIME 0x01
#define SP_FILE_OPT_RESUMABLE 0x02
#define SP_FILE_ACCEPT_PROVE  0x01
#define SP_FILE_ROLE_SENDER   0 /* FILE_CANCEL: my own transfer */
#define SP_FILE_ROLE_RECEIVER 1 /* FILE_CANCEL: the peer's transfer */

typedef struct sp_file_begin {
    uint64_t size;
    int64_t mtime;
    uint8_t options;     /* SP_FILE_OPT_* */
    const uint8_t *name; /* decode: points into the payload */
    size_t name_len;
} sp_file_begin;

/**
 * Check a file frame's header (after sp_frame_header_check()): flags
 * exactly FIN, stream not 0, a defined file type, FILE_CHUNK at least 9
 * bytes, every other file frame at most SP_FILE_CTL_MAX bytes and at least
 * its fixed size.  Errors: SECIP_EPROTO (*reason = SP_R_PROTOCOL),
 * SECIP_ENOTSUP for 0x17..0x1f (*reason = SP_R_UNSUPPORTED).
 */
int sp_file_header_check(const sp_frame_header *h, unsigned *reason);

/* Encoders: whole frame into out[cap]; frame length, or SECIP_ETOOBIG
 * (cap too small) / SECIP_EINVAL (stream 0, name length out of range,
 * undefined option bits). */
int sp_encode_file_begin(uint8_t *out, size_t cap, uint16_t t,
                         const sp_file_begin *b);
int sp_encode_file_accept(uint8_t *out, size_t cap, uint16_t t, uint64_t offset,
                          uint8_t flags);
int sp_encode_file_prefix(uint8_t *out, size_t cap, uint16_t t, uint64_t offset,
                          const uint8_t hash[32]);
/** FILE_END (type SP_T_FILE_END) or FILE_RECEIPT (SP_T_FILE_RECEIPT). */
int sp_encode_file_hash(uint8_t *out, size_t cap, uint8_t type, uint16_t t,
                        const uint8_t hash[32]);
/** FILE_WINDOW: the sender may send content up to offset `limit`. */
int sp_encode_file_window(uint8_t *out, size_t cap, uint16_t t, uint64_t limit);
/** Text is cut on a character boundary to fit (never fails for length). */
int sp_encode_file_cancel(uint8_t *out, size_t cap, uint16_t t, uint8_t role,
                          unsigned reason, const char *text);
/** The 16-byte head of a FILE_CHUNK carrying data_len (1..16 MiB - 8)
 *  bytes at offset; the data follows it on the wire. */
int sp_encode_file_chunk_head(uint8_t out[SP_FILE_CHUNK_HEAD], uint16_t t,
                              uint64_t offset, size_t data_len);

/* Decoders of a whole payload p[0..len).  Errors: SECIP_EPROTO (too short,
 * values out of range, reserved bits), SECIP_EFORMAT (CANCEL text not
 * UTF-8).  Decoded pointers point into p. */
int sp_decode_file_begin(const uint8_t *p, size_t len, sp_file_begin *b);
int sp_decode_file_accept(const uint8_t *p, size_t len, uint64_t *offset,
                          uint8_t *flags);
int sp_decode_file_prefix(const uint8_t *p, size_t len, uint64_t *offset,
                          uint8_t hash[32]);
int sp_decode_file_hash(const uint8_t *p, size_t len, uint8_t hash[32]);
int sp_decode_file_window(const uint8_t *p, size_t len, uint64_t *limit);
int sp_decode_file_chunk(const uint8_t *p, size_t len, uint64_t *offset,
                         const uint8_t **data, size_t *data_len);
int sp_decode_file_cancel(const uint8_t *p, size_t len, uint8_t *role,
                          unsigned *reason, const char **text,
                          size_t *text_len);

#endif /* SP_FILES_PROTO_H */
