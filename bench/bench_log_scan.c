/* How fast an eth_getLogs answer is read: the text of a batch answer with
 * one eth_getLogs result of n logs shaped like anvil's (OutputProposed:
 * 4 topics, 32 bytes of data, every field anvil sends), read
 *   - with jansson: the whole answer to a tree, then the logs from it, as
 *     the client read every answer before;
 *   - with the scanners: the answer split with the result left as text
 *     (collector/rpc_answer.h), then the logs scanned from that text
 *     (collector/eth_logs.h), as catch-up reads them now.
 * Prints MB/s and ns per log for each, best of several rounds.
 * Usage: bench_log_scan [logs] [rounds] */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector/eth.h"
#include "collector/eth_logs.h"
#include "collector/rpc_answer.h"
#include "core/json.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void hex32(char *out, unsigned seed)
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 64; i++) {
        seed = seed * 1103515245u + 12345u;
        out[i] = digits[(seed >> 16) & 15];
    }
    out[64] = '\0';
}

/* [{"jsonrpc":"2.0","id":7,"result":[...n logs...]}] */
static char *make_answer(size_t n, size_t *len)
{
    size_t cap = 1024 + n * 1100;
    char *text = malloc(cap);
    if (!text)
        return NULL;
    size_t k = (size_t)snprintf(text, cap, "[{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":[");
    for (size_t i = 0; i < n; i++) {
        char h[5][65];
        for (int j = 0; j < 5; j++)
            hex32(h[j], (unsigned)(i * 5 + (size_t)j + 1));
        unsigned long block = 100 + (unsigned long)(i / 20) * 40;
        k += (size_t)snprintf(text + k, cap - k,
                              "%s{\"address\":\"0x5fbdb2315678afecb367f032d93f642f64180aa3\",\"topics\":["
                              "\"0x%s\",\"0x%s\",\"0x%s\",\"0x%s\"],\"data\":\"0x%s\","
                              "\"blockHash\":\"0x%s\",\"blockNumber\":\"0x%lx\",\"blockTimestamp\":\"0x6740a1b2\","
                              "\"transactionHash\":\"0x%s\",\"transactionIndex\":\"0x%zx\",\"logIndex\":\"0x%zx\","
                              "\"removed\":false}",
                              i ? "," : "", h[0], h[1], h[2], h[3], h[4], h[1], block, h[2], i % 20, i % 20);
    }
    k += (size_t)snprintf(text + k, cap - k, "]}]");
    *len = k;
    return text;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)atol(argv[1]) : 5000;
    int rounds = argc > 2 ? atoi(argv[2]) : 10;
    size_t len;
    char *text = make_answer(n, &len);
    if (!text)
        return 1;
    double best_tree = 1e9, best_scan = 1e9, best_split = 1e9;
    for (int r = 0; r < rounds; r++) {
        l2w_err err;
        double t0 = now();
        json_t *answer;
        l2w_evm_log *logs;
        size_t n_logs;
        if (l2w_json_parse(&answer, text, len, &err) != L2W_OK)
            return fprintf(stderr, "jansson: %s\n", err.msg), 1;
        json_t *result = json_object_get(json_array_get(answer, 0), "result");
        if (l2w_eth_logs_from_json(result, 0, UINT64_MAX, &logs, &n_logs, &err) != L2W_OK || n_logs != n)
            return fprintf(stderr, "tree walk: %s\n", err.msg), 1;
        l2w_logs_free(logs, n_logs);
        json_decref(answer);
        double t1 = now();
        bool keep = true;
        l2w_rpc_raw_span span;
        if (l2w_rpc_parse_answer(text, len, 7, &keep, 1, &answer, &span, &err) != L2W_OK || !span.found)
            return fprintf(stderr, "split: %s\n", err.msg), 1;
        double t2 = now();
        if (l2w_eth_logs_scan(text + span.offset, span.len, 0, UINT64_MAX, &logs, &n_logs, &err) != L2W_OK ||
            n_logs != n)
            return fprintf(stderr, "scan: %s\n", err.msg), 1;
        l2w_logs_free(logs, n_logs);
        json_decref(answer);
        double t3 = now();
        if (t1 - t0 < best_tree)
            best_tree = t1 - t0;
        if (t2 - t1 < best_split)
            best_split = t2 - t1;
        if (t3 - t2 < best_scan)
            best_scan = t3 - t2;
    }
    double mb = (double)len / 1e6;
    printf("answer: %zu logs, %.2f MB; best of %d rounds\n", n, mb, rounds);
    printf("jansson tree + walk:        %7.1f ms  %6.0f MB/s  %6.0f ns/log\n", best_tree * 1e3, mb / best_tree,
           best_tree * 1e9 / (double)n);
    printf("answer split (scan, no tree): %5.1f ms  %6.0f MB/s\n", best_split * 1e3, mb / best_split);
    printf("logs scan:                  %7.1f ms  %6.0f MB/s  %6.0f ns/log\n", best_scan * 1e3, mb / best_scan,
           best_scan * 1e9 / (double)n);
    printf("split + scan:               %7.1f ms  %6.0f MB/s (%.1fx jansson)\n", (best_split + best_scan) * 1e3,
           mb / (best_split + best_scan), best_tree / (best_split + best_scan));
    free(text);
    return 0;
}
