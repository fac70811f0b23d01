/*
 * platform/common/postq.c -- the cross-thread queue behind spl_loop_post(),
 * shared by both backends.
 *
 * Producers (any thread) append under the queue's mutex, which is held only
 * for a few pointer stores; the allocation happens before the lock.  The
 * loop's thread takes the whole list in one swap and runs it unlocked, so a
 * posted function may itself post without deadlocking.
 *
 * Wake-ups: push reports whether the queue was empty.  Only the push that
 * makes it non-empty has to wake the loop (eventfd / IOCP packet); later
 * pushes find it non-empty, which means the wake-up for the item in front
 * of them is on its way (or the loop has not yet taken the list), and the
 * loop will take them together with that item.  The loop must take the list
 * only after it has consumed the wake-up (read the eventfd / dequeued the
 * packet), or a push in between could lose its wake-up.
 *
 * spl_postq_run() keeps taking the list until it finds it empty, as
 * common.h promises; a posted function that re-posts itself forever would
 * therefore keep the loop in here, so posters must not do that.
 */
#include <limits.h>
#include <stdlib.h>

#include "common/common.h"
#include "error.h"

int spl_postq_init(spl_postq *q)
{
    int rc;

    q->head = NULL;
    q->tail = NULL;
    q->lock = NULL;
    rc = spl_mutex_new(&q->lock);
    if (rc < 0)
        return rc;
    return 0;
}

void spl_postq_fini(spl_postq *q)
{
    spl_post_item *it = q->head;

    while (it != NULL) {
        spl_post_item *next = it->next;
        free(it);
        it = next;
    }
    q->head = NULL;
    q->tail = NULL;
    spl_mutex_free(q->lock);
    q->lock = NULL;
}

int spl_postq_push(spl_postq *q, spl_post_fn fn, void *arg)
{
    spl_post_item *it;
    int was_empty;

    it = malloc(sizeof(*it));
    if (it == NULL)
        return sp_error_set(SECIP_ENOMEM, "spl_loop_post: out of memory");
    it->next = NULL;
    it->fn = fn;
    it->arg = arg;

    spl_mutex_lock(q->lock);
    was_empty = q->head == NULL;
    if (was_empty)
        q->head = it;
    else
        q->tail->next = it;
    q->tail = it;
    spl_mutex_unlock(q->lock);
    return was_empty ? 1 : 0;
}

/* Detach the whole list under the lock. */
static spl_post_item *take_all(spl_postq *q)
{
    spl_post_item *list;

    spl_mutex_lock(q->lock);
    list = q->head;
    q->head = NULL;
    q->tail = NULL;
    spl_mutex_unlock(q->lock);
    return list;
}

int spl_postq_run(spl_postq *q)
{
    int count = 0;
    spl_post_item *list;

    while ((list = take_all(q)) != NULL) {
        while (list != NULL) {
            spl_post_item *next = list->next;
            spl_post_fn fn = list->fn;
            void *arg = list->arg;

            /* Free first: fn may free memory or stop the loop. */
            free(list);
            fn(arg);
            if (count < INT_MAX)
                count++;
            list = next;
        }
    }
    return count;
}
