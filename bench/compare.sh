#!/usr/bin/env bash
# bench/compare.sh (make bench-compare): upkeep side by side with Debian's node_exporter and
# with nginx serving upkeep's own bytes as static files, on loopback, in one run.
#
#   1. builds Release (build-bench/), starts upkeep (default settings, loopback, a free port;
#      with an admin token when `upkeep token` exists), prometheus-node-exporter (default
#      collectors) and nginx (generated config in a temp dir, serving upkeep's /metrics body,
#      its gzip form and its health body with the same content types);
#   2. runs wrk (-t2, -c16 then -c256, -d10s) against each target in turn, interleaved
#      A/B/C and rotated each round, ROUNDS rounds: /metrics plain, /metrics with
#      Accept-Encoding: gzip, /api/system/health;
#   3. reads upkeep's RssAnon/VmRSS after the load, its CPU over IDLE_SECONDS idle at the
#      default 1 s sample interval, and the CPU per sample tick split into reading, rendering
#      and compressing (bench/tick_cost);
#   4. prints one table with the ratios and the targets, and writes them to bench/RESULTS.md
#      (between its "compare.sh" markers) with the exact command and the machine.
#
# Everything it starts it stops (also on error or Ctrl-C); nothing listens beyond loopback.
#
# Settings (environment): ROUNDS=3 DURATION=10s WRK_THREADS=2 CONNECTIONS="16 256"
#   IDLE_SECONDS=60 TICKS=2000 SKIP_BUILD=0 RESULTS_FILE=bench/RESULTS.md
#   QUICK=1: a short smoke run (1 round of 2 s, 5 s idle) that does not touch RESULTS.md
#   unless RESULTS_FILE is given. The recorded run uses the defaults.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# The exact command, as run: the settings given in the environment, then the script.
COMMAND=""
for var in ROUNDS DURATION WRK_THREADS CONNECTIONS IDLE_SECONDS TICKS QUICK; do
  [[ -n "${!var+x}" ]] && COMMAND+="$var=\"${!var}\" "
done
COMMAND+="bench/compare.sh"

QUICK=${QUICK:-0}
if [[ "$QUICK" == 1 ]]; then
  ROUNDS=${ROUNDS:-1} DURATION=${DURATION:-2s} IDLE_SECONDS=${IDLE_SECONDS:-5} TICKS=${TICKS:-200}
  COLD_TICKS=10
  RESULTS_FILE=${RESULTS_FILE:-}
else
  COLD_TICKS=50
  RESULTS_FILE=${RESULTS_FILE-$BENCH_DIR/RESULTS.md}
fi
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
WRK_THREADS=${WRK_THREADS:-2}
CONNECTIONS=${CONNECTIONS:-16 256}
IDLE_SECONDS=${IDLE_SECONDS:-60}
TICKS=${TICKS:-2000}
NODE_EXPORTER=${NODE_EXPORTER:-/usr/bin/prometheus-node-exporter}
WRK_TIMEOUT=2s  # wrk's default, stated: a request slower than this counts as an error

for tool in wrk nginx curl ss pgrep gzip cmake "$NODE_EXPORTER"; do
  command -v "$tool" >/dev/null || die "$tool not found (run: scripts/install-deps.sh bench)"
done

