/*
 * sdk/src/net/tls_pump.c -- BearSSL's engine pumped by completions.
 *
 * The engine is a state machine with four doors (BearSSL's SENDREC,
 * RECVREC, SENDAPP, RECVAPP).  sp_tls_pump() walks through every open door
 * until nothing moves, starting at most one read and one write.  It is the
 * only place that talks to the engine, so the rules of STYLE.md ("Driving
 * BearSSL's engine from completions") live here.
 */
#include "net/tls_pump.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/rng.h"
#include "crypto/util.h"
#include "error.h"

/* ---- lifetime ------------------------------------------------------------ */

int sp_tls_init(sp_tls *t, br_ssl_engine_context *eng, const sp_tls_ops *ops,
                void *owner)
{
    unsigned char seed[32];
    int rc;

    memset(t, 0, sizeof *t);
    t->eng = eng;
    t->ops = ops;
    t->owner = owner;
    t->iobuf = malloc(BR_SSL_BUFSIZE_BIDI);
    t->stage_cap = SP_TLS_STAGE_MIN;
    t->stage = malloc(t->stage_cap);
    if (t->iobuf == NULL || t->stage == NULL) {
        sp_tls_fini(t);
        return sp_error_set(SECIP_ENOMEM, "out of memory for TLS buffers");
    }
    /* Full duplex: a pending read must never block a write. */
    br_ssl_engine_set_buffer(eng, t->iobuf, BR_SSL_BUFSIZE_BIDI, 1);
    rc = sp_random(seed, sizeof seed);
    if (rc < 0) {
        sp_tls_fini(t);
        return rc;
    }
    br_ssl_engine_inject_entropy(eng, seed, sizeof seed);
    sp_wipe(seed, sizeof seed);
    return 0;
}

void sp_tls_fini(sp_tls *t)
{
    free(t->iobuf);
    free(t->stage);
    free(t->ostage);
    t->iobuf = NULL;
    t->stage = NULL;
    t->ostage = NULL;
}

/* ---- error mapping ------------------------------------------------------- */

static int map_br_error(sp_tls *t, int err)
{
    if (err >= BR_ERR_RECV_FATAL_ALERT && err < BR_ERR_SEND_FATAL_ALERT)
        return sp_error_set(SECIP_ETLS, "TLS: the peer sent fatal alert %d%s",
                            err - BR_ERR_RECV_FATAL_ALERT,
                            err - BR_ERR_RECV_FATAL_ALERT == 42 ||
                                    err - BR_ERR_RECV_FATAL_ALERT == 48
                                ? " (it rejected our certificate)"
                                : "");
    if (err >= BR_ERR_SEND_FATAL_ALERT)
        return sp_error_set(SECIP_ETLS, "TLS: sent fatal alert %d",
                            err - BR_ERR_SEND_FATAL_ALERT);
    if (err > BR_ERR_X509_OK && err < BR_ERR_RECV_FATAL_ALERT)
        return sp_error_set(SECIP_EVERIFY,
                            "TLS: peer certificate rejected (BearSSL X.509 "
                            "error %d)",
                            err);
    switch (err) {
    case BR_ERR_BAD_VERSION:
        return sp_error_set(SECIP_ETLS, "TLS: peer does not speak TLS 1.2");
    case BR_ERR_BAD_CIPHER_SUITE:
        return sp_error_set(SECIP_ETLS, "TLS: no common cipher suite");
    case BR_ERR_NO_CLIENT_AUTH:
        return sp_error_set(SECIP_EVERIFY,
                            "TLS: the client presented no certificate");
    case BR_ERR_UNEXPECTED:
    case BR_ERR_BAD_PARAM:
        return sp_error_set(SECIP_EPROTO, "TLS: unexpected or malformed "
                                          "handshake message");
    default:
        (void)t;
        return sp_error_set(SECIP_ETLS, "TLS: engine error %d%s", err,
                            t->opened ? "" : " during the handshake");
    }
}

/* ---- the pump ------------------------------------------------------------ */

static void end(sp_tls *t, int status)
{
    if (t->ended)
        return;
    t->ended = 1;
    t->ops->on_end(t, status);
}

void sp_tls_fail(sp_tls *t, int status)
{
    /* The engine is simply abandoned: the owner closes the TCP handle and
     * never pumps it again. */
    end(t, status);
}

static void on_write(spl_tcp *h, void *arg, ptrdiff_t result)
{
    sp_tls *t = arg;
    int from_stage = t->writing == 2;
    (void)h;
    t->writing = 0;
    if (t->ended)
        return;
    if (result < 0) {
        sp_error_set((int)result, "TLS: write failed: %s",
                     secip_strerror((int)result));
        sp_tls_fail(t, (int)result);
        return;
    }
    t->wire_out += (uint64_t)result;
    if (from_stage) {
        size_t n = (size_t)result; /* the platform completes whole writes;
                                      keep any tail all the same */
        memmove(t->ostage, t->ostage + n, t->ostage_len - n);
        t->ostage_len -= n;
        if (t->ostage_len == 0 && t->opened && !t->ostage_keep) {
            /* it served the handshake flights: an idle session keeps no
             * stage (a bulk sender gets one again) */
            free(t->ostage);
            t->ostage = NULL;
        }
    } else {
        br_ssl_engine_sendrec_ack(t->eng, (size_t)result);
    }
    sp_tls_pump(t);
}

