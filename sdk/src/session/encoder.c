/*
 * sdk/src/session/encoder.c -- frame cursors and the packing send queue.
 */
#include "encoder.h"

#include <string.h>

#include "error.h"

int sp_out_msg_init(sp_out_msg *m, uint8_t type, const void *data, uint64_t len,
                    uint32_t frame_size, uint16_t stream)
{
    if (m == NULL || sp_frame_type_class(type) != SP_TC_DATA)
        return sp_error_set(SECIP_EINVAL, "encoder: bad message type 0x%02x",
                            (unsigned)type);
    if (frame_size < SP_SEND_FRAME_MIN || frame_size > SP_FRAME_HARD_MAX)
        return sp_error_set(
            SECIP_EINVAL, "encoder: frame size %lu outside [%u, %u]",
            (unsigned long)frame_size, SP_SEND_FRAME_MIN, SP_FRAME_HARD_MAX);
    if (data == NULL && len > 0)
        return sp_error_set(SECIP_EINVAL, "encoder: NULL payload");
    memset(m, 0, sizeof *m);
    m->data = data;
    m->len = len;
    m->frame_size = frame_size;
    m->type = type;
    m->stream = len > frame_size ? stream : 0;
    return 0;
}

void sp_out_msg_init_raw(sp_out_msg *m, const void *frames, size_t len)
{
    memset(m, 0, sizeof *m);
    m->data = frames;
    m->len = len;
    m->raw = 1;
    m->started = 1; /* raw bytes are tracked with off/len only */
}

int sp_out_msg_fragmented(const sp_out_msg *m)
{
    return !m->raw && m->len > m->frame_size;
}

int sp_out_msg_done(const sp_out_msg *m)
{
    return m->off == m->len && m->hdr_off == m->hdr_len && m->frame_left == 0 &&
           m->started;
}

int sp_out_msg_at_boundary(const sp_out_msg *m)
{
    if (m->raw)
        return m->off == 0 || m->off == m->len;
    return m->frame_left == 0 && m->hdr_off == m->hdr_len;
}

/* Build the header of the next frame.  Called between frames only. */
static void next_header(sp_out_msg *m)
{
    sp_frame_header h;
    uint64_t rest = m->len - m->off;
    uint32_t room = m->frame_size;
    uint32_t n;

    h.type = m->type;
    h.stream = m->stream;
    h.flags = 0;
    if (!m->started && !sp_out_msg_fragmented(m)) {
        n = (uint32_t)m->len;
        h.flags = SP_F_FIN;
        h.length = n;
        m->hdr_len = SP_FRAME_HEADER_LEN;
    } else if (!m->started) {
        n = room - SP_FRAME_TOTAL_LEN; /* len > frame_size, so not final */
        h.length = room;
        sp_be64_write(m->hdr + SP_FRAME_HEADER_LEN, m->len);
        m->hdr_len = SP_FRAME_HEADER_LEN + SP_FRAME_TOTAL_LEN;
    } else {
        n = rest < room ? (uint32_t)rest : room;
        h.flags = SP_F_CONT | (n == rest ? SP_F_FIN : 0);
        h.length = n;
        m->hdr_len = SP_FRAME_HEADER_LEN;
    }
    sp_frame_header_write(m->hdr, &h);
    m->hdr_off = 0;
    m->frame_left = n;
    m->started = 1;
}

size_t sp_out_msg_peek(sp_out_msg *m, const uint8_t **p)
{
    if (m->raw) {
        *p = m->data + m->off;
        return (size_t)(m->len - m->off);
    }
    if (m->hdr_off == m->hdr_len && m->frame_left == 0) {
        if (m->started && m->off == m->len)
            return 0;
        next_header(m);
    }
    if (m->hdr_off < m->hdr_len) {
        *p = m->hdr + m->hdr_off;
        return (size_t)(m->hdr_len - m->hdr_off);
    }
    *p = m->data + m->off;
    return m->frame_left;
}

void sp_out_msg_advance(sp_out_msg *m, size_t n)
{
    if (m->raw) {
        m->off += n;
        return;
    }
    if (m->hdr_off < m->hdr_len) {
        m->hdr_off = (uint8_t)(m->hdr_off + n);
        return;
    }
    m->off += n;
    m->frame_left -= (uint32_t)n;
}

size_t sp_out_msg_write(sp_out_msg *m, uint8_t *dst, size_t cap, int one_frame)
{
    size_t w = 0;

    while (w < cap) {
        const uint8_t *p;
        size_t n;

        if (one_frame && w > 0 && sp_out_msg_at_boundary(m))
            break;
        n = sp_out_msg_peek(m, &p);
        if (n == 0)
            break;
        if (n > cap - w)
            n = cap - w;
        memcpy(dst + w, p, n);
        sp_out_msg_advance(m, n);
        w += n;
    }
    return w;
}

