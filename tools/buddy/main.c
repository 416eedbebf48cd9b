/* SPDX-License-Identifier: MIT */
/*
 * main.c: the `buddy` command's front door: global options, dispatch to the
 * subcommands (demo.c, run.c), usage and version, and the colour decision
 * every subcommand shares.
 *
 * Exit statuses: 0 success, 1 a script line (or a demo self-check) failed
 * or the output could not be written, 2 usage errors: unknown subcommand or
 * option, unreadable file. A usage error is one line on stderr that names
 * what is wrong and points at `buddy help`; the whole text is for asking.
 *
 * Output errors are checked once, here, for every subcommand: stdout is
 * flushed and closed after the subcommand returns, so a full disk or a
 * closed pipe anywhere in its output is an error (status 1 and a message
 * on stderr), never a silent success.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "render.h"
#include "script.h"

/* The script language's part of the usage, from the interpreter's own
 * command table: a usage of up to 17 columns shares its line with the
 * help, a longer one has the help on the lines below. */
static void script_usage(FILE *out)
{
    const struct buddy_script_doc *d;
    size_t i;

    fprintf(out,
            "script commands, one per line of at most %u bytes; blank lines\n"
            "are skipped, a word starting with # starts a comment, and a "
            "UTF-8\n"
            "byte-order mark at the start of the script is skipped:\n",
            BUDDY_SCRIPT_LINE_MAX);
    for (i = 0; (d = buddy_script_command_doc(i)) != NULL; i++) {
        const char *h = d->help;

        if (strlen(d->usage) <= 17)
            fprintf(out, "  %-19s", d->usage);
        else
            fprintf(out, "  %s\n%21s", d->usage, "");
        for (; *h != '\0'; h++) {
            fputc(*h, out);
            if (*h == '\n')
                fprintf(out, "%21s", "");
        }
        /* The limit is this command's: its map hook draws no more. */
        if (strcmp(d->name, "map") == 0)
            fprintf(out, " (<= %u pages)", RENDER_MAX_PAGES);
        fputc('\n', out);
    }
    fprintf(out,
            "  Numbers are decimal or 0x hex; ORDER and MAXORDER are 0..%u.\n",
            BUDDY_MAX_ORDER_LIMIT);
}

void cli_usage(FILE *out)
{
    fputs(
        "usage: buddy [--color | --no-color] COMMAND [ARGS]\n"
        "\n"
        "The Linux kernel's buddy page allocator (libbuddy), to watch and to\n"
        "script.\n"
        "\n"
        "commands:\n"
        "  demo [fragmentation | tenants] [--color | --no-color]\n"
        "        a guided walk through the algorithm on a 16-page zone: a\n"
        "        request that splits, the buddy XOR rule, frees that merge;\n"
        "        free_area[] and the page map are drawn after every step.\n"
        "        fragmentation: two zones, with grouping by mobility and\n"
        "        without, under the same workload, pageblock by pageblock.\n"
        "        tenants: a server's tenants on one zone, one of them\n"
        "        noisy, without limits and with memory.high and .max\n"
        "  run [--json] [--stop-on-error] [--color | --no-color] [FILE]\n"
        "        run an allocator script from FILE, or from stdin when FILE\n"
        "        is missing or \"-\"\n"
        "  serve [--port N] [--page FILE] [--once]\n"
        "        serve the web playground (build/web/index.html, made by\n"
        "        make playground) at http://127.0.0.1:N/ (default 8000; 0\n"
        "        picks a free port); loopback only. --once: one request\n"
        "  exec [--stats] PROGRAM [ARGS...]\n"
        "        run PROGRAM with libbuddy's malloc preloaded (the\n"
        "        libbuddy-malloc.so built beside this command, or\n"
        "        BUDDY_MALLOC_LIB); --stats: buddyinfo, pagetypeinfo and\n"
        "        slabinfo on stderr when it exits\n"
        "  help  this text (also --help, -h)\n"
        "  version\n"
        "        print the version (also --version)\n"
        "\n",
        out);
    script_usage(out);
    fputs(
        "\n"
        "errors in scripts: a line that fails -- malformed, before the first\n"
        "zone, or refused by the allocator (a double free, a free of a hole,\n"
        "...) -- is reported with its line number, as\n"
        "\"buddy: line N: CMD: message\" on stderr, and the run goes on with\n"
        "the next line: the allocator changes nothing on an error, so one\n"
        "trace shows every problem. The exit status is then 1.\n"
        "--stop-on-error stops at the first failing line instead.\n"
        "A failed `zone` line leaves no zone if there was none, and the\n"
        "lines after it that need one name it. Script text in a message is\n"
        "cut to 80 characters (then \"...\"), with control characters and\n"
        "bytes that are not UTF-8 escaped (\\x1b, \\u009b).\n"
        "--json writes one JSON object per command line, errors included,\n"
        "on stdout instead of text, e.g.\n"
        "  {\"line\":3,\"cmd\":\"alloc\",\"ok\":true,\"order\":1,\"pfn\":2}\n"
        "  {\"line\":4,\"cmd\":\"free\",\"ok\":false,\"error\":\"EDOUBLEFREE\","
        "\"message\":...}\n"
        "\n"
        "exit status: 0 success, 1 a script line failed or the output could\n"
        "not be written, 2 usage error (unknown command or option,\n"
        "unreadable file).\n"
        "\n"
        "colour: used when stdout is a terminal, NO_COLOR is unset or empty\n"
        "and TERM is not \"dumb\"; --color and --no-color override.\n",
        out);
}

