"""The SQL of sql/0012_analytics.sql on a real PostgreSQL: day rows follow
inserts and deletes of block rows (triggers), analytics_windows sums 1, 7
and 30 UTC days against as many days before, and tvl_windows compares the
latest TVL sample with the one a window earlier. Rows are placed in the past
by their timestamps."""

DAY = 86400
MIDNIGHT = "extract(epoch from date_trunc('day', now() AT TIME ZONE 'UTC'))::bigint"


def add_blocks(db, chain, blocks):
    """blocks: (number, days before today, execution fee, l1 fee)."""
    values = []
    for number, ago, fee, l1 in blocks:
        values.append(f"('{chain}', '\\x{number + 1:064x}', {number}, '\\x{number:064x}', "
                      f"{MIDNIGHT} - {ago * DAY} + 60, 2, 42000, {fee}, {l1}, 1)")
    db.rows("INSERT INTO fee_blocks (chain, block_hash, block_number, parent_hash, block_timestamp, txs, gas_used, "
            "execution_fee, l1_fee, l1_fee_txs) VALUES " + ", ".join(values))


def windows(db, chain, metric):
    return db.rows("SELECT days, value::text, previous::text, change::text, coalesce(change_percent::text, '') "
                   f"FROM analytics_windows() WHERE chain = '{chain}' AND metric = '{metric}' ORDER BY days")


def test_fee_windows_against_the_window_before(migrated):
    db = migrated
    # today 100 (+7 L1 fee), yesterday 50, 3 days ago 20, 10 days ago 5, 40 days ago 1
    add_blocks(db, "op", [(0, 0, 100, 7), (1, 1, 50, 0), (2, 3, 20, 0), (3, 10, 5, 0), (4, 40, 1, 0)])
    assert windows(db, "op", "l2_execution_fee_wei") == [
        ["1", "100", "50", "50", "100.00"],     # today against yesterday
        ["7", "170", "5", "165", "3300.00"],    # the last 7 days against the 7 before
        ["30", "175", "1", "174", "17400.00"],  # the last 30 against the 30 before
    ]
    assert windows(db, "op", "l2_fee_wei")[0] == ["1", "107", "50", "57", "114.00"]
    assert windows(db, "op", "l2_blocks")[2] == ["30", "4", "1", "3", "300.00"]
    assert windows(db, "op", "l2_txs")[2] == ["30", "8", "2", "6", "300.00"]
    # A window whose previous one is empty has no percent.
    add_blocks(db, "new", [(0, 0, 9, 0)])
    assert windows(db, "new", "l2_fee_wei") == [["1", "9", "0", "9", ""], ["7", "9", "0", "9", ""],
                                                 ["30", "9", "0", "9", ""]]
    # An earlier end date.
    got = db.rows("SELECT value::text, previous::text FROM analytics_windows((now() AT TIME ZONE 'UTC')::date - 1) "
                  "WHERE chain = 'op' AND metric = 'l2_execution_fee_wei' AND days = 1")
    assert got == [["50", "0"]]


def test_day_rows_follow_inserts_and_deletes(migrated):
    db = migrated
    add_blocks(db, "op", [(0, 2, 10, 1), (1, 2, 20, 2), (2, 1, 40, 4)])
    days = db.rows("SELECT (now() AT TIME ZONE 'UTC')::date - day, blocks, txs, gas_used::text, "
                   "execution_fee::text, l1_fee::text FROM fee_days WHERE chain = 'op' ORDER BY day")
    assert days == [["2", "2", "4", "84000", "30", "3"], ["1", "1", "2", "42000", "40", "4"]]
    # A reorg's unwind deletes block rows: their days lose them, an emptied day goes.
    db.rows("DELETE FROM fee_blocks WHERE chain = 'op' AND block_number >= 1")
    days = db.rows("SELECT (now() AT TIME ZONE 'UTC')::date - day, blocks, execution_fee::text FROM fee_days "
                   "WHERE chain = 'op' ORDER BY day")
    assert days == [["2", "1", "10"]]


def test_batch_cost_days_and_windows(migrated):
    db = migrated
    values = []
    for i, (ago, fee, blob_fee) in enumerate(((0, 1000, 300), (0, 500, 0), (8, 200, 100))):
        values.append(f"('op', 'l1', '\\x{i + 1:064x}', {i}, {MIDNIGHT} - {ago * DAY} + 60, '\\x{i + 9:064x}', 0, "
                      f"{3 if blob_fee else 2}, 100, 10, 1240, 1240, 21100, 1, {fee}, {1 if blob_fee else 0}, "
                      f"{131072 if blob_fee else 0}, 1, {blob_fee})")
    db.rows("INSERT INTO batch_costs (chain, l1_chain, block_hash, block_number, block_timestamp, tx_hash, tx_index, "
            "tx_type, calldata_bytes, calldata_zero_bytes, calldata_gas, calldata_fee, gas_used, effective_gas_price, "
            "fee, blobs, blob_gas_used, blob_gas_price, blob_fee) VALUES " + ", ".join(values))
    assert windows(db, "op", "batch_cost_wei") == [["1", "1800", "0", "1800", ""], ["7", "1800", "300", "1500", "500.00"],
                                                    ["30", "2100", "0", "2100", ""]]
    assert windows(db, "op", "batch_blobs")[0][1] == "1"
    assert windows(db, "op", "batch_txs")[1] == ["7", "2", "1", "1", "100.00"]
    db.rows("DELETE FROM batch_costs WHERE block_number = 2")
    assert db.rows("SELECT count(*), sum(txs)::text FROM batch_cost_days WHERE chain = 'op'") == [["1", "2"]]


def test_tvl_windows(migrated):
    db = migrated
    # samples of lr/native: 40 days ago, 8 days ago, 2 days ago and now; USD missing 8 days ago
    samples = [(40, "1", "2000"), (8, "2", None), (2, "3", "6000"), (0, "4", "12000")]
    for ago, amount, usd in samples:
        status = "fresh" if usd else "stale"
        db.rows("INSERT INTO tvl_samples (sampled_at, bridge, token, symbol, chain, block_hash, block_number, balance, "
                "decimals, amount, price_status, usd) VALUES "
                f"(now() - interval '{ago} days' - interval '1 minute', 'lr', 'native', 'ETH', 'l1', "
                f"'\\x{ago + 1:064x}', {100 - ago}, {amount}000000000000000000, 18, {amount}, '{status}', "
                f"{usd if usd else 'NULL'})")
    got = db.rows("SELECT days, amount::text, usd::text, previous_amount::text, coalesce(previous_usd::text, ''), "
                  "amount_change::text, coalesce(usd_change::text, ''), coalesce(usd_change_percent::text, '') "
                  "FROM tvl_windows() WHERE bridge = 'lr' ORDER BY days")
    assert got == [["1", "4", "12000", "3", "6000", "1", "6000", "100.00"],
                   ["7", "4", "12000", "2", "", "2", "", ""],
                   ["30", "4", "12000", "1", "2000", "3", "10000", "500.00"]]
