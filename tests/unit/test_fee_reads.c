/* fee_reads and fee_batch (collector/fee_reads.c, collector/fee_batch.c):
 * an OP Stack block's fees summed from receipts in op-geth's JSON layout (a
 * deposit without l1Fee and at effectiveGasPrice 0, an EIP-1559 and a
 * legacy transaction with the Ecotone L1 fee fields; anvil, even with
 * --optimism, reports no l1Fee, so this layout is tested here and the sums
 * live in tests/e2e/test_analytics.py); every required field missing or of
 * the wrong type refused with its name and nothing written; receipts that
 * are not the block's; a batcher posting's cost by calldata, receipt and
 * blobs.
 *
 * Expected sums, by python3 over the fixture's values:
 *   execution 21000 * 1000000252 + 52311 * 1500000252 = 99466518474372
 *   l1 fees   35629003510 + 71258007020 = 106887010530
 *   gas       46989 + 21000 + 52311 = 120300 (0x1d5ec) */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/fee_batch.h"
#include "collector/fee_reads.h"
#include "core/hex.h"
#include "tests/unit/harness.h"

#define BLOCK_HASH "0xabababababababababababababababababababababababababababababababab"
#define TX1 "0x1111111111111111111111111111111111111111111111111111111111111111"
#define TX2 "0x2222222222222222222222222222222222222222222222222222222222222222"
#define TX3 "0x3333333333333333333333333333333333333333333333333333333333333333"

static const char block_json[] =
    "{\"number\":\"0x7b\",\"hash\":\"" BLOCK_HASH "\","
    "\"parentHash\":\"0x00000000000000000000000000000000000000000000000000000000000000aa\","
    "\"stateRoot\":\"0x00000000000000000000000000000000000000000000000000000000000000bb\","
    "\"timestamp\":\"0x6553f100\",\"gasUsed\":\"0x1d5ec\",\"baseFeePerGas\":\"0xfc\","
    "\"transactions\":[\"" TX1 "\",\"" TX2 "\",\"" TX3 "\"]}";

/* As op-geth writes them (core/types receipt JSON with its Optimism fields). */
static const char receipts_json[] =
    "[{\"type\":\"0x7e\",\"status\":\"0x1\",\"cumulativeGasUsed\":\"0xb78d\",\"logs\":[],"
    "\"transactionHash\":\"" TX1 "\",\"contractAddress\":null,\"gasUsed\":\"0xb78d\",\"effectiveGasPrice\":\"0x0\","
    "\"blockHash\":\"" BLOCK_HASH "\",\"blockNumber\":\"0x7b\",\"transactionIndex\":\"0x0\","
    "\"depositNonce\":\"0x5a1f\",\"depositReceiptVersion\":\"0x1\"},"
    "{\"type\":\"0x2\",\"status\":\"0x1\",\"cumulativeGasUsed\":\"0x10995\",\"logs\":[],"
    "\"transactionHash\":\"" TX2 "\",\"contractAddress\":null,\"gasUsed\":\"0x5208\","
    "\"effectiveGasPrice\":\"0x3b9acafc\",\"blockHash\":\"" BLOCK_HASH "\",\"blockNumber\":\"0x7b\","
    "\"transactionIndex\":\"0x1\",\"l1GasPrice\":\"0x2c3e5d2a1\",\"l1GasUsed\":\"0x640\","
    "\"l1Fee\":\"0x84ba772f6\",\"l1BaseFeeScalar\":\"0x8dd\",\"l1BlobBaseFee\":\"0x1\","
    "\"l1BlobBaseFeeScalar\":\"0x101c12\"},"
    "{\"type\":\"0x0\",\"status\":\"0x1\",\"cumulativeGasUsed\":\"0x1d5ec\",\"logs\":[],"
    "\"transactionHash\":\"" TX3 "\",\"contractAddress\":null,\"gasUsed\":\"0xcc57\","
    "\"effectiveGasPrice\":\"0x59682ffc\",\"blockHash\":\"" BLOCK_HASH "\",\"blockNumber\":\"0x7b\","
    "\"transactionIndex\":\"0x2\",\"l1GasPrice\":\"0x2c3e5d2a1\",\"l1GasUsed\":\"0xc80\","
    "\"l1Fee\":\"0x10974ee5ec\",\"l1BaseFeeScalar\":\"0x8dd\",\"l1BlobBaseFee\":\"0x1\","
    "\"l1BlobBaseFeeScalar\":\"0x101c12\"}]";

static json_t *load(const char *text)
{
    json_error_t e;
    json_t *v = json_loads(text, JSON_REJECT_DUPLICATES, &e);
    CHECK_MSG(v != NULL, "fixture: %s", e.text);
    return v;
}

