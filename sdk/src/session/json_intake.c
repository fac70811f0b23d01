/*
 * sdk/src/session/json_intake.c -- JSON validation for OBJECT and LIST.
 */
#include "json_intake.h"

#include <limits.h>
#include <string.h>

#include <json-c/json.h>

#include "error.h"
#include "frame.h"

/* json-c takes an int length; larger inputs are fed in pieces. */
#define PIECE_MAX ((size_t)1 << 30)

static const char *kind_name(uint8_t want)
{
    return want == SP_T_OBJECT ? "OBJECT" : "LIST";
}

static int only_whitespace(const uint8_t *p, size_t len)
{
    size_t i;
    for (i = 0; i < len; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\n' && p[i] != '\r')
            return 0;
    return 1;
}

static int is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

static int is_alpha(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Length of a letter run at p[i..len) when it is a JSON literal or an
 * exponent marker, 0 otherwise. */
static size_t literal_len(const uint8_t *p, size_t i, size_t len)
{
    static const char *const words[] = {"true", "false", "null"};
    size_t n = 0, k;

    while (i + n < len && is_alpha(p[i + n]))
        n++;
    if (n == 1 && (p[i] == 'e' || p[i] == 'E') && i > 0 && is_digit(p[i - 1]))
        return 1;
    for (k = 0; k < 3; k++)
        if (strlen(words[k]) == n && memcmp(p + i, words[k], n) == 0)
            return n;
    return 0;
}

/*
 * json-c, even in strict mode, accepts a few things RFC 8259 does not
 * (NaN, Infinity, single-quoted names, "1.", raw control characters in
 * strings).  Peers in other languages would choke on values we accepted
 * and echoed, so a lexical pass rejects them first.  Returns the offset of
 * the first offending byte, or len when the text is clean.
 */
static size_t rfc8259_scan(const uint8_t *p, size_t len)
{
    size_t i = 0;

    while (i < len) {
        uint8_t c = p[i];
        if (c == '"') {
            for (i++; i < len && p[i] != '"'; i++) {
                if (p[i] < 0x20)
                    return i;
                if (p[i] == '\\')
                    i++; /* the escaped byte cannot end the string */
            }
            i++;
        } else if (is_alpha(c)) {
            size_t n = literal_len(p, i, len);
            if (n == 0)
                return i;
            i += n;
        } else if (c == '.') {
            if (i + 1 >= len || !is_digit(p[i + 1]))
                return i;
            i++;
        } else if (is_digit(c) || strchr("{}[],:-+ \t\r\n", c) != NULL) {
            if (c == 0)
                return i; /* strchr finds the terminator */
            i++;
        } else {
            return i;
        }
    }
    return len;
}

/* Runs the tokener over the whole input; returns the value or NULL with
 * the error recorded. */
static struct json_object *tokenize(json_tokener *tok, const uint8_t *buf,
                                    size_t len, uint8_t want, unsigned depth)
{
    size_t off = 0;
    struct json_object *v = NULL;
    enum json_tokener_error jerr = json_tokener_continue;

    while (off < len) {
        size_t n = len - off > PIECE_MAX ? PIECE_MAX : len - off;
        v = json_tokener_parse_ex(tok, (const char *)buf + off, (int)n);
        jerr = json_tokener_get_error(tok);
        if (jerr != json_tokener_continue)
            break;
        off += n;
    }
    if (v != NULL) {
        size_t end = off + json_tokener_get_parse_end(tok);
        if (!only_whitespace(buf + end, len - end)) {
            json_object_put(v);
            sp_error_set(SECIP_EFORMAT,
                         "%s: trailing bytes after the JSON value at offset "
                         "%llu of %llu",
                         kind_name(want), (unsigned long long)end,
                         (unsigned long long)len);
            return NULL;
        }
        return v;
    }
    if (jerr == json_tokener_continue || len == 0)
        sp_error_set(SECIP_EFORMAT, "%s: truncated JSON (%llu bytes)",
                     kind_name(want), (unsigned long long)len);
    else if (jerr == json_tokener_error_depth)
        sp_error_set(SECIP_EFORMAT,
                     "%s: JSON nested deeper than the limit of %u",
                     kind_name(want), depth);
    else
        sp_error_set(
            SECIP_EFORMAT, "%s: invalid JSON at offset %llu: %s",
            kind_name(want),
            (unsigned long long)(off + json_tokener_get_parse_end(tok)),
            json_tokener_error_desc(jerr));
    return NULL;
}

int sp_json_parse(const uint8_t *buf, size_t len, uint8_t want, unsigned depth,
                  struct json_object **out)
{
    json_tokener *tok;
    struct json_object *v;
    size_t bad;
    json_type want_type =
        want == SP_T_OBJECT ? json_type_object : json_type_array;

    *out = NULL;
    if (depth < 1 || depth > INT_MAX)
        return sp_error_set(SECIP_EINVAL, "JSON depth %u invalid", depth);
    bad = rfc8259_scan(buf, len);
    if (bad < len)
        return sp_error_set(SECIP_EFORMAT,
                            "%s: not RFC 8259 JSON at offset %llu (byte "
                            "0x%02x)",
                            kind_name(want), (unsigned long long)bad,
                            (unsigned)buf[bad]);
    tok = json_tokener_new_ex((int)depth);
    if (tok == NULL)
        return sp_error_set(SECIP_ENOMEM, "JSON: cannot allocate a tokener");
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    v = tokenize(tok, buf, len, want, depth);
    json_tokener_free(tok);
    if (v == NULL)
        return SECIP_EFORMAT;
    if (!json_object_is_type(v, want_type)) {
        json_type got = json_object_get_type(v);
        json_object_put(v);
        return sp_error_set(SECIP_EFORMAT,
                            "%s: the JSON value is of type %s, not %s",
                            kind_name(want), json_type_to_name(got),
                            json_type_to_name(want_type));
    }
    *out = v;
    return 0;
}

int sp_json_serialize(struct json_object *obj, uint8_t want, const char **text,
                      size_t *len)
{
    json_type want_type =
        want == SP_T_OBJECT ? json_type_object : json_type_array;
    const char *s;

    if (obj == NULL || text == NULL || len == NULL)
        return sp_error_set(SECIP_EINVAL, "JSON: NULL argument");
    if (!json_object_is_type(obj, want_type))
        return sp_error_set(SECIP_EINVAL, "%s: value is a %s, not a %s",
                            kind_name(want),
                            json_type_to_name(json_object_get_type(obj)),
                            json_type_to_name(want_type));
    s = json_object_to_json_string_length(
        obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, len);
    if (s == NULL)
        return sp_error_set(SECIP_ENOMEM, "JSON: cannot serialize");
    *text = s;
    return 0;
}

const char *sp_json_str(struct json_object *o, const char *key, size_t max_len)
{
    json_object *v = NULL;
    if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
        !json_object_is_type(v, json_type_string))
        return NULL;
    if (max_len != 0 && (size_t)json_object_get_string_len(v) > max_len)
        return NULL;
    return json_object_get_string(v);
}
