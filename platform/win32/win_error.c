/*
 * platform/win32/win_error.c -- Win32 and Winsock error codes to SECIP_E*
 * codes, with the system's own message kept for secip_last_error().
 *
 * Both numbering spaces meet here: GetLastError() values (ERROR_*) from the
 * file and thread APIs and from completions that went through the kernel
 * (ConnectEx refusals arrive as ERROR_CONNECTION_REFUSED, 1225), and
 * WSAGetLastError() values (WSAE*) from Winsock calls.  They do not
 * overlap, so one switch maps both.
 */
#include <stdarg.h>
#include <stdio.h>

#include "win_impl.h"

int spl__win_map_error(DWORD err)
{
    switch (err) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_INVALID_DRIVE:
    case ERROR_BAD_NETPATH:
    case ERROR_BAD_NET_NAME:
    case ERROR_DIRECTORY: return SECIP_ENOENT;
    case ERROR_FILE_EXISTS:
    case ERROR_ALREADY_EXISTS:
    case ERROR_DIR_NOT_EMPTY: return SECIP_EEXIST;
    case ERROR_ACCESS_DENIED:
    case ERROR_SHARING_VIOLATION:
    case ERROR_LOCK_VIOLATION:
    case ERROR_PRIVILEGE_NOT_HELD:
    case ERROR_WRITE_PROTECT:
    case WSAEACCES: return SECIP_EPERM;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
    case ERROR_NO_SYSTEM_RESOURCES:
    case ERROR_TOO_MANY_OPEN_FILES:
    case WSAENOBUFS:
    case WSAEMFILE: return SECIP_ENOMEM;
    case ERROR_OPERATION_ABORTED: /* == WSA_OPERATION_ABORTED */
    case WSAEINTR: return SECIP_ECANCELED;
    case ERROR_CONNECTION_REFUSED:
    case ERROR_PORT_UNREACHABLE:
    case WSAECONNREFUSED: return SECIP_ECONNREFUSED;
    case ERROR_NETNAME_DELETED:
    case ERROR_CONNECTION_ABORTED:
    case ERROR_BROKEN_PIPE:
    case ERROR_NO_DATA:
    case WSAECONNRESET:
    case WSAECONNABORTED:
    case WSAENETRESET: return SECIP_ECONNRESET;
    case ERROR_SEM_TIMEOUT:
    case ERROR_TIMEOUT:
    case WAIT_TIMEOUT:
    case WSAETIMEDOUT: return SECIP_ETIMEDOUT;
    case WSAEADDRINUSE: return SECIP_EADDRINUSE;
    case WSAEADDRNOTAVAIL:
    case WSAEAFNOSUPPORT:
    case WSAHOST_NOT_FOUND:
    case WSANO_DATA:
    case WSANO_RECOVERY:
    case WSATRY_AGAIN: return SECIP_EADDR;
    case ERROR_NETWORK_UNREACHABLE:
    case ERROR_HOST_UNREACHABLE:
    case WSAENETUNREACH:
    case WSAEHOSTUNREACH:
    case WSAENETDOWN:
    case WSAEHOSTDOWN: return SECIP_EUNREACH;
    case WSAESHUTDOWN:
    case WSAENOTCONN:
    case WSAEDISCON:
    case ERROR_GRACEFUL_DISCONNECT: return SECIP_ECLOSED;
    case ERROR_INVALID_PARAMETER:
    case ERROR_INVALID_NAME:
    case ERROR_BAD_PATHNAME:
    case ERROR_FILENAME_EXCED_RANGE:
    case WSAEINVAL:
    case WSAEFAULT:
    case WSAENOTSOCK: return SECIP_EINVAL;
    case ERROR_NOT_SUPPORTED:
    case ERROR_CALL_NOT_IMPLEMENTED:
    case WSAEOPNOTSUPP:
    case WSAEPROTONOSUPPORT:
    case WSAESOCKTNOSUPPORT:
    case WSAEPFNOSUPPORT: return SECIP_ENOTSUP;
    default: return SECIP_EIO;
    }
}

void spl__win_message(DWORD err, char *buf, size_t len)
{
    wchar_t wbuf[256];
    DWORD n;

    n = FormatMessageW(
        FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS |
            FORMAT_MESSAGE_MAX_WIDTH_MASK,
        NULL, err, 0, wbuf, (DWORD)(sizeof wbuf / sizeof *wbuf), NULL);
    while (n > 0 && (wbuf[n - 1] == L'\r' || wbuf[n - 1] == L'\n' ||
                     wbuf[n - 1] == L' ' || wbuf[n - 1] == L'.'))
        n--;
    if (n == 0) {
        /* No text (unknown code, or no message table under Wine). */
        snprintf(buf, len, "%s", secip_strerror(spl__win_map_error(err)));
        return;
    }
    wbuf[n] = L'\0';
    spl__win_utf8(wbuf, buf, len);
}

int spl__win_error(DWORD err, const char *fmt, ...)
{
    char what[256];
    char msg[256];
    va_list ap;
    int code = spl__win_map_error(err);

    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    spl__win_message(err, msg, sizeof msg);
    return sp_error_set(code, "%s: %s (os error %lu)", what, msg,
                        (unsigned long)err);
}
