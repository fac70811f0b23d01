/*
 * sdk/src/net/file_recv.c -- file frames arriving on a session's loop
 * thread (docs/PROTOCOL.md section 7): the peer's transfers to us
 * (FILE_BEGIN, FILE_PREFIX, FILE_CHUNK, FILE_END, its FILE_CANCEL) and the
 * answers to our own transfers (FILE_ACCEPT, FILE_RECEIPT, the receiver's
 * FILE_CANCEL), which go to the sending thread through s->sends.
 *
 * Frames are never interleaved on the wire, so one assembler serves every
 * transfer: control payloads (<= SP_FILE_CTL_MAX) are gathered whole, and
 * the 8-byte offset at the head of a FILE_CHUNK is gathered however the
 * pieces split it; chunk data goes from the decrypted input straight to
 * the sink.  Disk writes happen here, on the loop thread (page-cache
 * writes; the sink syncs at checkpoints) -- see docs/ARCHITECTURE.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/util.h"
#include "error.h"
#include "files/file_place.h"
#include "files/file_proto.h"
#include "files/file_sink.h"
#include "net/session_files.h"
#include "net/session_impl.h"
#include "session/utf8.h"

#define RX_SLOTS_MAX 64u /* options cap max_transfers here */

enum { RX_FREE = 0, RX_PROVE, RX_DATA, RX_DROP };

typedef struct rx_slot {
    uint16_t id;
    uint8_t phase; /* RX_* */
    sp_file_sink *sink;
    uint64_t next;  /* offset the next chunk must start at */
    uint64_t limit; /* the sender may send up to here (flow control) */
} rx_slot;

struct sp_recv_files {
    uint32_t open;   /* slots in use */
    rx_slot *cur;    /* the FILE_CHUNK in progress */
    size_t off_have; /* bytes of its offset gathered */
    uint8_t off[8];
    size_t ctl_len;
    uint8_t ctl[SP_FILE_CTL_MAX];
    rx_slot slots[RX_SLOTS_MAX];
};

typedef struct sp_recv_files rx_state;

/* ---- helpers ------------------------------------------------------------- */

static rx_slot *find(rx_state *r, uint16_t id)
{
    for (uint32_t i = 0; i < RX_SLOTS_MAX; i++)
        if (r->slots[i].phase != RX_FREE && r->slots[i].id == id)
            return &r->slots[i];
    return NULL;
}

static void free_slot(rx_state *r, rx_slot *x, int keep_partial)
{
    sp_file_sink_close(x->sink, keep_partial);
    memset(x, 0, sizeof *x);
    r->open--;
}

/* Queue an answer in the order it was produced (never ahead of data:
 * a receiver's frames for one transfer must keep their order). */
static void send_ctl(secip_session *s, const uint8_t *frame, int len)
{
    if (len <= 0)
        return;
    spl_mutex_lock(s->mu);
    if (!s->close_queued && s->status == 0)
        sp_session_queue_control_locked(s, frame, (size_t)len, 0, 0);
    spl_mutex_unlock(s->mu);
}

static void send_cancel(secip_session *s, uint16_t id, unsigned reason,
                        const char *text)
{
    uint8_t frame[SP_FRAME_HEADER_LEN + SP_FILE_CTL_MAX];
    int len = sp_encode_file_cancel(frame, sizeof frame, id,
                                    SP_FILE_ROLE_RECEIVER, reason, text);
    send_ctl(s, frame, len);
}

static void send_accept(secip_session *s, uint16_t id, uint64_t off,
                        uint8_t flags)
{
    uint8_t frame[SP_FRAME_HEADER_LEN + 16];
    send_ctl(s, frame,
             sp_encode_file_accept(frame, sizeof frame, id, off, flags));
}

/* Data starts at x->next: the sender may go one window beyond it. */
static void start_data(secip_session *s, rx_slot *x)
{
    x->phase = RX_DATA;
    x->limit = x->next + SP_FILE_WINDOW;
    send_accept(s, x->id, x->next, 0);
}

/*
 * Grant more once the sender's room shrank by a quarter window.  The
 * grant follows what was written, so file data in flight (queues, TCP
 * buffers) stays under one window however slow the disk is, and a small
 * message behind it waits for at most that much (PROTOCOL 7.4).
 */
static void maybe_grant(secip_session *s, rx_slot *x)
{
    uint8_t frame[SP_FRAME_HEADER_LEN + 8];
    uint64_t end = sp_file_sink_size(x->sink);
    if (x->limit >= end ||
        x->next + SP_FILE_WINDOW - x->limit < SP_FILE_WINDOW_EVERY)
        return;
    x->limit = x->next + SP_FILE_WINDOW;
    send_ctl(s, frame,
             sp_encode_file_window(frame, sizeof frame, x->id, x->limit));
}

