#ifndef L2W_DETECTORS_RPC_AGREEMENT_H
#define L2W_DETECTORS_RPC_AGREEMENT_H

#include <stdbool.h>

#include "core/finding.h"
#include "core/status.h"
#include "detectors/state_root.h"

/* rpc_agreement: before a verdict on an output root is stored, a second
 * endpoint is asked for the same block. When the two tell different stories
 * the verdict would rest on one endpoint's word, so there is no verdict and
 * no fraud alarm: an rpc_disagreement finding instead. A pure rule. */

/* What one endpoint said about the proposal's L2 block. */
typedef struct {
    char endpoint[64];   /* a label safe to show: index and host, no key */
    l2w_l2_output_inputs in;
} l2w_endpoint_answer;

/* True when both endpoints give the same block hash, state root and message
 * passer storage root (hence the same output root). */
bool l2w_answers_agree(const l2w_endpoint_answer *a, const l2w_endpoint_answer *b);

/* The rpc_disagreement finding (warning) for proposal p: both answers and the
 * output roots they imply, anchored, like the proposal, to its L1 block. */
L2W_MUST_CHECK l2w_status l2w_rpc_disagreement_finding(l2w_finding *out, const l2w_output_proposal *p,
                                                       const l2w_endpoint_answer *a, const l2w_endpoint_answer *b,
                                                       l2w_err *err);

#endif
