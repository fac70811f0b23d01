/*
 * bench/platform/echo_common.c -- see echo_common.h.
 */
#include "echo_common.h"

#include <string.h>

static uint8_t pattern[ECHO_PATTERN_LEN];

void echo_pattern_init(void)
{
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    size_t i;

    for (i = 0; i < sizeof(pattern); i++) { /* xorshift64 */
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        pattern[i] = (uint8_t)(x >> 24);
    }
}

const uint8_t *echo_pattern(void)
{
    return pattern;
}

size_t echo_chunk(uint64_t pos, uint64_t total, size_t max, const uint8_t **p)
{
    size_t off = (size_t)(pos % ECHO_PATTERN_LEN);
    size_t len = ECHO_PATTERN_LEN - off;

    if (pos >= total)
        return 0;
    if (len > max)
        len = max;
    if ((uint64_t)len > total - pos)
        len = (size_t)(total - pos);
    *p = pattern + off;
    return len;
}

void echo_sum_init(echo_sum *s)
{
    memset(s, 0, sizeof(*s));
}

static void add_word(echo_sum *s, uint64_t w)
{
    s->a += w;
    s->b += s->a;
}

void echo_sum_add(echo_sum *s, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    uint64_t a = s->a, b = s->b, w;

    s->count += len;
    /* Complete a word left over from the previous call first. */
    if (s->plen != 0) {
        size_t take = 8u - s->plen;
        if (take > len)
            take = len;
        memcpy(s->part + s->plen, p, take);
        s->plen += (unsigned)take;
        p += take;
        len -= take;
        if (s->plen < 8) {
            return; /* still partial; a and b unchanged */
        }
        memcpy(&w, s->part, 8);
        a += w;
        b += a;
        s->plen = 0;
    }
    for (; len >= 8; p += 8, len -= 8) {
        memcpy(&w, p, 8);
        a += w;
        b += a;
    }
    s->a = a;
    s->b = b;
    memcpy(s->part, p, len); /* len < 8 and plen == 0 here */
    s->plen = (unsigned)len;
}

uint64_t echo_sum_final(const echo_sum *s)
{
    echo_sum t = *s;
    uint64_t w = 0;

    if (t.plen != 0) {
        memcpy(&w, t.part, t.plen);
        add_word(&t, w);
    }
    add_word(&t, t.count);
    return t.b ^ (t.a * 0x9e3779b97f4a7c15ULL);
}

uint64_t echo_expected(uint64_t total)
{
    echo_sum s;
    uint64_t pos = 0;
    const uint8_t *p;
    size_t n;

    echo_sum_init(&s);
    while ((n = echo_chunk(pos, total, ECHO_PATTERN_LEN, &p)) != 0) {
        echo_sum_add(&s, p, n);
        pos += n;
    }
    return echo_sum_final(&s);
}
