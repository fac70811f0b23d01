/*
 * sdk/src/files/file_sink.c -- see file_sink.h.
 */
#include "files/file_sink.h"

#include <bearssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/fileio.h"
#include "crypto/sha256.h"
#include "crypto/util.h"
#include "error.h"
#include "files/file_message.h"
#include "files/file_place.h"
#include "files/file_state.h"
#include "files/safename.h"
#include "platform.h"
#include "session/message_impl.h"

enum { K_OPEN, K_PROVE, K_DONE, K_FAILED };

/*
 * Received data reaches the sink one TLS record piece at a time (16 KiB
 * and less: a chunk's header splits a record).  Writing each piece costs
 * one system call natively and, under Wine, a round trip to the wineserver
 * as well (measured: one per WriteFile); pieces are gathered into writes
 * of this size instead.  Everything buffered is written before any sync.
 */
#define SINK_WBUF SP_FILE_IO_CHUNK

/*
 * A checkpoint taken while data flows is synced and recorded by a thread of
 * its own: the sink is fed by a session's loop thread, and an fsync behind
 * a busy disk can take hundreds of milliseconds, during which every other
 * session of that loop (and small messages of this one) would wait.  The
 * thread gets a snapshot (offset and prefix hash); it syncs the file, which
 * covers at least those bytes, and only then writes the state, so a resume
 * offset still never covers bytes that are not on stable storage.
 *
 * Sinks that cannot resume (no state file) take the same checkpoints,
 * without the state: the final sync in sp_file_sink_finish(), which runs on
 * the loop thread, then has at most one checkpoint interval of data left
 * to write instead of the whole file (seconds for gigabytes on a slow
 * disk).
 */
typedef struct bg_checkpoint {
    spl_thread *thread;
    spl_atomic done;
    spl_file *f;            /* the sink's, open until the thread is joined */
    const char *state_path; /* the sink's */
    sp_file_state st;
} bg_checkpoint;

struct sp_file_sink {
    sp_sink_config cfg;
    char *dir;
    char *part_path;  /* partial file */
    char *state_path; /* resume state, NULL when not resumable */
    char *final_path; /* after finish */
    spl_file *f;
    secip_message *msg; /* memory mode: the content, then the message */
    int in_memory;
    sp_sha256_ctx sha;
    sp_file_state st; /* identity, size, mtime; verified/prefix on resume */
    uint64_t next;    /* bytes received and hashed */
    uint64_t last_checkpoint;
    uint8_t *wbuf;     /* received bytes not yet written (see SINK_WBUF) */
    size_t wlen;       /* bytes in wbuf: the last wlen bytes before next */
    bg_checkpoint *bg; /* a checkpoint being written, or NULL */
    int kind;
    int claimed; /* the identity is registered as in use */
    char name[SP_SAFENAME_MAX + 1];
    uint8_t digest[32];
};

static void bg_join(sp_file_sink *s);

static int fail(sp_file_sink *s, int rc)
{
    s->kind = K_FAILED;
    return rc;
}

/* Open the partial file; try a resume when a matching state exists. */
static int open_resumable(sp_file_sink *s)
{
    sp_file_state old;
    int64_t have;
    int rc;

    if (sp_file_state_load(s->state_path, &old) == 0 &&
        sp_file_state_same(&old, &s->st) && old.verified > 0 &&
        old.verified <= s->st.size &&
        spl_file_open(s->part_path, SPL_FILE_READ | SPL_FILE_WRITE, &s->f) ==
            0) {
        have = spl_file_size(s->f);
        if (have >= 0 && (uint64_t)have >= old.verified) {
            s->st.verified = old.verified;
            memcpy(s->st.prefix, old.prefix, 32);
            s->kind = K_PROVE;
            return 0;
        }
        spl_file_close(s->f);
        s->f = NULL;
    }
    /* Nothing usable: start afresh (stale leftovers go first). */
    sp_file_remove_quiet(s->state_path);
    sp_file_remove_quiet(s->part_path);
    rc = spl_file_open(s->part_path,
                       SPL_FILE_READ | SPL_FILE_WRITE | SPL_FILE_CREATE |
                           SPL_FILE_EXCL | SPL_FILE_OWNER_ONLY,
                       &s->f);
    return rc;
}

