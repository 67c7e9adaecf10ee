#!/usr/bin/env bash
# The quality gates behind `make test` (and so CI). One gate alone, or all of them:
#   scripts/gates.sh format            clang-format --dry-run --Werror on our C++ sources
#   scripts/gates.sh coverage          one build (build-coverage/) instrumented for gcov and for
#                                      ASan+UBSan at once, the whole ctest suite on it (with the
#                                      bench tooling tests, and the e2e suite: its only run)
#   scripts/gates.sh asan              the same gate (its old name)
#   scripts/gates.sh tsan              TSan build of the concurrency tests only (build-tsan/)
#   scripts/gates.sh fuzz [SECONDS]    libFuzzer targets (clang, build-fuzz/), each SECONDS (10)
#   scripts/gates.sh package           the .deb from a Release build (build-package/) and its test
#   scripts/gates.sh coverage-report   per-folder coverage table + thresholds, HTML in build/coverage/
#   scripts/gates.sh lint              clang-tidy (.clang-tidy), warnings as errors (build-lint/)
#   scripts/gates.sh all               what `make test` runs: format, coverage (+ASan/UBSan), tsan,
#                                      fuzz 10, package, coverage-report; the builds of tsan,
#                                      fuzz and package start at once in the background, niced.
#                                      A failed gate does not stop the others; the summary lists
#                                      each, and the exit status is 1 if any failed.
# JOBS (default: nproc) sets build and ctest parallelism. Compiler warnings are errors in every
# build here (UPKEEP_WERROR=ON). GCC combines --coverage with -fsanitize=address,undefined, so
# one build serves both: the suite is compiled and run once instead of twice (compile time
# bounds the gates on 2 cores). The sanitizer builds are Debug (-O0 -g): with UBSan, -O1
# takes 2.3x the compile time (measured on server/config.cc and its test), and the whole gate
# is bounded by compile time on 2 cores; GCC 12 also reports false -Wmaybe-uninitialized
# warnings inside libstdc++'s <regex> at -O1 with ASan. The fuzz build keeps -O1 (libFuzzer
# runs more inputs per second). Sanitizer reports, from test binaries and from every process
# they start (the daemon), go to build-*/sanitizer-reports/: any file there fails the gate.
set -uo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
JOBS=${JOBS:-$(nproc)}
# Our sources: what the format and lint gates check. Third-party code is not in the repo.
SOURCE_DIRS=(common queue exporter auth controller server app tests bench)

log() { printf '\n=== %s\n' "$*"; }

our_sources() {
  local dirs=() d
  for d in "${SOURCE_DIRS[@]}"; do [[ -d $d ]] && dirs+=("$d"); done
  find "${dirs[@]}" -type f \( -name '*.cc' -o -name '*.h' \) -not -path 'tests/fixtures/*' -not -path 'tests/layout/fixture/*' | sort
}

configure() {  # configure DIR CMAKE_ARGS...
  local dir=$1
  shift
  mkdir -p "$dir"
  cmake -S . -B "$dir" -DUPKEEP_WERROR=ON "$@" >"$dir/configure.log" 2>&1 || {
    cat "$dir/configure.log"
    return 1
  }
}

