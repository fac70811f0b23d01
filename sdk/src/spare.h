/*
 * sdk/src/spare.h -- internal: a small shelf of freed buffers kept
 * for reuse, shared by every thread without a lock.
 *
 * Bulk traffic frees large buffers and allocates ones of the same size
 * right after, usually on another thread.  glibc then trims and re-grows
 * its heap over and over: a bulk sender of 256 KiB messages took about
 * 47,000 page faults per 2 GiB with a one-buffer slot, because up to six
 * queue nodes are in flight below the default high-water mark.  The
 * received-message path (session/message.c) and the send queue
 * (net/session_queue.c: large nodes, and the shared nodes of small
 * messages) each keep a shelf: at most SP_SPARES_SLOTS buffers and
 * SP_SPARES_BUDGET bytes, process-wide.
 *
 * Thread-safety: any thread; a pointer taken out belongs to the taker.
 */
#ifndef SP_SPARE_H
#define SP_SPARE_H

#include <stddef.h>
#include <stdint.h>

#include "platform.h"

#define SP_SPARES_SLOTS  32
#define SP_SPARES_BUDGET (4u * 1024u * 1024u)

typedef struct sp_spares {
    spl_atomic slot[SP_SPARES_SLOTS]; /* a buffer pointer, or 0 */
    spl_atomic bytes;                 /* capacity kept on the shelf */
} sp_spares;

/** Take any kept buffer (NULL when the shelf is empty).  The caller then
 *  calls sp_spares_taken() with its capacity, and frees it if it does not
 *  fit (so a shelf of an old size drains instead of staying forever). */
static inline void *sp_spares_take(sp_spares *sh)
{
    for (int i = 0; i < SP_SPARES_SLOTS; i++) {
        int64_t v = spl_atomic_load(&sh->slot[i]);
        if (v != 0 && spl_atomic_cas(&sh->slot[i], v, 0))
            return (void *)(intptr_t)v;
    }
    return NULL;
}

/** Account for a buffer of capacity cap taken out of the shelf. */
static inline void sp_spares_taken(sp_spares *sh, size_t cap)
{
    spl_atomic_add(&sh->bytes, -(int64_t)cap);
}

/** Whether a kept buffer of capacity cap should serve a request for len
 *  bytes: big enough, and at most four times too big, so that a large
 *  buffer is not spent on a small message. */
static inline int sp_spares_fits(size_t cap, size_t len)
{
    return cap >= len && cap / 4 <= len;
}

/** Keep p (capacity cap) if the shelf has room: 1 when kept (the caller
 *  must not free p), 0 when full (the caller frees p). */
static inline int sp_spares_put(sp_spares *sh, void *p, size_t cap)
{
    if (spl_atomic_add(&sh->bytes, (int64_t)cap) <= (int64_t)SP_SPARES_BUDGET)
        for (int i = 0; i < SP_SPARES_SLOTS; i++)
            if (spl_atomic_cas(&sh->slot[i], 0, (int64_t)(intptr_t)p))
                return 1;
    spl_atomic_add(&sh->bytes, -(int64_t)cap);
    return 0;
}

#endif /* SP_SPARE_H */
