/*
 * tools/secip/progress.h -- progress of a long operation on stderr: a bar
 * redrawn in place with '\r' on a terminal, plain lines otherwise (logs and
 * pipes get a line at each 10% step, at most one a second, and the last).
 */
#ifndef SECIP_TOOLS_PROGRESS_H
#define SECIP_TOOLS_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

typedef struct cli_progress {
    FILE *out;
    int tty;            /* redraw one line instead of printing lines */
    uint64_t t0_ns;     /* clock when the first update came */
    uint64_t done0;     /* bytes already done then (a resumed transfer) */
    uint64_t last_ns;   /* clock of the last line or redraw */
    unsigned last_step; /* 10% step of the last plain line, +1; 0: none */
    int started, finished;
} cli_progress;

/** Start reporting on out; tty says whether out is a terminal. */
void cli_progress_init(cli_progress *p, FILE *out, int tty);

/**
 * Report that done of total bytes are done.  Draws at most every 100 ms on
 * a terminal; elsewhere prints as described above.  One thread at a time.
 */
void cli_progress_update(cli_progress *p, uint64_t done, uint64_t total);

/**
 * Finish: draw the final state (done of total) and end the bar's line.
 * Later updates are ignored.
 */
void cli_progress_finish(cli_progress *p, uint64_t done, uint64_t total);

#endif /* SECIP_TOOLS_PROGRESS_H */
