/*
 * tests/fuzz/fuzz_message.c -- libFuzzer target: decoding of each message
 * type (BYTES, TEXT, OBJECT, LIST) through the real encoder and decoder.
 *
 * Input: byte 0 picks the type (bits 0-1), the frame size (bits 2-4: a
 * fragmented message when small) and the JSON depth limit (bits 5-7);
 * the rest is the payload.  The payload is encoded with sp_out_msg, fed
 * back to sp_decoder, and the invariants are:
 *  - BYTES always decodes, to exactly the payload;
 *  - TEXT decodes iff the payload is valid UTF-8, to exactly the payload;
 *  - OBJECT/LIST decode iff the payload is UTF-8 and sp_json_parse accepts
 *    it with the same depth; the message keeps the payload bytes and its
 *    JSON value has the announced kind;
 *  - a decoded message, re-encoded, gives the same wire bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "session/decoder.h"
#include "session/encoder.h"
#include "session/json_intake.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PAYLOAD (64u * 1024u)

static const uint8_t types[4] = {SP_T_BYTES, SP_T_TEXT, SP_T_OBJECT, SP_T_LIST};
/* The API's type numbers for the wire types above (they differ). */
static const int api_types[4] = {SECIP_BYTES, SECIP_TEXT, SECIP_OBJECT,
                                 SECIP_LIST};

/* Encode payload as one message; returns a malloc'ed wire image. */
static uint8_t *encode(uint8_t type, const uint8_t *p, size_t len,
                       uint32_t frame, size_t *wire_len)
{
    sp_out_msg m;
    uint64_t need = sp_wire_size(len, frame);
    uint8_t *w = malloc((size_t)need + 1);
    size_t have = 0;

    if (w == NULL)
        return NULL;
    if (sp_out_msg_init(&m, type, p, len, frame, 7) < 0)
        __builtin_trap(); /* every input here is a valid request */
    while (!sp_out_msg_done(&m)) {
        size_t n = sp_out_msg_write(&m, w + have, (size_t)need - have, 0);
        if (n == 0)
            __builtin_trap(); /* sp_wire_size was too small */
        have += n;
    }
    if (have != need)
        __builtin_trap();
    *wire_len = have;
    return w;
}

/* Feed wire to a fresh decoder; returns the message or NULL on rejection. */
static secip_message *decode(const uint8_t *wire, size_t len, unsigned depth)
{
    sp_limits lim;
    sp_decoder d;
    secip_message *got = NULL;
    size_t off = 0;

    sp_limits_default(&lim);
    lim.max_frame = SP_FRAME_MIN_MAX;
    lim.json_depth = depth;
    if (sp_decoder_init(&d, &lim, 0) < 0)
        __builtin_trap();
    while (off < len) {
        sp_event ev;
        size_t used = 0;
        int rc = sp_decoder_feed(&d, wire + off, len - off, &used, &ev);
        if (rc < 0)
            break;
        off += used;
        if (rc == 1) {
            if (ev.kind != SP_EV_MESSAGE || got != NULL)
                __builtin_trap(); /* one message in, one message out */
            got = ev.msg;
        }
    }
    if (got != NULL && (off != len || !sp_decoder_idle(&d)))
        __builtin_trap();
    sp_decoder_fini(&d);
    return got;
}

static int json_ok(const uint8_t *p, size_t len, uint8_t type, unsigned depth)
{
    struct json_object *o = NULL;
    int rc;

    if (!sp_utf8_valid(p, len))
        return 0;
    rc = sp_json_parse(p, len, type, depth, &o);
    if (rc == 0)
        json_object_put(o);
    return rc == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint32_t frames[8] = {16,  17,   31,   64,
                                       100, 1000, 4096, SP_FRAME_MIN_MAX};
    uint8_t type;
    int api_type;
    uint32_t frame;
    unsigned depth;
    size_t wire_len, wire2_len, got_len;
    uint8_t *wire, *wire2;
    const uint8_t *got_p;
    secip_message *m;
    int expect;

    if (size < 1 || size - 1 > MAX_PAYLOAD)
        return 0;
    type = types[data[0] & 3];
    api_type = api_types[data[0] & 3];
    frame = frames[(data[0] >> 2) & 7];
    depth = 1u + ((data[0] >> 5) & 7) * 3u;
    data++;
    size--;

    wire = encode(type, data, size, frame, &wire_len);
    if (wire == NULL)
        return 0;
    m = decode(wire, wire_len, depth);

    if (type == SP_T_BYTES)
        expect = 1;
    else if (type == SP_T_TEXT)
        expect = sp_utf8_valid(data, size);
    else
        expect = json_ok(data, size, type, depth);
    if ((m != NULL) != expect)
        __builtin_trap();
    if (m != NULL) {
        got_p = secip_message_data(m, &got_len);
        if (got_len != size || got_p[got_len] != 0 ||
            (size > 0 && memcmp(got_p, data, size) != 0))
            __builtin_trap();
        if (secip_message_type(m) != api_type)
            __builtin_trap();
        if (type == SP_T_OBJECT &&
            !json_object_is_type(secip_message_json(m), json_type_object))
            __builtin_trap();
        if (type == SP_T_LIST &&
            !json_object_is_type(secip_message_json(m), json_type_array))
            __builtin_trap();
        wire2 = encode(type, got_p, got_len, frame, &wire2_len);
        if (wire2 != NULL) {
            if (wire2_len != wire_len || memcmp(wire, wire2, wire_len) != 0)
                __builtin_trap();
            free(wire2);
        }
        secip_message_free(m);
    }
    free(wire);
    return 0;
}
