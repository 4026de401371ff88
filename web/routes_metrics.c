/* GET /metrics: the process-wide registry in the Prometheus text format. */

#include "core/metrics.h"
#include "web/routes.h"

l2w_status l2w_route_metrics(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    (void)req;
    char *text;
    size_t len;
    l2w_status st = l2w_metrics_render(&text, &len);
    if (st != L2W_OK) {
        l2w_err_set(err, "rendering metrics: %s", l2w_status_str(st));
        return st;
    }
    l2w_web_respond_take(resp, 200, L2W_CT_METRICS, text, len);
    return L2W_OK;
}
