/* SPDX-License-Identifier: MIT */
/*
 * jsonl_check.c: a strict JSON Lines checker for `buddy run --json`, so the
 * e2e tests parse the output for real without needing python or jq.
 *
 *   jsonl_check FILE             every line is one JSON object (RFC 8259,
 *                                strict: no trailing commas, no leading
 *                                zeros, valid escapes and UTF-8) with the
 *                                fields every `buddy run --json` line has:
 *                                "line" (a number, increasing), "cmd" (a
 *                                string), "ok" (a bool), and when ok is
 *                                false, "error" ("E...") and "message".
 *                                Prints the number of objects.
 *   jsonl_check --get N KEY FILE the JSON text of member KEY of the object
 *                                on line N (from 1) of FILE, as written.
 *
 * Exit status 0 when the check passes, 1 with a message on stderr when not.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a recursive-descent JSON parser over one line ---------------------- */

struct parser {
    const char *s;    /* the line */
    size_t pos;
    const char *err;  /* first error, or NULL */
    unsigned depth;
};

/* A top-level member, as spans of the line. */
struct member {
    const char *key;   /* points into the line, after the opening quote */
    size_t key_len;    /* raw length between the quotes */
    const char *value; /* the value's JSON text */
    size_t value_len;
};

#define MAX_MEMBERS 64
#define MAX_DEPTH 32

static bool parse_value(struct parser *p);

static bool error(struct parser *p, const char *what)
{
    if (p->err == NULL)
        p->err = what;
    return false;
}

static void skip_ws(struct parser *p)
{
    while (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
           p->s[p->pos] == '\r' || p->s[p->pos] == '\n')
        p->pos++;
}

static bool literal(struct parser *p, const char *word)
{
    size_t n = strlen(word);

    if (strncmp(p->s + p->pos, word, n) != 0)
        return error(p, "bad literal");
    p->pos += n;
    return true;
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
           (c >= 'A' && c <= 'F');
}

/* Length of a valid UTF-8 sequence at s, 0 if invalid. */
static size_t utf8_len(const unsigned char *s)
{
    size_t n, i;
    unsigned long cp;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        n = 2, cp = s[0] & 0x1fu;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        n = 3, cp = s[0] & 0x0fu;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        n = 4, cp = s[0] & 0x07u;
    else
        return 0;
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xc0u) != 0x80u)
            return 0;
        cp = cp << 6 | (s[i] & 0x3fu);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
        return 0;
    return n;
}

