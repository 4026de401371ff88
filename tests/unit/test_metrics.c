/* The metrics registry: the rendered text is parsed back the way Prometheus
 * would read it, so the test checks the format, not our own string layout. */

#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/metrics.h"
#include "tests/unit/harness.h"

#define MAX_SAMPLES 512
#define MAX_FAMILIES 64
#define MAX_PAIRS 8

typedef struct {
    char name[128];
    size_t n_pairs;
    char keys[MAX_PAIRS][64];
    char values[MAX_PAIRS][256];
    double value;
} sample;

typedef struct {
    char name[128];
    char help[256];
    char type[32];
    bool has_help, has_type;
} family_info;

typedef struct {
    sample samples[MAX_SAMPLES];
    size_t n_samples;
    family_info families[MAX_FAMILIES];
    size_t n_families;
    int errors; /* format violations found while parsing */
} exposition;

static family_info *family_of(exposition *e, const char *name, size_t len)
{
    for (size_t i = 0; i < e->n_families; i++)
        if (strlen(e->families[i].name) == len && memcmp(e->families[i].name, name, len) == 0)
            return &e->families[i];
    if (e->n_families == MAX_FAMILIES || len >= sizeof e->families[0].name)
        return NULL;
    family_info *f = &e->families[e->n_families++];
    memset(f, 0, sizeof *f);
    memcpy(f->name, name, len);
    return f;
}

static void parse_error(exposition *e, const char *line, const char *why)
{
    e->errors++;
    fprintf(stderr, "exposition error (%s) at: %.120s\n", why, line);
}

/* Unescapes \\ \" \n in place-copy; returns the position after the closing quote or NULL. */
static const char *parse_quoted(char *out, size_t out_len, const char *p)
{
    size_t n = 0;
    for (;;) {
        char c = *p++;
        if (c == '\0' || c == '\n')
            return NULL;
        if (c == '"')
            break;
        if (c == '\\') {
            char d = *p++;
            if (d == 'n')
                c = '\n';
            else if (d == '\\' || d == '"')
                c = d;
            else
                return NULL;
        }
        if (n + 1 >= out_len)
            return NULL;
        out[n++] = c;
    }
    out[n] = '\0';
    return p;
}

static void parse_sample(exposition *e, const char *line, size_t len)
{
    if (e->n_samples == MAX_SAMPLES) {
        parse_error(e, line, "too many samples");
        return;
    }
    sample *s = &e->samples[e->n_samples];
    memset(s, 0, sizeof *s);
    const char *p = line;
    size_t nl = strcspn(p, "{ ");
    if (nl == 0 || nl >= sizeof s->name) {
        parse_error(e, line, "bad name");
        return;
    }
    memcpy(s->name, p, nl);
    p += nl;
    if (*p == '{') {
        p++;
        while (*p != '}') {
            if (s->n_pairs == MAX_PAIRS) {
                parse_error(e, line, "too many labels");
                return;
            }
            size_t kl = strcspn(p, "=");
            if (kl == 0 || kl >= sizeof s->keys[0] || p[kl] != '=' || p[kl + 1] != '"') {
                parse_error(e, line, "bad label name");
                return;
            }
            memcpy(s->keys[s->n_pairs], p, kl);
            p = parse_quoted(s->values[s->n_pairs], sizeof s->values[0], p + kl + 2);
            if (!p) {
                parse_error(e, line, "bad label value");
                return;
            }
            s->n_pairs++;
            if (*p == ',')
                p++;
            else if (*p != '}') {
                parse_error(e, line, "expected , or }");
                return;
            }
        }
        p++;
    }
    if (*p != ' ') {
        parse_error(e, line, "expected space before value");
        return;
    }
    p++;
    char *end;
    if (strncmp(p, "+Inf", 4) == 0) {
        s->value = INFINITY;
        end = (char *)p + 4;
    } else {
        s->value = strtod(p, &end);
    }
    if (end == p || end != line + len) {
        parse_error(e, line, "bad value");
        return;
    }
    e->n_samples++;
}

