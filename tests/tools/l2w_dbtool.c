/* Test helper: applies the embedded migrations to a database.
 *   l2w_dbtool migrate URL
 * Exit 0 on success; the error on stderr otherwise. */

#include <stdio.h>
#include <string.h>

#include "core/db.h"

int main(int argc, char **argv)
{
    if (argc != 3 || strcmp(argv[1], "migrate") != 0) {
        fprintf(stderr, "usage: %s migrate DATABASE_URL\n", argv[0]);
        return 2;
    }
    l2w_err err = {{0}};
    l2w_db *db = NULL;
    l2w_status st = l2w_db_connect(&db, argv[2], &err);
    if (st == L2W_OK)
        st = l2w_db_migrate(db, &err);
    l2w_db_close(db);
    if (st != L2W_OK) {
        fprintf(stderr, "l2w_dbtool: %s: %s\n", l2w_status_str(st), err.msg);
        return 1;
    }
    return 0;
}
