/*
 * tests/fuzz/fuzz_filesink.c -- libFuzzer target: the receiving end of a
 * file transfer (sdk/src/files/file_sink.c) driven by a hostile sequence
 * of FILE_BEGIN / FILE_PREFIX / FILE_CHUNK / FILE_END events, in a private
 * scratch directory "<tmp>/secip-fuzz-sink-<rnd>/outer/in" with small
 * limits.
 *
 * Input: byte 0 is the sink configuration (resume, placement policy,
 * memory_max, checkpoint interval, max_size); then up to MAX_OPS
 * operations, each one byte (bits 0-3 the operation, bits 4-5 which of
 * NSLOT concurrent sinks) followed by its arguments:
 *   0 open    flags, name length, name, u16 size, mtime byte
 *   1 write   length byte, that many data bytes (at the right offset)
 *   2 fill    u16 length (<= 16 KiB), fill byte (at the right offset)
 *   3 badoff  delta byte: a chunk at a wrong offset
 *   4 finish  with the SHA-256 of what was written
 *   5 finish  with 32 hash bytes from the input
 *   6 prove   mode byte: right proof / wrong hash / wrong offset
 *   7 decline
 *   8 close   keep byte
 *   9 message take the finished FILE message
 *
 * A model of each sink (the bytes written, what a resume may offer)
 * gives the invariants:
 *  - nothing ever exists outside "in": at the end of each input every
 *    sink is closed without keeping, every kept partial is reopened and
 *    dropped, the finished files are removed, and then "in" and "outer"
 *    must be empty (spl_dir_remove succeeds);
 *  - a file under a sink's final name exists only after a successful
 *    finish, and then is inside "in" and holds exactly the announced size
 *    and the hashed content (equal to the model's bytes);
 *  - finish succeeds with the right hash of a complete transfer (unless
 *    the name is taken and the policy forbids alternatives) and fails with
 *    any other hash; chunks at a wrong offset or past the size fail;
 *  - a resume offer is made only for a partial this input kept, at the
 *    offset it was kept at.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bearssl.h>

#include "crypto/fileio.h"
#include "files/file_place.h"
#include "files/file_sink.h"
#include "platform.h"
#include "secip/error.h"
#include "secip/message.h"
#include "secip/random.h"

#include "fuzz_util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NSLOT    4
#define NKEPT    8
#define MAX_OPS  64
#define FILL_MAX (16u * 1024u)

static char g_root[512], g_outer[600], g_in[700];

/* What a sink has been fed, as far as the fuzzer knows. */
typedef struct model {
    sp_file_sink *s;
    uint8_t *buf; /* bytes 0..next of the content (when known) */
    uint64_t size, next;
    int64_t mtime;
    int has_mtime, known, claimed, failed, done, prove;
    char name[300]; /* safe name */
} model;

/* A partial file kept for a resume, and the content it holds. */
typedef struct kept {
    int used;
    char name[300];
    uint64_t size, len;
    int64_t mtime;
    int has_mtime;
    uint8_t *buf;
} kept;

typedef struct run {
    const uint8_t *p;
    size_t n;
    sp_sink_config cfg;
    model m[NSLOT];
    kept k[NKEPT];
    char *finished[MAX_OPS];
    size_t nfinished;
} run;

static void cleanup(void)
{
    spl_dir_remove(g_in);
    spl_dir_remove(g_outer);
    spl_dir_remove(g_root);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_scratch_dir(g_root, sizeof g_root, "sink");
    snprintf(g_outer, sizeof g_outer, "%s/outer", g_root);
    snprintf(g_in, sizeof g_in, "%s/in", g_outer);
    if (spl_dir_create(g_outer, 1) < 0 || spl_dir_create(g_in, 1) < 0)
        abort();
    atexit(cleanup);
    return 0;
}

static int take(run *r, uint8_t *b)
{
    if (r->n == 0)
        return 0;
    *b = *r->p++;
    r->n--;
    return 1;
}

static unsigned take16(run *r)
{
    uint8_t a = 0, b = 0;
    take(r, &a);
    take(r, &b);
    return (unsigned)a << 8 | b;
}

static void sha(const uint8_t *p, size_t n, uint8_t out[32])
{
    br_sha256_context c;
    br_sha256_init(&c);
    if (n > 0)
        br_sha256_update(&c, p, n);
    br_sha256_out(&c, out);
}

static int exists(const char *path)
{
    spl_file *f = NULL;
    if (spl_file_open(path, SPL_FILE_READ, &f) < 0)
        return 0;
    spl_file_close(f);
    return 1;
}

