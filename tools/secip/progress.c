/*
 * tools/secip/progress.c -- the progress bar of `secip send --file` (see
 * progress.h).  Rates are decimal megabytes per second, measured from the
 * first update, so a resumed transfer's skipped prefix does not inflate
 * them.
 */
#include "progress.h"

#include <string.h>

#include "platform.h"

#define BAR_WIDTH 24
#define NS_PER_S  1000000000ull
#define REDRAW_NS (NS_PER_S / 10) /* terminal redraws: 10 per second */
#define LINE_NS   NS_PER_S        /* plain lines: at most one a second */

void cli_progress_init(cli_progress *p, FILE *out, int tty)
{
    memset(p, 0, sizeof *p);
    p->out = out;
    p->tty = tty;
}

/* Percent done, 0..100 (100 for an empty file). */
static unsigned percent(uint64_t done, uint64_t total)
{
    if (total == 0 || done >= total)
        return 100;
    /* done < total <= 2^64-1: divide first to stay in range. */
    if (total > UINT64_MAX / 100)
        return (unsigned)(done / (total / 100));
    return (unsigned)(done * 100 / total);
}

/* Bytes per second since the first update (0 until measurable). */
static double rate(const cli_progress *p, uint64_t done, uint64_t now)
{
    double secs = (double)(now - p->t0_ns) / (double)NS_PER_S;
    if (secs < 0.05 || done <= p->done0)
        return 0.0;
    return (double)(done - p->done0) / secs;
}

/* "m:ss" or "h:mm:ss" into buf (64 bytes fit any value); "--:--" when
 * unknown. */
static void format_eta(char *buf, size_t cap, uint64_t left, double bps)
{
    double secs;
    unsigned long s;
    if (bps <= 0.0) {
        snprintf(buf, cap, "--:--");
        return;
    }
    secs = (double)left / bps;
    if (secs > 359999.0)
        secs = 359999.0;
    s = (unsigned long)(secs + 0.5);
    if (s >= 3600)
        snprintf(buf, cap, "%lu:%02lu:%02lu", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(buf, cap, "%lu:%02lu", s / 60, s % 60);
}

static void draw_bar(cli_progress *p, uint64_t done, uint64_t total,
                     uint64_t now)
{
    char bar[BAR_WIDTH + 1], eta[64];
    unsigned pct = percent(done, total);
    unsigned fill = pct * BAR_WIDTH / 100;
    double bps = rate(p, done, now);

    for (unsigned i = 0; i < BAR_WIDTH; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[BAR_WIDTH] = '\0';
    format_eta(eta, sizeof eta, total > done ? total - done : 0, bps);
    /* Trailing spaces erase what a longer previous line left behind. */
    fprintf(p->out, "\r[%s] %3u%% %.1f/%.1f MB %7.1f MB/s ETA %s   ", bar, pct,
            (double)done / 1e6, (double)total / 1e6, bps / 1e6, eta);
    fflush(p->out);
}

static void print_line(cli_progress *p, uint64_t done, uint64_t total,
                       uint64_t now)
{
    char eta[64];
    double bps = rate(p, done, now);

    format_eta(eta, sizeof eta, total > done ? total - done : 0, bps);
    fprintf(p->out, "progress: %3u%% %llu of %llu bytes, %.1f MB/s, ETA %s\n",
            percent(done, total), (unsigned long long)done,
            (unsigned long long)total, bps / 1e6, eta);
    fflush(p->out);
}

void cli_progress_update(cli_progress *p, uint64_t done, uint64_t total)
{
    uint64_t now = spl_clock_ns();
    unsigned step = percent(done, total) / 10 + 1;

    if (p->finished)
        return;
    if (!p->started) {
        p->started = 1;
        p->t0_ns = now;
        p->done0 = done;
    }
    if (p->tty) {
        if (p->last_ns == 0 || now - p->last_ns >= REDRAW_NS) {
            p->last_ns = now;
            draw_bar(p, done, total, now);
        }
        return;
    }
    /* A new 10% step, and a second since the last line (the first line
     * is printed at once). */
    if (step > p->last_step &&
        (p->last_step == 0 || now - p->last_ns >= LINE_NS)) {
        p->last_step = step;
        p->last_ns = now;
        print_line(p, done, total, now);
    }
}

void cli_progress_finish(cli_progress *p, uint64_t done, uint64_t total)
{
    uint64_t now = spl_clock_ns();

    if (p->finished)
        return;
    if (!p->started) {
        p->started = 1;
        p->t0_ns = now;
        p->done0 = 0;
    }
    p->finished = 1;
    if (p->tty) {
        draw_bar(p, done, total, now);
        fputc('\n', p->out);
        fflush(p->out);
    } else if (p->last_step != percent(done, total) / 10 + 1 ||
               p->last_step == 0) {
        print_line(p, done, total, now);
    }
}
