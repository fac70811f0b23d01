/*
 * bench/peers/harness.c -- fork/control/measurement harness (see harness.h).
 * OS headers are allowed here: this is benchmark scaffolding, not SDK code.
 */
#define _GNU_SOURCE
#include "harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int ctl_to_srv = -1, ctl_from_srv = -1;
static pid_t srv_pid = -1;
static atomic_long counter;
long bh_last_heap;

void bh_die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "bench: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(2);
}

void bh_parse(bh_opts *o, int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN); /* a closed peer is an error, not a kill */
    memset(o, 0, sizeof(*o));
    o->workload = "bulk";
    o->mib = 2048;
    o->count = 0;
    o->sessions = 10000;
    o->msg_size = 64;
    o->chunk = 256 * 1024;
    o->tls = 12;
    o->key = "key.pem";
    o->cert = "cert.pem";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (v == NULL)
            bh_die("missing value after %s", a);
        if (!strcmp(a, "--workload"))
            o->workload = v;
        else if (!strcmp(a, "--mib"))
            o->mib = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--count"))
            o->count = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--sessions"))
            o->sessions = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--size"))
            o->msg_size = strtoul(v, NULL, 10);
        else if (!strcmp(a, "--chunk"))
            o->chunk = strtoul(v, NULL, 10);
        else if (!strcmp(a, "--tls"))
            o->tls = atoi(v);
        else if (!strcmp(a, "--key"))
            o->key = v;
        else if (!strcmp(a, "--cert"))
            o->cert = v;
        else
            bh_die("unknown option %s", a);
        i++;
    }
    if (o->count == 0) {
        if (!strcmp(o->workload, "msg"))
            o->count = 1000000;
        else if (!strcmp(o->workload, "lat"))
            o->count = 100000;
        else
            o->count = 1000;
    }
    if (o->msg_size < 8 || o->msg_size > 65536 || o->chunk < 64 ||
        o->chunk > (16u << 20))
        bh_die("bad --size or --chunk");
}

void bh_ck_init(bh_ck *c)
{
    memset(c, 0, sizeof(*c));
    c->a = 1;
}

static void ck_word(bh_ck *c, uint64_t w)
{
    c->a += w;
    c->b += c->a;
}

void bh_ck_update(bh_ck *c, const void *p, size_t len)
{
    const unsigned char *s = p;
    uint64_t w;
    c->n += len;
    while (c->npend != 0 && c->npend < 8 && len != 0) {
        c->pend[c->npend++] = *s++;
        len--;
        if (c->npend == 8) {
            memcpy(&w, c->pend, 8);
            ck_word(c, w);
            c->npend = 0;
        }
    }
    uint64_t a = c->a, b = c->b;
    for (; len >= 8; s += 8, len -= 8) {
        memcpy(&w, s, 8);
        a += w;
        b += a;
    }
    c->a = a;
    c->b = b;
    while (len-- && c->npend < 8)
        c->pend[c->npend++] = *s++;
}

uint64_t bh_ck_final(const bh_ck *c)
{
    uint64_t w = 0;
    bh_ck t = *c;
    if (t.npend) {
        memcpy(&w, t.pend, t.npend);
        ck_word(&t, w);
    }
    return t.b ^ (t.a << 1) ^ (t.n * 0x9E3779B97F4A7C15ull);
}

void bh_fill(void *buf, size_t len, uint64_t seed)
{
    unsigned char *p = buf;
    uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        p[i] = (unsigned char)x;
    }
}

double bh_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double bh_cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

void bh_bulk_begin(bh_bulk *b)
{
    b->srv0 = 0;
    bh_ctl_snapshot(&b->srv0, NULL, NULL);
    b->cpu0 = bh_cpu();
    b->t0 = bh_now();
}

void bh_bulk_end(const bh_bulk *b, const char *impl, uint64_t mib)
{
    double dt = bh_now() - b->t0, cpu = bh_cpu() - b->cpu0, srv = b->srv0;
    bh_ctl_snapshot(&srv, NULL, NULL);
    bh_result("bulk_MiBps", impl, (double)mib / dt);
    bh_result("bulk_cpu_s_per_GiB", impl,
              (cpu + srv - b->srv0) / ((double)mib / 1024.0));
}

long bh_rss(void)
{
    long size = 0, res = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f == NULL)
        return -1;
    if (fscanf(f, "%ld %ld", &size, &res) != 2)
        res = -1;
    fclose(f);
    return res * sysconf(_SC_PAGESIZE);
}

void bh_counter_add(long n)
{
    atomic_fetch_add(&counter, n);
}
long bh_counter(void)
{
    return atomic_load(&counter);
}

