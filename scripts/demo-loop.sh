#!/usr/bin/env bash
# `make demo`: the update loop end to end. Makes, under ./var/demo-loop (git-ignored, made anew
# at every start):
#   remote.git   a bare remote holding examples/render-manager's history, tagged v1.0.0
#   service/     its clone: npm ci, migrated, built, run by pm2 (PM2_HOME pm2/)
#   upkeep.yaml  the config that manages it; tokens, state/ (runs, logs, history)
# then runs upkeep in the foreground and prints, once, an admin token and what to try.
# scripts/demo-loop-release.sh pushes the next release. Ctrl-C (or SIGTERM) stops upkeep and
# the pm2 daemon this script started (pm2 kill with its PM2_HOME): nothing is left running.
#
# BUILD: upkeep's build directory (default build). Ports: DEMO_SERVICE_PORT (default 3000) for
# the render manager, DEMO_UPKEEP_PORT (default 10421; `make run` uses 10420) for upkeep; both
# on 127.0.0.1, and the start fails when one is taken.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# shellcheck source=scripts/demo-repos.sh
source scripts/demo-repos.sh  # demo_git, demo_commit, demo_tag: git with a fixed identity

BUILD="${BUILD:-build}"
upkeep="$root/$BUILD/upkeep"
[[ "$BUILD" == /* ]] && upkeep="$BUILD/upkeep"
service_port="${DEMO_SERVICE_PORT:-3000}"
upkeep_port="${DEMO_UPKEEP_PORT:-10421}"
demo_dir="$root/var/demo-loop"
service="$demo_dir/service"
pm2="$root/var/tools/pm2/bin/pm2"  # scripts/install-deps.sh demo installs it

say() { printf 'demo: %s\n' "$*" >&2; }
die() {
  say "$*"
  exit 1
}

for tool in git node npm sqlite3 curl; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is missing (scripts/install-deps.sh demo)"
done
[[ -x "$pm2" ]] || die "no pm2 at $pm2 (scripts/install-deps.sh demo installs it)"
[[ -x "$upkeep" ]] || die "no upkeep binary at $upkeep (make demo builds it)"

# pm2 with its home under the demo, and no call to pm2's servers: no daily version check in the
# daemon (PM2_DISABLE_VERSION_CHECK), no pm2.io agent (PM2_NO_INTERACTION), and the `touch` file
# that marks a PM2_HOME as used, without which the first command reports the install to pm2.io.
# NO_COLOR: pm2 colours its output even into a file, such as upkeep's run log.
export PM2_HOME="$demo_dir/pm2" PM2_DISABLE_VERSION_CHECK=true PM2_NO_INTERACTION=true NO_COLOR=1

# The pm2 daemon of this PM2_HOME, by the title it gives itself, so that a stale pm2.pid whose
# number now belongs to another process is never taken for it.
pm2_daemon_pid() {
  local pid
  pid=$(cat "$PM2_HOME/pm2.pid" 2>/dev/null || true)
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [[ "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" == *"God Daemon ($PM2_HOME)"* ]] || return 1
  echo "$pid"
}

# pm2 kill only where a daemon runs (on a home without one it would start one first). When that
# is cut short (a second Ctrl-C reaches it too), SIGTERM: the daemon stops its apps on it.
pm2_kill() {
  local pid
  pid=$(pm2_daemon_pid) || return 0
  timeout -k 5 30 "$pm2" kill >/dev/null 2>&1 || true
  for _ in $(seq 50); do
    pm2_daemon_pid >/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    sleep 0.2
  done
  say "the pm2 daemon (pid $pid) did not stop"
}

upkeep_pid=""
cleanup() {
  local status=$?
  trap - EXIT
  trap '' INT TERM  # a second Ctrl-C must not cut the clean-up short
  if [[ -n "$upkeep_pid" ]] && kill -0 "$upkeep_pid" 2>/dev/null; then
    say "stopping upkeep (pid $upkeep_pid)"
    kill -TERM "$upkeep_pid" 2>/dev/null || true
    wait "$upkeep_pid" 2>/dev/null || true
  fi
  if pm2_daemon_pid >/dev/null; then
    say "stopping pm2 and the render manager (pm2 kill, PM2_HOME=${PM2_HOME#"$root"/})"
    pm2_kill
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A fresh demo every time; a pm2 left by an earlier one that was killed hard is stopped first.
pm2_kill

# A port someone answers on is taken (bash's /dev/tcp: no tool needed).
for port in "$service_port" "$upkeep_port"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "127.0.0.1:$port is in use; free it or set DEMO_SERVICE_PORT / DEMO_UPKEEP_PORT"
  fi
done

rm -rf "$demo_dir"
mkdir -p "$demo_dir"

say "creating the render manager's remote (var/demo-loop/remote.git, v1.0.0)"
work="$demo_dir/work"
demo_git init -q "$work"
cp -R examples/render-manager/. "$work/"  # what its .gitignore ignores is not committed
demo_commit "$work" "" "Render manager: jobs API, queue summary, migrations, build"
demo_tag "$work" "" 1.0.0
demo_git init -q --bare "$demo_dir/remote.git"
demo_git -C "$work" push -q "$demo_dir/remote.git" main --tags
rm -rf "$work"

say "deploying it (var/demo-loop/service): npm ci, db:migrate, build, pm2 start"
demo_git clone -q "$demo_dir/remote.git" "$service"
(
  cd "$service"
  npm ci --offline --no-audit --no-fund --no-update-notifier --loglevel=error
  npm run --silent db:migrate
  npm run --silent build
) >"$demo_dir/deploy.log" 2>&1 || die "deploying failed: $(tail -5 "$demo_dir/deploy.log")"
mkdir -p "$PM2_HOME"
touch "$PM2_HOME/touch"
(cd "$service" && PORT="$service_port" "$pm2" start ecosystem.config.js) \
  >>"$demo_dir/deploy.log" 2>&1 || die "pm2 start failed: $(tail -5 "$demo_dir/deploy.log")"
for _ in $(seq 50); do
  curl -fsS -o /dev/null "http://127.0.0.1:$service_port/health" 2>/dev/null && break
  sleep 0.2
done
curl -fsS -o /dev/null "http://127.0.0.1:$service_port/health" ||
  die "the render manager did not become healthy; see $PM2_HOME/logs"

token=$("$upkeep" token create --name demo-admin --role admin \
  --tokens-file "$demo_dir/tokens" 2>"$demo_dir/token.log") ||
  die "token create failed: $(cat "$demo_dir/token.log")"

# The steps run with a clean environment: PATH names where node and this pm2 are.
step_path="$(dirname "$pm2"):$(dirname "$(command -v node)"):/usr/local/bin:/usr/bin:/bin"
cat >"$demo_dir/upkeep.yaml" <<YAML
# Written by scripts/demo-loop.sh (make demo), anew at every start: upkeep managing the example
# render manager (examples/render-manager) deployed under var/demo-loop and run by pm2.
web: { listen_address: "127.0.0.1:$upkeep_port" }
auth: { tokens_file: "$demo_dir/tokens", metrics: open }
sample: { interval: 1s, filesystems: [/] }
log: { level: info, format: text }
queue:
  # The render manager's own database: an update is refused while a job renders.
  type: sqlite
  interval: 1s
  timeout: 1s
  stale_after: 5s
  sqlite:
    path: "$service/var/render.sqlite"
    depth_query: "SELECT COUNT(*) FROM jobs WHERE status = 'queued'"
    active_query: "SELECT id, name, status, started_at FROM jobs WHERE status = 'rendering' ORDER BY started_at"
update:
  repo: "$service"
  remote: origin
  branch: main
  user: "$(id -un)"
  check_interval: 1m
  min_fetch_interval: 5s
  state_dir: "$demo_dir/state"
  env:
    PM2_HOME: "$PM2_HOME"
    PM2_DISABLE_VERSION_CHECK: "true"
    PM2_NO_INTERACTION: "true"
    NO_COLOR: "1"
    PATH: "$step_path"
  # dist/ is set aside and comes back on a rollback; node_modules is not, since install only
  # runs when package*.json changed (a preserved node_modules would then be missing).
  preserve: [dist]
  steps:
    - name: install
      run: npm ci --offline --no-audit --no-fund --no-update-notifier
      timeout: 2m
      rerun_on_rollback: true
      when_changed: ["package*.json"]
    - name: migrate
      run: npm run db:migrate
      timeout: 1m
      backup: "sqlite3 var/render.sqlite '.backup var/pre-update.sqlite'"
      rollback: npm run db:rollback
      when_changed: ["migrations/**"]
    - { name: build, run: npm run build, timeout: 2m, rerun_on_rollback: true }
  restart: { run: pm2 restart render-manager, timeout: 1m }
  health_check:
    { url: "http://127.0.0.1:$service_port/api/version", expect_revision: true, timeout: 2s,
      retries: 10, interval: 1s }
  drain_timeout: 30s
  shutdown_timeout: 60s
  keep_logs: 20
YAML

"$upkeep" --config "$demo_dir/upkeep.yaml" &
upkeep_pid=$!
for _ in $(seq 50); do
  curl -fsS -o /dev/null "http://127.0.0.1:$upkeep_port/metrics" 2>/dev/null && break
  kill -0 "$upkeep_pid" 2>/dev/null || die "upkeep exited at start (see its log above)"
  sleep 0.2
done

api="http://127.0.0.1:$upkeep_port/api/system"
app="http://127.0.0.1:$service_port"
cat <<EOF

================================================================================================
The render manager v1.0.0 runs under pm2 on $app; upkeep manages it on 127.0.0.1:$upkeep_port.
An admin API token (shown only this once):

  export TOKEN=$token

Try, in another terminal from $root:

  curl -s -H "Authorization: Bearer \$TOKEN" $api/update/check
  scripts/demo-loop-release.sh        # pushes v1.1.0: a code change and a migration
  curl -s -H "Authorization: Bearer \$TOKEN" '$api/update/check?refresh=true'
  curl -s -X POST -H "Authorization: Bearer \$TOKEN" -d '{"dryRun":true}' $api/update/execute
  curl -s -X POST -H "Authorization: Bearer \$TOKEN" $api/update/execute
  curl -s $app/api/version
  curl -s -H "Authorization: Bearer \$TOKEN" $api/update/status
  curl -s -H "Authorization: Bearer \$TOKEN" $api/update/history

A render in progress blocks an update (409 jobs_active) until it finishes:
  curl -s -X POST -d '{"name":"shot-010"}' $app/api/jobs
  curl -s -X POST $app/api/jobs/1/finish

Releases that fail, and roll back: scripts/demo-loop-release.sh --broken-migration | --broken-start
The service under pm2: PM2_HOME=var/demo-loop/pm2 var/tools/pm2/bin/pm2 ls
Ctrl-C stops upkeep and pm2.
================================================================================================

EOF
wait "$upkeep_pid"
