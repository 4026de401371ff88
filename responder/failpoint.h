#ifndef L2W_RESPONDER_FAILPOINT_H
#define L2W_RESPONDER_FAILPOINT_H

/* Crash injection for the exactly-once tests. When the environment variable
 * L2W_FAILPOINT names this point (e.g. L2W_FAILPOINT=after_sign), the process
 * kills itself with SIGKILL right there: the same as a power cut, no cleanup.
 * Points: before_sign, after_sign, after_send, before_receipt. Unset in
 * production, where this is one getenv per call. */
void l2w_failpoint(const char *point);

#endif
