/*
 * sdk/src/files/file_state.c -- see file_state.h.
 *
 * Record layout (big-endian, SP_FILE_STATE_LEN bytes):
 *     0  "SECIPST1"
 *     8  u64 size
 *    16  i64 mtime
 *    24  u64 flags (bit 0: has_mtime)
 *    32  identity[32]
 *    64  u64 verified
 *    72  prefix SHA-256[32]
 *   104  first 16 bytes of SHA-256 of bytes 0..103
 */
#include "files/file_state.h"

#include <bearssl.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/fileio.h"
#include "crypto/util.h"
#include "error.h"
#include "platform.h"
#include "session/frame.h"

static const char magic[8] = {'S', 'E', 'C', 'I', 'P', 'S', 'T', '1'};

void sp_file_state_init(sp_file_state *st, const char *safe_name, uint64_t size,
                        int64_t mtime, int has_mtime, const uint8_t *peer_tag)
{
    static const char label[] = "secip-file-id/1";
    static const uint8_t zero[32];
    br_sha256_context c;
    uint8_t b[17];

    memset(st, 0, sizeof *st);
    st->size = size;
    st->mtime = has_mtime ? mtime : 0;
    st->has_mtime = has_mtime != 0;
    sp_be64_write(b, size);
    sp_be64_write(b + 8, (uint64_t)st->mtime);
    b[16] = (uint8_t)st->has_mtime;
    br_sha256_init(&c);
    br_sha256_update(&c, label, sizeof label - 1);
    br_sha256_update(&c, peer_tag != NULL ? peer_tag : zero, 32);
    br_sha256_update(&c, b, sizeof b);
    br_sha256_update(&c, safe_name, strlen(safe_name));
    br_sha256_out(&c, st->id);
}

int sp_file_state_same(const sp_file_state *a, const sp_file_state *b)
{
    return a->size == b->size && a->mtime == b->mtime &&
           a->has_mtime == b->has_mtime && memcmp(a->id, b->id, 32) == 0;
}

static void encode(uint8_t r[SP_FILE_STATE_LEN], const sp_file_state *st)
{
    uint8_t sum[32];

    memcpy(r, magic, 8);
    sp_be64_write(r + 8, st->size);
    sp_be64_write(r + 16, (uint64_t)st->mtime);
    sp_be64_write(r + 24, st->has_mtime ? 1u : 0u);
    memcpy(r + 32, st->id, 32);
    sp_be64_write(r + 64, st->verified);
    memcpy(r + 72, st->prefix, 32);
    sp_sha256(r, 104, sum);
    memcpy(r + 104, sum, 16);
}

int sp_file_state_save(const char *path, const sp_file_state *st)
{
    uint8_t r[SP_FILE_STATE_LEN];

    encode(r, st);
    return sp_file_write_atomic(path, r, sizeof r, 1);
}

int sp_file_state_load(const char *path, sp_file_state *st)
{
    uint8_t sum[32];
    char *buf = NULL;
    const uint8_t *r;
    size_t len = 0;
    uint64_t flags;
    int saved = secip_last_error_code();
    char detail[512];
    int rc;

    /* A missing record is the normal case: keep the caller's detail. */
    strncpy(detail, secip_last_error(), sizeof detail - 1);
    detail[sizeof detail - 1] = 0;
    rc = sp_file_read_all(path, 4096, &buf, &len);
    if (rc < 0) {
        if (saved != 0)
            sp_error_set(saved, "%s", detail);
        else
            sp_error_clear();
        return rc;
    }
    r = (const uint8_t *)buf;
    rc = SECIP_EFORMAT;
    if (len == SP_FILE_STATE_LEN && memcmp(r, magic, 8) == 0) {
        sp_sha256(r, 104, sum);
        flags = sp_be64_read(r + 24);
        if (memcmp(sum, r + 104, 16) == 0 && flags <= 1) {
            st->size = sp_be64_read(r + 8);
            st->mtime = (int64_t)sp_be64_read(r + 16);
            st->has_mtime = (int)flags;
            memcpy(st->id, r + 32, 32);
            st->verified = sp_be64_read(r + 64);
            memcpy(st->prefix, r + 72, 32);
            rc = 0;
        }
    }
    free(buf);
    return rc;
}

/* ---- registry of identities being received ------------------------------ */

#define REG_SLOTS 128

static spl_atomic reg_lock;
static uint8_t reg_ids[REG_SLOTS][32];
static uint8_t reg_used[REG_SLOTS];

/* A spin lock: held for a few dozen memcmp()s only, and the platform layer
 * has no static mutex initialiser. */
static void reg_enter(void)
{
    while (!spl_atomic_cas(&reg_lock, 0, 1))
        spl_sleep_ms(0);
}

static void reg_leave(void)
{
    spl_atomic_store(&reg_lock, 0);
}

int sp_file_state_claim(const uint8_t id[32])
{
    int i, free_slot = -1, ok = 0;

    reg_enter();
    for (i = 0; i < REG_SLOTS; i++) {
        if (!reg_used[i]) {
            if (free_slot < 0)
                free_slot = i;
        } else if (memcmp(reg_ids[i], id, 32) == 0) {
            free_slot = -1;
            break;
        }
    }
    if (i == REG_SLOTS && free_slot >= 0) {
        memcpy(reg_ids[free_slot], id, 32);
        reg_used[free_slot] = 1;
        ok = 1;
    }
    reg_leave();
    return ok;
}

void sp_file_state_release(const uint8_t id[32])
{
    int i;

    reg_enter();
    for (i = 0; i < REG_SLOTS; i++) {
        if (reg_used[i] && memcmp(reg_ids[i], id, 32) == 0) {
            reg_used[i] = 0;
            break;
        }
    }
    reg_leave();
}

void sp_file_remove_quiet(const char *path)
{
    int code = secip_last_error_code();
    char detail[512];

    if (path == NULL)
        return;
    strncpy(detail, secip_last_error(), sizeof detail - 1);
    detail[sizeof detail - 1] = 0;
    spl_file_remove(path);
    if (code != 0)
        sp_error_set(code, "%s", detail);
    else
        sp_error_clear();
}

char *sp_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);

    if (d == NULL) {
        sp_error_set(SECIP_ENOMEM, "out of memory");
        return NULL;
    }
    memcpy(d, s, n);
    return d;
}
