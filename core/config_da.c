/* da: (the data-availability watch) and liveness: (the series watched for
 * gaps). Both lists are read by the field tables, then checked against the
 * chains they name and against each other; every message names the key and
 * its line. */

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config_parse.h"

#define DA_OFF(f) offsetof(l2w_da_config, f)
#define LV_OFF(f) offsetof(l2w_liveness_series_config, f)

/* The liveness tracker keeps its window in a fixed ring of this many
 * intervals (L2W_LIVENESS_WINDOW_MAX in detectors/liveness.h; core does not
 * include detectors, tests/unit/test_config_da.c checks they agree). */
#define LIVENESS_WINDOW_MAX 1024
/* What the detector uses when min_samples is not given. */
#define LIVENESS_DEFAULT_MIN_SAMPLES 20

static const cfg_field da_fields[] = {
    {"chain", F_NAME, DA_OFF(chain), NO_HAS, 0, 0, NULL, true},
    {"batch_inbox", F_ADDR, DA_OFF(batch_inbox), NO_HAS, 0, 0, NULL, true},
    {"batcher", F_ADDR, DA_OFF(batcher), NO_HAS, 0, 0, NULL, true},
    {"servers", F_URLS, DA_OFF(servers), DA_OFF(n_servers), 0, L2W_MAX_DA_SERVERS, "Alt-DA server URLs", false},
    {"challenge_contract", F_ADDR, DA_OFF(challenge_contract), DA_OFF(has_challenge_contract), 0, 0, NULL, false},
    {"beacon_urls", F_URLS, DA_OFF(beacon_urls), DA_OFF(n_beacon_urls), 0, L2W_MAX_DA_SERVERS, "beacon API URLs",
     false},
    /* Ten minutes: time for a slow server and several retries before data
     * counts as withheld. */
    {"fetch_deadline_s", F_U32, DA_OFF(fetch_deadline_s), NO_HAS, 1, 86400, "600", false},
    {"fetch_timeout_ms", F_U32, DA_OFF(fetch_timeout_ms), NO_HAS, 100, 120000, "10000", false},
    {"retry_ms", F_U32, DA_OFF(retry_ms), NO_HAS, 10, 600000, "2000", false},
    {"retry_max_ms", F_U32, DA_OFF(retry_max_ms), NO_HAS, 10, 600000, "60000", false},
    /* A cap on what an untrusted DA server or beacon node can make l2watch
     * hold in memory; raise it if the chain posts larger inputs. */
    {"max_data_bytes", F_U32, DA_OFF(max_data_bytes), NO_HAS, 1, UINT32_C(1) << 30, "16777216", false},
    /* 4096 epochs of 32 slots of 12 s: the span for which the consensus
     * specs require beacon nodes to serve blob sidecars. */
    {"blob_retention_s", F_U32, DA_OFF(blob_retention_s), NO_HAS, 1, UINT32_C(1) << 31, "1572864", false},
    {"l1_block_time_s", F_U32, DA_OFF(l1_block_time_s), NO_HAS, 1, 600, "12", false},
    {"start_block", F_U64, DA_OFF(start_block), DA_OFF(has_start_block), 0, UINT64_MAX, NULL, false},
    {"beacon_block_id", F_NAME, DA_OFF(beacon_block_id), NO_HAS, 0, 0, "slot", false},
};

/* No defaults here: 0 stands for the kind's default, which the detector
 * knows (detectors/liveness.h). A year bounds the intervals. */
static const cfg_field liveness_fields[] = {
    {"chain", F_NAME, LV_OFF(chain), NO_HAS, 0, 0, NULL, true},
    {"kind", F_STRING, LV_OFF(kind), NO_HAS, 0, 0, NULL, true},
    {"max_interval_s", F_U32, LV_OFF(max_interval_s), NO_HAS, 0, 31536000, NULL, false},
    {"min_gap_s", F_U32, LV_OFF(min_gap_s), NO_HAS, 0, 31536000, NULL, false},
    {"min_samples", F_U32, LV_OFF(min_samples), NO_HAS, 2, LIVENESS_WINDOW_MAX, NULL, false},
    {"window", F_U32, LV_OFF(window), NO_HAS, 2, LIVENESS_WINDOW_MAX, NULL, false},
    {"z_threshold", F_U32, LV_OFF(z_threshold), NO_HAS, 1, 1000, NULL, false},
};

/* What a series of each kind needs from its chain, i.e. where its events
 * come from. */
typedef enum {
    SERIES_NEEDS_DA = 0,      /* batch postings: read from the da: entry's inbox */
    SERIES_NEEDS_ORACLE = 1,  /* output proposals: read from the L2's L2OutputOracle */
    SERIES_NEEDS_L2 = 2,      /* the L2 head: read from the L2's own RPC */
    SERIES_NOT_FED = 3,       /* a kind the detector knows but no collector feeds yet */
} series_source;

