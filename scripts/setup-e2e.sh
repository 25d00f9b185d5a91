#!/usr/bin/env bash
# Everything the e2e suites need, installed by the project's own scripts (each idempotent and
# standing alone): n8n 2.41.1 and 1.123.81 with their Node binaries (in parallel), verdaccio
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
# both n8n lines at once: most of an install is download and unpacking, the rest one core each
N8N_VERSION=2.41.1 bash scripts/install-n8n.sh >"$logs/n8n2.out" 2> >(tee "$logs/n8n2.err" >&2) &
p2=$!
N8N_VERSION=1.123.x bash scripts/install-n8n.sh >"$logs/n8n1.out" 2> >(tee "$logs/n8n1.err" >&2) &
p1=$!
bash scripts/install-verdaccio.sh >/dev/null
bash scripts/install-chromium.sh >/dev/null
ok=1
wait "$p2" || { ok=0; log "n8n 2.41.1 did not install (its lines above)"; }
wait "$p1" || { ok=0; log "n8n 1.123.81 did not install (its lines above)"; }
[ "$ok" = 1 ] || die "the e2e set-up failed; rerun: bash scripts/setup-e2e.sh"
log "ready in $((SECONDS - start)) s: $(grep -h N8N_VERSION= "$logs"/n8n*.out | tr '\n' ' ')"
