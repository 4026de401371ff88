/* Test helper for the database tests.
 *   l2w_dbtool migrate URL
 *       applies the embedded migrations.
 *   l2w_dbtool enqueue CONFIG FINDING_ID EVENT
 *       queues alerts for a finding the way the finding writer does: in one
 *       transaction, the finding's document plus {"event": EVENT} through
 *       l2w_alerts_enqueue, to every webhook in CONFIG.
 *   l2w_dbtool setting URL NAME
 *       prints the value of setting NAME in a session l2watch opens.
 * Exit 0 on success; the error on stderr otherwise. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/outbox.h"
#include "core/config.h"
#include "core/db.h"

static l2w_status migrate(const char *url, l2w_err *err)
{
    l2w_db *db = NULL;
    l2w_status st = l2w_db_connect(&db, url, err);
    if (st == L2W_OK)
        st = l2w_db_migrate(db, err);
    l2w_db_close(db);
    return st;
}

static l2w_status print_setting(const char *url, const char *name, l2w_err *err)
{
    l2w_db *db = NULL;
    l2w_status st = l2w_db_connect(&db, url, err);
    PGresult *res = NULL;
    const char *params[] = {name};
    if (st == L2W_OK)
        st = l2w_db_exec(db, &res, "SELECT current_setting($1)", 1, params, err);
    if (st == L2W_OK) {
        printf("%s\n", PQgetvalue(res, 0, 0));
        PQclear(res);
    }
    l2w_db_close(db);
    return st;
}

static l2w_status enqueue_in_txn(l2w_db *db, const l2w_config *cfg, const char *id, const char *event,
                                 l2w_err *err)
{
    const char *params[] = {id, event};
    PGresult *res;
    l2w_status st = l2w_db_exec(db, &res,
                                "SELECT (doc || jsonb_build_object('event', $2::text))::text"
                                " FROM finding_documents WHERE id = $1::bigint",
                                2, params, err);
    if (st != L2W_OK)
        return st;
    if (PQntuples(res) != 1) {
        PQclear(res);
        l2w_err_set(err, "no finding %s", id);
        return L2W_ERR_NOT_FOUND;
    }
    st = l2w_alerts_enqueue(db, strtoll(id, NULL, 10), event, PQgetvalue(res, 0, 0), cfg, err);
    PQclear(res);
    return st;
}

static l2w_status enqueue(const char *config_path, const char *id, const char *event, l2w_err *err)
{
    l2w_config *cfg = NULL;
    l2w_status st = l2w_config_load(&cfg, config_path, err);
    if (st != L2W_OK)
        return st;
    l2w_db *db = NULL;
    st = l2w_db_connect(&db, cfg->database_url, err);
    if (st == L2W_OK)
        st = l2w_db_begin(db, err);
    if (st == L2W_OK) {
        st = enqueue_in_txn(db, cfg, id, event, err);
        if (st == L2W_OK)
            st = l2w_db_commit(db, err);
        else
            l2w_db_rollback(db);
    }
    l2w_db_close(db);
    l2w_config_free(cfg);
    return st;
}

int main(int argc, char **argv)
{
    l2w_err err = {{0}};
    l2w_status st;
    if (argc == 3 && strcmp(argv[1], "migrate") == 0) {
        st = migrate(argv[2], &err);
    } else if (argc == 5 && strcmp(argv[1], "enqueue") == 0) {
        st = enqueue(argv[2], argv[3], argv[4], &err);
    } else if (argc == 4 && strcmp(argv[1], "setting") == 0) {
        st = print_setting(argv[2], argv[3], &err);
    } else {
        fprintf(stderr,
                "usage: %s migrate DATABASE_URL\n       %s enqueue CONFIG FINDING_ID EVENT\n"
                "       %s setting DATABASE_URL NAME\n",
                argv[0], argv[0], argv[0]);
        return 2;
    }
    if (st != L2W_OK) {
        fprintf(stderr, "l2w_dbtool: %s: %s\n", l2w_status_str(st), err.msg);
        return 1;
    }
    return 0;
}