TMP=$(mktemp -d /tmp/upkeep-compare.XXXXXX)
chmod 755 "$TMP"  # nginx's workers run as www-data and read the files below
cleanup() {
  stop_all
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
MACHINE=$(machine_line)
LOAD_START=$(load_average)
log "machine: $MACHINE; load average: $LOAD_START"
if awk -v l="${LOAD_START%% *}" 'BEGIN { exit !(l > 0.5) }'; then
  log "warning: the machine is not idle (load $LOAD_START): figures will be noisy"
fi

build_release
UPKEEP="$BUILD_DIR/upkeep"
TICK_COST="$BUILD_DIR/bench/tick_cost"

# --- start the three servers ------------------------------------------------------------
UP_PORT=$(free_port)
NE_PORT=$(free_port)
NG_PORT=$(free_port)

AUTH_MODE="off: this build has no \`upkeep token\` command (auth not implemented yet)"
AUTH_HEADER=()
AUTH_YAML=""
if "$UPKEEP" token --help >/dev/null 2>&1; then
  tokens="$TMP/tokens"
  # It prints the token alone on stdout (the advice goes to stderr).
  created=$("$UPKEEP" token create --name bench --role admin --tokens-file "$tokens" \
    2>"$TMP/token.err") || die "upkeep token create failed: $(cat "$TMP/token.err")"
  token=$(grep -m1 -E '^[A-Za-z0-9._~+/=-]{16,}$' <<<"$created" || true)
  [[ -n "$token" ]] || die "cannot find the token in: $created"
  AUTH_HEADER=(-H "Authorization: Bearer $token")
  AUTH_YAML=$'auth:\n  tokens_file: '"$tokens"
  AUTH_MODE="on: admin token from \`upkeep token create --role admin\`, sent as a Bearer header"
fi

cat >"$TMP/upkeep.yaml" <<EOF
# Default settings, on loopback.
web:
  listen_address: "127.0.0.1:$UP_PORT"
$AUTH_YAML
EOF
"$UPKEEP" --config "$TMP/upkeep.yaml" >"$TMP/upkeep.log" 2>&1 &
UP_PID=$!
track "$UP_PID"
wait_http "http://127.0.0.1:$UP_PORT/-/ready" 200 ||
  die "upkeep did not become ready: $(cat "$TMP/upkeep.log")"

HEALTH_URL="http://127.0.0.1:$UP_PORT/api/system/health"
if ((${#AUTH_HEADER[@]})); then
  code=$(curl -s -o /dev/null -w '%{http_code}' "$HEALTH_URL")
  [[ "$code" == 401 ]] || die "auth is on but /api/system/health without a token gave $code"
  code=$(curl -s -o /dev/null -w '%{http_code}' "${AUTH_HEADER[@]}" "$HEALTH_URL")
  [[ "$code" == 200 ]] || die "the admin token was refused by /api/system/health ($code)"
fi
log "auth: $AUTH_MODE"

"$NODE_EXPORTER" --web.listen-address="127.0.0.1:$NE_PORT" >"$TMP/node_exporter.log" 2>&1 &
NE_PID=$!
track "$NE_PID"
wait_http "http://127.0.0.1:$NE_PORT/metrics" 200 ||
  die "node_exporter did not start: $(cat "$TMP/node_exporter.log")"
NE_VERSION=$("$NODE_EXPORTER" --version 2>&1 | head -1)

# nginx serves upkeep's bytes of this moment: /metrics, its gzip form, the health JSON.
mkdir -p "$TMP/www/api/system" "$TMP/nginx-temp"
curl -sf "${AUTH_HEADER[@]}" "http://127.0.0.1:$UP_PORT/metrics" -o "$TMP/www/metrics"
curl -sf "${AUTH_HEADER[@]}" -H 'Accept-Encoding: gzip' "http://127.0.0.1:$UP_PORT/metrics" \
  -o "$TMP/www/metrics.gz"
curl -sf "${AUTH_HEADER[@]}" "$HEALTH_URL" -o "$TMP/www/api/system/health"
gzip -t "$TMP/www/metrics.gz" || die "upkeep's gzip /metrics body is not gzip"
chmod -R a+rX "$TMP/www"
METRICS_BYTES=$(stat -c %s "$TMP/www/metrics")
GZIP_BYTES=$(stat -c %s "$TMP/www/metrics.gz")
HEALTH_BYTES=$(stat -c %s "$TMP/www/api/system/health")
NE_BYTES=$(curl -s "http://127.0.0.1:$NE_PORT/metrics" | wc -c)
NE_GZIP_BYTES=$(curl -s -H 'Accept-Encoding: gzip' "http://127.0.0.1:$NE_PORT/metrics" | wc -c)

cat >"$TMP/nginx.conf" <<EOF
# Generated by bench/compare.sh: static copies of upkeep's bodies, nothing else.
worker_processes auto;
pid $TMP/nginx.pid;
error_log $TMP/nginx-error.log warn;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nodelay on;
  # An upper bound: never close a busy keep-alive connection (the default is 1000 requests),
  # and keep the files open (without this cache nginx opens, stats and closes the file on
  # every request; measured here: about half the req/s).
  keepalive_requests 100000000;
  open_file_cache max=16 inactive=600s;
  open_file_cache_valid 600s;
  client_body_temp_path $TMP/nginx-temp/body;
  proxy_temp_path $TMP/nginx-temp/proxy;
  fastcgi_temp_path $TMP/nginx-temp/fastcgi;
  uwsgi_temp_path $TMP/nginx-temp/uwsgi;
  scgi_temp_path $TMP/nginx-temp/scgi;
  types {}
  server {
    listen 127.0.0.1:$NG_PORT;
    root $TMP/www;
    location = /metrics {
      default_type "text/plain; version=0.0.4; charset=utf-8";
      gzip_static on;  # metrics.gz for clients that accept gzip, as upkeep does
      gzip_vary on;
    }
    location = /api/system/health { default_type application/json; }
  }
}
EOF
nginx -t -q -e "$TMP/nginx-error.log" -c "$TMP/nginx.conf" || die "nginx config rejected"
nginx -e "$TMP/nginx-error.log" -c "$TMP/nginx.conf" &
NG_PID=$!
track "$NG_PID"
wait_http "http://127.0.0.1:$NG_PORT/metrics" 200 ||
  die "nginx did not start: $(cat "$TMP/nginx-error.log")"
cmp -s <(curl -s "http://127.0.0.1:$NG_PORT/metrics") "$TMP/www/metrics" ||
  die "nginx does not serve upkeep's /metrics bytes"
curl -s -D - -o /dev/null -H 'Accept-Encoding: gzip' "http://127.0.0.1:$NG_PORT/metrics" |
  grep -qi '^content-encoding: gzip' || die "nginx does not serve the gzip body"
NG_VERSION=$(nginx -v 2>&1)
log "upkeep :$UP_PORT (pid $UP_PID), node_exporter :$NE_PORT, nginx :$NG_PORT"

# --- load: wrk, interleaved ------------------------------------------------------------
declare -A URL PIDS
URL[upkeep,metrics]="http://127.0.0.1:$UP_PORT/metrics"
URL[node_exporter,metrics]="http://127.0.0.1:$NE_PORT/metrics"
URL[nginx,metrics]="http://127.0.0.1:$NG_PORT/metrics"
URL[upkeep,health]="$HEALTH_URL"
URL[nginx,health]="http://127.0.0.1:$NG_PORT/api/system/health"
PIDS[upkeep]=$UP_PID
PIDS[node_exporter]=$NE_PID
PIDS[nginx]=$NG_PID
TARGETS=(upkeep node_exporter nginx)
SCENARIOS=(metrics metrics_gzip health)
CLK_TCK=$(getconf CLK_TCK)
RAW="$TMP/raw.tsv"
: >"$RAW"
MAX_ANON=0
LOADS=""

# run_wrk ROUND CONNS SCENARIO TARGET: one wrk run; appends a row to $RAW.
run_wrk() {
  local round=$1 conns=$2 scenario=$3 target=$4 url out before after line
  url=${URL[$target,${scenario%_gzip}]:-}
  [[ -n "$url" ]] || return 0  # node_exporter has no health endpoint
  local -a headers=("${AUTH_HEADER[@]}")
  [[ "$scenario" == metrics_gzip ]] && headers+=(-H 'Accept-Encoding: gzip')
  out="$TMP/wrk-$round-$conns-$scenario-$target.txt"
  local load
  load=$(cut -d' ' -f1 /proc/loadavg)
  before=$(cpu_ticks "${PIDS[$target]}")
  timeout 300 wrk -t"$WRK_THREADS" -c"$conns" -d"$DURATION" --timeout "$WRK_TIMEOUT" \
    -s "$BENCH_DIR/wrk_report.lua" "${headers[@]}" "$url" >"$out" 2>&1 || true
  after=$(cpu_ticks "${PIDS[$target]}")
  line=$(grep '^WRK_RESULT' "$out" || true)
  [[ -n "$line" ]] || die "wrk failed against $target: $(cat "$out")"
  # shellcheck disable=SC2086
  local -A r=()
  local kv
  for kv in ${line#WRK_RESULT }; do r[${kv%%=*}]=${kv#*=}; done
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$conns" "$scenario" \
    "$target" "${r[seconds]}" "${r[requests]}" "${r[status]}" "${r[errors]}" "${r[p50_us]}" \
    "${r[p99_us]}" "$((after - before))" "$load" >>"$RAW"
  log "round $round c$conns $scenario $target: ${r[rps]} req/s, p50 ${r[p50_us]} us," \
    "p99 ${r[p99_us]} us, errors ${r[errors]}"
  if [[ "$target" == upkeep && "$conns" -ge 256 ]]; then
    local anon
    read -r anon _ < <(proc_memory "$UP_PID")
    ((anon > MAX_ANON)) && MAX_ANON=$anon
  fi
  sleep 1  # let TIME_WAIT sockets and the CPU settle between runs
}

for round in $(seq "$ROUNDS"); do
  LOADS+="round $round: $(load_average); "
  # Rotate the order each round (A/B/C, B/C/A, C/A/B) so no target always goes first.
  order=()
  for i in 0 1 2; do order+=("${TARGETS[$(((i + round - 1) % 3))]}"); done
  for conns in $CONNECTIONS; do
    for scenario in "${SCENARIOS[@]}"; do
      for target in "${order[@]}"; do
        kill -0 "$UP_PID" 2>/dev/null || die "upkeep died: $(tail -20 "$TMP/upkeep.log")"
        run_wrk "$round" "$conns" "$scenario" "$target"
      done
    done
  done
done

# --- memory after the load, CPU while idle -----------------------------------------------
read -r ANON_KB RSS_KB HWM_KB THREADS < <(proc_memory "$UP_PID")
((ANON_KB > MAX_ANON)) && MAX_ANON=$ANON_KB
read -r NE_ANON NE_RSS _ _ < <(proc_memory "$NE_PID")
NG_ANON=0
NG_RSS=0
for pid in "$NG_PID" $(pgrep -P "$NG_PID"); do
  read -r a r _ _ < <(proc_memory "$pid")
  NG_ANON=$((NG_ANON + a))
  NG_RSS=$((NG_RSS + r))
done
log "upkeep after the load: RssAnon $ANON_KB KiB, VmRSS $RSS_KB KiB, $THREADS threads"

log "measuring idle CPU for ${IDLE_SECONDS}s"
sleep 2
LOAD_IDLE_START=$(load_average)
idle_ticks0=$(cpu_ticks "$UP_PID")
idle_ns0=$(cpu_ns "$UP_PID")
sleep "$IDLE_SECONDS"
idle_ticks1=$(cpu_ticks "$UP_PID")
idle_ns1=$(cpu_ns "$UP_PID")
IDLE_PCT_STAT=$(awk -v t=$((idle_ticks1 - idle_ticks0)) -v hz="$CLK_TCK" -v s="$IDLE_SECONDS" \
  'BEGIN { printf "%.3f", t / hz / s * 100 }')
IDLE_PCT=$(awk -v n=$((idle_ns1 - idle_ns0)) -v s="$IDLE_SECONDS" \
  'BEGIN { printf "%.3f", n / 1e9 / s * 100 }')
IDLE_US_PER_TICK=$(awk -v n=$((idle_ns1 - idle_ns0)) -v s="$IDLE_SECONDS" \
  'BEGIN { printf "%.0f", n / 1e3 / s }')
log "idle CPU: $IDLE_PCT% of one core (schedstat), $IDLE_PCT_STAT% (utime+stime)"
stop_all

# --- CPU per sample tick ------------------------------------------------------------------
LOAD_TICK=$(load_average)
declare -A HOT COLD
while IFS='=' read -r k v; do HOT[$k]=$v; done < <("$TICK_COST" --ticks "$TICKS")
while IFS='=' read -r k v; do COLD[$k]=$v; done < <("$TICK_COST" --ticks "$COLD_TICKS" \
  --pause-ms 200)
LOAD_END=$(load_average)

# --- the tables ------------------------------------------------------------------------------
# Medians over the rounds per (connections, scenario, target); req/s counts good responses.
AGG="$TMP/agg.tsv"
awk -F'\t' -v hz="$CLK_TCK" '
  function median(list,   n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) {  # insertion sort: mawk has no asort
      t = a[i]
      for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]
      a[j + 1] = t
    }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  {
    k = $2 "\t" $3 "\t" $4
    if (!(k in rps)) order[++n] = k
    rps[k] = rps[k] " " ($6 - $7) / $5; p50[k] = p50[k] " " $9; p99[k] = p99[k] " " $10
    err[k] += $8; req[k] += $6; cpu[k] += $11
  }
  END {
    for (i = 1; i <= n; i++) {
      k = order[i]
      printf "%s\t%.0f\t%.3f\t%.3f\t%d\t%.1f\n", k, median(rps[k]), median(p50[k]) / 1000,
        median(p99[k]) / 1000, err[k], req[k] ? cpu[k] / hz * 1e6 / req[k] : 0
    }
  }' "$RAW" >"$AGG"

# get CONNS SCENARIO TARGET COLUMN (4 rps, 5 p50 ms, 6 p99 ms, 7 errors, 8 cpu us/req)
get() { awk -F'\t' -v c="$1" -v s="$2" -v t="$3" -v col="$4" \
  '$1 == c && $2 == s && $3 == t { print $col; found = 1 } END { if (!found) print "-" }' "$AGG"; }
latency() {  # latency CONNS SCENARIO TARGET: "p50 / p99" in ms
  local p50
  p50=$(get "$1" "$2" "$3" 5)
  if [[ "$p50" == - ]]; then echo -; else echo "$p50 / $(get "$1" "$2" "$3" 6)"; fi
}
ratio() {
  awk -v a="$1" -v b="$2" \
    'BEGIN { if (b == "-" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'
}
# triple CONNS SCENARIO COLUMN: "upkeep/node_exporter/nginx" values of one column
triple() {
  local t out=""
  for t in upkeep node_exporter nginx; do out+="${out:+/}$(get "$1" "$2" "$t" "$3")"; done
  echo "$out"
}

REPORT="$TMP/report.md"
{
  echo "Run: $DATE, \`$COMMAND\` (\`make bench-compare\` runs \`bench/compare.sh\`)."
  echo
  echo "- Machine: $MACHINE."
  echo "- Load average (1/5/15 min): start $LOAD_START; ${LOADS}idle phase $LOAD_IDLE_START;" \
    "tick phase $LOAD_TICK; end $LOAD_END."
  echo "- wrk: -t$WRK_THREADS, -d$DURATION, --timeout $WRK_TIMEOUT, connections: $CONNECTIONS;" \
    "$ROUNDS rounds, targets interleaved and rotated each round; figures are medians over" \
    "the rounds; req/s counts good (2xx) responses only."
  echo "- Targets: $("$UPKEEP" --version | head -1) (default settings); $NE_VERSION" \
    "(default collectors); $NG_VERSION serving upkeep's bodies as static files."
  echo "- Bodies: upkeep /metrics $METRICS_BYTES B ($GZIP_BYTES B gzip), health" \
    "$HEALTH_BYTES B; node_exporter /metrics $NE_BYTES B ($NE_GZIP_BYTES B gzip)."
  echo "- Auth: $AUTH_MODE."
  echo
  echo "| endpoint | conns | upkeep req/s | node_exporter req/s | nginx req/s |" \
    "upkeep/node_exporter | upkeep/nginx | p50 / p99 ms: upkeep | node_exporter | nginx |" \
    "errors u/ne/ng | server CPU µs/req u/ne/ng |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for conns in $CONNECTIONS; do
    for scenario in "${SCENARIOS[@]}"; do
      u=$(get "$conns" "$scenario" upkeep 4)
      ne=$(get "$conns" "$scenario" node_exporter 4)
      ng=$(get "$conns" "$scenario" nginx 4)
      case $scenario in
        metrics) name="/metrics" ;;
        metrics_gzip) name="/metrics gzip" ;;
        health) name="/api/system/health" ;;
      esac
      echo "| $name | $conns | $u | $ne | $ng | $(ratio "$u" "$ne") | $(ratio "$u" "$ng") |" \
        "$(latency "$conns" "$scenario" upkeep) | $(latency "$conns" "$scenario" node_exporter) |" \
        "$(latency "$conns" "$scenario" nginx) |" \
        "$(triple "$conns" "$scenario" 7) | $(triple "$conns" "$scenario" 8) |"
    done
  done
  echo
  echo "Per run (round, connections, endpoint, target: good req/s @ 1-min load average): $(
    awk -F'\t' '{ printf "r%s c%s %s %s: %.0f @ %s; ", $1, $2, $3, $4, ($6 - $7) / $5, $12 }' \
      "$RAW")"
  echo
  echo "Memory after the load (KiB): upkeep RssAnon $ANON_KB (highest seen after a" \
    "256-connection run: $MAX_ANON), VmRSS $RSS_KB, VmHWM $HWM_KB, $THREADS threads;" \
    "node_exporter RssAnon $NE_ANON, VmRSS $NE_RSS; nginx (master + workers) RssAnon" \
    "$NG_ANON, VmRSS $NG_RSS."
  echo
  echo "Idle CPU over ${IDLE_SECONDS} s at the 1 s sample interval: $IDLE_PCT% of one core" \
    "(every thread's schedstat run time; $IDLE_PCT_STAT% from utime+stime at 10 ms" \
    "resolution), i.e. ${IDLE_US_PER_TICK} µs of CPU per second."
  echo
  echo "CPU per sample tick (bench/tick_cost: Sampler::Tick() with the daemon's collectors on" \
    "the real /proc; wall-time split from TickCost, CPU from CLOCK_PROCESS_CPUTIME_ID):"
  echo
  echo "| ticks | read µs | render µs | gzip µs | wall µs | process CPU µs |" \
    "allocations/tick |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  echo "| $TICKS back to back (hot caches) | ${HOT[collect_us]} | ${HOT[render_us]} |" \
    "${HOT[compress_us]} | ${HOT[wall_us]} | ${HOT[process_cpu_us]} |" \
    "${HOT[allocs_per_tick]} (${HOT[alloc_bytes_per_tick]} B) |"
  echo "| $COLD_TICKS, 200 ms apart (cooler caches, like the daemon) | ${COLD[collect_us]} |" \
    "${COLD[render_us]} | ${COLD[compress_us]} | ${COLD[wall_us]} | ${COLD[process_cpu_us]} |" \
    "${COLD[allocs_per_tick]} (${COLD[alloc_bytes_per_tick]} B) |"
} >"$REPORT"

