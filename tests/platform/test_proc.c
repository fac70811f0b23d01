/*
 * platform_proc: the process's memory accounting and terminal detection.
 *  - spl_proc_rss and spl_proc_peak_rss give plausible sizes (> 0, the peak
 *    never below the current size);
 *  - allocating and touching 32 MiB raises both the current and the peak
 *    resident size by at least 30 MiB, and the peak stays up after free;
 *  - spl_isatty is 0 for streams that are not a terminal: for anything but
 *    1 and 2, and (with --redirected, which CTest passes because it always
 *    captures the output) for stdout and stderr.
 */
#include <stdlib.h>
#include <string.h>

#include "net_helpers.h"

#define MIB   ((uint64_t)1 << 20)
#define BLOCK (32 * MIB)

static void test_memory(void)
{
    uint64_t rss0 = 0, peak0 = 0, rss1 = 0, peak1 = 0, rss2 = 0, peak2 = 0;
    unsigned char *p;
    size_t i;

    CHECK_OK(spl_proc_rss(&rss0));
    CHECK_OK(spl_proc_peak_rss(&peak0));
    tu_log("start: rss %llu KiB, peak %llu KiB",
           (unsigned long long)(rss0 / 1024),
           (unsigned long long)(peak0 / 1024));
    CHECK(rss0 > 0 && peak0 > 0);
    CHECK(rss0 < 1024 * MIB);
    /* The current size may have grown by a page since it was read. */
    CHECK(peak0 + MIB >= rss0);

    p = malloc((size_t)BLOCK);
    CHECK(p != NULL);
    /* Touch every page with data the compiler cannot drop. */
    for (i = 0; i < (size_t)BLOCK; i += 4096)
        p[i] = (unsigned char)(i >> 12);
    memset(p, 0x5a, (size_t)BLOCK / 2);
    CHECK_OK(spl_proc_rss(&rss1));
    CHECK_OK(spl_proc_peak_rss(&peak1));
    tu_log("32 MiB touched: rss %llu KiB, peak %llu KiB",
           (unsigned long long)(rss1 / 1024),
           (unsigned long long)(peak1 / 1024));
    CHECK(p[4096] == 0x5a &&
          p[BLOCK - 4096] == (unsigned char)(BLOCK / 4096 - 1));
    CHECK(rss1 >= rss0 + 30 * MIB);
    CHECK(peak1 >= peak0 + 30 * MIB);
    CHECK(peak1 + MIB >= rss1);
    free(p);

    CHECK_OK(spl_proc_rss(&rss2));
    CHECK_OK(spl_proc_peak_rss(&peak2));
    tu_log("freed: rss %llu KiB, peak %llu KiB",
           (unsigned long long)(rss2 / 1024),
           (unsigned long long)(peak2 / 1024));
    /* A high-water mark does not go down.  Wine derives the Windows
     * counters from Linux's and may drift by a few pages: 1 MiB slack. */
    CHECK(peak2 + MIB >= peak1);
    CHECK(peak2 >= rss0 + 30 * MIB);
}

static void test_errors(void)
{
    CHECK_ERR(spl_proc_rss(NULL), SECIP_EINVAL);
    CHECK_ERR(spl_proc_peak_rss(NULL), SECIP_EINVAL);
}

static void test_isatty(int redirected)
{
    CHECK(spl_isatty(0) == 0);
    CHECK(spl_isatty(3) == 0);
    CHECK(spl_isatty(-1) == 0);
    if (redirected) {
        CHECK(spl_isatty(1) == 0);
        CHECK(spl_isatty(2) == 0);
    } else {
        int a = spl_isatty(1), b = spl_isatty(2);
        CHECK(a == 0 || a == 1);
        CHECK(b == 0 || b == 1);
        tu_log("stdout %s a terminal, stderr %s", a ? "is" : "is not",
               b ? "is" : "is not");
    }
}

int main(int argc, char **argv)
{
    int redirected = argc > 1 && strcmp(argv[1], "--redirected") == 0;

    CHECK_OK(spl_init());
    test_errors();
    test_memory();
    test_isatty(redirected);
    tu_log("platform_proc: all checks passed");
    return 0;
}
