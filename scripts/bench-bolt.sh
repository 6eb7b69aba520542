#!/usr/bin/env bash
# bench-bolt.sh: Stagecoach against Slack Bolt 5.1.0 on the same signed
# /coach slash commands, with the same load settings, in one run, counting
# work, not acks. Three servers, one after the other, each alone on core 1:
#   bolt       the bare Bolt app of perf-reliability-notes §3 (acks, no work)
#   boltwork   Bolt doing Stagecoach's real work (scripts/bench-bolt-work.js:
#              team + deal JSON from Redis, permission check, a deal card the
#              size of Stagecoach's POSTed to response_url, check/uncheck/note
#              written back with a version check in Lua, 16 workers and a
#              bounded queue that answers busy)
#   stagecoach this tree's server (Redis store, AOF everysec)
# The load tool serves the fake Slack (Web API and response_url) itself
# (-receive) and counts the replies that reach it: work/s, busy, ack→reply
# p50/p99. Everything listens on 127.0.0.1; when `unshare -n` is allowed the
# servers and the load run in a network namespace that has only loopback.
#
#   scripts/bench-bolt.sh                      # all three, open loop at $RATE and closed loop ("max")
#   SERVERS="boltwork stagecoach" scripts/bench-bolt.sh
#
# Settings (environment):
#   RATE=2000       open-loop rate, req/s          DURATION=15s  measured, per run
#   WARMUP=5s       unmeasured warm-up, per run    CONNS=50      connections, open loop
#   MAX_CONNS=10    connections, closed loop ("max" mode, like wrk -c10)
#   MODES="rate max"  which modes to run           SERVERS="bolt boltwork stagecoach"
#   ONLY=bolt|stagecoach  old shorthand for SERVERS ("bolt boltwork" | "stagecoach")
#   DEALS=50        deals created first            MIX=show=60,check=15,uncheck=10,note=15
#   USERS=1 CHANNELS=10  ids the commands come from. One user by default: the
#                   team's first member is its admin and sees every deal, so each
#                   command does its real work (other users are reps who may not
#                   see the load deals and would only get "not found").
#   DRAIN=3s        after each measured phase, wait at most this for owed replies
#   BOLT_VERSION=5.1.0 REDIS_NPM_VERSION=4.7.0  KEEP=1 keeps the temporary folder
#
# Output: per server and mode the load tool's two lines (acks; work), a
# table (acks/s, work/s, busy, ack and reply p50/p99, CPU µs per command of
# the server and of Redis from /proc/<pid>/stat over the measured window,
# RSS high-water mark VmHWM) and the ratios Stagecoach work ÷ Bolt bare
# acks and Stagecoach work ÷ Bolt real work. Every step is bounded in
# time; the trap stops everything the script started.
set -euo pipefail

RATE=${RATE:-2000}
DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-5s}
DRAIN=${DRAIN:-3s}
CONNS=${CONNS:-50}
MAX_CONNS=${MAX_CONNS:-10}
MODES=${MODES:-rate max}
case "${ONLY:-}" in
"" | both) DEFAULT_SERVERS="bolt boltwork stagecoach" ;;
bolt) DEFAULT_SERVERS="bolt boltwork" ;;
stagecoach) DEFAULT_SERVERS="stagecoach" ;;
*)
	echo "ONLY=$ONLY: want both, bolt or stagecoach" >&2
	exit 2
	;;
esac
SERVERS=${SERVERS:-$DEFAULT_SERVERS}
DEALS=${DEALS:-50}
MIX=${MIX:-show=60,check=15,uncheck=10,note=15}
USERS=${USERS:-1}
CHANNELS=${CHANNELS:-10}
BOLT_VERSION=${BOLT_VERSION:-5.1.0}
REDIS_NPM_VERSION=${REDIS_NPM_VERSION:-4.7.0}
SECRET=bench-secret
BOLT_PORT=3999
BOLTWORK_PORT=3997
SC_PORT=38080
FAKE_PORT=3998
REDIS_PORT=36379

case "${1:-}" in
-h | --help)
	sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
	exit 0
	;;
esac

log() { printf '%s bench: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() {
	log "ERROR: $*"
	exit 1
}

secs() { # 15s | 2m | 1500ms -> whole seconds, rounded up
	case "$1" in
	*ms) echo $(((${1%ms} + 999) / 1000)) ;;
	*s) echo "${1%s}" ;;
	*m) echo $((${1%m} * 60)) ;;
	*) die "duration $1: use s, m or ms" ;;
	esac
}

for srv in $SERVERS; do
	case $srv in bolt | boltwork | stagecoach) ;; *) die "SERVERS: unknown server $srv (bolt, boltwork, stagecoach)" ;; esac
