/*
 * sdk/src/net/file_send.c -- sending files over a session (secip/file.h,
 * docs/PROTOCOL.md section 7): the transfer procedure, run by the calling
 * thread (secip_session_send_file) or by a thread of its own
 * (secip_session_send_file_ex), never by a loop thread.
 *
 * The procedure registers an sp_send_xfer in the session, queues
 * FILE_BEGIN and waits on s->cv for the receiver's answers, which the loop
 * thread records (file_recv.c).  Chunks are read from the file straight
 * into their send-queue node, behind a 16-byte head, and queued like any
 * frame (counted in s->queued, so the high-water mark holds).  At most
 * CHUNKS_AHEAD chunks of one transfer wait in the queue, so a message sent
 * meanwhile waits behind at most that much of the file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/util.h"
#include "error.h"
#include "files/file_proto.h"
#include "files/file_source.h"
#include "files/file_state.h"
#include "net/session_files.h"
#include "net/session_impl.h"
#include "secip/file.h"

#define CHUNKS_AHEAD   2u
#define PROGRESS_EVERY (256u * 1024u)

typedef struct xfer_job {
    sp_file_job job; /* first: file_jobs.c frees the block */
    secip_session *s;
    sp_file_source *src;
    sp_send_xfer x;
    secip_file_send_opts opts;
    int begun; /* FILE_BEGIN was queued: the peer knows the id */
} xfer_job;

/* ---- the session's list of outgoing transfers ---------------------------- */

sp_send_xfer *sp_files_find_send_locked(secip_session *s, uint16_t id)
{
    sp_send_xfer *x;
    for (x = s->sends; x != NULL; x = x->next)
        if (x->id == id)
            return x;
    return NULL;
}

void sp_files_chunk_sent_locked(secip_session *s, sp_send_xfer *x)
{
    (void)s;
    if (x->inflight > 0)
        x->inflight--;
}

/* Round robin over the upper half of the id space, so that a late answer
 * to a finished transfer cannot hit a new one (PROTOCOL 7.1). */
static int register_locked(secip_session *s, sp_send_xfer *x)
{
    for (unsigned tries = 0; tries <= 65535u - SP_XFER_ID_FIRST; tries++) {
        uint16_t id = s->next_xfer;
        s->next_xfer = (uint16_t)(id == 65535u ? SP_XFER_ID_FIRST : id + 1u);
        if (id >= SP_XFER_ID_FIRST && !sp_files_find_send_locked(s, id)) {
            x->id = id;
            x->next = s->sends;
            s->sends = x;
            return 0;
        }
    }
    return sp_error_set(SECIP_EBUSY, "send_file: every transfer id is busy");
}

static void unregister_locked(secip_session *s, sp_send_xfer *x)
{
    sp_send_xfer **pp = &s->sends;
    while (*pp != NULL && *pp != x)
        pp = &(*pp)->next;
    if (*pp == x)
        *pp = x->next;
}

static int session_status(secip_session *s)
{
    int st;
    spl_mutex_lock(s->mu);
    st = s->status;
    spl_mutex_unlock(s->mu);
    return st;
}

static int ended_locked(const secip_session *s)
{
    return s->status != 0 || s->state == SP_S_CLOSED;
}

/* Why the transfer must stop now, or 0. */
static int stop_locked(const secip_session *s, const sp_send_xfer *x)
{
    if (x->local_cancel)
        return SECIP_ECANCELED;
    if (x->peer_cancel)
        return SECIP_EDENIED;
    if (ended_locked(s) || s->close_queued)
        return SECIP_ECLOSED;
    return 0;
}

/* Queue a pre-encoded file frame behind everything queued (a sender's
 * frames of one transfer keep their order).  Caller holds mu. */
static void queue_frame_locked(secip_session *s, const uint8_t *frame, int len)
{
    if (len > 0)
        sp_session_queue_control_locked(s, frame, (size_t)len, 0, 0);
}

/* ---- the procedure ------------------------------------------------------- */

