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
#define L2W_MAX_SIGNERS 8
#define L2W_MAX_RESPONSE_RULES 32
#define L2W_MAX_BRIDGES 16
#define L2W_MAX_API_CLIENTS 64
#define L2W_MAX_BRIDGE_TOKENS 16
#define L2W_MAX_EVENT_PARAMS 16
#define L2W_MAX_PAUSE_KINDS 8

/* How l2watch answers a finding kind on a chain. dry-run logs and alerts the
 * transaction it would send and sends nothing: the default, so that enabling
 * a response is always a deliberate act. */
typedef enum {
    L2W_RESPONSE_OFF = 0,
    L2W_RESPONSE_DRY_RUN = 1,
    L2W_RESPONSE_ON = 2,
} l2w_response_mode;

const char *l2w_response_mode_name(l2w_response_mode mode);

/* Transaction manager settings of a chain l2watch sends transactions to. */
typedef struct {
    uint64_t fee_cap_gwei;          /* never pay more than this per gas (maxFeePerGas) */
    uint64_t min_priority_fee_wei;  /* floor for the tip */
    uint32_t resubmit_after_ms;     /* bump fees when not mined after this long */
    uint32_t confirmations;         /* depth at which a mined response counts as final */
    uint32_t receipt_poll_ms;
    uint32_t gas_margin_percent;    /* gas limit = estimate * (100 + margin) / 100 */
} l2w_txmgr_config;

typedef enum {
    L2W_SIGNER_KEY_FILE = 0,  /* hex private key in a file that only the owner may read */
    L2W_SIGNER_KEY_ENV = 1,   /* hex private key in an environment variable */
    L2W_SIGNER_REMOTE = 2,    /* eth_signTransaction on a remote signer (web3signer, clef) */
} l2w_signer_source;

typedef struct {
    char *name;
    l2w_signer_source source;
    char *key_file;
    char *key_env;
    char *remote_url;
    bool has_address;
    l2w_addr address;               /* required for remote; checked against the key otherwise */
} l2w_signer_config;

typedef struct {
    char *kind;                     /* finding kind, e.g. "invalid_output_root" */
    char *chain;                    /* chain the finding is on; NULL = every chain */
    l2w_response_mode mode;
    char *signer;                   /* name of a signer; required when mode is on */
} l2w_response_rule;

typedef enum {
    L2W_CHAIN_L1 = 0,
    L2W_CHAIN_L2 = 1,
} l2w_chain_role;

typedef struct {
    char *name;                    /* unique, [a-z0-9_-]{1,32}; used in metrics labels and the DB */
    char *preset;                  /* a known network (core/chain_presets.h) filling the keys below; NULL = none */
    bool has_role;
    l2w_chain_role role;
    bool has_chain_id;
    uint64_t chain_id;             /* checked against eth_chainId at start */
    char *rpc_urls[L2W_MAX_RPC_URLS];
    size_t n_rpc_urls;
    uint32_t rpc_timeout_ms;       /* per request */
    uint32_t poll_interval_ms;
    uint32_t confirmations;        /* L1: blocks behind head before facts are ingested */
    bool has_start_block;
    uint64_t start_block;          /* L1: first block to ingest when there is no checkpoint */
    uint32_t max_blocks_per_poll;  /* L1: catch-up batch size */
    uint32_t log_range_blocks;     /* catch-up: first eth_getLogs span (the provider's limit, if known) */
    uint32_t max_reorg_depth;      /* L1: deepest reorg unwound automatically */
    uint32_t max_head_lag_blocks;  /* an endpoint this far behind the best head is avoided */
    /* L2 only */
    char *l1;                      /* name of the L1 chain this L2 settles on */
    bool has_l2_output_oracle;
    l2w_addr l2_output_oracle;     /* on the L1 */
    /* More of an L2's contracts on its L1, for the detectors that use them. */
    bool has_optimism_portal;
    l2w_addr optimism_portal;
    bool has_l1_standard_bridge;
    l2w_addr l1_standard_bridge;
    bool has_system_config;
    l2w_addr system_config;
    bool has_dispute_game_factory;
    l2w_addr dispute_game_factory;
    bool has_superchain_config;
    l2w_addr superchain_config;    /* the guardian's pause switch for OP Stack chains */
    l2w_txmgr_config txmgr;        /* defaults unless a txmgr: section is given */
    char *explorer_url;            /* block explorer base for links in alerts (<base>/tx/<hash>); NULL = none */
} l2w_chain_config;

/* ---- alerts (core/config_alerts.c) ---- */

