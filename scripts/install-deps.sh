#!/usr/bin/env bash
# Installs what building, testing and the demo need, and nothing else.
#
# Idempotent and quiet: when everything is present it prints nothing, touches no
# network and takes well under two seconds. Otherwise it prints one line per thing
# it installs. Debian packages go through apt-get (as root, or with sudo for a
# normal user); `apt-get update` runs once, and only if something is missing.
# Tools that may come from elsewhere (node from NodeSource, python3 from pyenv or a
# virtualenv, ...) count as present when they are on PATH.
# Then `npm ci` installs tools/npm (anvil, cast, the OP Stack contract artifacts,
# playwright-core for the browser tests, which drive Debian's chromium)
# when node_modules is missing or older than package-lock.json, and the channel
# adjudicators' packages are fetched as bare tarballs into tools/npm/vendor/;
# `npm ci` also installs web/vendor (uPlot, embedded in the binary).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NPM_DIR="$ROOT/tools/npm"

say() { printf 'install-deps: %s\n' "$*"; }
die() { printf 'install-deps: error: %s\n' "$*" >&2; exit 1; }

# Libraries and meta packages: present when dpkg says they are installed.
DPKG_PACKAGES=(build-essential pkg-config libcurl4-openssl-dev libjansson-dev libmicrohttpd-dev
               libpq-dev libsecp256k1-dev libyaml-dev libcrypt-dev)
# Tools: present when the command is on PATH, whoever installed it.
CMD_PACKAGES=(cmake:cmake ninja:ninja-build node:nodejs npm:npm python3:python3 curl:curl psql:postgresql
              prometheus-alertmanager:prometheus-alertmanager promtool:prometheus openssl:openssl
              chromium:chromium)

missing=()
want() {
  local p
  for p in "${missing[@]}"; do [[ $p == "$1" ]] && return 0; done
  missing+=("$1")
}

# One dpkg-query for all of them (unknown packages go to stderr and count as missing).
declare -A installed=()
while read -r status pkg; do
  [[ $status == ii ]] && installed[$pkg]=1
