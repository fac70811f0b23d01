/*
 * tests/crypto/test_rng_fork.c -- a fork()ed child must not repeat its
 * parent's random bytes (POSIX only: Windows has no fork).  The parent
 * uses the generator first, so the child inherits a live state; both then
 * draw 32 bytes, and so does a grandchild, and all three must differ.
 */
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "secip/random.h"
#include "testutil.h"

/* Draw 32 bytes in a child process and return them through a pipe. */
static void child_draw(unsigned char out[32], int depth)
{
    int fds[2];
    pid_t pid;
    int status = 0;
    CHECK(pipe(fds) == 0);
    pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        unsigned char mine[32], deeper[32];
        close(fds[0]);
        if (secip_random(mine, sizeof mine) != 0)
            _exit(2);
        if (depth > 0) { /* the grandchild must differ from the child */
            child_draw(deeper, depth - 1);
            if (memcmp(mine, deeper, 32) == 0)
                _exit(3);
        }
        if (write(fds[1], mine, sizeof mine) != (ssize_t)sizeof mine)
            _exit(4);
        _exit(0);
    }
    close(fds[1]);
    CHECK(read(fds[0], out, 32) == 32);
    close(fds[0]);
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(void)
{
    unsigned char warm[16], parent[32], child[32];
    CHECK_OK(secip_random(warm, sizeof warm)); /* a live state to inherit */
    child_draw(child, 1);
    CHECK_OK(secip_random(parent, sizeof parent));
    CHECK(memcmp(parent, child, sizeof parent) != 0);
    tu_log("parent, child and grandchild drew different bytes");
    tu_log("ok");
    return 0;
}
