/* SPDX-License-Identifier: MIT */
/*
 * test_script.c: the script interpreter (src/script) on its own, through a
 * capture sink: every command's text and fields, every syntax error with
 * its exact message, numbers at and past 64 bits, too many words, comments,
 * the stage order, and that a failed line changes nothing and leaves a zone
 * that passes buddy_zone_check.
 *
 * The capture sink keeps the text, the fields as "key=value" words and the
 * failure; the zone hook takes its metadata from malloc, as the command's
 * does, and can be told to refuse.
 */
#include "helpers.h"
#include "script.h"

struct capture {
    char text[8192];
    size_t text_len;
    char fields[8192];
    size_t fields_len;
    int begins, ends, fails;
    char fail_name[32];
    char fail_msg[BUDDY_SCRIPT_MSG_SIZE];
    bool fail_core, fail_report;
    unsigned long fail_line;
    char cmd[64];
    /* the zone hook's memory and behaviour */
    void *meta;
    int zone_calls;
    bool refuse_zone;
};

static void cap_add(char *buf, size_t *len, size_t cap, const char *s,
                    size_t n)
{
    assert_true(*len + n < cap);
    memcpy(buf + *len, s, n);
    *len += n;
    buf[*len] = '\0';
}

static void cap_cmd(struct capture *c, const struct buddy_script_line *line)
{
    size_t n = line->cmd_len < sizeof(c->cmd) ? line->cmd_len
                                              : sizeof(c->cmd) - 1;

    memcpy(c->cmd, line->cmd, n);
    c->cmd[n] = '\0';
}

static void cap_begin(void *ctx, const struct buddy_script_line *line)
{
    struct capture *c = ctx;

    c->begins++;
    cap_cmd(c, line);
}

static void cap_text(void *ctx, const char *s, size_t len)
{
    struct capture *c = ctx;

    assert_int_equal(c->begins, c->ends + 1); /* inside a result */
    cap_add(c->text, &c->text_len, sizeof(c->text), s, len);
}

static void cap_field(void *ctx, const struct buddy_script_field *f)
{
    struct capture *c = ctx;
    char word[128];
    int n = 0;

    assert_int_equal(c->begins, c->ends + 1);
    switch (f->kind) {
    case BUDDY_SCRIPT_U64:
        n = snprintf(word, sizeof(word), "%s=%llu ", f->key ? f->key : "",
                     (unsigned long long)f->v.u64);
        break;
    case BUDDY_SCRIPT_I64:
        n = snprintf(word, sizeof(word), "%s=%lld ", f->key ? f->key : "",
                     (long long)f->v.i64);
        break;
    case BUDDY_SCRIPT_STR:
        n = snprintf(word, sizeof(word), "%s='%.60s' ", f->key, f->v.str);
        break;
    case BUDDY_SCRIPT_MILLI:
        n = snprintf(word, sizeof(word), "%s=%dm ", f->key ? f->key : "",
                     f->v.milli);
        break;
    case BUDDY_SCRIPT_ARRAY:
        n = snprintf(word, sizeof(word), "%s=[ ", f->key);
        break;
    case BUDDY_SCRIPT_OBJECT:
        n = snprintf(word, sizeof(word), "{ ");
        break;
    case BUDDY_SCRIPT_CLOSE:
        n = snprintf(word, sizeof(word), "} ");
        break;
    }
    assert_true(n > 0 && (size_t)n < sizeof(word));
    cap_add(c->fields, &c->fields_len, sizeof(c->fields), word, (size_t)n);
}

static void cap_end(void *ctx, const struct buddy_script_line *line)
{
    struct capture *c = ctx;

    (void)line;
    c->ends++;
    assert_int_equal(c->begins, c->ends);
}

static void cap_fail(void *ctx, const struct buddy_script_line *line,
                     const struct buddy_script_failure *f)
{
    struct capture *c = ctx;

    c->fails++;
    cap_cmd(c, line);
    c->fail_line = line->lineno;
    snprintf(c->fail_name, sizeof(c->fail_name), "%s", f->name);
    snprintf(c->fail_msg, sizeof(c->fail_msg), "%s", f->message);
    c->fail_core = f->from_core;
    c->fail_report = f->report != NULL;
}

