# The Debian package (make package): install rules for every file it ships, and CPack's DEB
# generator. Included by the top-level CMakeLists.txt when UPKEEP_PACKAGE is on, in a Release
# build of its own (build-package). Paths under /usr are relative to the packaging prefix
# (/usr); /etc and /lib are absolute, as Debian 12 puts them (units stay in /lib/systemd/system
# until the /usr-merge moratorium ends).

set(UPKEEP_PACKAGING_DIR ${CMAKE_SOURCE_DIR}/packaging)
set(CMAKE_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ
                                                GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)

# The Debian revision comes from the changelog's first entry, whose upstream part must be
# project(VERSION): the package's version cannot drift from the program's.
file(STRINGS ${UPKEEP_PACKAGING_DIR}/debian/changelog changelog_head LIMIT_COUNT 1)
if(NOT changelog_head MATCHES "^upkeep \\(([^)]+)-([0-9A-Za-z.+~]+)\\) ")
  message(FATAL_ERROR "packaging/debian/changelog: the first line must be "
                      "'upkeep (VERSION-REVISION) ...', not '${changelog_head}'")
endif()
if(NOT CMAKE_MATCH_1 STREQUAL PROJECT_VERSION)
  message(FATAL_ERROR "packaging/debian/changelog starts at ${CMAKE_MATCH_1} but project(VERSION) "
                      "is ${PROJECT_VERSION}: add a changelog entry for ${PROJECT_VERSION}-1")
endif()
set(UPKEEP_DEBIAN_REVISION ${CMAKE_MATCH_2})

# Compressed the way Debian wants: maximum compression, no name or time stamp (reproducible).
set(package_docs ${CMAKE_BINARY_DIR}/packaging)
add_custom_command(
  OUTPUT ${package_docs}/upkeep.8.gz ${package_docs}/changelog.Debian.gz
  COMMAND ${CMAKE_COMMAND} -E make_directory ${package_docs}
  COMMAND gzip -9nc ${UPKEEP_PACKAGING_DIR}/upkeep.8 > ${package_docs}/upkeep.8.gz
  COMMAND gzip -9nc ${UPKEEP_PACKAGING_DIR}/debian/changelog > ${package_docs}/changelog.Debian.gz
  DEPENDS ${UPKEEP_PACKAGING_DIR}/upkeep.8 ${UPKEEP_PACKAGING_DIR}/debian/changelog
  COMMENT "Compressing the man page and the Debian changelog")
add_custom_target(upkeep_package_docs ALL DEPENDS ${package_docs}/upkeep.8.gz
                                                  ${package_docs}/changelog.Debian.gz)

install(TARGETS upkeep RUNTIME DESTINATION bin)
install(FILES ${UPKEEP_PACKAGING_DIR}/upkeep.yaml DESTINATION /etc/upkeep)
install(FILES ${UPKEEP_PACKAGING_DIR}/upkeep.service DESTINATION /lib/systemd/system)
install(FILES ${package_docs}/upkeep.8.gz DESTINATION share/man/man8)
install(FILES ${UPKEEP_PACKAGING_DIR}/debian/copyright ${package_docs}/changelog.Debian.gz
        DESTINATION share/doc/upkeep)
install(FILES ${UPKEEP_PACKAGING_DIR}/update.conf.example DESTINATION share/doc/upkeep/examples)
# What the monitoring side needs, globbed when the package is built so that new dashboards and
# rule files come along without a change here. OPTIONAL: a file not written yet is no error.
install(DIRECTORY ${CMAKE_SOURCE_DIR}/dashboards/ DESTINATION share/upkeep/dashboards
        FILES_MATCHING PATTERN "*.json" PATTERN "provisioning.yaml")
install(DIRECTORY ${CMAKE_SOURCE_DIR}/alerts/ DESTINATION share/upkeep/alerts
        FILES_MATCHING PATTERN "*.yml" PATTERN "tests" EXCLUDE)
# The alert rules' runbook links (alerts/prometheus.example.yml) point at
# /usr/share/upkeep/docs/runbook.md.
install(FILES ${CMAKE_SOURCE_DIR}/docs/runbook.md ${CMAKE_SOURCE_DIR}/docs/openapi.yaml
        DESTINATION share/upkeep/docs OPTIONAL)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME upkeep)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_CONTACT "upkeep maintainers <maintainers@users.noreply.r-seed-bf84504c.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "host exporter for Prometheus and update controller for a git-deployed service")
# Lines of at most 80 characters (lintian); "." is an empty line of the extended description.
set(CPACK_PACKAGE_DESCRIPTION
    "upkeep watches the host (CPU, memory, filesystems, load, uptime and the
managed service's job queue) and serves what it sees as Prometheus metrics
and as a JSON health endpoint. It also compares the service's git checkout
with its remote and updates it safely: refused while jobs run, fast-forward
only, journaled and rolled back on any failure.
.
The package runs it as the system user upkeep under a hardened systemd unit,
and ships Grafana dashboards, Prometheus alert rules, a runbook and the API's
OpenAPI description in /usr/share/upkeep.")
set(CPACK_STRIP_FILES TRUE)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # upkeep_<version>-<revision>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_RELEASE ${UPKEEP_DEBIAN_REVISION})
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
# Shared libraries from dpkg-shlibdeps, plus what is not linked: adduser for the postinst, and
# libssl-dev because CivetWeb loads OpenSSL at run time with dlopen("libssl.so") and
# dlopen("libcrypto.so"), the unversioned names only libssl-dev ships (without them web.tls
# fails at start; see server/tls_setup.h).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, libssl-dev")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "prometheus, prometheus-alertmanager")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${UPKEEP_PACKAGING_DIR}/debian/conffiles ${UPKEEP_PACKAGING_DIR}/debian/postinst
    ${UPKEEP_PACKAGING_DIR}/debian/prerm ${UPKEEP_PACKAGING_DIR}/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
include(CPack)
