/*
 * sdk/src/session/message.c -- the received-message object.
 */
#include "message_impl.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "error.h"
#include "frame.h"
#include "platform.h"
#include "spare.h"

/*
 * Small messages carry their content in the same allocation as the object
 * (one malloc and one free per message instead of two: at 64-byte messages
 * the allocator was the largest cost on the receive path, docs/BENCHMARKS.md
 * workload 2).  Content that grows past the inline room moves to a block of
 * its own.
 */
#define INLINE_MAX 2048u

static int is_inline(const secip_message *m)
{
    return m->data == (const uint8_t *)(m + 1);
}

static secip_message *nomem(size_t cap)
{
    sp_error_set(SECIP_ENOMEM, "message: cannot allocate %llu bytes",
                 (unsigned long long)cap);
    return NULL;
}

/*
 * Large messages are kept for reuse on a process-wide shelf (spare.h).  A
 * receiver of bulk data frees messages while the loop builds the next
 * ones; giving those the same buffers saves glibc from trimming and
 * re-growing its heap every time (page faults were ~6 % of a bulk
 * transfer's CPU, docs/BENCHMARKS.md) and keeps the buffers warm.
 * Messages of REUSE_MIN..REUSE_MAX bytes qualify.
 */
#define REUSE_MIN (64u * 1024u)
#define REUSE_MAX (1024u * 1024u)

static sp_spares g_spares; /* secip_message pointers */

static secip_message *take_spare(size_t cap)
{
    secip_message *m = sp_spares_take(&g_spares);
    if (m == NULL)
        return NULL;
    sp_spares_taken(&g_spares, m->cap);
    if (sp_spares_fits(m->cap, cap))
        return m;
    free(m->data);
    free(m);
    return NULL;
}

/* 1 when m (its JSON and file fields already released) went to the
 * shelf; the caller must not free it then. */
static int keep_spare(secip_message *m)
{
    if (m->cap < REUSE_MIN || m->cap > REUSE_MAX)
        return 0;
    return sp_spares_put(&g_spares, m, m->cap);
}

secip_message *sp_message_new(int type, size_t cap)
{
    secip_message *m;

    if (cap > INLINE_MAX && (m = take_spare(cap)) != NULL) {
        uint8_t *data = m->data;
        size_t have = m->cap;
        memset(m, 0, sizeof *m);
        m->data = data;
        m->cap = have;
        m->type = type;
        m->data[0] = 0;
        return m;
    }
    if (cap <= INLINE_MAX) {
        m = malloc(sizeof *m + cap + 1);
        if (m == NULL)
            return nomem(cap);
        memset(m, 0, sizeof *m);
        m->data = (uint8_t *)(m + 1);
    } else {
        if (cap == SIZE_MAX)
            return nomem(cap);
        m = calloc(1, sizeof *m);
        if (m == NULL)
            return nomem(cap);
        m->data = malloc(cap + 1);
        if (m->data == NULL) {
            free(m);
            return nomem(cap);
        }
    }
    m->type = type;
    m->cap = cap;
    m->data[0] = 0;
    return m;
}

int sp_message_reserve(secip_message *m, size_t need, size_t limit)
{
    size_t ncap;
    uint8_t *p;

    if (need <= m->cap)
        return 0;
    if (need > limit)
        return sp_error_set(
            SECIP_ETOOBIG, "message: %llu bytes exceed the announced %llu",
            (unsigned long long)need, (unsigned long long)limit);
    ncap = m->cap > limit / 2 ? limit : m->cap * 2;
    if (ncap < need)
        ncap = need;
    if (is_inline(m)) {
        p = malloc(ncap + 1);
        if (p != NULL)
            memcpy(p, m->data, m->len + 1);
    } else {
        p = realloc(m->data, ncap + 1);
    }
    if (p == NULL)
        return sp_error_set(SECIP_ENOMEM, "message: cannot grow to %llu bytes",
                            (unsigned long long)ncap);
    m->data = p;
    m->cap = ncap;
    return 0;
}

void sp_message_append(secip_message *m, const uint8_t *p, size_t len)
{
    if (len == 0)
        return;
    memcpy(m->data + m->len, p, len);
    m->len += len;
    m->data[m->len] = 0;
}

int sp_message_type_of_frame(uint8_t frame_type)
{
    switch (frame_type) {
    case SP_T_BYTES: return SECIP_BYTES;
    case SP_T_TEXT: return SECIP_TEXT;
    case SP_T_OBJECT: return SECIP_OBJECT;
    case SP_T_LIST: return SECIP_LIST;
    default: return 0;
    }
}

uint8_t sp_message_frame_type(int type)
{
    switch (type) {
    case SECIP_BYTES: return SP_T_BYTES;
    case SECIP_TEXT: return SP_T_TEXT;
    case SECIP_OBJECT: return SP_T_OBJECT;
    case SECIP_LIST: return SP_T_LIST;
    default: return 0;
    }
}

/* ---- public API ---------------------------------------------------------- */

int secip_message_type(const secip_message *m)
{
    if (m == NULL)
        return sp_error_set(SECIP_EINVAL, "secip_message_type: NULL message");
    return m->type;
}

const char *secip_message_type_name(int type)
{
    switch (type) {
    case SECIP_BYTES: return "BYTES";
    case SECIP_TEXT: return "TEXT";
    case SECIP_FILE: return "FILE";
    case SECIP_OBJECT: return "OBJECT";
    case SECIP_LIST: return "LIST";
    default: return "?";
    }
}

const void *secip_message_data(const secip_message *m, size_t *len)
{
    if (m == NULL) {
        if (len != NULL)
            *len = 0;
        sp_error_set(SECIP_EINVAL, "secip_message_data: NULL message");
        return NULL;
    }
    if (len != NULL)
        *len = m->len;
    return m->data;
}

const char *secip_message_text(const secip_message *m)
{
    if (m == NULL || m->type != SECIP_TEXT) {
        sp_error_set(SECIP_EINVAL, "secip_message_text: %s",
                     m == NULL ? "NULL message" : "not a TEXT message");
        return NULL;
    }
    return (const char *)m->data;
}

struct json_object *secip_message_json(const secip_message *m)
{
    if (m == NULL || m->json == NULL) {
        sp_error_set(SECIP_EINVAL, "secip_message_json: %s",
                     m == NULL ? "NULL message"
                               : "not an OBJECT or LIST message");
        return NULL;
    }
    return m->json;
}

void secip_message_free(secip_message *m)
{
    if (m == NULL)
        return;
    if (m->json != NULL)
        json_object_put(m->json);
    free(m->file_name);
    free(m->file_path);
    if (is_inline(m)) {
        free(m);
        return;
    }
    if (keep_spare(m)) /* sp_message_new resets every field on reuse */
        return;
    free(m->data);
    free(m);
}