/* The CANCEL reason for a failure of the sink. */
static unsigned reason_of(int rc)
{
    switch (rc) {
    case SECIP_EFORMAT:
    case SECIP_EVERIFY: return SP_R_INVALID_DATA;
    case SECIP_ETOOBIG: return SP_R_TOO_BIG;
    case SECIP_EPROTO: return SP_R_PROTOCOL;
    case SECIP_EEXIST:
    case SECIP_EPERM: return SP_R_POLICY;
    default: return SP_R_INTERNAL;
    }
}

/* A per-transfer failure: tell the sender, discard the partial file, and
 * drop what is still in flight until the sender's own CANCEL (7.6). */
static void fail_transfer(secip_session *s, rx_slot *x, int rc)
{
    char text[512];
    snprintf(text, sizeof text, "%s", secip_last_error());
    sp_file_sink_close(x->sink, 0);
    x->sink = NULL;
    x->phase = RX_DROP;
    send_cancel(s, x->id, reason_of(rc), text);
}

static int proto_error(unsigned *reason, unsigned r, int code, const char *what,
                       uint16_t id)
{
    *reason = r;
    return sp_error_set(code, "transfer %u: %s", (unsigned)id, what);
}

/* ---- the peer's transfers ------------------------------------------------ */

/* Policy checks before anything is created (PROTOCOL 7.2): 0 to go on. */
static int refuse(secip_session *s, rx_state *r, uint16_t id,
                  const sp_file_begin *b)
{
    const secip_session_options *o = &s->opts;
    char text[160];
    uint64_t mem =
        o->file_memory_max == SECIP_FILE_MEMORY_NONE ? 0 : o->file_memory_max;

    if (o->file_flags & SECIP_FILES_REFUSE) {
        send_cancel(s, id, SP_R_POLICY, "files are not accepted");
        return 1;
    }
    if (r->open >= o->max_transfers) {
        send_cancel(s, id, SP_R_POLICY, "busy");
        return 1;
    }
    if (b->size > o->file_max_size) {
        snprintf(
            text, sizeof text, "file of %llu bytes; the limit is %llu bytes",
            (unsigned long long)b->size, (unsigned long long)o->file_max_size);
        send_cancel(s, id, SP_R_TOO_BIG, text);
        return 1;
    }
    if ((mem == 0 || b->size > mem) && o->files_dir == NULL) {
        send_cancel(s, id, SP_R_POLICY, "no download directory");
        return 1;
    }
    return 0;
}

static void sink_config(secip_session *s, sp_sink_config *cfg, uint8_t tag[32])
{
    const secip_session_options *o = &s->opts;
    memset(cfg, 0, sizeof *cfg);
    cfg->dir = o->files_dir;
    cfg->memory_max =
        o->file_memory_max == SECIP_FILE_MEMORY_NONE ? 0 : o->file_memory_max;
    cfg->max_size = o->file_max_size;
    cfg->place_flags = (o->file_flags & SECIP_FILES_OVERWRITE)
                           ? SP_PLACE_OVERWRITE
                           : SP_PLACE_UNIQUE;
    cfg->resume = !(o->file_flags & SECIP_FILES_NO_RESUME);
    /* The same file from the same key resumes; from anyone else not. */
    if (s->have_fp) {
        for (int i = 0; i < 32; i++)
            tag[i] = (uint8_t)(sp_hex_value(s->fingerprint[2 * i]) << 4 |
                               sp_hex_value(s->fingerprint[2 * i + 1]));
        cfg->peer_tag = tag;
    }
}