static int cap_zone(void *ctx, const struct buddy_script_zone_args *a,
                    struct buddy_zone **zone, struct buddy_script_refusal *why)
{
    struct capture *c = ctx;
    struct buddy_zone_config cfg = BUDDY_ZONE_CONFIG_INIT;
    struct buddy_zone *z;
    size_t n;
    void *meta;
    int err;

    c->zone_calls++;
    if (c->refuse_zone) {
        why->name = "ENOMETA";
        why->message = "the test refuses";
        return -3000;
    }
    cfg.start_pfn = a->start_pfn;
    cfg.nr_pages = a->nr_pages;
    cfg.max_order = a->max_order;
    cfg.flags = a->flags;
    n = buddy_zone_meta_size(&cfg);
    if (n == 0 || n > ((size_t)1 << 24))
        return BUDDY_ESPAN; /* nothing this test needs */
    meta = aligned_alloc(8, (n + 7) & ~(size_t)7);
    assert_non_null(meta);
    err = buddy_zone_init(meta, n, &cfg, &z);
    if (err == 0 && !a->empty)
        err = buddy_zone_add_range(z, a->start_pfn, a->nr_pages);
    if (err != 0) {
        free(meta);
        return err;
    }
    free(c->meta);
    c->meta = meta;
    *zone = z;
    return 0;
}

static int cap_map(void *ctx, struct buddy_script *s,
                   const struct buddy_zone *z,
                   struct buddy_script_refusal *why)
{
    (void)ctx, (void)z, (void)why;
    buddy_script_put_text(s, "MAP", 3);
    buddy_script_put_str(s, "map", "picture");
    return 0;
}

struct rig {
    struct capture c;
    struct buddy_script_sink sink;
    struct buddy_script_hooks hooks;
    struct buddy_script s;
};

static struct rig *rig_new(bool with_map)
{
    struct rig *r = calloc(1, sizeof(*r));

    assert_non_null(r);
    r->sink = (struct buddy_script_sink){&r->c, cap_begin, cap_text,
                                         cap_field, cap_end, cap_fail};
    r->hooks = (struct buddy_script_hooks){&r->c, cap_zone,
                                           with_map ? cap_map : NULL};
    buddy_script_init(&r->s, &r->sink, &r->hooks, NULL);
    return r;
}

/* cmocka fixtures: each test gets a fresh interpreter in *state. */
static int rig_setup(void **state)
{
    *state = rig_new(true);
    return 0;
}

static int rig_setup_without_map(void **state)
{
    *state = rig_new(false);
    return 0;
}

static int rig_teardown(void **state)
{
    struct rig *r = *state;

    free(r->c.meta);
    free(r);
    return 0;
}

/* Run one line, forgetting what the line before produced. */
static int run(struct rig *r, const char *line)
{
    r->c.text_len = 0;
    r->c.text[0] = '\0';
    r->c.fields_len = 0;
    r->c.fields[0] = '\0';
    r->c.fail_name[0] = '\0';
    r->c.fail_msg[0] = '\0';
    r->c.cmd[0] = '\0';
    return buddy_script_run_line(&r->s, line, strlen(line));
}

/* A line that must fail with `code`, name and exact message. */
static void expect_fail(struct rig *r, const char *line, int code,
                        const char *name, const char *msg)
{
    int fails = r->c.fails, begins = r->c.begins;

    assert_int_equal(run(r, line), code);
    assert_int_equal(r->c.fails, fails + 1);
    assert_int_equal(r->c.begins, begins); /* no result was started */
    assert_string_equal(r->c.fail_name, name);
    if (msg != NULL)
        assert_string_equal(r->c.fail_msg, msg);
}

static void expect_syntax(struct rig *r, const char *line, const char *msg)
{
    expect_fail(r, line, BUDDY_SCRIPT_ESYNTAX, "ESYNTAX", msg);
    assert_false(r->c.fail_core);
}