static int make_paths(sp_file_sink *s)
{
    char hex[33], name[64];

    sp_hex_encode(s->st.id, 16, hex);
    snprintf(name, sizeof name, ".secip-%s.part", hex);
    s->part_path = sp_path_join(s->dir, name);
    snprintf(name, sizeof name, ".secip-%s.state", hex);
    s->state_path = sp_path_join(s->dir, name);
    return s->part_path && s->state_path ? 0 : SECIP_ENOMEM;
}

static int sink_start(sp_file_sink *s)
{
    char *tmp = NULL;
    int rc;

    if (s->in_memory) {
        /* Bounded by cfg->memory_max, checked by the caller. */
        s->msg = sp_message_new(SECIP_FILE, (size_t)s->st.size);
        return s->msg != NULL ? 0 : SECIP_ENOMEM;
    }
    if (s->cfg.resume && sp_file_state_claim(s->st.id)) {
        s->claimed = 1;
        rc = make_paths(s);
        if (rc == 0)
            rc = open_resumable(s);
        return rc;
    }
    /* Not resumable (disabled, or the same file is already arriving):
     * a private temporary file. */
    rc = sp_file_temp(s->dir, "recv", &s->f, &tmp);
    s->part_path = tmp;
    return rc;
}

int sp_file_sink_open(const sp_sink_config *cfg, const void *name,
                      size_t name_len, uint64_t size, int64_t mtime,
                      int has_mtime, sp_file_sink **out)
{
    char safe[SP_SAFENAME_MAX + 1];
    sp_file_sink *s;
    int rc;

    if (out == NULL || cfg == NULL)
        return sp_error_set(SECIP_EINVAL, "file sink: NULL argument");
    *out = NULL;
    rc = sp_safename(name, name_len, safe, sizeof safe);
    if (rc < 0)
        return rc;
    if (cfg->max_size > 0 && size > cfg->max_size)
        return sp_error_set(SECIP_ETOOBIG,
                            "file '%s' announces %llu bytes; the limit is "
                            "%llu",
                            safe, (unsigned long long)size,
                            (unsigned long long)cfg->max_size);
    if (size > (uint64_t)INT64_MAX)
        return sp_error_set(SECIP_ETOOBIG, "file '%s': size %llu too large",
                            safe, (unsigned long long)size);
    if ((cfg->memory_max == 0 || size > cfg->memory_max) &&
        (cfg->dir == NULL || !spl_dir_exists(cfg->dir)))
        return sp_error_set(cfg->dir == NULL ? SECIP_EPERM : SECIP_ENOENT,
                            "file '%s' (%llu bytes) needs a download "
                            "directory%s%s",
                            safe, (unsigned long long)size,
                            cfg->dir ? ", and this one does not exist: " : "",
                            cfg->dir ? cfg->dir : "");
    s = calloc(1, sizeof *s);
    if (s == NULL)
        return sp_error_set(SECIP_ENOMEM, "file sink: out of memory");
    s->cfg = *cfg;
    if (s->cfg.checkpoint_bytes == 0)
        s->cfg.checkpoint_bytes = SP_FILE_CHECKPOINT_DEFAULT;
    memcpy(s->name, safe, strlen(safe) + 1);
    s->dir = sp_strdup(cfg->dir != NULL ? cfg->dir : ".");
    if (s->dir == NULL) {
        free(s);
        return SECIP_ENOMEM;
    }
    s->cfg.dir = s->dir;
    s->in_memory = cfg->memory_max > 0 && size <= cfg->memory_max;
    sp_file_state_init(&s->st, s->name, size, mtime, has_mtime, cfg->peer_tag);
    sp_sha256_init(&s->sha);
    rc = sink_start(s);
    if (rc < 0) {
        sp_file_sink_close(s, 0);
        return rc;
    }
    *out = s;
    return 0;
}