static const struct {
    const char *kind;
    series_source source;
} series_kinds[] = {
    {"batches", SERIES_NEEDS_DA},
    {"proposals", SERIES_NEEDS_ORACLE},
    {"l2_head", SERIES_NEEDS_L2},
    {"proofs", SERIES_NOT_FED},
};

static int key_line(const l2w_yaml_node *map, const char *key)
{
    const l2w_yaml_node *n = l2w_yaml_get(map, key);
    return n ? n->line : map->line;
}

/* Fails at prefix + key, on the key's line (the item's when the key is absent). */
L2W_PRINTF(5, 6)
static l2w_status fail_key(cfg_ctx *c, const l2w_yaml_node *map, const char *prefix, const char *key,
                           const char *fmt, ...)
{
    char path[96], what[224];
    snprintf(path, sizeof path, "%s%s", prefix, key);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return cfg_fail(c, key_line(map, key), path, "%s", what);
}

/* ---- da ---- */

static l2w_status check_da(cfg_ctx *c, l2w_config *cfg, size_t i, const l2w_yaml_node *map)
{
    const l2w_da_config *d = &cfg->da[i];
    char prefix[32], item[32];
    snprintf(prefix, sizeof prefix, "da[%zu].", i);
    snprintf(item, sizeof item, "da[%zu]", i);
    const l2w_chain_config *ch = l2w_config_chain(cfg, d->chain);
    if (!ch)
        return fail_key(c, map, prefix, "chain", "chain \"%s\" is not defined in chains", d->chain);
    if (ch->role != L2W_CHAIN_L2)
        return fail_key(c, map, prefix, "chain",
                        "\"%s\" is an l1 chain: name the L2 whose data is checked (its l1 carries the batch inbox)",
                        d->chain);
    if (!ch->l1 || !l2w_config_chain(cfg, ch->l1))
        return fail_key(c, map, prefix, "chain", "chain \"%s\" has no l1 to read its batch inbox on", d->chain);
    for (size_t j = 0; j < i; j++)
        if (strcmp(cfg->da[j].chain, d->chain) == 0)
            return fail_key(c, map, prefix, "chain", "chain \"%s\" already has a da entry (da[%zu]); one per chain",
                            d->chain, j);
    if (d->n_servers == 0 && d->n_beacon_urls == 0)
        return cfg_fail(c, map->line, item,
                        "nothing to check: set servers (Alt-DA commitments), beacon_urls (blobs), or both");
    /* The DataAvailabilityChallenge contract only ever holds Alt-DA
     * commitments; without servers there is nothing to answer it with. */
    if (d->has_challenge_contract && d->n_servers == 0)
        return fail_key(c, map, prefix, "challenge_contract",
                        "only Alt-DA commitments are challenged: set servers, or remove challenge_contract");
    if (strcmp(d->beacon_block_id, "slot") != 0 && strcmp(d->beacon_block_id, "number") != 0)
        return fail_key(c, map, prefix, "beacon_block_id", "expected slot or number, got \"%.40s\"",
                        d->beacon_block_id);
    cfg->da[i].beacon_by_number = strcmp(d->beacon_block_id, "number") == 0;
    if (d->retry_max_ms < d->retry_ms)
        return fail_key(c, map, prefix, l2w_yaml_get(map, "retry_max_ms") ? "retry_max_ms" : "retry_ms",
                        "retry_max_ms (%u%s) is below retry_ms (%u): the delay doubles from retry_ms up to it",
                        d->retry_max_ms, l2w_yaml_get(map, "retry_max_ms") ? "" : ", the default", d->retry_ms);
    return L2W_OK;
}

l2w_status cfg_parse_da(cfg_ctx *c, const l2w_yaml_node *root, l2w_config *cfg)
{
    const l2w_yaml_node *list = l2w_yaml_get(root, "da");
    l2w_status st = cfg_parse_list(c, list, "da", "da entries", L2W_MAX_DA, da_fields, CFG_COUNT(da_fields), cfg->da,
                                   sizeof cfg->da[0], &cfg->n_da, cfg, NULL);
    for (size_t i = 0; st == L2W_OK && i < cfg->n_da; i++)
        st = check_da(c, cfg, i, list->items[i]);
    return st;
}

const l2w_da_config *l2w_config_da(const l2w_config *cfg, const char *chain)
{
    for (size_t i = 0; i < cfg->n_da; i++)
        if (cfg->da[i].chain && strcmp(cfg->da[i].chain, chain) == 0)
            return &cfg->da[i];
    return NULL;
}

/* ---- liveness ---- */

