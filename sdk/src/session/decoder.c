/*
 * sdk/src/session/decoder.c -- incremental secip/1 decoder.
 *
 * A three-state machine: gather an 8-byte header (S_HEADER), for the first
 * frame of a fragmented message gather its 8-byte total (S_PREFIX), then
 * route payload bytes (S_PAYLOAD) to a message, the control buffer or a
 * FILE event.  All checks that decide whether memory may be reserved happen
 * on the header and the prefix, before any payload byte is touched.
 */
#include "decoder.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "json_intake.h"
#include "message_impl.h"

enum { S_HEADER, S_PREFIX, S_PAYLOAD, S_FAILED };

static int fail(sp_decoder *d, int code, unsigned reason)
{
    d->state = S_FAILED;
    d->err = code;
    d->reason = reason;
    return code;
}

/* Record a protocol violation with its detail and fail. */
#define PROTO(d, ...)                                                          \
    fail((d), sp_error_set(SECIP_EPROTO, __VA_ARGS__), SP_R_PROTOCOL)

int sp_decoder_init(sp_decoder *d, const sp_limits *lim, int flags)
{
    int rc;

    if (d == NULL)
        return sp_error_set(SECIP_EINVAL, "decoder: NULL");
    memset(d, 0, sizeof *d);
    rc = sp_limits_check(lim);
    if (rc < 0)
        return rc;
    d->lim = *lim;
    d->flags = flags;
    d->state = S_HEADER;
    return 0;
}

static void slot_release(sp_stream *s)
{
    secip_message_free(s->msg);
    s->msg = NULL;
}

void sp_decoder_fini(sp_decoder *d)
{
    uint32_t i;

    if (d == NULL)
        return;
    slot_release(&d->single);
    if (d->streams != NULL) {
        for (i = 0; i < d->lim.max_streams; i++)
            slot_release(&d->streams[i]);
        free(d->streams);
    }
    d->streams = NULL;
    d->open = 0;
    d->cur = NULL;
}

unsigned sp_decoder_reason(const sp_decoder *d)
{
    return d->state == S_FAILED ? d->reason : SP_R_NORMAL;
}

int sp_decoder_idle(const sp_decoder *d)
{
    return d->state == S_HEADER && d->acc_have == 0 && d->open == 0;
}

static sp_stream *stream_find(sp_decoder *d, uint16_t id)
{
    uint32_t i;

    if (d->streams == NULL)
        return NULL;
    for (i = 0; i < d->lim.max_streams; i++)
        if (d->streams[i].msg != NULL && d->streams[i].id == id)
            return &d->streams[i];
    return NULL;
}

static sp_stream *stream_free_slot(sp_decoder *d)
{
    uint32_t i;

    if (d->streams == NULL) {
        d->streams = calloc(d->lim.max_streams, sizeof *d->streams);
        if (d->streams == NULL)
            return NULL;
    }
    for (i = 0; i < d->lim.max_streams; i++)
        if (d->streams[i].msg == NULL)
            return &d->streams[i];
    return NULL;
}

static int needs_utf8(uint8_t type)
{
    return type == SP_T_TEXT || type == SP_T_OBJECT || type == SP_T_LIST;
}

/* ---- headers ------------------------------------------------------------- */

/* First frame of a single-frame message: the payload is the message. */
static int start_single(sp_decoder *d)
{
    const sp_frame_header *h = &d->h;

    if (h->stream != 0)
        return PROTO(d, "single-frame %s message on stream %u (must be 0)",
                     sp_frame_type_name(h->type), (unsigned)h->stream);
    if (h->length > d->lim.max_message)
        return fail(d,
                    sp_error_set(SECIP_ETOOBIG,
                                 "%s message of %lu bytes; the limit is %llu",
                                 sp_frame_type_name(h->type),
                                 (unsigned long)h->length,
                                 (unsigned long long)d->lim.max_message),
                    SP_R_TOO_BIG);
    d->single.msg =
        sp_message_new(sp_message_type_of_frame(h->type), h->length);
    if (d->single.msg == NULL)
        return fail(d, SECIP_ENOMEM, SP_R_INTERNAL);
    d->single.type = h->type;
    d->single.id = 0;
    d->single.total = h->length;
    sp_utf8_init(&d->single.utf8);
    d->cur = &d->single;
    return 0;
}

