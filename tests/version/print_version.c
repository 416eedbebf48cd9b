/* SPDX-License-Identifier: MIT */
/* print_version.c: what buddy_version() says, for tests/version/check.sh. */
#include <stdio.h>

#include "buddy/buddy.h"

int main(void)
{
    printf("%u\n", buddy_version());
    return 0;
}
