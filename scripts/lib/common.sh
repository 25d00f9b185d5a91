# Shared by the project's install scripts (sourced, not run).
#   ecb_init NAME       sets the log prefix
#   log / die MSG       progress on stderr; die says what failed and how to retry
#   clean_npm_env       drops every npm setting a caller exported (npm_config_*, npm_lifecycle_*,
#                       npm_package_*): under `npm test` or `npm run demo` npm exports the project's
#                       own configuration to its scripts, and an install must not inherit it
#   with_ticker MSG CMD…  runs CMD, printing "MSG… N s" every 30 s so a long step shows progress
#   ecb_cache_dir       sets CACHE: ECB_CACHE_DIR (default $HOME/.cache/n8n-nodes-external-callback),
#                       created, as an absolute path
#   ECB_NPM_FLAGS       what every npm call is given, and nothing from the caller: no audit/fund
#                       requests, errors only (scripts as each call says)
#   npm_install_cached [--tries N] [--timeout S] DIR WHAT PACKAGE_JSON CHECK SPEC [NPM_ARG…]
#                       one npm package installed into a cache folder, once: nothing when
#                       DIR/.complete is there; else DIR is emptied, PACKAGE_JSON written into it
#                       and `npm install SPEC` run there (ECB_NPM_FLAGS, then NPM_ARG…), up to N
#                       tries (default 1), each under S seconds when given, with node_modules and
#                       package-lock.json removed between tries; then CHECK (a command, run in
#                       DIR, that dies when the install is not usable), and DIR is marked
#                       .complete. WHAT names it in the log. Dies when every try failed.
ECB_PREFIX=install
ECB_RETRY=""
ecb_init() { ECB_PREFIX=$1; }
log() { echo "[$ECB_PREFIX] $*" >&2; }
die() {
	echo "[$ECB_PREFIX] ERROR: $*" >&2
	[ -n "$ECB_RETRY" ] && echo "[$ECB_PREFIX] to retry: $ECB_RETRY" >&2
	exit 1
}
clean_npm_env() {
	local v
	for v in $(compgen -e); do
		case "$v" in
		npm_config_* | NPM_CONFIG_* | npm_lifecycle_* | npm_package_* | npm_command | npm_execpath | npm_node_execpath | INIT_CWD) unset "$v" ;;
		esac
	done
}
with_ticker() {
	local msg=$1 start=$SECONDS pid rc
	shift
	(
		while sleep 30; do echo "[$ECB_PREFIX] $msg… $((SECONDS - start)) s" >&2; done
	) &
	pid=$!
	set +e
	"$@"
	rc=$?
	set -e
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	log "$msg: $((SECONDS - start)) s"
	return $rc
}
ecb_cache_dir() {
	CACHE="${ECB_CACHE_DIR:-$HOME/.cache/n8n-nodes-external-callback}"
	mkdir -p "$CACHE" || die "cannot create the cache folder $CACHE (set ECB_CACHE_DIR to a writable folder)"
	CACHE=$(cd "$CACHE" && pwd)
}
ECB_NPM_FLAGS=(--no-audit --no-fund --loglevel=error --no-update-notifier)
npm_install_cached() {
	local tries=1 limit=() attempt label back
	while :; do
		case "$1" in
		--tries)
			tries=$2
			shift 2
			;;
		--timeout)
			limit=(timeout --kill-after=30 "$2")
			shift 2
			;;
		*) break ;;
		esac
	done
	local dir=$1 what=$2 package_json=$3 check=$4 spec=$5
	shift 5
	[ -f "$dir/.complete" ] && return 0
	log "installing $what into $dir"
	rm -rf "$dir"
	mkdir -p "$dir"
	echo "$package_json" >"$dir/package.json"
	for ((attempt = 1; ; attempt++)); do
		label="npm install $spec"
		[ "$tries" -gt 1 ] && label="$label (try $attempt of $tries)"
		if (cd "$dir" && with_ticker "$label" "${limit[@]}" npm install "${ECB_NPM_FLAGS[@]}" "$@" "$spec"); then
			break
		fi
		[ "$tries" -gt 1 ] || die "npm install $spec failed (see npm's error above)"
		log "npm install $spec failed or timed out (try $attempt of $tries)"
		rm -rf "$dir/node_modules" "$dir/package-lock.json"
		[ "$attempt" -lt "$tries" ] || die "npm install $spec failed $tries times (see npm's error above)"
	done
	back=$PWD
	cd "$dir"
	"$check"
	cd "$back"
	touch "$dir/.complete"
}
