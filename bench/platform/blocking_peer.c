/*
 * bench/platform/blocking_peer.c -- the yardstick: the same echo with plain
 * blocking sockets, no event loop.
 *
 * This file is a measured peer, not part of secip: it is the one place
 * above platform/ that includes OS socket headers (Winsock on Windows, BSD
 * sockets elsewhere), because its whole point is to measure the OS's
 * sockets without the platform layer in between.  Threads, clock and
 * synchronisation still come from platform.h.
 *
 * Threads: an echo server (recv a buffer, checksum it, send it back), and a
 * client pair: a writer that sends the stream one chunk of cfg->buf bytes
 * per send(), and a reader (the calling thread) that receives into one
 * buffer of cfg->buf bytes and checksums it.  Every socket has send and
 * receive timeouts, so a stalled run fails instead of hanging.
 */
#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <winsock2.h>
#include <ws2tcpip.h>
typedef SOCKET sock_t;
typedef int io_len_t;
#define BAD_SOCK      INVALID_SOCKET
#define close_sock(s) closesocket(s)
#define sock_errno()  ((int)WSAGetLastError())
#define SHUT_WR_DIR   SD_SEND
#define SEND_FLAGS    0
#else
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
typedef int sock_t;
typedef size_t io_len_t;
#define BAD_SOCK      (-1)
#define close_sock(s) close(s)
#define sock_errno()  errno
#define SHUT_WR_DIR   SHUT_WR
#ifdef MSG_NOSIGNAL
#define SEND_FLAGS MSG_NOSIGNAL
#else
#define SEND_FLAGS 0
#endif
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "echo_common.h"
#include "platform.h"

typedef struct bpeer {
    const echo_cfg *cfg;
    sock_t lsock, csock, ssock;
    /* Each thread writes its own fields; the caller reads them after join. */
    char server_why[128];
    echo_sum ssum;
    char writer_why[128];
    uint64_t t0, t1;
} bpeer;

static void set_why(char *why, size_t len, const char *what)
{
    snprintf(why, len, "%s failed (os error %d)", what, sock_errno());
}

static int set_timeouts(sock_t s, uint32_t ms)
{
#ifdef _WIN32
    DWORD tv = ms;
#else
    struct timeval tv;
    tv.tv_sec = (time_t)(ms / 1000);
    tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
#endif
    if (setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, (const char *)&tv, sizeof(tv)) !=
            0 ||
        setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, (const char *)&tv, sizeof(tv)) !=
            0)
        return -1;
    return 0;
}

