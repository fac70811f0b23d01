/*
 * tests/fuzz/fuzz_pem.c -- libFuzzer target: PEM decoding.
 *
 * Invariants for text sp_pem_decode accepts:
 *  - between 1 and SP_PEM_MAX_OBJECTS objects, each at most
 *    SP_PEM_MAX_OBJECT bytes, banners NUL-terminated within their field;
 *  - re-encoding every object with sp_pem_append and decoding the result
 *    gives the same banners and bytes (a round trip).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/pem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sp_pem_obj *objs = NULL, *again = NULL;
    size_t n = 0, n2 = 0, i, tlen = 0;
    char *text = NULL;

    if (sp_pem_decode((const char *)data, size, &objs, &n) != 0)
        return 0;
    if (n < 1 || n > SP_PEM_MAX_OBJECTS)
        __builtin_trap();
    for (i = 0; i < n; i++) {
        if (objs[i].len > SP_PEM_MAX_OBJECT ||
            memchr(objs[i].name, 0, sizeof objs[i].name) == NULL)
            __builtin_trap();
        if (sp_pem_append(&text, &tlen, objs[i].name, objs[i].der,
                          objs[i].len) != 0)
            goto out; /* out of memory or too big: not a finding */
    }
    if (sp_pem_decode(text, tlen, &again, &n2) != 0 || n2 != n)
        __builtin_trap();
    for (i = 0; i < n; i++) {
        if (strcmp(objs[i].name, again[i].name) != 0 ||
            objs[i].len != again[i].len ||
            (objs[i].len > 0 &&
             memcmp(objs[i].der, again[i].der, objs[i].len) != 0))
            __builtin_trap();
    }
out:
    free(text);
    sp_pem_free(again, n2);
    sp_pem_free(objs, n);
    return 0;
}
