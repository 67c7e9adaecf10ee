# The shipped monitoring (alerts/: rules, Alertmanager and Prometheus examples) through the real
# engines: Debian's Prometheus and Alertmanager with configs rewritten from the shipped files,
# two real upkeep instances, a webhook receiver. Python (no C++ to compile); -B keeps
# __pycache__ out of the source tree. amtool, prometheus and prometheus-alertmanager come from
# scripts/install-deps.sh test, like promtool.
find_program(AMTOOL amtool REQUIRED)
find_program(PROMETHEUS_SERVER prometheus REQUIRED)
find_program(PROMETHEUS_ALERTMANAGER prometheus-alertmanager REQUIRED)

# Quick: the rewritten configs pass promtool and amtool, and the shipped routes reach a webhook.
add_test(NAME monitoring.rewritten_configs_are_valid
         COMMAND ${UPKEEP_SYSTEM_PYTHON} -B ${CMAKE_CURRENT_SOURCE_DIR}/monitoring/rewritten_configs_check.py
                 --source-dir ${CMAKE_SOURCE_DIR} --promtool ${PROMTOOL} --amtool ${AMTOOL})
set_tests_properties(monitoring.rewritten_configs_are_valid PROPERTIES LABELS monitoring)

# The scenario: one upkeep stopped -> UpkeepDown, one update rolled back ->
# UpkeepUpdateRolledBack, both delivered to the receiver with their labels and runbook_url.
# About 12 s (Debug), 17-19 s (coverage + ASan, where it runs once per `make test`). Serial: it
# starts five daemons and waits on them. Its own waits are bounded below the TIMEOUT, so a hang
# fails with what was last seen rather than being killed by ctest.
add_test(NAME monitoring.engines_end_to_end
         COMMAND ${UPKEEP_SYSTEM_PYTHON} -B ${CMAKE_CURRENT_SOURCE_DIR}/monitoring/engines_end_to_end.py
                 --upkeep $<TARGET_FILE:upkeep> --source-dir ${CMAKE_SOURCE_DIR}
                 --promtool ${PROMTOOL} --amtool ${AMTOOL} --prometheus ${PROMETHEUS_SERVER}
                 --alertmanager ${PROMETHEUS_ALERTMANAGER})
set_tests_properties(monitoring.engines_end_to_end PROPERTIES LABELS "e2e;monitoring"
                     RUN_SERIAL TRUE TIMEOUT 360)