static void parse_exposition(exposition *e, const char *text)
{
    memset(e, 0, sizeof *e);
    const char *line = text;
    while (*line) {
        const char *nl = strchr(line, '\n');
        if (!nl) {
            parse_error(e, line, "last line not terminated");
            return;
        }
        size_t len = (size_t)(nl - line);
        char buf[1024];
        if (len >= sizeof buf) {
            parse_error(e, line, "line too long");
            return;
        }
        memcpy(buf, line, len);
        buf[len] = '\0';
        if (strncmp(buf, "# HELP ", 7) == 0 || strncmp(buf, "# TYPE ", 7) == 0) {
            const char *name = buf + 7;
            size_t name_len = strcspn(name, " ");
            family_info *f = family_of(e, name, name_len);
            const char *rest = name[name_len] ? name + name_len + 1 : "";
            if (!f) {
                parse_error(e, buf, "too many families");
            } else if (buf[2] == 'H') {
                if (f->has_help)
                    parse_error(e, buf, "second HELP");
                f->has_help = true;
                snprintf(f->help, sizeof f->help, "%s", rest);
            } else {
                if (f->has_type)
                    parse_error(e, buf, "second TYPE");
                f->has_type = true;
                snprintf(f->type, sizeof f->type, "%s", rest);
            }
        } else if (buf[0] == '#' || buf[0] == '\0') {
            parse_error(e, buf, "unexpected comment or blank line");
        } else {
            parse_sample(e, buf, len);
        }
        line = nl + 1;
    }
}

/* The value of the sample `name` whose labels include every (key, value) pair
 * given as NULL-terminated alternating arguments; NAN when absent. */
static double value_of(const exposition *e, const char *name, const char *const *kv)
{
    for (size_t i = 0; i < e->n_samples; i++) {
        const sample *s = &e->samples[i];
        if (strcmp(s->name, name) != 0)
            continue;
        size_t want = 0, matched = 0;
        for (const char *const *p = kv; p && *p; p += 2) {
            want++;
            for (size_t j = 0; j < s->n_pairs; j++)
                if (strcmp(s->keys[j], p[0]) == 0 && strcmp(s->values[j], p[1]) == 0)
                    matched++;
        }
        if (want == matched && matched == s->n_pairs)
            return s->value;
    }
    return NAN;
}

static size_t count_named(const exposition *e, const char *name)
{
    size_t n = 0;
    for (size_t i = 0; i < e->n_samples; i++)
        n += strcmp(e->samples[i].name, name) == 0;
    return n;
}

static exposition *render_and_parse(void)
{
    char *text = NULL;
    size_t len = 0;
    l2w_status st = l2w_metrics_render(&text, &len);
    CHECK(st == L2W_OK);
    if (st != L2W_OK)
        return NULL;
    CHECK(strlen(text) == len);
    exposition *e = malloc(sizeof *e);
    if (e)
        parse_exposition(e, text);
    free(text);
    return e;
}

static const family_info *find_family(const exposition *e, const char *name)
{
    for (size_t i = 0; i < e->n_families; i++)
        if (strcmp(e->families[i].name, name) == 0)
            return &e->families[i];
    return NULL;
}