static int on_begin(secip_session *s, rx_state *r, uint16_t id,
                    unsigned *reason)
{
    sp_file_begin b;
    sp_sink_config cfg;
    sp_file_sink *sink = NULL;
    uint8_t tag[32];
    rx_slot *x = NULL;
    uint64_t off;
    int prove = 0, rc;

    rc = sp_decode_file_begin(r->ctl, r->ctl_len, &b);
    if (rc < 0)
        return rc; /* *reason: PROTOCOL */
    if (find(r, id) != NULL)
        return proto_error(reason, SP_R_PROTOCOL, SECIP_EPROTO,
                           "FILE_BEGIN on an open transfer id", id);
    if (refuse(s, r, id, &b))
        return 0;
    sink_config(s, &cfg, tag);
    rc = sp_file_sink_open(&cfg, b.name, b.name_len, b.size, b.mtime,
                           (b.options & SP_FILE_OPT_HAS_MTIME) != 0, &sink);
    if (rc < 0) {
        send_cancel(s, id, reason_of(rc), secip_last_error());
        return 0;
    }
    off = sp_file_sink_offset(sink, &prove);
    if (prove && !(b.options & SP_FILE_OPT_RESUMABLE)) {
        rc = sp_file_sink_decline(sink); /* it cannot prove a prefix */
        if (rc < 0) {
            send_cancel(s, id, SP_R_INTERNAL, secip_last_error());
            sp_file_sink_close(sink, 0);
            return 0;
        }
        off = 0;
        prove = 0;
    }
    for (uint32_t i = 0; i < RX_SLOTS_MAX && x == NULL; i++)
        if (r->slots[i].phase == RX_FREE)
            x = &r->slots[i];
    if (x == NULL) { /* cannot happen: max_transfers <= RX_SLOTS_MAX */
        send_cancel(s, id, SP_R_POLICY, "busy");
        sp_file_sink_close(sink, 1);
        return 0;
    }
    x->id = id;
    x->sink = sink;
    x->next = off;
    r->open++;
    if (prove) {
        x->phase = RX_PROVE;
        send_accept(s, id, off, SP_FILE_ACCEPT_PROVE);
    } else {
        start_data(s, x);
    }
    return 0;
}

static int on_prefix(secip_session *s, rx_state *r, uint16_t id,
                     unsigned *reason)
{
    rx_slot *x = find(r, id);
    uint8_t hash[32];
    uint64_t off;
    int rc;

    if (x == NULL)
        return proto_error(reason, SP_R_PROTOCOL, SECIP_EPROTO,
                           "FILE_PREFIX for a transfer that is not open", id);
    if (x->phase == RX_DROP)
        return 0;
    if (x->phase != RX_PROVE)
        return proto_error(reason, SP_R_PROTOCOL, SECIP_EPROTO,
                           "FILE_PREFIX that was not asked for", id);
    rc = sp_decode_file_prefix(r->ctl, r->ctl_len, &off, hash);
    if (rc < 0)
        return rc;
    rc = sp_file_sink_prove(x->sink, off, hash);
    if (rc == SECIP_EPROTO) {
        *reason = SP_R_PROTOCOL; /* the offset is not the one offered */
        return rc;
    }
    if (rc < 0) {
        fail_transfer(s, x, rc);
        return 0;
    }
    x->next = rc == 1 ? off : 0;
    start_data(s, x);
    return 0;
}

static int on_end(secip_session *s, rx_state *r, uint16_t id, unsigned *reason)
{
    uint8_t frame[SP_FRAME_HEADER_LEN + 32];
    rx_slot *x = find(r, id);
    secip_message *m;
    uint8_t hash[32];
    int rc;

    if (x == NULL)
        return proto_error(reason, SP_R_PROTOCOL, SECIP_EPROTO,
                           "FILE_END for a transfer that is not open", id);
    if (x->phase == RX_DROP)
        return 0;
    if (x->phase != RX_DATA)
        return proto_error(reason, SP_R_PROTOCOL, SECIP_EPROTO,
                           "FILE_END before FILE_ACCEPT", id);
    rc = sp_decode_file_hash(r->ctl, r->ctl_len, hash);
    if (rc < 0)
        return rc;
    rc = sp_file_sink_finish(x->sink, hash);
    m = rc == 0 ? sp_file_sink_message(x->sink) : NULL;
    if (rc == 0 && m == NULL)
        rc = SECIP_ENOMEM;
    if (rc < 0) {
        fail_transfer(s, x, rc);
        return 0;
    }
    send_ctl(s, frame,
             sp_encode_file_hash(frame, sizeof frame, SP_T_FILE_RECEIPT, id,
                                 sp_file_sink_hash(x->sink)));
    free_slot(r, x, 0);
    sp_session_deliver_file(s, m);
    return 0;
}

/* ---- answers to our transfers -------------------------------------------- */

/* FILE_ACCEPT: valid only where PROTOCOL 7.3 allows it. */
static int accept_ok(const sp_send_xfer *x, uint64_t off, uint8_t flags)
{
    if (x->have_accept)
        return 0;
    if (x->phase == SP_XS_BEGIN)
        return (flags & SP_FILE_ACCEPT_PROVE)
                   ? off > 0 && off <= x->size && x->resumable
                   : off == 0;
    if (x->phase == SP_XS_PREFIX)
        return !(flags & SP_FILE_ACCEPT_PROVE) &&
               (off == 0 || off == x->offset);
    return 0;
}

