/*
 * sdk/src/crypto/rng.c -- the shared HMAC-DRBG (see rng.h) and the public
 * secip_random().
 */
#include "crypto/rng.h"

#include <string.h>

#include "crypto/util.h"
#include "error.h"
#include "platform.h"
#include "secip/random.h"

/* Reseed from the OS after this much output: bounds how long a compromise
 * of the DRBG state (e.g. a memory disclosure) keeps predicting output. */
#define SP_RNG_RESEED_BYTES (1u << 20)
#define SP_RNG_SEED_LEN     48

enum { RNG_UNINIT = 0, RNG_BUSY = 1, RNG_READY = 2 };

static spl_atomic g_state;
static spl_mutex *g_lock;
static br_hmac_drbg_context g_drbg;
static size_t g_since_reseed;
static uint64_t g_pid; /* the process the state was last seeded in */

/* Runs once, by the thread that won the state race. */
static int rng_init_once(void)
{
    unsigned char seed[SP_RNG_SEED_LEN];
    int rc = spl_random(seed, sizeof seed);
    if (rc < 0)
        return sp_error_wrap(SECIP_EIO, "cannot seed the random generator");
    rc = spl_mutex_new(&g_lock);
    if (rc < 0) {
        sp_wipe(seed, sizeof seed);
        return rc;
    }
    br_hmac_drbg_init(&g_drbg, &br_sha256_vtable, seed, sizeof seed);
    sp_wipe(seed, sizeof seed);
    g_since_reseed = 0;
    g_pid = spl_proc_id();
    return 0;
}

int sp_rng_ready(void)
{
    /* A tiny once-guard on the platform's atomics: C11 call_once is not
     * available under MSVC's C mode.  Losers of the race wait for the
     * winner; a failed init returns the state to UNINIT so a later call can
     * retry. */
    for (unsigned spins = 0;; spins++) {
        int64_t s = spl_atomic_load(&g_state);
        if (s == RNG_READY)
            return 0;
        if (s == RNG_UNINIT && spl_atomic_cas(&g_state, RNG_UNINIT, RNG_BUSY)) {
            int rc = rng_init_once();
            spl_atomic_store(&g_state, rc < 0 ? RNG_UNINIT : RNG_READY);
            return rc;
        }
        spl_sleep_ms(spins < 10 ? 0 : 1);
    }
}

/* A fork()ed child starts with a copy of its parent's state, so without
 * this both would produce the same "random" bytes (keys, nonces, TLS
 * randoms).  The child mixes in fresh OS entropy and its own pid (which
 * differs even if the OS source failed) before its first output. */
static void rng_fork_check_locked(void)
{
    unsigned char fresh[SP_RNG_SEED_LEN + 8];
    uint64_t pid = spl_proc_id();
    if (pid == g_pid)
        return;
    memset(fresh, 0, sizeof fresh);
    (void)spl_random(fresh, SP_RNG_SEED_LEN);
    for (int i = 0; i < 8; i++)
        fresh[SP_RNG_SEED_LEN + i] = (unsigned char)(pid >> (8 * i));
    br_hmac_drbg_update(&g_drbg, fresh, sizeof fresh);
    sp_wipe(fresh, sizeof fresh);
    g_pid = pid;
    g_since_reseed = 0;
}

/* Caller holds g_lock. */
static void rng_generate_locked(void *buf, size_t len)
{
    rng_fork_check_locked();
    if (g_since_reseed >= SP_RNG_RESEED_BYTES) {
        unsigned char fresh[32];
        /* A failed reseed keeps the (still sound) old state: the DRBG's
         * security does not depend on reseeding, only its recovery does. */
        if (spl_random(fresh, sizeof fresh) == 0)
            br_hmac_drbg_update(&g_drbg, fresh, sizeof fresh);
        sp_wipe(fresh, sizeof fresh);
        g_since_reseed = 0;
    }
    br_hmac_drbg_generate(&g_drbg, buf, len);
    g_since_reseed += len;
}

int sp_random(void *buf, size_t len)
{
    if (len == 0)
        return 0;
    int rc = sp_rng_ready();
    if (rc < 0)
        return rc;
    spl_mutex_lock(g_lock);
    rng_generate_locked(buf, len);
    spl_mutex_unlock(g_lock);
    return 0;
}

int sp_rng_child(br_hmac_drbg_context *ctx)
{
    unsigned char seed[32];
    int rc = sp_random(seed, sizeof seed);
    if (rc < 0)
        return rc;
    br_hmac_drbg_init(ctx, &br_sha256_vtable, seed, sizeof seed);
    sp_wipe(seed, sizeof seed);
    return 0;
}

/* ---- the shared generator as a br_prng_class ------------------------- */

static void prng_init(const br_prng_class **ctx, const void *params,
                      const void *seed, size_t seed_len);
static void prng_generate(const br_prng_class **ctx, void *out, size_t len);
static void prng_update(const br_prng_class **ctx, const void *seed,
                        size_t seed_len);

static const br_prng_class shared_prng_vtable = {
    sizeof(const br_prng_class *), prng_init, prng_generate, prng_update};
static const br_prng_class *shared_prng = &shared_prng_vtable;

static void prng_update(const br_prng_class **ctx, const void *seed,
                        size_t seed_len)
{
    (void)ctx;
    if (sp_rng_ready() < 0 || seed_len == 0)
        return;
    spl_mutex_lock(g_lock);
    br_hmac_drbg_update(&g_drbg, seed, seed_len);
    spl_mutex_unlock(g_lock);
}

static void prng_init(const br_prng_class **ctx, const void *params,
                      const void *seed, size_t seed_len)
{
    (void)params;
    /* The object is shared: "init" must not reset it, only add input. */
    prng_update(ctx, seed, seed_len);
}

static void prng_generate(const br_prng_class **ctx, void *out, size_t len)
{
    (void)ctx;
    if (sp_random(out, len) < 0) {
        /* Unreachable once sp_rng_ready() succeeded (see rng.h); never
         * hand out predictable bytes silently all the same. */
        sp_wipe(out, len);
    }
}

const br_prng_class **sp_rng_prng(void)
{
    return &shared_prng;
}

int secip_random(void *buf, size_t len)
{
    if (buf == NULL && len > 0)
        return sp_error_set(SECIP_EINVAL, "secip_random: buf is NULL");
    return sp_random(buf, len);
}
