/*
 * sdk/src/net/session_loop.c -- the loop-thread side of a session: what
 * the TLS pump does with plaintext (decode frames, queue messages, pack
 * queued frames into the engine's buffer), timers, and the teardown.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "net/session_files.h"
#include "net/session_impl.h"

#define TICK_MS        100u  /* timer granularity */
#define CLOSE_GRACE_MS 3000u /* how long a goodbye may take */
#define SEND_FRAME_MAX (256u * 1024u)

#define S_OF(t) ((secip_session *)(t)->owner)

/* ---- status -------------------------------------------------------------- */

void sp_session_set_status_locked(secip_session *s, int status,
                                  const char *detail)
{
    if (s->status != 0)
        return;
    s->status = status;
    snprintf(s->detail, sizeof s->detail, "%s",
             detail ? detail : secip_strerror(status));
    spl_cond_broadcast(s->cv);
}

/* A fatal condition found locally: say why with CLOSE, then close TLS. */
static void fail_with_close(secip_session *s, int status, unsigned reason)
{
    char detail[512];
    snprintf(detail, sizeof detail, "%s", secip_last_error());
    spl_mutex_lock(s->mu);
    sp_session_set_status_locked(s, status, detail);
    sp_session_queue_close_locked(s, reason, detail, 1);
    if (s->close_written) {
        spl_mutex_unlock(s->mu);
        /* close_notify may never leave (a peer that does not read):
         * the goodbye has the same deadline as a CLOSE */
        if (s->close_deadline_ms == 0)
            s->close_deadline_ms = spl_clock_ms() + CLOSE_GRACE_MS;
        sp_tls_close(&s->tls);
        return;
    }
    spl_mutex_unlock(s->mu);
    s->close_deadline_ms = spl_clock_ms() + CLOSE_GRACE_MS;
    sp_tls_pump(&s->tls);
}

static int status_of_reason(unsigned reason)
{
    switch (reason) {
    case SP_R_NORMAL:
    case SP_R_GOING_AWAY: return SECIP_ECLOSED;
    case SP_R_PROTOCOL: return SECIP_EPROTO;
    case SP_R_UNSUPPORTED: return SECIP_ENOTSUP;
    case SP_R_TOO_BIG: return SECIP_ETOOBIG;
    case SP_R_INVALID_DATA: return SECIP_EFORMAT;
    case SP_R_POLICY: return SECIP_EDENIED;
    case SP_R_IDLE_TIMEOUT:
    case SP_R_HANDSHAKE_TIMEOUT: return SECIP_ETIMEDOUT;
    case SP_R_INTERNAL: return SECIP_EIO;
    default: return reason >= SP_R_APP_FIRST ? SECIP_ECLOSED : SECIP_EPROTO;
    }
}

/* ---- receiving ----------------------------------------------------------- */

static void on_hello(secip_session *s, const sp_hello *h)
{
    spl_mutex_lock(s->mu);
    s->send_frame =
        h->max_frame < SEND_FRAME_MAX ? h->max_frame : SEND_FRAME_MAX;
    s->outq.max_open = h->max_streams < 16 ? h->max_streams : 16;
    s->peer_max_message = h->max_message;
    spl_mutex_unlock(s->mu);
}

static void on_peer_close(secip_session *s, const sp_event *ev)
{
    char detail[512];
    int status = status_of_reason(ev->code);
    snprintf(detail, sizeof detail, "peer closed the session: %s%s%s",
             sp_reason_name(ev->code), ev->text_len ? ": " : "",
             ev->text_len ? ev->text : "");
    spl_mutex_lock(s->mu);
    sp_session_set_status_locked(s, status, detail);
    sp_session_queue_close_locked(s, SP_R_NORMAL, "", 0);
    spl_mutex_unlock(s->mu);
    s->close_deadline_ms = spl_clock_ms() + CLOSE_GRACE_MS;
}

static void count_in_locked(secip_session *s, size_t len, int count_bytes)
{
    s->stats.messages_in++;
    if (count_bytes)
        s->stats.bytes_in += len;
}

