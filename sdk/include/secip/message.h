/*
 * secip/message.h -- a received message: its type and its content.
 *
 * A secip_message is what secip_session_receive() hands to the application:
 * one complete message of one of the types below, already validated by the
 * library (TEXT is valid UTF-8; OBJECT parsed to a JSON object and LIST to a
 * JSON array, within the session's nesting-depth limit).  The application
 * owns every message it receives and releases it with secip_message_free().
 *
 * JSON content is exposed as json-c objects.  This header only
 * forward-declares `struct json_object`, so programs that never touch JSON
 * do not need json-c's headers; programs that do include <json-c/json.h>
 * themselves.
 *
 * Thread-safety: a message is a plain value.  Once received, it belongs to
 * the caller and is not referenced by the session any more; it may be read
 * from several threads at once, handed to another thread, and freed from any
 * thread.  Reading functions never modify the message; calling
 * secip_message_free() while another thread still reads it is the caller's
 * bug.
 */
#ifndef SECIP_MESSAGE_H
#define SECIP_MESSAGE_H

#include <stddef.h>

#include "secip/error.h"
#include "secip/export.h"

#ifdef __cplusplus
extern "C" {
#endif

struct json_object;

/** An opaque received message. */
typedef struct secip_message secip_message;

/**
 * Message types.  The numeric values are part of the API (stable), but they
 * are not the wire type codes of docs/PROTOCOL.md.
 */
typedef enum secip_message_type_t {
    /** Opaque bytes. */
    SECIP_BYTES = 1,
    /** UTF-8 text (validated strictly: no overlongs, no surrogates). */
    SECIP_TEXT = 2,
    /** A file (see secip_message_file_name(); delivered by issue-5 code). */
    SECIP_FILE = 3,
    /** A JSON object ({...}). */
    SECIP_OBJECT = 4,
    /** A JSON array ([...]). */
    SECIP_LIST = 5
} secip_message_type_t;

/**
 * The type of a message.
 *
 * Ownership: m is borrowed.
 * Thread-safety: see the file comment.
 * Errors: returns SECIP_EINVAL when m is NULL.
 */
SECIP_API int secip_message_type(const secip_message *m);

/**
 * Static name of a message type: "BYTES", "TEXT", "FILE", "OBJECT", "LIST",
 * or "?" for any other value.
 */
SECIP_API const char *secip_message_type_name(int type);

/**
 * The raw content of a message, whatever its type: the bytes of BYTES, the
 * UTF-8 bytes of TEXT, the JSON text of OBJECT and LIST exactly as received,
 * the content of an in-memory FILE.
 *
 * Ownership: the returned pointer is owned by the message and stays valid
 * until secip_message_free(m).  The content is always followed by one NUL
 * byte that is not counted in *len, so text can be used as a C string.
 * Thread-safety: see the file comment.
 * Errors: returns NULL and sets *len to 0 when m is NULL (len may be NULL
 * when the caller does not need the length).  An empty message returns a
 * valid pointer to "" and *len == 0.
 */
SECIP_API const void *secip_message_data(const secip_message *m, size_t *len);

/**
 * The content of a TEXT message as a NUL-terminated UTF-8 string.
 *
 * TEXT may legally contain U+0000; a C string stops at the first one.  Use
 * secip_message_data() to read such text whole.
 *
 * Ownership: owned by the message, valid until secip_message_free(m).
 * Thread-safety: see the file comment.
 * Errors: returns NULL when m is NULL or is not a TEXT message.
 */
SECIP_API const char *secip_message_text(const secip_message *m);

/**
 * The parsed JSON value of an OBJECT message (a json_type_object) or a LIST
 * message (a json_type_array).
 *
 * Ownership: borrowed; the message holds the only reference and releases it
 * in secip_message_free().  To keep the value longer, take a reference with
 * json_object_get() and release it with json_object_put().  Do not modify
 * the value while other threads read the message (json-c objects are not
 * thread-safe for writing).
 * Thread-safety: see the file comment.
 * Errors: returns NULL when m is NULL or is neither OBJECT nor LIST.
 */
SECIP_API struct json_object *secip_message_json(const secip_message *m);

/**
 * Release a message and everything it owns (content, JSON value).
 *
 * Ownership: m must not be used afterwards; pointers obtained from the
 * accessors become invalid.  NULL is accepted and ignored.
 * Thread-safety: any thread, once no other thread uses m.
 * Errors: none.
 */
SECIP_API void secip_message_free(secip_message *m);

#ifdef __cplusplus
}
#endif

#endif /* SECIP_MESSAGE_H */
