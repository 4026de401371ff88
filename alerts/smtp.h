#ifndef L2W_ALERTS_SMTP_H
#define L2W_ALERTS_SMTP_H

#include <stdatomic.h>
#include <stddef.h>

#include "core/config.h"
#include "core/status.h"

/* Sends a complete RFC 5322 message (alerts/format_email.c) through the
 * email sink's server with libcurl: smtp:// must upgrade with STARTTLS (a
 * server that does not offer it is refused, so a password never crosses in
 * the clear), smtps:// is TLS from the start; the certificate is checked
 * against ca_file or the system's store; AUTH with username and password
 * when the sink has them. cancel, if not NULL, aborts the send when set.
 * L2W_OK when the server accepted the message for every recipient;
 * L2W_ERR_PROTOCOL when it refused (err says what it answered);
 * L2W_ERR_TIMEOUT / L2W_ERR_IO when it could not be reached. err never
 * carries the password. */
L2W_MUST_CHECK l2w_status l2w_smtp_send(const l2w_sink_config *sink, const char *password, const char *message,
                                        size_t len, const atomic_bool *cancel, l2w_err *err);

#endif
