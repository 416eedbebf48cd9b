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
 *
 * DECISION: the one thread serves up to SERVE_MAX_CONN connections at once,
 * from one poll() loop over a fixed table, every socket non-blocking. A
 * client that stalls (connects and sends nothing, never ends its head,
 * never reads its answer) holds one slot until its deadline and delays no
 * one else. One connection at a time with SO_RCVTIMEO would be shorter, but
 * each stalled client would then stop every other for a whole timeout. The
 * table is allocated once, so memory is bounded by SERVE_MAX_CONN heads
 * plus the page copies being sent; when every slot is taken, the listening
 * socket leaves the poll set and new clients wait in the kernel's backlog
 * until a slot frees, by completion or by deadline.
 *
 * A connection goes READ -> SEND -> LINGER -> closed:
 *   READ    collect the request head (request line, headers, blank line),
 *           at most SERVE_HEAD_MAX bytes. More than that is answered 431, a
 *           NUL byte in it 400 at once, a head that has not ended
 *           SERVE_HEAD_TIMEOUT_MS after connecting 408 (or a plain close if
 *           not one byte came), a client that closes mid-head 400.
 *   SEND    the status line, headers and body, as fast as the socket takes
 *           them; a client that takes nothing for SERVE_SEND_TIMEOUT_MS is
 *           dropped. Sends use MSG_NOSIGNAL, so a client that goes away
 *           costs its connection, never the server.
 *   LINGER  our side is shut down; whatever the client still sends is read
 *           and dropped until it closes, for at most SERVE_LINGER_MS.
 *           Closing with unread input makes the kernel send a reset, which
 *           can destroy an answer the client has not read yet: a head over
 *           the limit, or bytes after the blank line, are that case.
 *
 * accept() errors about one pending connection (ECONNABORTED, EPROTO, the
 * network errors Linux passes on from it) are skipped; a shortage (EMFILE,
 * ENFILE, ENOBUFS, ENOMEM) or an error not named here rests the listening
 * socket SERVE_BACKOFF_MS, since poll() would report it ready again at once.
 * Only errors that say the listening socket itself is unusable (EBADF,
 * EINVAL, ENOTSOCK, EFAULT) end the server.
 *
 * --once ends the server when the first connection that got an answer,
 * whatever its status, is closed (after its linger, or when its client went
 * away); a connection closed without an answer, such as an idle one, does
 * not count. Other connections are then closed.
 */
#define _GNU_SOURCE
#include "cli.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SERVE_MAX_CONN 32           /* connections served at once */
#define SERVE_HEAD_MAX 16384        /* bytes of request line + headers */
#define SERVE_HEAD_TIMEOUT_MS 10000 /* from connect to the blank line */
#define SERVE_SEND_TIMEOUT_MS 10000 /* without one byte of the answer taken */
#define SERVE_LINGER_MS 2000        /* draining input after the answer */
#define SERVE_BACKOFF_MS 100        /* listener rests after EMFILE, ENOMEM */

#define SERVE_STR_(x) #x
#define SERVE_STR(x) SERVE_STR_(x) /* a number macro as a string literal */

enum conn_state {
    CONN_FREE,   /* slot unused, fd == -1 */
    CONN_READ,   /* collecting the request head */
    CONN_SEND,   /* sending head[] then body */
    CONN_LINGER  /* answer sent, write side shut, draining input */
};

/*
 * One client. Identities: sent <= head_len + body_len; got <= SERVE_HEAD_MAX;
 * req[0, scanned) holds no NUL and no blank line; answered is set exactly
 * when state has left CONN_READ.
 */
struct conn {
    int fd;                    /* the accepted socket, -1 when free */
    enum conn_state state;     /* see the file header */
    bool answered;             /* an answer was queued: counts for --once */
    int64_t deadline;          /* monotonic ms at which this state gives up */
    size_t got;                /* bytes of the request in req[] */
    size_t scanned;            /* req[0, scanned) checked by head_end() */
    char head[256];            /* status line and headers of the answer */
    size_t head_len;           /* bytes in head[] */
    const char *body;          /* static text or body_buf */
    char *body_buf;            /* the page read for this answer, or NULL */
    size_t body_len;           /* body bytes to send: 0 for HEAD */
    size_t sent;               /* bytes of head[] then body sent so far */
    char req[SERVE_HEAD_MAX];  /* the request head as it arrives */
};

struct server {
    int lfd;                   /* listening socket, non-blocking */
    const char *page;          /* path of the page, read per request */
    struct conn *conns;        /* SERVE_MAX_CONN slots */
    int nr_open;               /* slots not CONN_FREE */
    int nr_answered;           /* connections closed after an answer */
    int64_t accept_after;      /* listening socket rests until then */
    int last_errno;            /* last accept() error reported, 0 after a
                                * success: a run of one error prints once */
};

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

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Queue an answer: status line and headers, then `len` bytes of `body`
 * unless head_only (a HEAD carries the Content-Length its GET would).
 * `extra` is more header lines, each ending in CRLF, or "". */