static void expect_ok(struct rig *r, const char *line, const char *text,
                      const char *fields)
{
    int fails = r->c.fails;

    assert_int_equal(run(r, line), 0);
    assert_int_equal(r->c.fails, fails);
    assert_int_equal(r->c.begins, r->c.ends);
    if (text != NULL)
        assert_string_equal(r->c.text, text);
    if (fields != NULL)
        assert_string_equal(r->c.fields, fields);
}

/* ---- tests ---------------------------------------------------------------- */

static void test_each_command(void **state)
{
    struct rig *r = *state;

    expect_ok(r, "zone 16 4", "",
              "start_pfn=0 pages=16 max_order=4 free_pages=16 ");
    assert_string_equal(r->c.cmd, "zone");
    expect_ok(r, "alloc 1", "0", "order=1 pfn=0 ");
    expect_ok(r, "alloc 0", "2", "order=0 pfn=2 ");
    expect_ok(r, "free 2", "", "pfn=2 order=0 ");
    expect_ok(r, "free 0 1", "", "pfn=0 order=1 ");
    expect_ok(r, "info",
              "Node 0, zone   Normal      0      0      0      0      1 ",
              NULL);
    assert_non_null(strstr(r->c.fields, "nr_free=[ =0 =0 =0 =0 =1 } "));
    expect_ok(r, "check", "ok", "");
    expect_ok(r, "reserve 8 4", "", "pfn=8 count=4 ");
    expect_ok(r, "zone 16 4 empty start=32", "",
              "start_pfn=32 pages=16 max_order=4 free_pages=0 ");
    expect_ok(r, "add 32 4", "", "pfn=32 count=4 ");
    expect_ok(r, "walk",
              "pfn 32: free, order 2 (4 pages)\npfn 36: hole (12 pages)",
              "blocks=[ { pfn=32 kind='free' order=2 pages=4 } "
              "{ pfn=36 kind='hole' pages=12 } } ");
    expect_ok(r, "stats", NULL, NULL);
    assert_int_equal(strncmp(r->c.text, "spanned_pages  16\n", 18), 0);
    assert_non_null(strstr(r->c.text, "\nnr_free        0 0 1 0 0\n"));
    assert_non_null(strstr(r->c.text, "\ncache_drains   0"));
    assert_true(r->c.text[r->c.text_len - 1] != '\n'); /* no final newline */
    assert_non_null(strstr(r->c.fields, "free_pages=4 "));
    /* 16 pages of 4 KiB: the default min_free_kbytes clamps to 128. */
    expect_ok(r, "watermarks", "min_free_kbytes 128 min 32 low 40 high 48 "
              "promo 56", "min_free_kbytes=128 min=32 low=40 high=48 "
              "promo=56 ");
    expect_ok(r, "zoneinfo", NULL, NULL);
    assert_int_equal(strncmp(r->c.text, "Node 0, zone   Normal\n"
                                        "  pages free     ", 38), 0);
    assert_non_null(strstr(r->c.text, "        min      32\n"));
    assert_non_null(strstr(r->c.fields, "zoneinfo='Node 0, zone"));
    expect_ok(r, "frag", NULL, NULL);
    assert_int_equal(strncmp(r->c.text, "order  unusable  fragmentation\n"
                                        "    0     0.000         -1.000\n",
                             62),
                     0);
    assert_non_null(strstr(r->c.fields, "unusable=[ =0m "));
    expect_ok(r, "map", "MAP", "map='picture' ");
}

static void test_map_without_hook(void **state)
{
    struct rig *r = *state;

    expect_ok(r, "zone 8 3", NULL, NULL);
    expect_syntax(r, "map", "this tool does not draw maps");
}