static int is_finished(const run *r, const char *path)
{
    for (size_t i = 0; i < r->nfinished; i++)
        if (strcmp(r->finished[i], path) == 0)
            return 1;
    return 0;
}

static kept *find_kept(run *r, const model *m)
{
    for (int i = 0; i < NKEPT; i++)
        if (r->k[i].used && strcmp(r->k[i].name, m->name) == 0 &&
            r->k[i].size == m->size && r->k[i].mtime == m->mtime &&
            r->k[i].has_mtime == m->has_mtime)
            return &r->k[i];
    return NULL;
}

static void drop_kept(kept *k)
{
    if (k == NULL)
        return;
    free(k->buf);
    memset(k, 0, sizeof *k);
}

/* The model's content grows by len bytes (or becomes unknown). */
static void model_add(model *m, const uint8_t *d, size_t len)
{
    if (m->known && len > 0) {
        uint8_t *nb = realloc(m->buf, (size_t)(m->next + len + 1));
        CHECK(nb != NULL);
        memcpy(nb + m->next, d, len);
        m->buf = nb;
    }
    m->next += len;
}

static void close_slot(run *r, model *m, int keep)
{
    if (m->s == NULL)
        return;
    /* Mirror sp_file_sink_close: a claimed, live, written sink leaves
     * resume state behind when kept; one still waiting for its proof keeps
     * the state it found; everything else removes its partial and state. */
    if (m->claimed) {
        kept *k = find_kept(r, m);
        if (keep && !m->failed && !m->done && !m->prove && m->next > 0) {
            for (int i = 0; k == NULL && i < NKEPT; i++)
                if (!r->k[i].used)
                    k = &r->k[i];
            if (k != NULL) {
                drop_kept(k);
                k->used = 1;
                memcpy(k->name, m->name, sizeof k->name);
                k->size = m->size;
                k->mtime = m->mtime;
                k->has_mtime = m->has_mtime;
                k->len = m->next;
                k->buf = m->buf;
                m->buf = NULL;
            } else {
                keep = 0; /* no room to remember it: let the sink drop it */
            }
        } else if (!(keep && m->prove && !m->failed)) {
            drop_kept(k);
        }
    }
    sp_file_sink_close(m->s, keep);
    free(m->buf);
    memset(m, 0, sizeof *m);
}

static void op_open(run *r, model *m)
{
    uint8_t flags = 0, nlen = 0, mt = 0, name[255];
    size_t i;
    uint64_t size;
    int prove = 0, rc;

    take(r, &flags);
    take(r, &nlen);
    for (i = 0; i < nlen && take(r, &name[i]); i++) {
    }
    size = take16(r);
    take(r, &mt);
    if (flags & 0x02)
        size = UINT64_MAX - mt;
    close_slot(r, m, flags & 0x04);
    m->has_mtime = flags & 0x01;
    m->mtime = m->has_mtime ? (int64_t)mt * 1000003 : 0;
    rc = sp_file_sink_open(&r->cfg, name, i, size, m->mtime, m->has_mtime,
                           &m->s);
    if (rc < 0) {
        CHECK(m->s == NULL);
        CHECK(!(r->cfg.max_size > 0 && size <= r->cfg.max_size &&
                rc == SECIP_ETOOBIG));
        return;
    }
    CHECK(m->s != NULL);
    CHECK(r->cfg.max_size == 0 || size <= r->cfg.max_size);
    CHECK(strlen(sp_file_sink_name(m->s)) < sizeof m->name);
    snprintf(m->name, sizeof m->name, "%s", sp_file_sink_name(m->s));
    m->size = size;
    m->known = 1;
    m->buf = malloc(1); /* never NULL, even for an empty file */
    CHECK(m->buf != NULL);
    m->claimed = r->cfg.resume && !sp_file_sink_in_memory(m->s);
    for (int j = 0; j < NSLOT; j++)
        if (&r->m[j] != m && r->m[j].s != NULL && r->m[j].claimed &&
            strcmp(r->m[j].name, m->name) == 0 && r->m[j].size == size &&
            r->m[j].mtime == m->mtime && r->m[j].has_mtime == m->has_mtime)
            m->claimed = 0;
    uint64_t off = sp_file_sink_offset(m->s, &prove);
    m->prove = prove;
    kept *k = m->claimed ? find_kept(r, m) : NULL;
    if (prove) {
        /* Only a partial this input kept can be offered, where it was. */
        CHECK(k != NULL && off == k->len && off > 0 && off <= size);
    } else {
        /* A kept partial is always offered to the next claimed sink. */
        CHECK(off == 0 && k == NULL);
    }
}

