/*
 * sdk/src/crypto/util.c -- see util.h.
 */
#include "crypto/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <bearssl.h>

#include "secip/error.h"

void sp_wipe(void *p, size_t len)
{
    /* Writing through a volatile pointer is the portable way to keep the
     * stores (memset_s / SecureZeroMemory / explicit_bzero differ per OS). */
    volatile unsigned char *v = (volatile unsigned char *)p;
    while (len-- > 0)
        *v++ = 0;
}

int sp_ct_equal(const void *a, const void *b, size_t len)
{
    const unsigned char *x = a, *y = b;
    unsigned diff = 0;
    for (size_t i = 0; i < len; i++)
        diff |= (unsigned)(x[i] ^ y[i]);
    return diff == 0;
}

void sp_hex_encode(const void *in, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    const unsigned char *p = in;
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * len] = '\0';
}

void sp_sha256(const void *data, size_t len, unsigned char out[32])
{
    br_sha256_context c;
    br_sha256_init(&c);
    br_sha256_update(&c, data, len);
    br_sha256_out(&c, out);
}

void sp_sha1(const void *data, size_t len, unsigned char out[20])
{
    br_sha1_context c;
    br_sha1_init(&c);
    br_sha1_update(&c, data, len);
    br_sha1_out(&c, out);
}

void sp_hmac_sha256(const void *key, size_t key_len, const void *data,
                    size_t len, unsigned char out[32])
{
    br_hmac_key_context kc;
    br_hmac_context hc;
    br_hmac_key_init(&kc, &br_sha256_vtable, key, key_len);
    br_hmac_init(&hc, &kc, 0);
    br_hmac_update(&hc, data, len);
    br_hmac_out(&hc, out);
    sp_wipe(&kc, sizeof kc);
    sp_wipe(&hc, sizeof hc);
}

/* ---- base64 ------------------------------------------------------------ */

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int sp_b64_encode(const void *in, size_t len, char *out, size_t cap)
{
    const unsigned char *p = in;
    size_t need = (len / 3) * 4 + (len % 3 ? len % 3 + 1 : 0) + 1;
    if (cap < need)
        return SECIP_ETOOBIG;
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        size_t n = len - i < 3 ? len - i : 3;
        if (n > 1)
            v |= (uint32_t)p[i + 1] << 8;
        if (n > 2)
            v |= p[i + 2];
        out[o++] = b64_alphabet[(v >> 18) & 63];
        out[o++] = b64_alphabet[(v >> 12) & 63];
        if (n > 1)
            out[o++] = b64_alphabet[(v >> 6) & 63];
        if (n > 2)
            out[o++] = b64_alphabet[v & 63];
    }
    out[o] = '\0';
    return (int)o;
}

static int b64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

int sp_b64_decode(const char *text, size_t tlen, unsigned char *out, size_t cap)
{
    while (tlen > 0 && text[tlen - 1] == '=')
        tlen--;
    if (tlen % 4 == 1)
        return SECIP_EFORMAT;
    size_t need = tlen / 4 * 3 + (tlen % 4 ? tlen % 4 - 1 : 0);
    if (need > cap)
        return SECIP_ETOOBIG;
    uint32_t acc = 0;
    unsigned bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < tlen; i++) {
        int v = b64_value(text[i]);
        if (v < 0)
            return SECIP_EFORMAT;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    /* Leftover bits must be zero, or two texts would decode alike. */
    if ((acc & ((1u << bits) - 1)) != 0)
        return SECIP_EFORMAT;
    return (int)o;
}

/* ---- IP addresses ------------------------------------------------------ */

static int parse_ipv4(const char *s, size_t len, unsigned char out[4])
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        if (part > 0) {
            if (i >= len || s[i] != '.')
                return -1;
            i++;
        }
        unsigned v = 0, digits = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9' && digits < 4) {
            v = v * 10 + (unsigned)(s[i] - '0');
            i++;
            digits++;
        }
        /* No leading zeros: "010" is octal to some parsers. */
        if (digits == 0 || digits > 3 || v > 255 ||
            (digits > 1 && s[i - digits] == '0'))
            return -1;
        out[part] = (unsigned char)v;
    }
    return i == len ? 0 : -1;
}