static bool parse_string(struct parser *p)
{
    if (p->s[p->pos] != '"')
        return error(p, "expected a string");
    p->pos++;
    for (;;) {
        unsigned char c = (unsigned char)p->s[p->pos];
        size_t n;

        if (c == '"') {
            p->pos++;
            return true;
        }
        if (c == '\0')
            return error(p, "unterminated string");
        if (c < 0x20)
            return error(p, "raw control character in a string");
        if (c == '\\') {
            char e = p->s[p->pos + 1];

            if (e == 'u') {
                int i;

                for (i = 2; i < 6; i++)
                    if (!is_hex(p->s[p->pos + i]))
                        return error(p, "bad \\u escape");
                p->pos += 6;
            } else if (e != '\0' && strchr("\"\\/bfnrt", e) != NULL) {
                p->pos += 2;
            } else {
                return error(p, "bad escape");
            }
            continue;
        }
        n = utf8_len((const unsigned char *)p->s + p->pos);
        if (n == 0)
            return error(p, "invalid UTF-8 in a string");
        p->pos += n;
    }
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool parse_number(struct parser *p)
{
    if (p->s[p->pos] == '-')
        p->pos++;
    if (p->s[p->pos] == '0') {
        p->pos++;
    } else if (is_digit(p->s[p->pos])) {
        while (is_digit(p->s[p->pos]))
            p->pos++;
    } else {
        return error(p, "bad number");
    }
    if (p->s[p->pos] == '.') {
        p->pos++;
        if (!is_digit(p->s[p->pos]))
            return error(p, "bad fraction");
        while (is_digit(p->s[p->pos]))
            p->pos++;
    }
    if (p->s[p->pos] == 'e' || p->s[p->pos] == 'E') {
        p->pos++;
        if (p->s[p->pos] == '+' || p->s[p->pos] == '-')
            p->pos++;
        if (!is_digit(p->s[p->pos]))
            return error(p, "bad exponent");
        while (is_digit(p->s[p->pos]))
            p->pos++;
    }
    return true;
}

/* Parse an object; when `out` is given (top level), record its members. */
static bool parse_object(struct parser *p, struct member *out, size_t *nout)
{
    size_t n = 0;

    p->pos++; /* '{' */
    skip_ws(p);
    if (p->s[p->pos] == '}') {
        p->pos++;
        goto done;
    }
    for (;;) {
        size_t kstart, kend, vstart;

        skip_ws(p);
        kstart = p->pos;
        if (!parse_string(p))
            return false;
        kend = p->pos;
        skip_ws(p);
        if (p->s[p->pos] != ':')
            return error(p, "expected ':'");
        p->pos++;
        skip_ws(p);
        vstart = p->pos;
        if (!parse_value(p))
            return false;
        if (out != NULL) {
            if (n == MAX_MEMBERS)
                return error(p, "too many members");
            out[n].key = p->s + kstart + 1; /* inside the quotes */
            out[n].key_len = kend - kstart - 2;
            out[n].value = p->s + vstart;
            out[n].value_len = p->pos - vstart;
            n++;
        }
        skip_ws(p);
        if (p->s[p->pos] == ',') {
            p->pos++;
            continue;
        }
        if (p->s[p->pos] == '}') {
            p->pos++;
            break;
        }
        return error(p, "expected ',' or '}'");
    }
done:
    if (nout != NULL)
        *nout = n;
    return true;
}

static bool parse_array(struct parser *p)
{
    p->pos++; /* '[' */
    skip_ws(p);
    if (p->s[p->pos] == ']') {
        p->pos++;
        return true;
    }
    for (;;) {
        skip_ws(p);
        if (!parse_value(p))
            return false;
        skip_ws(p);
        if (p->s[p->pos] == ',') {
            p->pos++;
            continue;
        }
        if (p->s[p->pos] == ']') {
            p->pos++;
            return true;
        }
        return error(p, "expected ',' or ']'");
    }
}

static bool parse_value(struct parser *p)
{
    bool ok;

    if (++p->depth > MAX_DEPTH)
        return error(p, "nested too deep");
    switch (p->s[p->pos]) {
    case '{':
        ok = parse_object(p, NULL, NULL);
        break;
    case '[':
        ok = parse_array(p);
        break;
    case '"':
        ok = parse_string(p);
        break;
    case 't':
        ok = literal(p, "true");
        break;
    case 'f':
        ok = literal(p, "false");
        break;
    case 'n':
        ok = literal(p, "null");
        break;
    default:
        ok = parse_number(p);
        break;
    }
    p->depth--;
    return ok;
}

/* Parse one line as a top-level object. */
static bool parse_line(const char *line, struct member *m, size_t *n,
                       const char **err)
{
    struct parser p = {line, 0, NULL, 0};

    skip_ws(&p);
    if (line[p.pos] != '{') {
        *err = "not an object";
        return false;
    }
    if (!parse_object(&p, m, n)) {
        *err = p.err;
        return false;
    }
    skip_ws(&p);
    if (line[p.pos] != '\0') {
        *err = "text after the object";
        return false;
    }
    return true;
}

static const struct member *find(const struct member *m, size_t n,
                                 const char *key)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (m[i].key_len == strlen(key) &&
            strncmp(m[i].key, key, m[i].key_len) == 0)
            return &m[i];
    return NULL;
}

static bool value_is(const struct member *m, const char *text)
{
    return m != NULL && m->value_len == strlen(text) &&
           strncmp(m->value, text, m->value_len) == 0;
}

/* ---- the two modes ------------------------------------------------------- */

