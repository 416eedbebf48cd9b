/* SPDX-License-Identifier: MIT */
/*
 * serve.c: `buddy serve`, the web playground over HTTP on 127.0.0.1 for
 * those who prefer a URL to opening build/web/index.html from disk.
 *
 * Deliberately small: one thread, one request per connection, HTTP/1.0.
 * GET or HEAD of / or /index.html returns the page (read from disk on each
 * request, so a rebuild shows on reload); a query string or fragment is
 * ignored. Any other path is 404, any other method 405 with Allow.
 * Only the loopback address is bound: the playground is never exposed to the
 * network. The page is self-contained, so nothing else needs serving.
 */
#define _GNU_SOURCE
#include "cli.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* The page next to this binary in a build tree (build/tools/buddy/buddy ->
 * build/web/index.html), else build/web/index.html under the current
 * directory. */
static void default_page(char *out, size_t size)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

    if (n > 0) {
        exe[n] = '\0';
        snprintf(out, size, "%s/../../web/index.html", dirname(exe));
        if (access(out, R_OK) == 0)
            return;
    }
    snprintf(out, size, "build/web/index.html");
}

static void send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

/* Status line and headers, then the body unless the request was a HEAD:
 * a HEAD answer carries the Content-Length its GET would. `extra` is more
 * header lines, each ending in CRLF, or "". */
static void respond(int fd, bool head_only, const char *status,
                    const char *extra, const char *type, const char *body,
                    size_t len)
{
    char head[256];
    int n = snprintf(head, sizeof(head),
                     "HTTP/1.0 %s\r\n%sContent-Type: %s\r\n"
                     "Content-Length: %zu\r\nCache-Control: no-store\r\n"
                     "Connection: close\r\n\r\n",
                     status, extra, type, len);

    send_all(fd, head, (size_t)n);
    if (!head_only)
        send_all(fd, body, len);
}

/* Whether the request target names the page. The query string and the
 * fragment do not choose anything here: only the path is compared. */
static bool is_page_path(const char *target)
{
    size_t n = strcspn(target, "?#");

    return (n == 1 && target[0] == '/') ||
           (n == 11 && strncmp(target, "/index.html", 11) == 0);
}

/* Read the request line, answer it. */
static void serve_one(int fd, const char *page)
{
    char req[2048], method[16], path[1024];
    size_t got = 0;
    bool head_only;
    FILE *f;

    while (got < sizeof(req) - 1) {
        ssize_t r = recv(fd, req + got, sizeof(req) - 1 - got, 0);

        if (r <= 0)
            break;
        got += (size_t)r;
        req[got] = '\0';
        if (strstr(req, "\r\n\r\n") != NULL || strstr(req, "\n\n") != NULL)
            break;
    }
    req[got] = '\0';
    if (sscanf(req, "%15s %1023s", method, path) != 2) {
        respond(fd, false, "400 Bad Request", "", "text/plain",
                "bad request\n", 12);
        return;
    }
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        respond(fd, false, "405 Method Not Allowed", "Allow: GET, HEAD\r\n",
                "text/plain", "GET only\n", 9);
        return;
    }
    head_only = strcmp(method, "HEAD") == 0;
    if (!is_page_path(path)) {
        respond(fd, head_only, "404 Not Found", "", "text/plain",
                "not found\n", 10);
        return;
    }
    f = fopen(page, "rb");
    if (f == NULL) {
        respond(fd, head_only, "500 Internal Server Error", "", "text/plain",
                "page missing: run make playground\n", 34);
        return;
    }
    {
        char *body = NULL;
        size_t len = 0, cap = 0;
        size_t r;

        do {
            if (len == cap) {
                char *nb = realloc(body, cap = cap ? cap * 2 : 1 << 16);

                if (nb == NULL)
                    break;
                body = nb;
            }
            r = fread(body + len, 1, cap - len, f);
            len += r;
        } while (r > 0);
        fclose(f);
        respond(fd, head_only, "200 OK", "", "text/html; charset=utf-8", body,
                len);
        free(body);
    }
}

int cli_serve_main(int argc, char **argv, enum cli_color color)
{
    char page[PATH_MAX];
    unsigned long port = 8000;
    int once = 0, fd, one = 1;
    struct sockaddr_in addr;
    socklen_t alen = sizeof(addr);
    struct stat st;

    (void)color;
    default_page(page, sizeof(page));
    for (int i = 1; i < argc; i++) {
        char *end;

        if ((strcmp(argv[i], "--port") == 0 ||
             strcmp(argv[i], "--page") == 0) && i + 1 == argc) {
            fprintf(stderr, "buddy: serve: option '%s' needs a value\n",
                    argv[i]);
            return CLI_EXIT_USAGE;
        }
        if (strcmp(argv[i], "--port") == 0) {
            errno = 0;
            port = strtoul(argv[++i], &end, 10);
            if (errno != 0 || *end != '\0' || argv[i][0] < '0' ||
                argv[i][0] > '9' || port > 65535) {
                fprintf(stderr, "buddy: serve: --port must be 0..65535, got "
                                "'%s'\n", argv[i]);
                return CLI_EXIT_USAGE;
            }
        } else if (strcmp(argv[i], "--page") == 0) {
            snprintf(page, sizeof(page), "%s", argv[++i]);
        } else if (strcmp(argv[i], "--once") == 0) {
            once = 1;
        } else {
            fprintf(stderr, "buddy: serve: unknown option '%s'\n", argv[i]);
            return CLI_EXIT_USAGE;
        }
    }
    if (stat(page, &st) != 0 || access(page, R_OK) != 0) {
        fprintf(stderr, "buddy: serve: cannot read %s: %s (run make "
                        "playground, or give --page FILE)\n",
                page, strerror(errno));
        return CLI_EXIT_USAGE;
    }
    /* A directory opens and reads as nothing, and a FIFO would block the
     * server on open: only a regular file is a page. */
    if (!S_ISREG(st.st_mode)) {
        fprintf(stderr, "buddy: serve: cannot serve %s: %s (give --page "
                        "FILE)\n",
                page, S_ISDIR(st.st_mode) ? "it is a directory"
                                          : "not a regular file");
        return CLI_EXIT_USAGE;
    }
    signal(SIGPIPE, SIG_IGN);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        perror("buddy: serve: socket");
        return CLI_EXIT_FAILED;
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
        listen(fd, 16) != 0 ||
        getsockname(fd, (struct sockaddr *)&addr, &alen) != 0) {
        fprintf(stderr, "buddy: serve: cannot listen on 127.0.0.1:%lu: %s\n",
                port, strerror(errno));
        close(fd);
        return CLI_EXIT_FAILED;
    }
    printf("serving %s at http://127.0.0.1:%u/\n", page, ntohs(addr.sin_port));
    fflush(stdout);
    do {
        int c = accept(fd, NULL, NULL);

        if (c < 0) {
            if (errno == EINTR)
                continue;
            perror("buddy: serve: accept");
            close(fd);
            return CLI_EXIT_FAILED;
        }
        serve_one(c, page);
        close(c);
    } while (!once);
    close(fd);
    return CLI_EXIT_OK;
}
