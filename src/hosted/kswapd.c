/* SPDX-License-Identifier: MIT */
/*
 * kswapd.c: a background reclaimer for a buddy_system, the kernel's kswapd
 * (mm/vmscan.c) on one pthread (include/buddy/hosted.h).
 *
 * The core stays freestanding: it calls the system's kswapd callback when
 * an allocation finds every zone below its low mark, or boosts a zone's
 * marks, and offers buddy_system_balance_node for a thread to run. This
 * file is that thread. The callback runs on allocating threads, several
 * at once and with no zone lock held: it records the request under the
 * reclaimer's mutex, merged per node as the kernel's kswapd_order and
 * kswapd_highest_zoneidx are (the largest order and the largest zone index
 * asked since the last run), and signals the condition variable. The
 * thread takes every recorded node, drops the mutex, balances each one,
 * and looks again: a wake that came during a run is served by the next
 * one, so none is lost and a burst of wakes costs one run per node.
 *
 * Event-driven, as the kernel's: the thread sleeps until woken and never
 * polls. Free memory only falls below a low mark through an allocation,
 * and every allocation that sees it calls the callback, so a timer would
 * only run balances that find the node balanced. (The kernel's kswapd
 * also sleeps briefly before it sleeps for good, to catch a node that
 * falls again at once; here the next allocation's wake does that.)
 *
 * Locking: the mutex guards the requests and the stop flag; it is never
 * held while the thread balances, nor taken by the core. A balance takes
 * each zone's lock inside the core and calls the shrinkers with none
 * held, on this thread while direct reclaims may call them on others.
 * Cost: a wake is one mutex round trip and a signal, on the allocation's
 * slow path only.
 */
#include "buddy/hosted.h"

#include <pthread.h>
#include <stdlib.h>

struct buddy_kswapd {
    struct buddy_system *sys;   /* the system it balances */
    pthread_mutex_t lock;       /* guards everything below */
    pthread_cond_t wake;        /* signalled by a wake and by stop */
    pthread_t thread;
    bool stop;                  /* buddy_kswapd_stop asked the thread out */
    uint32_t pending;           /* nodes woken since the thread last looked,
                                   bit nid each */
    unsigned order[BUDDY_MAX_NUMNODES];   /* per pending node: the largest
                                             order asked */
    unsigned highest[BUDDY_MAX_NUMNODES]; /* per pending node: the largest
                                             zone index asked */
};

_Static_assert(BUDDY_MAX_NUMNODES <= 32, "a node is one bit of pending");

/* The system's kswapd callback: record (nid, order, highest_zone_idx) and
 * wake the thread. Any thread, no zone lock held. */
static void kswapd_wake(void *arg, unsigned nid, unsigned order,
                        unsigned highest_zone_idx)
{
    struct buddy_kswapd *k = arg;
    uint32_t bit;

    if (nid >= BUDDY_MAX_NUMNODES)
        return;
    bit = (uint32_t)1 << nid;
    pthread_mutex_lock(&k->lock);
    if (!(k->pending & bit) || order > k->order[nid])
        k->order[nid] = order;
    if (!(k->pending & bit) || highest_zone_idx > k->highest[nid])
        k->highest[nid] = highest_zone_idx;
    k->pending |= bit;
    pthread_cond_signal(&k->wake);
    pthread_mutex_unlock(&k->lock);
}

/* The thread: sleep until woken, balance every woken node, again until
 * stopped. A request refused by the core (ENODE for a node the system does
 * not have) changes nothing and is dropped. */
static void *kswapd_main(void *arg)
{
    struct buddy_kswapd *k = arg;

    pthread_mutex_lock(&k->lock);
    for (;;) {
        unsigned order[BUDDY_MAX_NUMNODES], highest[BUDDY_MAX_NUMNODES];
        uint32_t pending;
        unsigned nid;

        while (!k->stop && k->pending == 0)
            pthread_cond_wait(&k->wake, &k->lock);
        if (k->stop)
            break;
        pending = k->pending;
        k->pending = 0;
        for (nid = 0; nid < BUDDY_MAX_NUMNODES; nid++) {
            order[nid] = k->order[nid];
            highest[nid] = k->highest[nid];
        }
        pthread_mutex_unlock(&k->lock);
        for (nid = 0; nid < BUDDY_MAX_NUMNODES; nid++)
            if (pending & (uint32_t)1 << nid)
                (void)buddy_system_balance_node(k->sys, nid, highest[nid],
                                                order[nid], NULL);
        pthread_mutex_lock(&k->lock);
    }
    pthread_mutex_unlock(&k->lock);
    return NULL;
}

int buddy_kswapd_start(struct buddy_system *sys, struct buddy_kswapd **out)
{
    struct buddy_kswapd *k;

    if (sys == NULL || out == NULL)
        return BUDDY_ENULL;
    k = calloc(1, sizeof(*k));
    if (k == NULL)
        return BUDDY_ENOMEM;
    k->sys = sys;
    if (pthread_mutex_init(&k->lock, NULL) != 0) {
        free(k);
        return BUDDY_ENOMEM;
    }
    if (pthread_cond_init(&k->wake, NULL) != 0) {
        pthread_mutex_destroy(&k->lock);
        free(k);
        return BUDDY_ENOMEM;
    }
    if (pthread_create(&k->thread, NULL, kswapd_main, k) != 0) {
        pthread_cond_destroy(&k->wake);
        pthread_mutex_destroy(&k->lock);
        free(k);
        return BUDDY_ENOMEM;
    }
    /* Only now, with the thread there to serve it: a failed start leaves
     * the system's callback as it was. */
    (void)buddy_system_set_kswapd(sys, kswapd_wake, k);
    *out = k;
    return 0;
}

void buddy_kswapd_stop(struct buddy_kswapd *k)
{
    if (k == NULL)
        return;
    /* No allocation runs now (the caller's promise), so no callback is in
     * flight: clear it, then let the thread finish its run and go. */
    (void)buddy_system_set_kswapd(k->sys, NULL, NULL);
    pthread_mutex_lock(&k->lock);
    k->stop = true;
    pthread_cond_signal(&k->wake);
    pthread_mutex_unlock(&k->lock);
    pthread_join(k->thread, NULL);
    pthread_cond_destroy(&k->wake);
    pthread_mutex_destroy(&k->lock);
    free(k);
}