# --- targets --------------------------------------------------------------------------------
min_ratio() {  # min_ratio OTHER SCENARIO...: the lowest upkeep/OTHER req/s ratio
  local other=$1 best="" s c r
  shift
  for c in $CONNECTIONS; do
    for s in "$@"; do
      r=$(ratio "$(get "$c" "$s" upkeep 4)" "$(get "$c" "$s" "$other" 4)")
      [[ "$r" == - ]] && continue
      if [[ -z "$best" ]] || awk -v a="$r" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$r; fi
    done
  done
  echo "${best:--}"
}
verdict() {  # verdict VALUE OP LIMIT
  awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
    if (v == "-" || v == "") { print "n/a"; exit }
    ok = (op == ">=") ? (v + 0 >= l + 0) : (v + 0 <= l + 0); print ok ? "pass" : "**miss**" }'
}
R_NE=$(min_ratio node_exporter metrics metrics_gzip)
R_NG=$(min_ratio nginx metrics metrics_gzip)
R_HEALTH=$(min_ratio nginx health)
first_conns=${CONNECTIONS%% *}
P99=""
for s in "${SCENARIOS[@]}"; do
  v=$(get "$first_conns" "$s" upkeep 6)
  if [[ -z "$P99" ]] || awk -v a="$v" -v b="$P99" 'BEGIN { exit !(a > b) }'; then P99=$v; fi
