/*
 * sdk/src/crypto/pem.c -- see pem.h.
 */
#include "crypto/pem.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <bearssl.h>

#include "crypto/util.h"
#include "error.h"

typedef struct pem_state {
    sp_pem_obj *objs;
    size_t count;
    unsigned char *cur;
    size_t cur_len, cur_cap;
    int err; /* sticky: set by the decoder callback */
} pem_state;

/* br_pem_decoder's sink: collects one object's decoded bytes. */
static void pem_collect(void *ctx, const void *src, size_t len)
{
    pem_state *st = ctx;
    if (st->err)
        return;
    if (len > SP_PEM_MAX_OBJECT - st->cur_len) {
        st->err = SECIP_ETOOBIG;
        return;
    }
    if (st->cur_len + len > st->cur_cap) {
        size_t ncap = st->cur_cap ? st->cur_cap * 2 : 2048;
        while (ncap < st->cur_len + len)
            ncap *= 2;
        unsigned char *nb = malloc(ncap);
        if (nb == NULL) {
            st->err = SECIP_ENOMEM;
            return;
        }
        if (st->cur != NULL) {
            memcpy(nb, st->cur, st->cur_len);
            sp_wipe(st->cur, st->cur_cap);
            free(st->cur);
        }
        st->cur = nb;
        st->cur_cap = ncap;
    }
    memcpy(st->cur + st->cur_len, src, len);
    st->cur_len += len;
}

void sp_pem_free(sp_pem_obj *objs, size_t count)
{
    if (objs == NULL)
        return;
    for (size_t i = 0; i < count; i++) {
        if (objs[i].der != NULL) {
            sp_wipe(objs[i].der, objs[i].len);
            free(objs[i].der);
        }
    }
    free(objs);
}

static void drop_current(pem_state *st)
{
    if (st->cur != NULL) {
        sp_wipe(st->cur, st->cur_cap);
        free(st->cur);
    }
    st->cur = NULL;
    st->cur_len = st->cur_cap = 0;
}

static int pem_fail(pem_state *st, int code, const char *what)
{
    drop_current(st);
    sp_pem_free(st->objs, st->count);
    st->objs = NULL;
    st->count = 0;
    return sp_error_set(code, "bad PEM: %s", what);
}

/* 1 if name is an RFC 7468 label: printable characters, with single
 * hyphens or spaces only between them. BearSSL keeps whatever precedes
 * the line's last dashes, so "BEGIN X--" would otherwise name "X--", an
 * object no encoder can write back. */
static int valid_label(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || name[0] == '-' || name[0] == ' ' || name[n - 1] == '-' ||
        name[n - 1] == ' ')
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c < 0x20 || c > 0x7e)
            return 0;
        if ((c == '-' || c == ' ') && (name[i + 1] == '-' || name[i + 1] == ' '))
            return 0;
    }
    return 1;
}

/* Handles one decoder event; returns 0, or a negative code. */
static int pem_event(br_pem_decoder_context *pc, pem_state *st, int ev,
                     int *in_obj)
{
    if (ev == BR_PEM_BEGIN_OBJ) {
        if (st->count == SP_PEM_MAX_OBJECTS)
            return pem_fail(st, SECIP_ETOOBIG, "too many objects");
        sp_pem_obj *o = &st->objs[st->count];
        memset(o, 0, sizeof *o);
        snprintf(o->name, sizeof o->name, "%s", br_pem_decoder_name(pc));
        if (!valid_label(o->name))
            return pem_fail(st, SECIP_EFORMAT, "malformed BEGIN line");
        br_pem_decoder_setdest(pc, pem_collect, st);
        *in_obj = 1;
    } else if (ev == BR_PEM_END_OBJ) {
        if (st->err)
            return pem_fail(st, st->err,
                            st->err == SECIP_ETOOBIG
                                ? "object larger than 64 KiB"
                                : "out of memory");
        st->objs[st->count].der = st->cur;
        st->objs[st->count].len = st->cur_len;
        st->cur = NULL;
        st->cur_len = st->cur_cap = 0;
        st->count++;
        *in_obj = 0;
    } else if (ev == BR_PEM_ERROR) {
        return pem_fail(st, SECIP_EFORMAT, "invalid base64 or banner line");
    }
    return 0;
}

