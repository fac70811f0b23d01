/*
 * sdk/src/spare.h -- internal: a one-pointer slot for keeping one freed
 * buffer for reuse, shared by every thread without a lock.
 *
 * Bulk traffic frees a large buffer and allocates one of the same size
 * right after, often on another thread; glibc then trims and re-grows its
 * heap each time (page faults, brk).  The received-message path
 * (session/message.c) and the send queue (net/session_queue.c) each keep
 * one such buffer in a slot.
 *
 * Thread-safety: any thread; a pointer taken out belongs to the taker.
 */
#ifndef SP_SPARE_H
#define SP_SPARE_H

#include <stdint.h>

#include "platform.h"

/** Take the slot's pointer (NULL when empty); the slot is left empty. */
static inline void *sp_spare_take(spl_atomic *slot)
{
    int64_t v;
    do {
        v = spl_atomic_load(slot);
        if (v == 0)
            return NULL;
    } while (!spl_atomic_cas(slot, v, 0));
    return (void *)(intptr_t)v;
}

/** Put p in the slot if it is empty: 1 when kept (the caller must not
 *  free p), 0 when the slot was taken (the caller frees p). */
static inline int sp_spare_put(spl_atomic *slot, void *p)
{
    return spl_atomic_cas(slot, 0, (int64_t)(intptr_t)p);
}

#endif /* SP_SPARE_H */
