#!/usr/bin/env bash
# The demo (`make demo` runs it after building): a throwaway PostgreSQL, the local
# test world (anvil L1 + L2 with the real OP Stack contracts behind proxies), l2watch
# watching it, then three honest output proposals and one wrong one.
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

# ------------------------------------------------------------------ l2watch
# l2watch runs in the background (pid in $RUN/l2watch.pid, log in
# $RUN/l2watch.log) holding the world's challenger key, so the wrong proposal
# below is deleted by its own transaction.
start_l2watch() {
  local db_url=$1 l1_rpc=$2 l1_chain=$3 l2_rpc=$4 l2_chain=$5 l2oo=$6 challenger_key=$7
  stop_l2watch
  (umask 077 && printf '%s\n' "$challenger_key" >"$RUN/challenger.key")
  chmod 600 "$RUN/challenger.key"
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
    confirmations: 0
    start_block: 0
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
signers:
  - name: challenger
    key_file: "$RUN/challenger.key"
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

wait_for_finding() {
  local i
  for i in $(seq 300); do
    if curl -fsS "${DASHBOARD}api/v1/findings" 2>/dev/null | grep -q invalid_output_root; then
      say "Finding raised: invalid_output_root — see the dashboard"
      return 0
    fi
    sleep 0.2
  done
  echo "demo: no finding appeared within 60 s; see $RUN/l2watch.log" >&2
  return 1
}

wait_for_response() {
  local i
  for i in $(seq 300); do
    if curl -fsS "${DASHBOARD}api/v1/findings" 2>/dev/null | grep -q '"status": *"verified"'; then
      say "Response landed: l2watch's deleteL2Outputs transaction is confirmed — see the dashboard"
      return 0
    fi
    sleep 0.2
  done
  echo "demo: the response did not land within 60 s; see $RUN/l2watch.log" >&2
  return 1
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

  say "PostgreSQL ($PG_DIR)"
  local db_url
  db_url=$("$ROOT/scripts/pg.sh" start "$PG_DIR" | tail -n 1)
  echo "$db_url"

  say "Local world: anvil L1 (chain 900) + L2 (chain 901), OP Stack contracts ($WORLD_DIR)"
  world up --dir "$WORLD_DIR"

  say "l2watch"
  start_l2watch "$db_url" "$(world_get "['l1']['rpc_url']")" "$(world_get "['l1']['chain_id']")" \
    "$(world_get "['l2']['rpc_url']")" "$(world_get "['l2']['chain_id']")" \
    "$(world_get "['contracts']['L2OutputOracleProxy']")" "$(world_get "['accounts']['challenger']['key']")"

  say "Proposer: 3 honest output proposals, then 1 wrong one"
  world propose --dir "$WORLD_DIR" --kind honest --count 3 --brief
  world propose --dir "$WORLD_DIR" --kind wrong --count 1 --brief
  wait_for_finding
  wait_for_response

  trap - EXIT
  say "Running"
  world status --dir "$WORLD_DIR"
  cat <<EOF
  dashboard         ${DASHBOARD}
  l2watch log       $RUN/l2watch.log
  L1 RPC            $(world_get "['l1']['rpc_url']")
  L2 RPC            $(world_get "['l2']['rpc_url']")
  L2OutputOracle    $(world_get "['contracts']['L2OutputOracleProxy']")
  database          $db_url
  world details     $WORLD_DIR/world.json (addresses, keys by role, parameters)
  more proposals    $PYTHON -m tests.world.cli propose --dir $WORLD_DIR --kind honest|wrong|ahead --brief

Everything keeps running. Stop it with: scripts/demo.sh stop
EOF
}

case ${1:-start} in
  start) start_all ;;
  stop) stop_all ;;
  *) die "unknown command '$1' (use: scripts/demo.sh [start|stop])" ;;
esac
