/* How long the hot path of the state_root detector takes on one core:
 * parsing an eth_getBlockByNumber answer and an eth_getProof answer, and
 * recomputing and comparing the output root. Prints ns per operation.
 * Usage: bench_output_root [iterations] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/hex.h"
#include "core/json.h"
#include "core/keccak.h"
#include "detectors/state_root.h"

static const char block_json[] =
    "{\"number\":\"0x1b4\",\"hash\":\"0xdc0818cf78f21a8e70579cb46a43643f78291264dda342ae31049421c82d21ae\","
    "\"parentHash\":\"0xe99e022112df268087ea7eafaf4790497fd21dbeeb6bd7a1721df161a6657a54\","
    "\"stateRoot\":\"0xddc8b0234c2e0cad087c8b389aa7ef01f7d79b2570bccb77ce48648aa61c904d\","
    "\"timestamp\":\"0x55ba467c\",\"miner\":\"0xbb7b8287f3f0a933474a79eae42cbca977791171\","
    "\"transactions\":[],\"uncles\":[]}";

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    long iterations = argc > 1 ? atol(argv[1]) : 200000;
    l2w_l2_output_inputs in = {.number = 436};
    l2w_output_proposal p;
    memset(&p, 0, sizeof p);
    p.l2_block_number = l2w_u256_from_u64(436);
    volatile int mismatches = 0;

    double t0 = now();
    for (long i = 0; i < iterations; i++) {
        json_t *obj;
        l2w_err err;
        if (l2w_json_parse(&obj, block_json, sizeof block_json - 1, &err) != L2W_OK ||
            l2w_json_get_hash(&in.block_hash, obj, "hash", &err) != L2W_OK ||
            l2w_json_get_hash(&in.state_root, obj, "stateRoot", &err) != L2W_OK) {
            fprintf(stderr, "parse failed: %s\n", err.msg);
            return 1;
        }
        json_decref(obj);
    }
    double t1 = now();
    for (long i = 0; i < iterations; i++) {
        in.message_passer_storage_root.b[0] = (uint8_t)i;
        l2w_sr_verdict v;
        l2w_hash recomputed;
        l2w_err err;
        if (l2w_state_root_judge(&v, &recomputed, &p, &in, &err) != L2W_OK)
            return 1;
        mismatches += v == L2W_SR_MISMATCH;
    }
    double t2 = now();
    uint8_t buf[4096] = {0};
    uint8_t out[32];
    for (long i = 0; i < iterations; i++) {
        buf[0] = (uint8_t)i;
        l2w_keccak256(out, buf, sizeof buf);
    }
    double t3 = now();
    printf("iterations: %ld\n", iterations);
    printf("parse block header JSON: %.0f ns/op\n", (t1 - t0) / (double)iterations);
    printf("recompute + compare output root: %.0f ns/op\n", (t2 - t1) / (double)iterations);
    printf("keccak-256 of 4 KiB: %.0f ns/op (%.1f MB/s)\n", (t3 - t2) / (double)iterations,
           4096.0 * (double)iterations / ((t3 - t2) / 1e9) / 1e6);
    return mismatches == (int)iterations ? 0 : 1;
}
