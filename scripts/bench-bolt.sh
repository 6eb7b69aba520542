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
#   scripts/bench-bolt.sh                      # the official table: every server, every mode
#   SERVERS="boltwork stagecoach" scripts/bench-bolt.sh
#   MODES="max max@show=60,check=15,uncheck=10,note=15" scripts/bench-bolt.sh
#
# Settings (environment):
#   MODES="max 2000 3000"  the runs per server, in order: "max" is closed loop
#                   ($MAX_CONNS connections, like wrk -c10), a number an open-loop
#                   rate in req/s ($CONNS connections), "rate" is $RATE. A mode
#                   may name its own mix after @ (max@show=50,check=50);
#                   otherwise it uses $MIX. The issue's targets are all `show`,
#                   hence the default MIX=show=100; the table says the mix of
#                   every row.
#   RATE=2000       the rate of the mode "rate"    DURATION=15s  measured, per run
#   WARMUP=3s       unmeasured warm-up, per run    CONNS=50      connections, open loop
#   MAX_CONNS=10    connections, closed loop       SERVERS="bolt boltwork stagecoach"
#   ONLY=bolt|stagecoach  old shorthand for SERVERS ("bolt boltwork" | "stagecoach")
#   DEALS=50        deals created first            MIX=show=100 (the load tool's ops:
#                   show, check, uncheck, note, …; weights)
#   USERS=1 CHANNELS=10  ids the commands come from. One user by default: the
#                   team's first member is its admin and sees every deal, so each
#                   command does its real work (other users are reps who may not
#                   see the load deals and would only get "not found").
#   DRAIN=3s        after each measured phase, wait at most this for owed replies
#   BOLT_VERSION=5.1.0 REDIS_NPM_VERSION=4.7.0  KEEP=1 keeps the temporary folder
#
# Output: per server and mode the load tool's two lines (acks; work), then
# a Markdown table ready for the README (server, load, mix, acks/s, work/s,
# busy, failed, ack and reply p50/p99, CPU µs per answered command of the
# server and of Redis from /proc/<pid>/stat over the measured window, RSS
# high-water mark VmHWM) and per mode the ratios Stagecoach work ÷ Bolt
# bare acks and Stagecoach work ÷ Bolt real work, with the machine's load
# (uptime) before and after. At the defaults (3 servers × 3 modes, 3 s
# warm-up + 15 s + ≤ 3 s drain each) a run takes about 4–5 minutes with the
# builds and the npm install. Every step is bounded in time; the traps
# stop everything the script started and remove its temporary folder.
set -euo pipefail

RATE=${RATE:-2000}
DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-3s}
DRAIN=${DRAIN:-3s}
CONNS=${CONNS:-50}
MAX_CONNS=${MAX_CONNS:-10}
MODES=${MODES:-max 2000 3000}
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
MIX=${MIX:-show=100}
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

