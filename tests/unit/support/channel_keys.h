#ifndef L2W_TESTS_UNIT_SUPPORT_CHANNEL_KEYS_H
#define L2W_TESTS_UNIT_SUPPORT_CHANNEL_KEYS_H

/* Helpers for the channel codec tests (test_channel_vector.c,
 * test_channel_nitro.c): fixed test keys, signing a digest the way a
 * channel client does, and cast for command lines longer than
 * cast_support.h allows (states with many assets). */

#include <stddef.h>
#include <stdint.h>

#include "core/eth_types.h"

/* Test key i: keccak256("l2watch channel test key <i>"), and its address. */
void l2w_test_channel_key(uint8_t key[32], l2w_addr *addr, unsigned i);
/* "0x" + 64 hex digits of key. */
void l2w_test_key_hex(char out[67], const uint8_t key[32]);
/* The 65-byte r || s || v signature (v = 27 + recovery id, low s) of digest
 * by key, from l2w_secp_sign (a CHECK fails if it cannot sign). */
void l2w_test_sign_digest(uint8_t out[65], const uint8_t key[32], const l2w_hash *digest);

/* The first line of `cast <args>` (args go to the shell as written, so they
 * must not hold a single quote) as a malloc'd string without its newline;
 * NULL when cast is missing, fails or prints nothing. */
char *l2w_test_cast_output(const char *args);

#endif
