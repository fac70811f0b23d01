/*
 * tests/session/sess_util.c -- see sess_util.h.
 */
#include "sess_util.h"

#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static void collect(su_result *r, const sp_event *ev)
{
    int i = r->n;

    if (ev->kind == SP_EV_FILE) {
        r->file_bytes += ev->file.len;
        if (!ev->file.frame_end)
            return;
    }
    CHECK(i < SU_MAX_EVENTS);
    r->kinds[i] = ev->kind;
    r->streams[i] = ev->stream;
    r->msgs[i] = ev->kind == SP_EV_MESSAGE ? ev->msg : NULL;
    r->codes[i] = ev->code;
    r->texts[i][0] = 0;
    if (ev->text != NULL) {
        size_t n = ev->text_len < 63 ? ev->text_len : 63;
        memcpy(r->texts[i], ev->text, n);
        r->texts[i][n] = 0;
    }
    r->n++;
}

void su_decode(const sp_limits *lim, int flags, const uint8_t *wire, size_t len,
               size_t chunk, su_result *r)
{
    sp_decoder d;
    size_t off = 0;

    memset(r, 0, sizeof *r);
    CHECK_OK(sp_decoder_init(&d, lim, flags));
    if (chunk == 0)
        chunk = len > 0 ? len : 1;
    while (off < len && r->rc == 0) {
        size_t n = len - off < chunk ? len - off : chunk;
        size_t pos = 0;
        /* Bounded: every call consumes at least one byte or yields. */
        while (pos < n) {
            sp_event ev;
            size_t used = 0;
            int rc = sp_decoder_feed(&d, wire + off + pos, n - pos, &used, &ev);
            if (rc < 0) {
                r->rc = rc;
                r->reason = sp_decoder_reason(&d);
                break;
            }
            CHECK(used <= n - pos);
            pos += used;
            if (rc == 1)
                collect(r, &ev);
            else
                CHECK(pos == n);
        }
        off += n;
    }
    r->idle = sp_decoder_idle(&d);
    sp_decoder_fini(&d);
}

void su_result_free(su_result *r)
{
    int i;
    for (i = 0; i < r->n; i++)
        secip_message_free(r->msgs[i]);
    r->n = 0;
}

size_t su_frame(uint8_t *out, uint8_t type, uint8_t flags, uint16_t stream,
                uint32_t length, const void *payload, size_t plen)
{
    sp_frame_header h;
    h.type = type;
    h.flags = flags;
    h.stream = stream;
    h.length = length;
    sp_frame_header_write(out, &h);
    if (plen > 0)
        memcpy(out + SP_FRAME_HEADER_LEN, payload, plen);
    return SP_FRAME_HEADER_LEN + plen;
}

uint8_t *su_encode(uint8_t type, const void *data, size_t len,
                   uint32_t frame_size, uint16_t stream, size_t *wire_len)
{
    sp_out_msg m;
    uint64_t size = sp_wire_size(len, frame_size);
    uint8_t *out = malloc((size_t)size + 1);
    size_t w;

    CHECK(out != NULL);
    CHECK_OK(sp_out_msg_init(&m, type, data, len, frame_size, stream));
    w = sp_out_msg_write(&m, out, (size_t)size + 1, 0);
    CHECK(w == size);
    CHECK(sp_out_msg_done(&m));
    *wire_len = w;
    return out;
}

size_t su_hello(uint8_t *out)
{
    sp_hello h;
    h.max_frame = SP_DEFAULT_MAX_FRAME;
    h.max_streams = SP_DEFAULT_MAX_STREAMS;
    h.features = 0;
    h.max_message = SP_DEFAULT_MAX_MESSAGE;
    return (size_t)sp_encode_hello(out, SP_CONTROL_FRAME_MAX, &h);
}

sp_limits su_limits(void)
{
    sp_limits l;
    sp_limits_default(&l);
    return l;
}
