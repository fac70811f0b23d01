/*
 * tests/fuzz/fuzz_json.c -- libFuzzer target: JSON intake (the strict
 * lexical pass and json-c behind it) with a depth limit.
 *
 * Input: byte 0 picks OBJECT or LIST (bit 0) and the depth limit
 * (bits 1-7, 1..128); the rest is the text (checked for UTF-8 first, as
 * the decoder does).  Invariants for accepted text:
 *  - the value has the wanted kind;
 *  - its compact serialization is accepted again with the same depth, and
 *    serializing that gives the same text (a fixed point);
 *  - accepted text is never deeper than the limit: the serialization
 *    parses with the limit, and text with more '[' / '{' openers outside
 *    strings than the limit never passes (checked by a small scanner).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "session/frame.h"
#include "session/json_intake.h"
#include "session/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Greatest nesting of [ and { outside strings. */
static unsigned max_depth(const uint8_t *p, size_t len)
{
    unsigned d = 0, best = 0;
    int in_str = 0;
    size_t i;

    for (i = 0; i < len; i++) {
        if (in_str) {
            if (p[i] == '\\')
                i++;
            else if (p[i] == '"')
                in_str = 0;
        } else if (p[i] == '"') {
            in_str = 1;
        } else if (p[i] == '[' || p[i] == '{') {
            if (++d > best)
                best = d;
        } else if ((p[i] == ']' || p[i] == '}') && d > 0) {
            d--;
        }
    }
    return best;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct json_object *o = NULL, *o2 = NULL;
    const char *t1, *t2;
    size_t l1, l2;
    uint8_t want;
    unsigned depth;

    if (size < 1 || size > 256 * 1024)
        return 0;
    want = (data[0] & 1) ? SP_T_LIST : SP_T_OBJECT;
    depth = 1u + (data[0] >> 1);
    data++;
    size--;
    if (!sp_utf8_valid(data, size))
        return 0;
    if (sp_json_parse(data, size, want, depth, &o) != 0)
        return 0;
    if (o == NULL)
        __builtin_trap();
    if (!json_object_is_type(o, want == SP_T_LIST ? json_type_array
                                                  : json_type_object))
        __builtin_trap();
    if (max_depth(data, size) > depth)
        __builtin_trap();
    if (sp_json_serialize(o, want, &t1, &l1) != 0)
        goto out;
    if (sp_json_parse((const uint8_t *)t1, l1, want, depth, &o2) != 0)
        __builtin_trap();
    if (sp_json_serialize(o2, want, &t2, &l2) != 0)
        __builtin_trap();
    if (l1 != l2 || memcmp(t1, t2, l1) != 0)
        __builtin_trap();
out:
    json_object_put(o2);
    json_object_put(o);
    return 0;
}
