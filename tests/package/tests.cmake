# The Debian package's parts that need no package build: the systemd unit, alone and with the
# update drop-in, verified by systemd-analyze on a copy that runs the binary built here, with
# the settings upkeep relies on (update.shutdown_timeout's default read from
# controller/update_options.h); the man page, rendered by groff without a warning and
# documenting every flag in app/flags.cc. Each checker also shows, on a broken copy, that it
# catches a fault.
# The .deb itself is checked by tests/package/package_test.py, which scripts/gates.sh runs
# after `make package`: this suite's build is instrumented, the package is a Release build.
add_test(NAME package.unit_verifies
         COMMAND ${UPKEEP_SYSTEM_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/verify_unit.py
                 --unit ${CMAKE_SOURCE_DIR}/packaging/upkeep.service
                 --drop-in ${CMAKE_SOURCE_DIR}/packaging/update.conf.example
                 --binary $<TARGET_FILE:upkeep>
                 --update-options ${CMAKE_SOURCE_DIR}/controller/update_options.h)
add_test(NAME package.man_page_renders
         COMMAND ${UPKEEP_SYSTEM_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/check_man_page.py
                 --man ${CMAKE_SOURCE_DIR}/packaging/upkeep.8
                 --flags ${CMAKE_SOURCE_DIR}/app/flags.cc)
set_tests_properties(package.unit_verifies package.man_page_renders
                     PROPERTIES LABELS package TIMEOUT 60)