uint64_t sp_wire_size(uint64_t len, uint32_t frame_size)
{
    uint64_t first, frames;

    if (len <= frame_size)
        return SP_FRAME_HEADER_LEN + len;
    first = frame_size - SP_FRAME_TOTAL_LEN;
    frames = 1 + (len - first + frame_size - 1) / frame_size;
    return frames * SP_FRAME_HEADER_LEN + SP_FRAME_TOTAL_LEN + len;
}

/* ---- the send queue ------------------------------------------------------ */

void sp_outq_init(sp_outq *q, uint32_t max_open)
{
    memset(q, 0, sizeof *q);
    q->max_open = max_open < 1                    ? 1
                  : max_open > SP_MAX_STREAMS_CAP ? SP_MAX_STREAMS_CAP
                                                  : max_open;
    q->next_stream = 1;
}

int sp_outq_empty(const sp_outq *q)
{
    return q->head == NULL;
}

void sp_outq_push(sp_outq *q, sp_out_msg *m)
{
    m->next = NULL;
    if (q->tail != NULL)
        q->tail->next = m;
    else
        q->head = m;
    q->tail = m;
    q->count++;
}

void sp_outq_push_urgent(sp_outq *q, sp_out_msg *m)
{
    m->next = q->head;
    q->head = m;
    if (q->tail == NULL)
        q->tail = m;
    q->count++;
}

static void unlink_msg(sp_outq *q, sp_out_msg *prev, sp_out_msg *m)
{
    if (prev != NULL)
        prev->next = m->next;
    else
        q->head = m->next;
    if (q->tail == m)
        q->tail = prev;
    m->next = NULL;
    q->count--;
}

static int stream_in_use(const sp_outq *q, uint16_t id)
{
    const sp_out_msg *m;
    for (m = q->head; m != NULL; m = m->next)
        if (m->started && sp_out_msg_fragmented(m) && m->stream == id)
            return 1;
    return 0;
}

/* Give a fragmented message about to start a stream id no open message
 * uses (open <= max_open <= SP_MAX_STREAMS_CAP, far fewer than the ids
 * available, so the search ends).  Ids stay below 32768: the upper half
 * belongs to file transfers (net/session_files.h, PROTOCOL 7.1). */
static void assign_stream(sp_outq *q, sp_out_msg *m)
{
    while (q->next_stream == 0 || q->next_stream >= 32768u ||
           stream_in_use(q, q->next_stream)) {
        unsigned next = q->next_stream + 1u;
        q->next_stream = (uint16_t)(next >= 32768u ? 1u : next);
    }
    m->stream = q->next_stream++;
    q->open++;
}

/* The first message allowed to send a frame now. */
static sp_out_msg *pick(sp_outq *q, sp_out_msg **prev_out)
{
    sp_out_msg *prev = NULL, *m;

    for (m = q->head; m != NULL; prev = m, m = m->next) {
        if (!sp_out_msg_fragmented(m) || m->started || q->open < q->max_open)
            break;
    }
    *prev_out = prev;
    return m;
}

static void finish_frame(sp_outq *q, sp_out_msg *prev, sp_out_msg *m,
                         sp_out_msg ***done_tail)
{
    unlink_msg(q, prev, m);
    if (sp_out_msg_done(m)) {
        if (sp_out_msg_fragmented(m))
            q->open--;
        **done_tail = m;
        *done_tail = &m->next;
    } else {
        sp_outq_push(q, m); /* back of the line: others get a turn */
    }
}

size_t sp_outq_fill(sp_outq *q, uint8_t *dst, size_t cap, sp_out_msg **done)
{
    sp_out_msg **done_tail = done;
    size_t w = 0;

    while (*done_tail != NULL)
        done_tail = &(*done_tail)->next;
    while (w < cap) {
        sp_out_msg *prev = NULL, *m = q->cur;

        if (m != NULL) {
            /* Resume the partial frame; find its link for unlinking. */
            sp_out_msg *it = q->head;
            while (it != NULL && it != m) {
                prev = it;
                it = it->next;
            }
        } else {
            m = pick(q, &prev);
            if (m == NULL)
                break;
            if (sp_out_msg_fragmented(m) && !m->started)
                assign_stream(q, m);
        }
        w += sp_out_msg_write(m, dst + w, cap - w, 1);
        if (!sp_out_msg_at_boundary(m) || (m->raw && !sp_out_msg_done(m))) {
            q->cur = m; /* buffer full mid-frame */
            break;
        }
        q->cur = NULL;
        finish_frame(q, prev, m, &done_tail);
    }
    return w;
}
