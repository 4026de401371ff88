#ifndef L2W_WEB_PAGE_CACHE_H
#define L2W_WEB_PAGE_CACHE_H

#include <stdint.h>

#include "core/status.h"
#include "web/http.h"

/* Pages answered from a copy at most web.page_cache_ms old (1 s by
 * default), so that a dashboard left open on many screens, or a flood of
 * requests, costs the database one rendering per page per interval rather
 * than one per request. Pages auto-refresh every 5 s, so a copy this young is
 * not seen as stale.
 *
 * Only a page asked without a query string is kept (its filtered variants
 * are many and rarely repeated), only a 200, and only for the pages that opt
 * in through l2w_page_cached. While one request renders a new copy, the
 * others get the previous one instead of all rendering at once. */

typedef struct l2w_page_cache l2w_page_cache;

/* ttl_ms 0 keeps nothing: every request renders. */
L2W_MUST_CHECK l2w_status l2w_page_cache_create(l2w_page_cache **out, uint32_t ttl_ms, l2w_err *err);
void l2w_page_cache_destroy(l2w_page_cache *c);

/* Answers req from req->page_cache when it holds a young enough copy of
 * req->path, else with render (keeping the answer when it is a 200). */
l2w_status l2w_page_cached(l2w_web_response *resp, const l2w_web_request *req, l2w_web_handler render, l2w_err *err);

#endif
