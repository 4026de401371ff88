#include "core/yaml_tree.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* Caps against hostile or broken files. */
#define MAX_DEPTH 32
#define MAX_NODES 100000

typedef struct {
    yaml_parser_t parser;
    const char *name;
    size_t nodes;
    l2w_err *err;
} builder;

void l2w_yaml_free(l2w_yaml_node *node)
{
    if (!node)
        return;
    for (size_t i = 0; i < node->n; i++) {
        if (node->keys)
            free(node->keys[i]);
        l2w_yaml_free(node->items[i]);
    }
    free(node->keys);
    free(node->items);
    free(node->scalar);
    free(node);
}

const l2w_yaml_node *l2w_yaml_get(const l2w_yaml_node *map, const char *key)
{
    if (!map || map->kind != L2W_YAML_MAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (strcmp(map->keys[i], key) == 0)
            return map->items[i];
    return NULL;
}

static l2w_status next_event(builder *b, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&b->parser, ev)) {
        l2w_err_set(b->err, "%s:%zu: YAML syntax error: %s%s%s", b->name, b->parser.problem_mark.line + 1,
                    b->parser.problem ? b->parser.problem : "unknown problem", b->parser.context ? " " : "",
                    b->parser.context ? b->parser.context : "");
        return L2W_ERR_CONFIG;
    }
    return L2W_OK;
}

static l2w_yaml_node *new_node(builder *b, l2w_yaml_kind kind, const yaml_event_t *ev)
{
    if (++b->nodes > MAX_NODES) {
        l2w_err_set(b->err, "%s:%zu: document too large (more than %d nodes)", b->name, ev->start_mark.line + 1,
                    MAX_NODES);
        return NULL;
    }
    l2w_yaml_node *n = calloc(1, sizeof *n);
    if (!n) {
        l2w_err_set(b->err, "%s: out of memory", b->name);
        return NULL;
    }
    n->kind = kind;
    n->line = (int)ev->start_mark.line + 1;
    return n;
}

static l2w_status append(builder *b, l2w_yaml_node *parent, char *key, l2w_yaml_node *child)
{
    l2w_yaml_node **items = realloc(parent->items, (parent->n + 1) * sizeof *items);
    if (!items)
        goto oom;
    parent->items = items;
    if (parent->kind == L2W_YAML_MAP) {
        char **keys = realloc(parent->keys, (parent->n + 1) * sizeof *keys);
        if (!keys)
            goto oom;
        parent->keys = keys;
        parent->keys[parent->n] = key;
    }
    parent->items[parent->n++] = child;
    return L2W_OK;
oom:
    l2w_err_set(b->err, "%s: out of memory", b->name);
    return L2W_ERR_NOMEM;
}

static l2w_status parse_node(builder *b, yaml_event_t *ev, int depth, l2w_yaml_node **out);

static l2w_status parse_children(builder *b, l2w_yaml_node *node, yaml_event_type_t end, int depth)
{
    for (;;) {
        yaml_event_t ev;
        l2w_status st = next_event(b, &ev);
        if (st != L2W_OK)
            return st;
        if (ev.type == end) {
            yaml_event_delete(&ev);
            return L2W_OK;
        }
        char *key = NULL;
        if (node->kind == L2W_YAML_MAP) {
            if (ev.type != YAML_SCALAR_EVENT) {
                l2w_err_set(b->err, "%s:%zu: mapping keys must be plain scalars", b->name, ev.start_mark.line + 1);
                yaml_event_delete(&ev);
                return L2W_ERR_CONFIG;
            }
            key = strdup((const char *)ev.data.scalar.value);
            int key_line = (int)ev.start_mark.line + 1;
            yaml_event_delete(&ev);
            if (!key) {
                l2w_err_set(b->err, "%s: out of memory", b->name);
                return L2W_ERR_NOMEM;
            }
            if (l2w_yaml_get(node, key)) {
                l2w_err_set(b->err, "%s:%d: duplicate key \"%s\"", b->name, key_line, key);
                free(key);
                return L2W_ERR_CONFIG;
            }
            st = next_event(b, &ev);
            if (st != L2W_OK) {
                free(key);
                return st;
            }
        }
        l2w_yaml_node *child = NULL;
        st = parse_node(b, &ev, depth + 1, &child);
        yaml_event_delete(&ev);
        if (st == L2W_OK)
            st = append(b, node, key, child);
        if (st != L2W_OK) {
            free(key);
            l2w_yaml_free(child);
            return st;
        }
    }
}

