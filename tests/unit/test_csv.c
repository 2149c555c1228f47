/* test_csv.c — unit tests for src/base/csv.c: the three dialects, quoting across lines, CRLF,
 * BOM, GBK, malformed records in the middle of good ones, limits, chunk boundaries of the file
 * reader, a differential test against Python's csv module, and the two real data sets. */
#include "harness.h"
#include "base/csv.h"
#include "base/buf.h"
#include <fcntl.h>
#include <stdbool.h>
#include <jansson.h>
#include <sys/wait.h>

/* Reads everything from a reader into a text transcript: one line per result, fields joined
 * by '|', "E<line>:<rc>" for a malformed record, so a test states the whole expected output. */
static char *transcript(enc_csv *r)
{
    size_t cap = 1 << 16, len = 0;
    char *t = malloc(cap);
    enc_csv_row row;
    enc_err err = {0};
    int rc;
    while ((rc = enc_csv_next(r, &row, &err)) != 0) {
        char tmp[256];
        int k;
        if (rc < 0) {
            k = snprintf(tmp, sizeof tmp, "E%ld:%d;", row.line, (int)err.rc);
            if (len + (size_t)k + 1 > cap) t = realloc(t, cap *= 2);
            memcpy(t + len, tmp, (size_t)k);
            len += (size_t)k;
            if (rc == -2) break;
            continue;
        }
        k = snprintf(tmp, sizeof tmp, "%ld:", row.line);
        if (len + (size_t)k + 1 > cap) t = realloc(t, cap *= 2);
        memcpy(t + len, tmp, (size_t)k);
        len += (size_t)k;
        for (size_t i = 0; i < row.n; i++) {
            while (len + row.len[i] + 4 > cap) t = realloc(t, cap *= 2);
            CHECK_INT(strlen(row.f[i]), row.len[i]); /* NUL-terminated, no NUL inside here */
            memcpy(t + len, row.f[i], row.len[i]);
            len += row.len[i];
            t[len++] = i + 1 < row.n ? '|' : ';';
        }
    }
    t[len] = 0;
    return t;
}

static char *read_mem(const char *data, size_t n, enc_csv_format fmt, enc_encoding enc,
                      size_t max_record, size_t max_fields)
{
    enc_csv_opts o = {fmt, enc, max_record, max_fields};
    enc_csv *r;
    enc_err err = {0};
    if (enc_csv_open_mem(&r, data, n, &o, &err)) {
        TH_FAIL("open_mem: %s", err.msg);
        return strdup("");
    }
    char *t = transcript(r);
    enc_csv_close(r);
    return t;
}

static const char *write_tmp(const char *name, const char *data, size_t n)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", th_tmpdir(), name);
    FILE *f = fopen(path, "wb");
    fwrite(data, 1, n, f);
    fclose(f);
    return path;
}

static char *read_file(const char *path, enc_csv_format fmt, enc_encoding enc, size_t max_record)
{
    enc_csv_opts o = {fmt, enc, max_record, 0};
    enc_csv *r;
    enc_err err = {0};
    if (enc_csv_open(&r, path, &o, &err)) {
        TH_FAIL("open: %s", err.msg);
        return strdup("");
    }
    char *t = transcript(r);
    CHECK_INT(enc_csv_bytes_read(r), enc_csv_bytes_total(r));
    enc_csv_close(r);
    return t;
}

#define EXPECT_CSV(in, fmt, want)                                                                  \
    do {                                                                                           \
        char *got_ = read_mem(in, sizeof(in) - 1, fmt, ENC_UTF8, 0, 0);                            \
        CHECK_STR(got_, want);                                                                     \
        free(got_);                                                                                \
    } while (0)

