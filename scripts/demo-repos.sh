# shellcheck shell=bash
# The update check's demo (sourced by scripts/run.sh and scripts/demo-release.sh, not run): a
# pretend render manager, a Node app deployed as a git checkout, as the update section of
# config/upkeep.example.yaml expects. Under DIR: remote.git (bare, its "GitHub") and service/
# (the deployed clone, on main at v1.0.0 while the remote is one release ahead).

# git with a fixed identity and defaults, so that the machine's or the user's git config (a
# default branch of "master", signed commits, a global hooks path) does not change the demo.
demo_git() {
  env -u GIT_DIR -u GIT_WORK_TREE -u GIT_INDEX_FILE \
    git -c user.name="Render Manager Team" -c user.email="team@render-manager.example" \
    -c init.defaultBranch=main -c commit.gpgSign=false -c tag.gpgSign=false \
    -c core.hooksPath=/dev/null -c advice.detachedHead=false "$@"
}

# demo_commit WORKTREE DATE SUBJECT: commits every change in WORKTREE, dated DATE (ISO 8601;
# empty: now). Fixed dates make the first history the same, commit ids included, every time.
demo_commit() {
  local dir=$1 date=$2 subject=$3
  demo_git -C "$dir" add -A
  if [[ -n "$date" ]]; then
    GIT_AUTHOR_DATE="$date" GIT_COMMITTER_DATE="$date" demo_git -C "$dir" commit -q -m "$subject"
  else
    demo_git -C "$dir" commit -q -m "$subject"
  fi
}

# demo_tag WORKTREE DATE VERSION: an annotated tag vVERSION on HEAD.
demo_tag() {
  local dir=$1 date=$2 version=$3
  if [[ -n "$date" ]]; then
    GIT_COMMITTER_DATE="$date" demo_git -C "$dir" tag -a "v$version" -m "Render manager $version"
  else
    demo_git -C "$dir" tag -a "v$version" -m "Render manager $version"
  fi
}

# demo_set_version WORKTREE VERSION: the version in package.json, as a release commit sets it.
demo_set_version() {
  sed -i 's/"version": "[^"]*"/"version": "'"$2"'"/' "$1/package.json"
}

# demo_create DIR ORIGIN_URL: makes the demo in DIR (which must not exist). The service's
# origin is ORIGIN_URL, the remote's final place (DIR may be a temporary name, renamed after).
demo_create() {
  local dir=$1 origin=$2 work
  mkdir -p "$dir"
  work="$dir/work"
  demo_git init -q --bare "$dir/remote.git"
  demo_git init -q "$work"
  mkdir -p "$work/src"
  cat >"$work/package.json" <<'JSON'
{
  "name": "render-manager",
  "version": "0.9.0",
  "private": true,
  "main": "src/server.js",
  "scripts": { "start": "node src/server.js" }
}
JSON
  cat >"$work/src/server.js" <<'JS'
// The render manager's web UI and API: the job queue and the render workers.
const http = require("http");
const jobs = [];
http
  .createServer((req, res) => res.end(JSON.stringify({ jobs })))
  .listen(process.env.PORT || 3000);
JS
  printf 'node_modules/\n*.log\n' >"$work/.gitignore"
  demo_commit "$work" 2026-09-01T10:00:00Z "Render manager: job queue, workers and the web UI"
  cat >"$work/src/frames.js" <<'JS'
// "1-100x2" -> [1, 3, 5, ..., 99]
exports.parseFrames = (text) => {
  const [range, step = "1"] = text.split("x");
  const [start, end = start] = range.split("-").map(Number);
  const frames = [];
  for (let f = start; f <= end; f += Number(step)) frames.push(f);
  return frames;
};
JS
  demo_commit "$work" 2026-09-08T10:00:00Z "Parse frame ranges like 1-100x2"
  demo_set_version "$work" 1.0.0
  demo_commit "$work" 2026-09-15T10:00:00Z "Release 1.0.0"
  demo_tag "$work" 2026-09-15T10:00:00Z 1.0.0
  demo_git -C "$work" push -q "$dir/remote.git" main --tags

  # The deployed service: a clone made at v1.0.0, which has not fetched since.
  demo_git clone -q "$dir/remote.git" "$dir/service"
  demo_git -C "$dir/service" remote set-url origin "$origin"

  # The next release, on the remote only.
  # A dash after a digit separates start and end; a leading one is a minus sign.
  sed -i 's|range.split("-")|range.split(/(?<=\\d)-/)|' "$work/src/frames.js"
  demo_commit "$work" 2026-10-06T10:00:00Z "Fix frame range parsing for negative start frames"
  sed -i 's|const jobs = \[\];|const jobs = []; // each with its shots and their progress|' \
    "$work/src/server.js"
  demo_commit "$work" 2026-10-13T10:00:00Z "Show render progress per shot"
  demo_set_version "$work" 1.1.0
  demo_commit "$work" 2026-10-20T10:00:00Z "Release 1.1.0"
  demo_tag "$work" 2026-10-20T10:00:00Z 1.1.0
  demo_git -C "$work" push -q "$dir/remote.git" main --tags
  rm -rf "$work"
}

# What the next releases say, in turn (a subject given to demo-release.sh replaces it).
DEMO_SUBJECTS=(
  "Retry a failed frame once before failing its job"
  "Add a priority column to the queue view"
  "Cache scene files between the frames of a shot"
  "Limit concurrent renders per worker"
  "Show the worker's host name on each running frame"
)

# demo_release DIR [SUBJECT]: pushes the next release to DIR/remote.git: one commit (SUBJECT, or
# the next of DEMO_SUBJECTS), its version in package.json, tagged with the next minor version.
# Prints the new tag.
demo_release() {
  local dir=$1 subject=${2:-} work latest major minor version
  [[ -d "$dir/remote.git" ]] || {
    echo "demo-release: no demo remote at $dir/remote.git (make run creates it)" >&2
    return 1
  }
  work=$(mktemp -d)
  # shellcheck disable=SC2064  # expand $work now: the trap runs after this function returns
  trap "rm -rf '$work'" EXIT
  demo_git clone -q "$dir/remote.git" "$work/clone"
  latest=$(demo_git -C "$work/clone" describe --tags --abbrev=0 main)
  if [[ ! "$latest" =~ ^v([0-9]+)\.([0-9]+)\.[0-9]+$ ]]; then
    echo "demo-release: the latest tag $latest is not vMAJOR.MINOR.PATCH" >&2
    return 1
  fi
  major=${BASH_REMATCH[1]}
  minor=$((BASH_REMATCH[2] + 1))
  version="$major.$minor.0"
  if [[ -z "$subject" ]]; then
    subject=${DEMO_SUBJECTS[$(((minor + ${#DEMO_SUBJECTS[@]} - 2) % ${#DEMO_SUBJECTS[@]}))]}
  fi
  printf '%s: %s\n' "$version" "$subject" >>"$work/clone/CHANGES"
  demo_set_version "$work/clone" "$version"
  demo_commit "$work/clone" "" "$subject"
  demo_tag "$work/clone" "" "$version"
  demo_git -C "$work/clone" push -q origin main "v$version"
  echo "v$version"
}
