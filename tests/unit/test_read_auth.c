/* web.read_auth / web.readers (core/config_readers.c) and the verdicts of
 * web/read_auth.c: Basic against crypt(3) hashes, reader and client bearer
 * tokens, what is malformed, the shared bucket of password checks on a
 * clock the test moves by hand, and remembered credentials. */

#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/hex.h"
#include "core/sha256.h"
#include "tests/unit/harness.h"
#include "web/api_clients.h"
#include "web/read_auth.h"

/* SHA-512-crypt at its fewest rounds: a real hash, quick under ASan. */
static void make_hash(char out[CRYPT_OUTPUT_SIZE], const char *password)
{
    char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    struct crypt_data data;
    memset(&data, 0, sizeof data);
    if (!crypt_gensalt_rn("$6$", 1000, NULL, 0, setting, sizeof setting) ||
        !crypt_r(password, setting, &data) || data.output[0] != '$')
        abort();
    snprintf(out, CRYPT_OUTPUT_SIZE, "%s", data.output);
}

static void hex_of_sha256(char out[67], const char *token)
{
    uint8_t h[32];
    l2w_sha256(h, token, strlen(token));
    l2w_hex_encode(out, h, sizeof h);
}

static l2w_status parse(const char *web, l2w_config **cfg, l2w_err *err)
{
    char text[4096];
    snprintf(text, sizeof text,
             "database:\n  url: postgresql://u@127.0.0.1:5432/l2watch\n"
             "web:\n  listen: 127.0.0.1:0\n%s"
             "chains:\n  - name: l1\n    role: l1\n    chain_id: 900\n    rpc: [\"http://127.0.0.1:8545\"]\n",
             web);
    return l2w_config_parse(cfg, text, strlen(text), "t.yaml", err);
}

static void expect_refused(const char *web, const char *want)
{
    l2w_config *cfg = NULL;
    l2w_err err = {{0}};
    CHECK_MSG(parse(web, &cfg, &err) == L2W_ERR_CONFIG, "accepted: %s", web);
    CHECK_MSG(strstr(err.msg, want) != NULL, "message \"%s\" lacks \"%s\"", err.msg, want);
    CHECK(cfg == NULL);
}

static void test_config_refusals(void)
{
    char hash[CRYPT_OUTPUT_SIZE], web[1024];
    make_hash(hash, "pw");
    expect_refused("  read_auth: closed\n", "web.read_auth: expected open or required");
    expect_refused("  read_auth: required\n", "nobody to let in");
    snprintf(web, sizeof web, "  readers:\n    - name: a\n      password_hash: \"%s\"\n", hash);
    expect_refused(web, "only asked for with web.read_auth: required");
    expect_refused("  read_auth: required\n  readers:\n    - name: a\n", "either password_hash");
    snprintf(web, sizeof web,
             "  read_auth: required\n  readers:\n    - name: a\n      password_hash: \"%s\"\n"
             "      token_sha256: \"%064d\"\n",
             hash, 0);
    expect_refused(web, "either password_hash");
    /* MD5-crypt is fast to guess; a cut-off hash cannot verify anything. */
    expect_refused("  read_auth: required\n  readers:\n    - name: a\n      password_hash: \"$1$abc$def\"\n",
                   "web.readers[0].password_hash: expected a yescrypt, bcrypt or SHA-crypt hash");
    expect_refused("  read_auth: required\n  readers:\n    - name: a\n      password_hash: \"$2b$99$x\"\n",
                   "web.readers[0].password_hash: not a valid crypt(3) hash");
    expect_refused("  read_auth: required\n  readers:\n    - name: a\n      token_sha256: \"abc\"\n",
                   "web.readers[0].token_sha256");
    snprintf(web, sizeof web,
             "  read_auth: required\n  readers:\n    - name: a\n      password_hash: \"%s\"\n"
             "    - name: a\n      password_hash: \"%s\"\n",
             hash, hash);
    expect_refused(web, "duplicate reader name \"a\"");
}

typedef struct {
    l2w_config *cfg;
    l2w_api_clients *clients;
    l2w_read_auth *auth;
} fixture;

static bool open_fixture(fixture *f)
{
    char hash[CRYPT_OUTPUT_SIZE], grafana[67], wallet[67], web[1024];
    make_hash(hash, "s3cr3t:with:colons");
    hex_of_sha256(grafana, "grafana-token");
    hex_of_sha256(wallet, "wallet-token");
    snprintf(web, sizeof web,
             "  read_auth: required\n"
             "  clients:\n    - name: wallet\n      token_sha256: \"%s\"\n"
             "  readers:\n    - name: alice\n      password_hash: \"%s\"\n"
             "    - name: grafana\n      token_sha256: \"%s\"\n",
             wallet, hash, grafana);
    l2w_err err = {{0}};
    memset(f, 0, sizeof *f);
    l2w_status st = parse(web, &f->cfg, &err);
    CHECK_MSG(st == L2W_OK, "%s", err.msg);
    if (st != L2W_OK)
        return false;
    CHECK(f->cfg->read_auth_required && f->cfg->n_readers == 2);
    CHECK(l2w_api_clients_create(&f->clients, f->cfg, &err) == L2W_OK);
    CHECK(l2w_read_auth_create(&f->auth, f->cfg, f->clients, &err) == L2W_OK);
    return f->clients && f->auth;
}