static void csv_quoting_rfc4180(void)
{
    EXPECT_CSV("a,b,c\n1,\"x,y\",\"say \"\"hi\"\"\"\n", ENC_FMT_CSV, "1:a|b|c;2:1|x,y|say \"hi\";");
    /* a quoted field spanning lines keeps its line ends; line numbers count physical lines */
    EXPECT_CSV("id,note\r\n1,\"two\r\nlines\"\r\n2,\"three\nmore\nlines\"\r\n3,end", ENC_FMT_CSV,
               "1:id|note;2:1|two\r\nlines;4:2|three\nmore\nlines;7:3|end;");
    /* empty fields, trailing delimiter, empty quoted field, no final newline */
    EXPECT_CSV(",a,,\"\",\n\"\"", ENC_FMT_CSV, "1:|a|||;2:;");
    /* blank lines are skipped but counted; a line of spaces is a record */
    EXPECT_CSV("\n\r\na\n\n  \nb\r\n", ENC_FMT_CSV, "3:a;5:  ;6:b;");
    /* lone CR ends a record (old Mac files), as in Python's csv */
    EXPECT_CSV("a,b\rc,d\r", ENC_FMT_CSV, "1:a|b;2:c|d;");
}

static void csv_stray_quotes_like_python(void)
{
    /* a quote inside an unquoted field is literal; text after a closing quote is appended */
    EXPECT_CSV("5\" screen,ok\n\"ab\"cd,x\n\"a\"\"\"b\"c,y\n", ENC_FMT_CSV,
               "1:5\" screen|ok;2:abcd|x;3:a\"b\"c|y;");
}

static void csv_bom_and_crlf(void)
{
    EXPECT_CSV("\xEF\xBB\xBFname,city\r\n\xE5\xBC\xA0\xE4\xB8\x89,\xE4\xB8\x8A\xE6\xB5\xB7\r\n",
               ENC_FMT_CSV, "1:name|city;2:\xE5\xBC\xA0\xE4\xB8\x89|\xE4\xB8\x8A\xE6\xB5\xB7;");
    /* a BOM alone, and a BOM-like sequence later on is data */
    EXPECT_CSV("\xEF\xBB\xBF", ENC_FMT_CSV, "");
    EXPECT_CSV("a\n\xEF\xBB\xBF"
               "b\n",
               ENC_FMT_CSV,
               "1:a;2:\xEF\xBB\xBF"
               "b;");
    const char f[] = "\xEF\xBB\xBFx,y\r\n1,2\r\n";
    char *t = read_file(write_tmp("bom.csv", f, sizeof f - 1), ENC_FMT_CSV, ENC_UTF8, 0);
    CHECK_STR(t, "1:x|y;2:1|2;");
    free(t);
}

static void tsv_and_whitespace(void)
{
    EXPECT_CSV("a\tb c\t\"q\tr\"\n1\t\t3\r\n", ENC_FMT_TSV, "1:a|b c|q\tr;2:1||3;");
    /* runs of blanks separate; leading/trailing blanks ignored; quotes are plain text */
    EXPECT_CSV(" 00001 19970101  1   11.77\r\n\t00002\t19970112 \t1 12.00  \n   \n\"a b\" c\n",
               ENC_FMT_WS, "1:00001|19970101|1|11.77;2:00002|19970112|1|12.00;4:\"a|b\"|c;");
    EXPECT_CSV("x", ENC_FMT_WS, "1:x;");
    EXPECT_CSV(" \t \n", ENC_FMT_WS, "");
}

static void sniff(void)
{
    CHECK_INT(enc_csv_sniff("a\tb,c", 5), ENC_FMT_TSV);
    CHECK_INT(enc_csv_sniff("a,b c", 5), ENC_FMT_CSV);
    CHECK_INT(enc_csv_sniff(" 1 2 3", 6), ENC_FMT_WS);
    CHECK_INT(enc_csv_sniff("", 0), ENC_FMT_WS);
}

