#include "web/channel_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The batch in one statement: arrays in the binary format (no text for the
 * server to parse but the states' JSON), unnested in channel order so that
 * batches sharing channels lock them in the same order and cannot deadlock.
 * It returns the rows it wrote; a channel it did not write is held at a
 * version at least as high, which held_sql reads. */
static const l2w_db_stmt hold_stmt = {
    "channel_hold",
    "INSERT INTO channel_states AS c (chain, protocol, channel, version, state_hash, state, receipt, client)"
    " SELECT $1, i.protocol, i.channel, i.version, i.state_hash, i.state, i.receipt, $2"
    " FROM unnest($3::text[], $4::bytea[], $5::numeric[], $6::bytea[], $7::jsonb[], $8::bytea[])"
    "   WITH ORDINALITY AS i(protocol, channel, version, state_hash, state, receipt, ord)"
    " ORDER BY i.ord"
    " ON CONFLICT (chain, protocol, channel) DO UPDATE SET version = EXCLUDED.version,"
    "   state_hash = EXCLUDED.state_hash, state = EXCLUDED.state, receipt = EXCLUDED.receipt,"
    "   updates = c.updates + 1, updated_at = now()"
    " WHERE c.version < EXCLUDED.version"
    " RETURNING c.protocol, c.channel, (xmax = 0) AS inserted",
    8};

/* A statement of its own, so its snapshot includes a row another
 * transaction committed while the upsert waited for it. */
static const l2w_db_stmt held_stmt = {
    "channel_held",
    "SELECT i.ord, s.version::text, s.state_hash, s.receipt"
    " FROM unnest($2::text[], $3::bytea[]) WITH ORDINALITY AS i(protocol, channel, ord)"
    " JOIN channel_states s ON s.chain = $1 AND s.protocol = i.protocol AND s.channel = i.channel",
    3};

/* Locks the client's counter (creating it) and reads it: the quota check
 * and the increment are then exact under concurrent batches. */
static const l2w_db_stmt count_lock_stmt = {
    "channel_client_lock",
    "INSERT INTO channel_clients AS k (client, channels) VALUES ($1, 0)"
    " ON CONFLICT (client) DO UPDATE SET updated_at = now() RETURNING k.channels",
    1};
static const l2w_db_stmt count_add_stmt = {
    "channel_client_add",
    "UPDATE channel_clients SET channels = channels + $2::bigint, updated_at = now() WHERE client = $1", 2};
static const l2w_db_stmt unhold_stmt = {
    "channel_unhold",
    "DELETE FROM channel_states s USING unnest($2::text[], $3::bytea[]) AS i(protocol, channel)"
    " WHERE s.chain = $1 AND s.protocol = i.protocol AND s.channel = i.channel",
    3};

/* What a batch item needs beyond the caller's: the item that stands for its
 * channel (the highest version), and that item's held row. */
typedef struct {
    l2w_hold_item *item;
    size_t lead; /* index in the sorted order of the channel's highest version */
    bool written;
    bool held_known;
    l2w_u256 held_version;
    uint8_t held_hash[32];
    uint8_t held_receipt[65];
} slot;

static int cmp_channel(const l2w_channel_submission *x, const l2w_channel_submission *y)
{
    if (x->protocol != y->protocol)
        return x->protocol < y->protocol ? -1 : 1;
    if (x->channel_len != y->channel_len)
        return x->channel_len < y->channel_len ? -1 : 1;
    return memcmp(x->channel, y->channel, x->channel_len);
}

/* Channel order, the highest version of a channel first. */
static int by_channel_then_version(const void *a, const void *b)
{
    const l2w_channel_submission *x = ((const slot *)a)->item->sub, *y = ((const slot *)b)->item->sub;
    int c = cmp_channel(x, y);
    return c ? c : -l2w_u256_cmp(&x->version, &y->version);
}

static void free_arrays(l2w_db_copy *arrays, size_t n)
{
    for (size_t i = 0; i < n; i++)
        l2w_bytes_free(&arrays[i].buf);
}

/* The key arrays (protocol, channel) of the slots for which pick says so. */
static l2w_status key_arrays(l2w_db_copy keys[2], const slot *slots, const size_t *pick, size_t m, l2w_err *err)
{
    l2w_db_array_begin(&keys[0], L2W_OID_TEXT, m);
    l2w_db_array_begin(&keys[1], L2W_OID_BYTEA, m);
    for (size_t k = 0; k < m; k++) {
        const l2w_channel_submission *s = slots[pick[k]].item->sub;
        l2w_db_copy_text(&keys[0], l2w_channel_protocol_name(s->protocol));
        l2w_db_copy_bytea(&keys[1], s->channel, s->channel_len);
    }
    l2w_status st = l2w_db_array_check(&keys[0], "channel protocols", err);
    return st == L2W_OK ? l2w_db_array_check(&keys[1], "channel ids", err) : st;
}

