#ifndef L2W_DETECTORS_BRIDGE_BACKING_H
#define L2W_DETECTORS_BRIDGE_BACKING_H

#include <stdbool.h>
#include <stdint.h>

#include "core/finding.h"
#include "core/status.h"
#include "detectors/bridge_facts.h"

/* supply_exceeds_escrow (critical): the bridged token's supply on the other
 * chain must never exceed what the escrow holds. The two chains are read at
 * different moments, so the supply is read twice, before and after the
 * escrow: a mint always follows its lock and a burn precedes its release, so
 * for honest flows min(before, after) <= escrow whatever happened between
 * the reads. */

typedef struct {
    l2w_u256 supply_before;
    uint64_t remote_block_before;
    l2w_u256 escrow;
    uint64_t escrow_block;
    l2w_hash escrow_block_hash;
    l2w_u256 supply_after;
    uint64_t remote_block_after;
} l2w_backing_reading;

typedef struct {
    bool exceeds;
    l2w_u256 supply;   /* min(before, after) */
    l2w_u256 excess;   /* supply - escrow when exceeds */
} l2w_backing_verdict;

void l2w_backing_judge(l2w_backing_verdict *out, const l2w_backing_reading *r);

/* Evidence with both supplies, the escrow and their blocks, the excess;
 * anchored at the escrow block; subject "bridge:<bridge>:<token>"; dedup
 * key naming bridge, token and the escrow block hash. L2W_ERR_INVALID when
 * the verdict does not exceed. */
L2W_MUST_CHECK l2w_status l2w_backing_finding(l2w_finding *out, const l2w_bridge_subject *s,
                                              const l2w_backing_reading *r, const l2w_backing_verdict *v,
                                              l2w_err *err);

#endif