static void test_counter_and_gauge(void)
{
    l2w_counter *a = l2w_counter_get("l2watch_t_events_total", "Events seen.", "chain=\"l1\",kind=\"x\"");
    l2w_counter *b = l2w_counter_get("l2watch_t_events_total", "ignored second help", "kind=\"x\",chain=\"l1\"");
    l2w_counter *c = l2w_counter_get("l2watch_t_events_total", NULL, "chain=\"l2\",kind=\"x\"");
    CHECK(a == b); /* label order does not make a new series */
    CHECK(a != c);
    l2w_counter_add(a, 3);
    l2w_counter_add(b, 4);
    l2w_counter_add(c, 1);
    l2w_counter *bare = l2w_counter_get("l2watch_t_bare_total", "No labels.", NULL);
    CHECK(bare == l2w_counter_get("l2watch_t_bare_total", "No labels.", ""));
    l2w_counter_add(bare, 18446744073709551615ULL);

    l2w_gauge *g = l2w_gauge_get("l2watch_t_lag_blocks", "Lag.", "chain=\"l1\"");
    l2w_gauge_set(g, 10.5);
    l2w_gauge_add(g, -0.25);
    l2w_gauge *neg = l2w_gauge_get("l2watch_t_temp", "Negative and tiny.", NULL);
    l2w_gauge_set(neg, -1e-300);

    exposition *e = render_and_parse();
    if (!e)
        return;
    CHECK(e->errors == 0);
    CHECK(value_of(e, "l2watch_t_events_total", (const char *const[]){"chain", "l1", "kind", "x", NULL}) == 7);
    CHECK(value_of(e, "l2watch_t_events_total", (const char *const[]){"chain", "l2", "kind", "x", NULL}) == 1);
    CHECK(count_named(e, "l2watch_t_events_total") == 2);
    CHECK(value_of(e, "l2watch_t_bare_total", NULL) == 18446744073709551615.0);
    CHECK(value_of(e, "l2watch_t_lag_blocks", (const char *const[]){"chain", "l1", NULL}) == 10.25);
    CHECK(value_of(e, "l2watch_t_temp", NULL) == -1e-300);
    const family_info *f = find_family(e, "l2watch_t_events_total");
    CHECK(f && f->has_help && f->has_type && strcmp(f->type, "counter") == 0 && strcmp(f->help, "Events seen.") == 0);
    f = find_family(e, "l2watch_t_lag_blocks");
    CHECK(f && strcmp(f->type, "gauge") == 0);
    free(e);
}

static void test_histogram(void)
{
    static const double buckets[] = {0.005, 0.1, 1, 2.5};
    l2w_histogram *h = l2w_histogram_get("l2watch_t_duration_seconds", "Durations.", "route=\"/x\"", buckets, 4);
    CHECK(h == l2w_histogram_get("l2watch_t_duration_seconds", "Durations.", "route=\"/x\"", buckets, 4));
    l2w_histogram_observe(h, 0.001); /* first bucket */
    l2w_histogram_observe(h, 0.005); /* le is inclusive */
    l2w_histogram_observe(h, 0.5);
    l2w_histogram_observe(h, 3);     /* only +Inf */
    l2w_histogram_observe(h, NAN);   /* ignored */
    exposition *e = render_and_parse();
    if (!e)
        return;
    CHECK(e->errors == 0);
    const char *name = "l2watch_t_duration_seconds_bucket";
    CHECK(value_of(e, name, (const char *const[]){"route", "/x", "le", "0.005", NULL}) == 2);
    CHECK(value_of(e, name, (const char *const[]){"route", "/x", "le", "0.1", NULL}) == 2);
    CHECK(value_of(e, name, (const char *const[]){"route", "/x", "le", "1", NULL}) == 3);
    CHECK(value_of(e, name, (const char *const[]){"route", "/x", "le", "2.5", NULL}) == 3);
    CHECK(value_of(e, name, (const char *const[]){"route", "/x", "le", "+Inf", NULL}) == 4);
    CHECK(value_of(e, "l2watch_t_duration_seconds_count", (const char *const[]){"route", "/x", NULL}) == 4);
    double sum = value_of(e, "l2watch_t_duration_seconds_sum", (const char *const[]){"route", "/x", NULL});
    CHECK(sum > 3.506 - 1e-9 && sum < 3.506 + 1e-9);
    const family_info *f = find_family(e, "l2watch_t_duration_seconds");
    CHECK(f && strcmp(f->type, "histogram") == 0);
    /* No HELP/TYPE lines for the suffixed names. */
    CHECK(find_family(e, name) == NULL);
    free(e);

    /* Bounds print in their shortest form, whole numbers as integers. */
    static const double wide[] = {0.0001, 0.1, 10, 300, 1e20};
    l2w_histogram_observe(l2w_histogram_get("l2watch_t_wide_seconds", "Wide.", NULL, wide, 5), 1);
    char *text = NULL;
    size_t len;
    CHECK(l2w_metrics_render(&text, &len) == L2W_OK);
    CHECK(text && strstr(text, "l2watch_t_wide_seconds_bucket{le=\"0.0001\"} 0\n"));
    CHECK(text && strstr(text, "l2watch_t_wide_seconds_bucket{le=\"0.1\"} 0\n"));
    CHECK(text && strstr(text, "l2watch_t_wide_seconds_bucket{le=\"10\"} 1\n"));
    CHECK(text && strstr(text, "l2watch_t_wide_seconds_bucket{le=\"300\"} 1\n"));
    CHECK(text && strstr(text, "l2watch_t_wide_seconds_bucket{le=\"1e+20\"} 1\n"));
    CHECK(text && strstr(text, "l2watch_t_wide_seconds_sum 1\n"));
    free(text);
}