#define L2W_MAX_SINKS 16
#define L2W_MAX_ALERT_ROUTES 32
#define L2W_MAX_ROUTE_ITEMS 16
#define L2W_MAX_EMAIL_TO 8

typedef enum {
    L2W_SINK_WEBHOOK = 0,     /* JSON POST, HMAC-SHA256 signed when secret_file is set */
    L2W_SINK_SLACK = 1,       /* Slack incoming webhook */
    L2W_SINK_PAGERDUTY = 2,   /* PagerDuty Events API v2 */
    L2W_SINK_ALERTMANAGER = 3, /* Prometheus Alertmanager API v2 */
    L2W_SINK_EMAIL = 4,       /* SMTP through libcurl */
    L2W_SINK_DISCORD = 5,     /* Discord webhook */
    L2W_SINK_TELEGRAM = 6,    /* Telegram Bot API sendMessage */
} l2w_sink_kind;

/* One place alerts go. alerts.webhooks[] entries are sinks of kind webhook. */
typedef struct {
    char *name;
    char *kind_name;              /* as written; kind is parsed from it */
    l2w_sink_kind kind;
    char *url;                    /* webhook, slack, discord: the POST URL; alertmanager: its base URL
                                     (/api/v2/alerts is appended); pagerduty: the events endpoint; telegram: the
                                     Bot API base; email: smtp:// (STARTTLS) or smtps:// */
    char *secret_file;            /* webhook: the HMAC key; pagerduty: the routing key; telegram: the bot token;
                                     email: the SMTP password. Read at start; never in the config itself */
    uint32_t timeout_ms;
    uint32_t rate_per_minute;     /* sends per minute per replica; 0 = no limit */
    bool groups;                  /* bursts are grouped into one message (chat and email kinds) */
    char *from;                   /* email */
    char *to[L2W_MAX_EMAIL_TO];
    size_t n_to;
    char *username;               /* email: SMTP AUTH user (with the password in secret_file) */
    char *ca_file;                /* email: CA bundle to check the server's certificate against (default: system) */
    char *chat_id;                /* telegram */
} l2w_sink_config;

/* alerts.routes[]: which sinks hear which findings. Every route a finding
 * matches adds its sinks; with no routes every sink hears everything. */
typedef struct {
    char *sinks[L2W_MAX_SINKS];
    size_t n_sinks;
    char *kinds[L2W_MAX_ROUTE_ITEMS];   /* none = every kind */
    size_t n_kinds;
    char *chains[L2W_MAX_ROUTE_ITEMS];  /* none = every chain */
    size_t n_chains;
    char *min_severity_name;            /* default info */
    int min_severity;                   /* l2w_severity (core/finding.h) */
    uint32_t repeat_interval_s;         /* remind of a finding still open this often; 0 = never */
} l2w_alert_route;

/* ---- bridges (core/config_bridges.c) ---- */

typedef enum {
    /* An OP Stack chain's canonical bridge on its L1: ETH escrowed in the
     * OptimismPortal, ERC-20s in the L1StandardBridge; addresses come from
     * the L2 chain's config (optimism_portal, l1_standard_bridge,
     * l2_output_oracle, superchain_config). */
    L2W_BRIDGE_OP_STACK = 0,
    /* Any lock/release bridge described in config: an escrow contract, its
     * release event, and the initiation event on the other chain. */
    L2W_BRIDGE_LOCK_RELEASE = 1,
} l2w_bridge_kind;

typedef enum {
    L2W_PAUSE_NONE = 0,
    L2W_PAUSE_SUPERCHAIN = 1, /* SuperchainConfig.pause(string identifier), guardian only */
    L2W_PAUSE_PAUSABLE = 2,   /* OpenZeppelin Pausable-style pause(), caller per the contract's access control */
} l2w_pause_method;

/* One parameter of an event signature as configured, e.g. "address indexed token". */
typedef struct {
    char *name;
    char *type;            /* canonical ABI type, e.g. "uint256" */
    bool indexed;
    uint8_t position;      /* topic index (1..3) when indexed, else data word index */
    bool is_static;        /* only static (one-word) types can be named as fields */
} l2w_event_param;

/* Which parameter of an event holds what a bridge detector needs; -1 = absent. */
typedef struct {
    char *signature;       /* as configured, with names and "indexed" */
    char *canonical;       /* "Released(bytes32,address,address,uint256)" */
    l2w_hash topic0;
    l2w_event_param params[L2W_MAX_EVENT_PARAMS];
    size_t n_params;
    int token;             /* address */
    int recipient;         /* address */
    int amount;            /* uintN */
    int message_id;        /* bytes32 or uintN: matches a release to its initiation */
} l2w_event_layout;