static void test_syntax_errors(void **state)
{
    struct rig *r = *state;

    expect_ok(r, "zone 16 4", NULL, NULL);
    expect_syntax(r, "bogus 1",
                  "unknown command (expected zone, alloc, free, add, "
                  "reserve, info, check, stats, walk, frag, watermarks, "
                  "zoneinfo, pagetypeinfo, vmstat, isolate, undo-isolate, "
                  "map, tenant, limit, charge, untenant, tenants or memory)");
    assert_string_equal(r->c.cmd, "bogus");
    expect_syntax(r, "ALLOC 0", NULL); /* commands are lowercase */
    expect_syntax(r, "alloc",
                  "missing ORDER (usage: alloc ORDER [TYPE] [FLAG...])");
    assert_string_equal(r->c.cmd, "alloc");
    expect_syntax(r, "add 1", "missing COUNT (usage: add PFN COUNT)");
    expect_syntax(r, "zone", "missing PAGES (usage: zone PAGES MAXORDER "
                             "[empty] [start=PFN] [pageblock=N] "
                             "[nogrouping] [owners])");
    expect_syntax(r, "alloc 1 2",
                  "unknown word '2' (expected one of unmovable, movable, "
                  "reclaimable, then high, nowait, atomic, memalloc)");
    expect_syntax(r, "alloc 1 movable reclaimable",
                  "a second type 'reclaimable' (expected one of unmovable, "
                  "movable, reclaimable, then high, nowait, atomic, "
                  "memalloc)");
    expect_syntax(r, "zone 16 4 pageblock=0",
                  "pageblock=N must be a number 1..31, got '0'");
    expect_syntax(r, "zone 16 4 nogrouping nogrouping",
                  "'nogrouping' given twice");
    expect_syntax(r, "alloc x", "ORDER must be a number 0..31, got 'x'");
    expect_syntax(r, "alloc 32", "ORDER must be a number 0..31, got '32'");
    expect_syntax(r, "zone 0 4",
                  "PAGES must be a number 1..4294967295, got '0'");
    expect_syntax(r, "zone 16 4 sideways",
                  "unknown option 'sideways' (expected 'empty', "
                  "'start=PFN', 'pageblock=N', 'nogrouping' or 'owners')");
    expect_syntax(r, "zone 16 4 empty empty", "'empty' given twice");
    expect_syntax(r, "zone 16 4 start=1 start=2", "'start=2' given twice");
    expect_syntax(r, "zone 16 4 start=", "start=PFN must be a number "
                                         "0..18446744073709551615, got ''");
    /* A word is shown escaped and bounded. */
    expect_syntax(r, "alloc \x1b[31m",
                  "ORDER must be a number 0..31, got '\\x1b[31m'");
    assert_int_equal(r->c.zone_calls, 1);
}

static void test_numbers(void **state)
{
    struct rig *r = *state;

    expect_ok(r, "zone 0x10 0X4", NULL, "start_pfn=0 pages=16 max_order=4 "
                                        "free_pages=16 ");
    expect_ok(r, "alloc 0x0", "0", NULL);
    expect_ok(r, "free 0x0 00", "", NULL);
    expect_ok(r, "alloc 0001", "0", "order=1 pfn=0 ");
    expect_ok(r, "free 0X0", "", "pfn=0 order=1 ");
}

static void test_number_overflow(void **state)
{
    static const char *const malformed[] = {
        "free 18446744073709551620", "free 99999999999999999999999",
        "free 0x10000000000000000", "free 0x1_0000_0000_0000_0000",
        "free 0x1_0000", "zone 16 4 start=18446744073709551616",
        "alloc 4294967296", "alloc 4294967327", /* 2^32, 2^32 + 31 */
        "free +1", "free 0x", "free 0x-1", "free 1x", "free 0xg",
        "free 1.0", "free 1e3",
    };
    struct rig *r = *state;
    size_t i;

    expect_ok(r, "zone 16 4", NULL, NULL);
    /* The largest 64-bit numbers are read, and the core refuses them. */
    expect_fail(r, "free 18446744073709551615", BUDDY_ERANGE, "ERANGE",
                NULL);
    assert_true(r->c.fail_core);
    expect_fail(r, "free 0xffffffffffffffff", BUDDY_ERANGE, "ERANGE", NULL);
    expect_fail(r, "free 0xFFFFFFFFFFFFFFFF 0", BUDDY_ERANGE, "ERANGE", NULL);
    /* One past them is a syntax error, never a wrapped value; a number
     * past 32 bits is read whole, then range checked; signs and stray
     * characters are refused. */
    expect_syntax(r, "free 18446744073709551616",
                  "PFN must be a number 0..18446744073709551615, got "
                  "'18446744073709551616'");
    expect_syntax(r, "zone 4294967296 4",
                  "PAGES must be a number 1..4294967295, got '4294967296'");
    expect_syntax(r, "free -1", "PFN must be a number "
                                "0..18446744073709551615, got '-1'");
    for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++)
        expect_syntax(r, malformed[i], NULL);
    assert_int_equal(r->c.zone_calls, 1);
    assert_valid(buddy_script_zone(&r->s));
}

