/*
 * tests/fuzz/fuzz_frame.c -- libFuzzer entry point for the secip/1
 * decoder (a stream of frames, with limits).  Built with SECIP_BUILD_FUZZ=ON
 * and clang (tests/fuzz/CMakeLists.txt); run by scripts/fuzz.sh.
 *
 * The first input byte picks the feeding pattern and options, so one
 * corpus exercises whole-buffer, byte-by-byte and odd-chunk feeding, with
 * and without HELLO required and FILE frames accepted.  The decoder must
 * never crash, leak or read out of bounds; every message it yields must
 * satisfy the type's invariants.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "session/decoder.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_message(secip_message *m)
{
    size_t len;
    const uint8_t *p = secip_message_data(m, &len);
    int t = secip_message_type(m);

    /* Invariants; a violation is a bug the fuzzer must see as a crash. */
    if (p == NULL || p[len] != 0)
        __builtin_trap();
    if (t == SECIP_TEXT && !sp_utf8_valid(p, len))
        __builtin_trap();
    if ((t == SECIP_OBJECT || t == SECIP_LIST) && secip_message_json(m) == NULL)
        __builtin_trap();
    secip_message_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sp_limits lim;
    sp_decoder d;
    size_t chunk, off = 0;

    if (size < 1)
        return 0;
    sp_limits_default(&lim);
    lim.max_frame = SP_FRAME_MIN_MAX;
    lim.max_message = 1u << 20;
    lim.max_streams = 1 + (data[0] & 3);
    lim.accept_files = (data[0] >> 2) & 1;
    chunk = (data[0] >> 4) == 0 ? size : (size_t)(data[0] >> 4);
    if (sp_decoder_init(&d, &lim, (data[0] >> 3) & 1) < 0)
        return 0;
    data++;
    size--;
    while (off < size) {
        size_t n = size - off < chunk ? size - off : chunk, pos = 0;
        while (pos < n) {
            sp_event ev;
            size_t used;
            int rc = sp_decoder_feed(&d, data + off + pos, n - pos, &used, &ev);
            if (rc < 0)
                goto out;
            pos += used;
            if (rc == 1 && ev.kind == SP_EV_MESSAGE)
                check_message(ev.msg);
        }
        off += n;
    }
out:
    sp_decoder_fini(&d);
    return 0;
}