static int start_fragmented(sp_decoder *d)
{
    const sp_frame_header *h = &d->h;

    if (h->stream == 0)
        return PROTO(d, "fragmented %s message on stream 0",
                     sp_frame_type_name(h->type));
    if (stream_find(d, h->stream) != NULL)
        return PROTO(d,
                     "new %s message on stream %u, which already has "
                     "an open message",
                     sp_frame_type_name(h->type), (unsigned)h->stream);
    if (d->open >= d->lim.max_streams)
        return PROTO(d, "more than %lu fragmented messages open at once",
                     (unsigned long)d->lim.max_streams);
    if (h->length < SP_FRAME_TOTAL_LEN)
        return PROTO(d,
                     "first fragment of %lu bytes cannot hold the 8-byte "
                     "total length",
                     (unsigned long)h->length);
    d->state = S_PREFIX;
    d->acc_have = 0;
    d->left = h->length - SP_FRAME_TOTAL_LEN;
    return 0;
}

static int continue_fragmented(sp_decoder *d)
{
    const sp_frame_header *h = &d->h;
    sp_stream *s = stream_find(d, h->stream);
    int rc;

    if (s == NULL || h->stream == 0)
        return PROTO(d, "continuation on stream %u, which has no open message",
                     (unsigned)h->stream);
    if (s->type != h->type)
        return PROTO(d, "%s continuation on stream %u, which carries %s",
                     sp_frame_type_name(h->type), (unsigned)h->stream,
                     sp_frame_type_name(s->type));
    if (h->length > s->total - s->msg->len)
        return PROTO(d, "stream %u sends more than its announced %llu bytes",
                     (unsigned)h->stream, (unsigned long long)s->total);
    rc = sp_message_reserve(s->msg, s->msg->len + h->length, (size_t)s->total);
    if (rc < 0)
        return fail(d, rc, SP_R_INTERNAL);
    d->cur = s;
    return 0;
}

static int frame_end(sp_decoder *d, sp_event *ev);

/* A complete header: check it, then set up where its payload goes.
 * Returns 1 if an event is ready (zero-length frame), 0, or an error. */
static int on_header(sp_decoder *d, sp_event *ev)
{
    sp_frame_header *h = &d->h;
    unsigned reason;
    int cls, rc;

    sp_frame_header_read(d->acc, h);
    d->acc_have = 0;
    rc = sp_frame_header_check(h, &d->lim, &reason);
    if (rc < 0)
        return fail(d, rc, reason);
    if (d->close_seen)
        return PROTO(d, "%s frame after CLOSE", sp_frame_type_name(h->type));
    if ((d->flags & SP_DEC_REQUIRE_HELLO) && !d->hello_seen &&
        h->type != SP_T_HELLO)
        return PROTO(d, "first frame is %s, not HELLO",
                     sp_frame_type_name(h->type));
    if (h->type == SP_T_HELLO && d->hello_seen)
        return PROTO(d, "second HELLO");
    cls = sp_frame_type_class(h->type);
    d->state = S_PAYLOAD;
    d->left = h->length;
    d->cur = NULL;
    d->ctl_len = 0;
    if (cls == SP_TC_DATA) {
        if (h->flags & SP_F_CONT)
            rc = continue_fragmented(d);
        else if (h->flags & SP_F_FIN)
            rc = start_single(d);
        else
            rc = start_fragmented(d);
        if (rc < 0 || d->state == S_PREFIX)
            return rc;
    }
    return d->left == 0 ? frame_end(d, ev) : 0;
}