static void test_too_many_words(void **state)
{
    struct rig *r = *state;

    expect_ok(r, "zone 16 4", NULL, NULL);
    expect_syntax(r, "alloc 1 2 3 4 5 6 7 8 9 10 11 12",
                  "unexpected argument '7' (usage: alloc ORDER [TYPE] "
                  "[FLAG...])");
    expect_syntax(r, "info now", "unexpected argument 'now' (usage: info)");
    expect_syntax(r, "free 0 0 0", NULL);
    expect_syntax(r, "zone 16 4 empty start=0 extra more words here x y",
                  "unexpected argument 'here' (usage: zone PAGES MAXORDER "
                  "[empty] [start=PFN] [pageblock=N] [nogrouping] "
                  "[owners])");
    /* Options are checked in place of numbers only after the count. */
    expect_syntax(r, "zone 16 4 empty start=0 pageblock=2 nogrouping owners "
                     "extra",
                  "unexpected argument 'extra' (usage: zone PAGES MAXORDER "
                  "[empty] [start=PFN] [pageblock=N] [nogrouping] "
                  "[owners])");
    expect_syntax(r, "zone 16 4 empty start=0 extra",
                  "unknown option 'extra' (expected 'empty', 'start=PFN', "
                  "'pageblock=N', 'nogrouping' or 'owners')");
    assert_int_equal(r->c.zone_calls, 1);
}

static void test_comments_and_blanks(void **state)
{
    struct rig *r = *state;
    int begins;

    assert_int_equal(run(r, ""), BUDDY_SCRIPT_EMPTY);
    assert_int_equal(run(r, " \t "), BUDDY_SCRIPT_EMPTY);
    assert_int_equal(run(r, "# zone 16 4"), BUDDY_SCRIPT_EMPTY);
    assert_int_equal(run(r, "   #alloc 0"), BUDDY_SCRIPT_EMPTY);
    assert_int_equal(run(r, "\r"), BUDDY_SCRIPT_EMPTY);
    assert_int_equal(r->c.begins + r->c.fails, 0); /* the sink saw nothing */
    assert_int_equal(r->c.zone_calls, 0);
    expect_ok(r, "zone 16 4 # a comment after words", NULL, NULL);
    expect_ok(r, "\talloc\t0x2\t# tabs\r", "0", "order=2 pfn=0 ");
    /* '#' starts a comment only at the start of a word. */
    expect_syntax(r, "free 0#4", "PFN must be a number "
                                 "0..18446744073709551615, got '0#4'");
    begins = r->c.begins;
    expect_ok(r, "free 0 # 4", "", "pfn=0 order=2 ");
    assert_int_equal(r->c.begins, begins + 1);
    /* Line numbers count every line, blank ones too. */
    expect_fail(r, "free 0", BUDDY_EDOUBLEFREE, "EDOUBLEFREE", NULL);
    assert_int_equal(r->c.fail_line, 10);
}

