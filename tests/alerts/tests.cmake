# Alert rules, their runbook and the example Prometheus/Alertmanager configs (alerts/, docs/),
# checked with the real promtool, amtool and prometheus (Debian's packages). Label: alerts.
find_program(AMTOOL amtool REQUIRED)
find_program(PROMETHEUS prometheus REQUIRED)
set(UPKEEP_ALERTS_DIR ${CMAKE_SOURCE_DIR}/alerts)
file(GLOB UPKEEP_ALERT_RULE_TESTS CONFIGURE_DEPENDS ${UPKEEP_ALERTS_DIR}/tests/*.test.yml)

add_test(NAME alerts.promtool_check_rules
         COMMAND ${PROMTOOL} check rules ${UPKEEP_ALERTS_DIR}/upkeep.rules.yml)
# Every alert firing and not firing, with exact labels and annotations.
add_test(NAME alerts.promtool_test_rules
         COMMAND ${PROMTOOL} test rules ${UPKEEP_ALERT_RULE_TESTS})
# Relative paths in the example resolve from its own directory, whatever the cwd.
add_test(NAME alerts.promtool_check_config
         COMMAND ${PROMTOOL} check config ${UPKEEP_ALERTS_DIR}/prometheus.example.yml
         WORKING_DIRECTORY ${CMAKE_BINARY_DIR})
add_test(NAME alerts.amtool_check_config
         COMMAND ${AMTOOL} check-config ${UPKEEP_ALERTS_DIR}/alertmanager.example.yml)
# Each severity reaches its own receiver.
foreach(severity critical warning info)
  add_test(NAME alerts.amtool_route_${severity}
           COMMAND ${AMTOOL} config routes test
                   --config.file=${UPKEEP_ALERTS_DIR}/alertmanager.example.yml
                   --verify.receivers=${severity}
                   severity=${severity} alertname=UpkeepTest instance=host:10420)
endforeach()
# The contract between rules, runbook, unit tests and examples, and the checker's own tests.
add_test(NAME alerts.check_alerts
         COMMAND ${UPKEEP_SYSTEM_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/check_alerts.py
                 --root ${CMAKE_SOURCE_DIR})
add_test(NAME alerts.check_alerts_selftest
         COMMAND ${UPKEEP_SYSTEM_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/test_check_alerts.py)
# runbook_url with the external label set, in a real Prometheus (promtool 2.42 cannot set it).
add_test(NAME alerts.runbook_url_live
         COMMAND ${UPKEEP_SYSTEM_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/runbook_url_live.py
                 ${PROMETHEUS})

set_tests_properties(
  alerts.promtool_check_rules alerts.promtool_test_rules alerts.promtool_check_config
  alerts.amtool_check_config alerts.amtool_route_critical alerts.amtool_route_warning
  alerts.amtool_route_info alerts.check_alerts alerts.check_alerts_selftest
  alerts.runbook_url_live
  PROPERTIES LABELS alerts TIMEOUT 120)
# promtool warns, and still exits 0, about a rule or file_sd file that does not exist.
set_tests_properties(alerts.promtool_check_config PROPERTIES FAIL_REGULAR_EXPRESSION
                     "WARNING|FAILED")