uint64_t sp_file_sink_offset(const sp_file_sink *s, int *prove)
{
    int p = s->kind == K_PROVE;

    if (prove != NULL)
        *prove = p;
    return p ? s->st.verified : s->next;
}

/* Write out what wbuf holds. */
static int flush(sp_file_sink *s)
{
    ptrdiff_t put;

    if (s->wlen == 0)
        return 0;
    put = spl_file_pwrite(s->f, s->wbuf, s->wlen, s->next - s->wlen);
    if (put < 0)
        return (int)put;
    s->wlen = 0;
    return 0;
}

/* Write out wbuf, then sync the file: what a checkpoint covers. */
static int flush_sync(sp_file_sink *s)
{
    int rc = flush(s);
    return rc < 0 ? rc : spl_file_sync(s->f);
}

/* Take len bytes that belong at offset s->next and advance s->next:
 * gathered in wbuf, or written at once when nothing is buffered and they
 * fill a write.  0, or an error. */
static int store(sp_file_sink *s, const uint8_t *p, size_t len)
{
    if (s->wlen == 0 && len >= SINK_WBUF) {
        ptrdiff_t put = spl_file_pwrite(s->f, p, len, s->next);
        if (put < 0)
            return (int)put;
        s->next += len;
        return 0;
    }
    if (s->wbuf == NULL && (s->wbuf = malloc(SINK_WBUF)) == NULL)
        return sp_error_set(SECIP_ENOMEM, "file sink: out of memory");
    while (len > 0) {
        size_t take = SINK_WBUF - s->wlen < len ? SINK_WBUF - s->wlen : len;
        int rc;
        memcpy(s->wbuf + s->wlen, p, take);
        s->wlen += take;
        s->next += take; /* flush() writes wbuf at next - wlen */
        p += take;
        len -= take;
        rc = s->wlen == SINK_WBUF ? flush(s) : 0;
        if (rc < 0)
            return rc; /* the sink fails: next no longer matters */
    }
    return 0;
}

/* Forget the partial content: data starts again at 0. */
static int restart(sp_file_sink *s)
{
    s->wlen = 0;
    bg_join(s);
    s->kind = K_OPEN;
    s->next = 0;
    s->last_checkpoint = 0;
    s->st.verified = 0;
    sp_sha256_init(&s->sha);
    sp_file_remove_quiet(s->state_path);
    return spl_file_truncate(s->f, 0);
}

/* Hash the first n bytes of the partial file into s->sha. */
static int rehash(sp_file_sink *s, uint64_t n)
{
    uint8_t *buf = malloc(SP_FILE_IO_CHUNK);
    uint64_t off = 0;
    ptrdiff_t got;

    if (buf == NULL)
        return sp_error_set(SECIP_ENOMEM, "file sink: out of memory");
    sp_sha256_init(&s->sha);
    while (off < n) {
        size_t want =
            n - off < SP_FILE_IO_CHUNK ? (size_t)(n - off) : SP_FILE_IO_CHUNK;
        got = spl_file_pread(s->f, buf, want, off);
        if (got <= 0) {
            free(buf);
            return got < 0
                       ? (int)got
                       : sp_error_set(SECIP_EIO, "partial file of '%s' shrank",
                                      s->name);
        }
        sp_sha256_update(&s->sha, buf, (size_t)got);
        off += (uint64_t)got;
    }
    free(buf);
    return 0;
}

int sp_file_sink_prove(sp_file_sink *s, uint64_t off, const uint8_t hash[32])
{
    uint8_t mine[32];
    int rc, same;

    if (s == NULL || hash == NULL)
        return sp_error_set(SECIP_EINVAL, "file sink: NULL argument");
    if (s->kind != K_PROVE || off != s->st.verified)
        return fail(s, sp_error_set(SECIP_EPROTO,
                                    "FILE_PREFIX for '%s' at %llu was not "
                                    "asked for",
                                    s->name, (unsigned long long)off));
    rc = rehash(s, off);
    if (rc < 0)
        return fail(s, rc);
    sp_sha256_out(&s->sha, mine);
    /* Both must agree: the disk still holds what was verified, and the
     * sender's file starts with it. */
    same = sp_ct_equal(mine, s->st.prefix, 32) & sp_ct_equal(mine, hash, 32);
    if (!same) {
        rc = restart(s);
        return rc < 0 ? fail(s, rc) : 0;
    }
    rc = spl_file_truncate(s->f, off); /* drop unverified bytes after N */
    if (rc < 0)
        return fail(s, rc);
    s->kind = K_OPEN;
    s->next = off;
    s->last_checkpoint = off;
    return 1;
}