/* send() until all len bytes are gone. */
static int send_all(sock_t s, const uint8_t *p, size_t len)
{
    while (len > 0) {
        long n = (long)send(s, (const char *)p, (io_len_t)len, SEND_FLAGS);
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static void server_main(void *arg)
{
    bpeer *b = arg;
    size_t cap = b->cfg->buf;
    uint8_t *buf = malloc(cap);
    long n;

    if (buf == NULL) {
        snprintf(b->server_why, sizeof(b->server_why), "server: no memory");
        return;
    }
    for (;;) {
        n = (long)recv(b->ssock, (char *)buf, (io_len_t)cap, 0);
        if (n <= 0)
            break;
        echo_sum_add(&b->ssum, buf, (size_t)n);
        if (send_all(b->ssock, buf, (size_t)n) < 0) {
            set_why(b->server_why, sizeof(b->server_why), "server send");
            break;
        }
    }
    if (n < 0)
        set_why(b->server_why, sizeof(b->server_why), "server recv");
    /* End of stream from the client: pass it on. */
    if (shutdown(b->ssock, SHUT_WR_DIR) != 0 && b->server_why[0] == '\0')
        set_why(b->server_why, sizeof(b->server_why), "server shutdown");
    free(buf);
}

static void writer_main(void *arg)
{
    bpeer *b = arg;
    uint64_t pos = 0;
    const uint8_t *p;
    size_t len;

    while ((len = echo_chunk(pos, b->cfg->total, b->cfg->buf, &p)) != 0) {
        if (send_all(b->csock, p, len) < 0) {
            set_why(b->writer_why, sizeof(b->writer_why), "client send");
            return;
        }
        pos += len;
    }
    if (shutdown(b->csock, SHUT_WR_DIR) != 0)
        set_why(b->writer_why, sizeof(b->writer_why), "client shutdown");
}

/* Listens on 127.0.0.1 (any port), connects to it and accepts. */
static int connect_pair(bpeer *b, char *why, size_t len)
{
    struct sockaddr_in sa;
    socklen_t salen = (socklen_t)sizeof(sa);

    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = 0;
    b->lsock = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (b->lsock == BAD_SOCK) {
        set_why(why, len, "socket");
        return -1;
    }
    if (bind(b->lsock, (struct sockaddr *)&sa, salen) != 0 ||
        listen(b->lsock, 1) != 0 ||
        getsockname(b->lsock, (struct sockaddr *)&sa, &salen) != 0) {
        set_why(why, len, "bind/listen");
        return -1;
    }
    b->csock = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (b->csock == BAD_SOCK) {
        set_why(why, len, "socket");
        return -1;
    }
    /* Blocking connect completes from the listen backlog; accept then
     * returns at once, so no thread ever waits in accept(). */
    if (connect(b->csock, (struct sockaddr *)&sa, salen) != 0) {
        set_why(why, len, "connect");
        return -1;
    }
    b->ssock = accept(b->lsock, NULL, NULL);
    if (b->ssock == BAD_SOCK) {
        set_why(why, len, "accept");
        return -1;
    }
    if (set_timeouts(b->csock, b->cfg->timeout_ms) != 0 ||
        set_timeouts(b->ssock, b->cfg->timeout_ms) != 0) {
        set_why(why, len, "setsockopt");
        return -1;
    }
    return 0;
}

/* The reader: receives the echo on the calling thread. */
static int read_echo(bpeer *b, echo_sum *sum, char *why, size_t len)
{
    size_t cap = b->cfg->buf;
    uint8_t *buf = malloc(cap);
    long n;

    if (buf == NULL) {
        snprintf(why, len, "client: no memory");
        return -1;
    }
    for (;;) {
        n = (long)recv(b->csock, (char *)buf, (io_len_t)cap, 0);
        if (n <= 0)
            break;
        echo_sum_add(sum, buf, (size_t)n);
        if (b->t1 == 0 && sum->count >= b->cfg->total)
            b->t1 = spl_clock_ns();
    }
    free(buf);
    if (n < 0) {
        set_why(why, len, "client recv");
        return -1;
    }
    return 0;
}

static void close_all(bpeer *b)
{
    if (b->ssock != BAD_SOCK)
        close_sock(b->ssock);
    if (b->csock != BAD_SOCK)
        close_sock(b->csock);
    if (b->lsock != BAD_SOCK)
        close_sock(b->lsock);
}

int blocking_echo_run(const echo_cfg *cfg, echo_result *res)
{
    bpeer b;
    spl_thread *server = NULL, *writer = NULL;
    echo_sum csum;
    char why[128] = "";
    int rc;

    memset(res, 0, sizeof(*res));
    memset(&b, 0, sizeof(b));
    b.cfg = cfg;
    b.lsock = b.csock = b.ssock = BAD_SOCK;
    echo_sum_init(&b.ssum);
    echo_sum_init(&csum);
#ifdef _WIN32
    {
        WSADATA wsa;
        if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0) {
            snprintf(res->why, sizeof(res->why), "blocking: WSAStartup failed");
            return -1;
        }
    }
#endif
    rc = connect_pair(&b, why, sizeof(why));
    if (rc == 0 && spl_thread_create(&server, server_main, &b) < 0)
        rc = -1;
    b.t0 = spl_clock_ns();
    if (rc == 0 && spl_thread_create(&writer, writer_main, &b) < 0)
        rc = -1;
    if (rc < 0 && why[0] == '\0')
        snprintf(why, sizeof(why), "%s", secip_last_error());
    if (rc == 0)
        rc = read_echo(&b, &csum, why, sizeof(why));
    else if (b.csock != BAD_SOCK) /* wake a server blocked in recv */
        (void)shutdown(b.csock, SHUT_WR_DIR);
    if (writer != NULL)
        spl_thread_join(writer);
    if (server != NULL)
        spl_thread_join(server);
    close_all(&b);
#ifdef _WIN32
    WSACleanup();
#endif
    if (rc == 0 && (b.server_why[0] != '\0' || b.writer_why[0] != '\0'))
        rc = -1;
    if (rc == 0 && (csum.count != cfg->total || b.ssum.count != cfg->total ||
                    echo_sum_final(&csum) != cfg->expected ||
                    echo_sum_final(&b.ssum) != cfg->expected)) {
        snprintf(why, sizeof(why),
                 "data mismatch (server got %llu bytes, client got %llu)",
                 (unsigned long long)b.ssum.count,
                 (unsigned long long)csum.count);
        rc = -1;
    }
    if (rc < 0) {
        const char *first = why[0] != '\0'            ? why
                            : b.writer_why[0] != '\0' ? b.writer_why
                                                      : b.server_why;
        snprintf(res->why, sizeof(res->why), "blocking copy: %s", first);
        return -1;
    }
    res->seconds = (double)(b.t1 - b.t0) / 1e9;
    return 0;
}