static void bad_records_in_the_middle(void)
{
    /* unterminated quote: the record is reported, and the lines after it are inside the
     * field, never rows (issue 12: they used to be read as rows) */
    EXPECT_CSV("a,b\n1,2\n3,\"open\n4,5\n6,7\n", ENC_FMT_CSV, "1:a|b;2:1|2;E3:4;");
    EXPECT_CSV("\"", ENC_FMT_CSV, "E1:4;");
    /* too many fields */
    {
        const char in[] = "a,b\n1,2,3,4\n5,6\n";
        char *t = read_mem(in, sizeof in - 1, ENC_FMT_CSV, ENC_UTF8, 0, 3);
        CHECK_STR(t, "1:a|b;E2:7;3:5|6;");
        free(t);
    }
    /* too long: exactly max_record bytes is fine, one more is not; CRLF is not counted */
    {
        const char in[] = "0123456789\r\n01234567890\r\nok\r\nxxxxxxxxxxxx,\"q\nq\",x\r\nend";
        char *t = read_mem(in, sizeof in - 1, ENC_FMT_CSV, ENC_UTF8, 10, 0);
        /* the 4th record spans two lines and is skipped whole, quote-aware */
        CHECK_STR(t, "1:0123456789;E2:7;3:ok;E4:7;6:end;");
        free(t);
    }
    /* a quote opened and never closed: past max_record the record is rejected, and nothing
     * after the quote is read as rows */
    {
        const char in[] = "a\n\"x\ny\nzzzzzzzzzzzzzzz\nb\n";
        char *t = read_mem(in, sizeof in - 1, ENC_FMT_CSV, ENC_UTF8, 8, 0);
        CHECK_STR(t, "1:a;E2:7;");
        free(t);
    }
    /* CSV reader injection (issue 12): a quoted field longer than the cap holding text that
     * looks like rows; the record is rejected and reading resumes after its closing quote */
    {
        const char in[] = "id,text\n1,\"long complaint\n2,forged row\n3,\"\"quoted\"\" too\n\",x\n"
                          "4,ok\n";
        char *t = read_mem(in, sizeof in - 1, ENC_FMT_CSV, ENC_UTF8, 20, 0);
        CHECK_STR(t, "1:id|text;E2:7;6:4|ok;");
        free(t);
        /* the same through the file reader */
        t = read_file(write_tmp("inject.csv", in, sizeof in - 1), ENC_FMT_CSV, ENC_UTF8, 20);
        CHECK_STR(t, "1:id|text;E2:7;6:4|ok;");
        free(t);
    }
    /* a NUL byte stays in the field with its length (the importer rejects such a field) */
    {
        const char in[] = "a,b\x00"
                          "c\n";
        enc_csv_opts o = {0};
        enc_csv *r;
        enc_err err = {0};
        enc_csv_row row;
        CHECK_INT(enc_csv_open_mem(&r, in, sizeof in - 1, &o, &err), ENC_OK);
        CHECK_INT(enc_csv_next(r, &row, &err), 1);
        CHECK_INT(row.n, 2);
        CHECK_INT(row.len[1], 3);
        enc_csv_close(r);
    }
    /* cells written for spreadsheets: formulas neutralised, numbers left alone, quoting */
    {
        struct {
            const char *in, *out;
        } cells[] = {{"=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\""},
                     {"+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"},
                     {"@SUM(A1)", "'@SUM(A1)"},
                     {"-2+3", "'-2+3"},
                     {"\tx", "'\tx"},
                     {"\rx", "\"'\rx\""},
                     {"-3.50", "-3.50"},
                     {"+86", "+86"},
                     {"a,b", "\"a,b\""},
                     {"plain", "plain"},
                     {"", ""}};
        for (size_t i = 0; i < sizeof cells / sizeof *cells; i++) {
            enc_buf b = {0};
            enc_csv_cell(&b, cells[i].in, strlen(cells[i].in));
            enc_buf_addc(&b, 0);
            CHECK_STR(b.p, cells[i].out);
            enc_buf_free(&b);
        }
    }
    /* a single line far past the limit, then good rows */
    {
        size_t n = 5000;
        char *in = malloc(n + 32);
        memcpy(in, "h\n", 2);
        memset(in + 2, 'x', n);
        memcpy(in + 2 + n, "\ngood\n", 6);
        char *t = read_mem(in, n + 8, ENC_FMT_CSV, ENC_UTF8, 100, 0);
        CHECK_STR(t, "1:h;E2:7;3:good;");
        free(t);
        t = read_mem(in, n + 8, ENC_FMT_WS, ENC_UTF8, 100, 0);
        CHECK_STR(t, "1:h;E2:7;3:good;");
        free(t);
        free(in);
    }
    /* the error message names the problem and the line */
    {
        const char in[] = "a\n\"b\n";
        enc_csv_opts o = {0};
        enc_csv *r;
        enc_err err = {0};
        enc_csv_row row;
        CHECK_INT(enc_csv_open_mem(&r, in, sizeof in - 1, &o, &err), ENC_OK);
        CHECK_INT(enc_csv_next(r, &row, &err), 1);
        CHECK_INT(enc_csv_next(r, &row, &err), -1);
        CHECK_INT(row.line, 2);
        CHECK_INT(err.rc, ENC_EPARSE);
        CHECK(strstr(err.msg, "line 2") && strstr(err.msg, "unterminated quoted field"));
        CHECK_INT(enc_csv_next(r, &row, &err), 0);
        enc_csv_close(r);
    }
}

