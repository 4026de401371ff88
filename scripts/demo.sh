#!/usr/bin/env bash
# The demo (`make demo` runs it after building): a throwaway PostgreSQL, the local
# test world (anvil L1 + L2 with the real OP Stack contracts behind proxies, the
# standard bridge included), l2watch watching it, then three honest output
# proposals and one wrong one, which l2watch deletes with the challenger key.
# Then a bridge attack: ETH is deposited into the OptimismPortal, and an attacker
# holding the proposer key proves a withdrawal of all of it that was never sent
# on L2 (against a forged output root); l2watch raises forged_withdrawal and pulls
# the circuit breaker, SuperchainConfig.pause, with the guardian key, so the
# withdrawal cannot be finalized. Each step is checked (bounded waits on the
# API and the chain), and a summary compares the pause's L1 block with the proof's.
#
#   scripts/demo.sh [start]   bring everything up (idempotent; reuses what runs)
#   scripts/demo.sh stop      stop l2watch, the world and PostgreSQL
#
# Everything lives under .run/demo/ (pg/, world/, l2watch files). The world keeps
# running after the script ends, so you can look around; stop it with
# `scripts/demo.sh stop`.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUN=$ROOT/.run/demo
PG_DIR=$RUN/pg
WORLD_DIR=$RUN/world
PYTHON=${PYTHON:-python3}
L2WATCH=${L2WATCH:-$ROOT/build/release/l2watch}

say() { printf '\n==> %s\n' "$*"; }
die() { printf 'demo: error: %s\n' "$*" >&2; exit 1; }

world() { (cd "$ROOT" && "$PYTHON" -m tests.world.cli "$@"); }

# A value from .run/demo/world/world.json, by a Python subscript path: world_get "['l1']['rpc_url']"
world_get() {
  "$PYTHON" -c 'import json, sys; print(eval("w" + sys.argv[2], {"w": json.load(open(sys.argv[1]))}))' \
    "$WORLD_DIR/world.json" "$1"
}

# A value from the JSON document in $1, by a Python subscript path: json_get "$doc" "['prove_block']"
json_get() {
  "$PYTHON" -c 'import json, sys; print(eval("d" + sys.argv[2], {"d": json.loads(sys.argv[1])}))' "$1" "$2"
}

# The L1 head's number. l2watch starts there (in a new database): `up --bridges`
# has settled the bridge install's L2 blocks with outputs proposed before it.
l1_head() {
  "$PYTHON" -c '
import json, sys, urllib.request
req = urllib.request.Request(sys.argv[1], data=b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}",
                             headers={"Content-Type": "application/json"})
print(int(json.load(urllib.request.urlopen(req, timeout=10))["result"], 16))' "$(world_get "['l1']['rpc_url']")"
}

# Wei as ETH, for people: eth 2500000000000000000 -> 2.5 ETH
eth() {
  "$PYTHON" -c 'import sys; from decimal import Decimal; print(f"{Decimal(sys.argv[1]) / 10**18:f} ETH")' "$1"
}

