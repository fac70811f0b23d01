/*
 * sdk/src/files/safename.c -- see safename.h for the rules.
 *
 * The work happens in a scratch buffer as large as the input: keep the last
 * component, rewrite character by character, cut to length, strip, then
 * guard the first character and Windows device names.  Every step only
 * shortens the name or replaces one character by one byte, except the
 * device-name prefix, for which a name of the maximum length is cut once
 * more.
 */
#include "files/safename.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "session/utf8.h"

/* Longest extension kept when a long name is cut (with its dot). */
#define EXT_KEEP_MAX 32u

static int is_sep(uint8_t c)
{
    return c == '/' || c == '\\';
}

/* Decode the code point at p (valid UTF-8) and its length in *n. */
static uint32_t decode(const uint8_t *p, size_t *n)
{
    if (p[0] < 0x80) {
        *n = 1;
        return p[0];
    }
    if (p[0] < 0xe0) {
        *n = 2;
        return ((uint32_t)(p[0] & 0x1f) << 6) | (p[1] & 0x3f);
    }
    if (p[0] < 0xf0) {
        *n = 3;
        return ((uint32_t)(p[0] & 0x0f) << 12) |
               ((uint32_t)(p[1] & 0x3f) << 6) | (p[2] & 0x3f);
    }
    *n = 4;
    return ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3f) << 12) |
           ((uint32_t)(p[2] & 0x3f) << 6) | (p[3] & 0x3f);
}

/* Characters that become '_': controls, Windows-forbidden punctuation and
 * the invisible bidi controls that make "exe.txt" display as "txt.exe". */