static void test_line_limits(void **state)
{
    struct rig *r = *state;
    char *line = malloc(BUDDY_SCRIPT_LINE_MAX + 2);

    assert_non_null(line);
    expect_ok(r, "zone 16 4", NULL, NULL);
    /* The longest line runs, and a CR after it is dropped. */
    memset(line, ' ', BUDDY_SCRIPT_LINE_MAX + 1);
    memcpy(line, "alloc 0", 7);
    line[BUDDY_SCRIPT_LINE_MAX] = '\r';
    assert_int_equal(buddy_script_run_line(&r->s, line, BUDDY_SCRIPT_LINE_MAX),
                     0);
    assert_int_equal(buddy_script_run_line(&r->s, line,
                                           BUDDY_SCRIPT_LINE_MAX + 1),
                     0);
    /* One byte more is refused, shown as a bounded prefix; so is a line
     * the caller cut (its length past what it kept). */
    line[BUDDY_SCRIPT_LINE_MAX] = ' ';
    assert_int_equal(buddy_script_run_line(&r->s, line,
                                           BUDDY_SCRIPT_LINE_MAX + 1),
                     BUDDY_SCRIPT_ESYNTAX);
    assert_int_equal(strncmp(r->c.fail_msg, "line too long (more than 4095 "
                                            "bytes): 'alloc 0   ",
                             40),
                     0);
    assert_non_null(strstr(r->c.fail_msg, "...'"));
    assert_string_equal(r->c.cmd, "");
    assert_int_equal(buddy_script_run_line(&r->s, line, SIZE_MAX),
                     BUDDY_SCRIPT_ESYNTAX);
    /* A NUL byte would hide the words after it. */
    assert_int_equal(buddy_script_run_line(&r->s, "alloc 0\0 1", 10),
                     BUDDY_SCRIPT_ESYNTAX);
    assert_string_equal(r->c.fail_msg, "line contains a NUL byte");
    free(line);
}

/* Stage order: syntax first (even before a zone), then the zone, then the
 * call; a failed first `zone` is named by the lines after it. */
static void test_stages(void **state)
{
    struct rig *r = *state;

    expect_syntax(r, "alloc 99", "ORDER must be a number 0..31, got '99'");
    expect_fail(r, "alloc 0", BUDDY_SCRIPT_ENOZONE, "ENOZONE",
                "no zone yet (the first command must be 'zone PAGES "
                "MAXORDER')");
    assert_false(r->c.fail_core);
    expect_fail(r, "zone 16 99", BUDDY_SCRIPT_ESYNTAX, "ESYNTAX", NULL);
    expect_fail(r, "check", BUDDY_SCRIPT_ENOZONE, "ENOZONE",
                "no zone: the 'zone' command on line 3 failed");
    r->c.refuse_zone = true;
    expect_fail(r, "zone 16 4", -3000, "ENOMETA", "the test refuses");
    assert_false(r->c.fail_core);
    expect_fail(r, "map", BUDDY_SCRIPT_ENOZONE, "ENOZONE",
                "no zone: the 'zone' command on line 5 failed");
    r->c.refuse_zone = false;
    expect_fail(r, "zone 16 4 start=0xffffffffffffffff", BUDDY_ESPAN,
                "ESPAN", NULL);
    assert_true(r->c.fail_core);
    expect_ok(r, "zone 16 4", NULL, NULL);
    expect_ok(r, "check", "ok", NULL);
}

/* Every failing line leaves the zone as it was, and valid. */
static void test_failed_lines_change_nothing(void **state)
{
    static const char *const bad[] = {
        /* refused by the core */
        "free 3", "free 1", "free 0 2", "free 8", "free 99", "free 3 1",
        "alloc 5", "reserve 0 2", "add 12 2",
        "zone 16 4 start=0xffffffffffffffff",
        /* malformed */
        "free -1", "bogus", "alloc", "alloc 0 0", "zone 16 4 x",
        "free 18446744073709551616", "zone 0x1_0 4", "reserve 1", "add 0 0x",
    };
    struct rig *r = *state;
    struct buddy_zone *z;
    struct snapshot before, after;
    size_t i;

    expect_ok(r, "zone 16 4", NULL, NULL);
    expect_ok(r, "alloc 1", NULL, NULL);
    expect_ok(r, "alloc 0", NULL, NULL);
    expect_ok(r, "reserve 8 2", NULL, NULL);
    z = buddy_script_zone(&r->s);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int err;

        snapshot_take(z, &before);
        err = run(r, bad[i]);
        assert_true(err < 0);
        assert_ptr_equal(buddy_script_zone(&r->s), z); /* the zone stays */
        snapshot_take(z, &after);
        assert_string_equal(before.walk, after.walk);
        after.st.rejected = before.st.rejected; /* the core counts refusals */
        assert_memory_equal(&before.st, &after.st, sizeof(after.st));
        assert_valid(z);
        expect_ok(r, "check", "ok", NULL);
    }
}

/* The tenant commands: each result, each refusal with its message and
 * nothing changed, and the validators content after every line. */