# ------------------------------------------------------------------ l2watch
# l2watch runs in the background (pid in $RUN/l2watch.pid, log in
# $RUN/l2watch.log) holding the world's challenger key, so the wrong proposal
# below is deleted by its own transaction, and the guardian key, so it pauses
# the OP Stack bridge itself when a withdrawal is forged.
start_l2watch() {
  local db_url=$1 l1_rpc=$2 l1_chain=$3 l2_rpc=$4 l2_chain=$5 l2oo=$6 challenger_key=$7
  local portal=$8 l1_bridge=$9 superchain_config=${10} guardian_key=${11} l1_start=${12}
  stop_l2watch
  (umask 077 && printf '%s\n' "$challenger_key" >"$RUN/challenger.key")
  chmod 600 "$RUN/challenger.key"
  (umask 077 && printf '%s\n' "$guardian_key" >"$RUN/guardian.key")
  chmod 600 "$RUN/guardian.key"
  cat >"$RUN/l2watch.yaml" <<YAML
log_level: info
database:
  url: "$db_url"
web:
  listen: 127.0.0.1:${L2WATCH_DEMO_PORT:-8080}
chains:
  - name: l1
    role: l1
    chain_id: $l1_chain
    rpc: ["$l1_rpc"]
    poll_interval_ms: 500
    # One confirmation: the forged output's deletion (invalid_output_root) can then
    # never share an L1 block with the attacker's proof sent right after it, or precede it.
    confirmations: 1
    start_block: $l1_start
    txmgr:
      confirmations: 2
      receipt_poll_ms: 250
      resubmit_after_ms: 6000
  - name: op-local
    role: l2
    chain_id: $l2_chain
    l1: l1
    rpc: ["$l2_rpc"]
    poll_interval_ms: 500
    l2_output_oracle: "$l2oo"
    optimism_portal: "$portal"
    l1_standard_bridge: "$l1_bridge"
    superchain_config: "$superchain_config"
signers:
  - name: challenger
    key_file: "$RUN/challenger.key"
  - name: guardian
    key_file: "$RUN/guardian.key"
bridges:
  - name: op
    kind: op-stack
    remote_chain: op-local
    tokens:
      - symbol: ETH
    pause:
      mode: on
      signer: guardian
responses:
  rules:
    - kind: invalid_output_root
      mode: on
      signer: challenger
YAML
  "$L2WATCH" check-config -c "$RUN/l2watch.yaml" --rpc
  nohup "$L2WATCH" run -c "$RUN/l2watch.yaml" >"$RUN/l2watch.log" 2>&1 &
  echo $! >"$RUN/l2watch.pid"
  local i
  for i in $(seq 100); do
    if grep -q "dashboard on" "$RUN/l2watch.log"; then
      DASHBOARD=$(grep -o "http://[^ ]*/" "$RUN/l2watch.log" | head -1)
      return 0
    fi
    kill -0 "$(cat "$RUN/l2watch.pid")" 2>/dev/null || break
    sleep 0.1
  done
  echo "demo: l2watch did not start; its log:" >&2
  cat "$RUN/l2watch.log" >&2
  return 1
}

# The open finding of KIND whose evidence has FIELD = VALUE (GET
# /api/v1/findings?status=open) and its response, if that is an ACTION, as one line:
# "<finding id> <response status> <response tx> <mined block> <title>" ("-" for what is not there yet).
# open_finding KIND FIELD VALUE ACTION
open_finding() {
  curl -fsS "${DASHBOARD}api/v1/findings?status=open&limit=1000" 2>/dev/null | "$PYTHON" -c '
import json, sys
kind, field, value, action = sys.argv[1:5]
for f in json.load(sys.stdin):
    if f["kind"] == kind and str(f["evidence"].get(field, "")).lower() == value.lower():
        r = f.get("response") or {}
        if r.get("action") != action:
            r = {}
        print(f["id"], r.get("status") or "-", r.get("tx_hash") or "-",
              "-" if r.get("mined_block") is None else r["mined_block"], f["title"])
        break' "$@" 2>/dev/null || true
}

# Waits (60 s at most) for that finding; FINDING then holds its line.
# wait_for_open_finding KIND FIELD VALUE ACTION
wait_for_open_finding() {
  local kind=$1 field=$2 value=$3
  for _ in $(seq 300); do
    FINDING=$(open_finding "$@")
    [[ -n $FINDING ]] && return 0
    sleep 0.2
  done
  echo "demo: no open $kind finding with $field $value appeared within 60 s" \
    "(GET ${DASHBOARD}api/v1/findings?status=open); see $RUN/l2watch.log" >&2
  return 1
}

# Waits (60 s at most) until that finding's response is verified; FINDING then holds its line.
# wait_for_verified_response KIND FIELD VALUE ACTION
wait_for_verified_response() {
  local kind=$1 field=$2 value=$3 action=$4 status=""
  for _ in $(seq 300); do
    FINDING=$(open_finding "$@")
    status=$(awk '{print $2}' <<<"$FINDING")
    case $status in
      verified) return 0 ;;
      reverted | failed | not_needed | dry_run)
        echo "demo: the $action response to $kind finding #${FINDING%% *} ended as '$status', not verified;" \
          "see ${DASHBOARD}api/v1/findings/${FINDING%% *} and $RUN/l2watch.log" >&2
        return 1 ;;
    esac
    sleep 0.2
  done
  echo "demo: the $action response to the $kind finding with $field $value was not verified within 60 s" \
    "(response status: ${status:--}); see $RUN/l2watch.log" >&2
  return 1
}

# The wrong proposal's finding and l2watch's deletion, by the root posted.
wait_for_finding() {
  wait_for_open_finding invalid_output_root posted_output_root "$1" delete_l2_outputs || return 1
  say "Finding raised: invalid_output_root — see the dashboard"
}

