/* Test helper for the database tests: raises one finding through
 * l2w_finding_raise in one transaction, as a guard does, then prints what
 * this process's /metrics would serve.
 *   l2w_raise CONFIG KIND DEDUP_KEY [--anchor CHAIN 0xHASH] [--block N] [--evidence JSON]
 * Prints "created 1" (or "created 0" when the finding already existed) on
 * the first line, then the metrics text. The finding is critical, on chain
 * "l1". Exit 0 on success, 1 with the error on stderr, 2 on bad usage. */

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/finding_store.h"
#include "core/config.h"
#include "core/db.h"
#include "core/hex.h"
#include "core/metrics.h"

static int usage(const char *prog)
{
    fprintf(stderr, "usage: %s CONFIG KIND DEDUP_KEY [--anchor CHAIN 0xHASH] [--block N] [--evidence JSON]\n",
            prog);
    return 2;
}

/* Fills f from the arguments after DEDUP_KEY; false on bad usage. */
static bool parse_finding(l2w_finding *f, int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--anchor") == 0 && i + 2 < argc) {
            f->has_anchor = true;
            snprintf(f->anchor_chain, sizeof f->anchor_chain, "%s", argv[i + 1]);
            if (l2w_hash_from_hex(&f->anchor_block_hash, argv[i + 2]) != L2W_OK)
                return false;
            i += 2;
        } else if (strcmp(argv[i], "--block") == 0 && i + 1 < argc) {
            f->has_block_number = true;
            if (l2w_u256_from_dec(&f->block_number, argv[++i]) != L2W_OK)
                return false;
        } else if (strcmp(argv[i], "--evidence") == 0 && i + 1 < argc) {
            json_decref(f->evidence);
            f->evidence = json_loads(argv[++i], JSON_REJECT_DUPLICATES, NULL);
            if (!json_is_object(f->evidence))
                return false;
        } else {
            return false;
        }
    }
    return true;
}

static l2w_status raise(const char *config_path, const l2w_finding *f, bool *created, l2w_err *err)
{
    l2w_config *cfg = NULL;
    l2w_status st = l2w_config_load(&cfg, config_path, err);
    if (st != L2W_OK)
        return st;
    l2w_db *db = NULL;
    st = l2w_db_connect(&db, cfg->database_url, err);
    if (st == L2W_OK)
        st = l2w_db_begin(db, err);
    if (st == L2W_OK) {
        int64_t id;
        st = l2w_finding_raise(db, f, cfg, &id, created, err);
        st = l2w_db_end(db, st, err);
    }
    l2w_db_close(db);
    l2w_config_free(cfg);
    return st;
}

int main(int argc, char **argv)
{
    if (argc < 4)
        return usage(argv[0]);
    l2w_finding f;
    memset(&f, 0, sizeof f);
    f.kind = argv[2];
    f.severity = L2W_SEV_CRITICAL;
    snprintf(f.chain, sizeof f.chain, "l1");
    snprintf(f.dedup_key, sizeof f.dedup_key, "%s", argv[3]);
    snprintf(f.title, sizeof f.title, "test finding %s", argv[3]);
    snprintf(f.summary, sizeof f.summary, "raised by l2w_raise");
    f.evidence = json_object();
    if (!f.evidence || !parse_finding(&f, argc - 4, argv + 4)) {
        l2w_finding_clear(&f);
        return usage(argv[0]);
    }
    l2w_err err = {{0}};
    bool created = false;
    l2w_status st = raise(argv[1], &f, &created, &err);
    l2w_finding_clear(&f);
    char *text = NULL;
    size_t len = 0;
    if (st == L2W_OK)
        st = l2w_metrics_render(&text, &len);
    if (st != L2W_OK) {
        fprintf(stderr, "l2w_raise: %s: %s\n", l2w_status_str(st), err.msg);
        return 1;
    }
    printf("created %d\n", created ? 1 : 0);
    fwrite(text, 1, len, stdout);
    free(text);
    return 0;
}