static void op_write(run *r, model *m, int fill)
{
    uint8_t len8 = 0, fb = 0, *d;
    size_t len = 0;

    if (fill) {
        len = take16(r) % (FILL_MAX + 1);
        take(r, &fb);
        d = malloc(len + 1);
        CHECK(d != NULL);
        memset(d, fb, len);
    } else {
        take(r, &len8);
        len = len8 < r->n ? len8 : r->n;
        d = malloc(len + 1);
        CHECK(d != NULL);
        memcpy(d, r->p, len);
        r->p += len;
        r->n -= len;
    }
    if (m->s != NULL) {
        int rc = sp_file_sink_write(m->s, m->next, d, len);
        int ok = !m->failed && !m->done && !m->prove;
        if (ok && len > m->size - m->next) {
            CHECK(rc == SECIP_ETOOBIG);
        } else if (!ok) {
            CHECK(rc == SECIP_EPROTO);
        }
        if (rc < 0) {
            m->failed = 1;
        } else {
            CHECK(ok);
            model_add(m, d, len);
            CHECK(sp_file_sink_received(m->s) == m->next);
        }
    }
    free(d);
}

static void op_badoff(run *r, model *m)
{
    uint8_t delta = 0, x = 0x5a;
    take(r, &delta);
    if (m->s == NULL)
        return;
    uint64_t off = (delta & 1) && m->next > 0
                       ? m->next - 1 - (delta >> 1) % m->next
                       : m->next + 1 + delta;
    CHECK(sp_file_sink_write(m->s, off, &x, 1) < 0);
    m->failed = 1;
}

/* A finished file: inside "in", the announced size, the hashed content. */
static void check_finished(run *r, model *m, const uint8_t hash[32])
{
    const char *path = sp_file_sink_path(m->s);
    size_t dl = strlen(g_in);
    char *buf = NULL;
    size_t len = 0;
    uint8_t got[32];

    CHECK(memcmp(sp_file_sink_hash(m->s), hash, 32) == 0);
    if (sp_file_sink_in_memory(m->s)) {
        CHECK(path == NULL);
        return;
    }
    CHECK(path != NULL && strncmp(path, g_in, dl) == 0 && path[dl] == '/' &&
          strchr(path + dl + 1, '/') == NULL &&
          strchr(path + dl + 1, '\\') == NULL && path[dl + 1] != '.');
    CHECK(sp_file_read_all(path, 1u << 20, &buf, &len) == 0);
    CHECK(len == m->size);
    sha((const uint8_t *)buf, len, got);
    CHECK(memcmp(got, hash, 32) == 0);
    CHECK(!m->known || len == 0 || memcmp(buf, m->buf, len) == 0);
    free(buf);
    if (!is_finished(r, path) && r->nfinished < MAX_OPS) {
        r->finished[r->nfinished] = malloc(strlen(path) + 1);
        CHECK(r->finished[r->nfinished] != NULL);
        memcpy(r->finished[r->nfinished++], path, strlen(path) + 1);
    }
}

static void op_finish(run *r, model *m, int good)
{
    uint8_t h[32], right[32];
    int rc;

    memset(h, 0, sizeof h);
    for (size_t i = 0; !good && i < 32; i++)
        take(r, &h[i]);
    if (m->s == NULL)
        return;
    if (m->known) {
        sha(m->buf, (size_t)m->next, right);
        if (good)
            memcpy(h, right, 32);
    }
    rc = sp_file_sink_finish(m->s, h);
    int complete = !m->failed && !m->done && !m->prove && m->next == m->size;
    if (rc < 0) {
        CHECK(!(complete && m->known && memcmp(h, right, 32) == 0) ||
              (rc == SECIP_EEXIST && !(r->cfg.place_flags & SP_PLACE_UNIQUE)));
        m->failed = 1;
        return;
    }
    CHECK(complete && (!m->known || memcmp(h, right, 32) == 0));
    m->done = 1;
    check_finished(r, m, h);
}

static void op_prove(run *r, model *m)
{
    uint8_t mode = 0, h[32];
    int rc;
    take(r, &mode);
    if (m->s == NULL)
        return;
    uint64_t off = sp_file_sink_offset(m->s, NULL);
    kept *k = find_kept(r, m);
    memset(h, mode, sizeof h);
    if ((mode & 3) == 0 && k != NULL && off <= k->len)
        sha(k->buf, (size_t)off, h);
    if ((mode & 3) == 2)
        off += 1 + (mode >> 2);
    rc = sp_file_sink_prove(m->s, off, h);
    if (!m->prove || m->failed || m->done || (mode & 3) == 2) {
        CHECK(rc < 0);
        m->failed = 1;
        return;
    }
    if (rc < 0) {
        m->failed = 1;
        return;
    }
    /* Proven or restarted: the sink owns the partial from now on. */
    m->prove = 0;
    CHECK(k != NULL);
    if (rc == 1) {
        CHECK((mode & 3) == 0);
        model_add(m, k->buf, (size_t)off);
    } else {
        CHECK((mode & 3) != 0);
    }
    drop_kept(k);
    CHECK(sp_file_sink_received(m->s) == m->next);
}