wait_for_response() {
  wait_for_verified_response invalid_output_root posted_output_root "$1" delete_l2_outputs || return 1
  say "Response landed: l2watch's deleteL2Outputs transaction is confirmed — see the dashboard"
}

stop_l2watch() {
  local pidfile=$RUN/l2watch.pid pid
  [[ -f $pidfile ]] || return 0
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null && grep -q l2watch "/proc/$pid/cmdline" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

# ------------------------------------------------------------------ the bridge attack
# The OP Stack bridge's ETH as l2watch shows it (GET /api/v1/bridges):
# "<escrow block> <escrow wei>", or nothing before the first sample.
eth_escrow_sample() {
  curl -fsS "${DASHBOARD}api/v1/bridges" 2>/dev/null | "$PYTHON" -c '
import json, sys
for b in json.load(sys.stdin):
    for t in (b["tokens"] if b["name"] == "op" else []):
        if t["symbol"] == "ETH" and t["escrow"] is not None and t["escrow_block"] is not None:
            print(t["escrow_block"], t["escrow"])' 2>/dev/null || true
}

wait_for_escrow_sample() {
  local deposit_block=$1 sample=""
  for _ in $(seq 300); do
    sample=$(eth_escrow_sample)
    if [[ -n $sample ]] && ((${sample%% *} >= deposit_block)); then
      say "l2watch sampled the Portal's escrow: $(eth "${sample#* }") at L1 block ${sample%% *}"
      return 0
    fi
    sleep 0.2
  done
  echo "demo: l2watch did not sample the OptimismPortal's ETH at or after L1 block $deposit_block within" \
    "60 s (last sample: ${sample:-none}); see $RUN/l2watch.log" >&2
  return 1
}

# A world reused from an earlier run of the demo is still paused: the guardian
# unpauses it first, so the attack can be proven (and paused) again.
unpause_if_paused() {
  [[ $(world paused --dir "$WORLD_DIR") == true ]] || return 0
  say "The bridge is still paused from an earlier run; the guardian unpauses it"
  "$(world_get "['cast']")" send --rpc-url "$(world_get "['l1']['rpc_url']")" \
    --private-key "$(world_get "['accounts']['guardian']['key']")" \
    "$(world_get "['contracts']['SuperchainConfigProxy']")" "unpause()" >/dev/null
  [[ $(world paused --dir "$WORLD_DIR") == false ]] || die "SuperchainConfig.unpause() left the bridge paused"
}

bridge_attack() {
  unpause_if_paused

  say "User: deposits 5 ETH into the OptimismPortal"
  local deposit deposit_block
  deposit=$(world deposit --dir "$WORLD_DIR" --eth 5000000000000000000 --via portal)
  deposit_block=$(json_get "$deposit" "['l1_block']")
  echo "deposit of $(eth "$(json_get "$deposit" "['amount']")") in L1 block $deposit_block" \
    "(tx $(json_get "$deposit" "['l1_tx']")); the Portal holds $(eth "$(json_get "$deposit" "['portal_eth_balance']")")"
  wait_for_escrow_sample "$deposit_block"

  say "Attacker with the proposer key: a forged output root, then a withdrawal proven against it that L2 never sent"
  local forged whash prove_block value
  forged=$(world forge-withdrawal --dir "$WORLD_DIR")
  whash=$(json_get "$forged" "['withdrawal_hash']")
  prove_block=$(json_get "$forged" "['prove_block']")
  value=$(eth "$(json_get "$forged" "['value']")")
  echo "forged output #$(json_get "$forged" "['l2_output_index']") for L2 block $(json_get "$forged" "['l2_block']"):" \
    "root $(json_get "$forged" "['forged_output_root']"); the correct root is $(json_get "$forged" "['honest_output_root']")"
  echo "withdrawal $whash of $value to the attacker $(json_get "$forged" "['target']")" \
    "proven in L1 block $prove_block (tx $(json_get "$forged" "['prove_tx']"))"
  wait_for_open_finding forged_withdrawal withdrawal_hash "$whash" pause_bridge
  say "Finding raised: forged_withdrawal #${FINDING%% *} — see the dashboard"
  wait_for_verified_response forged_withdrawal withdrawal_hash "$whash" pause_bridge
  say "Response landed: l2watch's SuperchainConfig.pause transaction is confirmed — see the dashboard"

  local paused id status tx mined title
  paused=$(world paused --dir "$WORLD_DIR")
  [[ $paused == true ]] || die "l2watch's pause is verified, yet OptimismPortal.paused() is $paused on the chain"
  read -r id status tx mined title <<<"$FINDING"
  say "Circuit breaker pulled"
  cat <<EOF
  finding           #$id forged_withdrawal: $title
  withdrawal        $whash ($value to the attacker)
  proven in         L1 block $prove_block
  paused in         L1 block $mined, l2watch's tx $tx ($((mined - prove_block)) block(s) after the proof)
  on chain          OptimismPortal.paused() = $paused: the forged withdrawal cannot be finalized
EOF
}
# ------------------------------------------------------------------

stop_all() {
  stop_l2watch
  world down --dir "$WORLD_DIR"
  "$ROOT/scripts/pg.sh" stop "$PG_DIR"
  echo "demo stopped (logs stay in $RUN)"
}

start_all() {
  mkdir -p "$RUN"
  # If anything below fails, take down what runs instead of leaving it behind.
  trap 'status=$?; if ((status)); then echo "demo: failed; stopping what was started" >&2; stop_all >&2 || true; fi' EXIT

  # A new world is a pair of new chains: a database kept from an earlier run
  # describes chains that are gone (l2watch would resume from their checkpoints
  # and its old findings would answer the checks below), so it starts empty.
  local new_world=1
  world status --dir "$WORLD_DIR" >/dev/null 2>&1 && new_world=0

  say "PostgreSQL ($PG_DIR)"
  local db_url
  db_url=$("$ROOT/scripts/pg.sh" start "$PG_DIR" | tail -n 1)
  echo "$db_url"
  if ((new_world)); then
    stop_l2watch
    psql -q -X -v ON_ERROR_STOP=1 "${db_url%/*}/postgres" -c "DROP DATABASE IF EXISTS \"${db_url##*/}\" WITH (FORCE)" \
      -c "CREATE DATABASE \"${db_url##*/}\"" >/dev/null
  fi

  say "Local world: anvil L1 (chain 900) + L2 (chain 901), OP Stack contracts and bridge ($WORLD_DIR)"
  world up --dir "$WORLD_DIR" --bridges

  say "l2watch"
  start_l2watch "$db_url" "$(world_get "['l1']['rpc_url']")" "$(world_get "['l1']['chain_id']")" \
    "$(world_get "['l2']['rpc_url']")" "$(world_get "['l2']['chain_id']")" \
    "$(world_get "['contracts']['L2OutputOracleProxy']")" "$(world_get "['accounts']['challenger']['key']")" \
    "$(world_get "['contracts']['OptimismPortalProxy']")" "$(world_get "['contracts']['L1StandardBridgeProxy']")" \
    "$(world_get "['contracts']['SuperchainConfigProxy']")" "$(world_get "['accounts']['guardian']['key']")" \
    "$(l1_head)"

  say "Proposer: 3 honest output proposals, then 1 wrong one"
  world propose --dir "$WORLD_DIR" --kind honest --count 3 --brief
  local wrong wrong_root
  wrong=$(world propose --dir "$WORLD_DIR" --kind wrong --count 1 --brief)
  echo "$wrong"
  [[ $wrong =~ root\ (0x[0-9a-fA-F]{64}) ]] || die "no root in the wrong proposal's line: $wrong"
  wrong_root=${BASH_REMATCH[1]}
  wait_for_finding "$wrong_root"
  wait_for_response "$wrong_root"

  bridge_attack

  trap - EXIT
  say "Running"
  world status --dir "$WORLD_DIR"
  cat <<EOF
  dashboard         ${DASHBOARD}
  l2watch log       $RUN/l2watch.log
  L1 RPC            $(world_get "['l1']['rpc_url']")
  L2 RPC            $(world_get "['l2']['rpc_url']")
  L2OutputOracle    $(world_get "['contracts']['L2OutputOracleProxy']")
  OptimismPortal    $(world_get "['contracts']['OptimismPortalProxy']")
  SuperchainConfig  $(world_get "['contracts']['SuperchainConfigProxy']")
  database          $db_url
  world details     $WORLD_DIR/world.json (addresses, keys by role, parameters)
  more proposals    $PYTHON -m tests.world.cli propose --dir $WORLD_DIR --kind honest|wrong|ahead --brief
  bridge            $PYTHON -m tests.world.cli deposit|forge-withdrawal|paused --dir $WORLD_DIR (see --help)

Everything keeps running. Stop it with: scripts/demo.sh stop
EOF
}

case ${1:-start} in
  start) start_all ;;
  stop) stop_all ;;
  *) die "unknown command '$1' (use: scripts/demo.sh [start|stop])" ;;
esac
