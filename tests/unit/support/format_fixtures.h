#ifndef L2W_TESTS_UNIT_SUPPORT_FORMAT_FIXTURES_H
#define L2W_TESTS_UNIT_SUPPORT_FORMAT_FIXTURES_H

/* What the alert formatter tests (tests/unit/test_format_*.c) share: alert
 * payloads shaped as the finding_documents view writes them (README, "What
 * each finding means"), batches over them, and the malformed payloads every
 * formatter must refuse with L2W_ERR_INVALID naming the field. */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "alerts/alert_format.h"
#include "core/status.h"

#define FX_DASHBOARD "https://l2watch.example.org"
#define FX_EXPLORER "https://explorer.example.org"     /* op-mainnet's and base's */
#define FX_L1_EXPLORER "https://etherscan.example.org" /* ethereum's */
#define FX_NOW 1714567200 /* 2024-05-01T12:40:00Z */

/* An invalid_output_root finding on op-mainnet (critical), id 17, its
 * block on op-mainnet and its transaction on ethereum, with
 * event and the status that goes with it ("resolved" and "retracted" for
 * those events, "open" otherwise). New reference. */
json_t *fx_invalid_output_root(const char *event);
/* A data_withheld finding on base (high) with the given id, its block and
 * transaction on ethereum, tx_hash null when with_tx is false. New
 * reference. */
json_t *fx_data_withheld(long long id, const char *event, bool with_tx);

/* n data_withheld findings on base, ids 100.., every other one with a
 * transaction (an array the caller frees with fx_free_docs). */
json_t **fx_group_docs(size_t n);
void fx_free_docs(json_t **docs, size_t n);
/* unit repeated times (malloc'd). */
char *fx_repeat(const char *unit, size_t times);
/* Sets doc's summary to text and adds n_extra evidence entries extra_00..
 * holding it: a payload past every limit. */
void fx_bloat(json_t *doc, const char *text, int n_extra);

/* Explorers for l2w_alert_batch: ctx is a NULL-terminated list of chain
 * name, URL pairs (a NULL URL: the chain has none). */
const char *fx_explorer(const void *ctx, const char *chain);
/* ethereum: FX_L1_EXPLORER, op-mainnet and base: FX_EXPLORER. */
extern const char *const fx_explorers[];
/* ethereum's explorer only: op-mainnet has none, so its blocks go unlinked
 * while an L1 transaction is still linked. */
extern const char *const fx_l1_only_explorers[];

/* A batch of n payloads with the dashboard and fx_explorers set (links
 * true) or not, now = FX_NOW. */
l2w_alert_batch fx_batch(const json_t *const *alerts, size_t n, bool links);

/* Parses a formatter's JSON body (duplicate keys refused); NULL when it is
 * not JSON. */
json_t *fx_parse(const char *body);
/* UTF-16 code units of a UTF-8 string: what the chat services' "characters"
 * are at most. */
size_t fx_units(const char *utf8);
/* Whether s is a string value of obj's key (NULL obj allowed). */
const char *fx_str(const json_t *obj, const char *key);

/* Checks that obj's members are the strings of kv: key, value, key,
 * value, ..., NULL (where names obj in failures). */
void fx_check_strings(const json_t *obj, const char *const *kv, const char *where);

/* A formatter under test, with whatever else it takes in ctx. */
typedef l2w_status (*fx_format_fn)(char **out, const l2w_alert_batch *b, void *ctx, l2w_err *err);

/* Runs fn over the malformed batches (a missing kind, an id as a string,
 * evidence that is not an object, an unknown severity or event, a bad
 * tx_hash, block_number or detected_at, a payload that is not an object, n
 * = 0, links that would break markup and, when groups, a group of two
 * kinds) and checks each is L2W_ERR_INVALID with *out NULL and a message
 * naming the field. */
void fx_check_malformed(fx_format_fn fn, void *ctx, bool groups);
/* Runs fn over iterations random corruptions of good payloads (members
 * removed or replaced by values of every type) and checks that each answer
 * is L2W_OK with a body or L2W_ERR_INVALID with a message, never a crash
 * (ASan and UBSan watch). */
void fx_check_random_payloads(fx_format_fn fn, void *ctx, int iterations);

#endif