int sp_file_sink_decline(sp_file_sink *s)
{
    int rc;

    if (s == NULL)
        return sp_error_set(SECIP_EINVAL, "file sink: NULL argument");
    if (s->kind != K_PROVE)
        return sp_error_set(SECIP_EPROTO, "no resume offer to decline");
    rc = restart(s);
    return rc < 0 ? fail(s, rc) : 0;
}

static void bg_run(void *arg)
{
    bg_checkpoint *b = arg;
    /* Best effort: a failed checkpoint only means an older resume offset
     * (the final sync reports real disk errors). */
    if (spl_file_sync(b->f) == 0 && b->state_path != NULL)
        (void)sp_file_state_save(b->state_path, &b->st);
    spl_atomic_store(&b->done, 1);
}

/* Wait for the background checkpoint, if one runs. */
static void bg_join(sp_file_sink *s)
{
    if (s->bg == NULL)
        return;
    spl_thread_join(s->bg->thread);
    free(s->bg);
    s->bg = NULL;
}

/* Start a checkpoint of the first s->next bytes on its own thread, unless
 * the previous one is still running (the next write tries again).  Without
 * a state file it only syncs (see bg_checkpoint). */
static void checkpoint_async(sp_file_sink *s)
{
    bg_checkpoint *b;

    if (s->in_memory || s->f == NULL || s->next == 0 || flush(s) < 0)
        return;
    if (s->bg != NULL) {
        if (!spl_atomic_load(&s->bg->done))
            return;
        bg_join(s);
    }
    b = calloc(1, sizeof *b);
    if (b == NULL)
        return;
    b->f = s->f;
    b->state_path = s->state_path;
    b->st = s->st;
    b->st.verified = s->next;
    sp_sha256_out(&s->sha, b->st.prefix);
    if (spl_thread_create(&b->thread, bg_run, b) != 0) {
        free(b);
        return;
    }
    s->bg = b;
    s->last_checkpoint = s->next;
}

/* Sync the partial file, then record how much of it is verified. */
static int checkpoint(sp_file_sink *s)
{
    int rc;

    if (s->state_path == NULL || s->next == 0)
        return 0;
    rc = flush_sync(s);
    if (rc < 0)
        return rc;
    s->st.verified = s->next;
    sp_sha256_out(&s->sha, s->st.prefix);
    rc = sp_file_state_save(s->state_path, &s->st);
    if (rc == 0)
        s->last_checkpoint = s->next;
    return rc;
}

int sp_file_sink_write(sp_file_sink *s, uint64_t off, const void *data,
                       size_t len)
{
    int rc;

    if (s == NULL || (data == NULL && len > 0))
        return sp_error_set(SECIP_EINVAL, "file sink: bad argument");
    if (s->kind != K_OPEN)
        return fail(s, sp_error_set(SECIP_EPROTO,
                                    "FILE_CHUNK for '%s' not expected now",
                                    s->name));
    if (off != s->next)
        return fail(s, sp_error_set(SECIP_EPROTO,
                                    "FILE_CHUNK for '%s' at offset %llu; "
                                    "expected %llu",
                                    s->name, (unsigned long long)off,
                                    (unsigned long long)s->next));
    if (len > s->st.size - s->next)
        return fail(s, sp_error_set(SECIP_ETOOBIG,
                                    "file '%s' is larger than the announced "
                                    "%llu bytes",
                                    s->name, (unsigned long long)s->st.size));
    sp_sha256_update(&s->sha, data, len);
    if (s->in_memory) {
        sp_message_append(s->msg, data, len);
        s->next += len;
    } else {
        rc = store(s, data, len);
        if (rc < 0)
            return fail(s, rc);
    }
    if (s->next - s->last_checkpoint >= s->cfg.checkpoint_bytes &&
        s->next < s->st.size)
        checkpoint_async(s);
    return 0;
}

