/* The write API's clients (web/api_clients.c) and their config
 * (core/config_clients.c): who a bearer token names, what is refused, and
 * the per-client token bucket on a clock the test moves by hand. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/hex.h"
#include "core/sha256.h"
#include "tests/unit/harness.h"
#include "web/api_clients.h"

/* Any 64 hex digits: a well-formed token hash for the refusal cases. */
#define WALLET_HASH "0d6c9a5a8d6d1e7e0f1bb1d8b8bd0cb1d8d2f2a1e4f5b6c7d8e9fa0b1c2d3e4f"

static char *config_text(const char *clients)
{
    static const char head[] = "database:\n"
                               "  url: postgresql://u@127.0.0.1:5432/l2watch\n"
                               "web:\n"
                               "  listen: 127.0.0.1:0\n";
    static const char tail[] = "chains:\n"
                               "  - name: l1\n"
                               "    role: l1\n"
                               "    chain_id: 900\n"
                               "    rpc: [\"http://127.0.0.1:8545\"]\n";
    size_t n = strlen(head) + strlen(clients) + strlen(tail) + 1;
    char *text = malloc(n);
    if (!text)
        abort();
    snprintf(text, n, "%s%s%s", head, clients, tail);
    return text;
}

/* "0x" and the 64 hex digits of the token's SHA-256. */
static void hex_of_sha256(char out[67], const char *token)
{
    uint8_t h[32];
    l2w_sha256(h, token, strlen(token));
    l2w_hex_encode(out, h, sizeof h);
}

static l2w_status parse_clients(const char *clients, l2w_config **cfg, l2w_err *err)
{
    char *text = config_text(clients);
    l2w_status st = l2w_config_parse(cfg, text, strlen(text), "t.yaml", err);
    free(text);
    return st;
}

static l2w_config *two_clients(void)
{
    char wallet[67], relay[67], clients[512];
    hex_of_sha256(wallet, "wallet-secret");
    hex_of_sha256(relay, "relay-secret");
    snprintf(clients, sizeof clients,
             "  clients:\n"
             "    - name: wallet\n"
             "      token_sha256: \"%s\"\n"
             "      requests_per_minute: 60\n"
             "    - name: relay\n"
             "      token_sha256: \"%s\"\n"
             "      max_channels: 5\n",
             wallet + 2, relay);
    l2w_config *cfg = NULL;
    l2w_err err = {{0}};
    l2w_status st = parse_clients(clients, &cfg, &err);
    CHECK_MSG(st == L2W_OK, "%s", err.msg);
    return cfg;
}

static void test_config(void)
{
    l2w_config *cfg = two_clients();
    if (!cfg)
        return;
    CHECK(cfg->n_api_clients == 2);
    CHECK(strcmp(cfg->api_clients[0].name, "wallet") == 0 && cfg->api_clients[0].requests_per_minute == 60 &&
          cfg->api_clients[0].max_channels == 100000);
    CHECK(strcmp(cfg->api_clients[1].name, "relay") == 0 && cfg->api_clients[1].requests_per_minute == 600 &&
          cfg->api_clients[1].max_channels == 5);
    uint8_t want[32];
    l2w_sha256(want, "relay-secret", strlen("relay-secret"));
    CHECK(memcmp(cfg->api_clients[1].token_sha256, want, 32) == 0);
    l2w_config_free(cfg);
}

static void expect_refused(const char *clients, const char *want)
{
    l2w_config *cfg = NULL;
    l2w_err err = {{0}};
    l2w_status st = parse_clients(clients, &cfg, &err);
    CHECK_MSG(st == L2W_ERR_CONFIG, "accepted: %s", clients);
    CHECK_MSG(strstr(err.msg, want) != NULL, "message \"%s\" lacks \"%s\"", err.msg, want);
    CHECK(cfg == NULL);
}

