#include "web/read_auth.h"

#include <crypt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/base64.h"
#include "core/sha256.h"
#include "core/token_bucket.h"

/* user:password of up to this many bytes; longer credentials are refused
 * before anything is hashed. */
#define MAX_BASIC_BYTES 512

/* Verified against when the user is unknown, so an unknown name costs the
 * same hash as a wrong password and the timing does not tell names apart. */
static const char decoy_setting[] = "$6$l2watchdecoysalt$";

typedef struct {
    uint8_t credential[32]; /* SHA-256 of the base64 text last verified */
    bool known;
} remembered;

struct l2w_read_auth {
    const l2w_config *cfg;
    const l2w_api_clients *clients;
    pthread_mutex_t lock;
    remembered *verified; /* one per reader */
    l2w_token_bucket checks; /* password checks not remembered */
};

l2w_status l2w_read_auth_create(l2w_read_auth **out, const l2w_config *cfg, const l2w_api_clients *clients,
                                l2w_err *err)
{
    *out = NULL;
    l2w_read_auth *a = calloc(1, sizeof *a);
    remembered *v = calloc(cfg->n_readers ? cfg->n_readers : 1, sizeof *v);
    if (!a || !v || pthread_mutex_init(&a->lock, NULL) != 0) {
        free(a);
        free(v);
        l2w_err_set(err, "web: read auth: out of memory");
        return L2W_ERR_NOMEM;
    }
    a->cfg = cfg;
    a->clients = clients;
    a->verified = v;
    l2w_token_bucket_init(&a->checks, 2 * L2W_READ_AUTH_VERIFY_PER_S);
    *out = a;
    return L2W_OK;
}

void l2w_read_auth_destroy(l2w_read_auth *a)
{
    if (!a)
        return;
    pthread_mutex_destroy(&a->lock);
    free(a->verified);
    free(a);
}

static l2w_read_auth_result check_bearer(l2w_read_auth *a, const char *authorization)
{
    size_t client;
    switch (l2w_api_clients_identify(a->clients, authorization, &client)) {
    case L2W_AUTH_OK:
        return L2W_READ_OK;
    case L2W_AUTH_MALFORMED:
    case L2W_AUTH_MISSING:
        return L2W_READ_MALFORMED;
    case L2W_AUTH_UNKNOWN:
        break;
    }
    /* identify accepted the syntax, so the token is the rest of the value. */
    const char *token = authorization + 7;
    while (*token == ' ')
        token++;
    uint8_t hash[32];
    l2w_sha256(hash, token, strlen(token));
    bool found = false;
    for (size_t i = 0; i < a->cfg->n_readers; i++) {
        const l2w_web_reader *r = &a->cfg->readers[i];
        bool same = r->token_sha256_hex && l2w_ct_equal(hash, r->token_sha256, sizeof hash);
        found = found || same;
    }
    return found ? L2W_READ_OK : L2W_READ_DENIED;
}

static bool password_matches(const char *password, const char *hash)
{
    struct crypt_data *data = calloc(1, sizeof *data);
    if (!data)
        return false;
    const char *out = crypt_r(password, hash, data);
    /* A hash string's length does not depend on the password; compare all of it. */
    size_t n = strlen(hash);
    bool ok = out && out[0] == '$' && strlen(out) == n && l2w_ct_equal(out, hash, n);
    free(data);
    return ok;
}

static l2w_read_auth_result check_basic(l2w_read_auth *a, const char *authorization, double now)
{
    const char *b64 = authorization + 6;
    while (*b64 == ' ')
        b64++;
    size_t b64_len = strlen(b64);
    uint8_t plain[MAX_BASIC_BYTES + 1];
    size_t n = 0;
    if (b64_len == 0 || b64_len > (MAX_BASIC_BYTES + 2) / 3 * 4 ||
        l2w_base64_decode(plain, MAX_BASIC_BYTES, &n, b64, b64_len) != L2W_OK)
        return L2W_READ_MALFORMED;
    plain[n] = '\0';
    uint8_t *colon = memchr(plain, ':', n);
    if (!colon || memchr(plain, '\0', n)) {
        explicit_bzero(plain, sizeof plain);
        return L2W_READ_MALFORMED;
    }
    *colon = '\0';
    const char *user = (const char *)plain, *password = (const char *)colon + 1;

    size_t reader = SIZE_MAX;
    for (size_t i = 0; i < a->cfg->n_readers; i++)
        if (a->cfg->readers[i].password_hash && strcmp(a->cfg->readers[i].name, user) == 0)
            reader = i;
    uint8_t credential[32];
    l2w_sha256(credential, b64, b64_len);

    pthread_mutex_lock(&a->lock);
    bool remembered_ok = reader != SIZE_MAX && a->verified[reader].known &&
                         l2w_ct_equal(credential, a->verified[reader].credential, sizeof credential);
    bool admitted = remembered_ok || l2w_token_bucket_take(&a->checks, now, L2W_READ_AUTH_VERIFY_PER_S,
                                                                     2 * L2W_READ_AUTH_VERIFY_PER_S, NULL);
    pthread_mutex_unlock(&a->lock);
    if (remembered_ok || !admitted) {
        explicit_bzero(plain, sizeof plain);
        return remembered_ok ? L2W_READ_OK : L2W_READ_THROTTLED;
    }

    const char *hash = reader != SIZE_MAX ? a->cfg->readers[reader].password_hash : decoy_setting;
    bool ok = password_matches(password, hash) && reader != SIZE_MAX;
    explicit_bzero(plain, sizeof plain);
    if (ok) {
        pthread_mutex_lock(&a->lock);
        memcpy(a->verified[reader].credential, credential, sizeof credential);
        a->verified[reader].known = true;
        pthread_mutex_unlock(&a->lock);
    }
    return ok ? L2W_READ_OK : L2W_READ_DENIED;
}

l2w_read_auth_result l2w_read_auth_check(l2w_read_auth *a, const char *authorization, double now)
{
    if (!authorization)
        return L2W_READ_MISSING;
    if (strncasecmp(authorization, "Bearer ", 7) == 0)
        return check_bearer(a, authorization);
    if (strncasecmp(authorization, "Basic ", 6) == 0)
        return check_basic(a, authorization, now);
    return L2W_READ_MALFORMED;
}
