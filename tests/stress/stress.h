/* SPDX-License-Identifier: MIT */
/*
 * stress.h: what the stress programs share: the failure flag any thread
 * sets and its report (FAIL, prefixed with the program's STRESS_NAME,
 * defined before this is included), and a pthread mutex as a lock's
 * operations.
 */
#ifndef BUDDY_STRESS_H
#define BUDDY_STRESS_H

#include <pthread.h>
#include <stdio.h>

#ifndef STRESS_NAME
#error "define STRESS_NAME, the program's name in its reports"
#endif

static int failed; /* set by FAIL on any thread, read at the end */

#define FAIL(...)                                                              \
    do {                                                                       \
        fprintf(stderr, STRESS_NAME ": " __VA_ARGS__);                         \
        fputc('\n', stderr);                                                   \
        __atomic_store_n(&failed, 1, __ATOMIC_RELAXED);                        \
    } while (0)

static inline void mutex_lock(void *arg)
{
    pthread_mutex_lock(arg);
}

static inline void mutex_unlock(void *arg)
{
    pthread_mutex_unlock(arg);
}

#endif /* BUDDY_STRESS_H */
