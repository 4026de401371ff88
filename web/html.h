#ifndef L2W_WEB_HTML_H
#define L2W_WEB_HTML_H

#include <libpq-fe.h>
#include <stdio.h>

#include "core/status.h"

/* Writes s to f with & < > " ' escaped, so a value is inert both in element
 * text and inside a quoted attribute. Every value that came from the
 * database (and so, ultimately, from a chain anyone can write to) goes
 * through here. NULL writes nothing. */
void l2w_html_put(FILE *f, const char *s);

/* The same into a malloc'd string the caller frees. */
L2W_MUST_CHECK l2w_status l2w_html_escape(char **out, const char *s);

/* A table cell with a result's value, escaped (cls, a fixed class list, may
 * be NULL); SQL NULL shows as a dash. */
void l2w_html_cell(FILE *f, const PGresult *res, int row, int col, const char *cls);
/* The badge classes of a severity name, from a fixed list (never the
 * database's text): "badge sev-critical", ...; "badge" for an unknown one. */
const char *l2w_html_severity_class(const char *severity);

/* A row spanning cols columns with a fixed (unescaped) text. */
void l2w_html_empty_row(FILE *f, int cols, const char *text);

#endif