static l2w_status parse_node(builder *b, yaml_event_t *ev, int depth, l2w_yaml_node **out)
{
    *out = NULL;
    if (depth > MAX_DEPTH) {
        l2w_err_set(b->err, "%s:%zu: nesting deeper than %d levels", b->name, ev->start_mark.line + 1, MAX_DEPTH);
        return L2W_ERR_CONFIG;
    }
    switch (ev->type) {
    case YAML_ALIAS_EVENT:
        l2w_err_set(b->err, "%s:%zu: YAML aliases are not supported in l2watch configs", b->name,
                    ev->start_mark.line + 1);
        return L2W_ERR_CONFIG;
    case YAML_SCALAR_EVENT: {
        if (ev->data.scalar.anchor) {
            l2w_err_set(b->err, "%s:%zu: YAML anchors are not supported", b->name, ev->start_mark.line + 1);
            return L2W_ERR_CONFIG;
        }
        l2w_yaml_node *n = new_node(b, L2W_YAML_SCALAR, ev);
        if (!n)
            return L2W_ERR_CONFIG;
        n->scalar = strndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
        n->quoted = ev->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                    ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
        if (!n->scalar) {
            l2w_yaml_free(n);
            l2w_err_set(b->err, "%s: out of memory", b->name);
            return L2W_ERR_NOMEM;
        }
        if (strlen(n->scalar) != ev->data.scalar.length) {
            l2w_yaml_free(n);
            l2w_err_set(b->err, "%s:%zu: NUL byte in a value", b->name, ev->start_mark.line + 1);
            return L2W_ERR_CONFIG;
        }
        *out = n;
        return L2W_OK;
    }
    case YAML_MAPPING_START_EVENT:
    case YAML_SEQUENCE_START_EVENT: {
        bool is_map = ev->type == YAML_MAPPING_START_EVENT;
        if (is_map ? ev->data.mapping_start.anchor != NULL : ev->data.sequence_start.anchor != NULL) {
            l2w_err_set(b->err, "%s:%zu: YAML anchors are not supported", b->name, ev->start_mark.line + 1);
            return L2W_ERR_CONFIG;
        }
        l2w_yaml_node *n = new_node(b, is_map ? L2W_YAML_MAP : L2W_YAML_SEQ, ev);
        if (!n)
            return L2W_ERR_CONFIG;
        l2w_status st = parse_children(b, n, is_map ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT, depth);
        if (st != L2W_OK) {
            l2w_yaml_free(n);
            return st;
        }
        *out = n;
        return L2W_OK;
    }
    case YAML_NO_EVENT:
    case YAML_STREAM_START_EVENT:
    case YAML_STREAM_END_EVENT:
    case YAML_DOCUMENT_START_EVENT:
    case YAML_DOCUMENT_END_EVENT:
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        break;
    }
    l2w_err_set(b->err, "%s:%zu: unexpected YAML structure", b->name, ev->start_mark.line + 1);
    return L2W_ERR_CONFIG;
}

static l2w_status expect(builder *b, yaml_event_type_t type)
{
    yaml_event_t ev;
    l2w_status st = next_event(b, &ev);
    if (st != L2W_OK)
        return st;
    int ok = ev.type == type;
    size_t line = ev.start_mark.line + 1;
    yaml_event_delete(&ev);
    if (!ok) {
        l2w_err_set(b->err, "%s:%zu: expected exactly one YAML document", b->name, line);
        return L2W_ERR_CONFIG;
    }
    return L2W_OK;
}

static l2w_status parse_document(builder *b, l2w_yaml_node **out)
{
    l2w_status st = expect(b, YAML_STREAM_START_EVENT);
    if (st != L2W_OK)
        return st;
    yaml_event_t ev;
    if ((st = next_event(b, &ev)) != L2W_OK)
        return st;
    if (ev.type == YAML_STREAM_END_EVENT) {
        yaml_event_delete(&ev);
        *out = new_node(b, L2W_YAML_MAP, &ev);
        return *out ? L2W_OK : L2W_ERR_NOMEM;
    }
    bool doc = ev.type == YAML_DOCUMENT_START_EVENT;
    yaml_event_delete(&ev);
    if (!doc) {
        l2w_err_set(b->err, "%s: not a YAML document", b->name);
        return L2W_ERR_CONFIG;
    }
    if ((st = next_event(b, &ev)) != L2W_OK)
        return st;
    st = parse_node(b, &ev, 0, out);
    yaml_event_delete(&ev);
    if (st == L2W_OK)
        st = expect(b, YAML_DOCUMENT_END_EVENT);
    if (st == L2W_OK)
        st = expect(b, YAML_STREAM_END_EVENT);
    if (st != L2W_OK) {
        l2w_yaml_free(*out);
        *out = NULL;
    }
    return st;
}

l2w_status l2w_yaml_parse(l2w_yaml_node **out, const char *text, size_t len, const char *name, l2w_err *err)
{
    *out = NULL;
    builder b = {.name = name, .err = err};
    if (!yaml_parser_initialize(&b.parser)) {
        l2w_err_set(err, "%s: cannot initialise the YAML parser", name);
        return L2W_ERR_NOMEM;
    }
    yaml_parser_set_input_string(&b.parser, (const unsigned char *)text, len);
    l2w_status st = parse_document(&b, out);
    yaml_parser_delete(&b.parser);
    return st;
}
