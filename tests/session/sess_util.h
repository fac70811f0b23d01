/*
 * tests/session/sess_util.h -- helpers shared by the framing tests: build
 * frames by hand, encode messages, run the decoder over a byte stream fed
 * in chunks of a given size.
 */
#ifndef SECIP_SESS_UTIL_H
#define SECIP_SESS_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "session/decoder.h"
#include "session/encoder.h"

#define SU_MAX_EVENTS 64

typedef struct su_result {
    int rc;          /* 0, or the decoder's error */
    unsigned reason; /* CLOSE reason after an error */
    int n;           /* events collected */
    int kinds[SU_MAX_EVENTS];
    uint16_t streams[SU_MAX_EVENTS];
    secip_message *msgs[SU_MAX_EVENTS]; /* for SP_EV_MESSAGE */
    unsigned codes[SU_MAX_EVENTS];      /* CLOSE / ERROR code */
    char texts[SU_MAX_EVENTS][64];      /* CLOSE / ERROR text (cut) */
    uint64_t file_bytes;                /* sum of FILE piece lengths */
    int idle; /* the decoder ended between frames, nothing partial */
} su_result;

/** Decode wire[0..len) fed `chunk` bytes at a time (0: all at once). */
void su_decode(const sp_limits *lim, int flags, const uint8_t *wire, size_t len,
               size_t chunk, su_result *r);

/** Free the messages held by r. */
void su_result_free(su_result *r);

/** Write a raw frame: header with `length`, then plen payload bytes (plen
 *  may differ from length to build lying frames).  Returns bytes written. */
size_t su_frame(uint8_t *out, uint8_t type, uint8_t flags, uint16_t stream,
                uint32_t length, const void *payload, size_t plen);

/** Encode one message with sp_out_msg into a malloc'ed buffer. */
uint8_t *su_encode(uint8_t type, const void *data, size_t len,
                   uint32_t frame_size, uint16_t stream, size_t *wire_len);

/** The HELLO frame of the default limits (24 bytes). */
size_t su_hello(uint8_t *out);

/** Limits with defaults; max_frame etc. may then be changed. */
sp_limits su_limits(void);

#endif
