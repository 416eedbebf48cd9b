/* SPDX-License-Identifier: MIT */
/*
 * script.c: the line runner of the script language (see script.h): the
 * lexer (words, numbers), the three stages of a line, and the writers that
 * hand a result or a failure to the caller's sink.
 *
 * A line costs one pass to find a NUL and its words, at most
 * BUDDY__SCRIPT_MAX_WORDS slices kept (the count goes on, so "too many" is
 * told from "just enough"), one scan of the command table, and one pass
 * over each number. Nothing is copied but the failure's message, which is
 * built into the state's fixed buffer and cut, never overrun.
 *
 * Numbers are read by hand rather than with a strtoull, which would accept
 * blanks, a '+' and even a '-' (wrapping "-1" to 2^64 - 1): a trace that
 * says "free -1" must be an error, not a free of the last pfn. Each digit
 * is checked against (UINT64_MAX - d) / base before the multiply, so the
 * value never wraps, whatever the width of the target's registers.
 */
#include "internal.h"

/* ---- words and numbers -------------------------------------------------- */

static size_t cstr_len(const char *s)
{
    size_t n = 0;

    while (s[n] != '\0')
        n++;
    return n;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

bool buddy__word_is(struct buddy__word w, const char *s)
{
    size_t i;

    for (i = 0; i < w.len; i++)
        if (s[i] == '\0' || s[i] != w.p[i])
            return false;
    return s[w.len] == '\0';
}

/* Split line[0..len) into words; a word starting with '#' ends the line.
 * Stores at most `max` and returns how many there are. */
static int split_words(const char *line, size_t len, struct buddy__word *w,
                       int max)
{
    size_t i = 0, start;
    int n = 0;

    for (;;) {
        while (i < len && is_blank(line[i]))
            i++;
        if (i == len || line[i] == '#')
            return n;
        start = i;
        while (i < len && !is_blank(line[i]))
            i++;
        if (n < max) {
            w[n].p = line + start;
            w[n].len = i - start;
        }
        n++;
    }
}

static int digit_value(char c, unsigned base)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (base == 16 && c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (base == 16 && c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool buddy__parse_u64(struct buddy__word w, uint64_t min, uint64_t max,
                      uint64_t *out)
{
    unsigned base = 10;
    uint64_t v = 0;
    size_t i = 0;

    if (w.len >= 2 && w.p[0] == '0' && (w.p[1] == 'x' || w.p[1] == 'X')) {
        base = 16;
        i = 2;
    }
    if (i == w.len)
        return false;
    for (; i < w.len; i++) {
        int d = digit_value(w.p[i], base);

        if (d < 0)
            return false;
        if (v > (UINT64_MAX - (uint64_t)d) / base)
            return false; /* would not fit 64 bits */
        v = v * base + (uint64_t)d;
    }
    if (v < min || v > max)
        return false;
    *out = v;
    return true;
}

/* Decimal digits of v, ending at end (which gets the NUL); returns the
 * first digit. */
static char *fmt_u64(char *end, uint64_t v)
{
    *end = '\0';
    do {
        *--end = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0);
    return end;
}

/* "%d.%03d" of mm/vmstat.c into buf (at least 16 bytes); returns it. */
static const char *fmt_milli(char *buf, int v)
{
    unsigned a = v < 0 ? 0u - (unsigned)v : (unsigned)v;
    char digits[12];
    const char *whole = fmt_u64(digits + sizeof(digits) - 1, a / 1000u);
    size_t n = 0;

    if (v < 0)
        buf[n++] = '-';
    while (*whole != '\0')
        buf[n++] = *whole++;
    buf[n++] = '.';
    buf[n++] = (char)('0' + a % 1000u / 100u);
    buf[n++] = (char)('0' + a % 100u / 10u);
    buf[n++] = (char)('0' + a % 10u);
    buf[n] = '\0';
    return buf;
}

/* ---- failures ------------------------------------------------------------ */

int buddy__script_fail(struct buddy_script *s, int code, const char *name)
{
    s->failure.code = code;
    s->failure.name = name;
    s->failure.message = s->msg;
    s->failure.from_core = false;
    s->failure.report = NULL;
    s->msg_len = 0;
    s->msg[0] = '\0';
    return code;
}

static void msg_bytes(struct buddy_script *s, const char *p, size_t len)
{
    size_t i;

    for (i = 0; i < len && s->msg_len + 1 < sizeof(s->msg); i++)
        s->msg[s->msg_len++] = p[i];
    s->msg[s->msg_len] = '\0';
}

void buddy__msg_str(struct buddy_script *s, const char *str)
{
    msg_bytes(s, str, cstr_len(str));
}

void buddy__msg_u64(struct buddy_script *s, uint64_t v)
{
    char digits[21];

    buddy__msg_str(s, fmt_u64(digits + sizeof(digits) - 1, v));
}

void buddy__msg_word(struct buddy_script *s, struct buddy__word w)
{
    char quoted[BUDDY_QUOTE_SIZE];

    buddy__msg_str(s, buddy_quote_text(quoted, w.p, w.len));
}

int buddy__script_fail_core(struct buddy_script *s, int err)
{
    buddy__script_fail(s, err, buddy_errname(err));
    buddy__msg_str(s, buddy_strerror(err));
    s->failure.from_core = true;
    return err;
}

int buddy__script_fail_hook(struct buddy_script *s, int err,
                            const struct buddy_script_refusal *why)
{
    if (why->name == NULL)
        return buddy__script_fail_core(s, err);
    buddy__script_fail(s, err, why->name);
    buddy__msg_str(s, why->message != NULL ? why->message : "");
    return err;
}

/* ---- results ------------------------------------------------------------- */

/* The sink learns of the result at its first piece, so that a command that
 * fails before any output sends only the failure. */
static void begin(struct buddy_script *s)
{
    if (s->begun)
        return;
    s->begun = true;
    if (s->sink->begin != NULL)
        s->sink->begin(s->sink->ctx, &s->line);
}

void buddy_script_put_text(struct buddy_script *s, const char *str,
                           size_t len)
{
    begin(s);
    if (s->sink->text != NULL && len > 0)
        s->sink->text(s->sink->ctx, str, len);
}

void buddy__out_str(struct buddy_script *s, const char *str)
{
    buddy_script_put_text(s, str, cstr_len(str));
}

static void out_spaces(struct buddy_script *s, size_t n)
{
    static const char spaces[] = "                ";

    while (n > 0) {
        size_t k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;

        buddy_script_put_text(s, spaces, k);
        n -= k;
    }
}

/* str right-aligned in `width` columns. */
static void out_right(struct buddy_script *s, const char *str, unsigned width)
{
    size_t len = cstr_len(str);

    if (width > len)
        out_spaces(s, width - len);
    buddy_script_put_text(s, str, len);
}

void buddy__out_u64(struct buddy_script *s, uint64_t v, unsigned width)
{
    char digits[21];

    out_right(s, fmt_u64(digits + sizeof(digits) - 1, v), width);
}

void buddy__out_milli(struct buddy_script *s, int v, unsigned width)
{
    char buf[16];

    out_right(s, fmt_milli(buf, v), width);
}

void buddy__out_padded(struct buddy_script *s, const char *str,
                       unsigned width)
{
    size_t len = cstr_len(str);

    buddy_script_put_text(s, str, len);
    if (width > len)
        out_spaces(s, width - len);
}

static void field(struct buddy_script *s, const struct buddy_script_field *f)
{
    begin(s);
    if (s->sink->field != NULL)
        s->sink->field(s->sink->ctx, f);
}

void buddy__field_u64(struct buddy_script *s, const char *key, uint64_t v)
{
    struct buddy_script_field f = {BUDDY_SCRIPT_U64, key, {.u64 = v}};

    field(s, &f);
}

void buddy__field_i64(struct buddy_script *s, const char *key, int64_t v)
{
    struct buddy_script_field f = {BUDDY_SCRIPT_I64, key, {.i64 = v}};

    field(s, &f);
}

void buddy__field_milli(struct buddy_script *s, const char *key, int v)
{
    struct buddy_script_field f = {BUDDY_SCRIPT_MILLI, key, {.milli = v}};

    field(s, &f);
}

void buddy_script_put_str(struct buddy_script *s, const char *key,
                          const char *value)
{
    struct buddy_script_field f = {BUDDY_SCRIPT_STR, key, {.str = value}};

    field(s, &f);
}

void buddy__field_open(struct buddy_script *s, enum buddy_script_kind kind,
                       const char *key)
{
    struct buddy_script_field f = {kind, key, {.u64 = 0}};

    field(s, &f);
}

void buddy__field_close(struct buddy_script *s)
{
    struct buddy_script_field f = {BUDDY_SCRIPT_CLOSE, NULL, {.u64 = 0}};

    field(s, &f);
}

/* ---- the line ------------------------------------------------------------ */

void buddy_script_init(struct buddy_script *s,
                       const struct buddy_script_sink *sink,
                       const struct buddy_script_hooks *hooks,
                       struct buddy_zone *zone)
{
    s->zone = zone;
    s->sink = sink;
    s->hooks = hooks;
    s->lineno = 0;
    s->zone_failed_line = 0;
    s->line.lineno = 0;
    s->line.cmd = "";
    s->line.cmd_len = 0;
    s->begun = false;
    s->msg_len = 0;
    s->msg[0] = '\0';
    s->tenants = NULL;
}

struct buddy_zone *buddy_script_zone(const struct buddy_script *s)
{
    return s->zone;
}

static const struct buddy__command *find_command(struct buddy__word w)
{
    size_t i;

    for (i = 0; i < buddy__nr_commands; i++)
        if (buddy__word_is(w, buddy__commands[i].doc.name))
            return &buddy__commands[i];
    return NULL;
}

static int fail_syntax(struct buddy_script *s)
{
    return buddy__script_fail(s, BUDDY_SCRIPT_ESYNTAX, "ESYNTAX");
}

/* "missing ORDER (usage: alloc ORDER)" and its kind. */
static void msg_usage(struct buddy_script *s, const struct buddy__command *c)
{
    buddy__msg_str(s, " (usage: ");
    buddy__msg_str(s, c->doc.usage);
    buddy__msg_str(s, ")");
}

static int run(struct buddy_script *s, const char *line, size_t len)
{
    struct buddy__word w[BUDDY__SCRIPT_MAX_WORDS];
    uint64_t arg[BUDDY__SCRIPT_MAX_ARGS];
    const struct buddy__command *c;
    int n, nargs, i;
    size_t k;

    /* One CR before the line end: a script saved with CRLF line ends. */
    if (len > 0 && len <= BUDDY_SCRIPT_LINE_MAX + 1 && line[len - 1] == '\r')
        len--;
    if (len > BUDDY_SCRIPT_LINE_MAX) {
        struct buddy__word shown = {line, BUDDY_SCRIPT_LINE_MAX + 1};

        fail_syntax(s);
        buddy__msg_str(s, "line too long (more than ");
        buddy__msg_u64(s, BUDDY_SCRIPT_LINE_MAX);
        buddy__msg_str(s, " bytes): '");
        buddy__msg_word(s, shown);
        buddy__msg_str(s, "'");
        return BUDDY_SCRIPT_ESYNTAX;
    }
    /* Words after a NUL would be lost by a C reader: refuse the line. */
    for (k = 0; k < len; k++)
        if (line[k] == '\0') {
            fail_syntax(s);
            buddy__msg_str(s, "line contains a NUL byte");
            return BUDDY_SCRIPT_ESYNTAX;
        }
    n = split_words(line, len, w, BUDDY__SCRIPT_MAX_WORDS);
    if (n == 0)
        return BUDDY_SCRIPT_EMPTY;
    s->line.cmd = w[0].p;
    s->line.cmd_len = w[0].len;
    c = find_command(w[0]);
    if (c == NULL) {
        fail_syntax(s);
        buddy__msg_str(s, "unknown command (expected ");
        for (k = 0; k < buddy__nr_commands; k++) {
            if (k > 0)
                buddy__msg_str(s, k + 1 < buddy__nr_commands ? ", " : " or ");
            buddy__msg_str(s, buddy__commands[k].doc.name);
        }
        buddy__msg_str(s, ")");
        return BUDDY_SCRIPT_ESYNTAX;
    }
    s->line.cmd = c->doc.name;
    nargs = n - 1;
    if (nargs < c->nreq) {
        fail_syntax(s);
        buddy__msg_str(s, "missing ");
        buddy__msg_str(s, c->args[nargs].name);
        msg_usage(s, c);
        return BUDDY_SCRIPT_ESYNTAX;
    }
    if (nargs > c->nnum + c->nopt) {
        fail_syntax(s);
        buddy__msg_str(s, "unexpected argument '");
        buddy__msg_word(s, w[1 + c->nnum + c->nopt]);
        buddy__msg_str(s, "'");
        msg_usage(s, c);
        return BUDDY_SCRIPT_ESYNTAX;
    }
    /* Words past the numbers are options (zone, alloc) or, for commands
     * with optional numbers, more numbers. */
    if (nargs > c->nnum)
        nargs = c->nnum;
    for (i = 0; i < nargs; i++)
        if (!buddy__parse_u64(w[1 + i], c->args[i].min, c->args[i].max,
                              &arg[i])) {
            fail_syntax(s);
            buddy__msg_str(s, c->args[i].name);
            buddy__msg_str(s, " must be a number ");
            buddy__msg_u64(s, c->args[i].min);
            buddy__msg_str(s, "..");
            buddy__msg_u64(s, c->args[i].max);
            buddy__msg_str(s, ", got '");
            buddy__msg_word(s, w[1 + i]);
            buddy__msg_str(s, "'");
            return BUDDY_SCRIPT_ESYNTAX;
        }
    if (c->needs_zone && s->zone == NULL) {
        buddy__script_fail(s, BUDDY_SCRIPT_ENOZONE, "ENOZONE");
        if (s->zone_failed_line != 0) {
            buddy__msg_str(s, "no zone: the 'zone' command on line ");
            buddy__msg_u64(s, s->zone_failed_line);
            buddy__msg_str(s, " failed");
        } else {
            buddy__msg_str(s, "no zone yet (the first command must be "
                              "'zone PAGES MAXORDER')");
        }
        return BUDDY_SCRIPT_ENOZONE;
    }
    return c->fn(s, arg, nargs, w + 1 + nargs, n - 1 - nargs);
}

int buddy_script_run_line(struct buddy_script *s, const char *line,
                          size_t len)
{
    int err;

    s->lineno++;
    s->line.lineno = s->lineno;
    s->line.cmd = "";
    s->line.cmd_len = 0;
    s->begun = false;
    err = run(s, line, len);
    if (err < 0) {
        struct buddy__word cmd = {s->line.cmd, s->line.cmd_len};

        /* The lines after a failed first `zone` name it. */
        if (s->zone == NULL && buddy__word_is(cmd, "zone"))
            s->zone_failed_line = s->lineno;
        if (s->sink->fail != NULL)
            s->sink->fail(s->sink->ctx, &s->line, &s->failure);
    } else if (err == 0) {
        begin(s);
        if (s->sink->end != NULL)
            s->sink->end(s->sink->ctx, &s->line);
    }
    return err;
}