static bool dec_is(const l2w_u256 *v, const char *dec)
{
    char got[L2W_U256_DEC_LEN];
    l2w_u256_to_dec(got, v);
    return strcmp(got, dec) == 0;
}

/* Parses with out pre-filled, so that a refusal can be seen to write nothing. */
static l2w_status parse(json_t *block, json_t *receipts, l2w_block_fees *out, bool *untouched, l2w_err *err)
{
    l2w_block_fees before;
    memset(&before, 0xa5, sizeof before);
    *out = before;
    l2w_status st = l2w_block_fees_parse(out, block, receipts, 123, err);
    *untouched = memcmp(out, &before, sizeof before) == 0;
    return st;
}

static void test_op_block(void)
{
    json_t *block = load(block_json), *receipts = load(receipts_json);
    l2w_block_fees f;
    bool untouched;
    CHECK(parse(block, receipts, &f, &untouched, NULL) == L2W_OK);
    CHECK(f.header.number == 123 && f.header.timestamp == 0x6553f100);
    CHECK(f.txs == 3 && f.gas_used == 120300);
    CHECK(dec_is(&f.execution_fee, "99466518474372"));
    CHECK(dec_is(&f.l1_fee, "106887010530"));
    CHECK(f.l1_fee_txs == 2); /* the deposit reports none */

    /* l1Fee null is "not there" (as absent), not a malformed value. */
    json_object_set_new(json_array_get(receipts, 2), "l1Fee", json_null());
    CHECK(parse(block, receipts, &f, &untouched, NULL) == L2W_OK);
    CHECK(f.l1_fee_txs == 1 && dec_is(&f.l1_fee, "35629003510"));

    /* An empty block. */
    json_object_set_new(block, "transactions", json_array());
    json_object_set_new(block, "gasUsed", json_string("0x0"));
    json_t *none = json_array();
    CHECK(parse(block, none, &f, &untouched, NULL) == L2W_OK);
    CHECK(f.txs == 0 && l2w_u256_is_zero(&f.execution_fee) && l2w_u256_is_zero(&f.l1_fee));
    json_decref(none);
    json_decref(block);
    json_decref(receipts);
}

/* Each required field, absent or of the wrong type, in receipt 1: refused
 * naming the receipt and the field; out untouched. */
static void test_bad_fields(void)
{
    static const char *const required[] = {"transactionHash", "blockHash",  "blockNumber",
                                           "transactionIndex", "gasUsed",   "effectiveGasPrice"};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        for (int how = 0; how < 3; how++) {
            json_t *block = load(block_json), *receipts = load(receipts_json);
            json_t *r = json_array_get(receipts, 1);
            if (how == 0)
                json_object_del(r, required[i]);
            else if (how == 1)
                json_object_set_new(r, required[i], json_integer(21000));
            else
                json_object_set_new(r, required[i], json_string("0xzz"));
            l2w_block_fees f;
            bool untouched;
            l2w_err err = {{0}};
            char field[64];
            snprintf(field, sizeof field, "field %s", required[i]);
            CHECK(parse(block, receipts, &f, &untouched, &err) == L2W_ERR_PROTOCOL);
            CHECK_MSG(strstr(err.msg, field) && strstr(err.msg, "receipt 1") && strstr(err.msg, "block 123"),
                      "%s (%d): %s", required[i], how, err.msg);
            CHECK(untouched);
            json_decref(block);
            json_decref(receipts);
        }
    }
    /* An optional field present must still be well formed. */
    json_t *block = load(block_json), *receipts = load(receipts_json);
    json_object_set_new(json_array_get(receipts, 2), "l1Fee", json_integer(7));
    l2w_block_fees f;
    bool untouched;
    l2w_err err = {{0}};
    CHECK(parse(block, receipts, &f, &untouched, &err) == L2W_ERR_PROTOCOL);
    CHECK_MSG(strstr(err.msg, "field l1Fee") && strstr(err.msg, "receipt 2"), "%s", err.msg);
    CHECK(untouched);
    /* A receipt that is no object. */
    json_array_set_new(receipts, 0, json_string("0x00"));
    CHECK(parse(block, receipts, &f, &untouched, &err) == L2W_ERR_PROTOCOL && untouched);
    CHECK(strstr(err.msg, "receipt 0") != NULL);
    json_decref(block);
    json_decref(receipts);
    /* The block's own gasUsed. */
    block = load(block_json);
    receipts = load(receipts_json);
    json_object_set_new(block, "gasUsed", json_integer(120300));
    CHECK(parse(block, receipts, &f, &untouched, &err) == L2W_ERR_PROTOCOL && untouched);
    CHECK_MSG(strstr(err.msg, "field gasUsed") && strstr(err.msg, "block 123"), "%s", err.msg);
    json_decref(block);
    json_decref(receipts);
}

