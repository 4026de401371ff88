#ifndef L2W_WEB_HTML_PAGE_H
#define L2W_WEB_HTML_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/status.h"
#include "web/http.h"

/* The frame every dashboard page shares: head, stylesheet, navigation and
 * the "database unavailable" banner, written into a memory stream. A page
 * is rendered on the server so it reads without JavaScript (the CSP allows
 * no inline script; a page's own script only adds forms and charts). */
typedef struct {
    FILE *f;
    char *buf;
    size_t len;
} l2w_html_page;

/* Opens the stream and writes everything up to <main>. title is literal
 * HTML ("DA &amp; liveness"); path is this page's, so the navigation shows
 * it unlinked. script, when not NULL, is a /static/ file loaded deferred;
 * a page with a form sets refresh false, so typing is not wiped every 5 s.
 * L2W_ERR_NOMEM. */
L2W_MUST_CHECK l2w_status l2w_html_page_open(l2w_html_page *p, const char *title, const char *path,
                                             const char *script, bool refresh);

/* Writes the banner shown instead of the tables while the database is down. */
void l2w_html_page_db_down(l2w_html_page *p);

/* Ends the page and answers it: 200, or 503 when db_down so that monitors
 * of the page notice. L2W_ERR_NOMEM (with err set) when the stream failed;
 * the page is freed either way. */
L2W_MUST_CHECK l2w_status l2w_html_page_respond(l2w_html_page *p, l2w_web_response *resp, bool db_down,
                                                l2w_err *err);

/* True for the statuses under which a page still answers, with the banner:
 * the database is down or slow, not l2watch broken. */
bool l2w_html_page_db_unavailable(l2w_status st);

#endif