/* Runs stmt ($1 the chain, $2 and $3 the key arrays) for the picked slots. */
static l2w_status run_keyed(l2w_db *db, PGresult **res, const l2w_db_stmt *stmt, const char *chain,
                            const slot *slots, const size_t *pick, size_t m, l2w_err *err)
{
    l2w_db_copy keys[2];
    l2w_status st = key_arrays(keys, slots, pick, m, err);
    if (st == L2W_OK) {
        const char *params[3] = {chain, (const char *)keys[0].buf.data, (const char *)keys[1].buf.data};
        int lengths[3] = {0, (int)keys[0].buf.len, (int)keys[1].buf.len}, formats[3] = {0, 1, 1};
        st = l2w_db_run(db, res, stmt, params, lengths, formats, err);
    }
    free_arrays(keys, 2);
    return st;
}

static l2w_status upsert(l2w_db *db, const char *chain, const char *client, slot *slots, const size_t *leads,
                         size_t m, PGresult **res, l2w_err *err)
{
    l2w_db_copy arrays[6];
    l2w_status st = key_arrays(arrays, slots, leads, m, err);
    l2w_db_array_begin(&arrays[2], L2W_OID_NUMERIC, m);
    l2w_db_array_begin(&arrays[3], L2W_OID_BYTEA, m);
    l2w_db_array_begin(&arrays[4], L2W_OID_JSONB, m);
    l2w_db_array_begin(&arrays[5], L2W_OID_BYTEA, m);
    for (size_t k = 0; st == L2W_OK && k < m; k++) {
        const l2w_hold_item *it = slots[leads[k]].item;
        char version[L2W_U256_DEC_LEN];
        l2w_u256_to_dec(version, &it->sub->version);
        l2w_db_copy_numeric(&arrays[2], version);
        l2w_db_copy_bytea(&arrays[3], it->sub->state_hash.b, 32);
        char *doc = json_dumps(it->sub->doc, JSON_COMPACT);
        if (!doc) {
            l2w_err_set(err, "channel state: out of memory");
            st = L2W_ERR_NOMEM;
            break;
        }
        l2w_db_copy_jsonb(&arrays[4], doc, strlen(doc));
        free(doc);
        l2w_db_copy_bytea(&arrays[5], it->receipt, 65);
    }
    static const char *const names[] = {"protocols", "channels", "versions", "state hashes", "states", "receipts"};
    for (size_t i = 2; st == L2W_OK && i < 6; i++)
        st = l2w_db_array_check(&arrays[i], names[i], err);
    if (st == L2W_OK) {
        const char *params[8] = {chain, client};
        int lengths[8] = {0}, formats[8] = {0};
        for (size_t i = 0; i < 6; i++) {
            params[2 + i] = (const char *)arrays[i].buf.data;
            lengths[2 + i] = (int)arrays[i].buf.len;
            formats[2 + i] = 1;
        }
        st = l2w_db_run(db, res, &hold_stmt, params, lengths, formats, err);
    }
    free_arrays(arrays, 6);
    return st;
}