typedef struct {
    char *symbol;          /* label for people: "ETH", "USDC" */
    bool native;           /* the chain's coin: escrow balance is eth_getBalance */
    l2w_addr address;      /* ERC-20 on the escrow chain (unset when native) */
    bool has_remote;
    l2w_addr remote;       /* the bridged token on the other chain; its totalSupply is the bridged supply */
    uint8_t decimals;      /* for display only; amounts are kept in base units */
    l2w_addr escrow;       /* holder of this token's escrow (resolved at load) */
} l2w_bridge_token;

typedef struct {
    char *name;                       /* [a-z0-9_-]{1,32}; used in findings and metrics */
    l2w_bridge_kind kind;
    char *chain;                      /* where the escrow is: the L1 for op-stack */
    char *remote_chain;               /* the other side: the OP L2, or a lock/release bridge's source chain */
    /* lock-release only */
    bool has_escrow;
    l2w_addr escrow;
    l2w_event_layout release;         /* emitted by the escrow on chain */
    bool has_source_contract;
    l2w_addr source_contract;         /* on remote_chain */
    l2w_event_layout initiation;      /* emitted by source_contract */
    uint32_t source_grace_s;          /* how long a release may wait for its initiation to be seen */
    /* How long before its release an initiation may have happened. A
     * release is judged only when the source chain has been followed since
     * then (or from its first block); an older initiation could predate
     * l2watch's history, so the release is left unjudged, with a note. */
    uint32_t source_history_s;
    l2w_bridge_token tokens[L2W_MAX_BRIDGE_TOKENS];
    size_t n_tokens;
    /* escrow_drawdown: more than drawdown_percent within drawdown_window_s, or
     * one block's fall above single_release_percent of the escrow before it */
    uint32_t drawdown_window_s;
    uint32_t drawdown_percent;
    uint32_t single_release_percent;
    /* outflow_anomaly: an interval's outflow z-score against the baseline intervals */
    uint32_t outflow_interval_s;
    uint32_t outflow_baseline_days;
    uint32_t outflow_z;
    uint32_t outflow_warmup_intervals;
    /* circuit breaker */
    l2w_pause_method pause_method;
    bool has_pause_contract;
    l2w_addr pause_contract;
    char *pause_signer;               /* a signers[] name; required when pause_mode is on (a dry run may go without) */
    l2w_response_mode pause_mode;     /* default dry-run */
    char *pause_on[L2W_MAX_PAUSE_KINDS]; /* finding kinds that pull the breaker */
    size_t n_pause_on;
} l2w_bridge_config;

/* A client of the write API (web.clients): who may submit, and how much.
 * Only the SHA-256 of its bearer token is configured, so the config file
 * holds nothing that would let a reader act as the client. */
typedef struct {
    char *name;
    char *token_sha256_hex;
    uint8_t token_sha256[32];
    uint32_t requests_per_minute;
    uint32_t max_channels;
} l2w_api_client;

/* A reader of the dashboard, the API and /metrics when web.read_auth is
 * required (web.readers). A person signs in with HTTP Basic against
 * password_hash, a crypt(3) string (yescrypt, bcrypt or SHA-512-crypt: slow
 * hashes, since a config file is copied around more than a secret store);
 * a program (Prometheus, Grafana) sends a bearer token whose SHA-256 is
 * token_sha256. Exactly one of the two. */
#define L2W_MAX_READERS 64
typedef struct {
    char *name;
    char *password_hash;               /* NULL for a token reader */
    char *token_sha256_hex;            /* NULL for a password reader */
    uint8_t token_sha256[32];
} l2w_web_reader;

/* The channel watchtower (channels:): where the adjudicators are, and the
 * key that signs the intake's receipts. */
typedef struct {
    bool enabled;                      /* a channels: section is present */
    char *chain;                       /* the chain the adjudicators are on (a chains[] name) */
    char *receipt_signer;              /* a signers[] name with a local key */
    bool has_vector_channel_factory;
    l2w_addr vector_channel_factory;   /* Vector ChannelFactory: channel addresses are its CREATE2 results */
    bool has_vector_mastercopy;
    l2w_addr vector_mastercopy;        /* the ChannelMastercopy the factory's proxies point at */
    bool has_nitro_adjudicator;
    l2w_addr nitro_adjudicator;        /* NitroAdjudicator (ForceMove) */
    uint32_t warn_before_s;            /* channel_window_closing when a stale close is unanswered this near its deadline */
} l2w_channels_config;

