/*
 * platform/posix/posix_time.c -- clocks, randomness, CPU count and sleep.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "platform.h"
#include "posix_error.h"

uint64_t spl_clock_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t spl_clock_ms(void)
{
    return spl_clock_ns() / 1000000u;
}

int64_t spl_time_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}

/* /dev/urandom, for kernels older than getrandom(2) (Linux < 3.17). */
static int urandom_fill(unsigned char *p, size_t len)
{
    int fd;

    do {
        fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return spl__os_error_as(SECIP_EIO, errno, "open /dev/urandom");
    while (len > 0) {
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int err = n < 0 ? errno : EIO;
            close(fd);
            return spl__os_error_as(SECIP_EIO, err, "read /dev/urandom");
        }
        p += n;
        len -= (size_t)n;
    }
    close(fd);
    return 0;
}

int spl_random(void *buf, size_t len)
{
    unsigned char *p = buf;

    if (buf == NULL && len > 0)
        return sp_error_set(SECIP_EINVAL, "spl_random: NULL buffer");
    while (len > 0) {
        /* getrandom blocks only until the kernel pool is first seeded, which
         * is what a CSPRNG seed needs.  Large requests may come back short
         * or be interrupted, hence the loop. */
        ssize_t n = getrandom(p, len, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == ENOSYS)
                return urandom_fill(p, len);
            return spl__os_error_as(SECIP_EIO, errno, "getrandom");
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int spl_cpu_count(void)
{
    cpu_set_t set;
    long n;

    /* The affinity mask reflects taskset/cgroup cpusets, which is what a
     * worker pool should size itself to. */
    if (sched_getaffinity(0, sizeof(set), &set) == 0) {
        int c = CPU_COUNT(&set);
        if (c > 0)
            return c;
    }
    n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        return 1;
    return n > 4096 ? 4096 : (int)n;
}

void spl_sleep_ms(uint32_t ms)
{
    struct timespec req, rem;

    req.tv_sec = (time_t)(ms / 1000);
    req.tv_nsec = (long)(ms % 1000) * 1000000L;
    while (nanosleep(&req, &rem) != 0 && errno == EINTR)
        req = rem;
}
