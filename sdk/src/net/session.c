/*
 * sdk/src/net/session.c -- the session object and its public API: options,
 * creation and references, sending (any thread, with back-pressure),
 * receiving (condition variable fed by the loop), close, accessors.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "crypto/util.h"
#include "error.h"
#include "net/session_files.h"
#include "net/session_impl.h"
#include "session/json_intake.h"
#include "session/utf8.h"

void secip_session_options_init(secip_session_options *o)
{
    if (o == NULL)
        return;
    memset(o, 0, sizeof *o);
    o->max_frame = SP_DEFAULT_MAX_FRAME;
    o->max_message = SP_DEFAULT_MAX_MESSAGE;
    o->max_json_depth = SP_DEFAULT_JSON_DEPTH;
    o->send_high_water = 1024u * 1024u;
    o->recv_queue_max = 256;
    o->handshake_timeout_ms = 10000;
    o->keepalive_ms = 30000;
    o->idle_timeout_ms = 120000;
    o->file_memory_max = 1024u * 1024u;
    o->file_max_size = 8ull * 1024u * 1024u * 1024u;
    o->max_transfers = 4;
}

/* Zero fields mean "the default". */
static void fill_defaults(secip_session_options *o)
{
    secip_session_options d;
    secip_session_options_init(&d);
#define DEF(f)                                                                 \
    if (o->f == 0)                                                             \
    o->f = d.f
    DEF(max_frame);
    DEF(max_message);
    DEF(max_json_depth);
    DEF(send_high_water);
    DEF(recv_queue_max);
    DEF(handshake_timeout_ms);
    DEF(keepalive_ms);
    DEF(idle_timeout_ms);
    DEF(file_memory_max);
    DEF(file_max_size);
    DEF(max_transfers);
#undef DEF
}

int sp_session_options_check(const secip_session_options *opts)
{
    secip_session_options o = *opts;
    sp_limits lim;
    fill_defaults(&o);
    sp_limits_default(&lim);
    lim.max_frame = o.max_frame;
    lim.max_message = o.max_message;
    lim.json_depth = o.max_json_depth;
    if (o.max_message > SIZE_MAX / 2)
        return sp_error_set(SECIP_EINVAL, "options: max_message too large "
                                          "for this platform");
    if (o.max_transfers > 64)
        return sp_error_set(SECIP_EINVAL,
                            "options: max_transfers %lu outside [1, 64]",
                            (unsigned long)o.max_transfers);
    if (o.file_flags & ~(uint32_t)(SECIP_FILES_REFUSE | SECIP_FILES_OVERWRITE |
                                   SECIP_FILES_NO_RESUME))
        return sp_error_set(SECIP_EINVAL, "options: unknown file_flags 0x%lx",
                            (unsigned long)o.file_flags);
    if (o.file_memory_max != SECIP_FILE_MEMORY_NONE &&
        o.file_memory_max > SIZE_MAX / 2)
        return sp_error_set(SECIP_EINVAL, "options: file_memory_max too "
                                          "large for this platform");
    if (o.files_dir != NULL && !spl_dir_exists(o.files_dir))
        return sp_error_set(SECIP_EINVAL,
                            "options: files_dir '%s' is not an existing "
                            "directory",
                            o.files_dir);
    return sp_limits_check(&lim);
}

static char *dup_str(const char *text)
{
    size_t n;
    char *d;
    if (text == NULL)
        return NULL;
    n = strlen(text) + 1;
    d = malloc(n);
    if (d != NULL)
        memcpy(d, text, n);
    return d;
}

int sp_session_options_store(secip_session_options *dst,
                             const secip_session_options *src)
{
    char *dir = dup_str(src->files_dir);
    if (src->files_dir != NULL && dir == NULL)
        return sp_error_set(SECIP_ENOMEM, "options: out of memory");
    sp_session_options_release(dst);
    *dst = *src;
    dst->files_dir = dir;
    return 0;
}

void sp_session_options_release(secip_session_options *o)
{
    free((char *)(uintptr_t)o->files_dir);
    o->files_dir = NULL;
}

