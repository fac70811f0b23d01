/*
 * tools/secip/commands.h -- the subcommands of the `secip` program.
 *
 * Each subcommand group lives in its own file and exposes one entry point
 * with main()'s signature, where argv[0] is the subcommand's own name.
 * An entry point returns the process exit status: 0 on success, 1 on a
 * failure (after printing one line "secip: <reason>" on stderr), 2 on a
 * usage error.  To add a subcommand, declare it here and add a row to the
 * table in main.c.
 */
#ifndef SECIP_TOOLS_COMMANDS_H
#define SECIP_TOOLS_COMMANDS_H

#include <stdio.h>

/** `secip keygen --bits N --out NAME [--force]` (cmd_keygen.c). */
int cmd_keygen(int argc, char **argv);

/** `secip cert show FILE` (cmd_cert.c). */
int cmd_cert(int argc, char **argv);

/** `secip serve --listen HOST:PORT ...`: an echo server (cmd_serve.c). */
int cmd_serve(int argc, char **argv);

/** `secip send --connect HOST:PORT ...`: one echoed message (cmd_send.c). */
int cmd_send(int argc, char **argv);

/** `secip enroll --ca HOST:PORT ...`: certificate from a CA (cmd_enroll.c). */
int cmd_enroll(int argc, char **argv);

/** Print "secip: <fmt...>" and a newline on stderr; returns 1. */
int tool_fail(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/**
 * Print s on f with control characters and non-ASCII bytes escaped as
 * \xNN, so that text from hostile files cannot drive the terminal.
 */
void tool_print_safe(FILE *f, const char *s);

#endif /* SECIP_TOOLS_COMMANDS_H */