static void test_tenant_commands(void **state)
{
    struct rig *r = *state;
    struct snapshot before, after;
    char table[8192];
    struct buddy_zone *z;
    unsigned i;

    expect_ok(r, "zone 64 4 owners", NULL, NULL);
    z = buddy_script_zone(&r->s);
    expect_ok(r, "tenant max=16", "1", NULL);
    expect_ok(r, "tenant parent=1 high=4", "2", NULL);
    expect_ok(r, "charge 2 2", "0", NULL);
    expect_ok(r, "charge 2 1 unmovable", NULL, NULL);
    expect_ok(r, "tenants", NULL, NULL);
    assert_string_equal(r->c.text,
        "id parent current   peak    max   high    low    min  max_ev  oom"
        "  high_ev\n"
        " 1      0       6      6     16    max      0      0       0    0"
        "        0\n"
        " 2      1       6      6    max      4      0      0       0    0"
        "        1");
    /* A charge past the parent's max: refused, no page taken; as the
     * kernel's, it counts max and oom events where it failed, and the
     * walk raised the peak below that level on its way up. */
    snapshot_take(z, &before);
    expect_fail(r, "charge 2 4", BUDDY_ENOMEM, "ENOMEM",
                "the tenant or an ancestor is at its max (memory.max), and "
                "reclaim freed too little");
    snapshot_take(z, &after);
    assert_string_equal(before.walk, after.walk);
    expect_ok(r, "tenants", NULL, NULL);
    assert_string_equal(r->c.text,
        "id parent current   peak    max   high    low    min  max_ev  oom"
        "  high_ev\n"
        " 1      0       6      6     16    max      0      0       1    1"
        "        0\n"
        " 2      1       6     22    max      4      0      0       0    0"
        "        1");
    snprintf(table, sizeof(table), "%s", r->c.text);
    /* Other refusals change nothing at all. */
    expect_fail(r, "limit 1 max=4", BUDDY_EBUSY, "EBUSY",
                "a max or high below the tenant's usage (free its pages "
                "first)");
    expect_fail(r, "limit 2 low=3 max=5", BUDDY_EBUSY, "EBUSY", NULL);
    expect_fail(r, "untenant 1", BUDDY_EBUSY, "EBUSY",
                "the tenant holds pages or has children");
    expect_fail(r, "tenant parent=9", BUDDY_ENOTENANT, "ENOTENANT", NULL);
    expect_fail(r, "charge 9 0", BUDDY_ENOTENANT, "ENOTENANT", NULL);
    expect_syntax(r, "tenant bogus", "unknown word 'bogus' (expected max=N, "
                                     "high=N, low=N or min=N)");
    expect_syntax(r, "tenant max=lots", "a limit must be a number of pages "
                                        "or 'max', got 'max=lots'");
    expect_syntax(r, "tenant parent=0", "parent=ID must be a number 1..255, "
                                        "got '0'");
    expect_syntax(r, "charge 1 0 sideways", "unknown type 'sideways' "
                                            "(expected unmovable, movable or "
                                            "reclaimable)");
    expect_syntax(r, "limit 0", NULL);
    expect_syntax(r, "charge 1 99", NULL);
    snapshot_take(z, &after);
    assert_string_equal(before.walk, after.walk);
    expect_ok(r, "tenants", table, NULL);
    expect_ok(r, "check", "ok", NULL);
    /* The files. */
    expect_ok(r, "memory 2", NULL, NULL);
    assert_true(strncmp(r->c.text,
                        "memory.current 24576\nmemory.peak 90112\n"
                        "memory.max max\nmemory.high 16384\n"
                        "memory.events\n  low 0\n  high 1\n",
                        strlen("memory.current 24576\nmemory.peak 90112\n"
                               "memory.max max\nmemory.high 16384\n"
                               "memory.events\n  low 0\n  high 1\n")) == 0);
    assert_non_null(strstr(r->c.text, "memory.stat\n  pages 24576\n"
                                      "  pages_unmovable 8192\n"
                                      "  pages_movable 16384\n"));
    expect_ok(r, "limit 2 max=8 high=max low=2", "", NULL);
    /* Freed: uncharged; then the tenants end. */
    expect_ok(r, "free 0", NULL, NULL);
    expect_ok(r, "free 16", NULL, NULL);
    expect_ok(r, "untenant 2", "", NULL);
    expect_ok(r, "untenant 1", "", NULL);
    expect_ok(r, "tenants", "id parent current   peak    max   high    low "
                            "   min  max_ev  oom  high_ev", NULL);
    expect_ok(r, "check", "ok", NULL);
    /* At most 16. */
    for (i = 0; i < BUDDY_SCRIPT_TENANTS; i++)
        expect_ok(r, "tenant", NULL, NULL);
    expect_fail(r, "tenant", BUDDY_ENOSPC, "ENOSPC",
                "every tenant id is taken (at most 16)");
    /* A zone without owners charges nothing; a zone line ends the
     * tenants. */
    expect_ok(r, "zone 16 4", NULL, NULL);
    expect_fail(r, "memory 1", BUDDY_ENOTENANT, "ENOTENANT", NULL);
    expect_ok(r, "tenant", "1", NULL);
    expect_fail(r, "charge 1 0", BUDDY_ENOTSUP, "ENOTSUP",
                "the zone keeps no owners: make it with 'zone ... owners'");
    expect_ok(r, "tenants", NULL, NULL);
    assert_non_null(strstr(r->c.text, "\n 1      0       0"));
    expect_ok(r, "check", "ok", NULL);
}

