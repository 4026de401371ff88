#!/usr/bin/env bash
# Builds the pinned helm into tools/go/bin with the machine's Go toolchain
# (from the Go module proxy), only to lint and render the chart in tests.
# Idempotent: a second run prints the path and does nothing else.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HELM_VERSION=v3.16.4
BIN="$ROOT/tools/go/bin"
HELM="$BIN/helm"

if [[ -x $HELM ]] && "$HELM" version --short 2>/dev/null | grep -q "^$HELM_VERSION"; then
  echo "$HELM"
  exit 0
fi
command -v go >/dev/null || { echo "install-helm: error: Go is not installed" >&2; exit 1; }
echo "install-helm: building helm $HELM_VERSION with $(go version | cut -d' ' -f3) (about 2 minutes)" >&2
mkdir -p "$BIN"
GOBIN="$BIN" GOFLAGS=-mod=mod go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >&2
echo "$HELM"