/* Receipts that are not the block's, in its order, all of them. */
static void test_not_the_blocks(void)
{
    json_t *block = load(block_json), *receipts = load(receipts_json);
    l2w_block_fees f;
    bool untouched;
    l2w_err err = {{0}};

    json_t *short_list = json_array();
    json_array_append(short_list, json_array_get(receipts, 0));
    json_array_append(short_list, json_array_get(receipts, 1));
    CHECK(parse(block, short_list, &f, &untouched, &err) == L2W_ERR_PROTOCOL && untouched);
    CHECK(strstr(err.msg, "3 receipts") != NULL);
    json_decref(short_list);

    CHECK(parse(block, json_null(), &f, &untouched, &err) == L2W_ERR_NOT_FOUND && untouched);
    CHECK(parse(json_null(), receipts, &f, &untouched, &err) == L2W_ERR_NOT_FOUND && untouched);

    /* Two receipts swapped. */
    json_t *swapped = json_array();
    json_array_append(swapped, json_array_get(receipts, 0));
    json_array_append(swapped, json_array_get(receipts, 2));
    json_array_append(swapped, json_array_get(receipts, 1));
    CHECK(parse(block, swapped, &f, &untouched, &err) == L2W_ERR_PROTOCOL && untouched);
    CHECK_MSG(strstr(err.msg, "transactionIndex") && strstr(err.msg, "receipt 1"), "%s", err.msg);
    json_decref(swapped);

    /* The receipts of another block at the same height: the chain moved. */
    json_t *r = json_array_get(receipts, 2);
    json_object_set_new(r, "blockHash", json_string("0xcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"));
    CHECK(parse(block, receipts, &f, &untouched, &err) == L2W_ERR_NOT_READY && untouched);
    CHECK(strstr(err.msg, "field blockHash") != NULL);
    json_object_set_new(r, "blockHash", json_string(BLOCK_HASH));
    /* ... or of another height. */
    json_object_set_new(r, "blockNumber", json_string("0x7c"));
    CHECK(parse(block, receipts, &f, &untouched, &err) == L2W_ERR_PROTOCOL && untouched);
    CHECK(strstr(err.msg, "field blockNumber") != NULL);
    json_object_set_new(r, "blockNumber", json_string("0x7b"));

    /* Receipts whose gas does not add up to the block's. */
    json_object_set_new(r, "gasUsed", json_string("0xcc56"));
    CHECK(parse(block, receipts, &f, &untouched, &err) == L2W_ERR_PROTOCOL && untouched);
    CHECK_MSG(strstr(err.msg, "120299") && strstr(err.msg, "120300"), "%s", err.msg);
    json_object_set_new(r, "gasUsed", json_string("0xcc57"));

    /* A price that makes gasUsed x price pass 2^256. */
    json_object_set_new(r, "effectiveGasPrice",
                        json_string("0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"));
    CHECK(parse(block, receipts, &f, &untouched, &err) == L2W_ERR_PROTOCOL && untouched);
    CHECK(strstr(err.msg, "2^256") != NULL);

    /* Full transactions instead of hashes. */
    json_decref(block);
    block = load(block_json);
    json_array_set_new(json_object_get(block, "transactions"), 0, json_object());
    json_decref(receipts);
    receipts = load(receipts_json);
    CHECK(parse(block, receipts, &f, &untouched, &err) == L2W_ERR_PROTOCOL && untouched);
    CHECK(strstr(err.msg, "transactions") != NULL);
    json_decref(block);
    json_decref(receipts);
}

static void test_calldata_gas(void)
{
    const uint8_t data[] = {0x00, 0x01, 0x00, 0xff};
    size_t zeros = 9;
    CHECK(l2w_calldata_gas(data, sizeof data, &zeros) == 40 && zeros == 2);
    CHECK(l2w_calldata_gas(data, 0, &zeros) == 0 && zeros == 0);
    l2w_test_seed();
    uint8_t buf[512];
    for (int i = 0; i < 50; i++) {
        size_t n = (size_t)(l2w_test_rand() % sizeof buf), z = 0;
        for (size_t k = 0; k < n; k++) {
            buf[k] = l2w_test_rand() % 3 == 0 ? 0 : (uint8_t)(1 + l2w_test_rand() % 255);
            z += buf[k] == 0;
        }
        size_t got;
        CHECK(l2w_calldata_gas(buf, n, &got) == 4 * z + 16 * (n - z) && got == z);
    }
}

