/* SPDX-License-Identifier: MIT */
/*
 * util.h: what the bench programs share that is not a measurement: the
 * command line's number parsers, the seeded random numbers, the median,
 * callgrind's total, the CPU's name and the resident set. POSIX (strtok_r): define
 * _POSIX_C_SOURCE or _GNU_SOURCE before the first include.
 */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A whole decimal string into *out: 0, or -1 (empty, trailing junk, out
 * of range). */
static inline int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0')
        return -1;
    *out = v;
    return 0;
}

/* The process's resident set (/proc/self/statm), in KiB; -1 when it
 * cannot be read. */
static inline long statm_rss_kib(void)
{
    long size = 0, resident = -1;
    FILE *f = fopen("/proc/self/statm", "r");

    if (f == NULL)
        return -1;
    if (fscanf(f, "%ld %ld", &size, &resident) != 2)
        resident = -1;
    fclose(f);
    return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* splitmix64: small, seeded, the same sequence everywhere; *s is the
 * state. */
static inline uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static inline int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* The median of v[0..n) (sorted in place), NAN for none. */
static inline double median_of(double *v, unsigned n)
{
    if (n == 0)
        return NAN;
    qsort(v, n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

/* Instructions collected in one run: the "totals:" (or "summary:") line of
 * a callgrind output file; NAN if it has none. */
static inline double callgrind_total(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[512];
    double total = NAN;

    if (f == NULL)
        return NAN;
    while (fgets(line, sizeof(line), f) != NULL) {
        unsigned long long v;

        if (sscanf(line, "totals: %llu", &v) == 1 ||
            (isnan(total) && sscanf(line, "summary: %llu", &v) == 1))
            total = (double)v;
    }
    fclose(f);
    return total;
}

/* A comma separated list of names (each found by find: its index, or -1)
 * into a bit mask; -1 on an unknown name or none. */
static inline int parse_names(const char *s, int (*find)(const char *),
                              unsigned *mask)
{
    char buf[256], *tok, *save = NULL;

    snprintf(buf, sizeof(buf), "%s", s);
    *mask = 0;
    for (tok = strtok_r(buf, ",", &save); tok != NULL;
         tok = strtok_r(NULL, ",", &save)) {
        int i = find(tok);

        if (i < 0)
            return -1;
        *mask |= 1u << i;
    }
    return *mask != 0 ? 0 : -1;
}

/* The CPU's model name from /proc/cpuinfo, or "unknown CPU". */
static inline void cpu_model(char *buf, size_t size)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];

    snprintf(buf, size, "unknown CPU");
    while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
        char *colon = strchr(line, ':');

        if (strncmp(line, "model name", 10) == 0 && colon != NULL) {
            colon += 2;
            colon[strcspn(colon, "\n")] = '\0';
            snprintf(buf, size, "%s", colon);
            break;
        }
    }
    if (f != NULL)
        fclose(f);
}

/* The first three fields of /proc/loadavg into buf ("?" when unread):
 * how busy the machine was. */
static inline void read_load(char *buf, size_t size)
{
    FILE *f = fopen("/proc/loadavg", "r");
    double l[3];

    snprintf(buf, size, "?");
    if (f != NULL && fscanf(f, "%lf %lf %lf", &l[0], &l[1], &l[2]) == 3)
        snprintf(buf, size, "%.2f %.2f %.2f", l[0], l[1], l[2]);
    if (f != NULL)
        fclose(f);
}

/* A probe's answer in out ("PROBE library=PATH version=V", the line a
 * program run with `--probe` prints): PATH and V into lib and ver.
 * 0, or -1 when out holds no answer. Cuts out. */
static inline int parse_probe(char *out, char *lib, size_t lib_size,
                              char *ver, size_t ver_size)
{
    char *l = strstr(out, "library="), *v = strstr(out, " version=");

    if (l == NULL || v == NULL)
        return -1;
    *v = '\0';
    v += 9;
    v[strcspn(v, "\n")] = '\0';
    snprintf(lib, lib_size, "%s", l + 8);
    snprintf(ver, ver_size, "%s", v);
    return 0;
}

#endif /* BENCH_UTIL_H */
