#!/usr/bin/env bash
# bench-bolt.sh: Stagecoach against Slack Bolt 5.1.0 (the peer of
# perf-reliability-notes §3) on the same signed /coach slash command, with
# the same load settings, in one run. Everything listens on 127.0.0.1; when
# `unshare -n` is allowed the servers and the load run in a network
# namespace that has nothing but loopback.
#
#   scripts/bench-bolt.sh            # both, open loop at $RATE and closed loop ("max")
#   ONLY=bolt scripts/bench-bolt.sh  # just the Bolt half
#
# Settings (environment):
#   RATE=2000       open-loop rate, req/s          DURATION=15s  measured, per run
#   WARMUP=5s       unmeasured warm-up, per run    CONNS=50      connections, open loop
#   MAX_CONNS=10    connections, closed loop ("max" mode, like wrk -c10)
#   MODES="rate max"  which modes to run           ONLY=both|bolt|stagecoach
#   DEALS=50        deals created first            MIX=show=60,check=15,uncheck=10,note=15
#   USERS=1 CHANNELS=10  ids the commands come from. One user by default: the
#                   team's first member is its admin and sees every deal, so each
#                   command does its real work (other users are reps who may not
#                   see the load deals and would only get "not found").
#   STORE=auto|redis|bolt  Stagecoach's store: auto = Redis (AOF everysec) when
#                   redis-server is there (installed with apt-get when root), else bbolt
#   BOLT_VERSION=5.1.0  KEEP=1 keeps the temporary folder
#
# Output: per server and mode the load tool's summary line, the ratios
# Stagecoach/Bolt of throughput and p99, and each server's RSS high-water
# mark (VmHWM). Every step is bounded in time; the trap stops everything
# the script started.
set -euo pipefail

RATE=${RATE:-2000}
DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-5s}
CONNS=${CONNS:-50}
MAX_CONNS=${MAX_CONNS:-10}
MODES=${MODES:-rate max}
ONLY=${ONLY:-both}
DEALS=${DEALS:-50}
MIX=${MIX:-show=60,check=15,uncheck=10,note=15}
USERS=${USERS:-1}
CHANNELS=${CHANNELS:-10}
STORE=${STORE:-auto}
BOLT_VERSION=${BOLT_VERSION:-5.1.0}
SECRET=bench-secret
BOLT_PORT=3999
SC_PORT=38080
FAKE_PORT=3998
REDIS_PORT=36379