done

# ---------------------------------------------------------------- inner --
# Runs the servers and the load; called directly or inside unshare -n.
inner() {
	WORK=$1
	BIN=$WORK/bin
	PIDS=()
	stop_all() {
		local p
		for p in "${PIDS[@]}"; do
			kill "$p" 2>/dev/null || true
		done
		for p in "${PIDS[@]}"; do
			wait "$p" 2>/dev/null || true
		done
		PIDS=()
	}
	trap stop_all EXIT
	trap 'exit 130' INT TERM

	if [ "${BENCH_NETNS:-}" = 1 ]; then
		ip link set lo up || die "cannot bring up lo in the network namespace"
	fi

	# Pin the server under test to core 1; the load tool (with the fake
	# Slack) and Redis to core 0, when there are 2+ cores.
	SRV_PIN=() LOAD_PIN=()
	if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
		SRV_PIN=(taskset -c 1) LOAD_PIN=(taskset -c 0)
	else
		log "taskset or a second core missing: running unpinned"
	fi

	wait_port() { # port seconds [pid that must stay alive]
		local i
		for ((i = 0; i < $2 * 10; i++)); do
			if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
				return 0
			fi
			if [ -n "${3:-}" ] && ! kill -0 "$3" 2>/dev/null; then
				return 1
			fi
			sleep 0.1
		done
		return 1
	}
	hwm_mb() { # pid -> VmHWM in MB
		awk '/^VmHWM:/ {printf "%.1f", $2/1024}' "/proc/$1/status" 2>/dev/null || echo "?"
	}
	stop_pid() {
		kill "$1" 2>/dev/null || true
		wait "$1" 2>/dev/null || true
	}

	dur=$(secs "$DURATION")
	warm=$(secs "$WARMUP")
	drain=$(secs "$DRAIN")
	run_timeout=$((dur + warm + drain + 60))
	declare -gA ACK WORKL HWM

	load() { # name mode path port pids -> the two summary lines in ACK/WORKL[name.mode]
		local name=$1 mode=$2 path=$3 port=$4 pids=$5 out rc=0
		local args=(-target "http://127.0.0.1:$port" -path "$path" -secret "$SECRET" -duration "$DURATION"
			-warmup "$WARMUP" -drain "$DRAIN" -deals "$DEALS" -mix "$MIX" -users "$USERS" -channels "$CHANNELS"
			-timeout 3s -team "TBENCH${name}${mode}$$" -receive "127.0.0.1:$FAKE_PORT" -cpu-pids "$pids"
			-max-requests 5000000)
		if [ "$mode" = max ]; then
			args+=(-rate 0 -connections "$MAX_CONNS")
		else
			args+=(-rate "$RATE" -connections "$CONNS")
		fi
		log "$name $mode: stagecoach-load ${args[*]}"
		out=$(timeout "$run_timeout" "${LOAD_PIN[@]}" "$BIN/stagecoach-load" "${args[@]}" 2> >(sed "s/^/  [$name $mode] /" >&2)) || rc=$?
		if [ $rc -ne 0 ] || [ -z "$out" ]; then
			ACK[$name.$mode]="FAILED (exit $rc)"
			WORKL[$name.$mode]=""
		else
			ACK[$name.$mode]=$(sed -n 1p <<<"$out")
			WORKL[$name.$mode]=$(sed -n 2p <<<"$out")
		fi
	}

	REDIS_PID=""
	if command -v redis-server >/dev/null; then
		mkdir -p "$WORK/redis"
		"${LOAD_PIN[@]}" redis-server --bind 127.0.0.1 --port $REDIS_PORT --dir "$WORK/redis" --save "" \
			--appendonly yes --appendfsync everysec --daemonize no --loglevel warning >"$WORK/redis.log" 2>&1 &
		REDIS_PID=$!
		PIDS+=("$REDIS_PID")
		wait_port $REDIS_PORT 10 "$REDIS_PID" || die "redis-server did not start (see $WORK/redis.log)"
	fi
	redis_url=redis://127.0.0.1:$REDIS_PORT/0

	# Each run (server × mode) gets a fresh server process, so no queue
	# left over from the previous run works during the next one.
	local srv mode pid port path pids hwm
	for srv in $SERVERS; do
		if [ "$srv" = boltwork ] && [ -z "$REDIS_PID" ]; then
			log "boltwork needs redis-server: skipped"
			continue
		fi
		for mode in $MODES; do
			path=/slack/events
			case $srv in
			bolt)
				log "starting bare Bolt $BOLT_VERSION on 127.0.0.1:$BOLT_PORT"
				(cd "$WORK/bolt" && exec "${SRV_PIN[@]}" node app.js) &
				pid=$! port=$BOLT_PORT
				;;
			boltwork)
				log "starting Bolt $BOLT_VERSION with real work on 127.0.0.1:$BOLTWORK_PORT"
				(cd "$WORK/bolt" && exec env PORT=$BOLTWORK_PORT REDIS_URL="$redis_url" SIGNING_SECRET=$SECRET \
					"${SRV_PIN[@]}" node bench-bolt-work.js 2>>"$WORK/boltwork.log") &
				pid=$! port=$BOLTWORK_PORT
				;;
			stagecoach)
				local sc_redis=""
				[ -n "$REDIS_PID" ] && sc_redis=$redis_url
				log "starting Stagecoach on 127.0.0.1:$SC_PORT (store: ${sc_redis:-bbolt})"
				(exec env -i PATH="$PATH" HOME="${HOME:-/tmp}" \
					SLACK_BOT_TOKEN=xoxb-test SLACK_SIGNING_SECRET=$SECRET \
					SLACK_API_URL="http://127.0.0.1:$FAKE_PORT/api/" HTTP_ADDR="127.0.0.1:$SC_PORT" \
					REDIS_URL="$sc_redis" STAGECOACH_DB="$WORK/stagecoach.db" STAGECOACH_CRON=false LOG_LEVEL=warn \
					"${SRV_PIN[@]}" "$BIN/stagecoach" 2>>"$WORK/stagecoach.log") &
				pid=$! port=$SC_PORT path=/slack/commands
				;;
			esac
			PIDS+=("$pid")
			if ! wait_port "$port" 30 "$pid"; then
				log "$srv did not start"
				if [ "$srv" = stagecoach ]; then sed 's/^/  [stagecoach] /' "$WORK/stagecoach.log" >&2; fi
				ACK[$srv.$mode]="FAILED (did not start)"
				stop_pid "$pid"
				continue
			fi
			pids="$srv=$pid"
			if [ "$srv" != bolt ] && [ -n "$REDIS_PID" ]; then pids+=",redis=$REDIS_PID"; fi
			load "$srv" "$mode" "$path" "$port" "$pids"
			hwm=$(hwm_mb "$pid")
			HWM[$srv.$mode]=$hwm
			stop_pid "$pid"
		done
	done
	for f in stagecoach boltwork; do
		if [ -s "$WORK/$f.log" ]; then
			log "$f log: $(grep -vc 'worker pool full' "$WORK/$f.log") lines besides 'worker pool full' ($(grep -c 'worker pool full' "$WORK/$f.log") of those); last lines:"
			{ grep -v 'worker pool full' "$WORK/$f.log" || true; } | tail -n 5 | cut -c1-300 | sed "s/^/  [$f] /" >&2
		fi
	done
	stop_all

	field() { # line key -> value ("" when missing)
		sed -n "s/.*\b$2=\([0-9.]*\).*/\1/p" <<<"$1"
	}
	ratio() {
		awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "n/a"; else printf "%.2fx", a / b }'
	}
	orna() { if [ -n "$1" ]; then echo "$1"; else echo "-"; fi; }
	row() { printf '| %-10s | %-4s | %8s | %8s | %6s | %7s | %7s | %9s | %9s | %10s | %10s | %6s |\n' "$@"; }
	echo
	echo "== stagecoach vs bolt $BOLT_VERSION: open loop ${RATE}/s (${CONNS} conns) and max (closed loop, ${MAX_CONNS} conns), ${DURATION} each after ${WARMUP} warm-up, mix $MIX =="
	for mode in $MODES; do
		for srv in $SERVERS; do
			[ -n "${ACK[$srv.$mode]:-}" ] || continue
			printf '%-10s %-4s %s\n' "$srv" "$mode" "${ACK[$srv.$mode]}"
			if [ -n "${WORKL[$srv.$mode]:-}" ]; then printf '%-10s %-4s %s\n' "" "" "${WORKL[$srv.$mode]}"; fi
		done
	done
	echo
	row server mode acks/s work/s busy ack_p50 ack_p99 reply_p50 reply_p99 cpu_us/cmd redis_us/c rss_mb
	echo "|------------|------|----------|----------|--------|---------|---------|-----------|-----------|------------|------------|--------|"
	local a w
	for mode in $MODES; do
		for srv in $SERVERS; do
			a=${ACK[$srv.$mode]:-} w=${WORKL[$srv.$mode]:-}
			[ -n "$a" ] || continue
			row "$srv" "$mode" \
				"$(orna "$(field "$a" throughput)")" "$(orna "$(field "$w" work)")" "$(orna "$(field "$w" busy)")" \
				"$(orna "$(field "$a" p50_ms)")" "$(orna "$(field "$a" p99_ms)")" \
				"$(orna "$(field "$w" reply_p50_ms)")" "$(orna "$(field "$w" reply_p99_ms)")" \
				"$(orna "$(field "$w" "cpu_us_per_cmd_$srv")")" "$(orna "$(field "$w" cpu_us_per_cmd_redis)")" "${HWM[$srv.$mode]:--}"
		done
	done
	echo "(latencies in ms; reply = ack -> first reply at the fake; CPU per answered command over the measured window)"
	local sw bb bw
	for mode in $MODES; do
		sw=$(field "${WORKL[stagecoach.$mode]:-}" work)
		bb=$(field "${ACK[bolt.$mode]:-}" throughput)
		bw=$(field "${WORKL[boltwork.$mode]:-}" work)
		printf 'ratio %-4s stagecoach_work/bolt_bare_acks=%s stagecoach_work/bolt_work=%s\n' "$mode" "$(ratio "$sw" "$bb")" "$(ratio "$sw" "$bw")"
	done
}

