#include "web/page_cache.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Pages that opt in, each one slot; more than this are rendered every time. */
#define SLOTS 16

typedef struct {
    char path[64];
    char *body;
    size_t len;
    const char *content_type;
    const char *cache_control;
    double made_at;  /* monotonic seconds when its rendering began */
    bool refreshing; /* a request is rendering a new copy */
} slot;

struct l2w_page_cache {
    pthread_mutex_t lock;
    double ttl_s;
    slot slots[SLOTS];
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

l2w_status l2w_page_cache_create(l2w_page_cache **out, uint32_t ttl_ms, l2w_err *err)
{
    *out = NULL;
    l2w_page_cache *c = calloc(1, sizeof *c);
    if (!c || pthread_mutex_init(&c->lock, NULL) != 0) {
        free(c);
        l2w_err_set(err, "web: page cache: out of memory");
        return L2W_ERR_NOMEM;
    }
    c->ttl_s = ttl_ms / 1000.0;
    *out = c;
    return L2W_OK;
}

void l2w_page_cache_destroy(l2w_page_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < SLOTS; i++)
        free(c->slots[i].body);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

/* The slot of path, claiming a free one; NULL when all are taken. */
static slot *slot_for(l2w_page_cache *c, const char *path)
{
    for (size_t i = 0; i < SLOTS; i++)
        if (strcmp(c->slots[i].path, path) == 0)
            return &c->slots[i];
    for (size_t i = 0; i < SLOTS; i++)
        if (!c->slots[i].path[0]) {
            strcpy(c->slots[i].path, path);
            return &c->slots[i];
        }
    return NULL;
}

/* A copy of the kept answer into resp; false when memory ran out. */
static bool answer_from(const slot *s, l2w_web_response *resp)
{
    char *body = malloc(s->len ? s->len : 1);
    if (!body)
        return false;
    memcpy(body, s->body, s->len);
    l2w_web_respond_take(resp, 200, s->content_type, body, s->len);
    resp->cache_control = s->cache_control;
    return true;
}

static bool has_query(const l2w_web_request *req)
{
    return req->conn && MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, NULL, NULL) > 0;
}

l2w_status l2w_page_cached(l2w_web_response *resp, const l2w_web_request *req, l2w_web_handler render, l2w_err *err)
{
    l2w_page_cache *c = req->page_cache;
    if (!c || c->ttl_s <= 0 || has_query(req) || strlen(req->path) >= sizeof c->slots[0].path)
        return render(resp, req, err);
    pthread_mutex_lock(&c->lock);
    slot *s = slot_for(c, req->path);
    double started = now_s();
    if (s && s->body && (started - s->made_at < c->ttl_s || s->refreshing)) {
        bool ok = answer_from(s, resp);
        pthread_mutex_unlock(&c->lock);
        if (ok)
            return L2W_OK;
        l2w_err_set(err, "page cache: out of memory");
        return L2W_ERR_NOMEM;
    }
    bool keep = s && !s->refreshing;
    if (keep)
        s->refreshing = true;
    pthread_mutex_unlock(&c->lock);

    l2w_status st = render(resp, req, err);
    if (!keep)
        return st;
    char *copy = NULL;
    if (st == L2W_OK && resp->code == 200 && resp->body && (copy = malloc(resp->body_len ? resp->body_len : 1)))
        memcpy(copy, resp->body, resp->body_len);
    pthread_mutex_lock(&c->lock);
    s->refreshing = false;
    if (copy) {
        free(s->body);
        s->body = copy;
        s->len = resp->body_len;
        s->content_type = resp->content_type;
        s->cache_control = resp->cache_control;
        s->made_at = started;
    }
    pthread_mutex_unlock(&c->lock);
    return st;
}