static int send_begin(xfer_job *j)
{
    uint8_t frame[SP_FRAME_HEADER_LEN + SP_FILE_CTL_MAX];
    const char *name =
        j->opts.name ? j->opts.name : sp_file_source_name(j->src);
    sp_file_begin b;
    int has_mtime = 0, len, rc;

    memset(&b, 0, sizeof b);
    b.size = sp_file_source_size(j->src);
    b.mtime = sp_file_source_mtime(j->src, &has_mtime);
    b.options = (uint8_t)((has_mtime ? SP_FILE_OPT_HAS_MTIME : 0) |
                          (j->x.resumable ? SP_FILE_OPT_RESUMABLE : 0));
    b.name = (const uint8_t *)name;
    b.name_len = strlen(name);
    if (b.name_len > SP_FILE_NAME_WIRE_MAX)
        return sp_error_set(SECIP_EINVAL,
                            "send_file: name of %lu bytes (at most %u)",
                            (unsigned long)b.name_len, SP_FILE_NAME_WIRE_MAX);
    len = sp_encode_file_begin(frame, sizeof frame, j->x.id, &b);
    if (len < 0)
        return len;
    spl_mutex_lock(j->s->mu);
    rc = stop_locked(j->s, &j->x);
    if (rc == 0) {
        j->x.phase = SP_XS_BEGIN;
        j->begun = 1;
        queue_frame_locked(j->s, frame, len);
        j->s->stats.messages_out++;
    }
    spl_mutex_unlock(j->s->mu);
    sp_session_kick(j->s);
    return rc;
}

/* Wait for the next FILE_ACCEPT; *off and *flags receive it. */
static int await_accept(xfer_job *j, uint64_t *off, uint8_t *flags)
{
    secip_session *s = j->s;
    int rc;
    spl_mutex_lock(s->mu);
    while ((rc = stop_locked(s, &j->x)) == 0 && !j->x.have_accept)
        spl_cond_wait(s->cv, s->mu);
    if (rc == 0) {
        j->x.have_accept = 0;
        *off = j->x.offset;
        *flags = j->x.flags;
    }
    spl_mutex_unlock(s->mu);
    return rc;
}

/* FILE_ACCEPT with PROVE: prove the first off bytes (PROTOCOL 7.7). */
static int prove_prefix(xfer_job *j, uint64_t *off)
{
    uint8_t frame[SP_FRAME_HEADER_LEN + 40], hash[32], flags = 0;
    int len, rc = sp_file_source_prefix(j->src, *off, hash);
    if (rc < 0)
        return rc;
    len = sp_encode_file_prefix(frame, sizeof frame, j->x.id, *off, hash);
    if (len < 0)
        return len;
    spl_mutex_lock(j->s->mu);
    rc = stop_locked(j->s, &j->x);
    if (rc == 0) {
        j->x.offset = *off;
        j->x.phase = SP_XS_PREFIX;
        queue_frame_locked(j->s, frame, len);
    }
    spl_mutex_unlock(j->s->mu);
    sp_session_kick(j->s);
    if (rc == 0)
        rc = await_accept(j, off, &flags);
    if (rc == 0 && *off == 0) /* the receiver starts over */
        rc = sp_file_source_prefix(j->src, 0, hash);
    return rc;
}

static void progress(xfer_job *j, uint64_t done)
{
    if (j->opts.on_progress != NULL)
        j->opts.on_progress(j->s, j->x.id, done, j->x.size, j->opts.arg);
}

