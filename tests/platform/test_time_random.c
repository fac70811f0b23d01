/*
 * platform_time_random: clocks and the OS random source.
 *  - spl_clock_ns never goes back; spl_clock_ms agrees with it;
 *  - spl_time_now is after 2020-01-01 and before 2100;
 *  - spl_random fills buffers, two draws differ, every byte value occurs
 *    in 1 MiB, and a zero-length draw is fine.
 */
#include <stdlib.h>
#include <string.h>

#include "net_helpers.h"

static void test_clocks(void)
{
    uint64_t prev = spl_clock_ns(), lo0, hi0, lo1, hi1, ns0, ns1, dns;
    int i;

    for (i = 0; i < 100000; i++) {
        uint64_t now = spl_clock_ns();
        CHECK(now >= prev);
        prev = now;
    }
    /* Bracket each nanosecond read between two millisecond reads, so that
     * a preemption between the reads cannot make the clocks disagree. */
    lo0 = spl_clock_ms();
    ns0 = spl_clock_ns();
    hi0 = spl_clock_ms();
    spl_sleep_ms(100);
    lo1 = spl_clock_ms();
    ns1 = spl_clock_ns();
    hi1 = spl_clock_ms();
    dns = (ns1 - ns0) / 1000000;
    tu_log("slept 100 ms: clock_ms says %u..%u, clock_ns says %u",
           (unsigned)(lo1 - hi0), (unsigned)(hi1 - lo0), (unsigned)dns);
    CHECK(lo1 - hi0 >= 80); /* coarse ticks again */
    CHECK(dns >= 90 && dns < 5000);
    /* 20 ms of slack: Windows' millisecond clock may tick every 15.6 ms. */
    CHECK(dns + 20 >= lo1 - hi0 && dns <= hi1 - lo0 + 20);
}

static void test_wall_clock(void)
{
    int64_t now = spl_time_now();
    tu_log("time_now: %lld", (long long)now);
    CHECK(now > 1577836800);   /* 2020-01-01 */
    CHECK(now < 4102444800LL); /* 2100-01-01 */
}

static void test_random(void)
{
    unsigned char a[64], b[64], zero[64];
    unsigned char *big;
    size_t seen[256];
    size_t i, n = (size_t)1 << 20;

    memset(a, 0, sizeof(a));
    memset(b, 0, sizeof(b));
    memset(zero, 0, sizeof(zero));
    CHECK_OK(spl_random(a, sizeof(a)));
    CHECK_OK(spl_random(b, sizeof(b)));
    CHECK(memcmp(a, zero, sizeof(a)) != 0);
    CHECK(memcmp(a, b, sizeof(a)) != 0);
    CHECK_OK(spl_random(a, 0));
    CHECK_OK(spl_random(a + 3, 1)); /* odd sizes and alignment */

    big = calloc(1, n);
    CHECK(big != NULL);
    CHECK_OK(spl_random(big, n));
    memset(seen, 0, sizeof(seen));
    for (i = 0; i < n; i++)
        seen[big[i]]++;
    /* Expected 4096 each; a working source never strays below 3000. */
    for (i = 0; i < 256; i++)
        CHECK(seen[i] > 3000 && seen[i] < 5200);
    free(big);
}

int main(void)
{
    test_clocks();
    test_wall_clock();
    test_random();
    tu_log("clocks, wall clock and random ok");
    return 0;
}
