/* Test helper: runs the web server and the alert worker from a config file,
 * without the chain followers, so database tests can drive them alone. With
 * a channels: section the web server signs intake receipts with
 * channels.receipt_signer, as l2watch run does.
 *   l2w_webalerts CONFIG
 * Prints "listening on port N" once both run, then serves until SIGTERM or
 * SIGINT. Exits 1 if anything failed or a BROKEN line was logged. */

#include <signal.h>
#include <stdio.h>

#include "alerts/outbox.h"
#include "core/config.h"
#include "core/log.h"
#include "responder/signer.h"
#include "web/server.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CONFIG\n", argv[0]);
        return 2;
    }
    /* Block the stop signals before any thread starts, so every thread
     * inherits the mask and only sigwait below sees them. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    l2w_err err = {{0}};
    l2w_config *cfg = NULL;
    l2w_status st = l2w_config_load(&cfg, argv[1], &err);
    if (st != L2W_OK) {
        fprintf(stderr, "l2w_webalerts: %s\n", err.msg);
        return 1;
    }
    l2w_log_set_level(cfg->log_level);
    l2w_signers signers = {0};
    l2w_web *web = NULL;
    l2w_alerts *alerts = NULL;
    st = l2w_signers_open(&signers, cfg, &err);
    if (st == L2W_OK)
        st = l2w_web_start(&web, cfg,
                           cfg->channels.enabled ? l2w_signers_find(&signers, cfg->channels.receipt_signer) : NULL,
                           &err);
    if (st == L2W_OK)
        st = l2w_alerts_start(&alerts, cfg, &err);
    if (st == L2W_OK) {
        printf("listening on port %u\n", (unsigned)l2w_web_port(web));
        fflush(stdout);
        int sig = 0;
        sigwait(&set, &sig);
    } else {
        fprintf(stderr, "l2w_webalerts: %s: %s\n", l2w_status_str(st), err.msg);
    }
    l2w_alerts_stop(alerts);
    l2w_web_stop(web);
    l2w_signers_close(&signers);
    l2w_config_free(cfg);
    return st == L2W_OK && l2w_log_broken_count() == 0 ? 0 : 1;
}