static void session_free(secip_session *s)
{
    sp_rq_node *n = s->rq_head;
    while (n != NULL) {
        sp_rq_node *next = n->next;
        secip_message_free(n->msg);
        free(n);
        n = next;
    }
    sp_session_free_outq_locked(s);
    sp_files_session_end(s);
    sp_file_jobs_free(s);
    sp_session_options_release(&s->opts);
    sp_decoder_fini(&s->dec);
    sp_x509_rec_fini(&s->rec);
    sp_tls_fini(&s->tls);
    spl_cond_free(s->cv);
    spl_mutex_free(s->mu);
    sp_wipe(&s->u, sizeof s->u); /* keys of the TLS session */
    sp_wipe(&s->params, sizeof s->params);
    free(s);
}

void sp_session_ref(secip_session *s)
{
    spl_atomic_add(&s->refs, 1);
}

void sp_session_release(secip_session *s)
{
    if (s != NULL && spl_atomic_add(&s->refs, -1) == 0)
        session_free(s);
}

static int init_decoder(secip_session *s)
{
    sp_limits lim;
    sp_limits_default(&lim);
    lim.max_frame = s->opts.max_frame;
    lim.max_message = s->opts.max_message;
    lim.json_depth = s->opts.max_json_depth;
    lim.accept_files = 1; /* refusing is a policy answer (PROTOCOL 7.1) */
    return sp_decoder_init(&s->dec, &lim, SP_DEC_REQUIRE_HELLO);
}

