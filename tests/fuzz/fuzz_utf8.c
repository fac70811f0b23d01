/*
 * tests/fuzz/fuzz_utf8.c -- libFuzzer target: the UTF-8 validator.
 *
 * Input: byte 0 is a chunk size for streaming; the rest is the text.
 * Invariants:
 *  - whole-buffer validation and chunked streaming agree;
 *  - on rejection the reported offset is within the input;
 *  - for a valid text, sp_utf8_cut on any of its last 64 prefixes returns
 *    a valid prefix, never longer, at most 3 bytes shorter.
 */
#include <stddef.h>
#include <stdint.h>

#include "session/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sp_utf8 u;
    size_t chunk, off = 0, cut;
    int whole, stream = 1;

    if (size < 1)
        return 0;
    chunk = 1u + data[0] % 7u;
    data++;
    size--;
    whole = sp_utf8_valid(data, size);
    sp_utf8_init(&u);
    while (off < size) {
        size_t n = size - off < chunk ? size - off : chunk;
        uint64_t bad = 0;
        if (sp_utf8_feed(&u, data + off, n, &bad) < 0) {
            if (bad >= size)
                __builtin_trap();
            stream = 0;
            break;
        }
        off += n;
    }
    if (stream && !sp_utf8_complete(&u))
        stream = 0;
    if (whole != stream)
        __builtin_trap();
    if (!whole)
        return 0;
    /* Cut every prefix of a valid text: each cut is valid and short. */
    for (off = 0; off <= size && off < 64; off++) {
        size_t k = size - off;
        cut = sp_utf8_cut(data, k);
        if (cut > k || k - cut > 3 || !sp_utf8_valid(data, cut))
            __builtin_trap();
    }
    return 0;
}