/* ---- data availability (core/config_da.c) ---- */

#define L2W_MAX_DA 8
#define L2W_MAX_DA_SERVERS 8
#define L2W_MAX_LIVENESS 64

/* da: one rollup's posted data, checked for availability. Batcher
 * transactions to batch_inbox on the L2's L1 are read block by block: an
 * OP Alt-DA commitment in calldata is fetched from the DA servers and its
 * keccak256 checked; a type-3 transaction's blobs are fetched from the
 * beacon API and their versioned hashes checked. */
typedef struct {
    char *chain;                       /* the L2 (a chains[] name, role l2); its l1 carries the inbox */
    l2w_addr batch_inbox;
    l2w_addr batcher;                  /* only its transactions count, as op-node only derives from them */
    char *servers[L2W_MAX_DA_SERVERS]; /* Alt-DA servers (GET /get/0x<commitment>), tried in order */
    size_t n_servers;
    bool has_challenge_contract;
    l2w_addr challenge_contract;       /* DataAvailabilityChallenge on the L1 */
    char *beacon_urls[L2W_MAX_DA_SERVERS]; /* beacon API endpoints for blob sidecars, tried in order */
    size_t n_beacon_urls;
    uint32_t fetch_deadline_s;         /* data not fetched and verified this long after its block was seen: withheld */
    uint32_t fetch_timeout_ms;         /* one request */
    uint32_t retry_ms;                 /* first retry delay; doubles up to retry_max_ms */
    uint32_t retry_max_ms;
    uint32_t max_data_bytes;           /* a larger answer is refused (counts as not served) */
    uint32_t blob_retention_s;         /* blobs older than this are pruned by beacon nodes: not checked */
    uint32_t l1_block_time_s;          /* to turn the challenge window (blocks) into a deadline; the slot length */
    char *beacon_block_id;             /* "slot" (from genesis_time and the block's time) or "number" (the
                                          execution block number, as anvil's beacon API takes it) */
    bool beacon_by_number;             /* beacon_block_id is "number" */
    bool has_start_block;
    uint64_t start_block;              /* first L1 block scanned; default: the L1 follower's */
} l2w_da_config;

/* liveness: one series watched for gaps (detectors/liveness.h). */
typedef struct {
    char *chain;                       /* a chains[] name */
    char *kind;                        /* "batches" (needs a da: entry for the chain), "proposals" (an L2 with
                                          l2_output_oracle), "l2_head" (an L2) */
    uint32_t max_interval_s;           /* 0 = the kind's default */
    uint32_t min_gap_s;                /* 0 = the kind's default */
    uint32_t min_samples;              /* 0 = default 20 */
    uint32_t window;                   /* 0 = default 1024 */
    uint32_t z_threshold;              /* 0 = default 15 */
} l2w_liveness_series_config;

/* committees: a validium's data-availability committee, whose signatures
 * on each sequence of batches are checked (detectors/committee_signatures.h). */
#define L2W_MAX_COMMITTEES 8
/* The most members a committee may list (L2W_COMMITTEE_MAX_MEMBERS in
 * detectors/committee_signatures.h; tests/unit/test_config_da.c checks
 * they agree). */
#define L2W_MAX_COMMITTEE_MEMBERS 256

typedef struct {
    char *chain;                       /* the validium's name, in subjects and labels (need not be a chains[] entry:
                                          only its L1 is read) */
    char *l1;                          /* the chains[] entry (role l1) its rollup contract lives on */
    l2w_addr rollup;                   /* the contract with sequenceBatchesValidium (PolygonValidiumEtrog) */
    l2w_addr members[L2W_MAX_COMMITTEE_MEMBERS]; /* in increasing order, as the committee contract holds them */
    size_t n_members;
    uint32_t threshold;                /* signatures required, 1..n_members */
} l2w_committee_config;

/* ---- prices and analytics (core/config_analytics.c) ---- */

#define L2W_MAX_PRICES 16
#define L2W_MAX_FEE_CHAINS 16
#define L2W_MAX_BATCH_COSTS 8

/* prices: a Chainlink aggregator (AggregatorV3Interface: latestRoundData,
 * decimals) giving the USD price of a token the bridges watch. */