/* Read one chunk at off into a new queue node and queue it. */
static int queue_chunk(xfer_job *j, uint64_t off, size_t want, size_t *sent)
{
    secip_session *s = j->s;
    sp_out_node *n = malloc(sizeof *n + SP_FILE_CHUNK_HEAD + want);
    ptrdiff_t got;
    int rc;

    if (n == NULL)
        return sp_error_set(SECIP_ENOMEM, "send_file: out of memory");
    got = sp_file_source_read(j->src, off, n->data + SP_FILE_CHUNK_HEAD, want);
    if (got <= 0) {
        free(n);
        return got < 0 ? (int)got
                       : sp_error_set(SECIP_EIO, "send_file: the file ended "
                                                 "early");
    }
    (void)sp_encode_file_chunk_head(n->data, j->x.id, off, (size_t)got);
    sp_out_msg_init_raw(&n->m, n->data, SP_FILE_CHUNK_HEAD + (size_t)got);
    n->m.user = &j->x; /* on_send counts it out of x.inflight */
    n->cost = SP_FILE_CHUNK_HEAD + (uint64_t)got;
    n->is_close = 0;
    n->cap = 0;
    spl_mutex_lock(s->mu);
    rc = stop_locked(s, &j->x);
    if (rc == 0) {
        s->queued += n->cost;
        s->stats.bytes_out += (uint64_t)got;
        j->x.inflight++;
        sp_outq_push(&s->outq, &n->m);
    }
    spl_mutex_unlock(s->mu);
    if (rc < 0) {
        free(n);
        return rc;
    }
    sp_session_kick(s);
    *sent = (size_t)got;
    return 0;
}

static int send_chunks(xfer_job *j, uint64_t off)
{
    secip_session *s = j->s;
    uint64_t last = off;
    int rc = 0;

    while (off < j->x.size && rc == 0) {
        size_t chunk, sent = 0;
        spl_mutex_lock(s->mu);
        while ((rc = stop_locked(s, &j->x)) == 0 &&
               (j->x.inflight >= CHUNKS_AHEAD || off >= j->x.limit ||
                s->queued > s->opts.send_high_water))
            spl_cond_wait(s->cv, s->mu);
        chunk = s->send_frame - 8u;              /* the peer's frame limit */
        if (rc == 0 && chunk > j->x.limit - off) /* the granted window */
            chunk = (size_t)(j->x.limit - off);
        spl_mutex_unlock(s->mu);
        if (rc < 0)
            break;
        if (chunk > SP_FILE_CHUNK_DATA)
            chunk = SP_FILE_CHUNK_DATA;
        if (chunk > j->x.size - off)
            chunk = (size_t)(j->x.size - off);
        rc = queue_chunk(j, off, chunk, &sent);
        off += sent;
        if (rc == 0 && off - last >= PROGRESS_EVERY && off < j->x.size) {
            last = off;
            progress(j, off);
        }
    }
    return rc;
}

static int send_end(xfer_job *j)
{
    uint8_t frame[SP_FRAME_HEADER_LEN + 32], hash[32];
    secip_session *s = j->s;
    int len, rc = sp_file_source_hash(j->src, hash);
    if (rc < 0)
        return rc;
    len =
        sp_encode_file_hash(frame, sizeof frame, SP_T_FILE_END, j->x.id, hash);
    if (len < 0)
        return len;
    spl_mutex_lock(s->mu);
    rc = stop_locked(s, &j->x);
    if (rc == 0) {
        j->x.phase = SP_XS_END;
        queue_frame_locked(s, frame, len);
    }
    spl_mutex_unlock(s->mu);
    sp_session_kick(s);
    spl_mutex_lock(s->mu);
    while (rc == 0 && (rc = stop_locked(s, &j->x)) == 0 && !j->x.have_receipt)
        spl_cond_wait(s->cv, s->mu);
    if (j->x.have_receipt)
        rc = 0; /* done, whatever happened after */
    spl_mutex_unlock(s->mu);
    if (rc == 0 && !sp_ct_equal(hash, j->x.receipt, 32)) {
        rc = sp_error_set(SECIP_EPROTO,
                          "FILE_RECEIPT for '%s' confirms "
                          "another SHA-256",
                          sp_file_source_name(j->src));
        sp_session_abort(s, rc, secip_last_error());
    }
    return rc;
}

/* Record why the transfer ended on this thread's error detail. */
static int report(xfer_job *j, int rc)
{
    const char *name = sp_file_source_name(j->src);
    switch (rc) {
    case SECIP_ECANCELED:
        return sp_error_set(rc, "transfer of '%s' cancelled by the sender",
                            name);
    case SECIP_EDENIED:
        return sp_error_set(rc, "the receiver refused '%s': %s%s%s", name,
                            sp_reason_name(j->x.reason),
                            j->x.text[0] ? ": " : "", j->x.text);
    case SECIP_ECLOSED:
        if (session_status(j->s) == 0)
            return sp_error_set(rc,
                                "transfer of '%s': the session is "
                                "closing",
                                name);
        return sp_session_report(j->s);
    default: return rc;
    }
}