static void test_help_table(void **state)
{
    const struct buddy_script_doc *d;
    size_t i;

    (void)state;
    for (i = 0; (d = buddy_script_command_doc(i)) != NULL; i++) {
        assert_int_equal(strncmp(d->usage, d->name, strlen(d->name)), 0);
        assert_true(d->help[0] != '\0');
    }
    assert_int_equal(i, 23);
    assert_string_equal(buddy_script_command_doc(0)->name, "zone");
}

static void test_quote(void **state)
{
    char buf[BUDDY_QUOTE_SIZE];
    char longer[200];

    (void)state;
    assert_string_equal(buddy_quote_text(buf, "\xc3\xa9t\xc3\xa9", 5),
                        "\xc3\xa9t\xc3\xa9");
    assert_string_equal(buddy_quote_text(buf, "a\\b\x7f\xff", 5),
                        "a\\\\b\\x7f\\xff");
    assert_string_equal(buddy_quote_text(buf, "\xc2\x9b\xe2\x80\xae", 5),
                        "\\u009b\\u202e");
    memset(longer, 'z', sizeof(longer));
    assert_int_equal(strlen(buddy_quote_text(buf, longer, sizeof(longer))),
                     BUDDY_QUOTE_MAX_CHARS + 3);
    assert_int_equal(strlen(buddy_quote_prefix(buf, longer, sizeof(longer))),
                     BUDDY_QUOTE_MAX_CHARS + 3);
    assert_string_equal(buddy_quote_prefix(buf, "\x1b", 1), "\x1b");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_each_command, rig_setup,
                                        rig_teardown),
        cmocka_unit_test_setup_teardown(test_map_without_hook,
                                        rig_setup_without_map, rig_teardown),
        cmocka_unit_test_setup_teardown(test_syntax_errors, rig_setup,
                                        rig_teardown),
        cmocka_unit_test_setup_teardown(test_numbers, rig_setup,
                                        rig_teardown),
        cmocka_unit_test_setup_teardown(test_number_overflow, rig_setup,
                                        rig_teardown),
        cmocka_unit_test_setup_teardown(test_too_many_words, rig_setup,
                                        rig_teardown),
        cmocka_unit_test_setup_teardown(test_comments_and_blanks, rig_setup,
                                        rig_teardown),
        cmocka_unit_test_setup_teardown(test_line_limits, rig_setup,
                                        rig_teardown),
        cmocka_unit_test_setup_teardown(test_stages, rig_setup,
                                        rig_teardown),
        cmocka_unit_test_setup_teardown(test_failed_lines_change_nothing, rig_setup,
                                        rig_teardown),
        cmocka_unit_test_setup_teardown(test_tenant_commands, rig_setup,
                                        rig_teardown),
        cmocka_unit_test(test_help_table),
        cmocka_unit_test(test_quote),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
