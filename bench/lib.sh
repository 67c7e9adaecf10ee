# shellcheck shell=bash
# Shared by bench/compare.sh and bench/worker_pool.sh (sourced, not run).
# Everything here works on loopback only and on processes this script started.

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$REPO_DIR/build-bench}"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Builds the Release binaries the benchmarks use (the same tree `make bench` builds).
build_release() {
  if [[ "${SKIP_BUILD:-0}" == 1 && -x "$BUILD_DIR/upkeep" ]]; then return 0; fi
  log "building Release in $BUILD_DIR"
  local out
  if ! out=$(cmake -S "$REPO_DIR" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release \
    -DUPKEEP_BUILD_BENCH=ON -DUPKEEP_BUILD_TESTS=OFF 2>&1 &&
    cmake --build "$BUILD_DIR" -j"$(nproc)" --target upkeep tick_cost slow_clients 2>&1); then
    printf '%s\n' "$out" | tail -40 >&2
    die "the Release build failed"
  fi
}

# A TCP port nothing listens on or uses now, and not handed out before by this script.
declare -a CHOSEN_PORTS=()
free_port() {
  local port
  for _ in $(seq 200); do
    port=$((20000 + RANDOM % 40000))
    [[ " ${CHOSEN_PORTS[*]} " == *" $port "* ]] && continue
    if ! ss -Htan "( sport = :$port or dport = :$port )" | grep -q .; then
      CHOSEN_PORTS+=("$port")
      echo "$port"
      return 0
    fi
  done
  return 1
}

# Waits up to $3 seconds (default 15) for URL $1 to answer HTTP status $2.
wait_http() {
  local url=$1 want=${2:-200} limit=${3:-15} code
  local deadline=$((SECONDS + limit))
  while ((SECONDS < deadline)); do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$url" || true)
    [[ "$code" == "$want" ]] && return 0
    sleep 0.1
  done
  return 1
}

# PIDs started by the sourcing script; stop_all ends exactly these (children included).
declare -a STARTED_PIDS=()
track() { STARTED_PIDS+=("$1"); }

stop_pid() {
  local pid=$1
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
}

stop_all() {
  local pid
  for pid in "${STARTED_PIDS[@]}"; do stop_pid "$pid"; done
  STARTED_PIDS=()
}

# Memory of PID $1 from /proc/PID/status, in KiB: "<RssAnon> <VmRSS> <VmHWM> <Threads>".
proc_memory() {
  awk '/^RssAnon:/ {a=$2} /^VmRSS:/ {r=$2} /^VmHWM:/ {h=$2} /^Threads:/ {t=$2}
       END {print a+0, r+0, h+0, t+0}' "/proc/$1/status"
}

# CPU time of PIDs "$@" (and their child processes, for nginx's workers), in clock ticks:
# utime + stime from /proc/PID/stat (fields 14 and 15; field 2 may contain spaces).
cpu_ticks() {
  local total=0 pid child stat rest
  local -a pids=("$@") f
  for pid in "$@"; do
    for child in $(pgrep -P "$pid" 2>/dev/null); do pids+=("$child"); done
  done
  for pid in "${pids[@]}"; do
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
    rest=${stat##*) }
    # rest starts at field 3 (state): utime is its 12th word, stime its 13th.
    read -r -a f <<<"$rest"
    total=$((total + f[11] + f[12]))
  done
  echo "$total"
}

# Nanoseconds on the CPU of every thread of PID $1 (/proc/PID/task/*/schedstat, field 1):
# the same as cpu_ticks, with nanosecond rather than 10 ms resolution.
cpu_ns() {
  local total=0 run _ f
  for f in /proc/"$1"/task/*/schedstat; do
    read -r run _ <"$f" 2>/dev/null || continue
    total=$((total + run))
  done
  echo "$total"
}

load_average() { cut -d' ' -f1-3 /proc/loadavg; }

machine_line() {
  local model
  model=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
  printf '%s cores, %s, Linux %s' "$(nproc)" "${model:-unknown CPU}" "$(uname -r)"
}

# Replaces the block between "<!-- BEGIN $2 -->" and "<!-- END $2 -->" in file $1 with the
# contents of file $3 (appends the block if the markers are missing).
replace_block() {
  local file=$1 name=$2 content=$3 begin end
  begin="<!-- BEGIN $name (generated; re-run to refresh) -->"
  end="<!-- END $name -->"
  touch "$file"
  if grep -qF "$begin" "$file" && grep -qF "$end" "$file"; then
    awk -v begin="$begin" -v end="$end" -v content="$content" '
      $0 == begin { print; while ((getline line < content) > 0) print line; skip = 1; next }
      $0 == end { skip = 0 }
      !skip { print }' "$file" >"$file.tmp"
    mv "$file.tmp" "$file"
  else
    { printf '\n%s\n' "$begin"; cat "$content"; printf '%s\n' "$end"; } >>"$file"
  fi
}
