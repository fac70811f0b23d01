/*
 * sdk/src/crypto/sha256_ni.c -- SHA-256 block compression with the x86 SHA
 * extensions (SHA256RNDS2, SHA256MSG1, SHA256MSG2), and the CPUID check.
 *
 * Built with the instruction-set flags this file needs (cmake: only for
 * this file, only on x86-64 with GCC or Clang; MSVC needs none).  Nothing
 * here runs unless CPUID reports SHA, SSSE3 and SSE4.1, so the library
 * still runs on processors without them.  Elsewhere (other architectures,
 * other compilers) the file defines stubs that report "not available".
 *
 * Register layout, from the instruction definitions: SHA256RNDS2 keeps the
 * working variables as two vectors, "ABEF" (A in the highest 32-bit lane,
 * then B, E, F) and "CDGH", and does two rounds with the two lowest lanes of
 * its third operand as W[t] + K[t].  Each call returns the new ABEF; the
 * previous ABEF becomes the next CDGH, so two calls alternate the roles.
 */
#include "crypto/sha256.h"

#if defined(SP_HAVE_SHA_NI)

#if defined(_MSC_VER)
#include <intrin.h>
#else
#include <cpuid.h>
#endif
#include <immintrin.h>

/* FIPS 180-4 section 4.2.2. */
static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

int sp_sha256_ni_available(void)
{
    unsigned a = 0, b = 0, c = 0, d = 0;
#if defined(_MSC_VER)
    int r[4];
    __cpuid(r, 0);
    if (r[0] < 7)
        return 0;
    __cpuidex(r, 1, 0);
    c = (unsigned)r[2];
    __cpuidex(r, 7, 0);
    b = (unsigned)r[1];
#else
    if (__get_cpuid_max(0, NULL) < 7)
        return 0;
    __cpuid_count(1, 0, a, b, c, d);
    __cpuid_count(7, 0, a, b, a, d);
    (void)a;
    (void)d;
#endif
    /* leaf 1 ECX: SSSE3 bit 9, SSE4.1 bit 19; leaf 7 EBX: SHA bit 29 */
    return (c & (1u << 9)) && (c & (1u << 19)) && (b & (1u << 29));
}

void sp_sha256_ni_blocks(uint32_t h[8], const uint8_t *p, size_t blocks)
{
    /* Byte order: message words are big-endian. */
    const __m128i bswap =
        _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    __m128i st0, st1, tmp, save0, save1, m, w[4];
    int i;

    /* h[0..7] = A..H into ABEF and CDGH. */
    tmp = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[0]), 0xB1);
    st1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[4]), 0x1B);
    st0 = _mm_alignr_epi8(tmp, st1, 8);
    st1 = _mm_blend_epi16(st1, tmp, 0xF0);

    while (blocks-- > 0) {
        save0 = st0;
        save1 = st1;
        for (i = 0; i < 16; i++) {
            if (i < 4) {
                w[i] = _mm_shuffle_epi8(
                    _mm_loadu_si128((const __m128i *)(p + 16 * i)), bswap);
            } else {
                /* W[4i..4i+3] from the four previous groups (oldest in
                 * w[i & 3]): msg1 adds sigma0, then W[t-7], then msg2
                 * adds sigma1 of the two words before. */
                tmp = _mm_sha256msg1_epu32(w[i & 3], w[(i + 1) & 3]);
                tmp = _mm_add_epi32(
                    tmp, _mm_alignr_epi8(w[(i + 3) & 3], w[(i + 2) & 3], 4));
                w[i & 3] = _mm_sha256msg2_epu32(tmp, w[(i + 3) & 3]);
            }
            m = _mm_add_epi32(w[i & 3],
                              _mm_loadu_si128((const __m128i *)&K256[4 * i]));
            st1 = _mm_sha256rnds2_epu32(st1, st0, m);
            st0 = _mm_sha256rnds2_epu32(st0, st1, _mm_shuffle_epi32(m, 0x0E));
        }
        st0 = _mm_add_epi32(st0, save0);
        st1 = _mm_add_epi32(st1, save1);
        p += 64;
    }

    /* ABEF and CDGH back to A..H. */
    tmp = _mm_shuffle_epi32(st0, 0x1B);
    st1 = _mm_shuffle_epi32(st1, 0xB1);
    st0 = _mm_blend_epi16(tmp, st1, 0xF0);
    st1 = _mm_alignr_epi8(st1, tmp, 8);
    _mm_storeu_si128((__m128i *)&h[0], st0);
    _mm_storeu_si128((__m128i *)&h[4], st1);
}

#else /* !SP_HAVE_SHA_NI */

int sp_sha256_ni_available(void)
{
    return 0;
}

void sp_sha256_ni_blocks(uint32_t h[8], const uint8_t *p, size_t blocks)
{
    (void)h;
    (void)p;
    (void)blocks;
}

#endif
