#!/usr/bin/env bash
# Pushes the next release of `make demo`'s render manager to its remote (var/demo-loop/
# remote.git): the next minor version, tagged, with a code change (a line in the UI's "What's
# new", public/index.html, which the build step renders) and a migration. The deployed service
# does not move until upkeep updates it.
#
#   scripts/demo-loop-release.sh [--broken-migration | --broken-start] ["Subject line"]
#
#   --broken-migration  the migration fails half-way (its first statement runs, the second does
#                       not): the update rolls back, the schema stays as it was
#   --broken-start      no migration, but the server exits at start: the health check fails and
#                       the update rolls back to the running version
# The release after a broken one repairs it (the broken migration is removed, never having been
# applied; the exit is taken out of server.js).
#
# UPKEEP_DEMO_LOOP_DIR: where the demo is (default ./var/demo-loop, where `make demo` made it).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/demo-repos.sh
source scripts/demo-repos.sh  # demo_git, demo_commit, demo_tag, demo_set_version

kind=normal
case "${1:-}" in
  --broken-migration) kind=broken-migration; shift ;;
  --broken-start) kind=broken-start; shift ;;
  -*) echo "usage: $0 [--broken-migration | --broken-start] [\"Subject line\"]" >&2; exit 2 ;;
esac
subject="${1:-}"

demo_dir="${UPKEEP_DEMO_LOOP_DIR:-var/demo-loop}"
demo_dir="${demo_dir%/}"
[[ -d "$demo_dir/remote.git" ]] || {
  echo "demo-loop-release: no demo remote at $demo_dir/remote.git (make demo creates it)" >&2
  exit 1
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
clone="$work/clone"
demo_git clone -q "$demo_dir/remote.git" "$clone"
latest=$(demo_git -C "$clone" describe --tags --abbrev=0 main)
if [[ ! "$latest" =~ ^v([0-9]+)\.([0-9]+)\.[0-9]+$ ]]; then
  echo "demo-loop-release: the latest tag $latest is not vMAJOR.MINOR.PATCH" >&2
  exit 1
fi
version="${BASH_REMATCH[1]}.$((BASH_REMATCH[2] + 1)).0"
marker="demo-loop-release: broken start"

# Repair what a broken release left: its migration was never applied (the update rolled back).
rm -f "$clone"/migrations/*_broken_*.sql
sed -i "/$marker/d" "$clone/server.js"

# The migrations that real releases add, in turn (slug|subject|up|down); past the list, a
# column per release.
releases=(
  "job_worker|Record the worker that renders each job|ALTER TABLE jobs ADD COLUMN worker TEXT;|ALTER TABLE jobs DROP COLUMN worker;"
  "job_priority|Let urgent shots jump the queue|ALTER TABLE jobs ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;|ALTER TABLE jobs DROP COLUMN priority;"
  "jobs_by_status|Faster queue summary on long job lists|CREATE INDEX jobs_by_status ON jobs (status, started_at);|DROP INDEX jobs_by_status;"
  "job_events|Keep each job's history of events|CREATE TABLE job_events (id INTEGER PRIMARY KEY, job_id INTEGER NOT NULL REFERENCES jobs (id), event TEXT NOT NULL, at TEXT NOT NULL);|DROP TABLE job_events;"
)
ups=("$clone"/migrations/*.up.sql)
number=$(printf '%03d' $((10#$(basename "${ups[-1]}" | cut -c1-3) + 1)))
tag_slug="${version//./_}"
case "$kind" in
  normal)
    index=$((${#ups[@]} - 1))  # 001 is v1.0.0's
    if ((index < ${#releases[@]})); then
      IFS='|' read -r slug default_subject up down <<<"${releases[$index]}"
    else
      slug="note_$tag_slug"
      default_subject="Notes on jobs, take $version"
      up="ALTER TABLE jobs ADD COLUMN note_$tag_slug TEXT;"
      down="ALTER TABLE jobs DROP COLUMN note_$tag_slug;"
    fi
    ;;
  broken-migration)
    slug="broken_$tag_slug"
    default_subject="Count the frames of each job"
    # The first statement works; the second names a column that does not exist.
    up=$'ALTER TABLE jobs ADD COLUMN frames_total INTEGER;\nUPDATE jobs SET frames_total = frame_count;'
    down="ALTER TABLE jobs DROP COLUMN frames_total;"
    ;;
  broken-start)
    default_subject="Warm the scene cache at start"
    sed -i "s|^\"use strict\";\$|&\nconsole.error(\"render-manager: cannot start\"); process.exit(1); // $marker|" \
      "$clone/server.js"
    ;;
esac
subject="${subject:-$default_subject}"
if [[ "$kind" != broken-start ]]; then
  printf '%s\n' "$up" >"$clone/migrations/${number}_$slug.up.sql"
  printf '%s\n' "$down" >"$clone/migrations/${number}_$slug.down.sql"
fi

# The code change: a line in the UI's release notes, newest first (HTML-escaped).
node - "$clone/public/index.html" "$version: $subject" <<'JS'
const fs = require("node:fs");
const [file, note] = process.argv.slice(2);
const escaped = note.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const html = fs.readFileSync(file, "utf8");
const anchor = /^( *)<!-- release notes: newest first -->\n/m;
if (!anchor.test(html)) throw new Error(`${file}: no release notes anchor`);
fs.writeFileSync(file, html.replace(anchor, (line, indent) => `${line}${indent}<li>${escaped}</li>\n`));
JS
# The version, in package.json and its lock file (whose only entries are the app itself).
demo_set_version "$clone" "$version"
sed -i 's/"version": "[^"]*"/"version": "'"$version"'"/' "$clone/package-lock.json"
demo_commit "$clone" "" "$subject"
demo_tag "$clone" "" "$version"
demo_git -C "$clone" push -q origin main "v$version"

echo "Pushed v$version ($kind) to $demo_dir/remote.git: $(demo_git -C "$clone" log -1 --format='%h %s')"
demo_git -C "$clone" show --stat --format= HEAD | sed 's/^/  /'