# MODE_LOAD[i]: "max" or a rate; MODE_MIX[i]: its mix; MODE_NAME[i]: the
# table's "load" column.
MODE_LOAD=() MODE_MIX=() MODE_NAME=()
for spec in $MODES; do
	ld=${spec%%@*} mix=$MIX
	case $spec in *@*) mix=${spec#*@} ;; esac
	[ "$ld" = rate ] && ld=$RATE
	case $ld in
	max) MODE_NAME+=("closed c$MAX_CONNS") ;;
	*[!0-9]* | "") die "MODES: $spec: want max, rate or a rate in req/s, optionally @<mix>" ;;
	*) MODE_NAME+=("open ${ld}/s") ;;
	esac
	[ -n "$mix" ] || die "MODES: $spec: empty mix"
	MODE_LOAD+=("$ld") MODE_MIX+=("$mix")
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

	prefix() { # tag: copies stdin to stdout, each line tagged
		local l
		while IFS= read -r l; do printf '  [%s] %s\n' "$1" "$l"; done
	}
	load() { # name mode-index path port pids -> the two summary lines in ACK/WORKL[name.mode]
		local name=$1 mode=$2 path=$3 port=$4 pids=$5 out rc=0
		local args=(-target "http://127.0.0.1:$port" -path "$path" -secret "$SECRET" -duration "$DURATION"
			-warmup "$WARMUP" -drain "$DRAIN" -deals "$DEALS" -mix "${MODE_MIX[$mode]}" -users "$USERS" -channels "$CHANNELS"
			-timeout 3s -team "TBENCH${name}${mode}$$" -receive "127.0.0.1:$FAKE_PORT" -cpu-pids "$pids"
			-max-requests 5000000)
		if [ "${MODE_LOAD[$mode]}" = max ]; then
			args+=(-rate 0 -connections "$MAX_CONNS")
		else
			args+=(-rate "${MODE_LOAD[$mode]}" -connections "$CONNS")
		fi
		local label="${MODE_NAME[$mode]} ${MODE_MIX[$mode]}"
		log "$name $label: stagecoach-load ${args[*]}"
		out=$(timeout "$run_timeout" "${LOAD_PIN[@]}" "$BIN/stagecoach-load" "${args[@]}" 2> >(prefix "$name $label" >&2)) || rc=$?
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
		for mode in "${!MODE_LOAD[@]}"; do
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
		awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "n/a"; else printf "%.2f×", a / b }'
	}
	orna() { if [ -n "$1" ]; then echo "$1"; else echo "-"; fi; }
	row() { printf '| %-10s | %-11s | %-10s | %8s | %8s | %6s | %6s | %7s | %7s | %9s | %9s | %8s | %8s | %6s |\n' "$@"; }
	mixcol() { echo "$1"; }
	# Bare Bolt does no work: the load tool counts its in-ack "noted" as an
	# answer, which is not the work the others do.
	workcol() { if [ "$1" = bolt ]; then echo "(none)"; else orna "$(field "$2" work)"; fi; }
	echo
	echo "== stagecoach vs bolt $BOLT_VERSION: ${DURATION} per run after ${WARMUP} warm-up; open loop ${CONNS} connections, closed loop ${MAX_CONNS} =="
	echo "tool: cmd/stagecoach-load -receive (closed loop: -rate 0 -connections $MAX_CONNS; open loop: -rate R -connections $CONNS); Redis AOF everysec"
	echo "load before: $UPTIME_BEFORE"
	echo "load after:  $(uptime)"
	local mode srv
	for mode in "${!MODE_LOAD[@]}"; do
		for srv in $SERVERS; do
			[ -n "${ACK[$srv.$mode]:-}" ] || continue
			printf '%-10s %-11s %s\n' "$srv" "${MODE_NAME[$mode]}" "${ACK[$srv.$mode]}"
			if [ -n "${WORKL[$srv.$mode]:-}" ]; then printf '%-10s %-11s %s\n' "" "" "${WORKL[$srv.$mode]}"; fi
		done
	done
	echo
	row server load mix acks/s work/s busy failed "ack p50" "ack p99" "reply p50" "reply p99" "CPU µs" "Redis µs" "RSS MB"
	echo "|------------|-------------|------------|----------|----------|--------|--------|---------|---------|-----------|-----------|----------|----------|--------|"
	local a w
	for mode in "${!MODE_LOAD[@]}"; do
		for srv in $SERVERS; do
			a=${ACK[$srv.$mode]:-} w=${WORKL[$srv.$mode]:-}
			[ -n "$a" ] || continue
			row "$srv" "${MODE_NAME[$mode]}" "$(mixcol "${MODE_MIX[$mode]}")" \
				"$(orna "$(field "$a" throughput)")" "$(workcol "$srv" "$w")" "$(orna "$(field "$w" busy)")" "$(orna "$(field "$w" failed)")" \
				"$(orna "$(field "$a" p50_ms)")" "$(orna "$(field "$a" p99_ms)")" \
				"$(orna "$(field "$w" reply_p50_ms)")" "$(orna "$(field "$w" reply_p99_ms)")" \
				"$(orna "$(field "$w" "cpu_us_per_cmd_$srv")")" "$(orna "$(field "$w" cpu_us_per_cmd_redis)")" "${HWM[$srv.$mode]:--}"
		done
	done
	echo
	echo "acks/s counts every 2xx ack, busy ones included; work/s counts only replies with the work that reached the fake Slack"
	echo "(response_url and chat.*, or a real answer in the ack); bare Bolt only acks, so it has none. Latencies in ms; reply = ack → first reply at"
	echo "the fake; CPU µs per answered command over the measured window (server; Redis); RSS = VmHWM of the server process."
	echo
	echo "| load | mix | Stagecoach work ÷ Bolt bare acks | Stagecoach work ÷ Bolt real work |"
	echo "|------|-----|-----------------------------------|----------------------------------|"
	local sw bb bw
	for mode in "${!MODE_LOAD[@]}"; do
		sw=$(field "${WORKL[stagecoach.$mode]:-}" work)
		bb=$(field "${ACK[bolt.$mode]:-}" throughput)
		bw=$(field "${WORKL[boltwork.$mode]:-}" work)
		printf '| %s | %s | %s | %s |\n' "${MODE_NAME[$mode]}" "$(mixcol "${MODE_MIX[$mode]}")" "$(ratio "$sw" "$bb")" "$(ratio "$sw" "$bw")"
	done
}

if [ "${1:-}" = --inner ]; then
	UPTIME_BEFORE=$3
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
# The whole measurement is bounded: per run warm-up + measured + drain plus
# a margin for the server's start and the deals' setup.
n_srv=$(wc -w <<<"$SERVERS")
INNER_TIMEOUT=$((n_srv * ${#MODE_LOAD[@]} * ($(secs "$DURATION") + $(secs "$WARMUP") + $(secs "$DRAIN") + 40) + 60))

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

UPTIME_BEFORE=$(uptime)
log "load: $UPTIME_BEFORE"
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
	BENCH_NETNS=1 timeout "$INNER_TIMEOUT" unshare -n bash "$0" --inner "$WORK" "$UPTIME_BEFORE"
else
	log "unshare -n not available: running on the host (everything still binds and targets 127.0.0.1)"
	timeout "$INNER_TIMEOUT" bash "$0" --inner "$WORK" "$UPTIME_BEFORE"
fi