/* The 8-byte total of a fragmented message: check it, then open a slot. */
static int on_prefix(sp_decoder *d, sp_event *ev)
{
    uint64_t total = sp_be64_read(d->acc);
    sp_stream *s;

    d->acc_have = 0;
    if (total > d->lim.max_message)
        return fail(d,
                    sp_error_set(SECIP_ETOOBIG,
                                 "%s message on stream %u announces %llu "
                                 "bytes; the limit is %llu",
                                 sp_frame_type_name(d->h.type),
                                 (unsigned)d->h.stream,
                                 (unsigned long long)total,
                                 (unsigned long long)d->lim.max_message),
                    SP_R_TOO_BIG);
    if (d->left > total)
        return PROTO(d,
                     "first fragment carries %lu bytes of a %llu-byte "
                     "message",
                     (unsigned long)d->left, (unsigned long long)total);
    s = stream_free_slot(d);
    if (s != NULL)
        s->msg = sp_message_new(sp_message_type_of_frame(d->h.type), d->left);
    if (s == NULL || s->msg == NULL)
        return fail(d, sp_error_set(SECIP_ENOMEM, "decoder: out of memory"),
                    SP_R_INTERNAL);
    s->id = d->h.stream;
    s->type = d->h.type;
    s->total = total;
    sp_utf8_init(&s->utf8);
    d->open++;
    d->cur = s;
    d->state = S_PAYLOAD;
    return d->left == 0 ? frame_end(d, ev) : 0;
}

/* ---- payload ------------------------------------------------------------- */

static int data_bytes(sp_decoder *d, const uint8_t *p, size_t n)
{
    sp_stream *s = d->cur;
    uint64_t bad;

    if (needs_utf8(s->type) && sp_utf8_feed(&s->utf8, p, n, &bad) < 0)
        return fail(d,
                    sp_error_set(SECIP_EFORMAT,
                                 "%s message on stream %u: invalid UTF-8 at "
                                 "byte %llu",
                                 sp_frame_type_name(s->type), (unsigned)s->id,
                                 (unsigned long long)bad),
                    SP_R_INVALID_DATA);
    sp_message_append(s->msg, p, n);
    return 0;
}

/* A finished message: final checks, then hand it over. */
static int message_end(sp_decoder *d, sp_stream *s, sp_event *ev)
{
    secip_message *m = s->msg;
    int rc;

    if (m->len != s->total)
        return PROTO(d,
                     "%s message on stream %u ended after %llu of its "
                     "announced %llu bytes",
                     sp_frame_type_name(s->type), (unsigned)s->id,
                     (unsigned long long)m->len, (unsigned long long)s->total);
    if (needs_utf8(s->type) && !sp_utf8_complete(&s->utf8))
        return fail(d,
                    sp_error_set(SECIP_EFORMAT,
                                 "%s message on stream %u ends inside a UTF-8 "
                                 "sequence",
                                 sp_frame_type_name(s->type), (unsigned)s->id),
                    SP_R_INVALID_DATA);
    if (s->type == SP_T_OBJECT || s->type == SP_T_LIST) {
        rc = sp_json_parse(m->data, m->len, s->type, d->lim.json_depth,
                           &m->json);
        if (rc < 0)
            return fail(d, rc,
                        rc == SECIP_ENOMEM ? SP_R_INTERNAL : SP_R_INVALID_DATA);
    }
    ev->kind = SP_EV_MESSAGE;
    ev->stream = s->id;
    ev->msg = m;
    s->msg = NULL;
    if (s != &d->single)
        d->open--;
    return 1;
}

static int control_end(sp_decoder *d, sp_event *ev)
{
    const uint8_t *p = d->ctl;
    size_t fixed;

    d->ctl[d->ctl_len] = 0;
    switch (d->h.type) {
    case SP_T_HELLO:
        if (sp_decode_hello(p, d->ctl_len, &ev->hello) < 0)
            return fail(d, SECIP_EPROTO, SP_R_PROTOCOL);
        d->hello_seen = 1;
        ev->kind = SP_EV_HELLO;
        return 1;
    case SP_T_PING:
    case SP_T_PONG:
        memcpy(ev->ping, p, SP_PING_LEN);
        ev->kind = d->h.type == SP_T_PING ? SP_EV_PING : SP_EV_PONG;
        return 1;
    default: break;
    }
    /* CLOSE and ERROR: u16 code [, u16 stream], UTF-8 text. */
    fixed = d->h.type == SP_T_CLOSE ? 2 : 4;
    ev->code = sp_be16_read(p);
    ev->stream = fixed == 4 ? sp_be16_read(p + 2) : 0;
    ev->text = (const char *)p + fixed;
    ev->text_len = d->ctl_len - fixed;
    if (!sp_utf8_valid(p + fixed, ev->text_len))
        return fail(d,
                    sp_error_set(SECIP_EFORMAT, "%s text is not valid UTF-8",
                                 sp_frame_type_name(d->h.type)),
                    SP_R_INVALID_DATA);
    if (d->h.type == SP_T_CLOSE) {
        d->close_seen = 1;
        ev->kind = SP_EV_CLOSE;
    } else {
        ev->kind = SP_EV_ERROR;
    }
    return 1;
}