typedef struct {
    char *token;                       /* as written: a bridges[].tokens[] symbol, or that token's address */
    char *symbol;                      /* the symbol of the token(s) it prices: the stored name and metric label */
    char *chain;                       /* the chain the aggregator is on (a chains[] name) */
    l2w_addr aggregator;               /* usually the feed's proxy */
    uint32_t max_age_s;                /* an answer updated longer ago than this is stale, never used */
    uint32_t poll_s;                   /* how often it is read */
} l2w_price_config;

/* analytics.fees[]: a chain whose blocks' fees are summed. */
typedef struct {
    char *chain;                       /* a chains[] name (an L2, usually) */
    bool has_start_block;
    uint64_t start_block;              /* first block read; default: the head when first started */
    uint32_t blocks_per_pass;          /* blocks read per batch request */
} l2w_fee_chain_config;

/* analytics.batch_costs[]: what an L2's batcher pays on its L1. */
typedef struct {
    char *chain;                       /* the L2 (role l2); its l1 carries the inbox */
    bool has_batch_inbox;
    l2w_addr batch_inbox;              /* default: the chain's da: entry's */
    bool has_batcher;
    l2w_addr batcher;                  /* default: the chain's da: entry's */
    bool has_start_block;
    uint64_t start_block;              /* first L1 block scanned; default: the L1 follower's */
} l2w_batch_cost_config;

typedef struct {
    uint32_t tvl_interval_s;           /* how often escrow TVL is sampled (with USD when priced) */
    l2w_fee_chain_config fees[L2W_MAX_FEE_CHAINS];
    size_t n_fees;
    l2w_batch_cost_config batch_costs[L2W_MAX_BATCH_COSTS];
    size_t n_batch_costs;
} l2w_analytics_config;

typedef struct {
    char *database_url;
    l2w_log_level log_level;
    char *web_listen_host;         /* "127.0.0.1" */
    uint16_t web_listen_port;
    l2w_api_client api_clients[L2W_MAX_API_CLIENTS];
    size_t n_api_clients;
    char *web_read_auth;           /* "open" (the default) or "required" */
    uint32_t web_page_cache_ms;    /* how old a kept copy of a dashboard page may be; 0 = none kept */
    uint32_t web_request_timeout_ms; /* the longest one request of a connection may take, sent and answered */
    bool read_auth_required;       /* web_read_auth is "required" */
    l2w_web_reader readers[L2W_MAX_READERS];
    size_t n_readers;
    l2w_chain_config chains[L2W_MAX_CHAINS];
    size_t n_chains;
    l2w_sink_config sinks[L2W_MAX_SINKS]; /* alerts.webhooks, then alerts.sinks */
    size_t n_sinks;
    l2w_alert_route alert_routes[L2W_MAX_ALERT_ROUTES];
    size_t n_alert_routes;
    uint32_t alert_max_backoff_ms; /* retry delay cap for alert delivery */
    uint32_t alert_max_attempts;   /* a delivery failing this often is dead-lettered */
    uint32_t alert_group_window_s; /* raised alerts of one kind and chain this close are one message; 0 = off */
    char *dashboard_url;           /* links in alerts; NULL = none */
    l2w_signer_config signers[L2W_MAX_SIGNERS];
    size_t n_signers;
    l2w_response_mode default_response_mode;
    l2w_response_rule response_rules[L2W_MAX_RESPONSE_RULES];
    size_t n_response_rules;
    l2w_bridge_config bridges[L2W_MAX_BRIDGES];
    size_t n_bridges;
    l2w_channels_config channels;
    l2w_da_config da[L2W_MAX_DA];
    size_t n_da;
    l2w_liveness_series_config liveness[L2W_MAX_LIVENESS];
    size_t n_liveness;
    l2w_committee_config committees[L2W_MAX_COMMITTEES];
    size_t n_committees;
    l2w_price_config prices[L2W_MAX_PRICES];
    size_t n_prices;
    l2w_analytics_config analytics;
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
const l2w_bridge_config *l2w_config_bridge(const l2w_config *cfg, const char *name);
const l2w_da_config *l2w_config_da(const l2w_config *cfg, const char *chain);
/* The prices: entry that prices bridge token t, or NULL (core/config_analytics.c). */
const l2w_price_config *l2w_config_price(const l2w_config *cfg, const l2w_bridge_token *t);
const l2w_sink_config *l2w_config_sink(const l2w_config *cfg, const char *name);
const l2w_signer_config *l2w_config_signer(const l2w_config *cfg, const char *name);
/* The rule for a finding kind on a chain: the first rule naming that chain,
 * else the first rule for every chain, else NULL (default mode, no signer). */
const l2w_response_rule *l2w_config_response_rule(const l2w_config *cfg, const char *kind, const char *chain);

#endif
