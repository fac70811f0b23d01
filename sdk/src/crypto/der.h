/*
 * sdk/src/crypto/der.h -- internal: a bounds-checked DER reader, a small
 * DER writer, and the date conversions that X.509 validity needs.
 *
 * Only what X.509 certificates and RSA keys use: single-byte tags (tag
 * numbers 0..30) and definite lengths up to 2^24 - 1.  The reader treats
 * every input as hostile: it never reads past the buffer it was given,
 * rejects indefinite and non-minimal lengths, and reports a malformed
 * element instead of guessing.
 */
#ifndef SP_CRYPTO_DER_H
#define SP_CRYPTO_DER_H

#include <stddef.h>
#include <stdint.h>

/* Universal tags, and the constructed/context bits. */
#define DER_BOOLEAN     0x01
#define DER_INTEGER     0x02
#define DER_BIT_STRING  0x03
#define DER_OCTET_STR   0x04
#define DER_NULL        0x05
#define DER_OID         0x06
#define DER_UTF8        0x0c
#define DER_PRINTABLE   0x13
#define DER_T61         0x14
#define DER_IA5         0x16
#define DER_UTCTIME     0x17
#define DER_GENTIME     0x18
#define DER_BMP         0x1e
#define DER_SEQUENCE    0x30
#define DER_SET         0x31
#define DER_CONTEXT(n)  (0x80 | (n)) /* implicit, primitive */
#define DER_EXPLICIT(n) (0xa0 | (n)) /* context, constructed */

/* ---- reader ------------------------------------------------------------ */

/** A cursor over bytes still to be read. */
typedef struct sp_der {
    const unsigned char *p;
    size_t len;
} sp_der;

/** One element: its tag, its contents, and its whole encoding. */
typedef struct sp_tlv {
    unsigned tag;
    const unsigned char *val;
    size_t len;
    const unsigned char *raw; /* tag byte onwards */
    size_t raw_len;
} sp_tlv;

/** Start reading buf[0..len-1]. */
void sp_der_init(sp_der *d, const void *buf, size_t len);

/** 1 when nothing is left. */
int sp_der_empty(const sp_der *d);

/**
 * Read the next element.  Returns 0, or -1 when the input is exhausted,
 * malformed or uses a feature DER forbids (nothing is consumed then).
 */
int sp_der_next(sp_der *d, sp_tlv *t);

/** Peek at the next tag without consuming; -1 when empty. */
int sp_der_peek(const sp_der *d);

/** Read the next element and require tag; 0 or -1. */
int sp_der_expect(sp_der *d, unsigned tag, sp_tlv *t);

/** A cursor over t's contents (for constructed elements). */
void sp_der_enter(const sp_tlv *t, sp_der *inner);

/**
 * Read a non-negative INTEGER's magnitude (leading zero byte stripped):
 * *mag points into the input, *mag_len > 0.  Rejects negative and
 * non-minimal encodings.  0 or -1.
 */
int sp_der_uint(const sp_tlv *t, const unsigned char **mag, size_t *mag_len);

/** A small non-negative INTEGER that fits in a long; 0 or -1. */
int sp_der_small_uint(const sp_tlv *t, long *out);

/** Parse a UTCTime or GeneralizedTime (Z form) into *out; 0 or -1. */
int sp_der_time(const sp_tlv *t, int64_t *out);

/** 1 if t is an OID with exactly the encoded value oid[0..len-1]. */
int sp_der_oid_is(const sp_tlv *t, const unsigned char *oid, size_t len);

/* ---- writer ------------------------------------------------------------ */

/**
 * A growing output buffer.  Errors are sticky: after the first failure
 * (out of memory, size limit) every call does nothing and sp_dw_finish()
 * reports it, so building code need not check every call.
 */
typedef struct sp_dw {
    unsigned char *buf;
    size_t len;
    size_t cap;
    int err;
} sp_dw;

void sp_dw_init(sp_dw *w);
/** Free the buffer (wiping it: it may have held key material). */
void sp_dw_free(sp_dw *w);
/** 0, or the sticky error code (SECIP_ENOMEM / SECIP_ETOOBIG). */
int sp_dw_status(const sp_dw *w);

void sp_dw_raw(sp_dw *w, const void *data, size_t len);
void sp_dw_tlv(sp_dw *w, unsigned tag, const void *data, size_t len);
/** INTEGER from an unsigned big-endian magnitude (any leading zeros). */
void sp_dw_uint(sp_dw *w, const unsigned char *mag, size_t len);
/** INTEGER from a small non-negative value. */
void sp_dw_small_uint(sp_dw *w, unsigned long v);
void sp_dw_bool(sp_dw *w, int v);
void sp_dw_null(sp_dw *w);
/** OID from its encoded contents (without tag and length). */
void sp_dw_oid(sp_dw *w, const unsigned char *oid, size_t len);
/** BIT STRING with 0 unused bits. */
void sp_dw_bits(sp_dw *w, const void *data, size_t len);
/** A string of the given tag from a NUL-terminated C string. */
void sp_dw_str(sp_dw *w, unsigned tag, const char *s);
/** UTCTime for 1950..2049, GeneralizedTime otherwise (RFC 5280 4.1.2.5). */
void sp_dw_time(sp_dw *w, int64_t t);

/**
 * Open a constructed element: returns a mark to pass to sp_dw_end(), which
 * wraps everything written since in one TLV of the given tag.
 */
size_t sp_dw_begin(sp_dw *w);
void sp_dw_end(sp_dw *w, size_t mark, unsigned tag);

/* ---- dates ------------------------------------------------------------- */

/** Calendar fields of a UTC time (proleptic Gregorian). */
typedef struct sp_civil {
    int64_t year;
    int month, day, hour, min, sec;
} sp_civil;

void sp_time_to_civil(int64_t t, sp_civil *c);
/** Inverse of sp_time_to_civil; fields must be in range. */
int64_t sp_time_from_civil(const sp_civil *c);
/** "2026-01-02" into buf (at least 24 bytes). */
void sp_time_format_date(int64_t t, char *buf, size_t cap);
/** "2026-01-02 03:04:05 UTC" into buf (at least 32 bytes). */
void sp_time_format(int64_t t, char *buf, size_t cap);

#endif /* SP_CRYPTO_DER_H */