done < <(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' "${DPKG_PACKAGES[@]}" 2>/dev/null || true)
for pkg in "${DPKG_PACKAGES[@]}"; do
  [[ -n ${installed[$pkg]:-} ]] || want "$pkg"
done

for entry in "${CMD_PACKAGES[@]}"; do
  command -v "${entry%%:*}" >/dev/null 2>&1 || want "${entry#*:}"
done
# The server binaries scripts/pg.sh runs (Debian keeps them off PATH).
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || want postgresql

# Python modules the tests import, for the python3 on PATH: Debian's package
# for the system interpreter, pip for any other (pyenv, virtualenv), after apt
# has run. Each entry is module:debian-package:pip-package. An empty Debian
# package means Debian has none (or none recent enough): pip installs the
# pinned version for the system interpreter too. openapi-spec-validator brings
# the jsonschema and referencing that tests/db/test_openapi.py also uses;
# pytest-xdist runs `make test`'s Python tests in parallel.
PY_MODULES=(pytest:python3-pytest:pytest yaml:python3-yaml:pyyaml aiosmtpd:python3-aiosmtpd:aiosmtpd
            xdist:python3-pytest-xdist:pytest-xdist==3.8.0
            openapi_spec_validator::openapi-spec-validator==0.9.0 jsonschema::jsonschema==4.26.0)
pip_missing=()
pip_system=""
system_module() {
  if [[ -n $deb ]]; then
    want "$deb"
  else
    want python3-pip
    pip_missing+=("$pip")
    pip_system=--break-system-packages  # Debian's interpreter refuses pip otherwise (PEP 668)
  fi
}
for entry in "${PY_MODULES[@]}"; do
  IFS=: read -r module deb pip <<<"$entry"
  if ! command -v python3 >/dev/null 2>&1; then
    system_module  # python3 itself comes from apt, so its modules do too
  elif ! python3 -c "import $module" >/dev/null 2>&1; then
    case "$(python3 -c 'import sys; print(sys.executable)')" in
      /usr/bin/*) system_module ;;
      *) pip_missing+=("$pip") ;;
    esac
  fi
done

if ((${#missing[@]})); then
  if ((EUID == 0)); then
    SUDO=()
  elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    die "missing Debian packages (${missing[*]}); run this as root or install sudo"
  fi
  command -v apt-get >/dev/null 2>&1 || die "missing packages (${missing[*]}) and no apt-get: this script expects Debian"
  for pkg in "${missing[@]}"; do say "installing $pkg (apt)"; done
  aptlog=$(mktemp -t l2watch-apt.XXXXXX)
  trap 'rm -f "$aptlog"' EXIT
  apt() { "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "$@" >>"$aptlog" 2>&1; }
  if ! apt update -q; then
    cat "$aptlog" >&2
    die "apt-get update failed (output above)"
  fi
  if ! apt install -y -q --no-install-recommends "${missing[@]}"; then
    tail -n 40 "$aptlog" >&2
    die "apt-get install ${missing[*]} failed (output above)"
  fi
fi

if ((${#pip_missing[@]})); then
  say "installing ${pip_missing[*]} (pip, for $(command -v python3))"
  if ! python3 -m pip --version >/dev/null 2>&1; then
    python3 -m ensurepip --upgrade >/dev/null 2>&1 ||
      die "python3 ($(command -v python3)) has no pip and ensurepip failed; install ${pip_missing[*]} for it by hand"
  fi
  python3 -m pip install --quiet --disable-pip-version-check ${pip_system:+"$pip_system"} "${pip_missing[@]}" ||
    die "pip install ${pip_missing[*]} failed for $(command -v python3)"
  python3 -m pytest --version >/dev/null 2>&1 || die "pytest still not importable by $(command -v python3)"
fi

# tools/npm: anvil, cast, the contract artifacts and playwright-core (never its
# own browser downloads: the tests point it at /usr/bin/chromium), pinned by
# package-lock.json.
[[ -f $NPM_DIR/package-lock.json ]] || die "$NPM_DIR/package-lock.json is missing"
stamp="$NPM_DIR/node_modules/.package-lock.json"  # written by npm on every install
if [[ ! -f $stamp || $NPM_DIR/package-lock.json -nt $stamp ||
      ! -x $NPM_DIR/node_modules/.bin/anvil || ! -x $NPM_DIR/node_modules/.bin/cast ||
      ! -f $NPM_DIR/node_modules/playwright-core/package.json ]]; then
  arch=$(uname -m)
  [[ $arch == x86_64 ]] ||
    die "tools/npm pins the linux-amd64 builds of anvil and cast; this machine is $arch"
  say "installing tools/npm packages (npm ci)"
  (cd "$NPM_DIR" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) ||
    die "npm ci in $NPM_DIR failed"
  "$NPM_DIR/node_modules/.bin/anvil" --version >/dev/null ||
    die "anvil from tools/npm does not run on this machine"
fi

# web/vendor: the browser libraries the binary embeds (uPlot, the dashboard's
# charts), pinned by its package-lock.json; product code, so apart from the
# test tools above. CMake refuses to configure without them.
WEB_VENDOR_DIR="$ROOT/web/vendor"
[[ -f $WEB_VENDOR_DIR/package-lock.json ]] || die "$WEB_VENDOR_DIR/package-lock.json is missing"
stamp="$WEB_VENDOR_DIR/node_modules/.package-lock.json"
if [[ ! -f $stamp || $WEB_VENDOR_DIR/package-lock.json -nt $stamp ||
      ! -f $WEB_VENDOR_DIR/node_modules/uplot/dist/uPlot.iife.min.js ]]; then
  say "installing web/vendor packages (npm ci)"
  (cd "$WEB_VENDOR_DIR" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) ||
    die "npm ci in $WEB_VENDOR_DIR failed"
fi

# tools/npm/vendor: the state channel contracts' npm packages, tarball only.
# Their own dependency trees (hardhat, ganache-core, native keccak/secp256k1
# builds, and a git dependency that npm fetches from GitHub) are not needed to
# deploy prebuilt artifacts and make `npm install` fail where GitHub cannot be
# reached, so `npm pack` fetches just the tarball (through npm's registry
# settings and cache), its sha512 is checked against the pin below and it is
# unpacked to tools/npm/vendor/<name>/ with the pin recorded in .integrity.
# Each entry is name@version=sha512 integrity (from `npm view name@version dist.integrity`).
VENDOR_PACKAGES=(
  "@connext/vector-contracts@0.2.3=sha512-Thyv+cDqTlA5lkGBa/ybQtqqlLBL82gJqLXDv3Wg44i2PE0h96jCluOF056VVYRj8Q8Rqt+jiK6FYhcVupzJyg=="
  "@statechannels/nitro-protocol@0.17.3=sha512-E372J29OerSFR5RdSwJPPy24C4WXOg9ibTvZ8wueIh0Kii0rNrY/3YxJ9ZFClKpnpZWFo3e2ATMD2Q/Nomf9wA=="
)
VENDOR_DIR="$NPM_DIR/vendor"
for entry in "${VENDOR_PACKAGES[@]}"; do
  spec=${entry%%=*} integrity=${entry#*=}
  name=${spec%@*}
  dest="$VENDOR_DIR/$name"
  [[ -f $dest/.integrity && $(<"$dest/.integrity") == "$spec $integrity" ]] && continue
  say "fetching $spec (npm pack) into tools/npm/vendor"
  mkdir -p "$VENDOR_DIR"
  work=$(mktemp -d "$VENDOR_DIR/.tmp.XXXXXX")
  (cd "$work" && npm pack --silent --pack-destination "$work" "$spec" >/dev/null) ||
    { rm -rf "$work"; die "npm pack $spec failed"; }
  tgz=("$work"/*.tgz)
  [[ ${#tgz[@]} == 1 && -f ${tgz[0]} ]] || { rm -rf "$work"; die "npm pack $spec left no single tarball in $work"; }
  got=$(python3 -c 'import base64, hashlib, sys
print("sha512-" + base64.b64encode(hashlib.sha512(open(sys.argv[1], "rb").read()).digest()).decode())' "${tgz[0]}")
  [[ $got == "$integrity" ]] ||
    { rm -rf "$work"; die "$spec: tarball integrity $got, expected $integrity"; }
  mkdir -p "$work/x"
  tar -xzf "${tgz[0]}" -C "$work/x" --no-same-owner ||
    { rm -rf "$work"; die "could not unpack the $spec tarball"; }
  [[ -f $work/x/package/package.json ]] || { rm -rf "$work"; die "the $spec tarball has no package/package.json"; }
  printf '%s\n' "$spec $integrity" >"$work/x/package/.integrity"
  mkdir -p "$(dirname "$dest")"
  rm -rf "$dest"
  mv "$work/x/package" "$dest"
  rm -rf "$work"
done
