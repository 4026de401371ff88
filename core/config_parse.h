#ifndef L2W_CORE_CONFIG_PARSE_H
#define L2W_CORE_CONFIG_PARSE_H

/* Internal to the config loader: the table-driven field parser shared by
 * config.c (chains, database, web, alerts), config_responder.c (signers,
 * responses, transaction managers), config_bridges.c (bridges) and
 * config_da.c (da, liveness). Not for use outside core/config*.c. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/yaml_tree.h"

typedef enum {
    F_STRING = 0, /* any non-empty string */
    F_URL = 1,    /* http(s) URL with ${ENV} expansion */
    F_DBURL = 2,  /* libpq URL or keyword string with ${ENV} expansion */
    F_U64 = 3,
    F_U32 = 4,
    F_ADDR = 5,
    F_NAME = 6,   /* [a-z0-9_-]{1,32} */
    F_ROLE = 7,
    F_LEVEL = 8,
    F_LISTEN = 9, /* host:port */
    F_URLS = 10,  /* list of F_URL into a char *[] array with a size_t count: see cfg_field */
    F_MODE = 11,  /* off | dry-run | on */
    F_ADDRS = 12, /* list of F_ADDR into an l2w_addr[] array with a size_t count: read like F_URLS */
    F_NAMES = 13, /* list of F_NAME into a char *[] array with a size_t count: read like F_URLS */
    F_STRINGS = 14, /* list of F_STRING, the same way */
} cfg_field_type;

/* For F_URLS (and the other lists: F_ADDRS, F_NAMES, F_STRINGS) the members read differently (a list has no has_ flag, lower
 * bound or default of its own): offset is that of the char *[] array,
 * has_offset that of its size_t count (kept equal to the URLs filled so far,
 * so a failure part-way still frees them), max the most URLs the array
 * holds, def what they are, for messages ("RPC URLs"); min is unused, as a
 * list given must not be empty. (Members of their own would make every
 * positional table in core/config*.c incomplete: -Wmissing-field-initializers.) */
typedef struct {
    const char *key;
    cfg_field_type type;
    size_t offset;    /* into the struct being filled */
    size_t has_offset; /* offset of a bool "has_X" flag, or 0 */
    uint64_t min, max;
    const char *def;  /* default as text, NULL = none */
    bool required;
} cfg_field;

typedef struct {
    const char *file;
    l2w_err *err;
} cfg_ctx;

#define NO_HAS 0

#define CFG_COUNT(a) (sizeof(a) / sizeof((a)[0]))

L2W_PRINTF(4, 5) l2w_status cfg_fail(cfg_ctx *c, int line, const char *path, const char *fmt, ...);
l2w_status cfg_expand_env(cfg_ctx *c, int line, const char *path, const char *in, char **out);
l2w_status cfg_parse_uint(cfg_ctx *c, const l2w_yaml_node *n, const char *path, uint64_t min, uint64_t max,
                          uint64_t *out);
l2w_status cfg_check_url(cfg_ctx *c, int line, const char *path, const char *url);
bool cfg_valid_name(const char *s);
l2w_status cfg_set_string(char **dst, const char *s);
/* Fills obj from map according to specs; keys in map but in neither specs nor
 * sub_keys (NULL-terminated, may be NULL) are errors. */
l2w_status cfg_parse_section(cfg_ctx *c, const l2w_yaml_node *map, const char *prefix, const cfg_field *specs,
                             size_t n_specs, const char *const *sub_keys, void *obj, l2w_config *cfg);
/* *out is the mapping under key, or an empty mapping when key is absent. */
l2w_status cfg_optional_map(cfg_ctx *c, const l2w_yaml_node *root, const char *key, const l2w_yaml_node **out);
/* Checks item i of a list just parsed (duplicates, combinations of keys). */
typedef l2w_status (*cfg_item_check)(cfg_ctx *c, l2w_config *cfg, size_t i, int line, const char *prefix);