static char *read_line(FILE *f, size_t *cap, char **buf)
{
    size_t len = 0;
    int c;

    while ((c = fgetc(f)) != EOF && c != '\n') {
        if (len + 2 > *cap) {
            char *nb = realloc(*buf, *cap ? *cap * 2 : 256);

            if (nb == NULL) {
                fprintf(stderr, "jsonl_check: out of memory\n");
                exit(1);
            }
            *buf = nb;
            *cap = *cap ? *cap * 2 : 256;
        }
        (*buf)[len++] = (char)c;
    }
    if (c == EOF && len == 0)
        return NULL;
    if (*buf == NULL) {
        *buf = malloc(1);
        *cap = 1;
        if (*buf == NULL)
            exit(1);
    }
    (*buf)[len] = '\0';
    return *buf;
}

static int check_file(FILE *f, const char *name)
{
    char *buf = NULL, *line;
    size_t cap = 0;
    unsigned long n = 0;
    double last_line = 0;

    while ((line = read_line(f, &cap, &buf)) != NULL) {
        struct member m[MAX_MEMBERS];
        size_t nm;
        const char *err = NULL;
        const struct member *lm, *cm, *okm;
        double lineno;

        n++;
        if (!parse_line(line, m, &nm, &err)) {
            fprintf(stderr, "%s:%lu: invalid JSON: %s\n  %s\n", name, n, err,
                    line);
            free(buf);
            return 1;
        }
        lm = find(m, nm, "line");
        cm = find(m, nm, "cmd");
        okm = find(m, nm, "ok");
        if (lm == NULL || cm == NULL || okm == NULL || cm->value[0] != '"' ||
            (!value_is(okm, "true") && !value_is(okm, "false")) ||
            lm->value[0] < '1' || lm->value[0] > '9') {
            fprintf(stderr, "%s:%lu: needs \"line\" >= 1, \"cmd\" and \"ok\"\n",
                    name, n);
            free(buf);
            return 1;
        }
        lineno = strtod(lm->value, NULL);
        if (lineno <= last_line) {
            fprintf(stderr, "%s:%lu: \"line\" does not increase\n", name, n);
            free(buf);
            return 1;
        }
        last_line = lineno;
        if (value_is(okm, "false")) {
            const struct member *em = find(m, nm, "error");
            const struct member *mm = find(m, nm, "message");

            if (em == NULL || mm == NULL || strncmp(em->value, "\"E", 2) != 0 ||
                mm->value[0] != '"' || mm->value_len < 3) {
                fprintf(stderr,
                        "%s:%lu: a failed line needs \"error\":\"E...\" and a "
                        "\"message\"\n",
                        name, n);
                free(buf);
                return 1;
            }
        }
    }
    free(buf);
    printf("%lu\n", n);
    return 0;
}

static int get_member(FILE *f, unsigned long want, const char *key)
{
    char *buf = NULL, *line;
    size_t cap = 0;
    unsigned long n = 0;

    while ((line = read_line(f, &cap, &buf)) != NULL) {
        struct member m[MAX_MEMBERS];
        size_t nm;
        const char *err = NULL;
        const struct member *mm;

        if (++n != want)
            continue;
        if (!parse_line(line, m, &nm, &err)) {
            fprintf(stderr, "line %lu: invalid JSON: %s\n", n, err);
            break;
        }
        mm = find(m, nm, key);
        if (mm == NULL) {
            fprintf(stderr, "line %lu: no member \"%s\"\n", n, key);
            break;
        }
        printf("%.*s\n", (int)mm->value_len, mm->value);
        free(buf);
        return 0;
    }
    if (n < want)
        fprintf(stderr, "no line %lu (%lu lines)\n", want, n);
    free(buf);
    return 1;
}

int main(int argc, char **argv)
{
    const char *path;
    FILE *f;
    int rc;

    if (argc == 2) {
        path = argv[1];
    } else if (argc == 5 && strcmp(argv[1], "--get") == 0) {
        path = argv[4];
    } else {
        fprintf(stderr,
                "usage: jsonl_check FILE | jsonl_check --get N KEY FILE\n");
        return 1;
    }
    f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (f == NULL) {
        perror(path);
        return 1;
    }
    if (argc == 2)
        rc = check_file(f, path);
    else
        rc = get_member(f, strtoul(argv[2], NULL, 10), argv[3]);
    if (f != stdin)
        fclose(f);
    return rc;
}
