#!/usr/bin/env bash
# Everything the e2e suites need, installed by the project's own scripts (each idempotent and
# standing alone): n8n 2.41.1 and 1.123.81 with their Node binaries, verdaccio
# (the registry-install test), and Debian's Chromium (the editor test). PostgreSQL and Redis
# are installed and started by the queue-mode test itself (scripts/services.sh).
#   ECB_CACHE_DIR   the cache folder (default $HOME/.cache/n8n-nodes-external-callback)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/common.sh
. scripts/lib/common.sh
ecb_init setup-e2e
start=$SECONDS
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
# one n8n line after the other: two concurrent npm installs on one npm cache were seen to hang
# here (npm idle, nothing written, for over 10 minutes). Chromium (apt) installs meanwhile.
bash scripts/install-chromium.sh >"$logs/chromium.out" &
pc=$!
N8N_VERSION=2.41.1 bash scripts/install-n8n.sh >"$logs/n8n2.out" || die "n8n 2.41.1 did not install (its lines above); rerun: bash scripts/setup-e2e.sh"
N8N_VERSION=1.123.x bash scripts/install-n8n.sh >"$logs/n8n1.out" || die "n8n 1.123.81 did not install (its lines above); rerun: bash scripts/setup-e2e.sh"
bash scripts/install-verdaccio.sh >/dev/null || die "verdaccio did not install (its lines above); rerun: bash scripts/setup-e2e.sh"
wait "$pc" || die "Chromium did not install (its lines above); rerun: bash scripts/setup-e2e.sh"
log "ready in $((SECONDS - start)) s: $(grep -h N8N_VERSION= "$logs"/n8n*.out | tr '\n' ' ')"
