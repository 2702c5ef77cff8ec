# Fails when a file outside src/git/ sees <git2.h>, directly or through any header it includes:
# libgit2 is private to src/git/*.cpp (and src/git/libgit2.h, which only they include). Run by
# ctest as layers_git2_confined:
#   cmake -DCXX=<compiler> -DSOURCE_DIR=<tree> -DGENERATED_DIR=<build>/generated -P this file
# Each file is preprocessed alone (-M lists every header it reaches, system headers included).
file(GLOB_RECURSE candidates RELATIVE ${SOURCE_DIR}
  ${SOURCE_DIR}/src/*.h ${SOURCE_DIR}/src/*.cpp
  ${SOURCE_DIR}/tests/*.h ${SOURCE_DIR}/tests/*.cpp
  ${SOURCE_DIR}/fuzz/*.cpp ${SOURCE_DIR}/bench/*.cpp)
set(checked 0)
set(offenders "")
foreach(file ${candidates})
  if(file MATCHES "^src/git/[^/]*\\.cpp$" OR file STREQUAL "src/git/libgit2.h")
    continue()
  endif()
  execute_process(
    COMMAND ${CXX} -std=c++20 -x c++ -M -w -I${SOURCE_DIR}/src -I${SOURCE_DIR}/tests
            -I${GENERATED_DIR} ${SOURCE_DIR}/${file}
    OUTPUT_VARIABLE deps ERROR_VARIABLE errors RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "cannot list the headers of ${file}:\n${errors}")
  endif()
  math(EXPR checked "${checked} + 1")
  if(deps MATCHES "[/ ]git2\\.h")
    list(APPEND offenders ${file})
  endif()
endforeach()
if(offenders)
  list(JOIN offenders "\n  " listed)
  message(FATAL_ERROR "<git2.h> is reachable outside src/git/*.cpp (include git/error.h or a "
                      "libgit2-free git/ header instead):\n  ${listed}")
endif()
message(STATUS "${checked} files outside src/git/*.cpp checked: none reaches <git2.h>")
