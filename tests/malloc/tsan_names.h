/* SPDX-License-Identifier: MIT */
/*
 * tsan_names.h: the malloc's entry points under other names, for the build
 * of forker.c under ThreadSanitizer (included first in every file of it).
 * TSan replaces the C library's malloc with its own, so libbuddy-malloc
 * cannot serve a TSan program under its real names; under these, the
 * program calls the same code (src/malloc/malloc.c, every lock and fork
 * handler of it) while TSan watches its threads, and TSan's malloc serves
 * the C library and TSan itself.
 */
#define malloc bm_malloc
#define free bm_free
#define calloc bm_calloc
#define realloc bm_realloc
#define reallocarray bm_reallocarray
#define memalign bm_memalign
#define aligned_alloc bm_aligned_alloc
#define posix_memalign bm_posix_memalign
#define valloc bm_valloc
#define pvalloc bm_pvalloc
#define malloc_usable_size bm_malloc_usable_size
#define malloc_trim bm_malloc_trim
#define mallinfo2 bm_mallinfo2
#define mallinfo bm_mallinfo
#define mallopt bm_mallopt
#define malloc_stats bm_malloc_stats
#define __libc_malloc bm___libc_malloc
#define __libc_free bm___libc_free
#define __libc_calloc bm___libc_calloc
#define __libc_realloc bm___libc_realloc
#define __libc_memalign bm___libc_memalign
#define __libc_valloc bm___libc_valloc
#define __libc_pvalloc bm___libc_pvalloc