static void test_config_refusals(void)
{
    expect_refused("  clients:\n    - name: a\n      token_sha256: \"abc\"\n", "web.clients[0].token_sha256: expected the 64 hex digits");
    expect_refused("  clients:\n    - name: a\n      token_sha256: \"" WALLET_HASH "zz\"\n", "token_sha256");
    expect_refused("  clients:\n    - name: a\n      token_sha256: \"" WALLET_HASH "\"\n"
                   "    - name: a\n      token_sha256: \"" WALLET_HASH "\"\n",
                   "duplicate client name \"a\"");
    expect_refused("  clients:\n    - name: a\n      token_sha256: \"" WALLET_HASH "\"\n"
                   "    - name: b\n      token_sha256: \"" WALLET_HASH "\"\n",
                   "same token as \"a\"");
    expect_refused("  clients:\n    - name: a\n", "token_sha256");
    expect_refused("  clients:\n    - name: a\n      token_sha256: \"" WALLET_HASH "\"\n"
                   "      requests_per_minute: 0\n",
                   "requests_per_minute");
    expect_refused("  clients:\n    - name: a\n      token_sha256: \"" WALLET_HASH "\"\n      token: x\n", "token");
    expect_refused("  clients: 5\n", "web.clients");
}

static void test_identify(void)
{
    l2w_config *cfg = two_clients();
    if (!cfg)
        return;
    l2w_api_clients *c = NULL;
    l2w_err err = {{0}};
    CHECK(l2w_api_clients_create(&c, cfg, &err) == L2W_OK);
    size_t who = 99;
    CHECK(l2w_api_clients_identify(c, "Bearer relay-secret", &who) == L2W_AUTH_OK && who == 1);
    CHECK(l2w_api_clients_identify(c, "bearer  wallet-secret", &who) == L2W_AUTH_OK && who == 0);
    CHECK(l2w_api_clients_identify(c, NULL, &who) == L2W_AUTH_MISSING);
    CHECK(l2w_api_clients_identify(c, "Basic d2FsbGV0", &who) == L2W_AUTH_MALFORMED);
    CHECK(l2w_api_clients_identify(c, "Bearer ", &who) == L2W_AUTH_MALFORMED);
    CHECK(l2w_api_clients_identify(c, "Bearer wallet-secret trailing", &who) == L2W_AUTH_MALFORMED);
    CHECK(l2w_api_clients_identify(c, "Bearer wallet-secreT", &who) == L2W_AUTH_UNKNOWN);
    CHECK(l2w_api_clients_identify(c, "Bearer wallet-secret\x01", &who) == L2W_AUTH_MALFORMED);
    char long_header[700];
    memset(long_header, 'a', sizeof long_header - 1);
    memcpy(long_header, "Bearer ", 7);
    long_header[sizeof long_header - 1] = '\0';
    CHECK(l2w_api_clients_identify(c, long_header, &who) == L2W_AUTH_MALFORMED);
    l2w_api_clients_destroy(c);
    l2w_config_free(cfg);
}

static void test_quota(void)
{
    l2w_config *cfg = two_clients();
    if (!cfg)
        return;
    l2w_api_clients *c = NULL;
    l2w_err err = {{0}};
    CHECK(l2w_api_clients_create(&c, cfg, &err) == L2W_OK);
    double retry = 0;
    /* A minute's worth (60) at once, then nothing until the bucket refills at 1/s. */
    int admitted = 0;
    for (int i = 0; i < 100; i++)
        admitted += l2w_api_clients_admit(c, 0, 1000.0, &retry);
    CHECK_MSG(admitted == 60, "admitted %d", admitted);
    CHECK(!l2w_api_clients_admit(c, 0, 1000.0, &retry) && retry > 0.99 && retry <= 1.0);
    CHECK(!l2w_api_clients_admit(c, 0, 1000.5, &retry) && retry > 0.49 && retry <= 0.51);
    CHECK(l2w_api_clients_admit(c, 0, 1001.01, &retry));
    CHECK(!l2w_api_clients_admit(c, 0, 1001.01, &retry));
    /* The other client's bucket is its own. */
    CHECK(l2w_api_clients_admit(c, 1, 1001.01, &retry));
    /* A clock going backwards neither refills nor breaks the bucket. */
    CHECK(!l2w_api_clients_admit(c, 0, 900.0, &retry));
    /* A long pause refills to the minute's worth, not beyond. */
    admitted = 0;
    for (int i = 0; i < 100; i++)
        admitted += l2w_api_clients_admit(c, 0, 5000.0, &retry);
    CHECK_MSG(admitted == 60, "admitted %d after a pause", admitted);
    CHECK(!l2w_api_clients_admit(c, 7, 5000.0, &retry));
    l2w_api_clients_destroy(c);
    l2w_config_free(cfg);
}

int main(void)
{
    RUN(test_config);
    RUN(test_config_refusals);
    RUN(test_identify);
    RUN(test_quota);
    return l2w_test_finish();
}
