/* l2w_proofcheck: fetch eth_getProof for an account and storage slots at a
 * block, check every proof against that block's stateRoot with the same code
 * l2watch uses (l2w_eth_check_proof), and print the proven values as JSON.
 * tests/diff/test_mpt_anvil.py compares them with cast on a real anvil.
 *
 *   l2w_proofcheck --rpc URL --address 0x.. [--slot 0x..]... [--block N|latest]
 *                  [--flip account:NODE | --flip storage:SLOT:NODE]
 *
 * --flip alters one byte of one proof node before checking (the middle byte
 * of node NODE of the account proof, or of storage proof SLOT), so a test can
 * see a lying answer refused.
 *
 * stdout, one JSON object:
 *   {"ok":true,"block":N,"block_hash":..,"state_root":..,"address":..,
 *    "exists":bool,"nonce":"dec","balance":"dec","storage_root":..,"code_hash":..,
 *    "storage":[{"slot":..,"value":"0x..","value_dec":"dec"}]}
 *   {"ok":false,"status":"protocol error","error":"..."}
 * Exit 0 when verified, 1 when the answer was refused, 2 on usage errors. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/eth.h"
#include "collector/rpc.h"
#include "core/hex.h"
#include "core/json.h"
#include "core/mpt.h"
#include "core/u256.h"

typedef struct {
    const char *url;
    l2w_addr address;
    bool have_address;
    l2w_hash slots[L2W_ETH_MAX_PROOF_SLOTS];
    size_t n_slots;
    const char *block; /* decimal number, or "latest" */
    const char *flip;  /* NULL, "account:N" or "storage:S:N" */
} options;

static int usage(const char *why)
{
    fprintf(stderr,
            "l2w_proofcheck: %s\n"
            "usage: l2w_proofcheck --rpc URL --address 0x.. [--slot 0x..]... [--block N|latest]\n"
            "                      [--flip account:NODE | --flip storage:SLOT:NODE]\n",
            why);
    return 2;
}

/* Slots may be short hex ("0x0"); they are padded to 32 bytes. */
static bool parse_slot(l2w_hash *out, const char *s)
{
    l2w_u256 v;
    if (l2w_u256_from_hex(&v, s) != L2W_OK)
        return false;
    l2w_u256_to_be32(out->b, &v);
    return true;
}

static int parse_args(options *o, int argc, char **argv)
{
    memset(o, 0, sizeof *o);
    o->block = "latest";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            return usage("every option takes a value");
        i++;
        if (strcmp(a, "--rpc") == 0) {
            o->url = v;
        } else if (strcmp(a, "--address") == 0) {
            if (l2w_addr_from_hex(&o->address, v) != L2W_OK)
                return usage("--address: expected 0x and 40 hex digits");
            o->have_address = true;
        } else if (strcmp(a, "--slot") == 0) {
            if (o->n_slots == L2W_ETH_MAX_PROOF_SLOTS || !parse_slot(&o->slots[o->n_slots++], v))
                return usage("--slot: expected 0x hex of at most 32 bytes (and at most 256 slots)");
        } else if (strcmp(a, "--block") == 0) {
            o->block = v;
        } else if (strcmp(a, "--flip") == 0) {
            o->flip = v;
        } else {
            return usage("unknown option");
        }
    }
    if (!o->url || !o->have_address)
        return usage("--rpc and --address are required");
    return 0;
}

static void print_failure(l2w_status st, const l2w_err *err)
{
    json_t *j = json_pack("{s:b, s:s, s:s}", "ok", 0, "status", l2w_status_str(st), "error", err->msg);
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    puts(text ? text : "{\"ok\":false}");
    free(text);
    json_decref(j);
}

/* Changes the middle byte of one node's hex text (one hex digit of it). */
static l2w_status flip_node(json_t *proof, size_t node, l2w_err *err)
{
    json_t *item = json_array_get(proof, node);
    const char *s = json_string_value(item);
    size_t len = s ? strlen(s) : 0;
    if (len < 4) {
        l2w_err_set(err, "--flip: the proof has no node %zu", node);
        return L2W_ERR_INVALID;
    }
    char *copy = strdup(s);
    if (!copy)
        return L2W_ERR_NOMEM;
    size_t at = 2 + 2 * ((len - 2) / 4);
    copy[at] = copy[at] == '0' ? '1' : '0';
    int rc = json_string_set(item, copy);
    free(copy);
    return rc == 0 ? L2W_OK : L2W_ERR_NOMEM;
}

