#include "core/metrics.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

/* A process-wide registry of metric families, each a list of series keyed by
 * a canonical label set. Registration (rare, usually once per call site) takes
 * the registry lock; updates touch only the series' atomics, so hot paths never
 * contend. Series are never freed: callers keep the pointers for the life of
 * the process, and the registry stays reachable from a static root. */

#define MAX_LABELS_LEN 1024 /* a pre-rendered label set; anything longer is a bug */
#define MAX_LABEL_PAIRS 16
#define MAX_BUCKETS 64

typedef enum {
    KIND_COUNTER = 0,
    KIND_GAUGE = 1,
    KIND_HISTOGRAM = 2,
} metric_kind;

struct l2w_counter {
    _Atomic uint64_t value;
};

/* Doubles are kept as their bit pattern so updates can be lock-free CAS loops. */
struct l2w_gauge {
    _Atomic uint64_t bits;
};

struct l2w_histogram {
    size_t n_buckets;
    double *bounds;           /* n_buckets ascending upper bounds */
    _Atomic uint64_t *counts; /* n_buckets + 1 per-bucket (not cumulative) counts; the last is +Inf */
    _Atomic uint64_t sum_bits;
};

typedef struct series {
    struct series *next;
    char *labels; /* canonical: pairs sorted by label name; "" for none */
    struct l2w_counter counter;
    struct l2w_gauge gauge;
    struct l2w_histogram hist;
} series;

typedef struct family {
    struct family *next;
    char *name;
    char *help;
    metric_kind kind;
    series *first;
    series **last;
} family;

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static family *families;
static family **families_last = &families;

/* Where callers are pointed when registration fails, so updates stay valid. */
static struct l2w_counter sink_counter;
static struct l2w_gauge sink_gauge;
static _Atomic uint64_t sink_counts[1];
static struct l2w_histogram sink_histogram = {0, NULL, sink_counts, 0};

static uint64_t double_bits(double v)
{
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    return b;
}

static double bits_double(uint64_t b)
{
    double v;
    memcpy(&v, &b, sizeof v);
    return v;
}

static void atomic_add_double(_Atomic uint64_t *bits, double delta)
{
    uint64_t old = atomic_load_explicit(bits, memory_order_relaxed);
    while (!atomic_compare_exchange_weak_explicit(bits, &old, double_bits(bits_double(old) + delta),
                                                  memory_order_relaxed, memory_order_relaxed)) {
    }
}

/* ---- validation and canonical label sets -------------------------------- */

static bool is_name_start(char c, bool colon_ok)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon_ok && c == ':');
}

static bool is_name_char(char c, bool colon_ok)
{
    return is_name_start(c, colon_ok) || (c >= '0' && c <= '9');
}

static bool valid_metric_name(const char *name)
{
    /* House rule: every l2watch metric carries the prefix, so dashboards can
     * select them all and nothing collides with other exporters. */
    if (strncmp(name, "l2watch_", 8) != 0)
        return false;
    for (const char *p = name; *p; p++)
        if (!is_name_char(*p, true))
            return false;
    return true;
}

typedef struct {
    const char *start; /* the whole `name="value"` text */
    size_t len;
    size_t name_len;
} label_pair;

/* Splits a label set `a="x",b="y"` into pairs, checking the syntax the text
 * format requires so that /metrics can never emit an unparsable line. */
static bool split_labels(label_pair *pairs, size_t *n_pairs, const char *labels)
{
    size_t n = 0;
    const char *p = labels;
    while (*p) {
        if (n == MAX_LABEL_PAIRS)
            return false;
        const char *start = p;
        if (!is_name_start(*p, false))
            return false;
        while (is_name_char(*p, false))
            p++;
        size_t name_len = (size_t)(p - start);
        if (name_len >= 2 && start[0] == '_' && start[1] == '_')
            return false; /* reserved for Prometheus itself */
        if (p[0] != '=' || p[1] != '"')
            return false;
        p += 2;
        for (;;) {
            if (*p == '\0' || *p == '\n')
                return false;
            if (*p == '"')
                break;
            if (*p == '\\') {
                if (p[1] != '\\' && p[1] != '"' && p[1] != 'n')
                    return false;
                p++;
            }
            p++;
        }
        p++; /* closing quote */
        pairs[n].start = start;
        pairs[n].len = (size_t)(p - start);
        pairs[n].name_len = name_len;
        for (size_t i = 0; i < n; i++)
            if (pairs[i].name_len == name_len && memcmp(pairs[i].start, start, name_len) == 0)
                return false; /* the same label twice */
        n++;
        if (*p == ',') {
            p++;
            if (*p == '\0')
                return false;
        } else if (*p != '\0') {
            return false;
        }
    }
    *n_pairs = n;
    return true;
}

