// The command line as data: which command it names and that command's options, parsed without
// running anything, so that what each option does to the structs of commands.h can be tested.
#pragma once

#include <iosfwd>
#include <string>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/context.h"

namespace trailgate::cli {

// The commands of trailgate's table; `none` when parsing alone decided the exit.
enum class Command {
  none,
  pre_receive,
  update,
  check,
  explain,
  approve,
  audit,
  policy_check,
  install
};

// What a command line asks for. Only the options of `command` (and the global ones) are
// meaningful; the others keep their defaults.
struct CommandLine {
  Command command = Command::none;
  // With Command::none, what trailgate exits with without running anything: kPassed after
  // --help or --version, kUsage after a usage error.
  int exit_code = kPassed;
  GlobalOptions global;
  std::string update_ref;  // update <ref> <old> <new>
  std::string update_old;
  std::string update_new;
  CheckOptions check;
  ExplainOptions explain;
  ApproveOptions approve;
  AuditOptions audit;
  std::string policy_file;  // policy check [FILE]
  InstallOptions install;
};

// Parses `argv` (argv[0] is the program's name) against trailgate's table of commands and their
// options (docs/cli.md). Writes --help and --version text to `out`, and a usage error with the
// hint to run --help to `err`. Runs no command and never throws.
CommandLine parse_command_line(int argc, const char* const* argv, std::ostream& out,
                               std::ostream& err);

}  // namespace trailgate::cli
