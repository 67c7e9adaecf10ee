#!/usr/bin/python3
"""The API contract: the real upkeep binary, called on every operation of docs/openapi.yaml in
its success and error cases, each answer validated against the spec's response for its status
(jsonschema, Draft 2020-12). Fails on an answer the spec does not describe, an operation never
called, or an optional response property never seen; and shows that the validator catches a
body that drifted from the spec.

Usage: contract_test.py --binary BUILD/upkeep --spec docs/openapi.yaml   (as root: the checkout
belongs to nobody, who runs git and the steps)"""

import argparse
import copy
import json
import os
import sys

from contract_client import Api
from contract_fixture import Fixture
from contract_scenario import run_scenario
from openapi_contract import Contract

MAIN_CONFIG = """\
web:
  max_body_bytes: 4096
auth:
  tokens_file: {root}/tokens
  metrics: token
  max_failures: 40
  lockout_window: 1m
sample:
  interval: 100ms
  filesystems: ["/", "{root}/not-a-mount"]
queue:
  type: sqlite
  interval: 100ms
  timeout: 500ms
  stale_after: 2s
  sqlite:
    path: {root}/queue.db
update:
  repo: {root}/repos/service
  user: nobody
  check_interval: 0
  state_dir: {root}/state
  drain_timeout: 0s
  steps:
    - name: build
      run: >-
        if [ -e {root}/markers/hold ]; then i=0;
        while [ ! -e {root}/markers/go ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done;
        fi; test ! -e {root}/markers/fail
      rollback: "test ! -e {root}/markers/rollback-fail"
      timeout: 30s
    - name: docs
      run: "true"
      when_changed: ["docs/**"]
  restart: { run: "true" }
  health_check: { run: "true", retries: 1, interval: 100ms }
"""

# No update: section, metrics open.
BARE_CONFIG = """\
auth:
  tokens_file: {root}/tokens
sample:
  interval: 100ms
"""


DRIFT_SAMPLES = {
    ("GET", "/api/system/health", 200), ("GET", "/api/system/update/check", 200),
    ("POST", "/api/system/update/execute", 200), ("POST", "/api/system/update/execute", 409),
    ("GET", "/api/system/update/status", 200), ("GET", "/api/system/update/history", 200)}
REQUIRED_EVERYWHERE = ("cpu", "blockers", "success", "entries")


def nested_object(instance):
    """The first object inside `instance` (a member's value, or the first item of a list)."""
    for value in instance.values():
        if isinstance(value, dict):
            return value
        if isinstance(value, list) and value and isinstance(value[0], dict):
            return value[0]
    return None


def check_drift_is_caught(contract):
    """The validator is not vacuous: an extra member, at the top or nested, and a missing
    required one each fail; the bodies as they came pass."""
    kinds = set()
    for (method, path), status, schema, instance in contract.samples:
        if (method, path, status) not in DRIFT_SAMPLES or (method, path, status) in kinds:
            continue
        kinds.add((method, path, status))
        where = f"{method} {path} {status}"
        assert contract.is_valid(schema, instance), f"{where}: the body as it came fails"
        mutations = []
        extra = copy.deepcopy(instance)
        extra["unexpectedMember"] = 1
        mutations.append(("an extra member", extra))
        nested = copy.deepcopy(instance)
        inner = nested_object(nested)
        if inner is not None:
            inner["unexpectedMember"] = 1
            mutations.append(("a nested extra member", nested))
        missing = copy.deepcopy(instance)
        missing.pop(next(key for key in REQUIRED_EVERYWHERE if key in missing))
        mutations.append(("a missing required member", missing))
        for what, mutated in mutations:
            assert not contract.is_valid(schema, mutated), (
                f"{where}: {what} was not caught: {json.dumps(mutated)[:500]}")
    assert kinds == DRIFT_SAMPLES, f"no body to mutate for {sorted(DRIFT_SAMPLES - kinds)}"
    print(f"drift self-check: {len(kinds)} kinds of body, each failing with an extra member, a "
          "nested one and a missing required one")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--spec", required=True)
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("skipped: needs root (the checkout belongs to nobody, uid 65534)")
        return 77
    contract = Contract(args.spec)
    fixture = Fixture(args.binary)
    try:
        fixture.make_repositories()
        fixture.release("v1.1.0")
        fixture.make_queue()
        admin = fixture.create_token("admin", "admin")
        metrics = fixture.create_token("scraper", "metrics")
        main_config = fixture.write_config("upkeep.yaml", MAIN_CONFIG)
        daemon = fixture.start(main_config)
        bare = fixture.start(fixture.write_config("bare.yaml", BARE_CONFIG))
        api = Api(contract, daemon.port, admin, metrics)
        bare_api = Api(contract, bare.port, admin, metrics)
        try:
            run_scenario(api, bare_api, fixture, contract, main_config)
        except BaseException:
            for index, started in enumerate(fixture.daemons):
                print(f"--- upkeep {index} log ---\n{started.text()[-6000:]}", file=sys.stderr)
            raise
    finally:
        fixture.close()

    missing_operations = contract.operations_not_called()
    assert not missing_operations, f"operations never called: {missing_operations}"
    unseen = contract.optional_not_seen()
    assert not unseen, "optional properties no answer held: " + ", ".join(
        f"{pointer}.{name}" for pointer, name in unseen)
    check_drift_is_caught(contract)
    print(f"contract: {len(contract.called)} operations, {len(contract.samples)} bodies validated, "
          f"{len(contract.optional)} optional properties all seen")
    return 0


if __name__ == "__main__":
    sys.exit(main())