/* Parses list (a sequence of mappings; NULL = absent, nothing to do) at path
 * into items, elem_size bytes each, with specs. *count follows the items
 * parsed so far, so a failure part-way still frees what was allocated. what
 * names the items in the "at most" message; check may be NULL. */
l2w_status cfg_parse_list(cfg_ctx *c, const l2w_yaml_node *list, const char *path, const char *what, size_t max,
                          const cfg_field *specs, size_t n_specs, void *items, size_t elem_size, size_t *count,
                          l2w_config *cfg, cfg_item_check check);
/* Parses the responder sections: top-level signers and responses, and
 * chains[i].txmgr (called per chain with that chain's map). */
l2w_status cfg_parse_signers(cfg_ctx *c, const l2w_yaml_node *root, l2w_config *cfg);
l2w_status cfg_parse_responses(cfg_ctx *c, const l2w_yaml_node *root, l2w_config *cfg);
l2w_status cfg_parse_txmgr(cfg_ctx *c, const l2w_yaml_node *chain_map, const char *prefix, l2w_chain_config *chain);
void cfg_free_responder(l2w_config *cfg);
/* Parses the top-level bridges list (core/config_bridges.c). Needs chains
 * and signers parsed first: bridges name both. */
l2w_status cfg_parse_bridges(cfg_ctx *c, const l2w_yaml_node *root, l2w_config *cfg);
/* Parses web.clients (core/config_clients.c). */
l2w_status cfg_parse_api_clients(cfg_ctx *c, const l2w_yaml_node *web, l2w_config *cfg);
void cfg_free_api_clients(l2w_config *cfg);
/* hex (optionally 0x-prefixed) as the 32 bytes of a token's SHA-256, or a
 * failure naming prefix + "token_sha256". */
l2w_status cfg_token_sha256(cfg_ctx *c, int line, const char *prefix, const char *hex, uint8_t out[32]);
l2w_status cfg_parse_readers(cfg_ctx *c, const l2w_yaml_node *web, l2w_config *cfg);
void cfg_free_readers(l2w_config *cfg);
void cfg_free_bridges(l2w_config *cfg);
/* Parses the top-level channels section (core/config_channels.c). Needs
 * chains and signers parsed first. */
l2w_status cfg_parse_channels(cfg_ctx *c, const l2w_yaml_node *root, l2w_config *cfg);
void cfg_free_channels(l2w_config *cfg);
/* Parse the top-level da and liveness lists (core/config_da.c). Both need
 * chains parsed first, and liveness needs da (a batches series reads the
 * da: entry's inbox). cfg_free_da frees both sections. */
l2w_status cfg_parse_da(cfg_ctx *c, const l2w_yaml_node *root, l2w_config *cfg);
l2w_status cfg_parse_liveness(cfg_ctx *c, const l2w_yaml_node *root, l2w_config *cfg);
void cfg_free_da(l2w_config *cfg);
/* Parses the top-level committees list (core/config_committees.c). Needs
 * chains parsed first. */
l2w_status cfg_parse_committees(cfg_ctx *c, const l2w_yaml_node *root, l2w_config *cfg);
void cfg_free_committees(l2w_config *cfg);
/* Parses the top-level prices list and analytics section
 * (core/config_analytics.c). Needs bridges (prices name their tokens) and
 * da (batch costs default to its inbox) parsed first. */
l2w_status cfg_parse_analytics(cfg_ctx *c, const l2w_yaml_node *root, l2w_config *cfg);
void cfg_free_analytics(l2w_config *cfg);
/* Parses the top-level alerts section: its keys, webhooks, sinks and routes
 * (core/config_alerts.c). Needs chains parsed first: routes name them. */
l2w_status cfg_parse_alerts(cfg_ctx *c, const l2w_yaml_node *root, l2w_config *cfg);
void cfg_free_alerts(l2w_config *cfg);

#endif