static int pair_cmp(const void *a, const void *b)
{
    const label_pair *x = a, *y = b;
    size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
    int c = memcmp(x->start, y->start, n);
    if (c != 0)
        return c;
    return (x->name_len > y->name_len) - (x->name_len < y->name_len);
}

/* Sorts pairs by label name so `a="1",b="2"` and `b="2",a="1"` are one series. */
static bool canonical_labels(char *out, size_t out_len, const char *labels, bool histogram)
{
    if (!labels)
        labels = "";
    if (strlen(labels) >= out_len)
        return false;
    label_pair pairs[MAX_LABEL_PAIRS];
    size_t n = 0;
    if (!split_labels(pairs, &n, labels))
        return false;
    qsort(pairs, n, sizeof pairs[0], pair_cmp);
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        if (histogram && pairs[i].name_len == 2 && memcmp(pairs[i].start, "le", 2) == 0)
            return false; /* le belongs to the buckets */
        if (i > 0)
            out[len++] = ',';
        memcpy(out + len, pairs[i].start, pairs[i].len);
        len += pairs[i].len;
    }
    out[len] = '\0';
    return true;
}

l2w_status l2w_metrics_escape_label(char *out, size_t out_len, const char *value)
{
    size_t len = 0;
    for (const char *p = value; *p; p++) {
        const char *rep = NULL;
        if (*p == '\\')
            rep = "\\\\";
        else if (*p == '"')
            rep = "\\\"";
        else if (*p == '\n')
            rep = "\\n";
        size_t need = rep ? 2 : 1;
        if (len + need >= out_len)
            return L2W_ERR_RANGE;
        if (rep) {
            memcpy(out + len, rep, 2);
        } else {
            out[len] = *p;
        }
        len += need;
    }
    if (out_len == 0)
        return L2W_ERR_RANGE;
    out[len] = '\0';
    return L2W_OK;
}

/* ---- registration --------------------------------------------------------- */

static const char *kind_name(metric_kind kind)
{
    switch (kind) {
    case KIND_COUNTER: return "counter";
    case KIND_GAUGE: return "gauge";
    case KIND_HISTOGRAM: return "histogram";
    }
    return "untyped";
}

static family *find_or_add_family(const char *name, const char *help, metric_kind kind)
{
    for (family *f = families; f; f = f->next) {
        if (strcmp(f->name, name) != 0)
            continue;
        if (f->kind != kind) {
            L2W_BROKEN("metrics", name, "registered as %s and as %s", kind_name(f->kind), kind_name(kind));
            return NULL;
        }
        return f;
    }
    family *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->name = strdup(name);
    f->help = strdup(help ? help : "");
    if (!f->name || !f->help) {
        free(f->name);
        free(f->help);
        free(f);
        return NULL;
    }
    f->kind = kind;
    f->last = &f->first;
    *families_last = f;
    families_last = &f->next;
    return f;
}

static bool same_buckets(const struct l2w_histogram *h, const double *buckets, size_t n_buckets)
{
    if (h->n_buckets != n_buckets)
        return false;
    for (size_t i = 0; i < n_buckets; i++)
        if (double_bits(h->bounds[i]) != double_bits(buckets[i]))
            return false;
    return true;
}

static bool valid_buckets(const double *buckets, size_t n_buckets)
{
    if (n_buckets > MAX_BUCKETS || (n_buckets > 0 && !buckets))
        return false;
    for (size_t i = 0; i < n_buckets; i++) {
        if (!isfinite(buckets[i]))
            return false;
        if (i > 0 && !(buckets[i] > buckets[i - 1]))
            return false;
    }
    return true;
}

/* Returns the series for (name, labels), creating it; NULL on any failure,
 * which the caller turns into the sink. Runs under registry_lock. */
