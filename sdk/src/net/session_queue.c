/*
 * sdk/src/net/session_queue.c -- what a session sends: the send queue of
 * data and control frames (shared with application threads under the
 * session mutex), the direct path into the engine's buffer for the loop
 * thread, and the close request.
 */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "net/session_impl.h"
#include "spare.h"

/* ---- node reuse ---------------------------------------------------------- */

/*
 * Large data nodes are kept for reuse on a process-wide shelf (spare.h),
 * as sp_message_new does for received messages: a bulk sender queues one
 * large message after another, each node was a fresh malloc on the
 * caller's thread and a free on the loop thread, and glibc trimmed and
 * re-grew its heap every time (page faults, docs/BENCHMARKS.md workload
 * 1).  Nodes of NODE_REUSE_MIN..NODE_REUSE_MAX bytes qualify.
 */
#define NODE_REUSE_MIN (64u * 1024u)
#define NODE_REUSE_MAX (1024u * 1024u)

static sp_spares g_spare_nodes;

/* Shared small-message nodes (SP_BATCH_CAP) get a shelf of their own: a
 * sender of 64-byte messages fills one every ~60 messages, the loop frees
 * it on its own thread, and glibc trimmed and re-grew its heap for them
 * (25,000 page faults per 3 million messages). */
static sp_spares g_spare_batches;

static sp_out_node *take_node(size_t len)
{
    sp_out_node *n;
    if (len < NODE_REUSE_MIN || len > NODE_REUSE_MAX)
        return NULL;
    n = sp_spares_take(&g_spare_nodes);
    if (n == NULL)
        return NULL;
    sp_spares_taken(&g_spare_nodes, n->cap);
    if (sp_spares_fits(n->cap, len))
        return n;
    free(n); /* another size: let the shelf follow the traffic */
    return NULL;
}

void sp_out_node_free(sp_out_node *n)
{
    if (n->cap >= NODE_REUSE_MIN && n->cap <= NODE_REUSE_MAX &&
        sp_spares_put(&g_spare_nodes, n, n->cap))
        return;
    if (n->cap == SP_BATCH_CAP && sp_spares_put(&g_spare_batches, n, n->cap))
        return;
    free(n);
}

/* A node with room for SP_BATCH_CAP bytes, or NULL. */
static sp_out_node *new_batch_node(void)
{
    sp_out_node *b = sp_spares_take(&g_spare_batches);
    if (b != NULL) {
        sp_spares_taken(&g_spare_batches, b->cap);
        return b;
    }
    b = malloc(sizeof *b + SP_BATCH_CAP);
    if (b != NULL)
        b->cap = SP_BATCH_CAP;
    return b;
}

/* ---- control frames ------------------------------------------------------ */

/* Queue a pre-encoded control frame.  Caller holds mu. */
void sp_session_queue_control_locked(secip_session *s, const uint8_t *frame,
                                     size_t len, int is_close, int urgent)
{
    sp_out_node *n;
    /* A peer that sends PINGs but never reads must not grow the queue:
     * above the cap its PONGs (and our keep-alive PINGs) are dropped; it
     * cannot read them anyway.  Other control and file frames carry
     * state and are always queued. */
    if (s->queue_cap != 0 && s->queued > s->queue_cap && len > 0 &&
        (frame[0] == SP_T_PING || frame[0] == SP_T_PONG))
        return;
    n = malloc(sizeof *n + len);
    if (n == NULL)
        return; /* best effort: a lost PONG or CLOSE only costs a timeout */
    memcpy(n->data, frame, len);
    sp_out_msg_init_raw(&n->m, n->data, len);
    n->cost = len;
    n->is_close = is_close;
    n->cap = 0;
    s->queued += len;
    if (urgent)
        sp_outq_push_urgent(&s->outq, &n->m);
    else
        sp_outq_push(&s->outq, &n->m);
}

void sp_session_free_outq_locked(secip_session *s)
{
    sp_out_msg *m = s->outq.head;
    while (m != NULL) {
        sp_out_msg *next = m->next;
        sp_out_node_free((sp_out_node *)(void *)m);
        m = next;
    }
    sp_outq_init(&s->outq, s->outq.max_open);
    s->batch = NULL;
    s->queued = 0;
}

/* Queue CLOSE(reason) unless one is queued.  With `flush_queue` the data
 * still queued is dropped (the stream is broken) unless a frame of it is
 * half-written, in which case no CLOSE can be sent and TLS just closes. */
void sp_session_queue_close_locked(secip_session *s, unsigned reason,
                                   const char *text, int flush_queue)
{
    uint8_t frame[SP_CONTROL_FRAME_MAX];
    int len;
    if (s->close_queued)
        return;
    s->close_queued = 1;
    if (flush_queue) {
        if (s->outq.cur != NULL) {
            s->close_written = 1;
            return;
        }
        sp_session_free_outq_locked(s);
    }
    len = sp_encode_close(frame, sizeof frame, reason, text);
    if (len > 0)
        sp_session_queue_control_locked(s, frame, (size_t)len, 1, 0);
}

void sp_session_request_close(secip_session *s, unsigned reason)
{
    spl_mutex_lock(s->mu);
    if (s->state == SP_S_CLOSED || s->close_queued) {
        spl_mutex_unlock(s->mu);
        return;
    }
    sp_session_queue_close_locked(s, reason, "", 0);
    spl_mutex_unlock(s->mu);
    sp_session_kick(s);
}

/* The tail node small frames may still join, or NULL. */
static sp_out_node *open_batch(secip_session *s, uint64_t need)
{
    sp_out_node *b = s->batch;
    if (b == NULL || s->outq.tail != &b->m || s->outq.cur == &b->m ||
        b->m.off != 0 || b->m.len + need > SP_BATCH_CAP)
        return NULL;
    return b;
}

