/*
 * platform/posix/posix_term.c -- reading a password from the terminal
 * without echo (spl_read_password).
 *
 * The prompt goes to and the line comes from the controlling terminal
 * (/dev/tty), so that a redirected stdout never receives the prompt.  Echo
 * is switched off with termios (ECHO cleared, canonical mode kept so that
 * the line editing keys still work) and switched back on before returning.
 * A SIGINT, SIGTERM, SIGHUP or SIGQUIT while the prompt waits would leave
 * the shell without echo, so for the duration of the read a handler
 * restores the saved terminal settings (tcsetattr is async-signal-safe),
 * puts back the previous disposition and raises the signal again.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "platform.h"
#include "posix_error.h"

#define NSIGS 4
static const int sigs[NSIGS] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

/* State for the signal handler: one prompt at a time per process. */
static volatile sig_atomic_t tty_fd = -1;
static struct termios saved_tio;
static struct sigaction old_act[NSIGS];

static void on_signal(int sig)
{
    int saved_errno = errno;
    if (tty_fd >= 0)
        (void)tcsetattr(tty_fd, TCSAFLUSH, &saved_tio);
    for (int i = 0; i < NSIGS; i++)
        if (sigs[i] == sig)
            (void)sigaction(sig, &old_act[i], NULL);
    (void)raise(sig);
    errno = saved_errno;
}

static void catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < NSIGS; i++) {
        (void)sigaction(sigs[i], NULL, &old_act[i]);
        if (old_act[i].sa_handler != SIG_IGN)
            (void)sigaction(sigs[i], &sa, NULL);
    }
}

static void release_signals(void)
{
    for (int i = 0; i < NSIGS; i++)
        if (old_act[i].sa_handler != SIG_IGN)
            (void)sigaction(sigs[i], &old_act[i], NULL);
}

static void put_text(int fd, const char *s)
{
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

/* Read one line into buf; returns its length or a negative code. */
static int read_line(int fd, char *buf, size_t cap)
{
    size_t n = 0;
    int too_long = 0;
    for (;;) {
        char ch;
        ssize_t r = read(fd, &ch, 1);
        if (r < 0)
            return spl__os_error_as(SECIP_EIO, errno,
                                    "reading the password from the terminal");
        if (r == 0 || ch == '\n')
            break;
        if (ch == '\r')
            continue;
        if (n + 1 < cap)
            buf[n++] = ch;
        else
            too_long = 1;
    }
    buf[n] = '\0';
    if (too_long) {
        memset(buf, 0, cap);
        return sp_error_set(SECIP_ETOOBIG, "password longer than %zu bytes",
                            cap - 1);
    }
    return (int)n;
}

int spl_read_password(const char *prompt, char *buf, size_t cap)
{
    struct termios tio;
    int fd, rc, own = 1;

    if (buf == NULL || cap < 2 || cap > 65536)
        return sp_error_set(SECIP_EINVAL, "spl_read_password: bad buffer");
    buf[0] = '\0';
    if (!isatty(STDIN_FILENO))
        return sp_error_set(SECIP_ENOTSUP,
                            "standard input is not a terminal: cannot read "
                            "a password without echo");
    fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        fd = STDIN_FILENO; /* no controlling terminal: stdin is one */
        own = 0;
    }
    if (tcgetattr(fd, &saved_tio) != 0) {
        rc = spl__os_error_as(SECIP_ENOTSUP, errno,
                              "cannot read the terminal settings");
        if (own)
            close(fd);
        return rc;
    }
    tio = saved_tio;
    tio.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK);
    tio.c_lflag |= ICANON;
    tty_fd = fd;
    catch_signals();
    /* Echo off before the prompt: whatever is typed once the prompt shows
     * must not be echoed (TCSAFLUSH drops only what was typed before). */
    if (tcsetattr(fd, TCSAFLUSH, &tio) != 0) {
        rc = spl__os_error_as(SECIP_EIO, errno, "cannot switch echo off");
    } else {
        if (prompt != NULL)
            put_text(own ? fd : STDERR_FILENO, prompt);
        rc = read_line(fd, buf, cap);
        (void)tcsetattr(fd, TCSAFLUSH, &saved_tio);
        /* The user's Enter was not echoed: end the prompt's line. */
        put_text(own ? fd : STDERR_FILENO, "\n");
    }
    release_signals();
    tty_fd = -1;
    if (own)
        close(fd);
    return rc;
}
