#ifndef L2W_COLLECTOR_RPC_URL_H
#define L2W_COLLECTOR_RPC_URL_H

#include <stddef.h>

/* The forms of an RPC endpoint URL that may be shown. Hosted providers put
 * the API key in the path (https://eth-mainnet.example/v2/KEY), the query or
 * the user info, so logs, messages and metrics use these instead of the URL.
 * Characters other than letters, digits and ".-_:[]" become '_', so the
 * results are also safe inside a metric label. Both truncate to out_len. */

#define L2W_RPC_URL_SHOWN_MAX 128
#define L2W_RPC_URL_LABEL_MAX 96

/* "scheme://host[:port]", with "/..." appended when a path (other than "/"),
 * query or fragment was left out. */
void l2w_rpc_url_shown(char *out, size_t out_len, const char *url);
/* "index:host": no port, no scheme, the endpoint metric label. */
void l2w_rpc_url_label(char *out, size_t out_len, size_t index, const char *url);

#endif