static void server_child(const bh_opts *o, bh_server_fn srv, int in, int out)
{
    char line[128], cmd;
    int port = srv(o);
    int n = snprintf(line, sizeof(line), "%d\n", port);
    if (write(out, line, (size_t)n) != n || port <= 0)
        _exit(3);
    while (read(in, &cmd, 1) == 1) {
        if (cmd == 'q')
            break;
        struct mallinfo2 mi = mallinfo2();
        n = snprintf(line, sizeof(line), "%.6f %ld %ld %zu\n", bh_cpu(),
                     bh_rss(), bh_counter(), mi.uordblks + mi.hblkhd);
        if (write(out, line, (size_t)n) != n)
            break;
    }
    _exit(0);
}

static int read_line(int fd, char *buf, size_t cap)
{
    size_t n = 0;
    while (n + 1 < cap) {
        ssize_t r = read(fd, buf + n, 1);
        if (r <= 0)
            return -1;
        if (buf[n] == '\n')
            break;
        n++;
    }
    buf[n] = '\0';
    return 0;
}

int bh_spawn(const bh_opts *o, bh_server_fn srv)
{
    int a[2], b[2];
    char line[128];
    if (pipe(a) || pipe(b))
        bh_die("pipe: %s", strerror(errno));
    fflush(NULL);
    srv_pid = fork();
    if (srv_pid < 0)
        bh_die("fork: %s", strerror(errno));
    if (srv_pid == 0) {
        close(a[1]);
        close(b[0]);
        server_child(o, srv, a[0], b[1]);
    }
    close(a[0]);
    close(b[1]);
    ctl_to_srv = a[1];
    ctl_from_srv = b[0];
    if (read_line(ctl_from_srv, line, sizeof(line)) || atoi(line) <= 0)
        bh_die("server did not start");
    return atoi(line);
}

int bh_ctl_snapshot(double *cpu, long *rss, long *cnt)
{
    char line[128];
    double c = 0;
    long r = 0, k = 0;
    if (write(ctl_to_srv, "c", 1) != 1 ||
        read_line(ctl_from_srv, line, sizeof(line)) ||
        sscanf(line, "%lf %ld %ld %ld", &c, &r, &k, &bh_last_heap) != 4)
        return -1;
    if (cpu)
        *cpu = c;
    if (rss)
        *rss = r;
    if (cnt)
        *cnt = k;
    return 0;
}

int bh_ctl_quit(void)
{
    int st = 0;
    if (write(ctl_to_srv, "q", 1) != 1)
        return -1;
    close(ctl_to_srv);
    close(ctl_from_srv);
    if (waitpid(srv_pid, &st, 0) < 0)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

int bh_listen(int *port)
{
    struct sockaddr_in sa;
    socklen_t sl = sizeof(sa);
    int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
        listen(fd, 4096) || getsockname(fd, (struct sockaddr *)&sa, &sl))
        return -1;
    *port = ntohs(sa.sin_port);
    return fd;
}

static void nodelay(int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

int bh_accept(int lfd)
{
    int fd = accept(lfd, NULL, NULL);
    if (fd >= 0)
        nodelay(fd);
    return fd;
}

int bh_connect(int port)
{
    struct sockaddr_in sa;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons((uint16_t)port);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    nodelay(fd);
    return fd;
}

int bh_read_full(int fd, void *buf, size_t len)
{
    unsigned char *p = buf;
    while (len) {
        ssize_t r = read(fd, p, len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        p += r;
        len -= (size_t)r;
    }
    return 0;
}

int bh_write_full(int fd, const void *buf, size_t len)
{
    const unsigned char *p = buf;
    while (len) {
        ssize_t r = write(fd, p, len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        p += r;
        len -= (size_t)r;
    }
    return 0;
}

struct thr {
    void (*fn)(void *);
    void *arg;
};

static void *thr_main(void *p)
{
    struct thr t = *(struct thr *)p;
    free(p);
    t.fn(t.arg);
    return NULL;
}

int bh_thread(void (*fn)(void *), void *arg)
{
    pthread_t th;
    struct thr *t = malloc(sizeof(*t));
    if (t == NULL)
        return -1;
    t->fn = fn;
    t->arg = arg;
    if (pthread_create(&th, NULL, thr_main, t)) {
        free(t);
        return -1;
    }
    pthread_detach(th);
    return 0;
}

void bh_result(const char *metric, const char *impl, double value)
{
    printf("RESULT %s %s %.3f\n", metric, impl, value);
    fflush(stdout);
}

int bh_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}
