/*
 * platform_error_detail: a failing platform call records a detail for
 * secip_last_error() that is not empty and contains the OS error number,
 * and secip_last_error_code() matches the returned code.
 *  - opening a missing file: ENOENT is 2 on POSIX, ERROR_FILE_NOT_FOUND is 2
 *    on Windows;
 *  - listening on a port that is already taken: EADDRINUSE is 98 on Linux,
 *    WSAEADDRINUSE is 10048 on Windows.
 *  - the detail is per thread: another thread's failure does not replace it.
 */
#include <string.h>

#include "file_helpers.h"
#include "net_helpers.h"

/* True when s contains n as a whole number (not part of a longer one). */
static int has_number(const char *s, long n)
{
    char want[32];
    size_t wl;
    const char *p;

    snprintf(want, sizeof(want), "%ld", n);
    wl = strlen(want);
    for (p = s; (p = strstr(p, want)) != NULL; p++) {
        int before = p > s && p[-1] >= '0' && p[-1] <= '9';
        int after = p[wl] >= '0' && p[wl] <= '9';
        if (!before && !after)
            return 1;
    }
    return 0;
}

static void other_thread_fails(void *arg)
{
    spl_file *f = NULL;
    (void)arg;
    CHECK_ERR(
        spl_file_open("platform_error_detail-missing-2/zz", SPL_FILE_READ, &f),
        SECIP_ENOENT);
}

int main(void)
{
    spl_file *f = NULL;
    spl_loop *loop;
    spl_tcp *l1, *l2 = NULL;
    spl_thread *th;
    char saved[600];
    const char *d;
#ifdef _WIN32
    const long addrinuse = 10048;
#else
    const long addrinuse = 98;
#endif

    CHECK_ERR(
        spl_file_open("platform_error_detail-missing.bin", SPL_FILE_READ, &f),
        SECIP_ENOENT);
    d = secip_last_error();
    tu_log("open missing: \"%s\"", d);
    CHECK(d != NULL && d[0] != '\0');
    CHECK(has_number(d, 2));
    CHECK(secip_last_error_code() == SECIP_ENOENT);
    CHECK(f == NULL);

    CHECK_OK(spl_loop_new(&loop));
    CHECK_OK(spl_tcp_listen(loop, "127.0.0.1", 0, 4, &l1));
    CHECK_ERR(spl_tcp_listen(loop, "127.0.0.1", spl_tcp_local_port(l1), 4, &l2),
              SECIP_EADDRINUSE);
    d = secip_last_error();
    tu_log("listen on a taken port: \"%s\"", d);
    CHECK(d[0] != '\0');
    CHECK(has_number(d, addrinuse));
    CHECK(secip_last_error_code() == SECIP_EADDRINUSE);
    snprintf(saved, sizeof(saved), "%s", d);

    /* Thread-local: a failure elsewhere leaves ours alone. */
    CHECK_OK(spl_thread_create(&th, other_thread_fails, NULL));
    spl_thread_join(th);
    CHECK(strcmp(secip_last_error(), saved) == 0);
    CHECK(secip_last_error_code() == SECIP_EADDRINUSE);

    nh_close_all(loop, &l1, 1);
    spl_loop_free(loop);
    return 0;
}
