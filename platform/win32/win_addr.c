/*
 * platform/win32/win_addr.c -- resolving names with GetAddrInfoW and
 * formatting socket addresses.
 *
 * Host names are UTF-8 in secip and UTF-16 for the wide resolver, which
 * handles internationalised names.  Numeric addresses never reach a name
 * server, so they never block.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "win_impl.h"

static void set_port(SOCKADDR_STORAGE *ss, uint16_t port)
{
    if (ss->ss_family == AF_INET)
        ((struct sockaddr_in *)ss)->sin_port = htons(port);
    else if (ss->ss_family == AF_INET6)
        ((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

/* NULL or "" on the listening side: every IPv4 address (platform.h). */
static void any_ipv4(uint16_t port, win_addrs *out)
{
    struct sockaddr_in *sin = (struct sockaddr_in *)&out->addr[0];

    memset(out, 0, sizeof *out);
    sin->sin_family = AF_INET;
    sin->sin_addr.s_addr = htonl(INADDR_ANY);
    sin->sin_port = htons(port);
    out->len[0] = (int)sizeof *sin;
    out->count = 1;
}

int spl__win_resolve(const char *host, uint16_t port, int passive,
                     win_addrs *out)
{
    ADDRINFOW hints;
    ADDRINFOW *res = NULL;
    ADDRINFOW *ai;
    wchar_t *whost;
    int rc;

    if (host == NULL || host[0] == '\0') {
        if (!passive)
            return sp_error_set(SECIP_EADDR, "resolve: no host given");
        any_ipv4(port, out);
        return 0;
    }
    rc = spl__win_utf16(host, &whost);
    if (rc < 0)
        return sp_error_set(SECIP_EADDR, "resolve '%.200s': not UTF-8", host);
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    hints.ai_flags = passive ? AI_PASSIVE : 0;
    rc = GetAddrInfoW(whost, NULL, &hints, &res);
    free(whost);
    if (rc != 0) {
        /* Every resolver failure is "no such address" for the caller;
         * the detail keeps the resolver's own reason. */
        char msg[256];
        spl__win_message((DWORD)rc, msg, sizeof msg);
        return sp_error_set(SECIP_EADDR, "resolve '%.200s': %s (os error %d)",
                            host, msg, rc);
    }
    memset(out, 0, sizeof *out);
    for (ai = res; ai != NULL && out->count < WIN_ADDR_MAX; ai = ai->ai_next) {
        if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
            ai->ai_addrlen > sizeof out->addr[0])
            continue;
        memcpy(&out->addr[out->count], ai->ai_addr, ai->ai_addrlen);
        set_port(&out->addr[out->count], port);
        out->len[out->count] = (int)ai->ai_addrlen;
        out->count++;
    }
    FreeAddrInfoW(res);
    if (out->count == 0)
        return sp_error_set(SECIP_EADDR,
                            "resolve '%.200s': no IPv4 or IPv6 address", host);
    return 0;
}

int spl__win_format_addr(const struct sockaddr *sa, char *buf, size_t len)
{
    char ip[INET6_ADDRSTRLEN];

    if (len == 0)
        return sp_error_set(SECIP_EINVAL, "format address: empty buffer");
    buf[0] = '\0';
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
        if (inet_ntop(AF_INET, (const void *)&sin->sin_addr, ip, sizeof ip) ==
            NULL)
            return spl__win_error((DWORD)WSAGetLastError(), "inet_ntop");
        snprintf(buf, len, "%s:%u", ip, (unsigned)ntohs(sin->sin_port));
        return 0;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
        if (inet_ntop(AF_INET6, (const void *)&sin6->sin6_addr, ip,
                      sizeof ip) == NULL)
            return spl__win_error((DWORD)WSAGetLastError(), "inet_ntop");
        snprintf(buf, len, "[%s]:%u", ip, (unsigned)ntohs(sin6->sin6_port));
        return 0;
    }
    return sp_error_set(SECIP_EADDR, "format address: unknown family %d",
                        (int)sa->sa_family);
}

uint16_t spl__win_local_port(SOCKET s)
{
    SOCKADDR_STORAGE ss;
    int sl = (int)sizeof ss;

    if (getsockname(s, (struct sockaddr *)&ss, &sl) != 0)
        return 0;
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return 0;
}
