/*
 * sdk/src/session/utf8.h -- internal: strict, incremental UTF-8 validation.
 *
 * Accepts exactly the well-formed sequences of Unicode's table 3-7: no
 * overlong forms, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF,
 * no stray continuation bytes, no truncated sequences.  U+0000 is valid.
 *
 * The validator is incremental so that a message arriving in fragments is
 * checked as its bytes arrive (a sequence may straddle two fragments) and
 * rejected at the first bad byte rather than after the whole message.
 * No allocation, no global state: safe from any thread.
 */
#ifndef SP_UTF8_H
#define SP_UTF8_H

#include <stddef.h>
#include <stdint.h>

typedef struct sp_utf8 {
    uint8_t need;   /* continuation bytes still expected */
    uint8_t lo, hi; /* allowed range of the next continuation byte */
    uint64_t pos;   /* bytes accepted so far (for error messages) */
} sp_utf8;

/** Start a new validation. */
void sp_utf8_init(sp_utf8 *u);

/**
 * Validate the next len bytes.  Returns 0, or -1 at the first invalid byte;
 * then *bad_at (if not NULL) receives its offset from the start of the whole
 * input (not of this piece).  After -1 the state is undefined.
 */
int sp_utf8_feed(sp_utf8 *u, const uint8_t *p, size_t len, uint64_t *bad_at);

/** 1 when the input so far ends on a character boundary, 0 otherwise. */
int sp_utf8_complete(const sp_utf8 *u);

/** Validate a whole buffer: 1 if it is well-formed UTF-8, 0 if not. */
int sp_utf8_valid(const uint8_t *p, size_t len);

/**
 * Largest n <= len such that p[0..n) does not end inside a multi-byte
 * sequence (p must be valid UTF-8).  Used to cut text on a boundary.
 */
size_t sp_utf8_cut(const uint8_t *p, size_t len);

#endif /* SP_UTF8_H */