int sp_hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int parse_ipv6(const char *s, size_t len, unsigned char out[16])
{
    unsigned char w[16];
    int n = 0, gap = -1; /* bytes written, position of "::" */
    size_t i = 0;
    if (len >= 2 && s[0] == ':' && s[1] == ':') {
        gap = 0;
        i = 2;
    } else if (len >= 1 && s[0] == ':') {
        return -1;
    }
    while (i < len) {
        size_t start = i;
        unsigned v = 0;
        int digits = 0;
        while (i < len && sp_hex_value(s[i]) >= 0 && digits < 5) {
            v = (v << 4) | (unsigned)sp_hex_value(s[i]);
            i++;
            digits++;
        }
        if (i < len && s[i] == '.') { /* dotted IPv4 tail */
            if (n > 12 || parse_ipv4(s + start, len - start, w + n) < 0)
                return -1;
            n += 4;
            i = len;
            break;
        }
        if (digits == 0 || digits > 4 || n > 14)
            return -1;
        w[n++] = (unsigned char)(v >> 8);
        w[n++] = (unsigned char)v;
        if (i == len)
            break;
        if (s[i] != ':')
            return -1;
        i++;
        if (i < len && s[i] == ':') {
            if (gap >= 0)
                return -1;
            gap = n;
            i++;
        } else if (i == len) {
            return -1; /* trailing single ':' */
        }
    }
    if (gap < 0) {
        if (n != 16)
            return -1;
        memcpy(out, w, 16);
        return 0;
    }
    if (n > 14)
        return -1;
    memset(out, 0, 16);
    memcpy(out, w, (size_t)gap);
    memcpy(out + 16 - (n - gap), w + gap, (size_t)(n - gap));
    return 0;
}

int sp_ip_parse(const char *text, unsigned char out[16])
{
    if (text == NULL)
        return SECIP_EINVAL;
    size_t len = strlen(text);
    if (len == 0 || len > 45)
        return SECIP_EINVAL;
    if (memchr(text, ':', len) == NULL)
        return parse_ipv4(text, len, out) == 0 ? 4 : SECIP_EINVAL;
    return parse_ipv6(text, len, out) == 0 ? 16 : SECIP_EINVAL;
}

void sp_ip_format(const unsigned char *addr, size_t len, char buf[46])
{
    static const char digits[] = "0123456789abcdef";
    if (len == 4) {
        size_t o = 0;
        for (int i = 0; i < 4; i++) {
            unsigned v = addr[i];
            if (i > 0)
                buf[o++] = '.';
            if (v >= 100)
                buf[o++] = (char)('0' + v / 100);
            if (v >= 10)
                buf[o++] = (char)('0' + v / 10 % 10);
            buf[o++] = (char)('0' + v % 10);
        }
        buf[o] = '\0';
        return;
    }
    if (len != 16) {
        buf[0] = '\0';
        return;
    }
    /* RFC 5952: compress the longest run (>= 2) of zero groups, the first
     * one on ties; lowercase, no leading zeros. */
    unsigned g[8];
    for (int i = 0; i < 8; i++)
        g[i] = (unsigned)addr[2 * i] << 8 | addr[2 * i + 1];
    int best = -1, best_len = 1;
    for (int i = 0; i < 8;) {
        int j = i;
        while (j < 8 && g[j] == 0)
            j++;
        if (j - i > best_len) {
            best = i;
            best_len = j - i;
        }
        i = j > i ? j : i + 1;
    }
    size_t o = 0;
    for (int i = 0; i < 8; i++) {
        if (i == best) {
            buf[o++] = ':';
            if (i == 0)
                buf[o++] = ':';
            i += best_len - 1;
            continue;
        }
        int started = 0;
        for (int shift = 12; shift >= 0; shift -= 4) {
            unsigned d = (g[i] >> shift) & 15;
            if (d != 0 || started || shift == 0) {
                buf[o++] = digits[d];
                started = 1;
            }
        }
        if (i < 7)
            buf[o++] = ':';
    }
    buf[o] = '\0';
}

int sp_error_wrap(int code, const char *fmt, ...)
{
    /* Copy first: the current detail lives in the buffer we overwrite. */
    char prev[512], ctx[256];
    snprintf(prev, sizeof prev, "%s", secip_last_error());
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx, sizeof ctx, fmt, ap);
    va_end(ap);
    if (prev[0] == '\0')
        return sp_error_set(code, "%s: %s", ctx, secip_strerror(code));
    return sp_error_set(code, "%s: %s", ctx, prev);
}
