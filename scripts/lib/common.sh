# Shared by the project's install scripts (sourced, not run).
#   ecb_init NAME       sets the log prefix
#   log / die MSG       progress on stderr; die says what failed and how to retry
#   clean_npm_env       drops every npm setting a caller exported (npm_config_*, npm_lifecycle_*,
#                       npm_package_*): under `npm test` or `npm run demo` npm exports the project's
#                       own configuration to its scripts, and an install must not inherit it
#   with_ticker MSG CMD…  runs CMD, printing "MSG… N s" every 30 s so a long step shows progress
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
