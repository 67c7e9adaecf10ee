#!/usr/bin/env bash
# Installs the Debian packages upkeep needs, idempotently.
#   scripts/install-deps.sh run    what building and running the daemon needs
#   scripts/install-deps.sh test   + test tools (promtool, gcovr, clang/libFuzzer, nginx, wrk,
#                                  sshd, ...)
#   scripts/install-deps.sh bench  + Google Benchmark, node_exporter, nginx, wrk
#   scripts/install-deps.sh demo   what `make demo` needs: run's + Node.js, curl and pm2
#   scripts/install-deps.sh package  what `make package` needs: run's + dpkg-dev, file, fakeroot
# test and demo also install Node.js (Debian's nodejs and npm, only where no `node` is on the
# PATH) and pm2, pinned, from the npm registry into ./var/tools/pm2 (see install_npm_tool
# below); test also @redocly/cli, pinned, into ./var/tools/redocly (the OpenAPI lint).
# Only missing packages are installed. Services shipped by the test-only packages
# (prometheus, alertmanager, node-exporter, nginx, ssh) are never started: a policy-rc.d
# denies auto-start during the install, so nothing starts listening on 9090/9093/9100/80/22.
# The tests start their own sshd (tests/support/sshd), never the system's.
set -euo pipefail

mode="${1:-run}"
root="$(cd "$(dirname "$0")/.." && pwd)"

run_pkgs=(
  build-essential cmake pkg-config
  prometheus-cpp-dev libcivetweb-dev libyaml-cpp-dev libspdlog-dev libfmt-dev
  nlohmann-json3-dev libdeflate-dev libssl-dev zlib1g-dev
  libsqlite3-dev sqlite3
  libcurl4-openssl-dev   # common/http_client: the queue's http source
  libgit2-dev libssh2-1-dev git   # controller/: the update check (libssh2: known_hosts checks)
)
test_pkgs=(
  libgtest-dev libgmock-dev ccache gcovr
  clang libclang-rt-14-dev clang-format clang-tidy
  prometheus prometheus-alertmanager prometheus-node-exporter nginx-light wrk
  curl openssl procps
  openssh-server   # tests/support/sshd: the SSH transport tests run /usr/sbin/sshd themselves
  python3-yaml python3-jsonschema   # the monitoring and API contract tests (/usr/bin/python3)
  systemd          # systemd-analyze verify on the unit (never started here)
  lintian groff-base man-db   # the package test: lintian, the man page rendered with groff
  dpkg-dev file fakeroot adduser   # make package (CPack's shlibdeps) and its test
)
package_pkgs=(dpkg-dev file fakeroot)  # make package: CPack's DEB generator with shlibdeps
bench_pkgs=(libbenchmark-dev prometheus-node-exporter nginx-light wrk curl
  procps iproute2)  # bench/compare.sh: pgrep, ss

demo_pkgs=(curl)  # scripts/demo-loop.sh waits for the service and upkeep with curl

# The example service (examples/render-manager) runs on the machine's Node.js; pm2 runs it.
with_node=0
case "$mode" in
  run) pkgs=("${run_pkgs[@]}") ;;
  test) pkgs=("${run_pkgs[@]}" "${test_pkgs[@]}" "${bench_pkgs[@]}"); with_node=1 ;;
  bench) pkgs=("${run_pkgs[@]}" "${bench_pkgs[@]}") ;;
  demo) pkgs=("${run_pkgs[@]}" "${demo_pkgs[@]}"); with_node=1 ;;
  package) pkgs=("${run_pkgs[@]}" "${package_pkgs[@]}") ;;
  *) echo "usage: $0 run|test|bench|demo|package" >&2; exit 2 ;;
esac
# A node that is already there (a newer one from another source, say) is kept: Debian's
# nodejs package would conflict with it. Debian 12's is Node.js 18, which the example supports.
if [[ $with_node -eq 1 ]] && ! command -v node >/dev/null 2>&1; then
  pkgs+=(nodejs npm)
fi