/* A posting and its receipt, as anvil gives them (blobGasPrice on every receipt). */
static json_t *posting_receipt(const char *tx_hash, const char *gas_used, const char *price)
{
    char text[1024];
    snprintf(text, sizeof text,
             "{\"type\":\"0x2\",\"status\":\"0x1\",\"transactionHash\":\"%s\",\"blockHash\":\"" BLOCK_HASH
             "\",\"blockNumber\":\"0x7b\",\"transactionIndex\":\"0x0\",\"gasUsed\":\"%s\","
             "\"effectiveGasPrice\":\"%s\",\"blobGasPrice\":\"0x1\"}",
             tx_hash, gas_used, price);
    return load(text);
}

static void test_batch_cost(void)
{
    uint8_t input[] = {0x00, 0xde, 0xad, 0x00, 0x00, 0xbe, 0xef};
    l2w_inbox_tx tx;
    memset(&tx, 0, sizeof tx);
    CHECK(l2w_hash_from_hex(&tx.tx_hash, TX1) == L2W_OK);
    CHECK(l2w_hash_from_hex(&tx.block_hash, BLOCK_HASH) == L2W_OK);
    tx.block_number = 123;
    tx.type = 2;
    tx.input = input;
    tx.input_len = sizeof input;
    /* 21000 + 3 * 4 + 4 * 16 = 21076 gas at 7 gwei */
    json_t *r = posting_receipt(TX1, "0x5254", "0x1a13b8600");
    l2w_batch_cost k;
    CHECK(l2w_batch_cost_parse(&k, &tx, r, NULL) == L2W_OK);
    CHECK(k.calldata_bytes == 7 && k.calldata_zero_bytes == 3 && k.calldata_gas == 76);
    CHECK(dec_is(&k.calldata_fee, "532000000000"));
    CHECK(k.gas_used == 21076 && dec_is(&k.fee, "147532000000000"));
    CHECK(k.blobs == 0 && k.blob_gas_used == 0 && l2w_u256_is_zero(&k.blob_fee)); /* blobGasPrice ignored */

    /* A blob posting: two blobs, 2 x 131072 blob gas at 3 wei. */
    tx.type = 3;
    tx.n_blobs = 2;
    json_object_set_new(r, "blobGasUsed", json_string("0x40000"));
    json_object_set_new(r, "blobGasPrice", json_string("0x3"));
    CHECK(l2w_batch_cost_parse(&k, &tx, r, NULL) == L2W_OK);
    CHECK(k.blobs == 2 && k.blob_gas_used == 262144 && dec_is(&k.blob_fee, "786432"));
    l2w_err err = {{0}};
    json_object_set_new(r, "blobGasUsed", json_string("0x20000"));
    CHECK(l2w_batch_cost_parse(&k, &tx, r, &err) == L2W_ERR_PROTOCOL);
    CHECK(strstr(err.msg, "field blobGasUsed") != NULL);
    json_object_del(r, "blobGasUsed");
    CHECK(l2w_batch_cost_parse(&k, &tx, r, &err) == L2W_ERR_PROTOCOL);
    CHECK(strstr(err.msg, "field blobGasUsed") != NULL);
    json_object_set_new(r, "blobGasUsed", json_string("0x40000"));
    json_object_del(r, "blobGasPrice");
    CHECK(l2w_batch_cost_parse(&k, &tx, r, &err) == L2W_ERR_PROTOCOL);
    CHECK(strstr(err.msg, "field blobGasPrice") != NULL);
    json_decref(r);

    /* Another transaction's receipt; the transaction in another block; none. */
    r = posting_receipt(TX2, "0x5254", "0x1");
    CHECK(l2w_batch_cost_parse(&k, &tx, r, &err) == L2W_ERR_PROTOCOL);
    CHECK(strstr(err.msg, "transactionHash") != NULL);
    json_decref(r);
    tx.type = 2;
    r = posting_receipt(TX1, "0x5254", "0x1");
    json_object_set_new(r, "blockHash", json_string(TX3));
    CHECK(l2w_batch_cost_parse(&k, &tx, r, &err) == L2W_ERR_NOT_READY);
    json_object_del(r, "effectiveGasPrice");
    CHECK(l2w_batch_cost_parse(&k, &tx, r, &err) == L2W_ERR_PROTOCOL);
    CHECK(strstr(err.msg, "field effectiveGasPrice") != NULL);
    json_decref(r);
    CHECK(l2w_batch_cost_parse(&k, &tx, json_null(), &err) == L2W_ERR_NOT_READY);
}

int main(void)
{
    RUN(test_op_block);
    RUN(test_bad_fields);
    RUN(test_not_the_blocks);
    RUN(test_calldata_gas);
    RUN(test_batch_cost);
    return l2w_test_finish();
}