int sp_file_sink_finish(sp_file_sink *s, const uint8_t hash[32])
{
    int rc;

    if (s == NULL || hash == NULL)
        return sp_error_set(SECIP_EINVAL, "file sink: NULL argument");
    if (s->kind != K_OPEN)
        return fail(s, sp_error_set(SECIP_EPROTO,
                                    "FILE_END for '%s' not expected now",
                                    s->name));
    if (s->next != s->st.size)
        return fail(s, sp_error_set(SECIP_EPROTO,
                                    "short transfer of '%s': %llu of %llu "
                                    "bytes",
                                    s->name, (unsigned long long)s->next,
                                    (unsigned long long)s->st.size));
    sp_sha256_out(&s->sha, s->digest);
    if (!sp_ct_equal(s->digest, hash, 32))
        return fail(s, sp_error_set(SECIP_EVERIFY,
                                    "SHA-256 of '%s' does not match: the "
                                    "content was damaged in transit",
                                    s->name));
    if (s->in_memory) {
        s->kind = K_DONE;
        return 0;
    }
    bg_join(s);
    rc = flush_sync(s);
    if (rc < 0)
        return fail(s, rc);
    spl_file_close(s->f);
    s->f = NULL;
    rc = sp_file_place(s->part_path, s->dir, s->name, s->cfg.place_flags,
                       &s->final_path);
    if (rc < 0)
        return fail(s, rc);
    sp_file_remove_quiet(s->state_path);
    s->kind = K_DONE;
    return 0;
}

const char *sp_file_sink_name(const sp_file_sink *s)
{
    return s->name;
}

const char *sp_file_sink_path(const sp_file_sink *s)
{
    return s->final_path;
}

const uint8_t *sp_file_sink_hash(const sp_file_sink *s)
{
    return s->digest;
}

uint64_t sp_file_sink_received(const sp_file_sink *s)
{
    return s->next;
}

uint64_t sp_file_sink_size(const sp_file_sink *s)
{
    return s->st.size;
}

int sp_file_sink_in_memory(const sp_file_sink *s)
{
    return s->in_memory;
}

secip_message *sp_file_sink_message(sp_file_sink *s)
{
    secip_message *m;

    if (s == NULL || s->kind != K_DONE || (s->in_memory && s->msg == NULL)) {
        sp_error_set(SECIP_EINVAL, "file sink: no finished content to hand "
                                   "over");
        return NULL;
    }
    if (!s->in_memory)
        return sp_message_new_file_disk(s->name, s->final_path, s->st.size);
    m = s->msg;
    m->file_name = sp_strdup(s->name);
    if (m->file_name == NULL)
        return NULL;
    m->file_size = s->st.size;
    s->msg = NULL;
    return m;
}

void sp_file_sink_close(sp_file_sink *s, int keep_partial)
{
    if (s == NULL)
        return;
    secip_message_free(s->msg);
    bg_join(s);
    if (s->kind != K_DONE) {
        int keep = keep_partial && s->kind != K_FAILED &&
                   s->state_path != NULL && s->f != NULL;
        /* A resume not yet proven keeps the state it was found with. */
        if (keep && s->kind == K_OPEN && checkpoint(s) < 0)
            keep = 0;
        if (keep && s->kind == K_OPEN && s->next == 0)
            keep = 0;
        spl_file_close(s->f);
        s->f = NULL;
        if (!keep) {
            sp_file_remove_quiet(s->part_path);
            sp_file_remove_quiet(s->state_path);
        }
    }
    spl_file_close(s->f);
    free(s->wbuf);
    if (s->claimed)
        sp_file_state_release(s->st.id);
    free(s->part_path);
    free(s->state_path);
    free(s->final_path);
    free(s->dir);
    free(s);
}
