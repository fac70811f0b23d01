/*
 * platform/win32/win_time.c -- clocks and the system random source.
 *
 * The monotonic clock is QueryPerformanceCounter, whose frequency is fixed
 * at boot and read once.  Wall-clock time comes from the system FILETIME
 * (100 ns ticks since 1601-01-01).  Randomness comes from BCryptGenRandom
 * with the system-preferred RNG, which needs no algorithm handle.
 */
#include "win_impl.h"

#include <bcrypt.h> /* after windows.h, which it needs */

/* Seconds from 1601-01-01 (FILETIME epoch) to 1970-01-01 (Unix epoch). */
#define WIN_EPOCH_DIFF_S 11644473600LL

static INIT_ONCE freq_once = INIT_ONCE_STATIC_INIT;
static uint64_t qpc_freq;

static BOOL CALLBACK read_freq(PINIT_ONCE once, PVOID param, PVOID *ctx)
{
    LARGE_INTEGER f;

    (void)once;
    (void)param;
    (void)ctx;
    /* Cannot fail on Windows XP and later. */
    QueryPerformanceFrequency(&f);
    qpc_freq = f.QuadPart > 0 ? (uint64_t)f.QuadPart : 1;
    return TRUE;
}

uint64_t spl_clock_ns(void)
{
    LARGE_INTEGER c;
    uint64_t ticks, f;

    InitOnceExecuteOnce(&freq_once, read_freq, NULL, NULL);
    QueryPerformanceCounter(&c);
    ticks = (uint64_t)c.QuadPart;
    f = qpc_freq;
    /* Split to avoid overflowing ticks * 1e9 (10 MHz overflows in 58 y
     * the naive way, but only in 1.8 s at full 64-bit resolution). */
    return ticks / f * 1000000000ULL + ticks % f * 1000000000ULL / f;
}

uint64_t spl_clock_ms(void)
{
    return spl_clock_ns() / 1000000ULL;
}

int64_t spl_time_now(void)
{
    FILETIME ft;
    ULARGE_INTEGER u;

    /* GetSystemTimePreciseAsFileTime needs Windows 8; seconds do not. */
    GetSystemTimeAsFileTime(&ft);
    u.LowPart = ft.dwLowDateTime;
    u.HighPart = ft.dwHighDateTime;
    return (int64_t)(u.QuadPart / 10000000ULL) - WIN_EPOCH_DIFF_S;
}

int spl_random(void *buf, size_t len)
{
    unsigned char *p = buf;

    if (len > 0 && buf == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_random: NULL buffer");
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        NTSTATUS st =
            BCryptGenRandom(NULL, p, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG);
        if (!BCRYPT_SUCCESS(st))
            return sp_error_set(SECIP_EIO,
                                "BCryptGenRandom failed (NTSTATUS 0x%08lx)",
                                (unsigned long)st);
        p += chunk;
        len -= chunk;
    }
    return 0;
}