static l2w_status check_source(cfg_ctx *c, const l2w_config *cfg, const l2w_yaml_node *map, const char *prefix,
                               const l2w_liveness_series_config *s)
{
    const l2w_chain_config *ch = l2w_config_chain(cfg, s->chain);
    if (!ch)
        return fail_key(c, map, prefix, "chain", "chain \"%s\" is not defined in chains", s->chain);
    for (size_t k = 0; k < CFG_COUNT(series_kinds); k++) {
        if (strcmp(s->kind, series_kinds[k].kind) != 0)
            continue;
        switch (series_kinds[k].source) {
        case SERIES_NEEDS_DA:
            if (l2w_config_da(cfg, s->chain))
                return L2W_OK;
            return fail_key(c, map, prefix, "kind",
                            "kind batches needs a da: entry for chain \"%s\" (batches are read from its batch inbox)",
                            s->chain);
        case SERIES_NEEDS_ORACLE:
            if (ch->role == L2W_CHAIN_L2 && ch->has_l2_output_oracle)
                return L2W_OK;
            return fail_key(c, map, prefix, "kind",
                            "kind proposals needs an l2 chain with l2_output_oracle; \"%s\" is not one", s->chain);
        case SERIES_NEEDS_L2:
            if (ch->role == L2W_CHAIN_L2)
                return L2W_OK;
            return fail_key(c, map, prefix, "kind", "kind l2_head needs an l2 chain; \"%s\" is an l1 chain",
                            s->chain);
        case SERIES_NOT_FED:
            return fail_key(c, map, prefix, "kind",
                            "no collector feeds %s yet, so the series would never see an event; use batches, "
                            "proposals or l2_head",
                            s->kind);
        }
    }
    return fail_key(c, map, prefix, "kind", "expected batches, proposals or l2_head, got \"%.60s\"", s->kind);
}

static l2w_status check_series(cfg_ctx *c, const l2w_config *cfg, size_t i, const l2w_yaml_node *map)
{
    const l2w_liveness_series_config *s = &cfg->liveness[i];
    char prefix[32], item[32];
    snprintf(prefix, sizeof prefix, "liveness[%zu].", i);
    snprintf(item, sizeof item, "liveness[%zu]", i);
    l2w_status st = check_source(c, cfg, map, prefix, s);
    if (st != L2W_OK)
        return st;
    for (size_t j = 0; j < i; j++)
        if (strcmp(cfg->liveness[j].chain, s->chain) == 0 && strcmp(cfg->liveness[j].kind, s->kind) == 0)
            return cfg_fail(c, map->line, item, "duplicate series: liveness[%zu] already watches %s on chain \"%s\"",
                            j, s->kind, s->chain);
    /* The detector needs min_samples <= window, defaults included: a
     * smaller window would never hold enough intervals for the z rule. */
    uint32_t min_samples = s->min_samples ? s->min_samples : LIVENESS_DEFAULT_MIN_SAMPLES;
    if (s->window && s->window < min_samples)
        return fail_key(c, map, prefix, "window", "%u is below min_samples (%u%s): the z rule could never fire",
                        s->window, min_samples, s->min_samples ? "" : ", the default");
    /* The z rule only reports gaps of at least min_gap_s; past
     * max_interval_s the absolute rule has already reported, so a larger
     * min_gap_s turns the z rule off, which is better said than done quietly. */
    if (s->min_gap_s && s->max_interval_s && s->min_gap_s > s->max_interval_s)
        return fail_key(c, map, prefix, "min_gap_s",
                        "%u is above max_interval_s (%u): the z rule could never report a gap before the maximum does",
                        s->min_gap_s, s->max_interval_s);
    return L2W_OK;
}

l2w_status cfg_parse_liveness(cfg_ctx *c, const l2w_yaml_node *root, l2w_config *cfg)
{
    const l2w_yaml_node *list = l2w_yaml_get(root, "liveness");
    l2w_status st = cfg_parse_list(c, list, "liveness", "liveness series", L2W_MAX_LIVENESS, liveness_fields,
                                   CFG_COUNT(liveness_fields), cfg->liveness, sizeof cfg->liveness[0],
                                   &cfg->n_liveness, cfg, NULL);
    for (size_t i = 0; st == L2W_OK && i < cfg->n_liveness; i++)
        st = check_series(c, cfg, i, list->items[i]);
    return st;
}

void cfg_free_da(l2w_config *cfg)
{
    for (size_t i = 0; i < cfg->n_da; i++) {
        l2w_da_config *d = &cfg->da[i];
        free(d->chain);
        free(d->beacon_block_id);
        for (size_t j = 0; j < d->n_servers; j++)
            free(d->servers[j]);
        for (size_t j = 0; j < d->n_beacon_urls; j++)
            free(d->beacon_urls[j]);
    }
    cfg->n_da = 0;
    for (size_t i = 0; i < cfg->n_liveness; i++) {
        free(cfg->liveness[i].chain);
        free(cfg->liveness[i].kind);
    }
    cfg->n_liveness = 0;
}