/* Append one small message as a whole frame to a shared node (see
 * SP_BATCH_CAP).  Returns 0, or a negative code.  Caller holds mu. */
static int queue_batched(secip_session *s, uint8_t type, const void *data,
                         size_t len, uint64_t need)
{
    sp_out_msg frame;
    sp_out_node *b = open_batch(s, need);
    int rc = sp_out_msg_init(&frame, type, data, len, s->send_frame, 1);
    if (rc < 0)
        return rc;
    if (b == NULL) {
        b = new_batch_node();
        if (b == NULL)
            return sp_error_set(SECIP_ENOMEM,
                                "out of memory queueing %lu "
                                "bytes",
                                (unsigned long)len);
        sp_out_msg_init_raw(&b->m, b->data, 0);
        b->cost = 0;
        b->is_close = 0;
        sp_outq_push(&s->outq, &b->m); /* the loop waits for mu: it sees
                                          the frame, never an empty node */
        s->batch = b;
    }
    size_t w = sp_out_msg_write(&frame, b->data + b->m.len,
                                SP_BATCH_CAP - (size_t)b->m.len, 0);
    b->m.len += w;
    b->cost += w;
    s->queued += w;
    return 0;
}

sp_out_node *sp_out_node_copy(const void *data, size_t len)
{
    sp_out_node *n = take_node(len);
    if (n == NULL) {
        n = malloc(sizeof *n + len);
        if (n == NULL) {
            sp_error_set(SECIP_ENOMEM, "out of memory queueing %lu bytes",
                         (unsigned long)len);
            return NULL;
        }
        n->cap = len;
    }
    if (len > 0)
        memcpy(n->data, data, len);
    return n;
}

int sp_session_queue_locked(secip_session *s, uint8_t type, const void *data,
                            size_t len, sp_out_node *n)
{
    sp_out_node *mine = NULL;
    int rc;
    /* The hard cap (server limits): loop threads never wait, so a
     * callback that outruns the peer gets SECIP_EAGAIN instead of growing
     * memory; an empty queue always takes one message. */
    if (s->queue_cap != 0 && s->queued > 0 &&
        s->queued + sp_wire_size(len, s->send_frame) > s->queue_cap &&
        spl_loop_on_thread(s->loop))
        return sp_error_set(SECIP_EAGAIN,
                            "send: the queue holds %llu bytes; %lu more "
                            "would pass the limit of %llu (max_queued_bytes)",
                            (unsigned long long)s->queued, (unsigned long)len,
                            (unsigned long long)s->queue_cap);
    if (n == NULL && len <= SP_BATCH_MSG_MAX && len <= s->send_frame)
        return queue_batched(s, type, data, len,
                             sp_wire_size(len, s->send_frame));
    if (n == NULL && (n = mine = sp_out_node_copy(data, len)) == NULL)
        return SECIP_ENOMEM;
    rc = sp_out_msg_init(&n->m, type, n->data, len, s->send_frame, 1);
    if (rc < 0) {
        if (mine != NULL)
            sp_out_node_free(mine);
        return rc;
    }
    n->cost = sp_wire_size(len, s->send_frame);
    n->is_close = 0;
    s->queued += n->cost;
    sp_outq_push(&s->outq, &n->m);
    return 0;
}

int sp_session_queue_hello_locked(secip_session *s)
{
    uint8_t frame[SP_CONTROL_FRAME_MAX];
    sp_hello h;
    int len;
    h.max_frame = s->dec.lim.max_frame;
    h.max_streams = (uint16_t)s->dec.lim.max_streams;
    h.features = 0;
    h.max_message = s->dec.lim.max_message;
    len = sp_encode_hello(frame, sizeof frame, &h);
    if (len < 0)
        return len;
    sp_session_queue_control_locked(s, frame, (size_t)len, 0, 1);
    return 0;
}

int sp_session_send_raw(secip_session *s, const void *bytes, size_t len)
{
    spl_mutex_lock(s->mu);
    if (s->state == SP_S_CLOSED || s->close_queued) {
        spl_mutex_unlock(s->mu);
        return sp_error_set(SECIP_ECLOSED, "send_raw: the session is closed");
    }
    sp_session_queue_control_locked(s, bytes, len, 0, 0);
    spl_mutex_unlock(s->mu);
    sp_session_kick(s);
    return 0;
}

int sp_session_send_direct(secip_session *s, uint8_t type, const void *data,
                           size_t len)
{
    sp_out_msg m;
    unsigned char *buf;
    size_t cap = 0, n;
    int pumping = s->tls.pumping;

    spl_mutex_lock(s->mu);
    /* Only when nothing is queued (order) and the whole frame fits. */
    if (!sp_outq_empty(&s->outq) || s->close_queued || s->status != 0 ||
        (s->peer_max_message != 0 && len > s->peer_max_message) ||
        len > s->send_frame ||
        (buf = sp_tls_direct_buf(&s->tls, &cap)) == NULL ||
        cap < len + SP_FRAME_HEADER_LEN ||
        sp_out_msg_init(&m, type, data, len, s->send_frame, 1) < 0) {
        spl_mutex_unlock(s->mu);
        return 0;
    }
    n = sp_out_msg_write(&m, buf, cap, 0);
    s->stats.messages_out++;
    s->stats.bytes_out += len;
    spl_mutex_unlock(s->mu);
    sp_tls_direct_ack(&s->tls, n);
    if (!pumping)
        sp_session_kick(s); /* outside the pump: it flushes on the loop */
    return 1;
}
