#!/usr/bin/env bash
# `make run`: prepares the local state under ./var (git-ignored) on first start, then runs
# the daemon in the foreground with the repo's example config.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD="${BUILD:-build}"
CONFIG="${CONFIG:-config/upkeep.example.yaml}"
mkdir -p var

# First-start preparation (each step is idempotent).

# Access control: one admin API token on the first start, shown once. The example config's
# auth.tokens_file is ./var/tokens. (UPKEEP_TOKENS_FILE moves it, for the test of this block.)
tokens_file="${UPKEEP_TOKENS_FILE:-var/tokens}"
if [[ ! -e "$tokens_file" ]]; then
  notes=$(mktemp)
  if ! token=$("$BUILD/upkeep" token create --name make-run-admin --role admin \
      --tokens-file "$tokens_file" 2>"$notes"); then
    cat "$notes" >&2
    rm -f "$notes"
    exit 1
  fi
  rm -f "$notes"
  listen=$(sed -n 's/^ *listen_address: *"\{0,1\}\([^"# ]*\)"\{0,1\}.*/\1/p' "$CONFIG" | head -1)
  case "$listen" in
    "") listen="127.0.0.1:10420" ;;
    :* | 0.0.0.0:*) listen="127.0.0.1:${listen##*:}" ;;
  esac
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

exec "$BUILD/upkeep" --config "$CONFIG"