int cli_usage_error(const char *fmt, const char *a, const char *b)
{
    char qa[BUDDY_QUOTE_SIZE], qb[BUDDY_QUOTE_SIZE];

    fputs("buddy: ", stderr);
    fprintf(stderr, fmt, a != NULL ? buddy_quote_text(qa, a, strlen(a)) : "",
            b != NULL ? buddy_quote_text(qb, b, strlen(b)) : "");
    fputs(" (see 'buddy help')\n", stderr);
    return CLI_EXIT_USAGE;
}

bool cli_parse_color_flag(const char *arg, enum cli_color *choice)
{
    if (strcmp(arg, "--color") == 0 || strcmp(arg, "--colour") == 0)
        *choice = CLI_COLOR_ALWAYS;
    else if (strcmp(arg, "--no-color") == 0 || strcmp(arg, "--no-colour") == 0)
        *choice = CLI_COLOR_NEVER;
    else
        return false;
    return true;
}

bool cli_use_color(enum cli_color choice, FILE *out)
{
    const char *no_color, *term;

    if (choice != CLI_COLOR_AUTO)
        return choice == CLI_COLOR_ALWAYS;
    no_color = getenv("NO_COLOR");
    if (no_color != NULL && no_color[0] != '\0')
        return false;
    term = getenv("TERM");
    if (term != NULL && strcmp(term, "dumb") == 0)
        return false;
    return isatty(fileno(out)) != 0;
}

static int print_version(void)
{
    printf("buddy %d.%d.%d\n", BUDDY_VERSION_MAJOR, BUDDY_VERSION_MINOR,
           BUDDY_VERSION_PATCH);
    return CLI_EXIT_OK;
}

/* The errno of a write that failed before the end, when the writer
 * kept it (0: none kept). */
static int write_errno;

void cli_help(void)
{
    /* The text is longer than stdio's buffer, so a write can fail on the
     * way: its errno is kept here, before later calls lose it. */
    errno = 0;
    cli_usage(stdout);
    if (ferror(stdout))
        write_errno = errno;
}

static int dispatch(int argc, char **argv)
{
    enum cli_color color = CLI_COLOR_AUTO;
    const char *cmd;
    int i = 1;

    /* Global options before the subcommand; only colour is global. */
    while (i < argc && cli_parse_color_flag(argv[i], &color))
        i++;
    if (i == argc) {
        fputs("usage: buddy [--color | --no-color] COMMAND [ARGS] (no "
              "COMMAND given; see 'buddy help')\n",
              stderr);
        return CLI_EXIT_USAGE;
    }
    cmd = argv[i];
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 ||
        strcmp(cmd, "-h") == 0) {
        cli_help();
        return CLI_EXIT_OK;
    }
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0)
        return print_version();
    if (strcmp(cmd, "demo") == 0)
        return cli_demo_main(argc - i, argv + i, color);
    if (strcmp(cmd, "run") == 0)
        return cli_run_main(argc - i, argv + i, color);
    if (strcmp(cmd, "serve") == 0)
        return cli_serve_main(argc - i, argv + i, color);
    if (strcmp(cmd, "exec") == 0)
        return cli_exec_main(argc - i, argv + i);
    return cli_usage_error("unknown command '%s'", cmd, NULL);
}

/* Flush and close stdout: 0, or -1 with the write's errno in *err (0 when
 * the stream only remembers an error whose errno is gone). */
static int close_stdout(int *err)
{
    bool failed = false;

    *err = 0;
    errno = 0;
    if (fflush(stdout) != 0) {
        *err = errno;
        failed = true;
    }
    if (ferror(stdout) != 0) {
        failed = true;
        if (*err == 0)
            *err = write_errno;
    }
    errno = 0;
    if (fclose(stdout) != 0 && !failed) {
        *err = errno;
        failed = true;
    }
    return failed ? -1 : 0;
}

int main(int argc, char **argv)
{
    int status = dispatch(argc, argv);
    int e;

    if (close_stdout(&e) != 0) {
        if (e != 0)
            fprintf(stderr, "buddy: write error: %s\n", strerror(e));
        else
            fputs("buddy: write error\n", stderr);
        if (status == CLI_EXIT_OK)
            status = CLI_EXIT_FAILED;
    }
    return status;
}