static int must_replace(uint32_t cp)
{
    if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
        return 1;
    if (cp < 0x80)
        return strchr("<>:\"|?*", (int)cp) != NULL;
    return cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

/* Copy the component src[0..len) into dst with replacements; returns the
 * new length (never longer than len). */
static size_t rewrite(const uint8_t *src, size_t len, char *dst)
{
    size_t i = 0, o = 0, n;

    while (i < len) {
        uint32_t cp = decode(src + i, &n);
        if (must_replace(cp)) {
            dst[o++] = '_';
        } else {
            memcpy(dst + o, src + i, n);
            o += n;
        }
        i += n;
    }
    return o;
}

/* Cut s[0..len) to at most max bytes on a character boundary, keeping a
 * short extension. */
static size_t cut(char *s, size_t len, size_t max)
{
    const char *dot;
    size_t ext = 0, keep;

    if (len <= max)
        return len;
    dot = NULL;
    for (keep = len; keep > 1; keep--) {
        if (s[keep - 1] == '.') {
            dot = s + keep - 1;
            break;
        }
    }
    if (dot != NULL && (size_t)(s + len - dot) <= EXT_KEEP_MAX)
        ext = (size_t)(s + len - dot);
    keep = max - ext;
    /* Back up to the start of a character (never split a sequence). */
    while (keep > 0 && ((uint8_t)s[keep] & 0xc0) == 0x80)
        keep--;
    memmove(s + keep, s + len - ext, ext);
    return keep + ext;
}

static size_t strip_trailing(const char *s, size_t len)
{
    while (len > 0 && (s[len - 1] == '.' || s[len - 1] == ' '))
        len--;
    return len;
}

static int ieq(const char *a, size_t alen, const char *b)
{
    size_t i;

    if (alen != strlen(b))
        return 0;
    for (i = 0; i < alen; i++) {
        char c = a[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (c != b[i])
            return 0;
    }
    return 1;
}

/* Windows treats these as devices whatever the extension or directory. */
static int is_device(const char *s, size_t len)
{
    static const char *const names[] = {"CON", "PRN",    "AUX",
                                        "NUL", "CONIN$", "CONOUT$"};
    size_t base = 0, i;

    while (base < len && s[base] != '.')
        base++;
    while (base > 0 && s[base - 1] == ' ')
        base--;
    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (ieq(s, base, names[i]))
            return 1;
    if (ieq(s, base < 3 ? base : 3, "COM") ||
        ieq(s, base < 3 ? base : 3, "LPT")) {
        if (base == 4 && s[3] >= '0' && s[3] <= '9')
            return 1;
        /* Superscript one, two, three (U+00B9, U+00B2, U+00B3). */
        if (base == 5 && (uint8_t)s[3] == 0xc2 &&
            ((uint8_t)s[4] == 0xb9 || (uint8_t)s[4] == 0xb2 ||
             (uint8_t)s[4] == 0xb3))
            return 1;
    }
    return 0;
}

static int refuse(const char *why)
{
    return sp_error_set(SECIP_EFORMAT, "unsafe file name refused: %s", why);
}

int sp_safename(const void *name, size_t len, char *out, size_t cap)
{
    const uint8_t *p = name;
    size_t start, n;
    char *tmp;

    if ((name == NULL && len > 0) || out == NULL || cap < SP_SAFENAME_MAX + 1)
        return sp_error_set(SECIP_EINVAL, "sp_safename: bad argument");
    out[0] = 0;
    if (len == 0)
        return refuse("empty name");
    if (len > SP_NAME_INPUT_MAX)
        return refuse("longer than 4096 bytes");
    if (memchr(p, 0, len) != NULL)
        return refuse("contains a NUL byte");
    if (!sp_utf8_valid(p, len))
        return refuse("not valid UTF-8");
    for (start = len; start > 0 && !is_sep(p[start - 1]); start--)
        ;
    if (start == len)
        return refuse("ends with a path separator");
    tmp = malloc(len - start + 2);
    if (tmp == NULL)
        return sp_error_set(SECIP_ENOMEM, "sp_safename: out of memory");
    n = rewrite(p + start, len - start, tmp + 1);
    n = cut(tmp + 1, n, SP_SAFENAME_MAX);
    n = strip_trailing(tmp + 1, n);
    /* A device name gets a one-byte prefix below: make room for it only
     * then, so that every other name of exactly SP_SAFENAME_MAX bytes is
     * kept whole and sanitising a sanitised name changes nothing. */
    if (n == SP_SAFENAME_MAX && is_device(tmp + 1, n))
        n = strip_trailing(tmp + 1, cut(tmp + 1, n, SP_SAFENAME_MAX - 1));
    if (n == 0) {
        free(tmp);
        return refuse("nothing left after removing trailing dots and spaces "
                      "(\".\", \"..\", empty component)");
    }
    if (tmp[1] == '.')
        tmp[1] = '_';
    if (is_device(tmp + 1, n)) {
        tmp[0] = '_';
        n++;
        memcpy(out, tmp, n);
    } else {
        memcpy(out, tmp + 1, n);
    }
    out[n] = 0;
    free(tmp);
    return (int)n;
}

const char *sp_path_base(const char *path)
{
    const char *b = path;

    for (; *path != 0; path++)
        if (is_sep((uint8_t)*path))
            b = path + 1;
    return b;
}

char *sp_path_join(const char *dir, const char *name)
{
    size_t dl = strlen(dir), nl = strlen(name);
    int sep = dl > 0 && !is_sep((uint8_t)dir[dl - 1]);
    char *s = malloc(dl + nl + 2);

    if (s == NULL) {
        sp_error_set(SECIP_ENOMEM, "path: out of memory");
        return NULL;
    }
    memcpy(s, dir, dl);
    if (sep)
        s[dl++] = '/';
    memcpy(s + dl, name, nl + 1);
    return s;
}

char *sp_path_dir(const char *path)
{
    const char *base = sp_path_base(path);
    size_t n = (size_t)(base - path);
    char *s;

    if (n == 0) {
        path = ".";
        n = 1;
    } else if (n > 1 && path[n - 2] != ':') {
        n--; /* drop the separator, but keep "/" and "C:\" whole */
    }
    s = malloc(n + 1);
    if (s == NULL) {
        sp_error_set(SECIP_ENOMEM, "path: out of memory");
        return NULL;
    }
    memcpy(s, path, n);
    s[n] = 0;
    return s;
}

int sp_safename_alt(const char *name, unsigned n, char *out, size_t cap)
{
    size_t len = strlen(name), stem = len;
    int w;

    if (n == 0) {
        if (len + 1 > cap)
            return SECIP_ETOOBIG;
        memcpy(out, name, len + 1);
        return (int)len;
    }
    /* The extension starts at the last dot that is not the first byte. */
    while (stem > 1 && name[stem - 1] != '.')
        stem--;
    stem = stem > 1 ? stem - 1 : len;
    w = snprintf(out, cap, "%.*s (%u)%s", (int)stem, name, n, name + stem);
    if (w < 0 || (size_t)w >= cap)
        return SECIP_ETOOBIG;
    return w;
}