static series *get_series_locked(const char *name, const char *help, const char *labels, metric_kind kind,
                                 const double *buckets, size_t n_buckets)
{
    char canon[MAX_LABELS_LEN];
    if (!name || !valid_metric_name(name)) {
        L2W_BROKEN("metrics", name ? name : "(null)", "invalid metric name");
        return NULL;
    }
    if (!canonical_labels(canon, sizeof canon, labels, kind == KIND_HISTOGRAM)) {
        L2W_BROKEN("metrics", name, "invalid label set: %.200s", labels);
        return NULL;
    }
    if (kind == KIND_HISTOGRAM && !valid_buckets(buckets, n_buckets)) {
        L2W_BROKEN("metrics", name, "histogram buckets must be finite, ascending, at most %d", MAX_BUCKETS);
        return NULL;
    }
    family *f = find_or_add_family(name, help, kind);
    if (!f)
        return NULL;
    for (series *s = f->first; s; s = s->next) {
        if (strcmp(s->labels, canon) != 0)
            continue;
        if (kind == KIND_HISTOGRAM && !same_buckets(&s->hist, buckets, n_buckets)) {
            L2W_BROKEN("metrics", name, "histogram series registered with different buckets");
            return NULL;
        }
        return s;
    }
    series *s = calloc(1, sizeof *s);
    if (!s || !(s->labels = strdup(canon)))
        goto fail;
    if (kind == KIND_HISTOGRAM) {
        s->hist.n_buckets = n_buckets;
        s->hist.bounds = calloc(n_buckets ? n_buckets : 1, sizeof(double));
        s->hist.counts = calloc(n_buckets + 1, sizeof(_Atomic uint64_t));
        if (!s->hist.bounds || !s->hist.counts)
            goto fail;
        for (size_t i = 0; i < n_buckets; i++)
            s->hist.bounds[i] = buckets[i];
        atomic_init(&s->hist.sum_bits, double_bits(0.0));
    }
    atomic_init(&s->gauge.bits, double_bits(0.0));
    *f->last = s;
    f->last = &s->next;
    return s;
fail:
    if (s) {
        free(s->labels);
        free(s->hist.bounds);
        free((void *)s->hist.counts);
        free(s);
    }
    L2W_BROKEN("metrics", name, "out of memory registering a series");
    return NULL;
}

static series *get_series(const char *name, const char *help, const char *labels, metric_kind kind,
                          const double *buckets, size_t n_buckets)
{
    pthread_mutex_lock(&registry_lock);
    series *s = get_series_locked(name, help, labels, kind, buckets, n_buckets);
    pthread_mutex_unlock(&registry_lock);
    return s;
}

l2w_counter *l2w_counter_get(const char *name, const char *help, const char *labels)
{
    series *s = get_series(name, help, labels, KIND_COUNTER, NULL, 0);
    return s ? &s->counter : &sink_counter;
}

void l2w_counter_add(l2w_counter *c, uint64_t n)
{
    atomic_fetch_add_explicit(&c->value, n, memory_order_relaxed);
}

l2w_gauge *l2w_gauge_get(const char *name, const char *help, const char *labels)
{
    series *s = get_series(name, help, labels, KIND_GAUGE, NULL, 0);
    return s ? &s->gauge : &sink_gauge;
}

void l2w_gauge_set(l2w_gauge *g, double v)
{
    atomic_store_explicit(&g->bits, double_bits(v), memory_order_relaxed);
}

void l2w_gauge_add(l2w_gauge *g, double delta)
{
    atomic_add_double(&g->bits, delta);
}

l2w_histogram *l2w_histogram_get(const char *name, const char *help, const char *labels, const double *buckets,
                                 size_t n_buckets)
{
    series *s = get_series(name, help, labels, KIND_HISTOGRAM, buckets, n_buckets);
    return s ? &s->hist : &sink_histogram;
}

void l2w_histogram_observe(l2w_histogram *h, double v)
{
    /* A NaN would poison _sum forever; it can only come from a caller's bug. */
    if (isnan(v))
        return;
    size_t i = 0;
    while (i < h->n_buckets && !(v <= h->bounds[i]))
        i++;
    atomic_fetch_add_explicit(&h->counts[i], 1, memory_order_relaxed);
    atomic_add_double(&h->sum_bits, v);
}

