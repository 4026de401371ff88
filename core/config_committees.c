/* committees: the data-availability committees of validiums. Each entry
 * names the rollup contract whose sequenceBatchesValidium calls carry the
 * members' signatures, the members as the committee contract lists them, and
 * how many signatures the operator requires. */

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config_parse.h"
#include "core/hex.h"

#define CM_OFF(f) offsetof(l2w_committee_config, f)

static const cfg_field committee_fields[] = {
    {"chain", F_NAME, CM_OFF(chain), NO_HAS, 0, 0, NULL, true},
    {"l1", F_NAME, CM_OFF(l1), NO_HAS, 0, 0, NULL, true},
    {"rollup", F_ADDR, CM_OFF(rollup), NO_HAS, 0, 0, NULL, true},
    {"members", F_ADDRS, CM_OFF(members), CM_OFF(n_members), 0, L2W_MAX_COMMITTEE_MEMBERS, "member addresses", true},
    {"threshold", F_U32, CM_OFF(threshold), NO_HAS, 1, L2W_MAX_COMMITTEE_MEMBERS, NULL, true},
};

static int key_line(const l2w_yaml_node *map, const char *key)
{
    const l2w_yaml_node *n = l2w_yaml_get(map, key);
    return n ? n->line : map->line;
}

/* The committee contract refuses members out of order or zero
 * (setupCommittee), and the signatures are matched to members by that
 * order: a list in any other order could never match a sequence. */
static l2w_status check_members(cfg_ctx *c, const l2w_committee_config *m, const l2w_yaml_node *map,
                                const char *prefix)
{
    const l2w_yaml_node *list = l2w_yaml_get(map, "members");
    static const l2w_addr zero;
    for (size_t k = 0; k < m->n_members; k++) {
        char path[96], a[L2W_ADDR_HEX_LEN], b[L2W_ADDR_HEX_LEN];
        snprintf(path, sizeof path, "%smembers[%zu]", prefix, k);
        int line = list->items[k]->line;
        if (l2w_addr_eq(&m->members[k], &zero))
            return cfg_fail(c, line, path, "the zero address cannot be a member (no signature recovers to it)");
        if (k > 0 && memcmp(m->members[k - 1].b, m->members[k].b, sizeof m->members[k].b) >= 0) {
            l2w_addr_to_hex(a, &m->members[k]);
            l2w_addr_to_hex(b, &m->members[k - 1]);
            return cfg_fail(c, line, path,
                            "%s is not above members[%zu] (%s): list the members in increasing order, as the "
                            "committee contract holds them",
                            a, k - 1, b);
        }
    }
    return L2W_OK;
}

static l2w_status check_committee(cfg_ctx *c, l2w_config *cfg, size_t i, const l2w_yaml_node *map)
{
    const l2w_committee_config *m = &cfg->committees[i];
    char prefix[40], path[64];
    snprintf(prefix, sizeof prefix, "committees[%zu].", i);
    const l2w_chain_config *l1 = l2w_config_chain(cfg, m->l1);
    snprintf(path, sizeof path, "%sl1", prefix);
    if (!l1)
        return cfg_fail(c, key_line(map, "l1"), path, "chain \"%s\" is not defined in chains", m->l1);
    if (l1->role != L2W_CHAIN_L1)
        return cfg_fail(c, key_line(map, "l1"), path,
                        "\"%s\" is an l2 chain: name the l1 chain the rollup contract lives on", m->l1);
    for (size_t j = 0; j < i; j++) {
        snprintf(path, sizeof path, "%schain", prefix);
        if (strcmp(cfg->committees[j].chain, m->chain) == 0)
            return cfg_fail(c, key_line(map, "chain"), path,
                            "\"%s\" already has a committee (committees[%zu]); one per validium", m->chain, j);
        snprintf(path, sizeof path, "%srollup", prefix);
        if (strcmp(cfg->committees[j].l1, m->l1) == 0 && l2w_addr_eq(&cfg->committees[j].rollup, &m->rollup))
            return cfg_fail(c, key_line(map, "rollup"), path,
                            "committees[%zu] already watches this rollup contract on \"%s\"", j, m->l1);
    }
    l2w_status st = check_members(c, m, map, prefix);
    if (st != L2W_OK)
        return st;
    snprintf(path, sizeof path, "%sthreshold", prefix);
    if (m->threshold > m->n_members)
        return cfg_fail(c, key_line(map, "threshold"), path, "%u is more than the %zu members listed", m->threshold,
                        m->n_members);
    return L2W_OK;
}

l2w_status cfg_parse_committees(cfg_ctx *c, const l2w_yaml_node *root, l2w_config *cfg)
{
    const l2w_yaml_node *list = l2w_yaml_get(root, "committees");
    l2w_status st = cfg_parse_list(c, list, "committees", "committees", L2W_MAX_COMMITTEES, committee_fields,
                                   CFG_COUNT(committee_fields), cfg->committees, sizeof cfg->committees[0],
                                   &cfg->n_committees, cfg, NULL);
    for (size_t i = 0; st == L2W_OK && i < cfg->n_committees; i++)
        st = check_committee(c, cfg, i, list->items[i]);
    return st;
}

void cfg_free_committees(l2w_config *cfg)
{
    for (size_t i = 0; i < cfg->n_committees; i++) {
        free(cfg->committees[i].chain);
        free(cfg->committees[i].l1);
    }
    cfg->n_committees = 0;
}