/* count_bytes: 0 for files, whose chunks were counted as they came. */
static void deliver(secip_session *s, secip_message *m, int count_bytes)
{
    size_t len = 0;
    sp_rq_node *n;
    (void)secip_message_data(m, &len);
    if (s->hooks->on_message != NULL) {
        spl_mutex_lock(s->mu);
        count_in_locked(s, len, count_bytes);
        spl_mutex_unlock(s->mu);
        s->hooks->on_message(s, m);
        return;
    }
    n = malloc(sizeof *n);
    spl_mutex_lock(s->mu);
    count_in_locked(s, len, count_bytes);
    if (n != NULL) {
        n->next = NULL;
        n->msg = m;
        if (s->rq_tail)
            s->rq_tail->next = n;
        else
            s->rq_head = n;
        s->rq_tail = n;
        s->rq_count++;
        s->rq_bytes += len;
    }
    spl_mutex_unlock(s->mu);
    if (n == NULL) {
        secip_message_free(m);
        sp_error_set(SECIP_ENOMEM, "out of memory queueing a message");
        fail_with_close(s, SECIP_ENOMEM, SP_R_INTERNAL);
        return;
    }
    /* Woken after the unlock: a receiver woken with the lock still held
     * would only block on it again (one more context switch). */
    spl_cond_broadcast(s->cv);
}

void sp_session_deliver_file(secip_session *s, secip_message *m)
{
    deliver(s, m, 0);
}

static void on_file(secip_session *s, const sp_event *ev)
{
    unsigned reason = SP_R_PROTOCOL;
    int rc = sp_files_on_piece(s, ev, &reason);
    if (rc < 0) {
        s->dec_failed = 1; /* the stream cannot be trusted any more */
        fail_with_close(s, rc, reason);
    }
}

static void on_event(secip_session *s, sp_event *ev)
{
    uint8_t frame[SP_CONTROL_FRAME_MAX];
    int len;
    switch (ev->kind) {
    case SP_EV_MESSAGE: deliver(s, ev->msg, 1); break;
    case SP_EV_FILE: on_file(s, ev); break;
    case SP_EV_HELLO: on_hello(s, &ev->hello); break;
    case SP_EV_PING:
        len = sp_encode_ping(frame, sizeof frame, 1, ev->ping);
        spl_mutex_lock(s->mu);
        if (len > 0 && !s->close_queued)
            sp_session_queue_control_locked(s, frame, (size_t)len, 0, 1);
        spl_mutex_unlock(s->mu);
        break;
    case SP_EV_CLOSE: on_peer_close(s, ev); break;
    default: break; /* PONG, ERROR: nothing to do */
    }
}

static int recv_full(secip_session *s)
{
    int full;
    if (s->hooks->on_message != NULL)
        return 0;
    spl_mutex_lock(s->mu);
    full = s->rq_count >= s->opts.recv_queue_max ||
           (s->queue_cap != 0 && s->rq_bytes >= s->queue_cap);
    if (full)
        s->rq_blocked = 1;
    spl_mutex_unlock(s->mu);
    return full;
}

static size_t on_recv(sp_tls *t, const uint8_t *p, size_t len)
{
    secip_session *s = S_OF(t);
    size_t done = 0;
    /* Bytes left in the engine because the receive queue is full are no
     * sign of life: a peer that floods but never reads must still reach
     * the idle timeout. */
    if (s->dec_failed || !recv_full(s))
        s->last_rx_ms = spl_clock_ms();
    if (s->dec_failed)
        return len; /* the stream is broken: discard until TLS ends */
    while (done < len && !recv_full(s)) {
        sp_event ev;
        size_t used = 0;
        int rc = sp_decoder_feed(&s->dec, p + done, len - done, &used, &ev);
        done += used;
        if (rc < 0) {
            s->dec_failed = 1;
            fail_with_close(s, rc, sp_decoder_reason(&s->dec));
            return len;
        }
        if (rc == 0)
            break;
        on_event(s, &ev);
        if (t->ended || s->dec_failed)
            return len;
    }
    return done;
}

