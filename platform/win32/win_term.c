/*
 * platform/win32/win_term.c -- reading a password from the console without
 * echo (spl_read_password).
 *
 * Standard input must be a console (GetConsoleMode fails on pipes and
 * files).  Echo is switched off by clearing ENABLE_ECHO_INPUT (line input
 * and processed input stay on, so Backspace and Enter work), and the line
 * is read as UTF-16 with ReadConsoleW and converted to UTF-8.  The console
 * mode belongs to the console, not to the process: a Ctrl+C or a closed
 * window during the prompt would leave the user's shell without echo, so a
 * console control handler restores the mode before the default handler
 * ends the process.
 */
#include <string.h>

#include "win_impl.h"

#define WBUF_MAX 1024 /* UTF-16 units read per call */

static HANDLE saved_in; /* the console input whose mode is changed */
static DWORD saved_mode;

static BOOL WINAPI on_ctrl(DWORD type)
{
    (void)type;
    if (saved_in != NULL)
        SetConsoleMode(saved_in, saved_mode);
    return FALSE; /* let the next (default) handler act */
}

static void put_text(const char *s)
{
    HANDLE err = GetStdHandle(STD_ERROR_HANDLE);
    DWORD mode, n;
    wchar_t *w = NULL;
    if (err == NULL || err == INVALID_HANDLE_VALUE)
        return;
    if (GetConsoleMode(err, &mode) && spl__win_utf16(s, &w) == 0) {
        WriteConsoleW(err, w, (DWORD)wcslen(w), &n, NULL);
        free(w);
        return;
    }
    WriteFile(err, s, (DWORD)strlen(s), &n, NULL);
}

/* Read UTF-16 up to the end of the line into w[0..cap-1]; returns the
 * number of units kept, or -1 after too many (the rest is drained). */
static int read_units(HANDLE in, wchar_t *w, int cap, DWORD *err)
{
    int n = 0, too_long = 0;
    for (;;) {
        wchar_t chunk[64];
        DWORD got = 0;
        if (!ReadConsoleW(in, chunk, 64, &got, NULL)) {
            *err = GetLastError();
            SecureZeroMemory(chunk, sizeof chunk);
            return -2;
        }
        if (got == 0)
            break;
        int end = 0;
        for (DWORD i = 0; i < got; i++) {
            if (chunk[i] == L'\n') {
                end = 1;
                break;
            }
            if (chunk[i] == L'\r')
                continue;
            if (n < cap - 1)
                w[n++] = chunk[i];
            else
                too_long = 1;
        }
        SecureZeroMemory(chunk, sizeof chunk);
        if (end)
            break;
    }
    w[n] = 0;
    return too_long ? -1 : n;
}

int spl_read_password(const char *prompt, char *buf, size_t cap)
{
    HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
    DWORD mode, err = 0;
    wchar_t w[WBUF_MAX];
    int n, rc;

    if (buf == NULL || cap < 2 || cap > 65536)
        return sp_error_set(SECIP_EINVAL, "spl_read_password: bad buffer");
    buf[0] = '\0';
    if (in == NULL || in == INVALID_HANDLE_VALUE || !GetConsoleMode(in, &mode))
        return sp_error_set(SECIP_ENOTSUP,
                            "standard input is not a console: cannot read "
                            "a password without echo");
    saved_in = in;
    saved_mode = mode;
    SetConsoleCtrlHandler(on_ctrl, TRUE);
    /* Echo off before the prompt: whatever is typed once the prompt shows
     * must not be echoed. */
    if (!SetConsoleMode(in,
                        (mode | ENABLE_LINE_INPUT | ENABLE_PROCESSED_INPUT) &
                            ~(DWORD)ENABLE_ECHO_INPUT)) {
        rc = spl__win_error(GetLastError(), "cannot switch echo off");
        goto out;
    }
    if (prompt != NULL)
        put_text(prompt);
    n = read_units(in, w, WBUF_MAX, &err);
    SetConsoleMode(in, mode);
    put_text("\r\n"); /* the user's Enter was not echoed */
    if (n == -2) {
        spl__win_error(err, "reading the password from the console");
        rc = SECIP_EIO;
    } else if (n == -1) {
        rc = sp_error_set(SECIP_ETOOBIG, "password too long");
    } else {
        /* UTF-8 needs at most 3 bytes per UTF-16 unit. */
        int len = WideCharToMultiByte(CP_UTF8, 0, w, n, buf, (int)cap - 1, NULL,
                                      NULL);
        if (n > 0 && len <= 0) {
            rc = sp_error_set(SECIP_ETOOBIG,
                              "password longer than %u bytes in UTF-8",
                              (unsigned)(cap - 1));
            SecureZeroMemory(buf, cap);
        } else {
            buf[len] = '\0';
            rc = len;
        }
    }
out:
    SecureZeroMemory(w, sizeof w);
    SetConsoleCtrlHandler(on_ctrl, FALSE);
    saved_in = NULL;
    return rc;
}
