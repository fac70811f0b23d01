/*
 * platform/posix/posix_addr.c -- name resolution and address formatting.
 */
#define _GNU_SOURCE

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "posix.h"

static int resolve_error(int gerr, int saved_errno, const char *host,
                         uint16_t port)
{
    switch (gerr) {
    case EAI_MEMORY:
        return sp_error_set(SECIP_ENOMEM, "resolve %s:%u: out of memory", host,
                            (unsigned)port);
    case EAI_SYSTEM:
        return spl__os_error_as(SECIP_EIO, saved_errno, "resolve %s:%u", host,
                                (unsigned)port);
    default:
        return sp_error_set(SECIP_EADDR, "resolve %s:%u: %s (gai error %d)",
                            host, (unsigned)port, gai_strerror(gerr), gerr);
    }
}

int spl__resolve(const char *host, uint16_t port, int passive,
                 struct addrinfo **out)
{
    struct addrinfo hints;
    char service[8];
    int gerr;

    *out = NULL;
    if (host == NULL || host[0] == '\0') {
        if (!passive)
            return sp_error_set(SECIP_EADDR, "resolve: empty host name");
        host = "0.0.0.0"; /* "every IPv4 address", as platform.h says */
    }
    snprintf(service, sizeof(service), "%u", (unsigned)port);
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    /* Numeric first: it never touches the resolver and so never blocks. */
    hints.ai_flags =
        AI_NUMERICSERV | AI_NUMERICHOST | (passive ? AI_PASSIVE : 0);
    gerr = getaddrinfo(host, service, &hints, out);
    if (gerr == EAI_NONAME) {
        hints.ai_flags &= ~AI_NUMERICHOST;
        gerr = getaddrinfo(host, service, &hints, out);
    }
    if (gerr != 0) {
        int saved = errno;
        *out = NULL;
        return resolve_error(gerr, saved, host, port);
    }
    if (*out == NULL)
        return sp_error_set(SECIP_EADDR, "resolve %s:%u: no address", host,
                            (unsigned)port);
    return 0;
}

int spl__format_addr(const struct sockaddr *sa, socklen_t salen, char *buf,
                     size_t len)
{
    char ip[INET6_ADDRSTRLEN];
    unsigned port;

    if (sa->sa_family == AF_INET &&
        salen >= (socklen_t)sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        if (inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip)) == NULL)
            return spl__os_error(errno, "inet_ntop");
        port = ntohs(in->sin_port);
        snprintf(buf, len, "%s:%u", ip, port);
        return 0;
    }
    if (sa->sa_family == AF_INET6 &&
        salen >= (socklen_t)sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        if (inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip)) == NULL)
            return spl__os_error(errno, "inet_ntop");
        port = ntohs(in6->sin6_port);
        snprintf(buf, len, "[%s]:%u", ip, port);
        return 0;
    }
    return sp_error_set(SECIP_EADDR, "address family %d not supported",
                        (int)sa->sa_family);
}