static void gbk_conversion(void)
{
    /* 中文,价格 / 张三,12 in GBK, as Excel writes it on a Chinese Windows */
    const char gbk[] = "\xD6\xD0\xCE\xC4,\xBC\xDB\xB8\xF1\r\n\xD5\xC5\xC8\xFD,12\r\n";
    char *t = read_mem(gbk, sizeof gbk - 1, ENC_FMT_CSV, ENC_GBK, 0, 0);
    CHECK_STR(t, "1:\xE4\xB8\xAD\xE6\x96\x87|\xE4\xBB\xB7\xE6\xA0\xBC;"
                 "2:\xE5\xBC\xA0\xE4\xB8\x89|12;");
    free(t);
    /* an invalid byte (0xFF) and a lead byte followed by a comma: those records are refused,
     * the rows around them are kept, and the delimiter after the bad lead byte survives */
    const char bad[] = "ok,1\n\xFF\xD6\xD0,2\nx\xD6,3\n\xD5\xC5,4\n\xD6";
    t = read_mem(bad, sizeof bad - 1, ENC_FMT_CSV, ENC_GBK, 0, 0);
    CHECK_STR(t, "1:ok|1;E2:4;E3:4;4:\xE5\xBC\xA0|4;E5:4;");
    free(t);
    /* a GBK-labelled file with a UTF-8 BOM is UTF-8 */
    const char u[] = "\xEF\xBB\xBF\xE4\xB8\xAD,1\n";
    t = read_mem(u, sizeof u - 1, ENC_FMT_CSV, ENC_GBK, 0, 0);
    CHECK_STR(t, "1:\xE4\xB8\xAD|1;");
    free(t);
    /* from a file, quoted GBK field spanning lines */
    const char q[] = "\"\xD6\xD0\n\xCE\xC4\",\"a\"\"b\"\n";
    t = read_file(write_tmp("gbk.csv", q, sizeof q - 1), ENC_FMT_CSV, ENC_GBK, 0);
    CHECK_STR(t, "1:\xE4\xB8\xAD\n\xE6\x96\x87|a\"b;");
    free(t);
}

/* A file several chunks long, with multi-line quoted records and multi-byte characters placed
 * at every offset: the file reader (1 MiB chunks) must give what the memory reader gives. */
static void chunk_boundaries(void)
{
    size_t cap = 5u << 20, n = 0;
    char *u = malloc(cap), *g = malloc(cap);
    size_t gn = 0;
    unsigned seed = 7;
    for (int i = 0; n < cap - 256; i++) {
        seed = seed * 1103515245u + 12345u;
        int k = (int)(seed >> 16) % 5;
        const char *us, *gs;
        switch (k) {
        case 0:
            us = "plain,row,1\r\n";
            gs = us;
            break;
        case 1:
            us = "\"multi\nline\",\"q\"\"q\",2\n";
            gs = us;
            break;
        case 2:
            us = "\xE4\xB8\xAD\xE6\x96\x87,x,3\n";
            gs = "\xD6\xD0\xCE\xC4,x,3\n";
            break;
        case 3:
            us = "\n";
            gs = us;
            break;
        default:
            us = "a,\"\xE4\xBB\xB7\r\n\",4\r";
            gs = "a,\"\xBC\xDB\r\n\",4\r";
            break;
        }
        size_t ul = strlen(us), gl = strlen(gs);
        /* vary alignment with a field of 0..7 bytes */
        int pad = (int)(seed >> 8) % 8;
        memcpy(u + n, "pppppppp", (size_t)pad);
        memcpy(g + gn, "pppppppp", (size_t)pad);
        n += (size_t)pad;
        gn += (size_t)pad;
        memcpy(u + n, us, ul);
        memcpy(g + gn, gs, gl);
        n += ul;
        gn += gl;
    }
    char *want = read_mem(u, n, ENC_FMT_CSV, ENC_UTF8, 0, 0);
    char *got = read_file(write_tmp("big.csv", u, n), ENC_FMT_CSV, ENC_UTF8, 0);
    CHECK(strcmp(want, got) == 0);
    free(got);
    got = read_file(write_tmp("big_gbk.csv", g, gn), ENC_FMT_CSV, ENC_GBK, 0);
    CHECK(strcmp(want, got) == 0);
    free(got);
    got = read_mem(g, gn, ENC_FMT_CSV, ENC_GBK, 0, 0);
    CHECK(strcmp(want, got) == 0);
    free(got);
    CHECK(strchr(want, 'E') == NULL); /* no malformed record */
    free(want);
    free(u);
    free(g);
}

