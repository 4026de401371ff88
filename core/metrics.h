#ifndef L2W_CORE_METRICS_H
#define L2W_CORE_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

/* Process-wide Prometheus registry. Names carry the l2watch_ prefix and base
 * units (_seconds, _total). Labels are a pre-rendered label set such as
 * `chain="l1",kind="timeout"` (or NULL): low-cardinality values only, never
 * addresses or hashes. Getting the same (name, labels) twice returns the same
 * series, so callers may look series up once and keep the pointer; the
 * registry owns every series for the life of the process. Updates are
 * lock-free atomics; registration takes a lock. Never returns NULL: on
 * allocation failure a shared sink series is returned and the failure logged. */
typedef struct l2w_counter l2w_counter;
typedef struct l2w_gauge l2w_gauge;
typedef struct l2w_histogram l2w_histogram;

l2w_counter *l2w_counter_get(const char *name, const char *help, const char *labels);
void l2w_counter_add(l2w_counter *c, uint64_t n);

l2w_gauge *l2w_gauge_get(const char *name, const char *help, const char *labels);
void l2w_gauge_set(l2w_gauge *g, double v);
void l2w_gauge_add(l2w_gauge *g, double delta);

/* buckets: ascending upper bounds (the +Inf bucket is implicit); copied. */
l2w_histogram *l2w_histogram_get(const char *name, const char *help, const char *labels, const double *buckets,
                                 size_t n_buckets);
void l2w_histogram_observe(l2w_histogram *h, double v);

/* Escapes value for use between the double quotes of a label set (backslash,
 * double quote and newline, as the text format requires), NUL-terminated, into
 * out. L2W_ERR_RANGE if out_len is too small. Use it for any label value not
 * known at compile time (sink names, routes). */
L2W_MUST_CHECK l2w_status l2w_metrics_escape_label(char *out, size_t out_len, const char *value);

/* Renders every series in the Prometheus text exposition format 0.0.4 into a
 * malloc'd buffer the caller frees. */
L2W_MUST_CHECK l2w_status l2w_metrics_render(char **out, size_t *out_len);

#endif
