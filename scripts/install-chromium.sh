#!/usr/bin/env bash
# Debian's Chromium for the editor test (test/e2e/editor.test.ts drives it with playwright-core,
# which downloads no browser of its own). Installs the Debian package when /usr/bin/chromium is
# missing; uses sudo only when not root. Prints the path of the browser.
set -euo pipefail
CHROMIUM=${ECB_CHROMIUM:-/usr/bin/chromium}
log() { echo "[chromium] $*" >&2; }
die() { echo "[chromium] ERROR: $*" >&2; exit 1; }

if [ ! -x "$CHROMIUM" ]; then
	sudo=()
	if [ "$(id -u)" != 0 ]; then
		command -v sudo >/dev/null || die "not root and no sudo: install Debian's chromium package by hand"
		sudo=(sudo -n)
	fi
	log "installing chromium (Debian package)"
	export DEBIAN_FRONTEND=noninteractive
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || die "apt-get update failed"
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null || die "apt-get install chromium failed"
	[ -x "$CHROMIUM" ] || die "no $CHROMIUM after installing chromium"
fi
log "$("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
echo "$CHROMIUM"
