/* channels: in the config (core/config_channels.c): every key and default,
 * and one message per mistake naming the file, line and key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "tests/unit/harness.h"
#include "tests/unit/support/bridge_config.h"

#define SIGNERS                                                                                                       \
    "signers:\n"                                                                                                      \
    "  - name: tower\n"                                                                                               \
    "    key_file: /etc/l2watch/tower.key\n"                                                                          \
    "  - name: far\n"                                                                                                 \
    "    remote_url: http://127.0.0.1:9000\n"                                                                         \
    "    address: " TEST_ADDR("99") "\n"

static l2w_status parse(const char *channels, l2w_config **cfg, l2w_err *err)
{
    char text[4096];
    snprintf(text, sizeof text, "%s%s%s", TEST_BRIDGE_CHAINS, SIGNERS, channels);
    return l2w_config_parse(cfg, text, strlen(text), "t.yaml", err);
}

static bool addr_is(const l2w_addr *a, uint8_t last)
{
    l2w_addr want = {{0}};
    want.b[19] = last;
    return l2w_addr_eq(a, &want);
}

static void test_full_section(void)
{
    l2w_config *cfg = NULL;
    l2w_err err = {{0}};
    l2w_status st = parse("channels:\n"
                          "  chain: l1\n"
                          "  receipt_signer: tower\n"
                          "  vector_channel_factory: " TEST_ADDR("f1") "\n"
                          "  vector_mastercopy: " TEST_ADDR("f2") "\n"
                          "  nitro_adjudicator: " TEST_ADDR("f3") "\n"
                          "  warn_before_s: 600\n",
                          &cfg, &err);
    CHECK_MSG(st == L2W_OK, "%s", err.msg);
    if (st != L2W_OK)
        return;
    const l2w_channels_config *ch = &cfg->channels;
    CHECK(ch->enabled && strcmp(ch->chain, "l1") == 0 && strcmp(ch->receipt_signer, "tower") == 0);
    CHECK(ch->has_vector_channel_factory && addr_is(&ch->vector_channel_factory, 0xf1));
    CHECK(ch->has_vector_mastercopy && addr_is(&ch->vector_mastercopy, 0xf2));
    CHECK(ch->has_nitro_adjudicator && addr_is(&ch->nitro_adjudicator, 0xf3));
    CHECK(ch->warn_before_s == 600);
    l2w_config_free(cfg);
}

static void test_defaults_and_absent(void)
{
    l2w_config *cfg = NULL;
    l2w_err err = {{0}};
    l2w_status st = parse("", &cfg, &err);
    CHECK_MSG(st == L2W_OK, "%s", err.msg);
    if (st == L2W_OK) {
        CHECK(!cfg->channels.enabled && cfg->channels.chain == NULL);
        l2w_config_free(cfg);
    }
    st = parse("channels:\n  chain: side\n  receipt_signer: tower\n  nitro_adjudicator: " TEST_ADDR("f3") "\n", &cfg,
               &err);
    CHECK_MSG(st == L2W_OK, "%s", err.msg);
    if (st == L2W_OK) {
        CHECK(cfg->channels.enabled && cfg->channels.warn_before_s == 900);
        CHECK(!cfg->channels.has_vector_channel_factory && !cfg->channels.has_vector_mastercopy);
        l2w_config_free(cfg);
    }
}

static void expect_error(const char *channels, const char *where, const char *what)
{
    l2w_config *cfg = NULL;
    l2w_err err = {{0}};
    l2w_status st = parse(channels, &cfg, &err);
    CHECK_MSG(st == L2W_ERR_CONFIG, "accepted: %s", channels);
    if (st == L2W_OK) {
        l2w_config_free(cfg);
        return;
    }
    CHECK_MSG(strstr(err.msg, "t.yaml:") && strstr(err.msg, where) && strstr(err.msg, what),
              "message \"%s\" lacks \"%s\" or \"%s\"", err.msg, where, what);
}

static void test_errors(void)
{
    const char *nitro = "  nitro_adjudicator: " TEST_ADDR("f3") "\n";
    char text[512];
    expect_error("channels: [1]\n", "channels", "expected a mapping");
    snprintf(text, sizeof text, "channels:\n  receipt_signer: tower\n%s", nitro);
    expect_error(text, "channels.chain", "required");
    snprintf(text, sizeof text, "channels:\n  chain: mars\n  receipt_signer: tower\n%s", nitro);
    expect_error(text, "channels.chain", "\"mars\" is not defined");
    snprintf(text, sizeof text, "channels:\n  chain: l1\n%s", nitro);
    expect_error(text, "channels.receipt_signer", "required");
    snprintf(text, sizeof text, "channels:\n  chain: l1\n  receipt_signer: nobody\n%s", nitro);
    expect_error(text, "channels.receipt_signer", "\"nobody\" is not defined");
    snprintf(text, sizeof text, "channels:\n  chain: l1\n  receipt_signer: far\n%s", nitro);
    expect_error(text, "channels.receipt_signer", "key_file or key_env");
    expect_error("channels:\n  chain: l1\n  receipt_signer: tower\n", "channels", "nothing to watch");
    expect_error("channels:\n  chain: l1\n  receipt_signer: tower\n  vector_channel_factory: " TEST_ADDR("f1") "\n",
                 "channels.vector_mastercopy", "needs both");
    expect_error("channels:\n  chain: l1\n  receipt_signer: tower\n  vector_mastercopy: " TEST_ADDR("f1") "\n",
                 "channels.vector_channel_factory", "needs both");
    snprintf(text, sizeof text, "channels:\n  chain: l1\n  receipt_signer: tower\n  nitro_adjudicator: 0x12\n");
    expect_error(text, "channels.nitro_adjudicator", "");
    snprintf(text, sizeof text, "channels:\n  chain: l1\n  receipt_signer: tower\n  warn_before_s: 0\n%s", nitro);
    expect_error(text, "channels.warn_before_s", "");
    snprintf(text, sizeof text, "channels:\n  chain: l1\n  receipt_signer: tower\n  adjudicator: x\n%s", nitro);
    expect_error(text, "adjudicator", "unknown");
}

int main(void)
{
    RUN(test_full_section);
    RUN(test_defaults_and_absent);
    RUN(test_errors);
    return l2w_test_finish();
}