static int on_answer(secip_session *s, rx_state *r, uint8_t type, uint16_t id,
                     unsigned *reason)
{
    sp_send_xfer *x;
    uint8_t hash[32], flags = 0;
    uint64_t off = 0;
    int rc = type == SP_T_FILE_ACCEPT
                 ? sp_decode_file_accept(r->ctl, r->ctl_len, &off, &flags)
             : type == SP_T_FILE_WINDOW
                 ? sp_decode_file_window(r->ctl, r->ctl_len, &off)
                 : sp_decode_file_hash(r->ctl, r->ctl_len, hash);
    if (rc < 0)
        return rc;
    spl_mutex_lock(s->mu);
    x = sp_files_find_send_locked(s, id);
    if (x == NULL || x->phase == SP_XS_OVER) {
        spl_mutex_unlock(s->mu); /* crossed our FILE_CANCEL */
        return 0;
    }
    if (type == SP_T_FILE_ACCEPT && accept_ok(x, off, flags)) {
        x->have_accept = 1;
        x->offset = off;
        x->flags = flags;
        if (!(flags & SP_FILE_ACCEPT_PROVE))
            x->limit = off + SP_FILE_WINDOW;
    } else if (type == SP_T_FILE_WINDOW && x->phase != SP_XS_BEGIN &&
               x->phase != SP_XS_PREFIX) {
        if (off > x->limit) /* grants only grow; a stale one is ignored */
            x->limit = off;
    } else if (type == SP_T_FILE_RECEIPT && x->phase == SP_XS_END) {
        memcpy(x->receipt, hash, 32);
        x->have_receipt = 1;
    } else {
        spl_mutex_unlock(s->mu);
        return proto_error(reason, SP_R_PROTOCOL, SECIP_EPROTO,
                           type == SP_T_FILE_ACCEPT   ? "unexpected FILE_ACCEPT"
                           : type == SP_T_FILE_WINDOW ? "FILE_WINDOW before "
                                                        "FILE_ACCEPT"
                                                      : "FILE_RECEIPT before "
                                                        "FILE_END",
                           id);
    }
    spl_cond_broadcast(s->cv);
    spl_mutex_unlock(s->mu);
    return 0;
}

static int on_cancel(secip_session *s, rx_state *r, uint16_t id,
                     unsigned *reason)
{
    const char *text;
    size_t tlen;
    unsigned why;
    uint8_t role;
    int rc =
        sp_decode_file_cancel(r->ctl, r->ctl_len, &role, &why, &text, &tlen);
    if (rc < 0) {
        *reason = rc == SECIP_EFORMAT ? SP_R_INVALID_DATA : SP_R_PROTOCOL;
        return rc;
    }
    if (role == SP_FILE_ROLE_SENDER) {
        rx_slot *x = find(r, id);
        if (x != NULL) /* GOING_AWAY may come back: keep the partial */
            free_slot(r, x, why == SP_R_GOING_AWAY);
        return 0;
    }
    spl_mutex_lock(s->mu);
    sp_send_xfer *sx = sp_files_find_send_locked(s, id);
    if (sx != NULL && sx->phase != SP_XS_OVER && !sx->peer_cancel) {
        if (tlen >= sizeof sx->text)
            tlen = sp_utf8_cut((const uint8_t *)text, sizeof sx->text - 1);
        memcpy(sx->text, text, tlen);
        sx->text[tlen] = '\0';
        sx->reason = why;
        sx->peer_cancel = 1;
        spl_cond_broadcast(s->cv);
    }
    spl_mutex_unlock(s->mu);
    return 0;
}

/* ---- chunks -------------------------------------------------------------- */

static int chunk_start(rx_state *r, uint16_t id, unsigned *reason)
{
    rx_slot *x = find(r, id);
    if (x == NULL)
        return proto_error(reason, SP_R_PROTOCOL, SECIP_EPROTO,
                           "FILE_CHUNK for a transfer that is not open", id);
    if (x->phase == RX_PROVE)
        return proto_error(reason, SP_R_PROTOCOL, SECIP_EPROTO,
                           "FILE_CHUNK before FILE_ACCEPT", id);
    r->cur = x;
    r->off_have = 0;
    return 0;
}

