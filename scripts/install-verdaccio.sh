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
ecb_cache_dir
DIR="$CACHE/verdaccio-$VERSION"
BIN="$DIR/node_modules/verdaccio/bin/verdaccio"
ECB_RETRY="ECB_CACHE_DIR=$CACHE bash scripts/install-verdaccio.sh"
check_verdaccio() {
	node "$BIN" --version >/dev/null 2>&1 || die "verdaccio --version does not answer"
	log "verdaccio@$VERSION installed ($(node "$BIN" --version))"
}
# 6.8.0: the newest that runs on Node 20; its node-fetch range resolves to a release that does
# not install here, 2.7.0 does.
npm_install_cached "$DIR" "verdaccio@$VERSION" '{"name":"verdaccio-cache","private":true,"overrides":{"node-fetch":"2.7.0"}}' \
	check_verdaccio "verdaccio@$VERSION" --ignore-scripts=true
echo "VERDACCIO_BIN=$BIN"
