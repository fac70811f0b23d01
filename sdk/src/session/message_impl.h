/*
 * sdk/src/session/message_impl.h -- internal: the layout of secip_message
 * and the constructors the decoder (and later the file code) uses.
 */
#ifndef SP_MESSAGE_IMPL_H
#define SP_MESSAGE_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "secip/message.h"

struct secip_message {
    int type;      /* SECIP_BYTES ... SECIP_LIST */
    uint8_t *data; /* len content bytes, then a NUL; never NULL */
    size_t len;
    size_t cap;               /* content capacity (the NUL slot is extra) */
    struct json_object *json; /* OBJECT / LIST only; owned */
    /* FILE only (issue 5, sdk/src/files/file_message.c): */
    char *file_name;    /* safe base name; owned */
    char *file_path;    /* content on disk, or NULL when it is in data */
    uint64_t file_size; /* content size, on disk or in data */
};

/**
 * A new, empty message of the given public type with room for cap content
 * bytes (plus the NUL).  Returns NULL with SECIP_ENOMEM recorded.
 */
secip_message *sp_message_new(int type, size_t cap);

/**
 * Make room for `need` content bytes, growing geometrically but never past
 * `limit` (the announced total of the message), so a peer can make us
 * reserve at most about twice what it has actually sent plus one frame.
 * Errors: SECIP_ETOOBIG if need > limit, SECIP_ENOMEM.
 */
int sp_message_reserve(secip_message *m, size_t need, size_t limit);

/** Append len bytes (room must have been reserved). */
void sp_message_append(secip_message *m, const uint8_t *p, size_t len);

/** Public type of a data frame type (SP_T_BYTES -> SECIP_BYTES ...). */
int sp_message_type_of_frame(uint8_t frame_type);

/** Frame type of a public type, or 0 if it has none (FILE). */
uint8_t sp_message_frame_type(int type);

#endif /* SP_MESSAGE_IMPL_H */
