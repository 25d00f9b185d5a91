#!/usr/bin/env bash
# Debian's Chromium for the editor test (test/e2e/editor.test.ts drives it with playwright-core,
# which downloads no browser of its own). Installs the Debian package when /usr/bin/chromium is
# missing; uses sudo only when not root. Checks that the browser runs. Prints its path.
set -euo pipefail
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"
ecb_init chromium
CHROMIUM=${ECB_CHROMIUM:-/usr/bin/chromium}
ECB_RETRY="bash scripts/install-chromium.sh (as root, or a user with passwordless sudo)"

if [ ! -x "$CHROMIUM" ]; then
	sudo=()
	if [ "$(id -u)" != 0 ]; then
		command -v sudo >/dev/null || die "not root and no sudo: install Debian's chromium package by hand (apt-get install chromium)"
		sudo=(sudo -n)
	fi
	log "installing chromium (Debian package)"
	with_ticker "apt-get update" "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null \
		|| die "apt-get update failed (see its error above)"
	with_ticker "apt-get install chromium" "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
		|| die "apt-get install chromium failed (see its error above)"
	[ -x "$CHROMIUM" ] || die "no $CHROMIUM after installing chromium"
fi
version=$("$CHROMIUM" --headless --no-sandbox --version 2>/dev/null) || die "$CHROMIUM does not run (--version failed)"
log "$version"
echo "$CHROMIUM"