case "${1:-}" in
-h | --help)
	sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'
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

	# Pin servers to core 1 and the load to core 0 when there are 2+ cores.
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

	dur=$(secs "$DURATION")
	warm=$(secs "$WARMUP")
	run_timeout=$((dur + warm + 60))
	declare -gA RESULT HWM

	load() { # name mode path -> summary line in RESULT[name.mode]
		local name=$1 mode=$2 path=$3 out rc=0
		local args=(-target "http://127.0.0.1:$4" -path "$path" -secret "$SECRET" -duration "$DURATION"
			-warmup "$WARMUP" -deals "$DEALS" -mix "$MIX" -users "$USERS" -channels "$CHANNELS" -timeout 3s -team "TBENCH${name}${mode}$$"
			-response-url "http://127.0.0.1:$FAKE_PORT/response" -max-requests 5000000)
		if [ "$mode" = max ]; then
			args+=(-rate 0 -connections "$MAX_CONNS")
		else
			args+=(-rate "$RATE" -connections "$CONNS")
		fi
		log "$name $mode: stagecoach-load ${args[*]}"
		out=$(timeout "$run_timeout" "${LOAD_PIN[@]}" "$BIN/stagecoach-load" "${args[@]}" 2> >(sed "s/^/  [$name $mode] /" >&2)) || rc=$?
		if [ $rc -ne 0 ] || [ -z "$out" ]; then
			RESULT[$name.$mode]="FAILED (exit $rc)"
		else
			RESULT[$name.$mode]=$out
		fi
	}

	# The fake Slack Web API (and response_url) both servers may call.
	"$BIN/stagecoach-load" -fake-slack-api "127.0.0.1:$FAKE_PORT" -fake-for 1h 2> >(sed 's/^/  [fake-slack] /' >&2) &
	PIDS+=($!)
	wait_port $FAKE_PORT 10 || die "fake Slack API did not start"

	if [ "$ONLY" != stagecoach ]; then
		log "starting Bolt $BOLT_VERSION on 127.0.0.1:$BOLT_PORT"
		(cd "$WORK/bolt" && exec "${SRV_PIN[@]}" node app.js) &
		BOLT_PID=$!
		PIDS+=($BOLT_PID)
		wait_port $BOLT_PORT 30 $BOLT_PID || die "Bolt did not start"
		for mode in $MODES; do
			load bolt "$mode" /slack/events $BOLT_PORT
		done
		HWM[bolt]=$(hwm_mb $BOLT_PID)
		kill $BOLT_PID 2>/dev/null || true
		wait $BOLT_PID 2>/dev/null || true
	fi

	if [ "$ONLY" != bolt ]; then
		local store=$STORE redis_url=""
		if [ "$store" = auto ]; then
			store=bolt
			command -v redis-server >/dev/null && store=redis
		fi
		if [ "$store" = redis ]; then
			mkdir -p "$WORK/redis"
			redis-server --bind 127.0.0.1 --port $REDIS_PORT --dir "$WORK/redis" --save "" \
				--appendonly yes --appendfsync everysec --daemonize no --loglevel warning >"$WORK/redis.log" 2>&1 &
			PIDS+=($!)
			wait_port $REDIS_PORT 10 || die "redis-server did not start (see $WORK/redis.log)"
			redis_url=redis://127.0.0.1:$REDIS_PORT/0
		fi
		log "starting Stagecoach on 127.0.0.1:$SC_PORT (store: $store)"
		(exec env -i PATH="$PATH" HOME="${HOME:-/tmp}" \
			SLACK_BOT_TOKEN=xoxb-test SLACK_SIGNING_SECRET=$SECRET \
			SLACK_API_URL="http://127.0.0.1:$FAKE_PORT/api/" HTTP_ADDR="127.0.0.1:$SC_PORT" \
			REDIS_URL="$redis_url" STAGECOACH_DB="$WORK/stagecoach.db" STAGECOACH_CRON=false LOG_LEVEL=warn \
			"${SRV_PIN[@]}" "$BIN/stagecoach" 2>"$WORK/stagecoach.log") &
		SC_PID=$!
		PIDS+=($SC_PID)
		if ! wait_port $SC_PORT 30 $SC_PID; then
			log "Stagecoach did not start:"
			sed 's/^/  [stagecoach] /' "$WORK/stagecoach.log" >&2 || true
			for mode in $MODES; do RESULT[stagecoach.$mode]="FAILED (did not start)"; done
		else
			for mode in $MODES; do
				load stagecoach "$mode" /slack/commands $SC_PORT
			done
			HWM[stagecoach]=$(hwm_mb $SC_PID)
			if grep -q . "$WORK/stagecoach.log"; then
				log "Stagecoach log (last lines):"
				tail -n 5 "$WORK/stagecoach.log" | sed 's/^/  [stagecoach] /' >&2
			fi
		fi
		case "${RESULT[stagecoach.${MODES%% *}]:-}" in "FAILED (exit"*)
			log "Stagecoach refused the load: does this tree serve POST /slack/commands (Slack adapter merged and wired)?" ;;
		esac
	fi
	stop_all

	field() { # summary key -> value
		sed -n "s/.*\b$2=\([0-9.]*\).*/\1/p" <<<"$1"
	}
	ratio() {
		awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "n/a"; else printf "%.2fx", a / b }'
	}
	echo
	echo "== stagecoach vs bolt $BOLT_VERSION: open loop ${RATE}/s (${CONNS} conns) and max (closed loop, ${MAX_CONNS} conns), ${DURATION} each after ${WARMUP} warm-up, mix $MIX =="
	for mode in $MODES; do
		for name in bolt stagecoach; do
			[ -n "${RESULT[$name.$mode]:-}" ] && printf '%-10s %-4s %s\n' "$name" "$mode" "${RESULT[$name.$mode]}"
		done
	done
	if [ "$ONLY" = both ]; then
		for mode in $MODES; do
			s=${RESULT[stagecoach.$mode]:-} b=${RESULT[bolt.$mode]:-}
			printf 'ratio stagecoach/bolt %-4s throughput=%s p99=%s\n' "$mode" \
				"$(ratio "$(field "$s" throughput)" "$(field "$b" throughput)")" \
				"$(ratio "$(field "$s" p99_ms)" "$(field "$b" p99_ms)")"
		done
	fi
	printf 'rss_hwm_mb bolt=%s stagecoach=%s\n' "${HWM[bolt]:-n/a}" "${HWM[stagecoach]:-n/a}"
}

