/*
 * platform_backend: the compiled backend is the one this target's compiler
 * says it should be ("iocp" for _WIN32, "epoll" otherwise).  Its output line
 * is how a Windows run under Wine proves that the IOCP backend ran.
 */
#include <string.h>

#include "platform.h"
#include "testutil.h"

int main(void)
{
    const char *name = spl_backend_name();
#ifdef _WIN32
    const char *want = "iocp";
#else
    const char *want = "epoll";
#endif
    CHECK(name != NULL);
    tu_log("backend: %s (expected %s)", name, want);
    CHECK(strcmp(name, want) == 0);
    /* spl_init is idempotent. */
    CHECK_OK(spl_init());
    CHECK_OK(spl_init());
    CHECK(spl_backend_name() == name);
    return 0;
}
