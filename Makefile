# upkeep: `make run` and `make test` are the two set-up commands (see README.md).
SHELL := /bin/bash
JOBS ?= $(shell nproc)
BUILD ?= build
CONFIG ?= config/upkeep.example.yaml

.PHONY: all build run test bench deps deps-test deps-bench clean

all: build

deps:
	@scripts/install-deps.sh run

deps-test:
	@scripts/install-deps.sh test

deps-bench:
	@scripts/install-deps.sh bench

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DUPKEEP_BUILD_TESTS=OFF

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS) --target upkeep

run: build
	@BUILD=$(BUILD) CONFIG=$(CONFIG) scripts/run.sh

# make demo: the update loop end to end (README "Try the update loop"): Node.js, pm2 (pinned,
#   into var/tools/pm2) and upkeep; the example render manager (examples/render-manager) under pm2
#   on 127.0.0.1:3000, managed by upkeep on 127.0.0.1:10421, all under var/demo-loop (made anew).
#   Ctrl-C stops upkeep and pm2. DEMO_SERVICE_PORT / DEMO_UPKEEP_PORT move the ports.
.PHONY: demo deps-demo
deps-demo:
	@scripts/install-deps.sh demo

demo: deps-demo $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS) --target upkeep
	@BUILD=$(BUILD) scripts/demo-loop.sh

# Quality gates (scripts/gates.sh). make test: format check, one gcov + ASan + UBSan build with
#   the whole suite on it, a TSan build + the concurrency suite, each fuzz target ~10 s, then the
#   per-folder coverage table with its thresholds. Every gate runs even if one fails; the exit
#   status is non-zero if any did.
# One gate alone: make test-format | coverage | test-asan (the same build) | test-tsan | fuzz | lint.
FUZZ_SECONDS ?= 300
.PHONY: test-format coverage test-asan test-tsan fuzz lint

test: deps-test
	@JOBS=$(JOBS) scripts/gates.sh all

test-format: deps-test
	@scripts/gates.sh format

coverage: deps-test
	@JOBS=$(JOBS) scripts/gates.sh coverage && JOBS=$(JOBS) scripts/gates.sh coverage-report

test-asan: deps-test
	@JOBS=$(JOBS) scripts/gates.sh coverage

test-tsan: deps-test
	@JOBS=$(JOBS) scripts/gates.sh tsan

fuzz: deps-test
	@JOBS=$(JOBS) scripts/gates.sh fuzz $(FUZZ_SECONDS)

lint: deps-test
	@JOBS=$(JOBS) scripts/gates.sh lint

clean:
	rm -rf build build-*

# make package: the Debian package build-package/upkeep_<version>-<revision>_amd64.deb (README
#   "Install from the package"): a Release build of its own with Debian's hardening flags, no
#   tests, then CPack's DEB generator (packaging/package.cmake). Its test:
#   /usr/bin/python3 tests/package/package_test.py build-package/upkeep_*_amd64.deb
PACKAGE_BUILD ?= build-package
DPKG_BUILDFLAGS := DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags
.PHONY: package deps-package

deps-package:
	@scripts/install-deps.sh package

package: deps-package
	cmake -S . -B $(PACKAGE_BUILD) -DCMAKE_BUILD_TYPE=Release -DUPKEEP_BUILD_TESTS=OFF \
	  -DUPKEEP_PACKAGE=ON -DCMAKE_INSTALL_PREFIX=/usr \
	  -DCMAKE_CXX_FLAGS="$$($(DPKG_BUILDFLAGS) --get CXXFLAGS) $$($(DPKG_BUILDFLAGS) --get CPPFLAGS)" \
	  -DCMAKE_EXE_LINKER_FLAGS="$$($(DPKG_BUILDFLAGS) --get LDFLAGS)"
	cmake --build $(PACKAGE_BUILD) -j$(JOBS)
	rm -f $(PACKAGE_BUILD)/upkeep_*.deb
	cd $(PACKAGE_BUILD) && cpack -G DEB
	@ls $(PACKAGE_BUILD)/upkeep_*.deb

# Benchmarks (bench/). make bench: Release micro-benchmarks (Google Benchmark); BENCH_ARGS passes flags to it,
#   e.g. BENCH_ARGS=--benchmark_filter=Gzip.
# make bench-compare: upkeep vs node_exporter vs nginx under wrk; writes bench/RESULTS.md.
BENCH_BUILD ?= build-bench
BENCH_ARGS ?=
.PHONY: bench bench-compare bench-update

bench:
	@scripts/install-deps.sh bench
	cmake -S . -B $(BENCH_BUILD) -DCMAKE_BUILD_TYPE=Release -DUPKEEP_BUILD_BENCH=ON -DUPKEEP_BUILD_TESTS=OFF
	cmake --build $(BENCH_BUILD) -j$(JOBS) --target upkeep_bench tick_cost slow_clients upkeep
	$(BENCH_BUILD)/bench/upkeep_bench $(BENCH_ARGS)

bench-compare:
	@scripts/install-deps.sh bench
	BUILD_DIR=$(CURDIR)/$(BENCH_BUILD) bench/compare.sh

# make bench-update: the update check's costs (bench/update_check_bench.cc; RESULTS.md §6).
bench-update:
	@scripts/install-deps.sh bench
	cmake -S . -B $(BENCH_BUILD) -DCMAKE_BUILD_TYPE=Release -DUPKEEP_BUILD_BENCH=ON -DUPKEEP_BUILD_TESTS=OFF
	cmake --build $(BENCH_BUILD) -j$(JOBS) --target update_check_bench
	$(BENCH_BUILD)/bench/update_check_bench $(BENCH_ARGS)
