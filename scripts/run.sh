#!/usr/bin/env bash
# `make run`: prepares the local state under ./var (git-ignored) on first start, then runs
# the daemon in the foreground with the repo's example config.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD="${BUILD:-build}"
CONFIG="${CONFIG:-config/upkeep.example.yaml}"
mkdir -p var

# First-start preparation (each step is idempotent).

# Where the daemon listens, for the commands shown below (loopback when it binds every address).
listen=$(sed -n 's/^ *listen_address: *"\{0,1\}\([^"# ]*\)"\{0,1\}.*/\1/p' "$CONFIG" | head -1)
case "$listen" in
  "") listen="127.0.0.1:10420" ;;
  :* | 0.0.0.0:*) listen="127.0.0.1:${listen##*:}" ;;
esac

# Access control: one admin API token on the first start, shown once. The example config's
# auth.tokens_file is ./var/tokens. (UPKEEP_TOKENS_FILE moves it, for the test of this block.)
tokens_file="${UPKEEP_TOKENS_FILE:-var/tokens}"
token=""
if [[ ! -e "$tokens_file" ]]; then
  notes=$(mktemp)
  if ! token=$("$BUILD/upkeep" token create --name make-run-admin --role admin \
      --tokens-file "$tokens_file" 2>"$notes"); then
    cat "$notes" >&2
    rm -f "$notes"
    exit 1
  fi
  rm -f "$notes"
  echo "Created $tokens_file with one admin API token. It is shown only this once; keep it:"
  echo "  $token"
  echo "Try:"
  echo "  curl -s -H 'Authorization: Bearer $token' http://$listen/api/system/health"
  echo "More: $BUILD/upkeep token create|list|revoke ... --tokens-file $tokens_file"
fi

# Job queue: an empty render-job queue in the render manager's schema, so that the example
# config's sqlite queue source reads a real database. Made in a temporary file and renamed, so
# an interrupted first start leaves no half-made database. (UPKEEP_QUEUE_DB moves it, for tests.)
queue_db="${UPKEEP_QUEUE_DB:-var/queue.db}"
if [[ ! -e "$queue_db" ]]; then
  if ! command -v sqlite3 >/dev/null 2>&1; then
    echo "run: sqlite3 is missing (make deps installs it)" >&2
    exit 1
  fi
  tmp_db="$queue_db.tmp.$$"
  rm -f "$tmp_db"
  sqlite3 "$tmp_db" >/dev/null <<'SQL'
PRAGMA journal_mode = WAL;
CREATE TABLE jobs (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL,
  status      TEXT NOT NULL DEFAULT 'queued'
              CHECK (status IN ('queued', 'rendering', 'running', 'done', 'failed', 'cancelled')),
  progress    REAL NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 1),
  priority    INTEGER NOT NULL DEFAULT 0,
  scene       TEXT,
  frame_start INTEGER,
  frame_end   INTEGER,
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  started_at  TEXT,
  finished_at TEXT
);
CREATE INDEX jobs_by_status ON jobs (status, started_at);
SQL
  mv "$tmp_db" "$queue_db"
  echo "Created $queue_db with an empty jobs table (the queue the example config reads). Try:"
  echo "  sqlite3 $queue_db \"INSERT INTO jobs (name, status, started_at) VALUES ('shot_010', 'rendering', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))\""
fi

# The update check's demo: a pretend render manager's git remote and its deployed checkout, one
# release behind, made when the config's update.repo is the demo's checkout (as in the example
# config; a config for a real service gets neither the demo nor the user flag below). Made in a
# temporary directory and renamed, so an interrupted first start leaves no half-made demo.
# (UPKEEP_DEMO_DIR moves it, for tests; scripts/demo-release.sh reads it too.)
demo_dir="${UPKEEP_DEMO_DIR:-var/demo}"
demo_dir="${demo_dir%/}"
update_repo=$(sed -n '/^update:/,/^[^ #]/ s/^ \{1,\}repo: *"\{0,1\}\([^"# ]*\)"\{0,1\}.*/\1/p' \
  "$CONFIG" | head -1)
update_flags=()
if [[ -n "$update_repo" && "${update_repo#./}" == "${demo_dir#./}/service" ]]; then
  # git work runs as the checkout's owner, and as root only when written out; the demo belongs
  # to whoever runs make run, root included.
  update_flags=(--update.user "$(id -un)")
  if [[ ! -e "$demo_dir" ]]; then
    if ! command -v git >/dev/null 2>&1; then
      echo "run: git is missing (make deps installs it)" >&2
      exit 1
    fi
    # shellcheck source=scripts/demo-repos.sh
    source scripts/demo-repos.sh
    mkdir -p "$(dirname "$demo_dir")"
    demo_abs="$(cd "$(dirname "$demo_dir")" && pwd)/$(basename "$demo_dir")"
    tmp_demo="$demo_dir.tmp.$$"
    rm -rf "$tmp_demo"
    trap 'rm -rf "$tmp_demo"' EXIT  # a failed step (set -e) leaves nothing behind
    demo_create "$tmp_demo" "$demo_abs/remote.git" >/dev/null
    # -T: fails rather than moving it inside a demo another start made meanwhile.
    if mv -T "$tmp_demo" "$demo_dir" 2>/dev/null; then
      demo_env=""
      [[ -n "${UPKEEP_DEMO_DIR:-}" ]] && demo_env="UPKEEP_DEMO_DIR=$demo_dir "
      bearer="Authorization: Bearer ${token:-\$TOKEN}"
      echo "Created $demo_dir: a pretend render manager's git remote ($demo_dir/remote.git,"
      echo "at v1.1.0) and its deployed checkout ($demo_dir/service, at v1.0.0: one release behind)."
      if [[ -n "$token" ]]; then
        echo "Try:"
      else
        echo "Try (TOKEN: the admin token shown when $tokens_file was made):"
      fi
      echo "  curl -s -H '$bearer' http://$listen/api/system/update/check"
      echo "  ${demo_env}scripts/demo-release.sh      # pushes the next release to the demo remote"
      echo "  curl -s -H '$bearer' 'http://$listen/api/system/update/check?refresh=true'"
    fi
    rm -rf "$tmp_demo"
    trap - EXIT
  fi
fi

exec "$BUILD/upkeep" --config "$CONFIG" "${update_flags[@]}"