static void op_decline(run *r, model *m)
{
    if (m->s == NULL)
        return;
    int rc = sp_file_sink_decline(m->s);
    CHECK((rc == 0) == (m->prove && !m->failed));
    if (rc == 0) {
        m->prove = 0;
        drop_kept(find_kept(r, m));
    } else if (m->prove) {
        m->failed = 1;
    }
}

static void op_message(model *m)
{
    if (m->s == NULL)
        return;
    secip_message *msg = sp_file_sink_message(m->s);
    if (!m->done) {
        CHECK(msg == NULL);
        return;
    }
    if (msg == NULL) /* memory content is handed over only once */
        return;
    CHECK(secip_message_type(msg) == SECIP_FILE);
    if (sp_file_sink_in_memory(m->s)) {
        size_t len = 0;
        const void *d = secip_message_data(msg, &len);
        CHECK(len == m->size && (!m->known || memcmp(d, m->buf, len) == 0));
    }
    secip_message_free(msg);
}

/* No sink's final name exists unless a finish put it there. */
static void check_names(run *r)
{
    char path[1100];
    for (int i = 0; i < NSLOT; i++) {
        if (r->m[i].s == NULL || r->m[i].done)
            continue;
        snprintf(path, sizeof path, "%s/%s", g_in, r->m[i].name);
        CHECK(!exists(path) || is_finished(r, path));
    }
}

static void config(run *r, uint8_t c)
{
    static const uint64_t mem[4] = {0, 16, 256, 4096};
    static const uint64_t max[4] = {0, 1024, 8192, 65536};
    static const int place[4] = {0, SP_PLACE_UNIQUE, SP_PLACE_OVERWRITE,
                                 SP_PLACE_UNIQUE};
    memset(&r->cfg, 0, sizeof r->cfg);
    r->cfg.dir = g_in;
    r->cfg.resume = c & 1;
    r->cfg.place_flags = place[(c >> 1) & 3];
    r->cfg.memory_max = mem[(c >> 3) & 3];
    r->cfg.checkpoint_bytes = (c & 0x20) ? 64 : 0;
    r->cfg.max_size = max[(c >> 6) & 3];
}

/* Drop everything and prove that nothing else was left anywhere. */
static void finish_run(run *r)
{
    for (int i = 0; i < NSLOT; i++)
        close_slot(r, &r->m[i], 0);
    for (int i = 0; i < NKEPT; i++) {
        if (!r->k[i].used)
            continue;
        sp_file_sink *s = NULL;
        CHECK(sp_file_sink_open(&r->cfg, r->k[i].name, strlen(r->k[i].name),
                                r->k[i].size, r->k[i].mtime, r->k[i].has_mtime,
                                &s) == 0);
        sp_file_sink_close(s, 0);
        drop_kept(&r->k[i]);
    }
    for (size_t i = 0; i < r->nfinished; i++) {
        spl_file_remove(r->finished[i]);
        free(r->finished[i]);
    }
    CHECK(spl_dir_remove(g_in) == 0);
    CHECK(spl_dir_remove(g_outer) == 0);
    CHECK(spl_dir_create(g_outer, 1) == 0 && spl_dir_create(g_in, 1) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static run r;
    uint8_t c = 0, op = 0;

    memset(&r, 0, sizeof r);
    r.p = data;
    r.n = size;
    take(&r, &c);
    config(&r, c);
    for (int i = 0; i < MAX_OPS && take(&r, &op); i++) {
        model *m = &r.m[(op >> 4) & (NSLOT - 1)];
        switch (op & 0x0f) {
        case 0: op_open(&r, m); break;
        case 1: op_write(&r, m, 0); break;
        case 2: op_write(&r, m, 1); break;
        case 3: op_badoff(&r, m); break;
        case 4: op_finish(&r, m, 1); break;
        case 5: op_finish(&r, m, 0); break;
        case 6: op_prove(&r, m); break;
        case 7: op_decline(&r, m); break;
        case 8: {
            uint8_t keep = 0;
            take(&r, &keep);
            close_slot(&r, m, keep & 1);
            break;
        }
        case 9: op_message(m); break;
        default: break;
        }
        check_names(&r);
    }
    finish_run(&r);
    return 0;
}
