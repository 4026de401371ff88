/* EIP-712 entry points: a walker over the document, its domain separator
 * and message hash, and the digest the key signs. */

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/eip712_internal.h"
#include "core/json.h"
#include "core/keccak.h"

#define DOMAIN_TYPE "EIP712Domain"

/* ------------------------------------------------------------ the walker */

static l2w_status new_walker(l2w_eip712_walker *w, l2w_err *err)
{
    memset(w, 0, sizeof *w);
    w->err = err;
    w->g = calloc(1, sizeof *w->g);
    if (!w->g) {
        l2w_err_set(err, "eip712: out of memory");
        return L2W_ERR_NOMEM;
    }
    return L2W_OK;
}

size_t l2w_eip712_path_push(l2w_eip712_walker *w, const char *fmt, ...)
{
    size_t mark = w->path_len;
    size_t room = sizeof w->path - w->path_len;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(w->path + w->path_len, room, fmt, ap);
    va_end(ap);
    /* A path too long for the buffer is kept truncated: still useful. */
    if (n > 0)
        w->path_len += (size_t)n < room ? (size_t)n : room - 1;
    return mark;
}

void l2w_eip712_path_pop(l2w_eip712_walker *w, size_t mark)
{
    w->path_len = mark;
    w->path[mark] = '\0';
}

l2w_status l2w_eip712_fail(l2w_eip712_walker *w, l2w_status st, const char *fmt, ...)
{
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    l2w_err_set(w->err, "eip712: %s: %s", w->path, msg);
    return st;
}

l2w_status l2w_eip712_pass(l2w_eip712_walker *w, l2w_status st)
{
    l2w_err_prefix(w->err, "eip712: %s", w->path);
    return st;
}

/* ------------------------------------------------------------ the domain */

/* The EIP's domain fields in its order, for documents that do not declare
 * EIP712Domain themselves. */
static const struct {
    const char *name;
    const char *type;
} domain_fields[] = {
    {"name", "string"},
    {"version", "string"},
    {"chainId", "uint256"},
    {"verifyingContract", "address"},
    {"salt", "bytes32"},
};

static l2w_status implied_domain_fields(l2w_eip712_walker *w, const json_t *domain, json_t **out)
{
    const char *key;
    const json_t *ignored;
    json_object_foreach((json_t *)domain, key, ignored) {
        bool known = false;
        for (size_t i = 0; i < sizeof domain_fields / sizeof domain_fields[0]; i++)
            known = known || strcmp(key, domain_fields[i].name) == 0;
        if (!known) {
            l2w_eip712_path_push(w, ".%s", key);
            return l2w_eip712_fail(w, L2W_ERR_INVALID,
                                   "is not an EIP712Domain field (declare types.EIP712Domain to use it)");
        }
    }
    json_t *fields = json_array();
    for (size_t i = 0; fields && i < sizeof domain_fields / sizeof domain_fields[0]; i++) {
        if (!json_object_get(domain, domain_fields[i].name))
            continue;
        json_t *f = json_pack("{s:s,s:s}", "name", domain_fields[i].name, "type", domain_fields[i].type);
        if (!f || json_array_append_new(fields, f) != 0) {
            json_decref(fields);
            fields = NULL;
        }
    }
    if (!fields)
        return l2w_eip712_fail(w, L2W_ERR_NOMEM, "out of memory");
    *out = fields;
    return L2W_OK;
}

static l2w_status implied_domain_separator(l2w_eip712_walker *w, const json_t *domain, l2w_hash *out)
{
    json_t *fields;
    l2w_status st = implied_domain_fields(w, domain, &fields);
    if (st != L2W_OK)
        return st;
    l2w_bytes text = L2W_BYTES_INIT;
    l2w_eip712_put_struct_signature(&text, DOMAIN_TYPE, fields);
    if (l2w_bytes_status(&text) != L2W_OK) {
        st = l2w_eip712_fail(w, L2W_ERR_NOMEM, "out of memory");
    } else {
        l2w_hash th;
        l2w_keccak256_hash(&th, text.data, text.len);
        st = l2w_eip712_hash_struct(w, DOMAIN_TYPE, fields, &th, domain, 1, out->b);
    }
    l2w_bytes_free(&text);
    json_decref(fields);
    return st;
}

static l2w_status domain_separator(l2w_eip712_walker *w, const json_t *domain, l2w_hash *out)
{
    size_t mark = l2w_eip712_path_push(w, "domain");
    if (!json_is_object(domain))
        return l2w_eip712_fail(w, L2W_ERR_INVALID, "expected an object");
    int idx = l2w_eip712_find_struct(w->g, DOMAIN_TYPE, strlen(DOMAIN_TYPE));
    l2w_status st;
    if (idx < 0) {
        st = implied_domain_separator(w, domain, out);
    } else {
        l2w_hash th;
        st = l2w_eip712_type_hash(w, (size_t)idx, &th);
        if (st == L2W_OK)
            st = l2w_eip712_hash_struct(w, DOMAIN_TYPE, w->g->fields[idx], &th, domain, 1, out->b);
    }
    if (st == L2W_OK)
        l2w_eip712_path_pop(w, mark);
    return st;
}

