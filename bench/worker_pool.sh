#!/usr/bin/env bash
# bench/worker_pool.sh: is /metrics still there for a fresh client while the worker pool is
# under siege? (Measured to choose the web.threads and timeout defaults.)
#
# For each web.threads in THREADS and each web.request_timeout in TIMEOUTS (the rest at
# upkeep's defaults), on loopback:
#   - wrk holds WRK_CONNS keep-alive connections scraping /metrics as fast as it can;
#   - bench/slow_clients holds SLOW_CLIENTS connections that trickle their request headers
#     one byte a second (reconnecting when the server drops them);
#   - after SETTLE seconds, PROBES sequential curl requests from a fresh connection each,
#     each allowed PROBE_TIMEOUT seconds (Prometheus' default scrape_timeout is 10 s),
#     for at most PROBE_BUDGET seconds in all: success rate and latency;
#   - upkeep's RssAnon: idle after start, and the highest seen under the load.
# Prints a table and writes it to bench/RESULTS.md (between its "worker_pool.sh" markers).
#
# Settings (environment): THREADS="64 256 384 512 1024" TIMEOUTS="5s 10s 30s" WRK_CONNS=256
#   SLOW_CLIENTS=200 PROBES=50 PROBE_TIMEOUT=10 PROBE_BUDGET=60 SETTLE=5 SKIP_BUILD=0
#   RESULTS_FILE=bench/RESULTS.md (empty: do not write it)
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

COMMAND=""
for var in THREADS TIMEOUTS WRK_CONNS SLOW_CLIENTS PROBES PROBE_TIMEOUT PROBE_BUDGET SETTLE; do
  [[ -n "${!var+x}" ]] && COMMAND+="$var=\"${!var}\" "
done
COMMAND+="bench/worker_pool.sh"
THREADS=${THREADS:-64 256 384 512 1024}
TIMEOUTS=${TIMEOUTS:-5s 10s 30s}
WRK_CONNS=${WRK_CONNS:-256}
SLOW_CLIENTS=${SLOW_CLIENTS:-200}
PROBES=${PROBES:-50}
PROBE_TIMEOUT=${PROBE_TIMEOUT:-10}
PROBE_BUDGET=${PROBE_BUDGET:-60}
SETTLE=${SETTLE:-5}
RESULTS_FILE=${RESULTS_FILE-$BENCH_DIR/RESULTS.md}

for tool in wrk curl ss cmake; do
  command -v "$tool" >/dev/null || die "$tool not found (run: scripts/install-deps.sh bench)"
done
ulimit -n 65536 2>/dev/null || true  # 1024 workers + 456 client sockets