/* After a failure: our FILE_CANCEL when the peer knows the transfer. */
static void cancel_ours(xfer_job *j, int rc)
{
    uint8_t frame[SP_FRAME_HEADER_LEN + SP_FILE_CTL_MAX];
    int len;
    if (!j->begun || rc == SECIP_ECLOSED)
        return;
    len = sp_encode_file_cancel(
        frame, sizeof frame, j->x.id, SP_FILE_ROLE_SENDER,
        rc == SECIP_ECANCELED || rc == SECIP_EDENIED ? SP_R_NORMAL
                                                     : SP_R_INTERNAL,
        rc == SECIP_ECANCELED ? "cancelled by the sender"
        : rc == SECIP_EDENIED ? ""
                              : secip_last_error());
    spl_mutex_lock(j->s->mu);
    if (!ended_locked(j->s) && !j->s->close_queued)
        queue_frame_locked(j->s, frame, len);
    spl_mutex_unlock(j->s->mu);
    sp_session_kick(j->s);
}

static int run(xfer_job *j)
{
    secip_session *s = j->s;
    uint64_t off = 0;
    uint8_t flags = 0, hash[32];
    int rc = send_begin(j);

    if (rc == 0)
        rc = await_accept(j, &off, &flags);
    if (rc == 0 && (flags & SP_FILE_ACCEPT_PROVE))
        rc = prove_prefix(j, &off);
    if (rc == 0) {
        spl_mutex_lock(s->mu);
        j->x.phase = SP_XS_DATA;
        spl_mutex_unlock(s->mu);
        rc = send_chunks(j, off);
    }
    if (rc == 0)
        rc = send_end(j);
    if (rc < 0) {
        rc = report(j, rc);
        cancel_ours(j, rc);
    }
    spl_mutex_lock(s->mu);
    j->x.phase = SP_XS_OVER;
    /* the queue may still point at our chunks: wait until they are sent
     * or freed with the session's queue */
    while (j->x.inflight > 0 && s->state != SP_S_CLOSED)
        spl_cond_wait(s->cv, s->mu);
    unregister_locked(s, &j->x);
    spl_mutex_unlock(s->mu);
    if (rc == 0) {
        progress(j, j->x.size);
        (void)sp_file_source_hash(j->src, hash);
    }
    if (j->opts.on_done != NULL) /* the detail of rc is this thread's */
        j->opts.on_done(s, j->x.id, rc, rc == 0 ? hash : NULL, j->opts.arg);
    return rc;
}

/* ---- jobs and their threads ---------------------------------------------- */

static void job_free(xfer_job *j)
{
    if (j == NULL)
        return;
    sp_file_source_close(j->src);
    free((char *)(uintptr_t)j->opts.name);
    if (j->s != NULL)
        sp_session_release(j->s);
    free(j);
}

static int job_new(secip_session *s, const char *path, const void *data,
                   size_t len, const secip_file_send_opts *opts, xfer_job **out)
{
    xfer_job *j = calloc(1, sizeof *j);
    int rc;

    *out = NULL;
    if (j == NULL)
        return sp_error_set(SECIP_ENOMEM, "send_file: out of memory");
    if (opts != NULL)
        j->opts = *opts;
    j->opts.name = NULL;
    if (opts != NULL && opts->name != NULL &&
        (j->opts.name = sp_strdup(opts->name)) == NULL) {
        free(j);
        return sp_error_set(SECIP_ENOMEM, "send_file: out of memory");
    }
    if (path != NULL) {
        rc = sp_file_source_open(path, &j->src);
        if (rc == 0) /* part of the receiver's resume identity */
            (void)sp_file_source_use_file_mtime(j->src);
        j->x.resumable = 1;
    } else {
        rc = sp_file_source_open_mem(j->opts.name, data, len, &j->src);
    }
    if (rc < 0) {
        job_free(j);
        return rc;
    }
    j->x.size = sp_file_source_size(j->src);
    spl_mutex_lock(s->mu);
    if (s->state != SP_S_OPEN || stop_locked(s, &j->x) != 0)
        rc = sp_error_set(SECIP_ECLOSED, "send_file: the session is not open");
    else
        rc = register_locked(s, &j->x);
    spl_mutex_unlock(s->mu);
    if (rc < 0) {
        job_free(j);
        return rc;
    }
    sp_session_ref(s); /* held until the transfer is over */
    j->s = s;
    *out = j;
    return 0;
}

