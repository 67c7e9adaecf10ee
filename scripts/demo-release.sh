#!/usr/bin/env bash
# Pushes the next release of the update check's demo service (see scripts/run.sh) to its remote:
# one commit with a subject line, tagged with the next minor version. The deployed checkout does
# not move: the update check shows the new release after its next fetch (?refresh=true forces one).
#
#   scripts/demo-release.sh ["Subject line"]
#
# UPKEEP_DEMO_DIR: where the demo is (default ./var/demo, where `make run` made it).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/demo-repos.sh
source scripts/demo-repos.sh

demo_dir="${UPKEEP_DEMO_DIR:-var/demo}"
tag=$(demo_release "$demo_dir" "${1:-}")
echo "Pushed $tag to $demo_dir/remote.git: $(demo_git -C "$demo_dir/remote.git" log -1 --format='%h %s' "$tag")"
echo "The deployed checkout ($demo_dir/service) is now one more release behind."