static void test_escaping(void)
{
    char esc[128];
    CHECK(l2w_metrics_escape_label(esc, sizeof esc, "a\\b\"c\nd") == L2W_OK);
    CHECK(strcmp(esc, "a\\\\b\\\"c\\nd") == 0);
    CHECK(l2w_metrics_escape_label(esc, 4, "abcd") == L2W_ERR_RANGE);
    CHECK(l2w_metrics_escape_label(esc, 5, "abcd") == L2W_OK);
    CHECK(l2w_metrics_escape_label(esc, 4, "a\"b") == L2W_ERR_RANGE);
    CHECK(l2w_metrics_escape_label(esc, 1, "") == L2W_OK && esc[0] == '\0');

    char labels[160];
    snprintf(labels, sizeof labels, "sink=\"%s\"", esc);
    CHECK(l2w_metrics_escape_label(esc, sizeof esc, "we\"ird\\na}me,x=\"y\"") == L2W_OK);
    snprintf(labels, sizeof labels, "sink=\"%s\"", esc);
    l2w_counter_add(l2w_counter_get("l2watch_t_escape_total", "Help with \\ and\nnewline.", labels), 2);
    exposition *e = render_and_parse();
    if (!e)
        return;
    CHECK(e->errors == 0);
    CHECK(value_of(e, "l2watch_t_escape_total", (const char *const[]){"sink", "we\"ird\\na}me,x=\"y\"", NULL}) == 2);
    const family_info *f = find_family(e, "l2watch_t_escape_total");
    CHECK(f && strcmp(f->help, "Help with \\\\ and\\nnewline.") == 0);
    free(e);
}

#define THREADS 4
#define ITERATIONS 20000

static void *hammer(void *arg)
{
    (void)arg;
    static const double buckets[] = {0.5};
    for (int i = 0; i < ITERATIONS; i++) {
        /* Look up every time as well, to race registration against updates. */
        l2w_counter_add(l2w_counter_get("l2watch_t_race_total", "Race.", "t=\"all\""), 1);
        l2w_gauge_add(l2w_gauge_get("l2watch_t_race_gauge", "Race.", NULL), 1.0);
        l2w_histogram_observe(l2w_histogram_get("l2watch_t_race_seconds", "Race.", NULL, buckets, 1),
                              (i & 1) ? 1.0 : 0.25);
        if (i % 5000 == 0) {
            char *text;
            size_t len;
            if (l2w_metrics_render(&text, &len) == L2W_OK)
                free(text);
        }
    }
    return NULL;
}

