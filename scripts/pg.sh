#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests and the demo.
#
#   scripts/pg.sh start DIR   initdb (first time) and start a server on 127.0.0.1 at a
#                             free port, trust auth, unix socket in DIR, fsync off;
#                             creates database l2watch; prints the URL
#                             postgresql://l2watch@127.0.0.1:PORT/l2watch as the last
#                             line of stdout and writes it to DIR/url.
#                             On a running cluster it only prints the URL.
#   scripts/pg.sh stop DIR    stops it (the data stays in DIR; start again reuses it).
#   scripts/pg.sh url DIR     prints the URL of the running cluster (fails if stopped).
#
# PostgreSQL refuses to run as root. As root, the server runs as the system user
# l2watch-pg (created without login if missing) through runuser, and DIR is chowned
# to it. If l2watch-pg cannot reach DIR (a parent directory is private to root),
# the cluster (data, socket, log) lives in /tmp/l2watch-pg/<hash of DIR> instead,
# DIR/datadir says where, and stop removes it. As a normal user everything runs directly.
set -euo pipefail

PG_USER=l2watch-pg   # system user the server runs as when we are root
DB_ROLE=l2watch      # superuser role created by initdb
DB_NAME=l2watch

say() { printf 'pg.sh: %s\n' "$*" >&2; }
die() { printf 'pg.sh: error: %s\n' "$*" >&2; exit 1; }
usage() { printf 'usage: %s start|stop|url DIR\n' "$0" >&2; exit 2; }