/* ---- sending ------------------------------------------------------------- */

static size_t on_send(sp_tls *t, uint8_t *p, size_t cap, int *flush)
{
    secip_session *s = S_OF(t);
    sp_out_msg *done = NULL;
    size_t n;
    int close_now = 0, wake, chunk_done = 0;

    spl_mutex_lock(s->mu);
    n = sp_outq_fill(&s->outq, p, cap, &done);
    for (sp_out_msg *m = done; m != NULL; m = m->next) {
        sp_out_node *o = (sp_out_node *)(void *)m;
        s->queued -= o->cost;
        if (o == s->batch)
            s->batch = NULL;
        if (o->is_close)
            close_now = 1;
        if (o->m.user != NULL) { /* a file chunk: its sender may go on */
            sp_files_chunk_sent_locked(s, o->m.user);
            chunk_done = 1;
        }
    }
    if (close_now)
        s->close_written = 1;
    /* Senders wait above send_high_water; wake them only once the queue
     * is down to half of it, so that each wake-up lets a sender queue
     * several messages instead of one (hysteresis: one futex wake per
     * ~512 KiB of bulk instead of per message, with the loop still
     * holding half a mark of work while the sender gets going). */
    wake = (done != NULL && s->queued <= s->opts.send_high_water / 2) ||
           chunk_done;
    if (sp_outq_empty(&s->outq) && n > 0)
        *flush = 1;
    if (s->close_written && sp_outq_empty(&s->outq))
        *flush = 2;
    s->stats.wire_in = t->wire_in;
    s->stats.wire_out = t->wire_out;
    spl_mutex_unlock(s->mu);
    if (wake) /* after the unlock, as in deliver() */
        spl_cond_broadcast(s->cv);
    while (done != NULL) {
        sp_out_msg *next = done->next;
        sp_out_node_free((sp_out_node *)(void *)done);
        done = next;
    }
    return n;
}

/* ---- open and end -------------------------------------------------------- */

static int check_alpn(secip_session *s)
{
    const char *sel = br_ssl_engine_get_selected_protocol(s->tls.eng);
    if (sel != NULL && strcmp(sel, SP_ALPN) != 0)
        return sp_error_set(SECIP_EPROTO,
                            "the server selected protocol '%s', not '%s'", sel,
                            SP_ALPN);
    return 0;
}

static void on_open(sp_tls *t)
{
    secip_session *s = S_OF(t);
    if (!s->is_server && check_alpn(s) < 0) {
        sp_tls_fail(t, SECIP_EPROTO);
        return;
    }
    spl_mutex_lock(s->mu);
    s->stats.handshake_us = (spl_clock_ns() - s->t0_ns) / 1000u;
    s->verified = s->rec.verified;
    s->have_fp = s->rec.have_fp;
    memcpy(s->fingerprint, s->rec.fingerprint, sizeof s->fingerprint);
    if (s->rec.verified && s->peer_name[0] == '\0')
        snprintf(s->peer_name, sizeof s->peer_name, "%s", s->rec.peer_cn);
    s->was_open = 1;
    if (s->is_server)
        s->stats.resumed = s->resumed_hint;
    if (!s->is_server) {
        br_ssl_session_parameters p;
        br_ssl_engine_get_session_parameters(t->eng, &p);
        s->stats.resumed =
            s->have_params && p.session_id_len > 0 &&
            p.session_id_len == s->params.session_id_len &&
            memcmp(p.session_id, s->params.session_id, p.session_id_len) == 0;
        s->params = p;
        s->have_params = 1;
        if (s->stats.resumed && !s->rec.have_fp) {
            /* no certificate in an abbreviated handshake: the identity is
             * the one the resumed session proved */
            s->verified = s->carry_verified;
            s->have_fp = s->carry_fp[0] != '\0';
            memcpy(s->fingerprint, s->carry_fp, sizeof s->fingerprint);
            if (s->verified && s->peer_name[0] == '\0')
                snprintf(s->peer_name, sizeof s->peer_name, "%s",
                         s->carry_name);
        }
    }
    /* The chain is no longer needed (no renegotiation): free it so an
     * idle session holds only what it uses. */
    sp_x509_rec_reset(&s->rec);
    s->state = SP_S_OPEN;
    s->ever_open = 1;
    spl_cond_broadcast(s->cv);
    spl_mutex_unlock(s->mu);
    s->last_rx_ms = spl_clock_ms();
    if (s->hooks->on_open != NULL)
        s->hooks->on_open(s);
}