static void close_fixture(fixture *f)
{
    l2w_read_auth_destroy(f->auth);
    l2w_api_clients_destroy(f->clients);
    l2w_config_free(f->cfg);
}

/* "Basic " and the base64 of user:password (no more than 120 bytes here). */
static void basic(char out[200], const char *user_password)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *p = (const unsigned char *)user_password;
    size_t n = strlen(user_password), w = 6;
    memcpy(out, "Basic ", 6);
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
        out[w++] = abc[v >> 18 & 63];
        out[w++] = abc[v >> 12 & 63];
        out[w++] = i + 1 < n ? abc[v >> 6 & 63] : '=';
        out[w++] = i + 2 < n ? abc[v & 63] : '=';
    }
    out[w] = '\0';
}

static void test_verdicts(void)
{
    fixture f;
    if (!open_fixture(&f)) {
        close_fixture(&f);
        return;
    }
    char h[200];
    double t = 100.0;
    basic(h, "alice:s3cr3t:with:colons");
    CHECK(l2w_read_auth_check(f.auth, h, t) == L2W_READ_OK);
    basic(h, "alice:s3cr3t");
    CHECK(l2w_read_auth_check(f.auth, h, t) == L2W_READ_DENIED);
    basic(h, "bob:s3cr3t:with:colons");
    CHECK(l2w_read_auth_check(f.auth, h, t) == L2W_READ_DENIED);
    /* A token reader has no password to sign in with. */
    basic(h, "grafana:grafana-token");
    CHECK(l2w_read_auth_check(f.auth, h, t) == L2W_READ_DENIED);
    CHECK(l2w_read_auth_check(f.auth, "Bearer grafana-token", t) == L2W_READ_OK);
    CHECK(l2w_read_auth_check(f.auth, "bearer wallet-token", t) == L2W_READ_OK);
    CHECK(l2w_read_auth_check(f.auth, "Bearer grafana-tokeN", t) == L2W_READ_DENIED);
    CHECK(l2w_read_auth_check(f.auth, NULL, t) == L2W_READ_MISSING);
    CHECK(l2w_read_auth_check(f.auth, "Digest x", t) == L2W_READ_MALFORMED);
    CHECK(l2w_read_auth_check(f.auth, "Basic", t) == L2W_READ_MALFORMED);
    CHECK(l2w_read_auth_check(f.auth, "Basic ", t) == L2W_READ_MALFORMED);
    CHECK(l2w_read_auth_check(f.auth, "Basic YWxpY2U", t) == L2W_READ_MALFORMED);   /* unpadded */
    CHECK(l2w_read_auth_check(f.auth, "Basic YWxpY2U=", t) == L2W_READ_MALFORMED);  /* "alice": no colon */
    CHECK(l2w_read_auth_check(f.auth, "Basic YQB6OmI=", t) == L2W_READ_MALFORMED);  /* a NUL inside */
    CHECK(l2w_read_auth_check(f.auth, "Bearer ", t) == L2W_READ_MALFORMED);
    char long_header[900];
    memset(long_header, 'Q', sizeof long_header - 1);
    memcpy(long_header, "Basic ", 6);
    long_header[sizeof long_header - 1] = '\0';
    CHECK(l2w_read_auth_check(f.auth, long_header, t) == L2W_READ_MALFORMED);
    close_fixture(&f);
}

static void test_password_checks_are_rationed(void)
{
    fixture f;
    if (!open_fixture(&f)) {
        close_fixture(&f);
        return;
    }
    char good[200], bad[200];
    basic(good, "alice:s3cr3t:with:colons");
    basic(bad, "alice:guess");
    double t = 50.0;
    int denied = 0, throttled = 0;
    for (int i = 0; i < 40; i++) {
        l2w_read_auth_result r = l2w_read_auth_check(f.auth, bad, t);
        denied += r == L2W_READ_DENIED;
        throttled += r == L2W_READ_THROTTLED;
    }
    CHECK_MSG(denied == 2 * L2W_READ_AUTH_VERIFY_PER_S && throttled == 40 - denied, "denied %d, throttled %d",
              denied, throttled);
    /* The right password is not checked either while the bucket is empty... */
    CHECK(l2w_read_auth_check(f.auth, good, t) == L2W_READ_THROTTLED);
    /* ...and is a tenth of a second later. */
    CHECK(l2w_read_auth_check(f.auth, good, t + 1.0 / L2W_READ_AUTH_VERIFY_PER_S) == L2W_READ_OK);
    /* Once verified it is remembered: no check taken, even with the bucket empty. */
    for (int i = 0; i < 40; i++)
        (void)l2w_read_auth_check(f.auth, bad, t + 0.1);
    CHECK(l2w_read_auth_check(f.auth, bad, t + 0.1) == L2W_READ_THROTTLED);
    CHECK(l2w_read_auth_check(f.auth, good, t + 0.1) == L2W_READ_OK);
    /* Tokens are hashed with SHA-256, never rationed. */
    CHECK(l2w_read_auth_check(f.auth, "Bearer grafana-token", t + 0.1) == L2W_READ_OK);
    close_fixture(&f);
}

int main(void)
{
    RUN(test_config_refusals);
    RUN(test_verdicts);
    RUN(test_password_checks_are_rationed);
    return l2w_test_finish();
}
