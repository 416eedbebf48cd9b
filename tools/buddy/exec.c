/* SPDX-License-Identifier: MIT */
/*
 * exec.c: `buddy exec [--stats] PROGRAM [ARGS...]`: run a program with
 * libbuddy's malloc preloaded (LD_PRELOAD, before anything already
 * there), and with --stats have it print buddyinfo, pagetypeinfo and
 * slabinfo when it exits (BUDDY_MALLOC_STATS=1).
 *
 * The library is BUDDY_MALLOC_LIB when set, else the libbuddy-malloc.so
 * this command was built beside (its path is compiled in). The program
 * replaces this process, as env(1) does; a program that cannot be run
 * exits 127, as the shell's.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef BUDDY_MALLOC_PATH
#define BUDDY_MALLOC_PATH ""
#endif

#define EXIT_CANNOT_RUN 127

int cli_exec_main(int argc, char **argv)
{
    const char *lib = getenv("BUDDY_MALLOC_LIB");
    const char *old = getenv("LD_PRELOAD");
    int i = 1, stats = 0;
    char *preload;
    size_t n;

    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--stats") == 0)
            stats = 1;
        else if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else
            return cli_usage_error("exec: unknown option '%s'", argv[i], NULL);
    }
    if (i == argc)
        return cli_usage_error("exec: no PROGRAM given", NULL, NULL);
    if (lib == NULL || lib[0] == '\0')
        lib = BUDDY_MALLOC_PATH;
    if (lib[0] == '\0' || access(lib, R_OK) != 0) {
        fprintf(stderr, "buddy: exec: cannot read the malloc library '%s' "
                        "(set BUDDY_MALLOC_LIB to libbuddy-malloc.so)\n", lib);
        return EXIT_CANNOT_RUN;
    }
    n = strlen(lib) + (old != NULL ? strlen(old) + 1 : 0) + 1;
    preload = malloc(n);
    if (preload == NULL) {
        fputs("buddy: exec: out of memory\n", stderr);
        return EXIT_CANNOT_RUN;
    }
    if (old != NULL && old[0] != '\0')
        snprintf(preload, n, "%s:%s", lib, old);
    else
        snprintf(preload, n, "%s", lib);
    if (setenv("LD_PRELOAD", preload, 1) != 0 ||
        (stats && setenv("BUDDY_MALLOC_STATS", "1", 1) != 0)) {
        fprintf(stderr, "buddy: exec: %s\n", strerror(errno));
        free(preload);
        return EXIT_CANNOT_RUN;
    }
    free(preload);
    execvp(argv[i], argv + i);
    fprintf(stderr, "buddy: exec: %s: %s\n", argv[i], strerror(errno));
    return EXIT_CANNOT_RUN;
}