/* 1 if text[0..len) contains "<kind><name>-----" (kind "-----BEGIN " or
 * "-----END "). */
static int has_line(const char *text, size_t len, const char *kind,
                    const char *name)
{
    size_t kl = strlen(kind), nl = strlen(name), need = kl + nl + 5;
    for (size_t i = 0; i + need <= len; i++)
        if (memcmp(text + i, kind, kl) == 0 &&
            memcmp(text + i + kl, name, nl) == 0 &&
            memcmp(text + i + kl + nl, "-----", 5) == 0)
            return 1;
    return 0;
}

int sp_pem_decode(const char *text, size_t len, sp_pem_obj **objs,
                  size_t *count)
{
    *objs = NULL;
    *count = 0;
    if (text == NULL)
        return sp_error_set(SECIP_EINVAL, "PEM text is NULL");
    if (len > SP_PEM_MAX_TEXT)
        return sp_error_set(SECIP_ETOOBIG, "PEM text larger than 1 MiB");
    pem_state st;
    memset(&st, 0, sizeof st);
    st.objs = calloc(SP_PEM_MAX_OBJECTS, sizeof *st.objs);
    if (st.objs == NULL)
        return sp_error_set(SECIP_ENOMEM, "out of memory decoding PEM");

    br_pem_decoder_context pc;
    br_pem_decoder_init(&pc);
    int in_obj = 0;
    /* A final newline makes the decoder see an END line that the text does
     * not terminate (files saved without a trailing newline). */
    for (int pass = 0; pass < 2; pass++) {
        const char *p = pass == 0 ? text : "\n";
        size_t left = pass == 0 ? len : 1;
        while (left > 0) {
            size_t n = br_pem_decoder_push(&pc, p, left);
            p += n;
            left -= n;
            int ev = br_pem_decoder_event(&pc);
            if (n == 0 && ev == 0) /* cannot happen; never spin on it */
                return pem_fail(&st, SECIP_EFORMAT, "decoder stalled");
            /* An error on the newline secip added means the text ended
             * inside an object: name it as truncation, not bad base64. */
            if (ev == BR_PEM_ERROR && pass == 1)
                return pem_fail(&st, SECIP_EFORMAT,
                                "truncated object (no END line)");
            int rc = pem_event(&pc, &st, ev, &in_obj);
            if (rc < 0)
                return rc;
        }
    }
    if (in_obj)
        return pem_fail(&st, SECIP_EFORMAT, "truncated object (no END line)");
    if (st.count == 0)
        return pem_fail(&st, SECIP_EFORMAT, "no PEM object found");
    /* BearSSL ends an object at any line starting "-----END" and takes a
     * BEGIN line's label up to its last dashes; insist on whole lines so
     * that a truncated or mangled file is reported as such. */
    for (size_t i = 0; i < st.count; i++) {
        if (!has_line(text, len, "-----BEGIN ", st.objs[i].name))
            return pem_fail(&st, SECIP_EFORMAT, "malformed BEGIN line");
        if (!has_line(text, len, "-----END ", st.objs[i].name))
            return pem_fail(&st, SECIP_EFORMAT,
                            "truncated object (incomplete END line)");
    }
    *objs = st.objs;
    *count = st.count;
    return 0;
}

int sp_pem_append(char **buf, size_t *len, const char *banner, const void *der,
                  size_t der_len)
{
    size_t n = br_pem_encode(NULL, der, der_len, banner, BR_PEM_LINE64);
    if (n > SP_PEM_MAX_TEXT || *len + n > SP_PEM_MAX_TEXT)
        return sp_error_set(SECIP_ETOOBIG, "PEM output too large");
    char *nb = malloc(*len + n + 1);
    if (nb == NULL)
        return sp_error_set(SECIP_ENOMEM, "out of memory encoding PEM");
    if (*buf != NULL) {
        memcpy(nb, *buf, *len);
        sp_wipe(*buf, *len);
        free(*buf);
    }
    br_pem_encode(nb + *len, der, der_len, banner, BR_PEM_LINE64);
    *buf = nb;
    *len += n;
    return 0;
}
