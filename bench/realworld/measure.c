/* SPDX-License-Identifier: MIT */
/*
 * measure.c: `measure OUT COMMAND [ARG...]` runs COMMAND, its standard
 * streams passed through, and writes one line to the file OUT:
 *
 *   <wall seconds> <peak RSS in KiB> <exit status>
 *
 * The wall time runs from just before the fork to the reap. The peak RSS
 * is getrusage(RUSAGE_CHILDREN)'s ru_maxrss: the largest resident set any
 * single process of COMMAND's tree reached, among those that were waited
 * for (for a script, its biggest program's; never a sum). The status is
 * the exit code, or 128 + the signal that killed it. measure exits with
 * that status. It allocates nothing between fork and reap, and is meant to
 * run unpreloaded (the command sets LD_PRELOAD itself, with env), so that
 * only the command's processes are counted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct timespec t0, t1;
    struct rusage ru;
    FILE *out;
    pid_t pid;
    int st, status;

    if (argc < 3) {
        fprintf(stderr, "usage: measure OUT COMMAND [ARG...]\n");
        return 2;
    }
    out = fopen(argv[1], "w"); /* opened first: a bad OUT fails before the run */
    if (out == NULL) {
        fprintf(stderr, "measure: %s: %s\n", argv[1], strerror(errno));
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid = fork();
    if (pid < 0) {
        perror("measure: fork");
        return 2;
    }
    if (pid == 0) {
        fclose(out);
        execvp(argv[2], argv + 2);
        fprintf(stderr, "measure: %s: %s\n", argv[2], strerror(errno));
        _exit(127);
    }
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) {
            perror("measure: waitpid");
            return 2;
        }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (getrusage(RUSAGE_CHILDREN, &ru) != 0) {
        perror("measure: getrusage");
        return 2;
    }
    status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    fprintf(out, "%.3f %ld %d\n",
            (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
            ru.ru_maxrss, status);
    if (fclose(out) != 0) {
        fprintf(stderr, "measure: %s: %s\n", argv[1], strerror(errno));
        return 2;
    }
    return status;
}