/* ---- rendering ------------------------------------------------------------ */

/* Shortest text that reads back as the same double, so `le="0.1"` rather
 * than `le="0.10000000000000001"`. */
static void format_double(char out[40], double v)
{
    if (isnan(v)) {
        strcpy(out, "NaN");
        return;
    }
    if (isinf(v)) {
        strcpy(out, v > 0 ? "+Inf" : "-Inf");
        return;
    }
    /* Whole numbers print as integers ("10", not "1e+01"), as other exporters
     * do. (No floor(): the library does not link libm.) */
    if (v > -1e15 && v < 1e15 && v == (double)(int64_t)v) {
        snprintf(out, 40, "%.0f", v);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(out, 40, "%.*g", prec, v);
        if (strtod(out, NULL) == v)
            return;
    }
}

static void put_help(FILE *f, const char *help)
{
    for (const char *p = help; *p; p++) {
        if (*p == '\\')
            fputs("\\\\", f);
        else if (*p == '\n')
            fputs("\\n", f);
        else
            fputc(*p, f);
    }
}

/* name{labels} or name{labels,extra} or name{extra} or name. */
static void put_series_name(FILE *f, const char *name, const char *suffix, const char *labels, const char *extra)
{
    fputs(name, f);
    fputs(suffix, f);
    bool has_labels = labels[0] != '\0';
    if (!has_labels && !extra)
        return;
    fputc('{', f);
    fputs(labels, f);
    if (extra) {
        if (has_labels)
            fputc(',', f);
        fputs(extra, f);
    }
    fputc('}', f);
}

static void render_histogram(FILE *f, const char *name, const series *s)
{
    const struct l2w_histogram *h = &s->hist;
    uint64_t cumulative = 0;
    char num[40], le[64];
    for (size_t i = 0; i <= h->n_buckets; i++) {
        cumulative += atomic_load_explicit(&h->counts[i], memory_order_relaxed);
        if (i < h->n_buckets) {
            format_double(num, h->bounds[i]);
            snprintf(le, sizeof le, "le=\"%s\"", num);
        } else {
            strcpy(le, "le=\"+Inf\"");
        }
        put_series_name(f, name, "_bucket", s->labels, le);
        fprintf(f, " %llu\n", (unsigned long long)cumulative);
    }
    format_double(num, bits_double(atomic_load_explicit(&h->sum_bits, memory_order_relaxed)));
    put_series_name(f, name, "_sum", s->labels, NULL);
    fprintf(f, " %s\n", num);
    /* _count is the +Inf bucket by definition; using the same sum keeps them
     * equal even while other threads observe. */
    put_series_name(f, name, "_count", s->labels, NULL);
    fprintf(f, " %llu\n", (unsigned long long)cumulative);
}

static void render_family(FILE *f, const family *fam)
{
    fprintf(f, "# HELP %s ", fam->name);
    put_help(f, fam->help);
    fprintf(f, "\n# TYPE %s %s\n", fam->name, kind_name(fam->kind));
    char num[40];
    for (const series *s = fam->first; s; s = s->next) {
        switch (fam->kind) {
        case KIND_COUNTER:
            put_series_name(f, fam->name, "", s->labels, NULL);
            fprintf(f, " %llu\n", (unsigned long long)atomic_load_explicit(&s->counter.value, memory_order_relaxed));
            break;
        case KIND_GAUGE:
            format_double(num, bits_double(atomic_load_explicit(&s->gauge.bits, memory_order_relaxed)));
            put_series_name(f, fam->name, "", s->labels, NULL);
            fprintf(f, " %s\n", num);
            break;
        case KIND_HISTOGRAM:
            render_histogram(f, fam->name, s);
            break;
        }
    }
}

l2w_status l2w_metrics_render(char **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return L2W_ERR_NOMEM;
    pthread_mutex_lock(&registry_lock);
    for (const family *fam = families; fam; fam = fam->next)
        if (fam->first)
            render_family(f, fam);
    pthread_mutex_unlock(&registry_lock);
    bool failed = ferror(f) != 0;
    if (fclose(f) != 0 || failed) {
        free(buf);
        return L2W_ERR_NOMEM;
    }
    *out = buf;
    *out_len = len;
    return L2W_OK;
}
