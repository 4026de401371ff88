#ifndef L2W_CORE_YAML_TREE_H
#define L2W_CORE_YAML_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/status.h"

/* A YAML document as a plain tree with line numbers, so the config loader can
 * say "file:line: key: problem". Anchors, aliases and merge keys are refused:
 * a security tool's config should read the way it runs. Duplicate keys are
 * refused too. Built on libyaml (a well-kept parser; YAML by hand is a trap). */

typedef enum {
    L2W_YAML_SCALAR = 0,
    L2W_YAML_MAP = 1,
    L2W_YAML_SEQ = 2,
} l2w_yaml_kind;

typedef struct l2w_yaml_node {
    l2w_yaml_kind kind;
    int line;                      /* 1-based */
    char *scalar;                  /* SCALAR: the text */
    bool quoted;                   /* SCALAR: was written in quotes */
    char **keys;                   /* MAP: keys[i] names items[i] */
    struct l2w_yaml_node **items;  /* MAP values or SEQ elements */
    size_t n;
} l2w_yaml_node;

/* Parses exactly one document. An empty document gives an empty MAP. */
L2W_MUST_CHECK l2w_status l2w_yaml_parse(l2w_yaml_node **out, const char *text, size_t len, const char *name,
                                         l2w_err *err);
void l2w_yaml_free(l2w_yaml_node *node);
/* Value under key in a MAP, or NULL. */
const l2w_yaml_node *l2w_yaml_get(const l2w_yaml_node *map, const char *key);

#endif
