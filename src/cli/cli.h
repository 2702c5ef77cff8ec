// The command line: global options, the table of subcommands, and exit codes.
//
// Each subcommand lives in its own cmd_*.cpp and is a thin driver over the pipeline. The hook
// commands fail closed: any error rejects the push with a message that says why.
#pragma once

namespace trailgate::cli {

// Exit codes of the interface contract (docs/cli.md).
enum ExitCode : int {
  kPassed = 0,
  kViolations = 1,  // policy violations: the push is rejected
  kUsage = 2,       // usage, bad input or policy-file error
  kInternal = 3,    // internal or git error
};

// Runs trailgate with the process's arguments; returns the exit code.
int run(int argc, char** argv);

}  // namespace trailgate::cli