TMP=$(mktemp -d /tmp/upkeep-pool.XXXXXX)
cleanup() {
  stop_all
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
MACHINE=$(machine_line)
build_release
UPKEEP="$BUILD_DIR/upkeep"
SLOW="$BUILD_DIR/bench/slow_clients"
ROWS="$TMP/rows.md"
: >"$ROWS"

# Highest RssAnon (KiB) of PID $1 seen so far, kept in MAX_ANON.
sample_anon() {
  local anon
  read -r anon _ < <(proc_memory "$1" 2>/dev/null || echo 0)
  ((anon > MAX_ANON)) && MAX_ANON=$anon
  return 0
}

for threads in $THREADS; do
  for timeout in $TIMEOUTS; do
    load=$(load_average)
    port=$(free_port)
    cat >"$TMP/upkeep.yaml" <<EOF
web:
  listen_address: "127.0.0.1:$port"
  threads: $threads
  request_timeout: $timeout
EOF
    "$UPKEEP" --config "$TMP/upkeep.yaml" >"$TMP/upkeep.log" 2>&1 &
    up_pid=$!
    track "$up_pid"
    wait_http "http://127.0.0.1:$port/-/ready" 200 ||
      die "upkeep did not start: $(cat "$TMP/upkeep.log")"
    sleep 1
    read -r idle_anon idle_rss _ _ < <(proc_memory "$up_pid")
    MAX_ANON=$idle_anon

    # wrk and the slow clients outlast the probes.
    total=$((SETTLE + PROBE_BUDGET + PROBE_TIMEOUT + 20))
    wrk -t2 -c"$WRK_CONNS" -d"${total}s" -s "$BENCH_DIR/wrk_report.lua" \
      "http://127.0.0.1:$port/metrics" >"$TMP/wrk.txt" 2>&1 &
    wrk_pid=$!
    track "$wrk_pid"
    sleep 1
    "$SLOW" --port "$port" --clients "$SLOW_CLIENTS" --seconds "$total" >"$TMP/slow.txt" 2>&1 &
    slow_pid=$!
    track "$slow_pid"
    sleep "$SETTLE"
    sample_anon "$up_pid"

    ok=0 attempted=0
    : >"$TMP/latencies"
    budget_end=$((SECONDS + PROBE_BUDGET))
    for _ in $(seq "$PROBES"); do
      ((SECONDS < budget_end)) || break
      result=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' --max-time "$PROBE_TIMEOUT" \
        "http://127.0.0.1:$port/metrics" || true)
      attempted=$((attempted + 1))
      code=${result%% *}
      if [[ "$code" == 200 ]]; then
        ok=$((ok + 1))
        echo "${result#* }" >>"$TMP/latencies"
      fi
      sample_anon "$up_pid"
    done
    sample_anon "$up_pid"

    kill -INT "$wrk_pid" 2>/dev/null || true  # wrk prints its summary on SIGINT
    wait "$wrk_pid" 2>/dev/null || true
    stop_all  # the slow clients and upkeep
    rps=$(grep -o 'rps=[0-9.]*' "$TMP/wrk.txt" | cut -d= -f2 || true)
    drops=$(grep -o 'closed_by_peer=[0-9]*' "$TMP/slow.txt" | cut -d= -f2 || true)
    stats=$(sort -n "$TMP/latencies" | awk '{ v[NR] = $1 } END {
      if (NR == 0) { print "- / -"; exit }
      printf "%.1f / %.1f", v[int((NR + 1) / 2)] * 1000, v[NR] * 1000 }')
    rate=$(awk -v o="$ok" -v a="$attempted" 'BEGIN { printf "%.0f%%", a ? o / a * 100 : 0 }')
    printf '| %s | %s | %s/%s (%s) | %s | %.0f | %s | %.1f | %.1f | %.1f | %s |\n' \
      "$threads" "$timeout" "$ok" "$attempted" "$rate" "$stats" "${rps:-0}" "${drops:-0}" \
      "$(awk -v k="$idle_anon" 'BEGIN { print k / 1024 }')" \
      "$(awk -v k="$MAX_ANON" 'BEGIN { print k / 1024 }')" \
      "$(awk -v k="$idle_rss" 'BEGIN { print k / 1024 }')" "$load" | tee -a "$ROWS"
  done
done

REPORT="$TMP/report.md"
{
  echo "Run: $DATE, \`$COMMAND\`. Machine: $MACHINE."
  echo
  echo "Load: wrk -t2 -c$WRK_CONNS keep-alive on /metrics, plus $SLOW_CLIENTS clients" \
    "trickling header bytes 1/s (reconnecting when dropped), settled for ${SETTLE}s; then" \
    "up to $PROBES sequential fresh curl GET /metrics, --max-time $PROBE_TIMEOUT s each," \
    "at most ${PROBE_BUDGET}s in all. keep_alive_timeout at its default (10s)."
  echo
  echo "| web.threads | request_timeout | fresh-client successes | latency median / max ms |" \
    "wrk req/s | slow clients dropped | RssAnon idle MiB | RssAnon max under load MiB |" \
    "VmRSS idle MiB | load avg |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  cat "$ROWS"
} >"$REPORT"
echo
cat "$REPORT"
if [[ -n "$RESULTS_FILE" ]]; then
  replace_block "$RESULTS_FILE" "worker_pool.sh" "$REPORT"
  log "wrote $RESULTS_FILE"
fi
