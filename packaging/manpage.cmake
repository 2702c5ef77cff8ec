# Generates trailgate(1) from packaging/trailgate.1.in and the built binary's own --help output.
#
#   cmake -DTRAILGATE=path/to/trailgate -DTEMPLATE=packaging/trailgate.1.in -DOUTPUT=trailgate.1
#         -DVERSION=0.1.0 [-DDATE=YYYY-MM-DD] -P packaging/manpage.cmake
#
# @OPTIONS@ becomes the "Options:" section of `trailgate --help`; @COMMANDS@ becomes one
# subsection per command, found by walking the "Subcommands:" sections of every help page
# (so `policy check` is documented too), each with its help page verbatim. A command whose
# --help fails stops the build: the man page never silently loses a command.
cmake_minimum_required(VERSION 3.25)

foreach(var TRAILGATE TEMPLATE OUTPUT VERSION)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "manpage.cmake: -D${var}=... is required")
  endif()
endforeach()

# Runs `trailgate <args...> --help` into `out`.
function(help_of out)
  execute_process(
    COMMAND ${TRAILGATE} ${ARGN} --help
    OUTPUT_VARIABLE text
    ERROR_VARIABLE err
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    string(JOIN " " cmd ${ARGN})
    message(FATAL_ERROR "manpage.cmake: `trailgate ${cmd} --help` failed (${rc}): ${err}")
  endif()
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# Escapes plain text for roff, to be shown in a no-fill block.
function(roff_escape out text)
  string(REPLACE "\\" "\\e" text "${text}")
  string(REPLACE "-" "\\-" text "${text}")
  # A line that starts with . or ' would be read as a request.
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  string(REGEX REPLACE "\n+$" "" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# The names listed in the "Subcommands:" section of a help page, in order.
function(subcommands_of out text)
  set(names "")
  string(FIND "${text}" "\nSubcommands:\n" at)
  if(NOT at EQUAL -1)
    math(EXPR at "${at} + 14")
    string(SUBSTRING "${text}" ${at} -1 section)
    # The section ends at the first line that is not indented.
    string(REGEX REPLACE "\n[^ ].*" "" section "${section}")
    string(REGEX MATCHALL "(^|\n)  [a-z][a-z0-9-]*" lines "${section}")
    foreach(line IN LISTS lines)
      string(STRIP "${line}" name)
      list(APPEND names "${name}")
    endforeach()
  endif()
  set(${out} "${names}" PARENT_SCOPE)
endfunction()

# Appends the subsection of command `path...`, then those of its subcommands, to the global
# property TG_COMMANDS_ROFF.
function(document_command)
  help_of(text ${ARGN})
  string(JOIN " " name ${ARGN})
  string(FIND "${text}" "\n" eol)
  string(SUBSTRING "${text}" 0 ${eol} summary)
  math(EXPR eol "${eol} + 1")
  string(SUBSTRING "${text}" ${eol} -1 body)
  roff_escape(summary "${summary}")
  roff_escape(body "${body}")
  string(REPLACE "-" "\\-" title "${name}")
  set_property(GLOBAL APPEND_STRING PROPERTY TG_COMMANDS_ROFF
    ".SS \"trailgate ${title}\"\n${summary}\n.PP\n.RS 4\n.nf\n${body}\n.fi\n.RE\n")
  subcommands_of(children "${text}")
  foreach(child IN LISTS children)
    document_command(${ARGN} ${child})
  endforeach()
endfunction()

help_of(top)
string(FIND "${top}" "\nOptions:\n" at)
if(at EQUAL -1)
  message(FATAL_ERROR "manpage.cmake: `trailgate --help` has no Options: section")
endif()
math(EXPR at "${at} + 10")
string(SUBSTRING "${top}" ${at} -1 options)
string(FIND "${options}" "\n\n" end)
if(NOT end EQUAL -1)
  string(SUBSTRING "${options}" 0 ${end} options)
endif()
roff_escape(options "${options}")
set(OPTIONS ".RS 4\n.nf\n${options}\n.fi\n.RE")

subcommands_of(commands "${top}")
list(LENGTH commands count)
if(count EQUAL 0)
  message(FATAL_ERROR "manpage.cmake: `trailgate --help` lists no subcommands")
endif()
set_property(GLOBAL PROPERTY TG_COMMANDS_ROFF "")
foreach(command IN LISTS commands)
  document_command(${command})
endforeach()
get_property(COMMANDS GLOBAL PROPERTY TG_COMMANDS_ROFF)
string(REGEX REPLACE "\n$" "" COMMANDS "${COMMANDS}")

if(NOT DEFINED DATE)
  set(DATE "")
endif()
configure_file(${TEMPLATE} ${OUTPUT} @ONLY)