if [ "${1:-}" = --inner ]; then
	inner "$2"
	exit 0
fi

# ---------------------------------------------------------------- outer --
# Prepares (needs the npm registry and the Go module cache), then runs inner.
ROOT=$(cd "$(dirname "$0")/.." && pwd)
for c in go timeout; do
	command -v $c >/dev/null || die "$c is required"
done
NEED_NODE=""
case " $SERVERS " in *" bolt "* | *" boltwork "*) NEED_NODE=1 ;; esac
if [ -n "$NEED_NODE" ]; then
	for c in node npm; do command -v $c >/dev/null || die "$c is required for the Bolt peers"; done
fi
secs "$DURATION" >/dev/null
secs "$WARMUP" >/dev/null
secs "$DRAIN" >/dev/null

WORK=$(mktemp -d /tmp/bench-bolt.XXXXXX)
cleanup() {
	if [ "${KEEP:-}" = 1 ]; then
		log "kept $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "building stagecoach and stagecoach-load"
mkdir -p "$WORK/bin"
(cd "$ROOT" && timeout 600 go build -o "$WORK/bin/stagecoach" ./cmd/stagecoach &&
	timeout 600 go build -o "$WORK/bin/stagecoach-load" ./cmd/stagecoach-load) || die "go build failed"

if [ -n "$NEED_NODE" ]; then
	log "installing @slack/bolt@$BOLT_VERSION and redis@$REDIS_NPM_VERSION from npm into $WORK/bolt"
	mkdir -p "$WORK/bolt"
	(cd "$WORK/bolt" && echo '{"name":"bench-bolt","private":true}' >package.json &&
		timeout 300 npm install --no-audit --no-fund --package-lock=false --loglevel=error \
			"@slack/bolt@$BOLT_VERSION" "redis@$REDIS_NPM_VERSION" >/dev/null) ||
		die "npm install @slack/bolt@$BOLT_VERSION redis@$REDIS_NPM_VERSION failed"
	cp "$ROOT/scripts/bench-bolt-work.js" "$WORK/bolt/"
	# The bare app of perf-reliability-notes §3: static authorize (otherwise
	# Bolt calls auth.test on slack.com), acks /coach ephemerally, no work.
	cat >"$WORK/bolt/app.js" <<'EOF'
const { App, LogLevel } = require('@slack/bolt');
const app = new App({ signingSecret: 'bench-secret', logLevel: LogLevel.ERROR,
  // static authorize: without it Bolt calls auth.test on slack.com
  authorize: async () => ({ botToken: 'x', botId: 'B0', botUserId: 'U0' }) });
app.command('/coach', async ({ command, ack }) => ack({ text: `deal ${command.text}: noted` }));
app.start({ port: 3999, host: '127.0.0.1' });
EOF
fi

if ! command -v redis-server >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	log "installing redis-server"
	timeout 300 apt-get install -y redis-server >/dev/null 2>&1 || log "apt-get install redis-server failed"
fi
command -v redis-server >/dev/null || log "redis-server missing: Stagecoach uses the embedded store and boltwork is skipped"

if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null && command -v ip >/dev/null && unshare -n true 2>/dev/null; then
	log "running in a network namespace with loopback only (unshare -n)"
	BENCH_NETNS=1 timeout 3600 unshare -n bash "$0" --inner "$WORK"
else
	log "unshare -n not available: running on the host (everything still binds and targets 127.0.0.1)"
	timeout 3600 bash "$0" --inner "$WORK"
fi