static void on_tcp_closed(spl_tcp *h, void *arg)
{
    secip_session *s = arg;
    int status;
    (void)h;
    s->tcp = NULL;
    spl_timer_free(s->timer);
    s->timer = NULL;
    sp_files_session_end(s); /* partial files stay for a resume */
    if (s->hooks->on_ending != NULL) {
        spl_mutex_lock(s->mu);
        status = s->status;
        spl_mutex_unlock(s->mu);
        s->hooks->on_ending(s, status);
    }
    spl_mutex_lock(s->mu);
    s->state = SP_S_CLOSED;
    sp_session_free_outq_locked(s);
    status = s->status;
    s->stats.wire_in = s->tls.wire_in;
    s->stats.wire_out = s->tls.wire_out;
    spl_cond_broadcast(s->cv);
    spl_mutex_unlock(s->mu);
    if (s->hooks->on_closed != NULL)
        s->hooks->on_closed(s, status);
    sp_session_release(s); /* the loop's reference */
}

static void on_end(sp_tls *t, int status)
{
    secip_session *s = S_OF(t);
    char detail[512];
    if (status < 0 && s->rec.rejected) {
        status = SECIP_EVERIFY;
        snprintf(detail, sizeof detail, "%s", s->rec.detail);
    } else if (status < 0) {
        snprintf(detail, sizeof detail, "%s", secip_last_error());
    } else {
        status = SECIP_ECLOSED;
        snprintf(detail, sizeof detail, "session closed");
    }
    spl_mutex_lock(s->mu);
    sp_session_set_status_locked(s, status, detail);
    spl_mutex_unlock(s->mu);
    if (status == SECIP_ECLOSED || s->aborting == 0)
        spl_tcp_close(s->tcp, on_tcp_closed, s);
    else
        spl_tcp_abort(s->tcp, on_tcp_closed, s);
}

const sp_tls_ops sp_session_tls_ops = {on_recv, on_send, on_open, on_end};

/* ---- timers -------------------------------------------------------------- */

static void tick_open(secip_session *s, uint64_t now)
{
    uint8_t frame[SP_CONTROL_FRAME_MAX];
    if (now - s->last_rx_ms > s->opts.idle_timeout_ms) {
        sp_error_set(SECIP_ETIMEDOUT, "nothing received for %lu ms",
                     (unsigned long)s->opts.idle_timeout_ms);
        fail_with_close(s, SECIP_ETIMEDOUT, SP_R_IDLE_TIMEOUT);
        return;
    }
    if (now - s->last_rx_ms > s->opts.keepalive_ms &&
        now - s->last_ping_ms > s->opts.keepalive_ms) {
        uint8_t opaque[SP_PING_LEN];
        int len;
        sp_be64_write(opaque, now);
        len = sp_encode_ping(frame, sizeof frame, 0, opaque);
        s->last_ping_ms = now;
        spl_mutex_lock(s->mu);
        if (len > 0 && !s->close_queued)
            sp_session_queue_control_locked(s, frame, (size_t)len, 0, 1);
        spl_mutex_unlock(s->mu);
        sp_tls_pump(&s->tls);
    }
}

