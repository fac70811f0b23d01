/*
 * platform/win32/win_text.c -- UTF-8 <-> UTF-16 for the W APIs.
 *
 * secip's paths and host names are UTF-8; Windows' wide APIs take UTF-16.
 * Invalid UTF-8 is refused (MB_ERR_INVALID_CHARS) rather than replaced, so
 * a malformed name can never turn into a different, valid one.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "win_impl.h"

int spl__win_utf16(const char *s, wchar_t **out)
{
    int n;
    wchar_t *w;

    *out = NULL;
    /* -1: the count includes the terminating NUL. */
    n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
    if (n <= 0)
        return sp_error_set(SECIP_EFORMAT,
                            "not valid UTF-8: '%.64s' (os error %lu)", s,
                            (unsigned long)GetLastError());
    w = malloc((size_t)n * sizeof *w);
    if (w == NULL)
        return sp_error_set(SECIP_ENOMEM, "UTF-16 conversion: out of memory");
    if (MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n) != n) {
        free(w);
        return sp_error_set(SECIP_EFORMAT, "not valid UTF-8: '%.64s'", s);
    }
    *out = w;
    return 0;
}

void spl__win_utf8(const wchar_t *w, char *buf, size_t len)
{
    int n;
    char *tmp;

    if (len == 0)
        return;
    buf[0] = '\0';
    n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
    if (n <= 0)
        return;
    tmp = malloc((size_t)n);
    if (tmp == NULL)
        return;
    if (WideCharToMultiByte(CP_UTF8, 0, w, -1, tmp, n, NULL, NULL) == n) {
        size_t keep = (size_t)n - 1; /* without the NUL */
        if (keep > len - 1) {
            keep = len - 1;
            /* Do not cut a multi-byte sequence in half. */
            while (keep > 0 && ((unsigned char)tmp[keep] & 0xC0) == 0x80)
                keep--;
        }
        memcpy(buf, tmp, keep);
        buf[keep] = '\0';
    }
    free(tmp);
}