/* The thread of secip_session_send_file_ex(); file_jobs.c joins it. */
static void job_thread(void *arg)
{
    xfer_job *j = arg;
    secip_session *s = j->s;
    sp_file_job_enter(&j->job);
    (void)run(j);
    sp_file_source_close(j->src);
    j->src = NULL;
    free((char *)(uintptr_t)j->opts.name);
    j->opts.name = NULL;
    j->s = NULL;
    sp_file_job_done(s, &j->job);
    sp_session_release(s); /* may free s, and with it hand j over */
}

/* ---- public API ---------------------------------------------------------- */

static int send_blocking(secip_session *s, const char *path, const char *name,
                         const void *data, size_t len)
{
    secip_file_send_opts o;
    xfer_job *j;
    int rc;
    if (spl_loop_on_thread(s->loop))
        return sp_error_set(SECIP_EINVAL, "send_file blocks: not on a loop "
                                          "thread (use send_file_ex)");
    memset(&o, 0, sizeof o);
    o.name = name;
    rc = job_new(s, path, data, len, &o, &j);
    if (rc < 0)
        return rc;
    rc = run(j);
    job_free(j);
    return rc;
}

int secip_session_send_file(secip_session *s, const char *path)
{
    if (s == NULL || path == NULL)
        return sp_error_set(SECIP_EINVAL, "send_file: NULL argument");
    return send_blocking(s, path, NULL, NULL, 0);
}

int secip_session_send_file_data(secip_session *s, const char *name,
                                 const void *data, size_t len)
{
    if (s == NULL || name == NULL || (data == NULL && len > 0))
        return sp_error_set(SECIP_EINVAL, "send_file_data: NULL argument");
    return send_blocking(s, NULL, name, data, len);
}

int secip_session_send_file_ex(secip_session *s, const char *path,
                               const void *data, size_t len,
                               const secip_file_send_opts *opts,
                               uint32_t *transfer)
{
    xfer_job *j;
    int rc;
    if (s == NULL || (path == NULL && (opts == NULL || opts->name == NULL)) ||
        (path == NULL && data == NULL && len > 0))
        return sp_error_set(SECIP_EINVAL, "send_file_ex: NULL argument (data "
                                          "needs opts->name)");
    sp_file_jobs_reap(s);
    rc = job_new(s, path, data, len, opts, &j);
    if (rc < 0)
        return rc;
    if (transfer != NULL)
        *transfer = j->x.id;
    rc = sp_file_job_start(s, &j->job, job_thread);
    if (rc < 0) {
        spl_mutex_lock(s->mu);
        unregister_locked(s, &j->x);
        spl_mutex_unlock(s->mu);
        job_free(j);
        return rc;
    }
    return 0;
}

int secip_session_cancel_file(secip_session *s, uint32_t transfer)
{
    sp_send_xfer *x;
    if (s == NULL)
        return sp_error_set(SECIP_EINVAL, "cancel_file: NULL session");
    spl_mutex_lock(s->mu);
    x = transfer <= 65535u ? sp_files_find_send_locked(s, (uint16_t)transfer)
                           : NULL;
    if (x == NULL || x->phase == SP_XS_OVER || x->local_cancel) {
        spl_mutex_unlock(s->mu);
        return sp_error_set(SECIP_ENOENT,
                            "cancel_file: no transfer %lu in "
                            "progress",
                            (unsigned long)transfer);
    }
    x->local_cancel = 1;
    spl_cond_broadcast(s->cv);
    spl_mutex_unlock(s->mu);
    return 0;
}