# Runs ctest in DIR with sanitizer output going to DIR/sanitizer-reports/, then fails if any
# report was written (a report from a daemon a test started would otherwise go unseen).
ctest_with_reports() {  # ctest_with_reports DIR CTEST_ARGS...
  local dir=$1
  shift
  local reports="$ROOT/$dir/sanitizer-reports"
  rm -rf "$reports"
  mkdir -p "$reports"
  local status=0
  (
    cd "$dir" || exit 1
    ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1:strict_string_checks=1:log_path=$reports/asan" \
      LSAN_OPTIONS="suppressions=$ROOT/tests/sanitizers/lsan.supp:print_suppressions=0" \
      UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$reports/ubsan" \
      TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$ROOT/tests/sanitizers/tsan.supp:log_path=$reports/tsan" \
      ctest --output-on-failure -j"$JOBS" "$@"
  ) || status=1
  local report
  for report in "$reports"/*; do
    [[ -e $report ]] || continue
    echo "--- sanitizer report: $report"
    cat "$report"
    status=1
  done
  return $status
}

gate_format() {
  log "format: clang-format --dry-run --Werror"
  local files
  mapfile -t files < <(our_sources)
  clang-format --dry-run --Werror "${files[@]}" || {
    echo "format: run clang-format -i on the files above"
    return 1
  }
  echo "format: ${#files[@]} files clean"
}

build_coverage() {
  configure build-coverage -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS= -DUPKEEP_BUILD_TESTS=ON \
    -DUPKEEP_BUILD_BENCH=ON -DUPKEEP_COVERAGE=ON -DUPKEEP_SANITIZE=address || return 1
  cmake --build build-coverage -j"$JOBS"
}

gate_coverage() {
  log "coverage: gcov + ASan + UBSan build (build-coverage), the whole suite"
  # With the benchmark tooling's own tests (ctest -L bench: the allocation counter, tick_cost,
  # slow_clients, the results-file blocks and a quick compare.sh run), so bench/ stays working.
  build_coverage || return 1
  # Counters from an earlier run (or a stale build) must not count.
  find build-coverage -name '*.gcda' -delete
  ctest_with_reports build-coverage
}

gate_asan() { gate_coverage; }

build_tsan() {
  configure build-tsan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS= -DUPKEEP_BUILD_TESTS=ON \
    -DUPKEEP_SANITIZE=thread || return 1
  cmake --build build-tsan -j"$JOBS" --target concurrency_tests
}

gate_tsan() {
  log "tsan: TSan build of the concurrency tests (build-tsan)"
  build_tsan || return 1
  # Never the e2e suite (ctest -L e2e): it runs once per `make test`, in the coverage build.
  ctest_with_reports build-tsan -L concurrency -LE e2e
}

fuzz_one() {  # fuzz_one NAME SECONDS: runs one target; its log in build-fuzz/logs/NAME.log
  local name=$1 seconds=$2
  local seeds=tests/fuzz/corpus/$name work=build-fuzz/corpus/$name
  local log=build-fuzz/logs/$name.log
  mkdir -p "$work"
  if [[ ! -d $seeds ]]; then
    echo "fuzz: $name: no seed corpus at $seeds/" >"$log"
    return 1
  fi
  # New inputs go to the work corpus (git-ignored); the checked-in seeds are only read.
  # Seeds run first, so a regression input in the corpus fails at once.
  ASAN_OPTIONS="halt_on_error=1:detect_leaks=1" \
    LSAN_OPTIONS="suppressions=$ROOT/tests/sanitizers/lsan.supp:print_suppressions=0" UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1" \
    "build-fuzz/tests/fuzz/${name}_fuzzer" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="build-fuzz/artifacts/$name-" \
    "$work" "$seeds" >"$log" 2>&1
}

build_fuzz() {
  configure build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_CXX_FLAGS=-O1 -DUPKEEP_BUILD_TESTS=OFF -DUPKEEP_BUILD_FUZZ=ON \
    -DUPKEEP_SANITIZE=address || return 1
  cmake --build build-fuzz -j"$JOBS" --target fuzz_targets
}

gate_fuzz() {
  local seconds=${1:-10}
  log "fuzz: libFuzzer targets (build-fuzz), ${seconds}s each, $JOBS at a time"
  build_fuzz || return 1
  mkdir -p build-fuzz/logs build-fuzz/artifacts
  local names=() source
  for source in tests/fuzz/*_fuzzer.cc; do names+=("$(basename "$source" _fuzzer.cc)"); done
  rm -f build-fuzz/logs/*.status
  local name running=0 failed=()
  for name in "${names[@]}"; do
    if ((running >= JOBS)); then
      wait -n
      running=$((running - 1))
    fi
    (
      fuzz_one "$name" "$seconds"
      echo $? >"build-fuzz/logs/$name.status"
    ) &
    running=$((running + 1))
  done
  wait
  for name in "${names[@]}"; do
    if [[ $(cat "build-fuzz/logs/$name.status" 2>/dev/null) == 0 ]]; then
      printf 'fuzz: %-18s ok   %s\n' "$name" \
        "$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "build-fuzz/logs/$name.log" |
          grep -Eo '[0-9]+$') runs"
    else
      failed+=("$name")
      printf 'fuzz: %-18s FAILED (log: build-fuzz/logs/%s.log)\n' "$name" "$name"
    fi
  done
  for name in "${failed[@]}"; do
    echo "--- fuzz: $name"
    grep -E -A40 '==[0-9]+==|FUZZ_CHECK|ERROR: libFuzzer|uncaught exception' \
      "build-fuzz/logs/$name.log" | head -60
    grep -E 'Test unit written to' "build-fuzz/logs/$name.log"
  done
  if ((${#failed[@]} > 0)); then
    echo "fuzz: fix the parser, then add the input above to tests/fuzz/corpus/<target>/ as a" \
      "regression seed"
    return 1
  fi
}

# The Debian package from its own Release build (the test builds are instrumented), then its
# test: contents, conffiles, maintainer scripts, Depends, lintian, and the packaged binary
# started from the extracted tree.
build_package() {
  # Debian's hardening flags, as a package build would use them. Warnings are not errors here:
  # the same sources are compiled with -Werror by the coverage and TSan gates.
  local flags="env DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags"
  configure build-package -DCMAKE_BUILD_TYPE=Release -DUPKEEP_BUILD_TESTS=OFF \
    -DUPKEEP_PACKAGE=ON -DCMAKE_INSTALL_PREFIX=/usr -DUPKEEP_WERROR=OFF \
    -DCMAKE_CXX_FLAGS="$($flags --get CXXFLAGS) $($flags --get CPPFLAGS)" \
    -DCMAKE_EXE_LINKER_FLAGS="$($flags --get LDFLAGS)" || return 1
  cmake --build build-package -j"$JOBS" || return 1
  rm -f build-package/upkeep_*.deb
  (cd build-package && cpack -G DEB) >build-package/cpack.log 2>&1 || {
    cat build-package/cpack.log
    return 1
  }
}

gate_package() {
  log "package: the .deb (build-package, Release) and tests/package/package_test.py"
  build_package || return 1
  local debs=(build-package/upkeep_*_amd64.deb)
  if [[ ! -f ${debs[-1]} ]]; then
    echo "package: no build-package/upkeep_*_amd64.deb"
    return 1
  fi
  /usr/bin/python3 tests/package/package_test.py "${debs[-1]}"
}

gate_coverage_report() {
  log "coverage report (thresholds on lines; HTML in build/coverage/)"
  if [[ ! -d build-coverage ]]; then
    echo "coverage-report: no build-coverage/: run the coverage gate first"
    return 1
  fi
  python3 scripts/coverage_report.py --root "$ROOT" --build build-coverage \
    --html build/coverage --jobs "$JOBS"
}

gate_lint() {
  log "lint: clang-tidy (.clang-tidy), warnings as errors"
  # clang's own view of the build (tests, benchmarks and fuzz targets included): clang-tidy
  # reads the compile commands, nothing is compiled here.
  local bench=OFF
  [[ -f /usr/include/benchmark/benchmark.h ]] && bench=ON
  configure build-lint -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug \
    -DUPKEEP_BUILD_TESTS=ON -DUPKEEP_BUILD_BENCH=$bench -DUPKEEP_BUILD_FUZZ=ON -DUPKEEP_PCH=OFF || return 1
  local files
  mapfile -t files < <(our_sources | grep '\.cc$')
  printf '%s\n' "${files[@]}" |
    xargs -P "$JOBS" -n 4 clang-tidy -p build-lint --quiet 2>&1 |
    grep -v -E '^[0-9]+ warnings? generated\.$|^Suppressed [0-9]+ warnings|^Use -header-filter|^Use -system-headers'
  local status=("${PIPESTATUS[@]}")
  if ((status[1] != 0)); then
    echo "lint: clang-tidy found problems (above)"
    return 1
  fi
  echo "lint: ${#files[@]} files clean"
}

run_gate() {  # run_gate NAME ARGS...: runs gate_NAME and records its result and time
  local name=$1
  shift
  local start=$SECONDS
  if "gate_${name//-/_}" "$@"; then
    results+=("$(printf '%-16s ok      %4ds' "$name" $((SECONDS - start)))")
  else
    results+=("$(printf '%-16s FAILED  %4ds' "$name" $((SECONDS - start)))")
    any_failed=1
  fi
}

# The later gates' builds, started at once in the background at the lowest CPU priority: they
# take only the CPU the coverage build and suite leave idle (the suite mostly waits on daemons,
# git and sockets), and each gate's own build is then an up-to-date check. Only a head start:
# a build that fails here fails again, with its output, in its gate. Logs in
# build-prebuild.log.
start_prebuild() {
  (
    exec >build-prebuild.log 2>&1
    # Unrelated to the gate results: the gates decide; this only warms their build dirs.
    JOBS=$JOBS nice -n 19 scripts/gates.sh prebuild || true
  ) &
  prebuild_pid=$!
}

wait_prebuild() {
  [[ -n ${prebuild_pid:-} ]] || return 0
  local start=$SECONDS
  wait "$prebuild_pid" || true
  prebuild_pid=
  echo "prebuild: waited $((SECONDS - start))s for the background builds (build-prebuild.log)"
}

results=()
any_failed=0
gate=${1:-all}
shift || true
case "$gate" in
  all)
    start_prebuild
    run_gate format
    run_gate coverage
    wait_prebuild
    run_gate tsan
    run_gate fuzz "${FUZZ_SECONDS:-10}"
    run_gate package
    run_gate coverage-report
    ;;
  format | coverage | asan | tsan | fuzz | package | coverage-report | lint) run_gate "$gate" "$@" ;;
  prebuild)  # what `all` starts in the background (start_prebuild)
    build_tsan
    build_fuzz
    build_package
    exit 0
    ;;
  *)
    sed -n '2,15p' "$0"
    exit 2
    ;;
esac

log "gates"
printf '%s\n' "${results[@]}"
exit $any_failed