static void respond(struct conn *c, bool head_only, const char *status,
                    const char *extra, const char *type, const char *body,
                    size_t len)
{
    int n = snprintf(c->head, sizeof(c->head),
                     "HTTP/1.0 %s\r\n%sContent-Type: %s\r\n"
                     "Content-Length: %zu\r\nCache-Control: no-store\r\n"
                     "Connection: close\r\n\r\n",
                     status, extra, type, len);

    c->head_len = (size_t)n;
    c->body = body;
    c->body_len = head_only ? 0 : len;
    /* status, extra and type are literals of this file, far below the
     * size of head[]: a cut head would be a bug here, so send nothing. */
    if (n < 0 || (size_t)n >= sizeof(c->head))
        c->head_len = c->body_len = 0;
    c->sent = 0;
    c->state = CONN_SEND;
    c->answered = true;
    c->deadline = now_ms() + SERVE_SEND_TIMEOUT_MS;
}

static void respond_text(struct conn *c, bool head_only, const char *status,
                         const char *extra, const char *text)
{
    respond(c, head_only, status, extra, "text/plain", text, strlen(text));
}

/* The page, whole, in a malloc'd buffer: 0, or -1 with errno set. Opened
 * non-blocking so that a FIFO put in the page's place cannot stall the
 * server; only a regular file is read. */
static int read_page(const char *page, char **out, size_t *out_len)
{
    int fd = open(page, O_RDONLY | O_CLOEXEC | O_NONBLOCK), e;
    struct stat st;
    char *buf = NULL;
    size_t len = 0, cap;

    if (fd < 0)
        return -1;
    if (fstat(fd, &st) != 0)
        goto fail;
    if (!S_ISREG(st.st_mode)) {
        errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
        goto fail;
    }
    /* One byte more than the size, so a file that did not change reaches
     * end of file without growing the buffer. */
    cap = (size_t)st.st_size + 1;
    buf = malloc(cap);
    if (buf == NULL)
        goto fail;
    for (;;) {
        ssize_t r;

        if (len == cap) {
            char *nb = realloc(buf, cap * 2);

            if (nb == NULL)
                goto fail;
            buf = nb;
            cap *= 2;
        }
        r = read(fd, buf + len, cap - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            goto fail;
        if (r == 0)
            break;
        len += (size_t)r;
    }
    close(fd);
    *out = buf;
    *out_len = len;
    return 0;
fail:
    e = errno;
    free(buf);
    close(fd);
    errno = e;
    return -1;
}

/* Whether the request target names the page. The query string and the
 * fragment do not choose anything here: only the path is compared. */
static bool is_page_path(const char *target, size_t len)
{
    size_t n = 0;

    while (n < len && target[n] != '?' && target[n] != '#')
        n++;
    return (n == 1 && target[0] == '/') ||
           (n == 11 && memcmp(target, "/index.html", 11) == 0);
}

/* Answer the complete head in req[0, end): request line "METHOD TARGET
 * [HTTP/x.y]"; the headers are not needed for anything. */
static void answer(struct server *s, struct conn *c, size_t end)
{
    const char *line = c->req, *sp, *target, *tsp;
    size_t line_len, mlen, rest, tlen;
    bool head_only;
    char *page = NULL;
    size_t page_len;

    line_len = (size_t)((const char *)memchr(line, '\n', end) - line);
    if (line_len > 0 && line[line_len - 1] == '\r')
        line_len--;
    sp = memchr(line, ' ', line_len);
    if (sp == NULL || sp == line) {
        respond_text(c, false, "400 Bad Request", "", "bad request line\n");
        return;
    }
    mlen = (size_t)(sp - line);
    target = sp + 1;
    rest = line_len - mlen - 1;
    tsp = memchr(target, ' ', rest);
    tlen = tsp != NULL ? (size_t)(tsp - target) : rest;
    if (tlen == 0 ||
        (tsp != NULL && (rest - tlen - 1 < 5 || memcmp(tsp + 1, "HTTP/", 5)))) {
        respond_text(c, false, "400 Bad Request", "", "bad request line\n");
        return;
    }
    head_only = mlen == 4 && memcmp(line, "HEAD", 4) == 0;
    if (!head_only && !(mlen == 3 && memcmp(line, "GET", 3) == 0)) {
        respond_text(c, false, "405 Method Not Allowed",
                     "Allow: GET, HEAD\r\n", "GET or HEAD only\n");
        return;
    }
    if (!is_page_path(target, tlen)) {
        respond_text(c, head_only, "404 Not Found", "", "not found\n");
        return;
    }
    if (read_page(s->page, &page, &page_len) != 0) {
        int e = errno;

        fprintf(stderr, "buddy: serve: cannot read %s: %s\n", s->page,
                strerror(e));
        respond_text(c, head_only, "500 Internal Server Error", "",
                     e == ENOENT ? "page missing: run make playground\n"
                                 : "page unreadable\n");
        return;
    }
    c->body_buf = page;
    respond(c, head_only, "200 OK", "", "text/html; charset=utf-8", page,
            page_len);
}

/* Scan the bytes of req[] not scanned yet: 1 with *end past the blank line
 * that ends the head, -1 for a NUL byte before it, 0 if the head goes on.
 * A line ends in LF or CRLF. Each byte is looked at once. */
static int head_end(struct conn *c, size_t *end)
{
    for (size_t i = c->scanned; i < c->got; i++) {
        if (c->req[i] == '\0')
            return -1;
        if (c->req[i] == '\n' && i >= 1 &&
            (c->req[i - 1] == '\n' ||
             (i >= 2 && c->req[i - 1] == '\r' && c->req[i - 2] == '\n'))) {
            *end = i + 1;
            return 1;
        }
    }
    c->scanned = c->got;
    return 0;
}

static void conn_close(struct server *s, struct conn *c)
{
    close(c->fd);
    free(c->body_buf);
    c->body_buf = NULL;
    c->fd = -1;
    c->state = CONN_FREE;
    s->nr_open--;
    if (c->answered)
        s->nr_answered++;
}

/* One recv() into the head; answers as soon as the head is decided. */
static void conn_read(struct server *s, struct conn *c)
{
    ssize_t r = recv(c->fd, c->req + c->got, sizeof(c->req) - c->got, 0);
    size_t end;
    int ended;

    if (r < 0) {
        if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)
            conn_close(s, c);
        return;
    }
    if (r == 0) {
        if (c->got == 0)
            conn_close(s, c);
        else
            respond_text(c, false, "400 Bad Request", "",
                         "request ended before its blank line\n");
        return;
    }
    c->got += (size_t)r;
    ended = head_end(c, &end);
    if (ended < 0)
        respond_text(c, false, "400 Bad Request", "", "NUL in request\n");
    else if (ended > 0)
        answer(s, c, end);
    else if (c->got == sizeof(c->req))
        respond_text(c, false, "431 Request Header Fields Too Large", "",
                     "request head over " SERVE_STR(SERVE_HEAD_MAX)
                     " bytes\n");
}

