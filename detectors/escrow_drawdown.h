#ifndef L2W_DETECTORS_ESCROW_DRAWDOWN_H
#define L2W_DETECTORS_ESCROW_DRAWDOWN_H

#include <stddef.h>
#include <stdint.h>

#include "core/finding.h"
#include "core/status.h"
#include "detectors/bridge_facts.h"

/* escrow_drawdown (high): an escrow falls by more than drawdown_percent of
 * its highest balance within window_s (ERC-7265's "minimum liquidity
 * retained" idea), or by more than single_release_percent of its balance in
 * one block (a single release too large to be ordinary). A pure rule. One
 * finding per incident: the caller raises it with a subject and resolves it
 * when the verdict goes back to NONE. */

typedef struct {
    uint32_t window_s;               /* default 14400 (4 h) */
    uint32_t drawdown_percent;       /* default 30 */
    uint32_t single_release_percent; /* default 10 */
} l2w_drawdown_params;

typedef enum {
    L2W_DRAWDOWN_NONE = 0,
    L2W_DRAWDOWN_WINDOW = 1,  /* the window's fall from its peak is too large */
    L2W_DRAWDOWN_SINGLE = 2,  /* one block's fall is too large (and the window's is not) */
} l2w_drawdown_reason;

typedef struct {
    l2w_drawdown_reason reason;
    l2w_escrow_sample peak;      /* WINDOW: the highest balance in the window; SINGLE: the sample before the fall */
    l2w_escrow_sample last;      /* the latest sample */
    l2w_u256 fall;               /* peak.balance - last.balance (WINDOW) or the block's fall (SINGLE) */
    uint32_t fall_bps;           /* fall in basis points of peak.balance, rounded down */
    l2w_u256 window_outflow;     /* sum of every fall between consecutive samples in the window */
    size_t falls;                /* samples in the window lower than the one before */
    uint64_t window_start;       /* last.timestamp - window_s, or 0 when the window reaches back past 0 */
    l2w_escrow_sample largest;   /* the sample after the window's largest single fall (all zero when none fell) */
    l2w_u256 largest_fall;
    /* Where the fall ends: last (WINDOW, NONE), or the sample after the
     * block's fall (SINGLE), whose block holds the release. fall is
     * peak.balance - fell_to.balance in every case. */
    l2w_escrow_sample fell_to;
} l2w_drawdown_verdict;

/* samples[0..n): ascending by block number with the latest last (the
 * collector stores one for every block with a movement, so the fall between
 * two consecutive samples is one block's); the latest sample at or before
 * window_start stands for the balance when the window opened (earlier ones
 * are ignored; with none that old the oldest sample opens the window).
 * Thresholds are strict: a fall of exactly drawdown_percent is no breach.
 * When several blocks' falls breach single_release_percent, the largest in
 * base units is reported. L2W_ERR_INVALID if n is 0, block numbers do not
 * rise or timestamps go back; L2W_ERR_RANGE if the window's outflow passes
 * 2^256. An escrow that was empty at its peak never breaches. */
L2W_MUST_CHECK l2w_status l2w_drawdown_judge(l2w_drawdown_verdict *out, const l2w_drawdown_params *p,
                                             const l2w_escrow_sample *samples, size_t n, l2w_err *err);

/* The escrow_drawdown finding for a verdict other than NONE: evidence with
 * the bridge, token, escrow, the window's figures (peak, last, fall, percent,
 * outflow, falls, window start and end) and the thresholds; anchored at the
 * latest sample's block; subject "bridge:<bridge>:<token or native>";
 * dedup key naming the bridge, token and the latest sample's block hash.
 * L2W_ERR_INVALID for a NONE verdict; L2W_ERR_RANGE when the subject or
 * key would not fit (a bridge name far beyond the config's 32 characters). */
L2W_MUST_CHECK l2w_status l2w_drawdown_finding(l2w_finding *out, const l2w_bridge_subject *s,
                                               const l2w_drawdown_params *p, const l2w_drawdown_verdict *v,
                                               l2w_err *err);

#endif
