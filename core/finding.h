#ifndef L2W_CORE_FINDING_H
#define L2W_CORE_FINDING_H

#include <jansson.h>
#include <stdbool.h>

#include "core/eth_types.h"
#include "core/status.h"
#include "core/u256.h"

/* What a detector concluded. The dedup key is stable for the same fact, so a
 * finding raised again after a restart or by another replica is the same row. */

/* Stored by name (findings.severity); the order is the order of urgency. */
typedef enum {
    L2W_SEV_INFO = 0,
    L2W_SEV_LOW = 1,
    L2W_SEV_MEDIUM = 2,
    L2W_SEV_HIGH = 3,
    L2W_SEV_CRITICAL = 4,
} l2w_severity;

const char *l2w_severity_name(l2w_severity sev);

/* Which chain a finding's block_number or tx_hash is on, so that a link to
 * it goes to that chain's explorer. Zero (a finding cleared with memset) is
 * the anchor chain: most findings stand on an L1 fact and cite its block and
 * transaction. A finding about an L2 block judged from an L1 fact (an output
 * root) says ON_FINDING_CHAIN for that block. */
typedef enum {
    L2W_ON_ANCHOR_CHAIN = 0, /* the anchor's chain, or the finding's chain when it has no anchor */
    L2W_ON_FINDING_CHAIN = 1,
} l2w_ref_chain;
/* The severity named name, or -1. */
int l2w_severity_from_name(const char *name);

typedef struct {
    const char *kind;            /* static string, e.g. "invalid_output_root" */
    l2w_severity severity;
    char chain[40];
    char dedup_key[400];
    char title[256];
    char summary[1024];
    json_t *evidence;            /* owned object */
    bool has_block_number;
    l2w_u256 block_number;
    l2w_ref_chain block_on;      /* the chain block_number is on */
    bool has_tx_hash;
    l2w_hash tx_hash;
    l2w_ref_chain tx_on;         /* the chain tx_hash is on */
    /* The block holding the fact the finding stands on; a reorg that removes
     * it retracts the finding. */
    bool has_anchor;
    char anchor_chain[40];
    l2w_hash anchor_block_hash;
    /* For conditions that last (a drawdown, a backing shortfall, a liveness
     * gap): what the condition is about, e.g. "bridge:op:0xa0b8..". While a
     * finding with the same kind and subject is open, no second one is
     * raised; the detector resolves it when the condition ends. Empty for
     * one-off facts. */
    char subject[160];
} l2w_finding;

/* Writes a finding's title or summary, cut short (still NUL-terminated)
 * when the parts do not fit, which only extreme names or values cause: the
 * text is for people, the evidence keeps every figure whole. */
void l2w_finding_text(char *out, size_t out_len, const char *fmt, ...) L2W_PRINTF(3, 4);
/* The name of the chain that on says, for f (static while f lives). */
const char *l2w_finding_ref_chain(const l2w_finding *f, l2w_ref_chain on);
/* Releases the evidence; the struct may be reused. */
void l2w_finding_clear(l2w_finding *f);

#endif
