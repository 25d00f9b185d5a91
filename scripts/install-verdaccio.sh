#!/usr/bin/env bash
# Installs verdaccio (a private npm registry) into the cache folder, for the registry-install e2e
# test: the clean-clone tarball is published to it on loopback and installed by name as n8n's
# installer does. Idempotent. Stands alone (drops the caller's npm_config_* settings).
#   ECB_CACHE_DIR      (default $HOME/.cache/n8n-nodes-external-callback)
# Prints one line: VERDACCIO_BIN=<path of verdaccio's bin script>
set -euo pipefail
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"
ecb_init install-verdaccio
clean_npm_env
VERSION=6.8.0
CACHE="${ECB_CACHE_DIR:-$HOME/.cache/n8n-nodes-external-callback}"
mkdir -p "$CACHE" || die "cannot create the cache folder $CACHE (set ECB_CACHE_DIR to a writable folder)"
CACHE=$(cd "$CACHE" && pwd)
DIR="$CACHE/verdaccio-$VERSION"
BIN="$DIR/node_modules/verdaccio/bin/verdaccio"
ECB_RETRY="ECB_CACHE_DIR=$CACHE bash scripts/install-verdaccio.sh"
if [ ! -f "$DIR/.complete" ]; then
	log "installing verdaccio@$VERSION into $DIR"
	rm -rf "$DIR"
	mkdir -p "$DIR"
	# 6.8.0: the newest that runs on Node 20; its node-fetch range resolves to a release that does
	# not install here, 2.7.0 does.
	echo '{"name":"verdaccio-cache","private":true,"overrides":{"node-fetch":"2.7.0"}}' >"$DIR/package.json"
	(cd "$DIR" && with_ticker "npm install verdaccio@$VERSION" \
		npm install --no-audit --no-fund --loglevel=error --no-update-notifier --ignore-scripts=true "verdaccio@$VERSION") \
		|| die "npm install verdaccio@$VERSION failed (see npm's error above)"
	node "$BIN" --version >/dev/null 2>&1 || die "verdaccio --version does not answer"
	touch "$DIR/.complete"
	log "verdaccio@$VERSION installed ($(node "$BIN" --version))"
fi
echo "VERDACCIO_BIN=$BIN"
