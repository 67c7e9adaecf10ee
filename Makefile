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

test: deps-test
	cmake -S . -B build-test -DCMAKE_BUILD_TYPE=RelWithDebInfo -DUPKEEP_BUILD_TESTS=ON -DUPKEEP_WERROR=ON
	cmake --build build-test -j$(JOBS)
	cd build-test && ctest --output-on-failure -j$(JOBS)

clean:
	rm -rf build build-*
