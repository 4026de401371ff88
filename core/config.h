#ifndef L2W_CORE_CONFIG_H
#define L2W_CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/eth_types.h"
#include "core/log.h"
#include "core/status.h"

/* The whole configuration, loaded from one YAML file. Every string is owned by
 * the config and freed by l2w_config_free. Values of the form "${NAME}" inside
 * URLs are replaced by the environment variable NAME at load time, so secrets
 * (RPC keys, database passwords) need not sit in the file. */

#define L2W_MAX_RPC_URLS 8
#define L2W_MAX_CHAINS 16
#define L2W_MAX_WEBHOOKS 8

typedef enum {
    L2W_CHAIN_L1 = 0,
    L2W_CHAIN_L2 = 1,
} l2w_chain_role;

typedef struct {
    char *name;                    /* unique, [a-z0-9_-]{1,32}; used in metrics labels and the DB */
    l2w_chain_role role;
    uint64_t chain_id;             /* checked against eth_chainId at start */
    char *rpc_urls[L2W_MAX_RPC_URLS];
    size_t n_rpc_urls;
    uint32_t rpc_timeout_ms;       /* per request */
    uint32_t poll_interval_ms;
    uint32_t confirmations;        /* L1: blocks behind head before facts are ingested */
    bool has_start_block;
    uint64_t start_block;          /* L1: first block to ingest when there is no checkpoint */
    uint32_t max_blocks_per_poll;  /* L1: catch-up batch size */
    /* L2 only */
    char *l1;                      /* name of the L1 chain this L2 settles on */
    bool has_l2_output_oracle;
    l2w_addr l2_output_oracle;     /* on the L1 */
} l2w_chain_config;

typedef struct {
    char *name;
    char *url;
    uint32_t timeout_ms;
} l2w_webhook_config;

typedef struct {
    char *database_url;
    l2w_log_level log_level;
    char *web_listen_host;         /* "127.0.0.1" */
    uint16_t web_listen_port;
    l2w_chain_config chains[L2W_MAX_CHAINS];
    size_t n_chains;
    l2w_webhook_config webhooks[L2W_MAX_WEBHOOKS];
    size_t n_webhooks;
    uint32_t alert_max_backoff_ms; /* retry delay cap for alert delivery */
    char *source_path;             /* the file this was loaded from */
} l2w_config;

/* Loads and validates path. On failure err holds "FILE:LINE: key: what is wrong"
 * and nothing is allocated. */
L2W_MUST_CHECK l2w_status l2w_config_load(l2w_config **out, const char *path, l2w_err *err);
/* Same, from a string (name is used in messages). */
L2W_MUST_CHECK l2w_status l2w_config_parse(l2w_config **out, const char *text, size_t len, const char *name,
                                           l2w_err *err);
void l2w_config_free(l2w_config *cfg);

const l2w_chain_config *l2w_config_chain(const l2w_config *cfg, const char *name);

#endif
