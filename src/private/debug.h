/* SPDX-License-Identifier: MIT */
/*
 * debug.h: assertions in tiers selected by one debug level (BUDDY_DEBUG),
 * shared by every layer of the library.
 */
#ifndef BUDDY_PRIVATE_DEBUG_H
#define BUDDY_PRIVATE_DEBUG_H

#include "deps.h"

/* ---- assertions, in tiers selected by BUDDY_DEBUG ----------------------
 * 0: only the cheap checks on the public boundary (always on, they return
 *    errors rather than assert);
 * 1: + internal asserts on the hot paths;
 * 2: + expensive asserts (the full validator after each operation).
 * A disabled assert still type-checks its condition. */
#ifndef BUDDY_DEBUG
#define BUDDY_DEBUG 0
#endif

#define buddy_assert_never_(c) ((void)sizeof(!(c)))
#define buddy_assert_check_(c) (buddy_likely(c) ? (void)0 : buddy_trap())

#if BUDDY_DEBUG >= 1
#define buddy_assert_internal(c) buddy_assert_check_(c)
#else
#define buddy_assert_internal(c) buddy_assert_never_(c)
#endif

#if BUDDY_DEBUG >= 2
#define buddy_assert_expensive(c) buddy_assert_check_(c)
#else
#define buddy_assert_expensive(c) buddy_assert_never_(c)
#endif

#endif /* BUDDY_PRIVATE_DEBUG_H */
