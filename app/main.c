/* l2watch command line: run, check-config, migrate, version. */
#include <stdio.h>
#include <string.h>

#include "app/run.h"
#include "core/config.h"
#include "core/db.h"
#include "core/log.h"

#define EXIT_USAGE 64
#define EXIT_FAILURE_RUN 1

static void usage(FILE *out)
{
    fprintf(out,
            "usage: l2watch <command> [options]\n"
            "  run -c FILE            follow the configured chains, detect, alert, serve the dashboard\n"
            "  check-config -c FILE   validate the config; with --rpc also ask every RPC endpoint its chain id\n"
            "  migrate -c FILE        apply pending database migrations and exit\n"
            "  version                print the version\n");
}

static int fail(const l2w_err *err)
{
    fprintf(stderr, "l2watch: %s\n", err->msg);
    return EXIT_FAILURE_RUN;
}

static int cmd_check_config(const l2w_config *cfg, bool probe)
{
    l2w_err err = {{0}};
    if (probe && l2w_probe_rpcs(cfg, &err) != L2W_OK)
        return fail(&err);
    printf("%s: ok (%zu chain(s), %zu alert sink(s)%s)\n", cfg->source_path, cfg->n_chains, cfg->n_sinks,
           probe ? ", every RPC endpoint answered with the configured chain id" : "");
    return 0;
}

static int cmd_migrate(const l2w_config *cfg)
{
    l2w_err err = {{0}};
    l2w_db *db;
    if (l2w_db_connect(&db, cfg->database_url, &err) != L2W_OK)
        return fail(&err);
    l2w_status st = l2w_db_migrate(db, &err);
    l2w_db_close(db);
    if (st != L2W_OK)
        return fail(&err);
    printf("database is up to date\n");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("l2watch %s\n", L2W_VERSION);
        return 0;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return 0;
    }
    const char *path = NULL;
    bool probe = false;
    for (int i = 2; i < argc; i++) {
        if ((strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "--config") == 0) && i + 1 < argc)
            path = argv[++i];
        else if (strcmp(argv[i], "--rpc") == 0 && strcmp(cmd, "check-config") == 0)
            probe = true;
        else {
            fprintf(stderr, "l2watch: unknown argument \"%s\"\n", argv[i]);
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    bool known = strcmp(cmd, "run") == 0 || strcmp(cmd, "check-config") == 0 || strcmp(cmd, "migrate") == 0;
    if (!known || !path) {
        fprintf(stderr, known ? "l2watch: %s needs -c FILE\n" : "l2watch: unknown command \"%s\"\n", cmd);
        usage(stderr);
        return EXIT_USAGE;
    }

    l2w_err err = {{0}};
    l2w_config *cfg;
    if (l2w_config_load(&cfg, path, &err) != L2W_OK)
        return fail(&err);
    l2w_log_set_level(cfg->log_level);
    int rc;
    if (strcmp(cmd, "check-config") == 0)
        rc = cmd_check_config(cfg, probe);
    else if (strcmp(cmd, "migrate") == 0)
        rc = cmd_migrate(cfg);
    else
        rc = l2w_run(cfg, &err) == L2W_OK ? 0 : fail(&err);
    l2w_config_free(cfg);
    return rc;
}
