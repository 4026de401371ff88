#ifndef L2W_WEB_READ_AUTH_H
#define L2W_WEB_READ_AUTH_H

#include <stdbool.h>

#include "core/config.h"
#include "core/status.h"
#include "web/api_clients.h"

/* Who may read (web.read_auth: required): a web.readers entry by HTTP Basic
 * or by bearer token, or any web.clients token (whoever may write may read).
 *
 * Passwords are crypt(3) hashes, slow on purpose, so two things keep a
 * browser (which sends its Basic credentials with every request) from
 * costing a hash each time, and a stranger from burning CPU with guesses:
 * a credential verified once is remembered by its SHA-256, compared in
 * constant time from then on; and verifications that are not remembered
 * share one bucket of L2W_READ_AUTH_VERIFY_PER_S a second (a burst of
 * twice that), past which a Basic request is answered 429 without hashing. */

#define L2W_READ_AUTH_VERIFY_PER_S 10

typedef struct l2w_read_auth l2w_read_auth;

typedef enum {
    L2W_READ_OK,
    L2W_READ_MISSING,   /* no Authorization header */
    L2W_READ_MALFORMED, /* neither "Basic <base64 of user:password>" nor "Bearer <token>" */
    L2W_READ_DENIED,    /* unknown user or token, or a wrong password */
    L2W_READ_THROTTLED, /* too many password checks this second; try again */
} l2w_read_auth_result;

L2W_MUST_CHECK l2w_status l2w_read_auth_create(l2w_read_auth **out, const l2w_config *cfg,
                                               const l2w_api_clients *clients, l2w_err *err);
void l2w_read_auth_destroy(l2w_read_auth *a);

/* The verdict on an Authorization header value (NULL when absent) at time
 * now (seconds, any monotonic origin). Thread-safe. */
l2w_read_auth_result l2w_read_auth_check(l2w_read_auth *a, const char *authorization, double now);

#endif
