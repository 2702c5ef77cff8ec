# Installing and packaging trailgate: what `cmake --install` puts where, the man page, and the
# Debian package that `cpack -G DEB` builds. Included at the end of the top-level CMakeLists.txt.
#
#   cmake --install build --prefix P   P/bin/trailgate
#                                      P/share/trailgate/hooks/*        (the hooks, as install
#                                                                        writes them for P)
#                                      P/share/man/man1/trailgate.1.gz
#                                      P/share/doc/trailgate/README.md, docs/*.md
#                                      P/share/doc/trailgate/copyright, changelog.Debian.gz
#                                      P/share/doc/trailgate/examples/{policy.toml,demo.sh}
#   cd build && cpack -G DEB           trailgate_<version>_<arch>.deb, installed under /usr
#
# packaging/release-check.sh builds the package and installs it with apt on a fresh Debian 12
# (docs/release.md).
include(GNUInstallDirs)

install(TARGETS trailgate RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# The hooks of hooks/, each exactly as `trailgate install` writes it for the installed binary:
# <prefix>/bin/trailgate in place of `trailgate`, and the checksum line. They are made when
# installing, because the prefix is known only then (cpack installs under /usr whatever the build
# was configured with), by trailgate_hook_text, which calls install's own hook_text().
# tests/e2e/packaging_hooks_test checks them against what the installed binary writes.
add_executable(trailgate_hook_text ${CMAKE_SOURCE_DIR}/packaging/hook_text.cpp)
target_link_libraries(trailgate_hook_text PRIVATE tg_install)
set(TRAILGATE_HOOK_FILES pre-receive update chain-runner)
install(
  CODE "
  set(tg_hooks_out \"${CMAKE_BINARY_DIR}/installed-hooks\")
  file(MAKE_DIRECTORY \"\${tg_hooks_out}\")
  set(tg_hook_files \"\")
  foreach(tg_hook ${TRAILGATE_HOOK_FILES})
    execute_process(
      COMMAND \"$<TARGET_FILE:trailgate_hook_text>\" \${tg_hook}
              \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/trailgate\"
              \"\${tg_hooks_out}/\${tg_hook}\"
      RESULT_VARIABLE tg_rc)
    if(NOT tg_rc EQUAL 0)
      message(FATAL_ERROR \"trailgate_hook_text \${tg_hook} failed\")
    endif()
    list(APPEND tg_hook_files \"\${tg_hooks_out}/\${tg_hook}\")
  endforeach()
  file(INSTALL DESTINATION \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_DATADIR}/trailgate/hooks\"
       TYPE PROGRAM FILES \${tg_hook_files})
  ")

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
# Installed gzipped, as Debian policy asks (-n: no name or time stamp, so builds are reproducible).
add_custom_command(
  OUTPUT ${TRAILGATE_MANPAGE}.gz
  COMMAND gzip -9nkf ${TRAILGATE_MANPAGE}
  DEPENDS ${TRAILGATE_MANPAGE}
  COMMENT "Compressing trailgate.1"
  VERBATIM)
add_custom_target(trailgate_manpage ALL DEPENDS ${TRAILGATE_MANPAGE} ${TRAILGATE_MANPAGE}.gz)
install(FILES ${TRAILGATE_MANPAGE}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

# --- the license, as Debian's machine-readable copyright file, and the changelog --------------
install(FILES ${CMAKE_SOURCE_DIR}/packaging/copyright DESTINATION ${CMAKE_INSTALL_DOCDIR})

# --- the Debian package -------------------------------------------------------------------
# The Maintainer, "Name <email>": -DTRAILGATE_MAINTAINER=... when set. Otherwise it is found when
# the build is first configured, the way Debian's own tools (dch) find who is packaging:
# DEBFULLNAME and DEBEMAIL; else the git identity (user.name, user.email) of the source checkout;
# else the author of the commit being built. docs/release.md says more.
if(NOT DEFINED CACHE{TRAILGATE_MAINTAINER})
  set(tg_maintainer "")
  if(NOT "$ENV{DEBFULLNAME}" STREQUAL "" AND NOT "$ENV{DEBEMAIL}" STREQUAL "")
    set(tg_maintainer "$ENV{DEBFULLNAME} <$ENV{DEBEMAIL}>")
  elseif("$ENV{DEBEMAIL}" MATCHES "^[^<>]+ <[^<>]+>$")
    set(tg_maintainer "$ENV{DEBEMAIL}")
  else()
    execute_process(COMMAND git config user.name WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
                    OUTPUT_VARIABLE tg_name OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    execute_process(COMMAND git config user.email WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
                    OUTPUT_VARIABLE tg_email OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    if(tg_name AND tg_email)
      set(tg_maintainer "${tg_name} <${tg_email}>")
    else()
      execute_process(COMMAND git log -1 --format=%an%x20<%ae> WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
                      OUTPUT_VARIABLE tg_maintainer OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    endif()
  endif()
  set(TRAILGATE_MAINTAINER "${tg_maintainer}"
      CACHE STRING "Maintainer of the Debian package and its changelog: \"Name <email>\"")
endif()
if(NOT TRAILGATE_MAINTAINER MATCHES "^[^<>]+ <[^<>@ ]+@[^<>@ ]+>$")
  message(WARNING "TRAILGATE_MAINTAINER is \"${TRAILGATE_MAINTAINER}\", not \"Name <email>\": "
                  "`cpack -G DEB` needs -DTRAILGATE_MAINTAINER=\"Your Name <you@example.org>\"")
endif()

# The Debian revision: trailgate_<version>-<revision>. A package with a revision is a packaged
# upstream release (not a "native" Debian package), so its changelog is changelog.Debian.gz.
set(TRAILGATE_DEBIAN_REVISION 1 CACHE STRING "Debian revision of the package's version")
set(TRAILGATE_DEB_VERSION ${PROJECT_VERSION}-${TRAILGATE_DEBIAN_REVISION})

# packaging/changelog.Debian.in holds the entries; its first must be this version, so a release
# that forgets its entry does not build. Its trailer line gets the maintainer and the date of the
# commit being built (RFC 2822, as Debian's changelog format wants it).
file(STRINGS ${CMAKE_SOURCE_DIR}/packaging/changelog.Debian.in tg_changelog_top LIMIT_COUNT 1)
if(NOT tg_changelog_top MATCHES "^trailgate \\(${TRAILGATE_DEB_VERSION}\\) ")
  message(FATAL_ERROR "packaging/changelog.Debian.in starts with \"${tg_changelog_top}\"; "
                      "its first entry must be for trailgate (${TRAILGATE_DEB_VERSION})")
endif()
execute_process(
  COMMAND git log -1 --format=%ct
  WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
  OUTPUT_VARIABLE tg_source_epoch OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(tg_source_epoch)
  set(tg_saved_epoch "$ENV{SOURCE_DATE_EPOCH}")
  set(ENV{SOURCE_DATE_EPOCH} ${tg_source_epoch})
  string(TIMESTAMP TRAILGATE_CHANGELOG_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)
  set(ENV{SOURCE_DATE_EPOCH} "${tg_saved_epoch}")
else()
  string(TIMESTAMP TRAILGATE_CHANGELOG_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)
endif()
configure_file(${CMAKE_SOURCE_DIR}/packaging/changelog.Debian.in
               ${CMAKE_BINARY_DIR}/changelog.Debian @ONLY)
add_custom_command(
  OUTPUT ${CMAKE_BINARY_DIR}/changelog.Debian.gz
  COMMAND gzip -9nkf ${CMAKE_BINARY_DIR}/changelog.Debian
  DEPENDS ${CMAKE_BINARY_DIR}/changelog.Debian
  COMMENT "Compressing changelog.Debian"
  VERBATIM)
add_custom_target(trailgate_changelog ALL DEPENDS ${CMAKE_BINARY_DIR}/changelog.Debian.gz)
install(FILES ${CMAKE_BINARY_DIR}/changelog.Debian.gz DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME trailgate)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_DEBIAN_PACKAGE_RELEASE ${TRAILGATE_DEBIAN_REVISION})
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