static slot *find_lead(slot *slots, const size_t *leads, size_t m, const l2w_channel_protocol protocol,
                       const uint8_t *channel, size_t channel_len)
{
    l2w_channel_submission key = {.protocol = protocol, .channel_len = channel_len};
    memcpy(key.channel, channel, channel_len);
    size_t lo = 0, hi = m;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_channel(slots[leads[mid]].item->sub, &key);
        if (c == 0)
            return &slots[leads[mid]];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static l2w_status protocol_of(l2w_channel_protocol *out, const char *name)
{
    for (l2w_channel_protocol p = L2W_CHANNEL_VECTOR; p <= L2W_CHANNEL_NITRO; p++)
        if (strcmp(name, l2w_channel_protocol_name(p)) == 0) {
            *out = p;
            return L2W_OK;
        }
    return L2W_ERR_INVALID;
}

/* Marks the leads the upsert wrote, from its RETURNING rows. */
static l2w_status mark_written(slot *slots, const size_t *leads, size_t m, PGresult *res, size_t *n_new,
                               l2w_err *err)
{
    *n_new = 0;
    for (int r = 0; r < PQntuples(res); r++) {
        l2w_channel_protocol protocol;
        uint8_t channel[32];
        const char *text = PQgetvalue(res, r, 1);
        size_t len = strlen(text) >= 2 ? (strlen(text) - 2) / 2 : 0;
        slot *lead = NULL;
        if (protocol_of(&protocol, PQgetvalue(res, r, 0)) == L2W_OK && (len == 20 || len == 32) &&
            l2w_db_bytea_parse(channel, len, text) == L2W_OK)
            lead = find_lead(slots, leads, m, protocol, channel, len);
        if (!lead || lead->written) {
            l2w_err_set(err, "channel_states: the upsert returned a row it was not given");
            return L2W_ERR_DB;
        }
        lead->written = true;
        bool inserted = PQgetvalue(res, r, 2)[0] == 't';
        lead->item->result.outcome = inserted ? L2W_HOLD_NEW : L2W_HOLD_NEWER;
        *n_new += inserted;
    }
    return L2W_OK;
}

/* Reads the held rows of the leads the upsert did not write. */
static l2w_status read_held(l2w_db *db, const char *chain, slot *slots, const size_t *leads, size_t m, l2w_err *err)
{
    size_t *missed = malloc((m ? m : 1) * sizeof *missed), k = 0;
    if (!missed) {
        l2w_err_set(err, "channel state: out of memory");
        return L2W_ERR_NOMEM;
    }
    for (size_t i = 0; i < m; i++)
        if (!slots[leads[i]].written)
            missed[k++] = leads[i];
    l2w_status st = L2W_OK;
    if (k > 0) {
        PGresult *res = NULL;
        st = run_keyed(db, &res, &held_stmt, chain, slots, missed, k, err);
        for (int r = 0; st == L2W_OK && r < PQntuples(res); r++) {
            long ord = strtol(PQgetvalue(res, r, 0), NULL, 10);
            slot *s = ord >= 1 && (size_t)ord <= k ? &slots[missed[ord - 1]] : NULL;
            if (!s || s->held_known || l2w_u256_from_dec(&s->held_version, PQgetvalue(res, r, 1)) != L2W_OK ||
                l2w_db_bytea_parse(s->held_hash, 32, PQgetvalue(res, r, 2)) != L2W_OK ||
                l2w_db_bytea_parse(s->held_receipt, 65, PQgetvalue(res, r, 3)) != L2W_OK) {
                l2w_err_set(err, "channel_states: a held row does not parse");
                st = L2W_ERR_DB;
                break;
            }
            s->held_known = true;
        }
        PQclear(res);
        for (size_t i = 0; st == L2W_OK && i < k; i++)
            if (!slots[missed[i]].held_known) {
                /* Neither written nor held: the upsert cannot skip a missing row. */
                l2w_err_set(err, "channel_states: the upsert skipped a channel that is not held");
                st = L2W_ERR_DB;
            }
    }
    free(missed);
    return st;
}

/* Counts the batch's new channels against the client's quota; those past
 * it (the last in channel order) are taken back out. */
static l2w_status count_new(l2w_db *db, const char *chain, const char *client, uint32_t max_channels, slot *slots,
                            const size_t *leads, size_t m, size_t n_new, l2w_err *err)
{
    PGresult *res;
    const char *who[] = {client};
    l2w_status st = l2w_db_run(db, &res, &count_lock_stmt, who, NULL, NULL, err);
    if (st != L2W_OK)
        return st;
    long long held = PQntuples(res) == 1 ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : -1;
    PQclear(res);
    if (held < 0) {
        l2w_err_set(err, "channel_clients: the counter of %s did not read", client);
        return L2W_ERR_DB;
    }
    size_t room = held >= (long long)max_channels ? 0 : (size_t)((long long)max_channels - held);
    size_t admitted = n_new < room ? n_new : room;
    if (admitted < n_new) {
        size_t *refused = malloc((n_new - admitted) * sizeof *refused), k = 0, seen = 0;
        if (!refused) {
            l2w_err_set(err, "channel state: out of memory");
            return L2W_ERR_NOMEM;
        }
        for (size_t i = 0; i < m; i++) {
            l2w_hold_item *it = slots[leads[i]].item;
            if (it->result.outcome != L2W_HOLD_NEW || !slots[leads[i]].written || seen++ < admitted)
                continue;
            it->result.outcome = L2W_HOLD_QUOTA;
            refused[k++] = leads[i];
        }
        st = run_keyed(db, NULL, &unhold_stmt, chain, slots, refused, k, err);
        free(refused);
        if (st != L2W_OK)
            return st;
    }
    if (admitted == 0)
        return L2W_OK;
    char count[24];
    snprintf(count, sizeof count, "%zu", admitted);
    const char *params[] = {client, count};
    return l2w_db_run(db, NULL, &count_add_stmt, params, NULL, NULL, err);
}

/* s's outcome against a held row of at least its version. */
static l2w_status judge_held(l2w_hold_result *out, const l2w_channel_submission *s, const l2w_u256 *held_version,
                             const uint8_t held_hash[32], const uint8_t held_receipt[65], l2w_err *err)
{
    out->held_version = *held_version;
    int cmp = l2w_u256_cmp(held_version, &s->version);
    if (cmp > 0)
        out->outcome = L2W_HOLD_STALE;
    else if (cmp == 0 && memcmp(held_hash, s->state_hash.b, 32) == 0) {
        out->outcome = L2W_HOLD_SAME;
        memcpy(out->held_receipt, held_receipt, 65);
    } else if (cmp == 0)
        out->outcome = L2W_HOLD_CONFLICT;
    else {
        l2w_err_set(err, "channel_states: the upsert skipped a lower held version");
        return L2W_ERR_DB;
    }
    return L2W_OK;
}

/* The other items of a lead's channel, against what is held after the lead. */
static l2w_status judge_followers(slot *slots, size_t n, l2w_err *err)
{
    for (size_t i = 0; i < n; i++) {
        slot *s = &slots[i], *lead = &slots[s->lead];
        if (s == lead)
            continue;
        const l2w_hold_result *lr = &lead->item->result;
        if (lr->outcome == L2W_HOLD_QUOTA) {
            s->item->result.outcome = L2W_HOLD_QUOTA;
            continue;
        }
        l2w_status st;
        if (lead->written)
            st = judge_held(&s->item->result, s->item->sub, &lead->item->sub->version, lead->item->sub->state_hash.b,
                            lead->item->receipt, err);
        else
            st = judge_held(&s->item->result, s->item->sub, &lead->held_version, lead->held_hash,
                            lead->held_receipt, err);
        if (st != L2W_OK)
            return st;
    }
    return L2W_OK;
}

static l2w_status hold_sorted(l2w_db *db, const char *chain, const char *client, uint32_t max_channels,
                              slot *slots, size_t n, size_t *leads, size_t m, l2w_err *err)
{
    PGresult *res = NULL;
    size_t n_new = 0;
    l2w_status st = upsert(db, chain, client, slots, leads, m, &res, err);
    if (st == L2W_OK)
        st = mark_written(slots, leads, m, res, &n_new, err);
    PQclear(res);
    if (st == L2W_OK)
        st = read_held(db, chain, slots, leads, m, err);
    for (size_t i = 0; st == L2W_OK && i < m; i++) {
        slot *s = &slots[leads[i]];
        if (!s->written)
            st = judge_held(&s->item->result, s->item->sub, &s->held_version, s->held_hash, s->held_receipt, err);
    }
    /* Last, so the counter row is locked only from here to the commit. */
    if (st == L2W_OK && n_new > 0)
        st = count_new(db, chain, client, max_channels, slots, leads, m, n_new, err);
    if (st == L2W_OK)
        st = judge_followers(slots, n, err);
    return st;
}

l2w_status l2w_channel_hold(l2w_db *db, const char *chain, const char *client, uint32_t max_channels,
                            l2w_hold_item *items, size_t n, l2w_err *err)
{
    if (n == 0)
        return L2W_OK;
    slot *slots = calloc(n, sizeof *slots);
    size_t *leads = calloc(n, sizeof *leads);
    if (!slots || !leads) {
        free(slots);
        free(leads);
        l2w_err_set(err, "channel state: out of memory");
        return L2W_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        memset(&items[i].result, 0, sizeof items[i].result);
        slots[i].item = &items[i];
    }
    qsort(slots, n, sizeof *slots, by_channel_then_version);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || cmp_channel(slots[i].item->sub, slots[leads[m - 1]].item->sub) != 0)
            leads[m++] = i;
        slots[i].lead = leads[m - 1];
    }
    l2w_status st = hold_sorted(db, chain, client, max_channels, slots, n, leads, m, err);
    free(slots);
    free(leads);
    return st;
}
