/*
 * platform/posix/posix_proc.c -- the process's own memory accounting and
 * terminal detection.
 *
 * Peak RSS is getrusage's ru_maxrss (KiB on Linux: the kernel's high-water
 * mark of the resident set, kept for the process's lifetime).  The current
 * RSS is the second field of /proc/self/statm, in pages.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include "platform.h"
#include "posix_error.h"

uint64_t spl_proc_id(void)
{
    return (uint64_t)getpid();
}

int spl_proc_peak_rss(uint64_t *out)
{
    struct rusage ru;

    if (out == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_proc_peak_rss: NULL out");
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return spl__os_error_as(SECIP_EIO, errno, "getrusage");
    *out = (uint64_t)ru.ru_maxrss * 1024u;
    return 0;
}

int spl_proc_rss(uint64_t *out)
{
    unsigned long long size = 0, resident = 0;
    long page;
    FILE *f;
    int n;

    if (out == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_proc_rss: NULL out");
    f = fopen("/proc/self/statm", "r");
    if (f == NULL)
        return spl__os_error_as(SECIP_EIO, errno, "open /proc/self/statm");
    n = fscanf(f, "%llu %llu", &size, &resident);
    fclose(f);
    if (n != 2)
        return sp_error_set(SECIP_EIO, "/proc/self/statm: unexpected format");
    page = sysconf(_SC_PAGESIZE);
    if (page <= 0)
        return spl__os_error_as(SECIP_EIO, errno, "sysconf(_SC_PAGESIZE)");
    *out = (uint64_t)resident * (uint64_t)page;
    return 0;
}

int spl_isatty(int stream)
{
    int fd = stream == 1 ? STDOUT_FILENO : STDERR_FILENO;

    if (stream != 1 && stream != 2)
        return 0;
    return isatty(fd) == 1;
}