int sp_session_new(int is_server, const secip_session_options *opts,
                   const sp_session_hooks *hooks, void *owner,
                   secip_session **out)
{
    secip_session *s = calloc(1, sizeof *s);
    int rc;
    *out = NULL;
    if (s == NULL)
        return sp_error_set(SECIP_ENOMEM, "out of memory for a session");
    s->is_server = is_server;
    s->hooks = hooks;
    s->owner = owner;
    if (opts != NULL)
        s->opts = *opts;
    fill_defaults(&s->opts);
    s->opts.files_dir = dup_str(s->opts.files_dir);
    s->next_xfer = SP_XFER_ID_FIRST;
    spl_atomic_store(&s->refs, 2);
    s->send_frame = SP_FRAME_MIN_MAX; /* until the peer's HELLO */
    sp_outq_init(&s->outq, 1);
    rc = init_decoder(s);
    if (rc == 0 && opts != NULL && opts->files_dir != NULL &&
        s->opts.files_dir == NULL)
        rc = sp_error_set(SECIP_ENOMEM, "out of memory for a session");
    if (rc == 0)
        rc = spl_mutex_new(&s->mu);
    if (rc == 0)
        rc = spl_cond_new(&s->cv);
    if (rc == 0)
        rc = sp_session_queue_hello_locked(s);
    if (rc < 0) {
        session_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

int sp_session_wait_state(secip_session *s, int want, int timeout_ms)
{
    uint64_t end = spl_clock_ms() + (uint64_t)(timeout_ms < 0 ? 0 : timeout_ms);
    int st;
    spl_mutex_lock(s->mu);
    while (s->state < want) {
        uint64_t now = spl_clock_ms();
        if (timeout_ms < 0)
            spl_cond_wait(s->cv, s->mu);
        else if (now >= end)
            break;
        else
            (void)spl_cond_timedwait(s->cv, s->mu, end - now);
    }
    st = s->state;
    spl_mutex_unlock(s->mu);
    return st;
}

int sp_session_report(secip_session *s)
{
    int status;
    char detail[512];
    spl_mutex_lock(s->mu);
    status = s->status ? s->status : SECIP_ECLOSED;
    snprintf(detail, sizeof detail, "%s", s->detail);
    spl_mutex_unlock(s->mu);
    return sp_error_set(status, "%s", detail);
}

void sp_session_shutdown(secip_session *s, unsigned reason)
{
    int st;
    spl_mutex_lock(s->mu);
    st = s->state;
    spl_mutex_unlock(s->mu);
    if (st < SP_S_OPEN)
        sp_session_abort(s, SECIP_ECLOSED, "session closed before it opened");
    else
        sp_session_request_close(s, reason);
    /* The close handshake has its own deadline on the loop (a few
     * seconds); this wait only adds a safety net on top of it. */
    if (sp_session_wait_state(s, SP_S_CLOSED, 10000) < SP_S_CLOSED) {
        sp_session_abort(s, SECIP_ETIMEDOUT, "close timed out");
        (void)sp_session_wait_state(s, SP_S_CLOSED, -1);
    }
    /* send_file_ex threads have seen the end: let them finish */
    sp_file_jobs_join(s);
}

/* ---- sending ------------------------------------------------------------- */

static int closed_locked(const secip_session *s)
{
    return s->state == SP_S_CLOSED || s->close_queued || s->status != 0;
}

static int send_frame(secip_session *s, uint8_t type, const void *data,
                      size_t len)
{
    sp_out_node *n = NULL;
    int rc, on_loop;
    if (s == NULL || (data == NULL && len > 0))
        return sp_error_set(SECIP_EINVAL, "send: NULL argument");
    on_loop = spl_loop_on_thread(s->loop);
    /* On the loop thread a small message goes straight into the engine's
     * buffer: no allocation, no copy besides the one into the record. */
    if (on_loop && sp_session_send_direct(s, type, data, len))
        return 0;
    /* A large payload is copied before taking the lock the loop needs for
     * every record it seals. */
    if (len > SP_BATCH_MSG_MAX && (n = sp_out_node_copy(data, len)) == NULL)
        return SECIP_ENOMEM;
    spl_mutex_lock(s->mu);
    /* Back-pressure for foreign threads; a loop thread never waits. */
    while (!on_loop && !closed_locked(s) && s->queued > s->opts.send_high_water)
        spl_cond_wait(s->cv, s->mu);
    if (closed_locked(s))
        rc = sp_error_set(SECIP_ECLOSED, "send: the session is closed");
    else if (s->peer_max_message != 0 && len > s->peer_max_message)
        rc = sp_error_set(SECIP_ETOOBIG,
                          "send: %lu bytes exceed the peer's message "
                          "limit of %llu",
                          (unsigned long)len,
                          (unsigned long long)s->peer_max_message);
    else
        rc = sp_session_queue_locked(s, type, data, len, n);
    if (rc == 0) {
        s->stats.messages_out++;
        s->stats.bytes_out += len;
    }
    spl_mutex_unlock(s->mu);
    if (rc == 0)
        sp_session_kick(s);
    else if (n != NULL)
        sp_out_node_free(n);
    return rc;
}

int secip_session_send_bytes(secip_session *s, const void *data, size_t len)
{
    return send_frame(s, SP_T_BYTES, data, len);
}

int secip_session_send_text_len(secip_session *s, const char *text, size_t len)
{
    if (text == NULL && len > 0)
        return sp_error_set(SECIP_EINVAL, "send_text: NULL text");
    if (len > 0 && !sp_utf8_valid((const uint8_t *)text, len))
        return sp_error_set(SECIP_EFORMAT, "send_text: not valid UTF-8");
    return send_frame(s, SP_T_TEXT, text, len);
}

int secip_session_send_text(secip_session *s, const char *text)
{
    if (text == NULL)
        return sp_error_set(SECIP_EINVAL, "send_text: NULL text");
    return secip_session_send_text_len(s, text, strlen(text));
}

static int send_json(secip_session *s, struct json_object *obj, uint8_t type)
{
    const char *text;
    size_t len;
    int rc = sp_json_serialize(obj, type, &text, &len);
    if (rc < 0)
        return rc;
    return send_frame(s, type, text, len);
}

int secip_session_send_object(secip_session *s, struct json_object *obj)
{
    return send_json(s, obj, SP_T_OBJECT);
}

int secip_session_send_list(secip_session *s, struct json_object *list)
{
    return send_json(s, list, SP_T_LIST);
}

/* ---- receiving ----------------------------------------------------------- */

static secip_message *pop_locked(secip_session *s, int *unblock)
{
    sp_rq_node *n = s->rq_head;
    secip_message *m;
    size_t len = 0;
    if (n == NULL)
        return NULL;
    s->rq_head = n->next;
    if (s->rq_head == NULL)
        s->rq_tail = NULL;
    s->rq_count--;
    (void)secip_message_data(n->msg, &len);
    s->rq_bytes -= len;
    if (s->rq_blocked && s->rq_count < s->opts.recv_queue_max &&
        (s->queue_cap == 0 || s->rq_bytes < s->queue_cap)) {
        s->rq_blocked = 0;
        *unblock = 1;
    }
    m = n->msg;
    free(n);
    return m;
}

int secip_session_receive(secip_session *s, secip_message **out, int timeout_ms)
{
    uint64_t end;
    int unblock = 0, ended = 0;
    secip_message *m = NULL;
    if (s == NULL || out == NULL)
        return sp_error_set(SECIP_EINVAL, "receive: NULL argument");
    *out = NULL;
    if (s->hooks->on_message != NULL)
        return sp_error_set(SECIP_EINVAL, "receive: this session hands its "
                                          "messages to an on_message "
                                          "callback");
    end = spl_clock_ms() + (uint64_t)(timeout_ms < 0 ? 0 : timeout_ms);
    spl_mutex_lock(s->mu);
    for (;;) {
        uint64_t now;
        m = pop_locked(s, &unblock);
        ended = s->status != 0 || s->state == SP_S_CLOSED;
        if (m != NULL || ended)
            break;
        now = spl_clock_ms();
        if (timeout_ms < 0)
            spl_cond_wait(s->cv, s->mu);
        else if (now >= end)
            break;
        else
            (void)spl_cond_timedwait(s->cv, s->mu, end - now);
    }
    spl_mutex_unlock(s->mu);
    if (unblock)
        sp_session_kick(s); /* reading had stopped on a full queue */
    if (m != NULL) {
        *out = m;
        return 0;
    }
    if (ended)
        return sp_session_report(s);
    return sp_error_set(SECIP_ETIMEDOUT, "receive: nothing within %d ms",
                        timeout_ms);
}

/* ---- close and accessors ------------------------------------------------- */

int secip_session_close(secip_session *s)
{
    if (s == NULL)
        return sp_error_set(SECIP_EINVAL, "close: NULL session");
    sp_session_request_close(s, SP_R_NORMAL);
    return 0;
}

int secip_session_is_closed(const secip_session *s)
{
    secip_session *w = (secip_session *)(uintptr_t)s;
    int r;
    if (s == NULL)
        return 1;
    spl_mutex_lock(w->mu);
    r = closed_locked(w);
    spl_mutex_unlock(w->mu);
    return r;
}

/* The fields below are written once on the loop before the session is
 * handed to the application (state OPEN under mu), and never after. */
int secip_session_verified(const secip_session *s)
{
    return s != NULL && s->verified;
}

const char *secip_session_peer_name(const secip_session *s)
{
    if (s == NULL || !s->verified || s->peer_name[0] == '\0')
        return NULL;
    return s->peer_name;
}

int secip_session_peer_fingerprint(const secip_session *s, char hex[65])
{
    if (s == NULL || hex == NULL)
        return sp_error_set(SECIP_EINVAL, "peer_fingerprint: NULL argument");
    if (!s->have_fp)
        return sp_error_set(SECIP_ENOENT, "the peer presented no certificate");
    memcpy(hex, s->fingerprint, 65);
    return 0;
}

const char *secip_session_peer_address(const secip_session *s)
{
    return s != NULL ? s->peer_addr : "";
}

void secip_session_stats_get(const secip_session *s, secip_session_stats *out)
{
    secip_session *w = (secip_session *)(uintptr_t)s;
    if (s == NULL || out == NULL)
        return;
    spl_mutex_lock(w->mu);
    *out = w->stats;
    spl_mutex_unlock(w->mu);
}

void secip_session_set_user_data(secip_session *s, void *data)
{
    if (s != NULL)
        s->user_data = data;
}

void *secip_session_user_data(const secip_session *s)
{
    return s != NULL ? s->user_data : NULL;
}
