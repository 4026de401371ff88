#ifndef L2W_ALERTS_GROUPING_H
#define L2W_ALERTS_GROUPING_H

#include <stdbool.h>

#include "core/db.h"
#include "core/status.h"

/* Bursts to chat and email sinks: the first "raised" alert of a kind on a
 * chain goes out at once; those that follow within alerts.group_window_s
 * wait for the window's end and then go out together as one message. Each
 * grouped row is still its own outbox row, marked delivered with the
 * leader's id (sent_with). All in the claiming transaction. */

/* Whether row leader_id (sink, kind, chain) must wait: a raised alert of the
 * same kind and chain went to the sink less than window_s ago. Then its
 * next_attempt_at is moved to that delivery plus the window, and *held. */
L2W_MUST_CHECK l2w_status l2w_group_hold(l2w_db *db, const char *leader_id, const char *sink, const char *kind,
                                         const char *chain, unsigned window_s, bool *held, l2w_err *err);

/* The other pending raised rows of the group, locked: columns id, payload.
 * At most max_rows. *res is the caller's to PQclear. */
L2W_MUST_CHECK l2w_status l2w_group_companions(l2w_db *db, PGresult **res, const char *leader_id, const char *sink,
                                               const char *kind, const char *chain, int max_rows, l2w_err *err);

/* Marks the companions (ids as a bigint[] literal) delivered with the leader. */
L2W_MUST_CHECK l2w_status l2w_group_mark_sent(l2w_db *db, const char *leader_id, const char *ids_literal,
                                              l2w_err *err);

#endif