/* Send what the socket takes; when all is sent, shut our side and linger. */
static void conn_send(struct server *s, struct conn *c)
{
    while (c->sent < c->head_len + c->body_len) {
        const char *p;
        size_t n;
        ssize_t w;

        if (c->sent < c->head_len) {
            p = c->head + c->sent;
            n = c->head_len - c->sent;
        } else {
            p = c->body + (c->sent - c->head_len);
            n = c->head_len + c->body_len - c->sent;
        }
        w = send(c->fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (w <= 0) {
            conn_close(s, c);
            return;
        }
        c->sent += (size_t)w;
        c->deadline = now_ms() + SERVE_SEND_TIMEOUT_MS;
    }
    free(c->body_buf);
    c->body_buf = NULL;
    shutdown(c->fd, SHUT_WR);
    c->state = CONN_LINGER;
    c->deadline = now_ms() + SERVE_LINGER_MS;
}

/* One recv() of input nobody needs; the client's close ends the linger. */
static void conn_drain(struct server *s, struct conn *c)
{
    char sink[4096];
    ssize_t r = recv(c->fd, sink, sizeof(sink), 0);

    if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN &&
                   errno != EWOULDBLOCK))
        conn_close(s, c);
}

/* A deadline passed: a head that began gets 408, anything else is closed. */
static void conn_expire(struct server *s, struct conn *c)
{
    if (c->state == CONN_READ && c->got > 0)
        respond_text(c, false, "408 Request Timeout", "",
                     "request head not ended in time\n");
    else
        conn_close(s, c);
}

/* Errors of accept() that end the server: the listening socket is unusable. */
static bool accept_fatal(int e)
{
    return e == EBADF || e == EINVAL || e == ENOTSOCK || e == EFAULT;
}

/* Errors of accept() that concern one pending connection, which is gone:
 * the next one may be fine, so accept again at once. */
static bool accept_skip(int e)
{
    return e == ECONNABORTED || e == EPROTO || e == EPERM ||
           e == ENETDOWN || e == ENOPROTOOPT || e == EHOSTDOWN ||
           e == ENONET || e == EHOSTUNREACH || e == EOPNOTSUPP ||
           e == ENETUNREACH || e == ETIMEDOUT;
}