/* End of the current frame's payload. */
static int frame_end(sp_decoder *d, sp_event *ev)
{
    int cls = sp_frame_type_class(d->h.type);
    sp_stream *s = d->cur;

    d->state = S_HEADER;
    d->cur = NULL;
    if (cls == SP_TC_CONTROL)
        return control_end(d, ev);
    if (cls == SP_TC_FILE) {
        /* Only zero-length FILE frames end here; others end in feed(). */
        memset(&ev->file, 0, sizeof ev->file);
        ev->kind = SP_EV_FILE;
        ev->stream = d->h.stream;
        ev->file.type = d->h.type;
        ev->file.flags = d->h.flags;
        ev->file.data = d->ctl;
        ev->file.frame_end = 1;
        return 1;
    }
    return (d->h.flags & SP_F_FIN) ? message_end(d, s, ev) : 0;
}

/* Payload bytes of a FILE frame go out as they are, without a copy. */
static int file_piece(sp_decoder *d, const uint8_t *p, size_t n, sp_event *ev)
{
    ev->kind = SP_EV_FILE;
    ev->stream = d->h.stream;
    ev->file.type = d->h.type;
    ev->file.flags = d->h.flags;
    ev->file.frame_len = d->h.length;
    ev->file.offset = d->h.length - d->left;
    ev->file.data = p;
    ev->file.len = n;
    d->left -= (uint32_t)n;
    ev->file.frame_end = d->left == 0;
    if (d->left == 0)
        d->state = S_HEADER;
    return 1;
}

static int payload(sp_decoder *d, const uint8_t *p, size_t n, sp_event *ev)
{
    int cls = sp_frame_type_class(d->h.type);
    int rc;

    if (cls == SP_TC_FILE)
        return file_piece(d, p, n, ev);
    if (cls == SP_TC_CONTROL) {
        memcpy(d->ctl + d->ctl_len, p, n);
        d->ctl_len += n;
    } else {
        rc = data_bytes(d, p, n);
        if (rc < 0)
            return rc;
    }
    d->left -= (uint32_t)n;
    return d->left == 0 ? frame_end(d, ev) : 0;
}

/* ---- the feed loop ------------------------------------------------------- */

static size_t gather(sp_decoder *d, const uint8_t *p, size_t len)
{
    size_t n = SP_FRAME_HEADER_LEN - d->acc_have;
    if (n > len)
        n = len;
    memcpy(d->acc + d->acc_have, p, n);
    d->acc_have += n;
    return n;
}

int sp_decoder_feed(sp_decoder *d, const uint8_t *p, size_t len, size_t *used,
                    sp_event *ev)
{
    size_t i = 0;
    int rc = 0;

    *used = 0;
    if (d->state == S_FAILED)
        return sp_error_set(d->err, "decoder: the stream failed earlier");
    memset(ev, 0, sizeof *ev);
    while (i < len && rc == 0) {
        if (d->state == S_HEADER || d->state == S_PREFIX) {
            i += gather(d, p + i, len - i);
            if (d->acc_have < SP_FRAME_HEADER_LEN)
                continue;
            rc = d->state == S_HEADER ? on_header(d, ev) : on_prefix(d, ev);
        } else {
            size_t n = len - i < d->left ? len - i : d->left;
            rc = payload(d, p + i, n, ev);
            i += n;
        }
    }
    *used = i;
    return rc;
}
