/*
 * sdk/src/session/decoder.h -- internal: the incremental secip/1 decoder.
 *
 * The session feeds the decrypted TLS byte stream in whatever pieces it gets
 * (one byte at a time works) and receives events: complete, validated
 * messages and control frames.  The decoder never trusts a length before
 * checking it against the limits: a frame header is checked whole before
 * its payload is looked at, a message's announced total before a byte of it
 * is stored, and memory grows only as payload bytes actually arrive (at most
 * one frame ahead).  Payload bytes are copied once, from the input straight
 * into the message that the application will receive; FILE frame payloads
 * are not copied at all (events point into the input).
 *
 * Every error is final: the byte stream cannot be trusted any more, so the
 * decoder stays failed and tells which CLOSE reason the session should send.
 *
 * Thread-safety: a decoder is used by one thread at a time (the session's
 * loop thread); distinct decoders are independent.
 */
#ifndef SP_DECODER_H
#define SP_DECODER_H

#include <stddef.h>
#include <stdint.h>

#include "frame.h"
#include "secip/message.h"
#include "utf8.h"

enum sp_event_kind {
    SP_EV_MESSAGE = 1, /* msg: a complete message, now owned by the caller */
    SP_EV_HELLO,       /* hello: the peer's limits */
    SP_EV_PING,        /* ping: opaque bytes to echo in a PONG */
    SP_EV_PONG,        /* ping: the echoed bytes */
    SP_EV_CLOSE,       /* code + text: the peer closes */
    SP_EV_ERROR,       /* code + stream + text: a non-fatal report */
    SP_EV_FILE         /* file: a piece of a FILE_* frame (accept_files) */
};

typedef struct sp_file_piece {
    uint8_t type;        /* SP_T_FILE_* */
    uint8_t flags;       /* header flags, FIN/CONT as sent */
    uint32_t frame_len;  /* payload length of the whole frame */
    uint32_t offset;     /* offset of this piece within the frame payload */
    const uint8_t *data; /* points into the fed input */
    size_t len;
    int frame_end; /* 1 on the frame's last piece */
} sp_file_piece;

typedef struct sp_event {
    int kind;
    uint16_t stream;    /* MESSAGE, FILE: stream; ERROR: stream concerned */
    secip_message *msg; /* MESSAGE */
    sp_hello hello;     /* HELLO */
    uint8_t ping[SP_PING_LEN];
    unsigned code;    /* CLOSE reason, ERROR code */
    const char *text; /* CLOSE/ERROR text, NUL-terminated UTF-8 */
    size_t text_len;
    sp_file_piece file; /* FILE */
} sp_event;

/* One open fragmented message. */
typedef struct sp_stream {
    secip_message *msg; /* NULL when the slot is free */
    uint64_t total;     /* announced message length */
    sp_utf8 utf8;
    uint16_t id;
    uint8_t type; /* SP_T_* */
} sp_stream;

/** Decoder flag: the first frame must be HELLO (the default for sessions). */
#define SP_DEC_REQUIRE_HELLO 0x01

typedef struct sp_decoder {
    sp_limits lim;
    int flags;
    int state;
    int err;         /* sticky error code once failed */
    unsigned reason; /* CLOSE reason matching err */
    sp_frame_header h;
    uint8_t acc[SP_FRAME_HEADER_LEN]; /* header or total prefix bytes */
    size_t acc_have;
    uint32_t left;      /* payload bytes of the current frame to come */
    sp_stream single;   /* target of a single-frame message */
    sp_stream *cur;     /* target of the current data frame */
    sp_stream *streams; /* lim.max_streams slots, allocated on first use */
    uint32_t open;      /* slots in use */
    int hello_seen;
    int close_seen;
    size_t ctl_len;
    uint8_t ctl[SP_CONTROL_MAX + 1]; /* control payload + NUL */
} sp_decoder;

/**
 * Prepare d with a copy of lim (checked with sp_limits_check) and flags.
 * Errors: SECIP_EINVAL.  Nothing is allocated yet.
 */
int sp_decoder_init(sp_decoder *d, const sp_limits *lim, int flags);

/**
 * Release everything d holds (partial messages).  d may be re-initialised.
 */
void sp_decoder_fini(sp_decoder *d);

/**
 * Consume input until one event is complete or the input is exhausted.
 *
 * Returns 1 with *ev filled when an event is ready (*used tells how many
 * bytes of p were consumed; call again with the rest), 0 when all len bytes
 * were consumed without completing an event (*used == len), or a negative
 * code.  Pointers in *ev (text, file.data) are valid until the next call;
 * ev->msg belongs to the caller.
 *
 * Errors (final; sp_decoder_reason() gives the CLOSE reason):
 *   SECIP_EPROTO   framing violated: reserved bits, unknown stream, bad
 *                  control frame, missing HELLO, frame after CLOSE, more or
 *                  fewer bytes than announced, too many open streams;
 *   SECIP_ENOTSUP  undefined frame type (or FILE frames not accepted);
 *   SECIP_ETOOBIG  frame above max_frame or message above max_message;
 *   SECIP_EFORMAT  TEXT not UTF-8, OBJECT/LIST not a JSON object/array
 *                  (syntax, depth, kind, trailing bytes);
 *   SECIP_ENOMEM.
 */
int sp_decoder_feed(sp_decoder *d, const uint8_t *p, size_t len, size_t *used,
                    sp_event *ev);

/** The CLOSE reason to send after a failure (SP_R_NORMAL when none). */
unsigned sp_decoder_reason(const sp_decoder *d);

/** 1 while the decoder sits between frames (nothing partial buffered). */
int sp_decoder_idle(const sp_decoder *d);

#endif /* SP_DECODER_H */
