/*
 * tests/fuzz/fuzz_safename.c -- libFuzzer target: the received-file-name
 * sanitiser (sdk/src/files/safename.c).
 *
 * Invariants for every name sp_safename accepts (docs/PROTOCOL.md 7.8):
 *  - length 1..SP_SAFENAME_MAX, equal to strlen of the output;
 *  - valid UTF-8, no separator ('/' or '\'), no control character, none
 *    of < > : " | ? *;
 *  - not ".", "..", no leading '.', no trailing '.' or ' ';
 *  - sanitising is idempotent: the output sanitises to itself exactly;
 *  - every alternative name ("stem (n).ext") is also safe.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "files/safename.h"
#include "session/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_safe(const char *s, size_t n)
{
    size_t i;

    if (n < 1 || strlen(s) != n)
        __builtin_trap();
    if (!sp_utf8_valid((const uint8_t *)s, n))
        __builtin_trap();
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f || strchr("/\\<>:\"|?*", c) != NULL)
            __builtin_trap();
    }
    if (s[0] == '.' || s[n - 1] == '.' || s[n - 1] == ' ')
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char out[SP_SAFENAME_MAX + 1], again[SP_SAFENAME_MAX + 1];
    char alt[SP_SAFENAME_MAX + 32];
    int n, n2, a;
    unsigned k;

    n = sp_safename(data, size, out, sizeof out);
    if (n < 0)
        return 0;
    if ((unsigned)n > SP_SAFENAME_MAX)
        __builtin_trap();
    check_safe(out, (size_t)n);
    n2 = sp_safename(out, (size_t)n, again, sizeof again);
    if (n2 < 0)
        __builtin_trap();
    check_safe(again, (size_t)n2);
    if (n2 != n || memcmp(out, again, (size_t)n + 1) != 0)
        __builtin_trap();
    for (k = 0; k < 3; k++) {
        a = sp_safename_alt(out, k * 500u, alt, sizeof alt);
        if (a < 0)
            __builtin_trap(); /* SP_SAFENAME_MAX leaves room for " (n)" */
        check_safe(alt, (size_t)a);
    }
    return 0;
}