/* Records far larger than the initial buffers (64 KiB output, 256 KiB window): the reader
 * must grow both, up to max_record, and give the same fields from memory, file and GBK. */
static void long_records_grow_buffers(void)
{
    size_t big = 700000, cap = 3 * big + 100, n = 0;
    char *in = malloc(cap);
    n += (size_t)sprintf(in + n, "head,x\n");
    memset(in + n, 'u', big); /* an unquoted field of 700 kB */
    n += big;
    n += (size_t)sprintf(in + n, ",tail\n\"");
    for (size_t i = 0; i < big / 4; i++) { /* a quoted field with "" and line ends */
        memcpy(in + n, i % 2 ? "a\"\"b" : "c\nde", 4);
        n += 4;
    }
    n += (size_t)sprintf(in + n, "\",2\nlast,1\n");
    const char *path = write_tmp("long.csv", in, n);
    for (int mode = 0; mode < 3; mode++) {
        enc_csv_opts o = {ENC_FMT_CSV, mode == 2 ? ENC_GBK : ENC_UTF8, 0, 0};
        enc_csv *r;
        enc_err err = {0};
        enc_rc rc =
            mode == 0 ? enc_csv_open_mem(&r, in, n, &o, &err) : enc_csv_open(&r, path, &o, &err);
        CHECK_INT(rc, ENC_OK);
        if (rc) continue;
        enc_csv_row row;
        CHECK_INT(enc_csv_next(r, &row, &err), 1);
        CHECK_INT(enc_csv_next(r, &row, &err), 1);
        CHECK_INT(row.n, 2);
        CHECK_INT(row.len[0], big);
        CHECK(row.f[0][0] == 'u' && row.f[0][big - 1] == 'u');
        CHECK_STR(row.f[1], "tail");
        CHECK_INT(enc_csv_next(r, &row, &err), 1);
        CHECK_INT(row.line, 3);
        CHECK_INT(row.n, 2);
        CHECK_INT(row.len[0], big / 8 * 7); /* pairs of "a""b" (3 bytes) and "c\nde" (4) */
        CHECK(memcmp(row.f[0],
                     "c\nde"
                     "a\"b",
                     7) == 0);
        CHECK_STR(row.f[1], "2");
        CHECK_INT(enc_csv_next(r, &row, &err), 1);
        CHECK_INT(row.line, 4 + big / 8); /* big / 8 line ends inside the quotes */
        CHECK_STR(row.f[0], "last");
        CHECK_INT(enc_csv_next(r, &row, &err), 0);
        enc_csv_close(r);
    }
    free(in);
}

/* Standard input through a real pipe: bytes_total is unknown (0), records arrive whole. */
static void pipe_input(void)
{
    int pfd[2];
    CHECK(pipe(pfd) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(pfd[0]);
        for (int i = 0; i < 20000; i++) {
            char line[64];
            int k = snprintf(line, sizeof line, "%d,\"v\n%d\"\n", i, i * 2);
            if (write(pfd[1], line, (size_t)k) != k) _exit(1);
        }
        _exit(0);
    }
    close(pfd[1]);
    int saved = dup(0);
    dup2(pfd[0], 0);
    close(pfd[0]);
    enc_csv_opts o = {0};
    enc_csv *r;
    enc_err err = {0};
    CHECK_INT(enc_csv_open(&r, "-", &o, &err), ENC_OK);
    CHECK_INT(enc_csv_bytes_total(r), 0);
    enc_csv_row row;
    int i = 0, rc, bad = 0;
    while ((rc = enc_csv_next(r, &row, &err)) == 1) {
        char want[64];
        snprintf(want, sizeof want, "v\n%d", i * 2);
        if (row.n != 2 || atoi(row.f[0]) != i || strcmp(row.f[1], want) != 0 ||
            row.line != 2 * i + 1)
            bad++;
        i++;
    }
    CHECK_INT(rc, 0);
    CHECK_INT(bad, 0);
    CHECK_INT(i, 20000);
    enc_csv_close(r);
    dup2(saved, 0);
    close(saved);
    int st;
    waitpid(pid, &st, 0);
}

