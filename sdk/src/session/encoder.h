/*
 * sdk/src/session/encoder.h -- internal: turning messages into frames.
 *
 * Two layers:
 *
 *  - sp_out_msg, a cursor over one outgoing message.  It never copies or
 *    owns the payload: it yields the bytes to send as a sequence of
 *    contiguous pieces (a header from its own small buffer, then a pointer
 *    into the caller's payload), so a large payload can be written straight
 *    from the application's memory into BearSSL's record buffer, in as many
 *    calls as the buffer's free space requires.  Pre-encoded control frames
 *    go through the same cursor ("raw" mode).
 *
 *  - sp_outq, a send queue that packs frames of many messages back to back
 *    into one caller buffer (one TLS record when the buffer is BearSSL's
 *    plaintext buffer) and interleaves large messages frame by frame with
 *    whatever is queued behind them, so a large message delays a small one
 *    by at most one frame.  Control frames can jump the queue.
 *
 * Nothing here allocates.  Thread-safety: a cursor or queue is used by one
 * thread at a time (the session serialises access).
 */
#ifndef SP_ENCODER_H
#define SP_ENCODER_H

#include <stddef.h>
#include <stdint.h>

#include "frame.h"

/** Smallest frame size a sender may use (8-byte total + 1 payload byte,
 *  rounded up). */
#define SP_SEND_FRAME_MIN 16u

typedef struct sp_out_msg {
    struct sp_out_msg *next; /* link for sp_outq; free for other uses */
    void *user;              /* caller's context; untouched */
    const uint8_t *data;     /* payload (borrowed) */
    uint64_t len;
    uint64_t off;        /* payload bytes already handed out */
    uint32_t frame_size; /* largest payload per frame */
    uint32_t frame_left; /* payload bytes of the current frame to come */
    uint16_t stream;
    uint8_t type;
    uint8_t raw;     /* data is pre-encoded frames */
    uint8_t started; /* the first frame header was produced */
    uint8_t hdr_len; /* header bytes pending in hdr */
    uint8_t hdr_off; /* header bytes already handed out */
    uint8_t hdr[SP_FRAME_HEADER_LEN + SP_FRAME_TOTAL_LEN];
} sp_out_msg;

/**
 * Prepare a cursor for a message of frame type `type` (SP_T_BYTES ...
 * SP_T_LIST) whose payload is data[0..len).  A payload of at most
 * frame_size bytes becomes one frame on stream 0; a larger one is split
 * into frames of at most frame_size payload bytes on `stream` (1..65535),
 * the first carrying the 8-byte total.
 *
 * Ownership: data is borrowed and must stay valid and unchanged until the
 * cursor is done.
 * Errors: SECIP_EINVAL (bad type, frame_size outside [16, 16 MiB], stream 0
 * for a fragmented message, NULL data with len > 0).
 */
int sp_out_msg_init(sp_out_msg *m, uint8_t type, const void *data, uint64_t len,
                    uint32_t frame_size, uint16_t stream);

/**
 * Prepare a cursor over already-encoded whole frames (control frames from
 * sp_encode_*).  Raw cursors are always "at a boundary" only at their end.
 */
void sp_out_msg_init_raw(sp_out_msg *m, const void *frames, size_t len);

/** 1 when the message is fragmented (more than one frame). */
int sp_out_msg_fragmented(const sp_out_msg *m);

/**
 * The next contiguous piece to send: returns its length (> 0) and sets *p,
 * or 0 when the message is done.  A piece never spans two frames.
 */
size_t sp_out_msg_peek(sp_out_msg *m, const uint8_t **p);

/** Mark n bytes of the current piece as sent (n <= peek's length). */
void sp_out_msg_advance(sp_out_msg *m, size_t n);

/**
 * Copy as much as fits into dst[0..cap); with one_frame set, stop at the
 * end of the frame in progress.  Returns the bytes written.
 */
size_t sp_out_msg_write(sp_out_msg *m, uint8_t *dst, size_t cap, int one_frame);

/** 1 when every byte was handed out. */
int sp_out_msg_done(const sp_out_msg *m);

/** 1 when no frame is partially handed out (between frames). */
int sp_out_msg_at_boundary(const sp_out_msg *m);

/** Bytes on the wire for a len-byte message with this frame size. */
uint64_t sp_wire_size(uint64_t len, uint32_t frame_size);

/* ---- the send queue ------------------------------------------------------ */

typedef struct sp_outq {
    sp_out_msg *head, *tail;
    sp_out_msg *cur; /* message whose frame is partially written, or NULL */
    size_t count;
    uint32_t open;     /* fragmented messages started and not done */
    uint32_t max_open; /* the peer's max_streams; may be raised (to at most
                          SP_MAX_STREAMS_CAP) once its HELLO arrives */
    uint16_t next_stream;
} sp_outq;

/**
 * An empty queue that keeps at most max_open fragmented messages in
 * progress at once (the peer's HELLO max_streams; 1 before it is known).
 * The queue assigns the stream ids of fragmented messages itself when it
 * starts them, overriding the cursor's, and never reuses an open one.
 */
void sp_outq_init(sp_outq *q, uint32_t max_open);

/** Append m (initialised, not done) at the tail.  The queue borrows m. */
void sp_outq_push(sp_outq *q, sp_out_msg *m);

/**
 * Put m ahead of everything not yet started (control frames: PONG, CLOSE).
 * It still waits for a frame already partially written.
 */
void sp_outq_push_urgent(sp_outq *q, sp_out_msg *m);

/**
 * Fill dst[0..cap) with frames: whole frames back to back, starting with
 * the rest of a frame left unfinished by the previous call.  After each
 * frame of a fragmented message, that message goes to the back of the
 * queue, so messages behind it get their turn.  Messages that are done are
 * unlinked and appended to *done (linked by `next`, oldest first) for the
 * caller to release.  Returns the bytes written (0 when empty).
 */
size_t sp_outq_fill(sp_outq *q, uint8_t *dst, size_t cap, sp_out_msg **done);

/** 1 when nothing is queued. */
int sp_outq_empty(const sp_outq *q);

#endif /* SP_ENCODER_H */