static void on_tick(spl_timer *tm, void *arg)
{
    secip_session *s = arg;
    uint64_t now = spl_clock_ms();
    (void)tm;
    if (s->tls.ended)
        return;
    if (!s->tls.opened && now > s->hs_deadline_ms) {
        s->aborting = 1;
        sp_tls_fail(&s->tls,
                    sp_error_set(SECIP_ETIMEDOUT,
                                 "TLS handshake did not complete within "
                                 "%lu ms",
                                 (unsigned long)s->opts.handshake_timeout_ms));
        return;
    }
    if (s->close_deadline_ms != 0 && now > s->close_deadline_ms) {
        /* the peer does not finish the goodbye: hang up */
        s->aborting = 1;
        sp_tls_fail(&s->tls,
                    sp_error_set(SECIP_ETIMEDOUT, "close handshake timed out"));
        return;
    }
    if (s->tls.opened && s->close_deadline_ms == 0)
        tick_open(s, now);
}

/* ---- attach, kick, abort ------------------------------------------------- */

void sp_session_attach(secip_session *s, spl_tcp *tcp)
{
    s->tcp = tcp;
    /* Nagle is already off (platform.h); a server passed the name. */
    if (s->peer_addr[0] == '\0')
        spl_tcp_peer_name(tcp, s->peer_addr, sizeof s->peer_addr);
    s->t0_ns = spl_clock_ns();
    s->hs_deadline_ms = spl_clock_ms() + s->opts.handshake_timeout_ms;
    spl_mutex_lock(s->mu);
    s->state = SP_S_HANDSHAKE;
    spl_mutex_unlock(s->mu);
    if (spl_timer_new(s->loop, &s->timer) == 0)
        spl_timer_start(s->timer, TICK_MS, TICK_MS, on_tick, s);
    if (s->aborting) {
        s->tls.tcp = tcp;
        sp_tls_fail(&s->tls, s->status ? s->status : SECIP_ECANCELED);
        return;
    }
    sp_tls_start(&s->tls, tcp);
}

void sp_session_fail_unattached(secip_session *s, int status)
{
    char detail[512];
    snprintf(detail, sizeof detail, "%s", secip_last_error());
    spl_mutex_lock(s->mu);
    sp_session_set_status_locked(s, status, detail);
    spl_mutex_unlock(s->mu);
    s->tls.ended = 1;
    on_tcp_closed(NULL, s);
}

static void kick_fn(void *arg)
{
    secip_session *s = arg;
    int closing;
    spl_mutex_lock(s->mu);
    s->kick_posted = 0;
    closing = s->close_queued;
    spl_mutex_unlock(s->mu);
    if (s->tcp != NULL && !s->tls.ended) {
        if (closing && s->close_deadline_ms == 0)
            s->close_deadline_ms = spl_clock_ms() + CLOSE_GRACE_MS;
        sp_tls_pump(&s->tls);
    }
    sp_session_release(s);
}

void sp_session_kick(secip_session *s)
{
    int post;
    spl_mutex_lock(s->mu);
    post = !s->kick_posted && s->state != SP_S_CLOSED;
    if (post)
        s->kick_posted = 1;
    spl_mutex_unlock(s->mu);
    if (!post)
        return;
    sp_session_ref(s);
    if (spl_loop_post(s->loop, kick_fn, s) < 0) {
        spl_mutex_lock(s->mu);
        s->kick_posted = 0;
        spl_mutex_unlock(s->mu);
        sp_session_release(s);
    }
}

static void abort_fn(void *arg)
{
    secip_session *s = arg;
    s->aborting = 1;
    if (s->tcp != NULL && !s->tls.ended)
        sp_tls_fail(&s->tls, s->status);
    sp_session_release(s);
}

void sp_session_abort(secip_session *s, int status, const char *detail)
{
    spl_mutex_lock(s->mu);
    sp_session_set_status_locked(s, status, detail);
    spl_mutex_unlock(s->mu);
    sp_session_ref(s);
    if (spl_loop_post(s->loop, abort_fn, s) < 0)
        sp_session_release(s);
}