static void open_errors(void)
{
    enc_csv *r;
    enc_err err = {0};
    CHECK_INT(enc_csv_open(&r, "/nonexistent/x.csv", NULL, &err), ENC_EIO);
    CHECK(r == NULL && strstr(err.msg, "/nonexistent/x.csv"));
    CHECK_INT(enc_csv_open(&r, th_tmpdir(), NULL, &err), ENC_EIO);
    enc_csv_opts o = {ENC_FMT_CSV, ENC_UTF8, (size_t)1 << 40, 0};
    CHECK_INT(enc_csv_open_mem(&r, "", 0, &o, &err), ENC_EUSAGE);
    o.max_record = 0;
    o.format = (enc_csv_format)9;
    CHECK_INT(enc_csv_open_mem(&r, "", 0, &o, &err), ENC_EUSAGE);
}

/* Differential test against Python's csv module (an independent implementation): random
 * inputs over a small alphabet full of quotes, delimiters and line ends. Where Python reads
 * the input without error and our reader reports no malformed record, both must give the
 * same records. Python yields [] for blank lines, which we skip: those are dropped. */
static void differential_vs_python(void)
{
    if (access("/usr/bin/python3", X_OK) != 0) {
        th_skip("/usr/bin/python3 missing");
        return;
    }
    enum { N = 400 };
    const char *dir = th_tmpdir();
    const char alpha[] = "ab,,\"\"\n\r x\t";
    unsigned seed = 12345;
    char path[600];
    for (int c = 0; c < N; c++) {
        char buf[64];
        seed = seed * 1103515245u + 12345u;
        int len = (int)(seed >> 16) % 40;
        for (int i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            buf[i] = alpha[(seed >> 16) % (sizeof alpha - 1)];
        }
        snprintf(path, sizeof path, "%s/diff%03d.%s", dir, c, c % 2 ? "tsv" : "csv");
        FILE *f = fopen(path, "wb");
        fwrite(buf, 1, (size_t)len, f);
        fclose(f);
    }
    char cmd[1200];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c '\n"
             "import csv, json, sys\n"
             "for c in range(%d):\n"
             "    ext = \"tsv\" if c %% 2 else \"csv\"\n"
             "    p = \"%s/diff%%03d.%%s\" %% (c, ext)\n"
             "    try:\n"
             "        with open(p, newline=\"\", encoding=\"latin-1\") as fh:\n"
             "            rows = [r for r in csv.reader(fh, delimiter=\"\\t\" if c %% 2 else "
             "\",\", strict=False) if r]\n"
             "        print(json.dumps(rows))\n"
             "    except csv.Error:\n"
             "        print(\"null\")\n"
             "' > %s/diff.out",
             N, dir, dir);
    CHECK_INT(system(cmd), 0);
    snprintf(path, sizeof path, "%s/diff.out", dir);
    FILE *out = fopen(path, "r");
    CHECK(out != NULL);
    if (!out) return;
    char line[1 << 14];
    int compared = 0, mismatches = 0;
    for (int c = 0; c < N && fgets(line, sizeof line, out); c++) {
        json_error_t je;
        json_t *want = json_loads(line, JSON_DECODE_ANY, &je);
        snprintf(path, sizeof path, "%s/diff%03d.%s", dir, c, c % 2 ? "tsv" : "csv");
        enc_csv_opts o = {c % 2 ? ENC_FMT_TSV : ENC_FMT_CSV, ENC_UTF8, 0, 0};
        enc_csv *r;
        enc_err err = {0};
        CHECK_INT(enc_csv_open(&r, path, &o, &err), ENC_OK);
        enc_csv_row row;
        int rc, k = 0;
        bool same = true, ours_bad = false;
        while ((rc = enc_csv_next(r, &row, &err)) != 0) {
            if (rc < 0) {
                ours_bad = true;
                break;
            }
            json_t *wr = json_is_array(want) ? json_array_get(want, (size_t)k) : NULL;
            if (!wr || json_array_size(wr) != row.n) {
                same = false;
            } else {
                for (size_t i = 0; i < row.n; i++) {
                    /* latin-1 round trip: bytes < 0x80 only in this alphabet */
                    const char *ws = json_string_value(json_array_get(wr, i));
                    if (!ws || strcmp(ws, row.f[i]) != 0) same = false;
                }
            }
            k++;
        }
        enc_csv_close(r);
        if (!json_is_array(want) || ours_bad) {
            json_decref(want);
            continue;
        }
        if ((size_t)k != json_array_size(want)) same = false;
        if (!same) {
            mismatches++;
            if (mismatches <= 3) fprintf(stderr, "  mismatch on case %d: python %s", c, line);
        }
        compared++;
        json_decref(want);
    }
    fclose(out);
    CHECK_INT(mismatches, 0);
    CHECK(compared > N / 2); /* most cases are well-formed for both */
}

