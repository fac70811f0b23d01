/*
 * sdk/src/session/json_intake.h -- internal: JSON in and out of messages.
 *
 * Parsing uses json-c's tokener, which keeps its nesting stack in an array
 * of `depth` entries instead of recursing, so hostile nesting costs a clean
 * error rather than the C stack.  Nothing here can run code on load: JSON
 * is data only.  Thread-safety: no shared state; safe from any thread.
 */
#ifndef SP_JSON_INTAKE_H
#define SP_JSON_INTAKE_H

#include <stddef.h>
#include <stdint.h>

struct json_object;

/**
 * Parse buf[0..len) as exactly one JSON value of the wanted kind
 * (SP_T_OBJECT: an object, SP_T_LIST: an array), nested at most `depth`
 * levels, followed by nothing but JSON whitespace.  Extensions json-c
 * alone would accept (NaN, Infinity, single quotes, comments, "1.", raw
 * control characters in strings) are rejected by a lexical pass first.
 * The input must already be valid UTF-8 (the decoder checks that as bytes
 * arrive).
 *
 * Ownership: on success *out holds a new reference the caller must put.
 * Errors: SECIP_EFORMAT (syntax, truncation, depth, wrong kind, trailing
 * bytes; the detail says which and at what offset), SECIP_ENOMEM.
 */
int sp_json_parse(const uint8_t *buf, size_t len, uint8_t want, unsigned depth,
                  struct json_object **out);

/**
 * Serialize obj for sending as `want` (SP_T_OBJECT or SP_T_LIST): checks
 * the kind, then produces compact JSON text.
 *
 * Ownership: *text points into obj (json-c keeps the serialization with
 * the object) and stays valid until obj is modified or released.
 * Errors: SECIP_EINVAL (NULL, wrong kind), SECIP_ENOMEM.
 */
int sp_json_serialize(struct json_object *obj, uint8_t want, const char **text,
                      size_t *len);

/**
 * The string member `key` of object o, or NULL when o has no such member,
 * it is not a string, or it is longer than max_len bytes (0: no limit).
 * Ownership: the string belongs to o.
 */
const char *sp_json_str(struct json_object *o, const char *key, size_t max_len);

#endif /* SP_JSON_INTAKE_H */
