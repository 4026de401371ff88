/* How long the responder's signing path takes on one core: sign an EIP-1559
 * deleteL2Outputs call (RLP, keccak, RFC 6979 ECDSA), and decode a signed
 * transaction and recover its sender (what the remote-signer check does).
 * Usage: bench_tx_sign [iterations] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/bytes.h"
#include "core/secp.h"
#include "core/tx.h"

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    long iterations = argc > 1 ? atol(argv[1]) : 20000;
    uint8_t key[32];
    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t)(i + 1);
    uint8_t data[36] = {0x89, 0xc4, 0x4c, 0xbb};
    data[35] = 7;
    l2w_tx tx;
    memset(&tx, 0, sizeof tx);
    tx.type = L2W_TX_EIP1559;
    tx.chain_id = 1;
    tx.max_priority_fee_per_gas = l2w_u256_from_u64(1000000000);
    tx.max_fee_per_gas = l2w_u256_from_u64(30000000000ULL);
    tx.gas_limit = 60000;
    tx.has_to = true;
    memset(tx.to.b, 0xdf, sizeof tx.to.b);
    tx.data = data;
    tx.data_len = sizeof data;
    l2w_err err;
    l2w_bytes raw = L2W_BYTES_INIT;
    l2w_hash hash;

    double t0 = now_ns();
    for (long i = 0; i < iterations; i++) {
        tx.nonce = (uint64_t)i;
        raw.len = 0;
        if (l2w_tx_sign(&raw, &hash, &tx, key, &err) != L2W_OK) {
            fprintf(stderr, "sign: %s\n", err.msg);
            return 1;
        }
    }
    double t1 = now_ns();
    for (long i = 0; i < iterations; i++) {
        l2w_tx got;
        l2w_signature sig;
        l2w_addr from;
        if (l2w_tx_decode(&got, &sig, raw.data, raw.len, &err) != L2W_OK ||
            l2w_tx_sender(&from, &got, &sig, &err) != L2W_OK) {
            fprintf(stderr, "decode: %s\n", err.msg);
            return 1;
        }
        l2w_tx_free(&got);
    }
    double t2 = now_ns();
    printf("iterations: %ld\n", iterations);
    printf("sign EIP-1559 call: %.0f ns/op\n", (t1 - t0) / (double)iterations);
    printf("decode + recover sender: %.0f ns/op\n", (t2 - t1) / (double)iterations);
    l2w_bytes_free(&raw);
    l2w_secp_thread_cleanup();
    return 0;
}