if [ "${1:-}" = --inner ]; then
	inner "$2"
	exit 0
fi

# ---------------------------------------------------------------- outer --
# Prepares (needs the npm registry and the Go module cache), then runs inner.
ROOT=$(cd "$(dirname "$0")/.." && pwd)
for c in go node npm timeout; do
	command -v $c >/dev/null || die "$c is required"
done
case "$ONLY" in both | bolt | stagecoach) ;; *) die "ONLY=$ONLY: want both, bolt or stagecoach" ;; esac
secs "$DURATION" >/dev/null
secs "$WARMUP" >/dev/null

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

if [ "$ONLY" != stagecoach ]; then
	log "installing @slack/bolt@$BOLT_VERSION from npm"
	mkdir -p "$WORK/bolt"
	(cd "$WORK/bolt" && echo '{"name":"bench-bolt","private":true}' >package.json &&
		timeout 300 npm install --no-audit --no-fund --loglevel=error "@slack/bolt@$BOLT_VERSION" >/dev/null) ||
		die "npm install @slack/bolt@$BOLT_VERSION failed"
	# The app of perf-reliability-notes §3: static authorize (otherwise Bolt
	# calls auth.test on slack.com), acks /coach ephemerally.
	cat >"$WORK/bolt/app.js" <<'EOF'
const { App, LogLevel } = require('@slack/bolt');
const app = new App({ signingSecret: 'bench-secret', logLevel: LogLevel.ERROR,
  // static authorize: without it Bolt calls auth.test on slack.com
  authorize: async () => ({ botToken: 'x', botId: 'B0', botUserId: 'U0' }) });
app.command('/coach', async ({ command, ack }) => ack({ text: `deal ${command.text}: noted` }));
app.start({ port: 3999, host: '127.0.0.1' });
EOF
fi

if [ "$ONLY" != bolt ] && [ "$STORE" != bolt ] && ! command -v redis-server >/dev/null; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		log "installing redis-server"
		timeout 300 apt-get install -y redis-server >/dev/null 2>&1 || log "apt-get install redis-server failed"
	fi
	if ! command -v redis-server >/dev/null; then
		[ "$STORE" = redis ] && die "STORE=redis but redis-server is missing"
		log "redis-server missing: Stagecoach uses the embedded store"
	fi
fi

if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null && command -v ip >/dev/null && unshare -n true 2>/dev/null; then
	log "running in a network namespace with loopback only (unshare -n)"
	BENCH_NETNS=1 timeout 3600 unshare -n bash "$0" --inner "$WORK"
else
	log "unshare -n not available: running on the host (everything still binds and targets 127.0.0.1)"
	timeout 3600 bash "$0" --inner "$WORK"
fi
