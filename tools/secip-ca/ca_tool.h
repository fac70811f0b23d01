/*
 * tools/secip-ca/ca_tool.h -- shared pieces of the secip-ca program.
 */
#ifndef SECIP_CA_TOOL_H
#define SECIP_CA_TOOL_H

#include <stddef.h>
#include <stdint.h>

/** Global options (before the command). */
typedef struct ca_opts {
    const char *dir;
    const char *password_file;
    uint32_t iterations; /* 0 = default */
} ca_opts;

/** Print "secip-ca: <fmt...>" on stderr; returns 1. */
int ca_fail(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/**
 * The password for user `name`: the first line of --password-file, else
 * the SECIP_PASSWORD environment variable, else typed on the terminal
 * without echo (twice when confirm is set, for a new password); never a
 * command-line argument.  Returns 0, or 1 after printing why.  Wipe buf
 * after use.
 */
int ca_read_password(const ca_opts *o, const char *name, int confirm, char *buf,
                     size_t cap);

int ca_cmd_user(const ca_opts *o, int argc, char **argv);
int ca_cmd_revoke(const ca_opts *o, int argc, char **argv);
int ca_cmd_issued(const ca_opts *o, int argc, char **argv);
int ca_cmd_serve(const ca_opts *o, int argc, char **argv);
int ca_cmd_init(const ca_opts *o, int argc, char **argv);

#endif
