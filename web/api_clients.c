#include "web/api_clients.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/sha256.h"
#include "core/token_bucket.h"

/* Longer than any token a person or a secret manager makes; a header
 * beyond it is refused unhashed. */
#define MAX_TOKEN_LEN 512


struct l2w_api_clients {
    const l2w_config *cfg;
    pthread_mutex_t lock;
    l2w_token_bucket *buckets;
};

l2w_status l2w_api_clients_create(l2w_api_clients **out, const l2w_config *cfg, l2w_err *err)
{
    *out = NULL;
    l2w_api_clients *c = calloc(1, sizeof *c);
    l2w_token_bucket *b = calloc(cfg->n_api_clients ? cfg->n_api_clients : 1, sizeof *b);
    if (!c || !b || pthread_mutex_init(&c->lock, NULL) != 0) {
        free(c);
        free(b);
        l2w_err_set(err, "web: api clients: out of memory");
        return L2W_ERR_NOMEM;
    }
    for (size_t i = 0; i < cfg->n_api_clients; i++)
        l2w_token_bucket_init(&b[i], (double)cfg->api_clients[i].requests_per_minute);
    c->cfg = cfg;
    c->buckets = b;
    *out = c;
    return L2W_OK;
}

void l2w_api_clients_destroy(l2w_api_clients *c)
{
    if (!c)
        return;
    pthread_mutex_destroy(&c->lock);
    free(c->buckets);
    free(c);
}

l2w_auth_result l2w_api_clients_identify(const l2w_api_clients *c, const char *authorization, size_t *index)
{
    if (!authorization)
        return L2W_AUTH_MISSING;
    if (strncasecmp(authorization, "Bearer ", 7) != 0)
        return L2W_AUTH_MALFORMED;
    const char *token = authorization + 7;
    while (*token == ' ')
        token++;
    size_t len = 0;
    while (token[len] > 0x20 && token[len] < 0x7f && len <= MAX_TOKEN_LEN)
        len++;
    if (len == 0 || len > MAX_TOKEN_LEN || token[len] != '\0')
        return L2W_AUTH_MALFORMED;
    uint8_t hash[32];
    l2w_sha256(hash, token, len);
    /* Every client is compared, whatever matched before. */
    size_t found = SIZE_MAX;
    for (size_t i = 0; i < c->cfg->n_api_clients; i++) {
        bool same = l2w_ct_equal(hash, c->cfg->api_clients[i].token_sha256, sizeof hash);
        found = same ? i : found;
    }
    if (found == SIZE_MAX)
        return L2W_AUTH_UNKNOWN;
    *index = found;
    return L2W_AUTH_OK;
}

bool l2w_api_clients_admit(l2w_api_clients *c, size_t index, double now, double *retry_after_s)
{
    *retry_after_s = 0;
    if (index >= c->cfg->n_api_clients)
        return false;
    double per_minute = (double)c->cfg->api_clients[index].requests_per_minute;
    pthread_mutex_lock(&c->lock);
    bool ok = l2w_token_bucket_take(&c->buckets[index], now, per_minute / 60.0, per_minute, retry_after_s);
    pthread_mutex_unlock(&c->lock);
    return ok;
}