done
TICK_CPU=${COLD[process_cpu_us]}
ANON_MIB=$(awk -v k="$MAX_ANON" 'BEGIN { printf "%.2f", k / 1024 }')
{
  echo
  echo "| figure | target | measured | verdict |"
  echo "|---|---|---|---|"
  echo "| /metrics req/s vs node_exporter (lowest of plain/gzip × conns) | ≥ 100× |" \
    "${R_NE}× | $(verdict "$R_NE" '>=' 100) |"
  echo "| /metrics req/s vs nginx static, same bytes (lowest of plain/gzip × conns) |" \
    "≥ 0.5× |" \
    "${R_NG}× | $(verdict "$R_NG" '>=' 0.5) |"
  echo "| /api/system/health req/s vs nginx static, same bytes (lowest over conns) | ≥ 0.5× |" \
    "${R_HEALTH}× | $(verdict "$R_HEALTH" '>=' 0.5) |"
  echo "| p99 latency at $first_conns connections (worst upkeep endpoint) | ≤ 2 ms |" \
    "$P99 ms | $(verdict "$P99" '<=' 2) |"
  echo "| one sample tick, read + render + gzip (process CPU, ticks 200 ms apart) |" \
    "≤ 150 µs CPU | $TICK_CPU µs (hot: ${HOT[process_cpu_us]} µs) |" \
    "$(verdict "$TICK_CPU" '<=' 150) |"
  echo "| idle CPU at 1 s interval | ≤ 0.1% of one core | $IDLE_PCT% |" \
    "$(verdict "$IDLE_PCT" '<=' 0.1) |"
  echo "| RssAnon after the load (256 connections) | ≤ 8 MiB | $ANON_MIB MiB (VmRSS" \
    "$(awk -v k="$RSS_KB" 'BEGIN { printf "%.1f", k / 1024 }') MiB) |" \
    "$(verdict "$ANON_MIB" '<=' 8) |"
} >>"$REPORT"

echo
cat "$REPORT"
if [[ -n "$RESULTS_FILE" ]]; then
  replace_block "$RESULTS_FILE" "compare.sh" "$REPORT"
  log "wrote $RESULTS_FILE"
fi