/* ------------------------------------------------------------ entry points */

static l2w_status primary_index(l2w_eip712_walker *w, const json_t *doc, size_t *idx)
{
    size_t mark = l2w_eip712_path_push(w, "primaryType");
    const json_t *p = json_object_get(doc, "primaryType");
    if (!json_is_string(p))
        return l2w_eip712_fail(w, L2W_ERR_INVALID, "missing or not a string");
    int i = l2w_eip712_find_struct(w->g, json_string_value(p), json_string_length(p));
    if (i < 0)
        return l2w_eip712_fail(w, L2W_ERR_INVALID, "\"%.80s\" is not defined in types", json_string_value(p));
    l2w_eip712_path_pop(w, mark);
    *idx = (size_t)i;
    return L2W_OK;
}

static l2w_status message_hash(l2w_eip712_walker *w, const json_t *doc, size_t primary, l2w_hash *out)
{
    size_t mark = l2w_eip712_path_push(w, "message");
    const json_t *message = json_object_get(doc, "message");
    if (!message)
        return l2w_eip712_fail(w, L2W_ERR_INVALID, "missing");
    l2w_hash th;
    l2w_status st = l2w_eip712_type_hash(w, primary, &th);
    if (st == L2W_OK)
        st = l2w_eip712_hash_struct(w, w->g->names[primary], w->g->fields[primary], &th, message, 1, out->b);
    if (st == L2W_OK)
        l2w_eip712_path_pop(w, mark);
    return st;
}

static l2w_status hash_document(l2w_eip712_walker *w, l2w_eip712_hashes *out, const json_t *doc)
{
    if (!json_is_object(doc))
        return l2w_eip712_fail(w, L2W_ERR_INVALID, "the document must be a JSON object");
    size_t primary = 0;
    l2w_status st = l2w_eip712_load_types(w, json_object_get(doc, "types"));
    if (st == L2W_OK)
        st = primary_index(w, doc, &primary);
    if (st == L2W_OK)
        st = domain_separator(w, json_object_get(doc, "domain"), &out->domain_separator);
    bool has_message = st == L2W_OK && strcmp(w->g->names[primary], DOMAIN_TYPE) != 0;
    if (has_message)
        st = message_hash(w, doc, primary, &out->message_hash);
    if (st != L2W_OK)
        return st;
    l2w_keccak_ctx ctx;
    l2w_keccak_init(&ctx);
    l2w_keccak_update(&ctx, (const uint8_t *)"\x19\x01", 2);
    l2w_keccak_update(&ctx, out->domain_separator.b, 32);
    if (has_message)
        l2w_keccak_update(&ctx, out->message_hash.b, 32);
    l2w_keccak_final(&ctx, out->digest.b);
    return L2W_OK;
}

l2w_status l2w_eip712_hash(l2w_eip712_hashes *out, const json_t *doc, l2w_err *err)
{
    memset(out, 0, sizeof *out);
    l2w_eip712_walker w;
    l2w_status st = new_walker(&w, err);
    if (st != L2W_OK)
        return st;
    st = hash_document(&w, out, doc);
    free(w.g);
    return st;
}

l2w_status l2w_eip712_hash_text(l2w_eip712_hashes *out, const char *text, size_t len, l2w_err *err)
{
    json_t *doc;
    l2w_status st = l2w_json_parse(&doc, text, len, err);
    if (st != L2W_OK) {
        l2w_err_prefix(err, "eip712");
        return L2W_ERR_INVALID;
    }
    st = l2w_eip712_hash(out, doc, err);
    json_decref(doc);
    return st;
}

l2w_status l2w_eip712_encode_type(char **out, const json_t *types, const char *primary, l2w_err *err)
{
    *out = NULL;
    l2w_eip712_walker w;
    l2w_status st = new_walker(&w, err);
    if (st != L2W_OK)
        return st;
    l2w_bytes text = L2W_BYTES_INIT;
    st = l2w_eip712_load_types(&w, types);
    int idx = st == L2W_OK ? l2w_eip712_find_struct(w.g, primary, strlen(primary)) : -1;
    if (st == L2W_OK && idx < 0)
        st = l2w_eip712_fail(&w, L2W_ERR_INVALID, "\"%.80s\" is not defined in types", primary);
    if (st == L2W_OK)
        st = l2w_eip712_append_encode_type(&w, (size_t)idx, &text);
    l2w_bytes_append_byte(&text, '\0');
    if (st == L2W_OK && l2w_bytes_status(&text) != L2W_OK)
        st = l2w_eip712_fail(&w, L2W_ERR_NOMEM, "out of memory");
    if (st == L2W_OK) {
        *out = (char *)text.data;
        text.data = NULL;
    }
    l2w_bytes_free(&text);
    free(w.g);
    return st;
}
