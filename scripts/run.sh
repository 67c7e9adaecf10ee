#!/usr/bin/env bash
# `make run`: prepares the local state under ./var (git-ignored) on first start, then runs
# the daemon in the foreground with the repo's example config.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD="${BUILD:-build}"
CONFIG="${CONFIG:-config/upkeep.example.yaml}"
mkdir -p var

# --- first-start preparation (each step is idempotent) -------------------------------

exec "$BUILD/upkeep" --config "$CONFIG"