static void real_online_retail(void)
{
    const char *path = th_data("online-retail/online_retail.csv");
    if (!path) return;
    enc_csv_opts o = {0};
    enc_csv *r;
    enc_err err = {0};
    CHECK_INT(enc_csv_open(&r, path, &o, &err), ENC_OK);
    enc_csv_row row;
    long n = 0, wrong = 0, guests = 0;
    int rc;
    CHECK_INT(enc_csv_next(r, &row, &err), 1);
    CHECK_INT(row.n, 8);
    CHECK_STR(row.f[0], "InvoiceNo");
    CHECK_STR(row.f[7], "Country");
    while ((rc = enc_csv_next(r, &row, &err)) == 1) {
        if (n == 0) {
            CHECK_STR(row.f[2], "WHITE HANGING HEART T-LIGHT HOLDER");
            CHECK_STR(row.f[6], "17850.0");
        }
        if (row.n != 8) wrong++;
        if (row.len[6] == 0) guests++;
        n++;
    }
    CHECK_INT(rc, 0);
    CHECK_INT(n, 541909);
    CHECK_INT(wrong, 0);
    CHECK_INT(guests, 135080); /* data/README.md: CustomerID empty on 135,080 guest lines */
    CHECK_INT(enc_csv_bytes_read(r), enc_csv_bytes_total(r));
    enc_csv_close(r);
}

static void real_cdnow_master(void)
{
    const char *path = th_data("cdnow/CDNOW_master.txt");
    if (!path) return;
    enc_csv_opts o = {ENC_FMT_WS, ENC_UTF8, 0, 0};
    enc_csv *r;
    enc_err err = {0};
    CHECK_INT(enc_csv_open(&r, path, &o, &err), ENC_OK);
    enc_csv_row row;
    CHECK_INT(enc_csv_next(r, &row, &err), 1);
    CHECK_INT(row.n, 4);
    CHECK_STR(row.f[0], "customer_id");
    long n = 0, wrong = 0, last_line = 0;
    int rc;
    while ((rc = enc_csv_next(r, &row, &err)) == 1) {
        if (n == 0) {
            CHECK_STR(row.f[0], "00001");
            CHECK_STR(row.f[3], "11.77"); /* CRLF file: no CR left on the last field */
        }
        if (row.n != 4 || row.len[1] != 8) wrong++;
        last_line = row.line;
        n++;
    }
    CHECK_INT(rc, 0);
    CHECK_INT(n, 69659);
    CHECK_INT(wrong, 0);
    CHECK_INT(last_line, 69660);
    enc_csv_close(r);
}

int main(void)
{
    RUN(csv_quoting_rfc4180);
    RUN(csv_stray_quotes_like_python);
    RUN(csv_bom_and_crlf);
    RUN(tsv_and_whitespace);
    RUN(sniff);
    RUN(bad_records_in_the_middle);
    RUN(gbk_conversion);
    RUN(chunk_boundaries);
    RUN(long_records_grow_buffers);
    RUN(pipe_input);
    RUN(open_errors);
    RUN(differential_vs_python);
    RUN(real_online_retail);
    RUN(real_cdnow_master);
    return TEST_SUMMARY();
}
