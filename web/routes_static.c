/* GET /static/<name>: dashboard assets compiled into the binary. Only exact
 * names from the embedded table are served, so no path ever reaches the
 * file system. */

#include <string.h>

#include "core/embedded.h"
#include "web/routes.h"

static const char *content_type_for(const char *name)
{
    static const struct {
        const char *ext;
        const char *type;
    } types[] = {
        {".css", "text/css; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".txt", L2W_CT_TEXT},
    };
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return "application/octet-stream";
}

l2w_status l2w_route_static(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    (void)err;
    for (size_t i = 0; i < l2w_static_files_count; i++) {
        const struct l2w_embedded_file *f = &l2w_static_files[i];
        if (f->name && strcmp(f->name, req->tail) == 0) {
            l2w_web_respond_static(resp, 200, content_type_for(f->name), (const char *)f->data, f->size);
            /* Assets change only with the binary; a short cache still lets an
             * upgrade show up within minutes. */
            resp->cache_control = "public, max-age=300";
            return L2W_OK;
        }
    }
    return l2w_web_respond_error(resp, 404, NULL, "not found");
}