# npm tools, pinned, from the npm registry, each into the repository's ./var/tools/<name>
# (git-ignored): not the global node_modules, so it needs no root, no global npm prefix or
# config, and every clone has its own at the same relative path (the e2e test and make demo run
# var/tools/pm2/bin/pm2; the OpenAPI lint var/tools/redocly/bin/redocly). npm is told on the
# command line to make no call but the download: no audit, no funding message, no update check,
# no install scripts. Installed into a temporary directory and renamed, so an interrupted install
# is never taken for a finished one; skipped when the pinned version is there.
PM2_VERSION=7.0.4
REDOCLY_VERSION=1.34.20   # runs on Node.js 18 and 20
install_npm_tool() {  # install_npm_tool DIR PACKAGE VERSION BIN
  local prefix="$root/var/tools/$1" package=$2 version=$3 bin=$4
  local installed staging
  installed=$(node -p 'require(process.argv[1]).version' \
    "$prefix/lib/node_modules/$package/package.json" 2>/dev/null || true)
  if [[ "$installed" == "$version" && -x "$prefix/bin/$bin" ]]; then
    return 0
  fi
  if ! command -v npm >/dev/null 2>&1; then
    echo "install-deps: npm is missing (node is $(command -v node)); install npm for it" >&2
    return 1
  fi
  if (($(node -p 'process.versions.node.split(".")[0]') < 18)); then
    echo "install-deps: $package $version needs Node.js 18 or newer; node is $(node --version)" >&2
    return 1
  fi
  echo "install-deps: installing $package $version into $prefix"
  staging="$prefix.tmp.$$"
  mkdir -p "$(dirname "$prefix")"
  # In a subshell with its own traps: an interrupted install leaves no staging directory.
  (
    trap 'rm -rf "$staging"' EXIT
    trap 'exit 130' INT HUP
    trap 'exit 143' TERM
    if ! npm install --global --prefix "$staging" --no-audit --no-fund --no-update-notifier \
        --ignore-scripts --loglevel=error "$package@$version" >/dev/null; then
      echo "install-deps: npm could not install $package@$version" >&2
      exit 1
    fi
    rm -rf "$prefix"
    mv "$staging" "$prefix"
  )
}
install_npm_tools() {
  [[ $with_node -eq 1 ]] || return 0
  install_npm_tool pm2 pm2 "$PM2_VERSION" pm2
  if [[ "$mode" == test ]]; then
    install_npm_tool redocly @redocly/cli "$REDOCLY_VERSION" redocly
  fi
}

missing=()
for p in "${pkgs[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  install_npm_tools
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: missing packages: ${missing[*]}" >&2
  echo "install-deps: run as root (or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
# Deny service start-up while packages install (invoke-rc.d honours policy-rc.d; exit 101 = deny).
policy=/usr/sbin/policy-rc.d
own_policy=0
if [[ ! -e "$policy" ]]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"
  chmod 755 "$policy"
  own_policy=1
fi
cleanup() { [[ $own_policy -eq 1 ]] && rm -f "$policy"; return 0; }
trap cleanup EXIT

# openssh-server's packaging starts and enables the system sshd (port 22, every address). When
# this install brings it in, Debian's own switch keeps that one off for good, at boot too: the
# ssh unit and init script do not run while /etc/ssh/sshd_not_to_be_run exists (an sshd that a
# test starts by path ignores it). An openssh-server installed before is someone's login: left
# alone.
installing_sshd=0
for p in "${missing[@]}"; do
  if [[ "$p" == openssh-server ]]; then installing_sshd=1; fi
done
if [[ $installing_sshd -eq 1 ]]; then
  mkdir -p /etc/ssh
  echo "upkeep install-deps: the system sshd is not used on this test machine" \
    > /etc/ssh/sshd_not_to_be_run
fi

export DEBIAN_FRONTEND=noninteractive
# A fresh machine has no package lists yet; refresh them at most once an hour.
stamp=/var/lib/apt/periodic/update-success-stamp
lists=$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mmin -60 2>/dev/null | head -1)
if [[ -z "$lists" ]]; then
  apt-get update -qq
fi
apt-get install -y -qq --no-install-recommends "${missing[@]}"

# Packaged daemons must not run on the test machine: they would hold the ports the
# tests and benchmarks use. Stop any that an earlier install started.
services=(prometheus prometheus-alertmanager prometheus-node-exporter nginx)
if [[ $installing_sshd -eq 1 ]]; then services+=(ssh.socket ssh); fi
for svc in "${services[@]}"; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
    systemctl stop "$svc" || true
  fi
done
if [[ $installing_sshd -eq 1 ]] && command -v systemctl >/dev/null 2>&1; then
  systemctl disable --quiet ssh.service ssh.socket 2>/dev/null || true
fi

install_npm_tools