static l2w_status apply_flip(json_t *res, const char *flip, l2w_err *err)
{
    size_t slot, node;
    char tail;
    if (sscanf(flip, "account:%zu%c", &node, &tail) == 1)
        return flip_node(json_object_get(res, "accountProof"), node, err);
    if (sscanf(flip, "storage:%zu:%zu%c", &slot, &node, &tail) == 2) {
        json_t *entry = json_array_get(json_object_get(res, "storageProof"), slot);
        return flip_node(json_object_get(entry, "proof"), node, err);
    }
    l2w_err_set(err, "--flip: expected account:NODE or storage:SLOT:NODE");
    return L2W_ERR_INVALID;
}

static l2w_status fetch_header(l2w_rpc *rpc, const char *block, l2w_block_header *h, l2w_err *err)
{
    uint64_t number;
    if (strcmp(block, "latest") == 0) {
        l2w_status st = l2w_eth_block_number(rpc, &number, err);
        if (st != L2W_OK)
            return st;
    } else {
        char *end;
        number = strtoull(block, &end, 10);
        if (*block == '\0' || *end != '\0') {
            l2w_err_set(err, "--block: expected a decimal number or latest");
            return L2W_ERR_INVALID;
        }
    }
    return l2w_eth_header_by_number(rpc, number, h, err);
}

static json_t *hash_json(const l2w_hash *h)
{
    return l2w_json_hash(h);
}

static json_t *u256_dec(const l2w_u256 *v)
{
    char dec[L2W_U256_DEC_LEN];
    l2w_u256_to_dec(dec, v);
    return json_string(dec);
}

static void print_result(const options *o, const l2w_block_header *h, const l2w_mpt_account *acct,
                         const l2w_u256 *values, size_t proof_len)
{
    json_t *storage = json_array();
    for (size_t i = 0; i < o->n_slots; i++) {
        char hex[L2W_U256_HEX_LEN];
        l2w_u256_to_hex(hex, &values[i]);
        json_array_append_new(storage, json_pack("{s:o, s:s, s:o}", "slot", hash_json(&o->slots[i]), "value", hex,
                                                 "value_dec", u256_dec(&values[i])));
    }
    l2w_u256 nonce = l2w_u256_from_u64(acct->nonce);
    json_t *j = json_pack("{s:b, s:I, s:o, s:o, s:o, s:b, s:o, s:o, s:o, s:o, s:I, s:o}", "ok", 1, "block",
                          (json_int_t)h->number, "block_hash", hash_json(&h->hash), "state_root",
                          hash_json(&h->state_root), "address", l2w_json_addr(&o->address), "exists", acct->exists,
                          "nonce", u256_dec(&nonce), "balance", u256_dec(&acct->balance), "storage_root",
                          hash_json(&acct->storage_root), "code_hash", hash_json(&acct->code_hash),
                          "account_proof_nodes", (json_int_t)proof_len, "storage", storage);
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    puts(text ? text : "{\"ok\":false,\"error\":\"out of memory\"}");
    free(text);
    json_decref(j);
}

int main(int argc, char **argv)
{
    options *o = malloc(sizeof *o);
    if (!o)
        return 2;
    int rc = parse_args(o, argc, argv);
    if (rc) {
        free(o);
        return rc;
    }
    const char *urls[1] = {o->url};
    l2w_rpc_options ropt = {.chain = "proofcheck", .urls = urls, .n_urls = 1, .timeout_ms = 10000};
    l2w_rpc *rpc = NULL;
    l2w_err err = {{0}};
    l2w_block_header h;
    json_t *res = NULL;
    l2w_mpt_account acct;
    l2w_u256 *values = calloc(o->n_slots ? o->n_slots : 1, sizeof *values);
    l2w_status st = values ? l2w_rpc_create(&rpc, &ropt, &err) : L2W_ERR_NOMEM;
    if (st == L2W_OK)
        st = fetch_header(rpc, o->block, &h, &err);
    if (st == L2W_OK)
        st = l2w_rpc_call(rpc, &res, "eth_getProof", l2w_eth_proof_params(&o->address, o->slots, o->n_slots, &h.hash),
                          &err);
    if (st == L2W_OK && o->flip)
        st = apply_flip(res, o->flip, &err);
    if (st == L2W_OK)
        st = l2w_eth_check_proof(res, &o->address, o->slots, o->n_slots, &h.state_root, &acct, values, &err);
    if (st == L2W_OK)
        print_result(o, &h, &acct, values, json_array_size(json_object_get(res, "accountProof")));
    else
        print_failure(st, &err);
    json_decref(res);
    l2w_rpc_destroy(rpc);
    free(values);
    free(o);
    return st == L2W_OK ? 0 : st == L2W_ERR_INVALID ? 2 : 1;
}
