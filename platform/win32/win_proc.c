/*
 * platform/win32/win_proc.c -- the process's own memory accounting and
 * console detection.
 *
 * Memory comes from GetProcessMemoryInfo (psapi): PeakWorkingSetSize is the
 * high-water mark of the working set, WorkingSetSize the current one, which
 * are Windows' counterparts of the peak and current resident set.
 *
 * A standard handle is a terminal when it is a console: GetConsoleMode
 * succeeds only on console handles (a pipe, a file or NUL fails it), which
 * is what decides whether '\r' redraws make sense.
 */
#include "win_impl.h"

#include <psapi.h> /* after windows.h, which it needs */

static int memory_info(PROCESS_MEMORY_COUNTERS *pmc)
{
    ZeroMemory(pmc, sizeof *pmc);
    pmc->cb = sizeof *pmc;
    if (!GetProcessMemoryInfo(GetCurrentProcess(), pmc, sizeof *pmc)) {
        /* The contract promises SECIP_EIO; the detail keeps the cause. */
        spl__win_error(GetLastError(), "GetProcessMemoryInfo");
        return SECIP_EIO;
    }
    return 0;
}

uint64_t spl_proc_id(void)
{
    return (uint64_t)GetCurrentProcessId();
}

int spl_proc_peak_rss(uint64_t *out)
{
    PROCESS_MEMORY_COUNTERS pmc;
    int rc;

    if (out == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_proc_peak_rss: NULL out");
    rc = memory_info(&pmc);
    if (rc < 0)
        return rc;
    *out = (uint64_t)pmc.PeakWorkingSetSize;
    return 0;
}

int spl_proc_rss(uint64_t *out)
{
    PROCESS_MEMORY_COUNTERS pmc;
    int rc;

    if (out == NULL)
        return sp_error_set(SECIP_EINVAL, "spl_proc_rss: NULL out");
    rc = memory_info(&pmc);
    if (rc < 0)
        return rc;
    *out = (uint64_t)pmc.WorkingSetSize;
    return 0;
}

int spl_isatty(int stream)
{
    DWORD mode;
    HANDLE h;

    if (stream != 1 && stream != 2)
        return 0;
    h = GetStdHandle(stream == 1 ? STD_OUTPUT_HANDLE : STD_ERROR_HANDLE);
    if (h == NULL || h == INVALID_HANDLE_VALUE)
        return 0;
    return GetConsoleMode(h, &mode) ? 1 : 0;
}