static void test_concurrency(void)
{
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        CHECK(pthread_create(&t[i], NULL, hammer, NULL) == 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    exposition *e = render_and_parse();
    if (!e)
        return;
    CHECK(e->errors == 0);
    double total = THREADS * (double)ITERATIONS;
    CHECK(value_of(e, "l2watch_t_race_total", (const char *const[]){"t", "all", NULL}) == total);
    CHECK(value_of(e, "l2watch_t_race_gauge", NULL) == total);
    CHECK(value_of(e, "l2watch_t_race_seconds_count", NULL) == total);
    CHECK(value_of(e, "l2watch_t_race_seconds_bucket", (const char *const[]){"le", "0.5", NULL}) == total / 2);
    CHECK(value_of(e, "l2watch_t_race_seconds_sum", NULL) == total / 2 * 1.25);
    free(e);
}

/* Bad registrations are bugs and log BROKEN, which would fail this test
 * process; so they run in a child that reports through its exit code. Each
 * must return a usable sink, and none may reach the rendered text. */
static int misuse_child(void)
{
    static const double desc[] = {1, 0.5};
    static const double ok[] = {1};
    static const double other[] = {2};
    int bad = 0;
    l2w_counter_add(l2w_counter_get("no_prefix_total", "x", NULL), 1);
    l2w_counter_add(l2w_counter_get("l2watch_bad-name", "x", NULL), 1);
    l2w_counter_add(l2w_counter_get("l2watch_c_total", "x", "unquoted=1"), 1);
    l2w_counter_add(l2w_counter_get("l2watch_c_total", "x", "a=\"1\",a=\"2\""), 1);
    l2w_counter_add(l2w_counter_get("l2watch_c_total", "x", "a=\"raw\nnewline\""), 1);
    l2w_counter_add(l2w_counter_get("l2watch_c_total", "x", "a=\"bad\\escape\""), 1);
    l2w_counter_add(l2w_counter_get("l2watch_c_total", "x", "a=\"1\","), 1);
    l2w_counter_add(l2w_counter_get("l2watch_c_total", "x", "__name__=\"x\""), 1);
    /* The bad label sets above registered nothing, so this creates a gauge family... */
    l2w_gauge_set(l2w_gauge_get("l2watch_c_total", "x", NULL), 1);
    /* ...and a counter of the same name clashes with it. */
    l2w_counter_add(l2w_counter_get("l2watch_c_total", "x", NULL), 1);
    l2w_histogram_observe(l2w_histogram_get("l2watch_h_seconds", "x", NULL, desc, 2), 1);
    l2w_histogram_observe(l2w_histogram_get("l2watch_h_seconds", "x", "le=\"1\"", ok, 1), 1);
    l2w_histogram_observe(l2w_histogram_get("l2watch_h2_seconds", "x", NULL, ok, 1), 1);
    l2w_histogram_observe(l2w_histogram_get("l2watch_h2_seconds", "x", NULL, other, 1), 1); /* other buckets */
    char *text;
    size_t len;
    if (l2w_metrics_render(&text, &len) != L2W_OK)
        return 2;
    exposition *e = malloc(sizeof *e);
    if (!e)
        return 2;
    parse_exposition(e, text);
    bad += e->errors;
    bad += strstr(text, "no_prefix") != NULL;
    bad += strstr(text, "bad-name") != NULL;
    bad += strstr(text, "unquoted") != NULL;
    bad += strstr(text, "raw") != NULL;
    bad += strstr(text, "l2watch_h_seconds") != NULL;
    /* The valid first registrations are there: the gauge and one h2 series. */
    bad += value_of(e, "l2watch_c_total", NULL) != 1;
    bad += value_of(e, "l2watch_h2_seconds_count", NULL) != 1;
    free(e);
    free(text);
    return bad == 0 ? 0 : 1;
}

static void test_misuse_is_contained(void)
{
    fflush(stderr);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        /* The child's BROKEN lines are expected; keep them out of the test log. */
        if (!freopen("/dev/null", "w", stderr))
            _exit(3);
        _exit(misuse_child());
    }
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(void)
{
    RUN(test_misuse_is_contained); /* first, so the child's registry starts empty */
    RUN(test_counter_and_gauge);
    RUN(test_histogram);
    RUN(test_escaping);
    RUN(test_concurrency);
    return l2w_test_finish();
}