/* After a read of stage_len bytes: grow the stage when the read filled it
 * (bulk traffic, worth the larger buffer); shrink it again after a run of
 * small reads (see SP_TLS_STAGE_LIGHT).  Failing to resize is harmless:
 * the pump goes on with the stage it has. */
static void resize_stage(sp_tls *t)
{
    size_t want = t->stage_cap;
    unsigned char *p;
    if (t->stage_len == t->stage_cap && t->stage_cap < SP_TLS_STAGE_MAX) {
        want = SP_TLS_STAGE_MAX;
    } else if (t->stage_cap > SP_TLS_STAGE_MIN &&
               t->stage_len < SP_TLS_STAGE_MIN) {
        if (++t->light_reads >= SP_TLS_STAGE_LIGHT)
            want = SP_TLS_STAGE_MIN; /* the data fits: it is that small */
    } else {
        t->light_reads = 0;
    }
    if (want == t->stage_cap)
        return;
    t->light_reads = 0;
    p = realloc(t->stage, want);
    if (p != NULL) {
        t->stage = p;
        t->stage_cap = want;
    }
}

static void on_read(spl_tcp *h, void *arg, ptrdiff_t result)
{
    sp_tls *t = arg;
    (void)h;
    t->reading = 0;
    if (t->ended)
        return;
    if (result < 0) {
        sp_error_set((int)result, "TLS: read failed: %s",
                     secip_strerror((int)result));
        sp_tls_fail(t, (int)result);
        return;
    }
    if (result == 0) {
        t->peer_eof = 1;
        sp_tls_pump(t);
        return;
    }
    t->wire_in += (uint64_t)result;
    t->stage_off = 0;
    t->stage_len = (size_t)result;
    resize_stage(t);
    sp_tls_pump(t);
}

/* Feed staged ciphertext to the engine; the engine takes only what its
 * current record lacks, so loop until the stage is empty or it is full. */
static int feed_stage(sp_tls *t)
{
    int moved = 0;
    while (t->stage_off < t->stage_len) {
        size_t room, n;
        unsigned char *buf = br_ssl_engine_recvrec_buf(t->eng, &room);
        if (buf == NULL)
            break;
        n = t->stage_len - t->stage_off;
        if (n > room)
            n = room;
        memcpy(buf, t->stage + t->stage_off, n);
        t->stage_off += n;
        br_ssl_engine_recvrec_ack(t->eng, n);
        moved = 1;
    }
    return moved;
}

static int deliver_app(sp_tls *t)
{
    size_t len, used;
    unsigned char *buf = br_ssl_engine_recvapp_buf(t->eng, &len);
    if (buf == NULL)
        return 0;
    used = t->ops->on_recv(t, buf, len);
    if (used > 0)
        br_ssl_engine_recvapp_ack(t->eng, used);
    return used > 0;
}

static int take_app(sp_tls *t)
{
    size_t cap, n;
    int flush = 0;
    unsigned char *buf = br_ssl_engine_sendapp_buf(t->eng, &cap);
    if (buf == NULL)
        return 0;
    n = t->ops->on_send(t, buf, cap, &flush);
    if (n > 0)
        br_ssl_engine_sendapp_ack(t->eng, n);
    if (flush || (n > 0 && t->want_flush)) {
        br_ssl_engine_flush(t->eng, 0);
        t->want_flush = 0;
    }
    if (flush == 2 && !t->local_close) {
        /* the owner's last frame (CLOSE) is in: say close_notify */
        t->local_close = 1;
        br_ssl_engine_close(t->eng);
        return 1;
    }
    return n > 0;
}

/* Move a finished record from the engine into the output stage (bulk
 * sessions), which frees the engine to encrypt the next one. */
static int gather(sp_tls *t)
{
    size_t len;
    unsigned char *buf;
    if (t->writing)
        return 0; /* the stage may be on the wire */
    buf = br_ssl_engine_sendrec_buf(t->eng, &len);
    if (buf == NULL)
        return 0;
    if (t->ostage == NULL) {
        if (len < SP_TLS_GATHER_MIN && t->opened)
            return 0; /* light traffic: written straight from the engine */
        t->ostage = malloc(SP_TLS_OSTAGE);
        if (t->ostage == NULL)
            return 0; /* not fatal: the direct path still works */
    }
    if (len >= SP_TLS_GATHER_MIN)
        t->ostage_keep = 1; /* bulk: keep the stage for the session */
    if (len > SP_TLS_OSTAGE - t->ostage_len)
        return 0; /* full: write it first */
    memcpy(t->ostage + t->ostage_len, buf, len);
    t->ostage_len += len;
    br_ssl_engine_sendrec_ack(t->eng, len);
    return 1;
}