(($# == 2)) || usage
cmd=$1
mkdir -p -- "$2"
DIR=$(cd -- "$2" && pwd -P)

# Newest server binaries under /usr/lib/postgresql/*/bin.
PGBIN=
for d in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V); do
  [[ -x $d/initdb && -x $d/pg_ctl && -x $d/postgres ]] && PGBIN=$d
done
[[ -n $PGBIN ]] || die "PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin; run scripts/install-deps.sh"
PSQL=$PGBIN/psql
[[ -x $PSQL ]] || PSQL=$(command -v psql) || die "psql not found; run scripts/install-deps.sh"

AS_ROOT=0
((EUID == 0)) && AS_ROOT=1

# Runs a command as the server's user, from / (its home may be unreadable to it).
# fd 9 holds DIR/.lock: closed for children, or the server would keep the lock forever.
as_pg() {
  if ((AS_ROOT)); then
    (cd / && runuser -u "$PG_USER" -- "$@") 9>&-
  else
    "$@" 9>&-
  fi
}

ensure_pg_user() {
  id -u "$PG_USER" >/dev/null 2>&1 && return 0
  command -v useradd >/dev/null || die "useradd not found: cannot create the system user $PG_USER"
  useradd --system --user-group --no-create-home --home-dir /nonexistent \
          --shell /usr/sbin/nologin --comment "l2watch throwaway PostgreSQL" "$PG_USER" ||
    id -u "$PG_USER" >/dev/null 2>&1 || die "could not create the system user $PG_USER"
}

# Where the cluster lives: DIR/data, or (root, DIR out of the server user's reach)
# a directory of its own under /tmp.
fallback_dir() {
  local h
  h=$(printf '%s' "$DIR" | sha256sum | cut -c1-16)
  printf '/tmp/l2watch-pg/%s\n' "$h"
}

data_dir() {
  if [[ -f $DIR/datadir ]]; then cat "$DIR/datadir"; else printf '%s/data\n' "$DIR"; fi
}

# The server's log: in DIR, or next to the data when the server cannot reach DIR.
log_path() {
  if [[ -f $DIR/datadir ]]; then
    printf '%s/postgresql.log\n' "$(dirname "$(cat "$DIR/datadir")")"
  else
    printf '%s/postgresql.log\n' "$DIR"
  fi
}

running() {
  local data
  data=$(data_dir)
  [[ -f $data/PG_VERSION ]] && as_pg "$PGBIN/pg_ctl" -D "$data" status >/dev/null 2>&1
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

port_free() {
  python3 - "$1" <<'EOF' 2>/dev/null
import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
EOF
}

url_for() { printf 'postgresql://%s@127.0.0.1:%s/%s\n' "$DB_ROLE" "$1" "$DB_NAME"; }

start() {
  if running; then
    [[ -f $DIR/url ]] || die "a server runs on $(data_dir) but $DIR/url is missing; stop it first"
    cat "$DIR/url"
    return 0
  fi

  local data socket_dir
  if ((AS_ROOT)); then
    command -v runuser >/dev/null || die "runuser not found (util-linux): needed to run PostgreSQL as $PG_USER"
    ensure_pg_user
    chown "$PG_USER:" "$DIR"
    chmod 0700 "$DIR"
    if runuser -u "$PG_USER" -- test -w "$DIR" -a -x "$DIR" 2>/dev/null; then
      data=$DIR/data
      socket_dir=$DIR
      rm -f "$DIR/datadir"
    else
      # A parent of DIR is not searchable by $PG_USER (e.g. pytest's /tmp/pytest-of-root).
      local base
      base=$(fallback_dir)
      data=$base/data
      socket_dir=$base
      if [[ ! -f $DIR/datadir && -e $base ]]; then
        rm -rf -- "$base"  # left over from an earlier DIR of the same name
      fi
      install -d -m 0755 /tmp/l2watch-pg
      install -d -m 0700 -o "$PG_USER" -g "$PG_USER" "$base" "$data"
      printf '%s\n' "$data" >"$DIR/datadir"
      say "$PG_USER cannot reach $DIR; the cluster lives in $base"
    fi
  else
    data=$DIR/data
    socket_dir=$DIR
  fi

  if [[ ! -f $data/PG_VERSION ]]; then
    ((AS_ROOT)) && [[ $data == "$DIR/data" ]] && install -d -m 0700 -o "$PG_USER" -g "$PG_USER" "$data"
    [[ -n $(ls -A "$data" 2>/dev/null) ]] && die "$data exists, is not empty and is not a PostgreSQL cluster"
    if ! as_pg "$PGBIN/initdb" -D "$data" -U "$DB_ROLE" --auth=trust --encoding=UTF8 --locale=C \
           --no-sync >"$DIR/initdb.log" 2>&1; then
      cat "$DIR/initdb.log" >&2
      die "initdb failed for $data (output above)"
    fi
    # A unix socket path has at most 107 bytes; past that, TCP only (the URL uses TCP).
    local sockets="'$socket_dir'"
    if ((${#socket_dir} + 18 > 107)); then
      sockets="''"
      say "$socket_dir is too long for a unix socket path; the server listens on TCP only"
    fi
    as_pg tee -a "$data/postgresql.conf" >/dev/null <<EOF

# scripts/pg.sh: a throwaway cluster for tests; speed over durability.
listen_addresses = '127.0.0.1'
unix_socket_directories = $sockets
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
EOF
  fi

  # Reuse the last port if it is still free, else take a new one; retry if another
  # process grabs the port between our check and the server's bind.
  local port attempt log
  log=$(log_path)
  ((AS_ROOT)) && { touch "$log"; chown "$PG_USER:" "$log"; }
  for attempt in 1 2 3 4 5; do
    port=
    [[ -f $DIR/port ]] && port_free "$(cat "$DIR/port")" && port=$(cat "$DIR/port")
    [[ -n $port ]] || port=$(free_port)
    if as_pg "$PGBIN/pg_ctl" -D "$data" -l "$log" -o "-p $port" -w -t 60 start >/dev/null 2>&1; then
      break
    fi
    if ((attempt == 5)) || ! grep -q 'could not bind\|already in use' "$log" 2>/dev/null; then
      tail -n 20 "$log" >&2 || true
      die "PostgreSQL did not start (log: $log)"
    fi
    rm -f "$DIR/port"
  done
  printf '%s\n' "$port" >"$DIR/port"

  local exists
  exists=$("$PSQL" -h 127.0.0.1 -p "$port" -U "$DB_ROLE" -d postgres -AtXq \
             -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'") ||
    die "cannot connect to the new server on 127.0.0.1:$port (log: $log)"
  if [[ $exists != 1 ]]; then
    "$PSQL" -h 127.0.0.1 -p "$port" -U "$DB_ROLE" -d postgres -AtXq -v ON_ERROR_STOP=1 \
      -c "CREATE DATABASE $DB_NAME" >/dev/null || die "CREATE DATABASE $DB_NAME failed"
  fi
  url_for "$port" >"$DIR/url"
  cat "$DIR/url"
}

stop() {
  local data
  data=$(data_dir)
  if [[ -f $data/PG_VERSION ]] && running; then
    as_pg "$PGBIN/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null ||
      die "pg_ctl stop failed for $data (log: $(log_path))"
  fi
  if [[ -f $DIR/datadir ]]; then
    # Outside DIR: nobody else would ever clean it up.
    case "$data" in /tmp/l2watch-pg/*/data) rm -rf -- "$(dirname "$data")" ;; esac
    rm -f "$DIR/datadir"
  fi
  rm -f "$DIR/url"
}

case "$cmd" in
  start) exec 9>"$DIR/.lock"; flock 9; start ;;
  stop) exec 9>"$DIR/.lock"; flock 9; stop ;;
  url)
    if ! running || [[ ! -f $DIR/url ]]; then die "no server running for $DIR"; fi
    cat "$DIR/url"
    ;;
  *) usage ;;
esac
