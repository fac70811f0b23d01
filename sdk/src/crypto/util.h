/*
 * sdk/src/crypto/util.h -- internal: small helpers shared by the crypto
 * code: wiping, constant-time comparison, hex, base64, SHA-256/SHA-1
 * one-shots and IP address text conversion.
 */
#ifndef SP_CRYPTO_UTIL_H
#define SP_CRYPTO_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/** Overwrite len bytes with zeros in a way the compiler cannot drop. */
void sp_wipe(void *p, size_t len);

/** 1 if a and b (len bytes) are equal; time depends only on len. */
int sp_ct_equal(const void *a, const void *b, size_t len);

/** Value of one hex digit (either case), or -1 if c is not one. */
int sp_hex_value(char c);

/** Lowercase hex of in[0..len-1] into out (2*len + 1 bytes, NUL-ended). */
void sp_hex_encode(const void *in, size_t len, char *out);

/** SHA-256 of data into out[32]. */
void sp_sha256(const void *data, size_t len, unsigned char out[32]);

/** SHA-1 of data into out[20] (key identifiers only, never signatures). */
void sp_sha1(const void *data, size_t len, unsigned char out[20]);

/** HMAC-SHA256 of data under key into out[32]. */
void sp_hmac_sha256(const void *key, size_t key_len, const void *data,
                    size_t len, unsigned char out[32]);

/**
 * Standard base64 without padding of in[0..len-1] into out (NUL-ended).
 * Returns the text length, or SECIP_ETOOBIG when cap is too small.
 */
int sp_b64_encode(const void *in, size_t len, char *out, size_t cap);

/**
 * Decode standard base64 (padding optional, no whitespace) of text[0..tlen)
 * into out.  Returns the byte count, SECIP_EFORMAT on a bad character or
 * length, SECIP_ETOOBIG when cap is too small.  Records no detail.
 */
int sp_b64_decode(const char *text, size_t tlen, unsigned char *out,
                  size_t cap);

/**
 * Parse a textual IPv4 ("192.0.2.1") or IPv6 ("2001:db8::1", with "::"
 * and an optional dotted IPv4 tail) address into out[16]; returns 4 or 16
 * (bytes used) or SECIP_EINVAL.  Records no detail.
 */
int sp_ip_parse(const char *text, unsigned char out[16]);

/** Format a 4- or 16-byte address (RFC 5952 for IPv6) into buf[46]. */
void sp_ip_format(const unsigned char *addr, size_t len, char buf[46]);

/**
 * Record code with the detail "<fmt...>: <the current detail>", so that a
 * caller adds context (a file name) to what a lower layer reported.
 * Returns code.
 */
int sp_error_wrap(int code, const char *fmt, ...) SP_PRINTF(2, 3);

#endif /* SP_CRYPTO_UTIL_H */