static int start_write(sp_tls *t)
{
    size_t len;
    unsigned char *buf;
    spl_iov iov;
    int kind = 2;
    if (t->writing)
        return 0;
    if (t->ostage_len > 0) {
        buf = t->ostage;
        len = t->ostage_len;
    } else if ((buf = br_ssl_engine_sendrec_buf(t->eng, &len)) != NULL) {
        kind = 1;
    } else {
        return 0;
    }
    iov.base = buf;
    iov.len = len;
    int rc = spl_tcp_write(t->tcp, &iov, 1, on_write, t);
    if (rc < 0)
        return rc;
    t->writing = kind;
    t->write_len = len;
    return 0;
}

/* Records still on their way out that the engine has already let go of. */
static int unsent(const sp_tls *t)
{
    return t->ostage_len > 0 || t->writing == 2;
}

static void start_io(sp_tls *t)
{
    size_t len;
    int rc = start_write(t);

    if (rc < 0) {
        sp_tls_fail(t, rc);
        return;
    }
    if (!t->reading && !t->peer_eof && t->stage_off >= t->stage_len &&
        br_ssl_engine_recvrec_buf(t->eng, &len) != NULL) {
        rc = spl_tcp_read(t->tcp, t->stage, t->stage_cap, on_read, t);
        if (rc < 0) {
            sp_tls_fail(t, rc);
            return;
        }
        t->reading = 1;
    }
}

/* The engine closed: cleanly after close_notify both ways, or failed. */
static void closed(sp_tls *t)
{
    int err = br_ssl_engine_last_error(t->eng);
    if (err == BR_ERR_OK)
        end(t, 0);
    else
        end(t, map_br_error(t, err));
}

static void eof(sp_tls *t)
{
    if (t->local_close && t->opened) {
        end(t, 0); /* we said goodbye; a peer may just hang up */
        return;
    }
    end(t, sp_error_set(SECIP_ECONNRESET,
                        t->opened ? "TLS: connection closed without "
                                    "close_notify (truncation)"
                                  : "TLS: peer closed the connection "
                                    "during the handshake (a server does "
                                    "so when it requires or rejects a "
                                    "client certificate)"));
}

static int step(sp_tls *t)
{
    unsigned st = br_ssl_engine_current_state(t->eng);
    int moved = 0;

    if (st & BR_SSL_CLOSED) {
        if (!unsent(t)) /* else the last records (close_notify) go first */
            closed(t);
        return 0;
    }
    moved |= feed_stage(t);
    st = br_ssl_engine_current_state(t->eng);
    if (!t->opened && (st & (BR_SSL_SENDAPP | BR_SSL_RECVAPP))) {
        t->opened = 1;
        t->ops->on_open(t);
        if (t->ended)
            return 0;
        moved = 1;
    }
    if (st & BR_SSL_RECVAPP)
        moved |= deliver_app(t);
    if (t->ended)
        return 0;
    if (st & BR_SSL_SENDAPP)
        moved |= take_app(t);
    if (t->ended)
        return 0;
    if (t->want_flush) {
        /* plaintext was written directly (sp_tls_direct): end the batch */
        br_ssl_engine_flush(t->eng, 0);
        t->want_flush = 0;
        moved = 1;
    }
    moved |= gather(t);
    return moved;
}

void sp_tls_pump(sp_tls *t)
{
    if (t->pumping) {
        t->again = 1; /* a callback asked for more: loop once more */
        return;
    }
    t->pumping = 1;
    do {
        t->again = 0;
        while (!t->ended && step(t))
            ;
        if (!t->ended) {
            if ((br_ssl_engine_current_state(t->eng) & BR_SSL_CLOSED) &&
                !unsent(t))
                closed(t);
            else
                start_io(t);
        }
        if (!t->ended && t->peer_eof && !t->reading && !unsent(t) &&
            t->stage_off >= t->stage_len &&
            !(br_ssl_engine_current_state(t->eng) & BR_SSL_RECVAPP))
            eof(t);
    } while (t->again && !t->ended);
    t->pumping = 0;
}

void sp_tls_start(sp_tls *t, spl_tcp *tcp)
{
    t->tcp = tcp;
    sp_tls_pump(t);
}

void sp_tls_close(sp_tls *t)
{
    if (t->ended || t->local_close)
        return;
    t->local_close = 1;
    br_ssl_engine_flush(t->eng, 0);
    br_ssl_engine_close(t->eng);
    sp_tls_pump(t);
}

unsigned char *sp_tls_direct_buf(sp_tls *t, size_t *cap)
{
    if (t->tcp == NULL || !t->opened || t->ended || t->local_close)
        return NULL;
    return br_ssl_engine_sendapp_buf(t->eng, cap);
}

void sp_tls_direct_ack(sp_tls *t, size_t n)
{
    br_ssl_engine_sendapp_ack(t->eng, n);
    t->want_flush = 1;
    if (t->pumping)
        t->again = 1; /* the running pump flushes and writes */
}
