#ifndef L2W_RESPONDER_SIGNER_KEY_H
#define L2W_RESPONDER_SIGNER_KEY_H

#include <stdint.h>

#include "core/status.h"

/* Loading a raw secp256k1 private key: 64 hex digits, optional 0x prefix,
 * surrounding whitespace ignored. Every temporary copy is wiped; error
 * messages never contain key material. */

/* The file must be a regular file that neither group nor others can read
 * or write (chmod 600): a key another local user can read is no secret. */
L2W_MUST_CHECK l2w_status l2w_key_load_file(uint8_t key[32], const char *path, l2w_err *err);
/* Reads the variable, then overwrites its value in this process's
 * environment and unsets it, so child processes and later dumps of the
 * environment do not carry it. */
L2W_MUST_CHECK l2w_status l2w_key_load_env(uint8_t key[32], const char *name, l2w_err *err);
L2W_MUST_CHECK l2w_status l2w_key_parse_hex(uint8_t key[32], const char *text, size_t len);

#endif
