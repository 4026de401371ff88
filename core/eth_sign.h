#ifndef L2W_CORE_ETH_SIGN_H
#define L2W_CORE_ETH_SIGN_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/eth_types.h"
#include "core/status.h"

/* Digests of off-chain messages an Ethereum key signs.
 *
 * EIP-191 version 0x45 (personal_sign):
 *   keccak("\x19Ethereum Signed Message:\n" || decimal(len) || msg)
 *
 * EIP-712 typed structured data, from a document in the
 * eth_signTypedData_v4 shape {types, primaryType, domain, message}:
 *   digest = keccak(0x19 0x01 || domainSeparator || hashStruct(message))
 * (without the message hash when primaryType is EIP712Domain).
 *
 * The document is checked strictly and every error names the JSON path
 * ("message.to[1].wallet: ..."):
 *  - types: struct names are identifiers and not atomic type names; each
 *    field has a unique name and a type that is atomic (uintN, intN, bool,
 *    address, bytesN, bytes, string; no "uint" alias), a defined struct, or
 *    an array of those (T[], T[k], nested); no struct may reach itself.
 *  - values: every field of the struct present and no others; integers as
 *    JSON integers or decimal / 0x-hex strings, in range of their type
 *    (JSON integers beyond 64 bits do not parse: send those as strings);
 *    bool as JSON true/false; address as 0x + 40 hex digits; bytesN as 0x +
 *    exactly 2N hex digits; bytes as 0x hex; fixed arrays of their length.
 *  - domain: hashed with types.EIP712Domain when the document declares it,
 *    else with the fields it has, in the EIP's order (name string, version
 *    string, chainId uint256, verifyingContract address, salt bytes32). */

void l2w_eip191_digest(l2w_hash *out, const uint8_t *msg, size_t len);

typedef struct {
    l2w_hash domain_separator;
    l2w_hash message_hash; /* all zero when primaryType is EIP712Domain */
    l2w_hash digest;       /* what the key signs */
} l2w_eip712_hashes;

/* Structs nest (through fields and arrays) at most this deep, and a
 * document declares at most this many types: bounds on recursion and work
 * for documents that come from outside. */
#define L2W_EIP712_MAX_DEPTH 32
#define L2W_EIP712_MAX_TYPES 256

L2W_MUST_CHECK l2w_status l2w_eip712_hash(l2w_eip712_hashes *out, const json_t *doc, l2w_err *err);
/* The same from JSON text (parsed rejecting duplicate keys). */
L2W_MUST_CHECK l2w_status l2w_eip712_hash_text(l2w_eip712_hashes *out, const char *text, size_t len,
                                               l2w_err *err);

/* encodeType(primary) for the document's types: "Mail(Person from,...)"
 * followed by the structs it references, sorted by name. *out is malloc'd;
 * the caller frees it. */
L2W_MUST_CHECK l2w_status l2w_eip712_encode_type(char **out, const json_t *types, const char *primary,
                                                 l2w_err *err);

#endif
