/* l2w_dafetch: collector/da_fetch.h from the command line, for
 * tests/e2e/test_da_fetch.py. Prints one JSON object on stdout.
 *
 *   l2w_dafetch [--timeout-ms N] [--max-bytes N] one <base> <commitment hex>
 *       -> {"outcome", "http_status", "elapsed_ms", "bytes", "keccak", "msg"}
 *          (keccak: of the body, when one came back)
 *   l2w_dafetch [--timeout-ms N] [--max-bytes N] round <commitment hex> <server>...
 *       -> {"verdict", "server", "outcome", "bytes", "evidence"}
 *   l2w_dafetch [--timeout-ms N] [--max-bytes N] sidecars <beacon base> <slot>
 *       -> {"status", "slot", "parent_root", "indices", "versioned_hashes", "msg"}
 *   l2w_dafetch [--timeout-ms N] [--max-bytes N] genesis <beacon base>
 *       -> {"status", "genesis_time", "msg"}
 * (status: l2w_status_str of the call; msg: its error message, "" on success)
 *
 * one/round: exit status 0 when the call returned L2W_OK (whatever the
 * servers did), 1 with "error: ..." on stderr when it did not. The beacon
 * modes report the call's status in the JSON and exit 0. Bad usage: 2. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/beacon_blobs.h"
#include "collector/da_fetch.h"
#include "core/hex.h"
#include "core/keccak.h"

static int usage(void)
{
    fputs("usage: l2w_dafetch [--timeout-ms N] [--max-bytes N] one <base> <commitment hex>\n"
          "       l2w_dafetch [--timeout-ms N] [--max-bytes N] round <commitment hex> <server>...\n"
          "       l2w_dafetch [--timeout-ms N] [--max-bytes N] sidecars <beacon base> <slot>\n"
          "       l2w_dafetch [--timeout-ms N] [--max-bytes N] genesis <beacon base>\n",
          stderr);
    return 2;
}

static int parse_size(size_t *out, const char *s)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (*s == '\0' || *end != '\0' || *s == '-')
        return -1;
    *out = (size_t)v;
    return 0;
}

static int print_json(json_t *obj)
{
    if (!obj)
        return 1;
    char *text = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    if (!text)
        return 1;
    puts(text);
    free(text);
    return 0;
}

static int run_one(l2w_da_http *http, const char *base, const uint8_t *comm, size_t comm_len,
                   const l2w_da_limits *lim)
{
    l2w_da_response r;
    l2w_err err = {{0}};
    l2w_status st = l2w_da_fetch_one(http, &r, base, comm, comm_len, lim, &err);
    if (st != L2W_OK) {
        fprintf(stderr, "error: %s\n", err.msg);
        return 1;
    }
    char keccak[L2W_HASH_HEX_LEN] = "";
    if (r.body) {
        l2w_hash h;
        l2w_keccak256_hash(&h, r.body, r.body_len);
        l2w_hash_to_hex(keccak, &h);
    }
    json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:s, s:s}", "outcome", l2w_da_fetch_outcome_name(r.outcome),
                          "http_status", (json_int_t)r.http_status, "elapsed_ms", (json_int_t)r.elapsed_ms,
                          "bytes", (json_int_t)r.body_len, "keccak", keccak, "msg", r.msg.msg);
    l2w_da_response_clear(&r);
    return print_json(o);
}

static int run_round(l2w_da_http *http, char *const *servers, size_t n, const uint8_t *comm, size_t comm_len,
                     const l2w_da_limits *lim)
{
    l2w_da_round round;
    l2w_err err = {{0}};
    l2w_status st = l2w_da_fetch_round(http, &round, servers, n, comm, comm_len, lim, &err);
    if (st != L2W_OK) {
        fprintf(stderr, "error: %s\n", err.msg);
        return 1;
    }
    json_t *o = json_pack("{s:s, s:I, s:s, s:I, s:s}", "verdict", l2w_da_verdict_name(round.verdict), "server",
                          (json_int_t)round.server, "outcome", l2w_da_fetch_outcome_name(round.outcome), "bytes",
                          (json_int_t)round.data_len, "evidence", round.evidence);
    l2w_da_round_clear(&round);
    return print_json(o);
}

static int run_sidecars(l2w_da_http *http, const char *base, const char *slot_text, const l2w_da_limits *lim)
{
    size_t slot;
    if (parse_size(&slot, slot_text) != 0)
        return usage();
    l2w_beacon_sidecars set;
    l2w_err err = {{0}};
    l2w_status st = l2w_beacon_get_sidecars_by_slot(http, &set, base, (uint64_t)slot, lim, &err);
    json_t *indices = json_array();
    json_t *hashes = json_array();
    char parent[L2W_HASH_HEX_LEN] = "";
    if (st == L2W_OK) {
        l2w_hash_to_hex(parent, &set.parent_root);
        for (size_t i = 0; i < set.n; i++) {
            char h[L2W_HASH_HEX_LEN];
            l2w_hash_to_hex(h, &set.items[i].versioned_hash);
            json_array_append_new(indices, json_integer((json_int_t)set.items[i].index));
            json_array_append_new(hashes, json_string(h));
        }
    }
    json_t *o = json_pack("{s:s, s:I, s:s, s:o, s:o, s:s}", "status", l2w_status_str(st), "slot",
                          (json_int_t)(st == L2W_OK ? set.slot : 0), "parent_root", parent, "indices", indices,
                          "versioned_hashes", hashes, "msg", st == L2W_OK ? "" : err.msg);
    if (st == L2W_OK)
        l2w_beacon_sidecars_free(&set);
    return print_json(o);
}

static int run_genesis(l2w_da_http *http, const char *base, const l2w_da_limits *lim)
{
    uint64_t t = 0;
    l2w_err err = {{0}};
    l2w_status st = l2w_beacon_get_genesis_time(http, &t, base, lim, &err);
    return print_json(json_pack("{s:s, s:I, s:s}", "status", l2w_status_str(st), "genesis_time", (json_int_t)t,
                                "msg", st == L2W_OK ? "" : err.msg));
}

int main(int argc, char **argv)
{
    l2w_da_limits lim = {.timeout_ms = 2000, .max_bytes = 1u << 20};
    int i = 1;
    for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
        size_t v;
        if (parse_size(&v, argv[i + 1]) != 0)
            return usage();
        if (strcmp(argv[i], "--timeout-ms") == 0 && v <= UINT32_MAX)
            lim.timeout_ms = (uint32_t)v;
        else if (strcmp(argv[i], "--max-bytes") == 0)
            lim.max_bytes = v;
        else
            return usage();
    }
    if (argc - i < 2)
        return usage();
    const char *mode = argv[i];
    bool beacon = strcmp(mode, "sidecars") == 0 || strcmp(mode, "genesis") == 0;
    if (!beacon && argc - i < 3)
        return usage();
    const char *comm_hex = beacon ? "" : strcmp(mode, "one") == 0 ? argv[i + 2] : argv[i + 1];
    uint8_t comm[4096];
    size_t comm_len = 0;
    if (l2w_hex_decode(comm, sizeof comm, &comm_len, comm_hex, strlen(comm_hex)) != L2W_OK) {
        fprintf(stderr, "error: bad commitment hex\n");
        return 2;
    }
    l2w_da_http *http;
    l2w_err err = {{0}};
    if (l2w_da_http_create(&http, &err) != L2W_OK) {
        fprintf(stderr, "error: %s\n", err.msg);
        return 1;
    }
    int rc;
    if (strcmp(mode, "one") == 0 && argc - i == 3)
        rc = run_one(http, argv[i + 1], comm, comm_len, &lim);
    else if (strcmp(mode, "sidecars") == 0 && argc - i == 3)
        rc = run_sidecars(http, argv[i + 1], argv[i + 2], &lim);
    else if (strcmp(mode, "genesis") == 0 && argc - i == 2)
        rc = run_genesis(http, argv[i + 1], &lim);
    else if (strcmp(mode, "round") == 0)
        rc = run_round(http, argv + i + 2, (size_t)(argc - i - 2), comm, comm_len, &lim);
    else
        rc = usage();
    l2w_da_http_destroy(http);
    return rc;
}
