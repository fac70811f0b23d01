/*
 * sdk/src/ca/throttle.c -- exponential back-off after failed logins, per
 * user and per source address.  A bounded table: when full, the entry idle
 * longest is reused, so a flood of fresh keys cannot exhaust memory.
 */
#include <stdlib.h>
#include <string.h>

#include "ca/ca_internal.h"
#include "error.h"

#define TH_SLOTS   4096
#define TH_KEY_MAX 96

typedef struct th_entry {
    char key[TH_KEY_MAX];
    uint32_t fails;
    uint64_t last_ms;  /* time of the last failure */
    uint64_t until_ms; /* no attempt before this */
} th_entry;

struct sp_throttle {
    spl_mutex *mu;
    uint32_t base_ms, max_ms, window_ms;
    th_entry *slots;
};

int sp_throttle_new(sp_throttle **out)
{
    sp_throttle *t = calloc(1, sizeof *t);
    if (t != NULL)
        t->slots = calloc(TH_SLOTS, sizeof *t->slots);
    if (t == NULL || t->slots == NULL || spl_mutex_new(&t->mu) < 0) {
        if (t != NULL)
            free(t->slots);
        free(t);
        return sp_error_set(SECIP_ENOMEM, "out of memory");
    }
    t->base_ms = 1000;
    t->max_ms = 15u * 60u * 1000u;
    t->window_ms = 3600u * 1000u;
    *out = t;
    return 0;
}

void sp_throttle_free(sp_throttle *t)
{
    if (t == NULL)
        return;
    spl_mutex_free(t->mu);
    free(t->slots);
    free(t);
}

void sp_throttle_config(sp_throttle *t, uint32_t base_ms, uint32_t max_ms,
                        uint32_t window_ms)
{
    spl_mutex_lock(t->mu);
    t->base_ms = base_ms;
    t->max_ms = max_ms;
    t->window_ms = window_ms;
    spl_mutex_unlock(t->mu);
}

/* The live entry for key, expiring it after the window; or NULL. */
static th_entry *find(sp_throttle *t, const char *key, uint64_t now)
{
    for (size_t i = 0; i < TH_SLOTS; i++) {
        th_entry *e = &t->slots[i];
        if (e->fails == 0 || strncmp(e->key, key, TH_KEY_MAX - 1) != 0)
            continue;
        /* The window starts when the back-off ends, so that a back-off
         * longer than the window still doubles on the next failure. */
        if (now >= e->until_ms && now - e->until_ms >= t->window_ms) {
            e->fails = 0;
            return NULL;
        }
        return e;
    }
    return NULL;
}

uint64_t sp_throttle_check(sp_throttle *t, const char *key)
{
    uint64_t now = spl_clock_ms(), wait = 0;
    spl_mutex_lock(t->mu);
    th_entry *e = find(t, key, now);
    if (e != NULL && e->until_ms > now)
        wait = e->until_ms - now;
    spl_mutex_unlock(t->mu);
    return wait;
}

void sp_throttle_fail(sp_throttle *t, const char *key)
{
    uint64_t now = spl_clock_ms();
    spl_mutex_lock(t->mu);
    th_entry *e = find(t, key, now);
    if (e == NULL) {
        th_entry *victim = &t->slots[0];
        for (size_t i = 0; i < TH_SLOTS; i++) {
            th_entry *c = &t->slots[i];
            if (c->fails == 0) {
                victim = c;
                break;
            }
            if (c->last_ms < victim->last_ms)
                victim = c;
        }
        e = victim;
        memset(e, 0, sizeof *e);
        strncpy(e->key, key, TH_KEY_MAX - 1);
    }
    if (e->fails < 64)
        e->fails++;
    uint64_t delay = t->base_ms;
    for (uint32_t i = 1; i < e->fails && delay < t->max_ms; i++)
        delay *= 2;
    if (delay > t->max_ms)
        delay = t->max_ms;
    e->last_ms = now;
    e->until_ms = now + delay;
    spl_mutex_unlock(t->mu);
}

void sp_throttle_clear(sp_throttle *t, const char *key)
{
    spl_mutex_lock(t->mu);
    th_entry *e = find(t, key, spl_clock_ms());
    if (e != NULL)
        e->fails = 0;
    spl_mutex_unlock(t->mu);
}
