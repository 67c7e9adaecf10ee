# The Grafana dashboards: the lint (data source variable everywhere, units, descriptions,
# $__rate_interval, defined variables, no baked-in job or host, unique uids and ids, Grafana
# 10/11 schema), every query parsed by the real promtool, and the provisioning file; then the
# lint's self-test, which breaks copies of the dashboards and requires each break to be caught.
# That the queries return data from a real Prometheus is DashboardTest (integration_tests).
set(UPKEEP_DASHBOARDS ${CMAKE_SOURCE_DIR}/dashboards/upkeep-fleet.json
                      ${CMAKE_SOURCE_DIR}/dashboards/upkeep-host.json)
set(UPKEEP_DASHBOARD_LINT ${CMAKE_CURRENT_LIST_DIR}/dashboard_lint.py)
add_test(NAME dashboards.lint
         COMMAND ${UPKEEP_SYSTEM_PYTHON} ${UPKEEP_DASHBOARD_LINT} --promtool ${PROMTOOL}
                 --provisioning ${CMAKE_SOURCE_DIR}/dashboards/provisioning.yaml
                 ${UPKEEP_DASHBOARDS})
add_test(NAME dashboards.lint_catches_broken_dashboards
         COMMAND ${UPKEEP_SYSTEM_PYTHON} ${UPKEEP_DASHBOARD_LINT} --self-test --promtool
                 ${PROMTOOL} ${UPKEEP_DASHBOARDS})
set_tests_properties(dashboards.lint dashboards.lint_catches_broken_dashboards
                     PROPERTIES LABELS dashboards TIMEOUT 60)
