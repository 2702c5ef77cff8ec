# Installing and packaging trailgate: what `cmake --install` puts where, the man page, and the
# Debian package that `cpack -G DEB` builds. Included at the end of the top-level CMakeLists.txt.
#
#   cmake --install build --prefix P   P/bin/trailgate
#                                      P/share/trailgate/hooks/*        (the hook shims)
#                                      P/share/man/man1/trailgate.1
#                                      P/share/doc/trailgate/README.md, docs/*.md
#                                      P/share/doc/trailgate/examples/{policy.toml,demo.sh}
#   cd build && cpack -G DEB           trailgate_<version>_<arch>.deb, installed under /usr
#
# packaging/release-check.sh builds the package and installs it with apt on a fresh Debian 12
# (docs/release.md).
include(GNUInstallDirs)

install(TARGETS trailgate RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# Every file in hooks/, whatever is there when installing: the shims and their helpers are
# scripts, so they are executable.
install(
  DIRECTORY ${CMAKE_SOURCE_DIR}/hooks/
  DESTINATION ${CMAKE_INSTALL_DATADIR}/trailgate/hooks
  FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ
                   WORLD_EXECUTE
  PATTERN "*.md" PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

# README.md keeps its relative links: it sits above docs/ as in the source tree.
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(
  DIRECTORY ${CMAKE_SOURCE_DIR}/docs/
  DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs
  FILES_MATCHING
  PATTERN "*.md")
install(FILES ${CMAKE_SOURCE_DIR}/examples/policy.toml DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
install(PROGRAMS ${CMAKE_SOURCE_DIR}/examples/demo.sh DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)

# --- the man page, generated from the built binary's --help (packaging/manpage.cmake) ----------
execute_process(
  COMMAND git log -1 --format=%cs
  WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
  OUTPUT_VARIABLE TRAILGATE_SOURCE_DATE OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
set(TRAILGATE_MANPAGE ${CMAKE_BINARY_DIR}/trailgate.1)
add_custom_command(
  OUTPUT ${TRAILGATE_MANPAGE}
  # A sanitized build runs here too; leak reports of a --help run are not the man page's business.
  COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=0 ${CMAKE_COMMAND}
          -DTRAILGATE=$<TARGET_FILE:trailgate>
          -DTEMPLATE=${CMAKE_SOURCE_DIR}/packaging/trailgate.1.in -DOUTPUT=${TRAILGATE_MANPAGE}
          -DVERSION=${PROJECT_VERSION} -DDATE=${TRAILGATE_SOURCE_DATE} -P
          ${CMAKE_SOURCE_DIR}/packaging/manpage.cmake
  DEPENDS trailgate ${CMAKE_SOURCE_DIR}/packaging/trailgate.1.in
          ${CMAKE_SOURCE_DIR}/packaging/manpage.cmake
  COMMENT "Generating trailgate.1 from trailgate --help"
  VERBATIM)
add_custom_target(trailgate_manpage ALL DEPENDS ${TRAILGATE_MANPAGE})
install(FILES ${TRAILGATE_MANPAGE} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

# --- the Debian package -------------------------------------------------------------------
set(TRAILGATE_MAINTAINER "trailgate maintainers <maintainers@trailgate.invalid>"
    CACHE STRING "Maintainer field of the Debian package: \"Name <email>\"")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME trailgate)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${TRAILGATE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Git hook that requires a verified senior review of AI-assisted commits")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "trailgate is a Git server-side pre-receive hook and commit-trailer
verifier. It finds the commits of a push that are marked as AI-assisted
(trailers such as Assisted-by, co-author or author identities of known AI
tools, marker lines in the message) and rejects a push to a protected
branch unless each such commit carries a verified review: a Reviewed-by
trailer by a senior on the policy's roster, backed by an SSH signature
over the commit's content. Deleting or rewriting a protected branch is
rejected too.

The same engine checks a branch before pushing (trailgate check), lets
the reviewer sign with their SSH key (trailgate approve), and audits a
whole history into HTML, CSV and JSON reports (trailgate audit).")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${TRAILGATE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION vcs)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The shared libraries (libgit2, libre2, libssl, libfmt, libstdc++, ...) come from
# dpkg-shlibdeps; the programs trailgate runs are named here: git runs the hook, and
# `trailgate approve` and the demo use ssh-keygen.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "git, openssh-client")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Only the DEB generator is meant; keep build trees and scratch files out of source packages.
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build[^/]*/" "/packaging/work/" "/bench/work/")
include(CPack)
