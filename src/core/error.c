/* SPDX-License-Identifier: MIT */
/*
 * error.c: the one table of error codes (BUDDY_ERRNO_MAP in buddy.h) turned
 * into text, the names of the enums the API reports, and the version.
 */
#include "internal.h"

unsigned buddy_version(void)
{
    return BUDDY_VERSION_MAJOR * 10000u + BUDDY_VERSION_MINOR * 100u +
           BUDDY_VERSION_PATCH;
}

const char *buddy_strerror(int err)
{
    switch (err) {
    case 0:
        return "success";
#define BUDDY_STRERROR_CASE_(name, value, text)                                \
    case BUDDY_##name:                                                         \
        return text;
        BUDDY_ERRNO_MAP(BUDDY_STRERROR_CASE_)
#undef BUDDY_STRERROR_CASE_
    default:
        return "unknown error";
    }
}

const char *buddy_errname(int err)
{
    switch (err) {
    case 0:
        return "OK";
#define BUDDY_ERRNAME_CASE_(name, value, text)                                 \
    case BUDDY_##name:                                                         \
        return #name;
        BUDDY_ERRNO_MAP(BUDDY_ERRNAME_CASE_)
#undef BUDDY_ERRNAME_CASE_
    default:
        return "EUNKNOWN";
    }
}

const char *buddy_block_kind_name(enum buddy_block_kind kind)
{
    switch (kind) {
    case BUDDY_BLOCK_HOLE:
        return "hole";
    case BUDDY_BLOCK_FREE:
        return "free";
    case BUDDY_BLOCK_ALLOCATED:
        return "allocated";
    case BUDDY_BLOCK_RESERVED:
        return "reserved";
    case BUDDY_BLOCK_INFLIGHT:
        return "inflight";
    case BUDDY_BLOCK_CACHED:
        return "cached";
    }
    return "unknown";
}

const char *buddy_event_name(enum buddy_event_type type)
{
    switch (type) {
    case BUDDY_EV_ALLOC:
        return "alloc";
    case BUDDY_EV_FREE:
        return "free";
    case BUDDY_EV_SPLIT:
        return "split";
    case BUDDY_EV_MERGE:
        return "merge";
    case BUDDY_EV_FALLBACK:
        return "fallback";
    case BUDDY_EV_FAIL:
        return "fail";
    case BUDDY_EV_REJECT:
        return "reject";
    case BUDDY_EV_ADD_RANGE:
        return "add_range";
    case BUDDY_EV_RESERVE:
        return "reserve";
    case BUDDY_EV_EXTFRAG:
        return "extfrag";
    case BUDDY_EV_WMARK:
        return "wmark";
    case BUDDY_EV_RESIZE:
        return "resize";
    }
    return "unknown";
}