/* Take pending connections while a slot is free. Returns -1 only when the
 * listening socket is unusable. */
static int accept_some(struct server *s)
{
    while (s->nr_open < SERVE_MAX_CONN) {
        int fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        struct conn *c = s->conns;

        if (fd < 0) {
            int e = errno;

            if (e == EINTR)
                continue;
            if (e == EAGAIN || e == EWOULDBLOCK)
                return 0;
            if (accept_fatal(e)) {
                fprintf(stderr, "buddy: serve: accept: %s\n", strerror(e));
                return -1;
            }
            if (e != s->last_errno)
                fprintf(stderr, "buddy: serve: accept: %s%s\n", strerror(e),
                        accept_skip(e) ? "" : " (pausing, then going on)");
            s->last_errno = e;
            if (accept_skip(e))
                continue;
            s->accept_after = now_ms() + SERVE_BACKOFF_MS;
            return 0;
        }
        s->last_errno = 0;
        while (c->state != CONN_FREE)
            c++;
        c->fd = fd;
        c->state = CONN_READ;
        c->answered = false;
        c->deadline = now_ms() + SERVE_HEAD_TIMEOUT_MS;
        c->got = 0;
        c->scanned = 0;
        c->body_buf = NULL;
        s->nr_open++;
    }
    return 0;
}

/* The poll() loop; returns an exit status. */
static int serve_loop(struct server *s, bool once)
{
    struct pollfd pfd[SERVE_MAX_CONN + 1];
    struct conn *owner[SERVE_MAX_CONN + 1];

    while (!(once && s->nr_answered > 0)) {
        int64_t now = now_ms(), wake = INT64_MAX;
        int nfds = 0, timeout, r;

        if (s->nr_open < SERVE_MAX_CONN) {
            if (now >= s->accept_after) {
                pfd[nfds].fd = s->lfd;
                pfd[nfds].events = POLLIN;
                owner[nfds++] = NULL;
            } else {
                wake = s->accept_after;
            }
        }
        for (int i = 0; i < SERVE_MAX_CONN; i++) {
            struct conn *c = &s->conns[i];

            if (c->state == CONN_FREE)
                continue;
            pfd[nfds].fd = c->fd;
            pfd[nfds].events = c->state == CONN_SEND ? POLLOUT : POLLIN;
            owner[nfds++] = c;
            if (c->deadline < wake)
                wake = c->deadline;
        }
        if (wake == INT64_MAX)
            timeout = -1;
        else if (wake <= now)
            timeout = 0;
        else
            timeout = wake - now > INT_MAX ? INT_MAX : (int)(wake - now);
        r = poll(pfd, (nfds_t)nfds, timeout);
        if (r < 0 && errno != EINTR) {
            perror("buddy: serve: poll");
            return CLI_EXIT_FAILED;
        }
        for (int i = 0; r > 0 && i < nfds; i++) {
            struct conn *c = owner[i];

            if (pfd[i].revents == 0)
                continue;
            if (c == NULL) {
                if (accept_some(s) != 0)
                    return CLI_EXIT_FAILED;
            } else if (c->state == CONN_READ) {
                conn_read(s, c);
            } else if (c->state == CONN_SEND) {
                conn_send(s, c);
            } else if (c->state == CONN_LINGER) {
                conn_drain(s, c);
            }
        }
        now = now_ms();
        for (int i = 0; i < SERVE_MAX_CONN; i++) {
            struct conn *c = &s->conns[i];

            if (c->state != CONN_FREE && now >= c->deadline)
                conn_expire(s, c);
        }
    }
    return CLI_EXIT_OK;
}

int cli_serve_main(int argc, char **argv, enum cli_color color)
{
    char page[PATH_MAX];
    unsigned long port = 8000;
    int fd, one = 1, rc;
    bool once = false;
    struct server srv = { .lfd = -1 };
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
            once = true;
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
    srv.page = page;
    srv.conns = calloc(SERVE_MAX_CONN, sizeof(*srv.conns));
    if (srv.conns == NULL) {
        fprintf(stderr, "buddy: serve: out of memory\n");
        return CLI_EXIT_FAILED;
    }
    for (int i = 0; i < SERVE_MAX_CONN; i++)
        srv.conns[i].fd = -1;
    fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        perror("buddy: serve: socket");
        free(srv.conns);
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
        free(srv.conns);
        return CLI_EXIT_FAILED;
    }
    printf("serving %s at http://127.0.0.1:%u/\n", page, ntohs(addr.sin_port));
    fflush(stdout);
    srv.lfd = fd;
    rc = serve_loop(&srv, once);
    for (int i = 0; i < SERVE_MAX_CONN; i++)
        if (srv.conns[i].state != CONN_FREE)
            conn_close(&srv, &srv.conns[i]);
    close(fd);
    free(srv.conns);
    return rc;
}
