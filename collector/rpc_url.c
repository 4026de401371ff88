#include "collector/rpc_url.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Host names are short; anything longer is not worth showing whole. */
#define MAX_SHOWN_HOST 80

typedef struct {
    const char *scheme;
    size_t scheme_len;
    const char *hostport; /* after any user info */
    size_t hostport_len;
    size_t host_len;      /* hostport without ":port" */
    bool more;            /* a path, query or fragment follows */
} url_parts;

static url_parts split(const char *url)
{
    url_parts p = {0};
    const char *auth = url;
    const char *sep = strstr(url, "://");
    if (sep) {
        p.scheme = url;
        p.scheme_len = (size_t)(sep - url);
        auth = sep + 3;
    }
    size_t auth_len = strcspn(auth, "/?#");
    const char *rest = auth + auth_len;
    p.more = *rest != '\0' && strcmp(rest, "/") != 0;
    /* User info ("user:password@") is dropped: the last '@' ends it. */
    p.hostport = auth;
    for (size_t k = 0; k < auth_len; k++)
        if (auth[k] == '@')
            p.hostport = auth + k + 1;
    p.hostport_len = auth_len - (size_t)(p.hostport - auth);
    if (p.hostport_len > 0 && p.hostport[0] == '[') {
        const char *close = memchr(p.hostport, ']', p.hostport_len);
        p.host_len = close ? (size_t)(close - p.hostport) + 1 : p.hostport_len;
    } else {
        const char *colon = memchr(p.hostport, ':', p.hostport_len);
        p.host_len = colon ? (size_t)(colon - p.hostport) : p.hostport_len;
    }
    return p;
}

static bool harmless(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
           c == '_' || c == ':' || c == '[' || c == ']';
}

/* Appends len bytes of s to out at *at, cleaned unless they are our own
 * text; stops at the buffer's end. */
static void append(char *out, size_t out_len, size_t *at, const char *s, size_t len, bool clean)
{
    for (size_t k = 0; k < len && *at + 1 < out_len; k++)
        out[(*at)++] = !clean || harmless(s[k]) ? s[k] : '_';
    out[*at] = '\0';
}

void l2w_rpc_url_shown(char *out, size_t out_len, const char *url)
{
    if (out_len == 0)
        return;
    url_parts p = split(url);
    size_t at = 0;
    out[0] = '\0';
    if (p.scheme) {
        append(out, out_len, &at, p.scheme, p.scheme_len < 16 ? p.scheme_len : 16, true);
        append(out, out_len, &at, "://", 3, false);
    }
    append(out, out_len, &at, p.hostport, p.hostport_len < MAX_SHOWN_HOST ? p.hostport_len : MAX_SHOWN_HOST, true);
    if (p.more)
        append(out, out_len, &at, "/...", 4, false);
}

void l2w_rpc_url_label(char *out, size_t out_len, size_t index, const char *url)
{
    if (out_len == 0)
        return;
    url_parts p = split(url);
    int n = snprintf(out, out_len, "%zu:", index);
    size_t at = n < 0 ? 0 : (size_t)n < out_len ? (size_t)n : out_len - 1;
    append(out, out_len, &at, p.hostport, p.host_len < MAX_SHOWN_HOST ? p.host_len : MAX_SHOWN_HOST, true);
}
