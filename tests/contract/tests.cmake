# The API contract: docs/openapi.yaml linted with @redocly/cli (pinned, installed into
# var/tools/redocly by scripts/install-deps.sh test), and the real binary held to it.
set(UPKEEP_REDOCLY ${CMAKE_SOURCE_DIR}/var/tools/redocly/bin/redocly)
# Redocly calls nothing outside: no usage telemetry (REDOCLY_TELEMETRY=off, and `telemetry: off`
# in docs/redocly.yaml), no look-up of a newer version on the npm registry
# (REDOCLY_SUPPRESS_UPDATE_NOTICE=true); the description has no remote $ref and the config
# extends only a built-in rule set. It runs in docs/, which holds no .env for it to load.
set(UPKEEP_REDOCLY_LINT ${CMAKE_COMMAND} -E env REDOCLY_TELEMETRY=off
    REDOCLY_SUPPRESS_UPDATE_NOTICE=true ${UPKEEP_REDOCLY} lint --config redocly.yaml)
# recommended-strict makes every warning an error; the expression (Redocly's summary of
# warnings and errors) is the second guard.
add_test(NAME contract.openapi_lint COMMAND ${UPKEEP_REDOCLY_LINT} openapi.yaml
         WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/docs)
set_tests_properties(contract.openapi_lint PROPERTIES
                     FAIL_REGULAR_EXPRESSION "You have [0-9]+ warning;[0-9]+ errors?[.]")
# The same lint fails on a description with a fault of each kind.
add_test(NAME contract.openapi_lint_catches_problems
         COMMAND ${UPKEEP_REDOCLY_LINT} ${CMAKE_CURRENT_LIST_DIR}/fixtures/broken_openapi.yaml
         WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/docs)
set_tests_properties(contract.openapi_lint_catches_problems PROPERTIES
                     PASS_REGULAR_EXPRESSION "Validation failed with 2 errors")

# Every operation of the description, called on the real binary (success and error answers,
# each validated against the spec with jsonschema), and the served description compared with
# the file. As root: the managed checkout belongs to nobody (exit 77, skipped, otherwise).
add_test(NAME contract.api
         COMMAND ${UPKEEP_SYSTEM_PYTHON} -B ${CMAKE_CURRENT_LIST_DIR}/contract_test.py
                 --binary $<TARGET_FILE:upkeep> --spec ${CMAKE_SOURCE_DIR}/docs/openapi.yaml)
set_tests_properties(contract.api PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 120)

set_tests_properties(contract.openapi_lint contract.openapi_lint_catches_problems contract.api
                     PROPERTIES LABELS contract)
set_tests_properties(contract.openapi_lint contract.openapi_lint_catches_problems PROPERTIES
                     TIMEOUT 60)
