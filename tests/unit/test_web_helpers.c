/* Pure helpers of the web server: query-parameter parsing, HTML escaping,
 * the derived connection string, and the route table's shape. */

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/harness.h"
#include "web/conninfo.h"
#include "web/html.h"
#include "web/params.h"
#include "web/routes.h"

static void test_limit(void)
{
    unsigned v = 0;
    CHECK(l2w_web_parse_limit(&v, NULL, 100, 1000) == L2W_OK && v == 100);
    CHECK(l2w_web_parse_limit(&v, "1", 100, 1000) == L2W_OK && v == 1);
    CHECK(l2w_web_parse_limit(&v, "1000", 100, 1000) == L2W_OK && v == 1000);
    CHECK(l2w_web_parse_limit(&v, "37", 100, 1000) == L2W_OK && v == 37);
    static const char *const bad[] = {"", "0", "1001", "-1", "+5", " 5", "5 ", "05", "1e3", "abc", "10x",
                                      "99999999999999999999999999", "0x10", "5.0"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_MSG(l2w_web_parse_limit(&v, bad[i], 100, 1000) == L2W_ERR_INVALID, "limit \"%s\"", bad[i]);
}

static void test_id(void)
{
    int64_t id = 0;
    CHECK(l2w_web_parse_id(&id, "1") == L2W_OK && id == 1);
    CHECK(l2w_web_parse_id(&id, "9223372036854775807") == L2W_OK && id == INT64_MAX);
    static const char *const bad[] = {"", "0", "9223372036854775808", "18446744073709551616", "-1", "01",
                                      "1/", "1;drop", "%31", "１"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_MSG(l2w_web_parse_id(&id, bad[i]) == L2W_ERR_INVALID, "id \"%s\"", bad[i]);
    CHECK(l2w_web_parse_id(&id, NULL) == L2W_ERR_INVALID);
}

/* Times and days as the analytics routes take them: the fraction of a second
 * dropped, a zone required, a day exactly YYYY-MM-DD of a real date. */
static void test_time_and_day(void)
{
    int64_t t = 0;
    CHECK(l2w_web_parse_time(&t, "2026-11-22T14:05:00Z") == L2W_OK && t == 1795356300);
    CHECK(l2w_web_parse_time(&t, "2026-11-22T16:05:00.999+02:00") == L2W_OK && t == 1795356300);
    CHECK(l2w_web_parse_time(&t, "1970-01-01T00:00:00Z") == L2W_OK && t == 0);
    static const char *const bad_times[] = {"", "2026-11-22", "2026-11-22T14:05:00", "2026-02-29T00:00:00Z",
                                            "2026-11-22 14:05:00Z", "now", "2026-11-22T14:05:00Zx"};
    for (size_t i = 0; i < sizeof bad_times / sizeof bad_times[0]; i++)
        CHECK_MSG(l2w_web_parse_time(&t, bad_times[i]) == L2W_ERR_INVALID, "time \"%s\"", bad_times[i]);
    CHECK(l2w_web_parse_time(&t, NULL) == L2W_ERR_INVALID);

    CHECK(l2w_web_parse_day(&t, "2026-11-22") == L2W_OK && t == 1795305600);
    CHECK(l2w_web_parse_day(&t, "2024-02-29") == L2W_OK && t == 1709164800);
    CHECK(l2w_web_parse_day(&t, "0001-01-01") == L2W_OK && t == -62135596800);
    static const char *const bad_days[] = {"", "2026-02-29", "2026-13-01", "2026-11-22T00:00:00Z", "2026-1-22",
                                           "20261122", " 2026-11-22", "2026-11-2x", "0000-01-01", "2026-11-00"};
    for (size_t i = 0; i < sizeof bad_days / sizeof bad_days[0]; i++)
        CHECK_MSG(l2w_web_parse_day(&t, bad_days[i]) == L2W_ERR_INVALID, "day \"%s\"", bad_days[i]);
    CHECK(l2w_web_parse_day(&t, NULL) == L2W_ERR_INVALID);
}

static void test_status(void)
{
    const char *s = "x";
    CHECK(l2w_web_parse_finding_status(&s, NULL) == L2W_OK && s == NULL);
    CHECK(l2w_web_parse_finding_status(&s, "open") == L2W_OK && s && strcmp(s, "open") == 0);
    CHECK(l2w_web_parse_finding_status(&s, "retracted") == L2W_OK && s && strcmp(s, "retracted") == 0);
    CHECK(l2w_web_parse_finding_status(&s, "resolved") == L2W_OK);
    CHECK(l2w_web_parse_finding_status(&s, "OPEN") == L2W_ERR_INVALID);
    CHECK(l2w_web_parse_finding_status(&s, "") == L2W_ERR_INVALID);
    CHECK(l2w_web_parse_finding_status(&s, "open'--") == L2W_ERR_INVALID);
}

static void check_escape(const char *in, const char *want)
{
    char *out = NULL;
    CHECK(l2w_html_escape(&out, in) == L2W_OK);
    CHECK_MSG(out && strcmp(out, want) == 0, "escape(%s) = %s, want %s", in, out ? out : "(null)", want);
    free(out);
}

static void test_html(void)
{
    check_escape("", "");
    check_escape("plain text 123", "plain text 123");
    check_escape("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;");
    check_escape("a & b", "a &amp; b");
    check_escape("\"><img src=x onerror=alert(1)>", "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
    check_escape("it's", "it&#39;s");
    check_escape("&amp;", "&amp;amp;"); /* escaping is not idempotent, and must not be */
    check_escape("h\xc3\xa9llo", "h\xc3\xa9llo"); /* UTF-8 passes through */
    char *out = NULL;
    CHECK(l2w_html_escape(&out, NULL) == L2W_OK && out && out[0] == '\0');
    free(out);
}

/* Looks a keyword up in a connection string the way libpq will read it. */
static char *conn_value(const char *conninfo, const char *keyword)
{
    char *perr = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &perr);
    PQfreemem(perr);
    if (!opts)
        return NULL;
    char *v = NULL;
    for (PQconninfoOption *o = opts; o->keyword; o++)
        if (strcmp(o->keyword, keyword) == 0 && o->val)
            v = strdup(o->val);
    PQconninfoFree(opts);
    return v;
}

static void check_conn(const char *conninfo, const char *keyword, const char *want)
{
    char *v = conn_value(conninfo, keyword);
    CHECK_MSG(v && strcmp(v, want) == 0, "%s = %s, want %s", keyword, v ? v : "(unset)", want);
    free(v);
}

static void test_conninfo(void)
{
    char *ci = NULL;
    l2w_err err = {{0}};
    CHECK(l2w_conninfo_derive(&ci, "postgresql://u:p%27w@db.example:6543/l2w?sslmode=require", "l2watch-web", 3,
                              5000, &err) == L2W_OK);
    if (!ci)
        return;
    check_conn(ci, "host", "db.example");
    check_conn(ci, "port", "6543");
    check_conn(ci, "password", "p'w");
    check_conn(ci, "sslmode", "require");
    check_conn(ci, "connect_timeout", "3");
    check_conn(ci, "options", "-c statement_timeout=5000");
    check_conn(ci, "application_name", "l2watch-web");
    free(ci);

    /* Operator settings win where they exist; options are extended. */
    CHECK(l2w_conninfo_derive(&ci, "host=/tmp dbname=x connect_timeout=9 options='-c work_mem=4MB'"
                                   " application_name=theirs",
                              "l2watch-alerts", 3, 30000, &err) == L2W_OK);
    if (!ci)
        return;
    check_conn(ci, "connect_timeout", "9");
    check_conn(ci, "options", "-c work_mem=4MB -c statement_timeout=30000");
    check_conn(ci, "application_name", "l2watch-alerts");
    free(ci);

    CHECK(l2w_conninfo_derive(&ci, "postgresql://[bad", "x", 3, 1, &err) == L2W_ERR_CONFIG && ci == NULL);
    CHECK(strstr(err.msg, "[bad") == NULL); /* the URL (and a password) stays out of messages */
}

static void test_route_table(void)
{
    CHECK(l2w_web_routes_count > 0);
    for (size_t i = 0; i < l2w_web_routes_count; i++) {
        const l2w_web_route *r = &l2w_web_routes[i];
        CHECK(r->method && r->path && r->label && r->handler);
        CHECK(r->path[0] == '/');
        /* Labels become metrics label values: no quotes, backslashes or newlines. */
        CHECK(r->label && strpbrk(r->label, "\"\\\n") == NULL);
        for (size_t j = 0; j < i; j++)
            CHECK_MSG(!(strcmp(l2w_web_routes[j].path, r->path) == 0 &&
                        strcmp(l2w_web_routes[j].method, r->method) == 0 &&
                        l2w_web_routes[j].prefix == r->prefix),
                      "duplicate route %s %s", r->method, r->path);
    }
}

int main(void)
{
    RUN(test_limit);
    RUN(test_id);
    RUN(test_time_and_day);
    RUN(test_status);
    RUN(test_html);
    RUN(test_conninfo);
    RUN(test_route_table);
    return l2w_test_finish();
}
