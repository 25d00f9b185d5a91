#!/usr/bin/env bash
# PostgreSQL and Redis for the queue-mode tests, on loopback only, in a throwaway folder.
#   scripts/services.sh start <dir>   installs the Debian packages when missing, starts both,
#                                     prints PG_PORT=… and REDIS_PORT=…
#   scripts/services.sh stop <dir>
set -euo pipefail
cmd=${1:?start|stop}
dir=${2:?folder}
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"
ecb_init services
ECB_RETRY="bash scripts/services.sh stop $dir; bash scripts/services.sh start $dir (as root)"

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

install_missing() {
	local want=()
	[ -n "$(pg_bin)" ] && [ -x "$(pg_bin)/initdb" ] || want+=(postgresql)
	command -v redis-server >/dev/null || want+=(redis-server)
	if [ ${#want[@]} -gt 0 ]; then
		log "installing ${want[*]} (Debian packages)"
		export DEBIAN_FRONTEND=noninteractive
		with_ticker "apt-get update" apt-get update -qq >/dev/null || die "apt-get update failed (see its error above)"
		with_ticker "apt-get install ${want[*]}" apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null \
			|| die "apt-get install ${want[*]} failed (see its error above)"
		# the packages start system-wide services on the default ports: stop them, we run our own
		service postgresql stop >/dev/null 2>&1 || true
		service redis-server stop >/dev/null 2>&1 || true
	fi
	id postgres >/dev/null 2>&1 || die "no postgres user after installing postgresql"
	[ -x "$(pg_bin)/initdb" ] || die "no initdb after installing postgresql"
	command -v redis-server >/dev/null || die "no redis-server after installing redis-server"
}

free_port() { node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }

case "$cmd" in
start)
	install_missing
	mkdir -p "$dir"
	chmod 755 "$dir"
	PG_PORT=$(free_port)
	REDIS_PORT=$(free_port)
	bin=$(pg_bin)
	install -d -o postgres -g postgres "$dir/pg" "$dir/pgsock" "$dir/pglog"
	runuser -u postgres -- "$bin/initdb" -D "$dir/pg" -U n8n --auth=trust -E UTF8 >/dev/null || die "initdb failed"
	runuser -u postgres -- "$bin/pg_ctl" -D "$dir/pg" -l "$dir/pglog/pg.log" -w -t 60 \
		-o "-p $PG_PORT -k $dir/pgsock -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off" start >/dev/null \
		|| { tail -20 "$dir/pglog/pg.log" >&2; die "postgres did not start"; }
	runuser -u postgres -- "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U n8n n8n || die "createdb failed"
	redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
		--pidfile "$dir/redis.pid" --dir "$dir" --logfile "$dir/redis.log" || die "redis did not start"
	for _ in $(seq 1 50); do redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
	redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG || die "redis does not answer on 127.0.0.1:$REDIS_PORT (log: $dir/redis.log)"
	runuser -u postgres -- "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U n8n -d n8n -tAc 'select 1' >/dev/null \
		|| die "postgres does not answer on 127.0.0.1:$PG_PORT (log: $dir/pglog/pg.log)"
	echo "PG_PORT=$PG_PORT" | tee "$dir/ports"
	echo "REDIS_PORT=$REDIS_PORT" | tee -a "$dir/ports"
	;;
stop)
	bin=$(pg_bin)
	[ -d "$dir/pg" ] && runuser -u postgres -- "$bin/pg_ctl" -D "$dir/pg" -m fast stop >/dev/null 2>&1 || true
	[ -f "$dir/redis.pid" ] && kill "$(cat "$dir/redis.pid")" 2>/dev/null || true
	;;
*) die "unknown command $cmd" ;;
esac