static int chunk_piece(secip_session *s, rx_state *r, const sp_file_piece *f,
                       unsigned *reason)
{
    rx_slot *x = r->cur;
    const uint8_t *p = f->data;
    size_t n = f->len;
    int rc;

    if (r->off_have < 8) {
        size_t take = 8 - r->off_have < n ? 8 - r->off_have : n;
        memcpy(r->off + r->off_have, p, take);
        r->off_have += take;
        p += take;
        n -= take;
        if (r->off_have == 8 && x->phase == RX_DATA) {
            uint64_t off = sp_be64_read(r->off);
            uint64_t len = (uint64_t)f->frame_len - 8u;
            if (off != x->next) {
                *reason = SP_R_PROTOCOL;
                return sp_error_set(SECIP_EPROTO,
                                    "transfer %u: FILE_CHUNK at offset %llu; "
                                    "expected %llu",
                                    (unsigned)x->id, (unsigned long long)off,
                                    (unsigned long long)x->next);
            }
            if (off + len > x->limit) {
                *reason = SP_R_PROTOCOL;
                return sp_error_set(SECIP_EPROTO,
                                    "transfer %u: FILE_CHUNK beyond the "
                                    "granted window (%llu > %llu)",
                                    (unsigned)x->id,
                                    (unsigned long long)(off + len),
                                    (unsigned long long)x->limit);
            }
            if (len > sp_file_sink_size(x->sink) - off) {
                /* Not a byte of it is written (PROTOCOL 7.4). */
                sp_error_set(SECIP_ETOOBIG,
                             "the file is larger than the announced %llu "
                             "bytes",
                             (unsigned long long)sp_file_sink_size(x->sink));
                fail_transfer(s, x, SECIP_ETOOBIG);
            }
        }
    }
    if (n == 0 || x->phase != RX_DATA)
        return 0;
    rc = sp_file_sink_write(x->sink, x->next, p, n);
    if (rc < 0) {
        fail_transfer(s, x, rc);
        return 0;
    }
    x->next += n;
    maybe_grant(s, x);
    spl_mutex_lock(s->mu);
    s->stats.bytes_in += n;
    spl_mutex_unlock(s->mu);
    return 0;
}

/* ---- entry points -------------------------------------------------------- */

static int control_end(secip_session *s, rx_state *r, uint8_t type, uint16_t id,
                       unsigned *reason)
{
    switch (type) {
    case SP_T_FILE_BEGIN: return on_begin(s, r, id, reason);
    case SP_T_FILE_PREFIX: return on_prefix(s, r, id, reason);
    case SP_T_FILE_END: return on_end(s, r, id, reason);
    case SP_T_FILE_CANCEL: return on_cancel(s, r, id, reason);
    default: return on_answer(s, r, type, id, reason);
    }
}

int sp_files_on_piece(secip_session *s, const sp_event *ev, unsigned *reason)
{
    const sp_file_piece *f = &ev->file;
    rx_state *r = s->rfiles;
    int rc = 0;

    *reason = SP_R_PROTOCOL;
    if (f->offset == 0) { /* a new frame: check its header first */
        sp_frame_header h;
        h.type = f->type;
        h.flags = f->flags;
        h.stream = ev->stream;
        h.length = f->frame_len;
        rc = sp_file_header_check(&h, reason);
        if (rc < 0)
            return rc;
        if (r == NULL) {
            r = calloc(1, sizeof *r);
            if (r == NULL) {
                *reason = SP_R_INTERNAL;
                return sp_error_set(SECIP_ENOMEM,
                                    "out of memory receiving a file");
            }
            s->rfiles = r;
        }
        r->ctl_len = 0;
        if (f->type == SP_T_FILE_CHUNK)
            rc = chunk_start(r, ev->stream, reason);
        if (rc < 0)
            return rc;
    }
    if (f->type == SP_T_FILE_CHUNK) {
        rc = chunk_piece(s, r, f, reason);
    } else {
        /* the header check bounds the frame by SP_FILE_CTL_MAX */
        memcpy(r->ctl + r->ctl_len, f->data, f->len);
        r->ctl_len += f->len;
        if (f->frame_end)
            rc = control_end(s, r, f->type, ev->stream, reason);
    }
    if (rc == 0 && f->frame_end && r->open == 0) {
        free(r); /* idle sessions keep nothing */
        s->rfiles = NULL;
    }
    return rc;
}

void sp_files_session_end(secip_session *s)
{
    rx_state *r = s->rfiles;
    if (r == NULL)
        return;
    for (uint32_t i = 0; i < RX_SLOTS_MAX; i++)
        if (r->slots[i].phase != RX_FREE)
            free_slot(r, &r->slots[i], 1); /* failed sinks drop theirs */
    free(r);
    s->rfiles = NULL;
}
