// The command line as data: parse_command_line on real argv arrays, for every command and
// every option of docs/cli.md, and the usage errors (exit 2) that stop trailgate before it runs
// anything. tests/e2e/cli_usage_test.cpp checks the same exit codes through the binary.
#include "cli/command_line.h"

#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

namespace {

using trailgate::cli::Command;
using trailgate::cli::CommandLine;
using trailgate::cli::kPassed;
using trailgate::cli::kUsage;
using Strings = std::vector<std::string>;

// What parse_command_line made of `trailgate <args...>`, and what it printed.
struct Parsed {
  CommandLine line;
  std::string out;
  std::string err;
};

Parsed parse(const Strings& args) {
  std::vector<const char*> argv = {"trailgate"};
  for (const std::string& a : args)
    argv.push_back(a.c_str());
  std::ostringstream out, err;
  Parsed p;
  p.line = trailgate::cli::parse_command_line(static_cast<int>(argv.size()), argv.data(), out, err);
  p.out = out.str();
  p.err = err.str();
  return p;
}

// Parses `args`, which must name `command` without a usage error.
CommandLine parse_ok(const Strings& args, Command command) {
  Parsed p = parse(args);
  INFO(p.err);
  REQUIRE(p.line.command == command);
  CHECK(p.err.empty());
  return p.line;
}

// Parses `args`, which must be a usage error: exit 2, nothing run, a message on stderr.
std::string usage_error(const Strings& args) {
  Parsed p = parse(args);
  std::string joined;
  for (const auto& a : args)
    joined += a + " ";
  INFO("trailgate " << joined);
  CHECK(p.line.command == Command::none);
  CHECK(p.line.exit_code == kUsage);
  CHECK(p.out.empty());
  CHECK_FALSE(p.err.empty());
  return p.err;
}

}  // namespace

TEST_CASE("cli: help, version and a missing command", "[cli]") {
  SECTION("no command is a usage error") {
    usage_error({});
  }
  SECTION("--help lists every command on stdout and exits 0") {
    Parsed p = parse({"--help"});
    CHECK(p.line.command == Command::none);
    CHECK(p.line.exit_code == kPassed);
    for (const char* name :
         {"pre-receive", "update", "check", "explain", "approve", "audit", "policy", "install"})
      CHECK_THAT(p.out, Catch::Contains(name));
    CHECK(p.err.empty());
  }
  SECTION("a command's --help lists its options") {
    Parsed p = parse({"install", "--help"});
    CHECK(p.line.exit_code == kPassed);
    for (const char* option : {"--hook", "--hooks-dir", "--pre-receive-d", "--gitlab", "--gitea",
                               "--uninstall", "--force", "--dry-run"})
      CHECK_THAT(p.out, Catch::Contains(option));
  }
  SECTION("--version names trailgate on stdout and exits 0") {
    Parsed p = parse({"--version"});
    CHECK(p.line.command == Command::none);
    CHECK(p.line.exit_code == kPassed);
    CHECK_THAT(p.out, Catch::StartsWith("trailgate "));
  }
}

TEST_CASE("cli: usage errors exit 2 and run nothing", "[cli]") {
  SECTION("an unknown command") {
    usage_error({"frobnicate"});
  }
  SECTION("an unknown option is named") {
    CHECK_THAT(usage_error({"check", "--bogus"}), Catch::Contains("--bogus"));
    CHECK_THAT(usage_error({"--bogus", "check"}), Catch::Contains("--bogus"));
  }
  SECTION("an option without its value") {
    usage_error({"check", "--ref"});
    usage_error({"audit", "--since"});
    usage_error({"approve", "--key"});
    usage_error({"check", "--repo"});
  }
  SECTION("a value outside the option's choices") {
    CHECK_THAT(usage_error({"--color", "purple", "check"}), Catch::Contains("purple"));
    usage_error({"check", "--format", "xml"});
    usage_error({"audit", "--format", "pdf"});
    usage_error({"install", "--hook", "post-receive"});
  }
  SECTION("a number that is not one") {
    usage_error({"audit", "--threads", "many"});
  }
  SECTION("missing or extra positional arguments") {
    usage_error({"update", "refs/heads/main", "0000"});
    usage_error({"explain"});
    usage_error({"explain", "--payload"});
    usage_error({"pre-receive", "extra"});
    usage_error({"approve", "HEAD~1..HEAD", "HEAD"});
  }
  SECTION("policy needs its subcommand") {
    usage_error({"policy"});
    usage_error({"policy", "lint"});
  }
  SECTION("install's targets exclude each other") {
    usage_error({"install", "--hooks-dir", "/h", "--pre-receive-d", "/d"});
    usage_error({"install", "--hooks-dir", "/h", "--gitlab"});
    usage_error({"install", "--hooks-dir", "/h", "--gitea"});
    usage_error({"install", "--pre-receive-d", "/d", "--gitlab"});
    usage_error({"install", "--pre-receive-d", "/d", "--forgejo"});
    usage_error({"install", "--gitlab", "--gitea"});
  }
}

TEST_CASE("cli: global options, before or after the command", "[cli]") {
  SECTION("defaults") {
    CommandLine line = parse_ok({"pre-receive"}, Command::pre_receive);
    CHECK(line.global.repo.empty());
    CHECK(line.global.policy.empty());
    CHECK(line.global.color == "auto");
  }
  SECTION("before the command") {
    CommandLine line = parse_ok(
        {"--repo", "/srv/r.git", "--policy", "/etc/p.toml", "--color", "never", "pre-receive"},
        Command::pre_receive);
    CHECK(line.global.repo == "/srv/r.git");
    CHECK(line.global.policy == "/etc/p.toml");
    CHECK(line.global.color == "never");
  }
  SECTION("after the command") {
    CommandLine line =
        parse_ok({"check", "--repo", "r", "--policy=p.toml", "--color", "always"}, Command::check);
    CHECK(line.global.repo == "r");
    CHECK(line.global.policy == "p.toml");
    CHECK(line.global.color == "always");
  }
}

TEST_CASE("cli: every command's options reach its struct", "[cli]") {
  SECTION("update <ref> <old> <new>") {
    CommandLine line = parse_ok({"update", "refs/heads/main", "1111", "2222"}, Command::update);
    CHECK(line.update_ref == "refs/heads/main");
    CHECK(line.update_old == "1111");
    CHECK(line.update_new == "2222");
  }
  SECTION("check: defaults") {
    CommandLine line = parse_ok({"check"}, Command::check);
    CHECK(line.check.ref.empty());
    CHECK(line.check.format == "text");
    CHECK(line.check.ranges.empty());
  }
  SECTION("check: --ref, --format and ranges") {
    CommandLine line =
        parse_ok({"check", "--ref", "refs/heads/release/1", "--format", "json", "A..B", "C"},
                 Command::check);
    CHECK(line.check.ref == "refs/heads/release/1");
    CHECK(line.check.format == "json");
    CHECK(line.check.ranges == Strings{"A..B", "C"});
  }
  SECTION("explain: defaults") {
    CommandLine line = parse_ok({"explain", "HEAD~2"}, Command::explain);
    CHECK(line.explain.rev == "HEAD~2");
    CHECK(line.explain.ref.empty());
    CHECK_FALSE(line.explain.payload);
    CHECK(line.explain.reviewer.empty());
  }
  SECTION("explain: --ref, --payload, --reviewer") {
    CommandLine line = parse_ok({"explain", "--payload", "--reviewer", "sam@example.com", "--ref",
                                 "refs/heads/main", "abc123"},
                                Command::explain);
    CHECK(line.explain.rev == "abc123");
    CHECK(line.explain.ref == "refs/heads/main");
    CHECK(line.explain.payload);
    CHECK(line.explain.reviewer == "sam@example.com");
  }
  SECTION("approve: defaults") {
    CommandLine line = parse_ok({"approve"}, Command::approve);
    CHECK(line.approve.range.empty());
    CHECK(line.approve.key.empty());
    CHECK(line.approve.as.empty());
    CHECK_FALSE(line.approve.note);
    CHECK(line.approve.ref.empty());
    CHECK_FALSE(line.approve.force);
  }
  SECTION("approve: --ref, --force") {
    CommandLine line =
        parse_ok({"approve", "--ref", "refs/heads/release/1", "--force"}, Command::approve);
    CHECK(line.approve.ref == "refs/heads/release/1");
    CHECK(line.approve.force);
    CHECK(line.approve.range.empty());
  }
  SECTION("approve: range, --key, --as, --note") {
    CommandLine line = parse_ok({"approve", "--key", "~/.ssh/id_ed25519.pub", "--as",
                                 "Sam Senior <sam@example.com>", "--note", "HEAD~3..HEAD"},
                                Command::approve);
    CHECK(line.approve.range == "HEAD~3..HEAD");
    CHECK(line.approve.key == "~/.ssh/id_ed25519.pub");
    CHECK(line.approve.as == "Sam Senior <sam@example.com>");
    CHECK(line.approve.note);
  }
  SECTION("audit: defaults") {
    CommandLine line = parse_ok({"audit"}, Command::audit);
    CHECK(line.audit.revisions.empty());
    CHECK(line.audit.ref.empty());
    CHECK(line.audit.since.empty());
    CHECK(line.audit.until.empty());
    CHECK(line.audit.format == "text");
    CHECK(line.audit.output.empty());
    CHECK_FALSE(line.audit.fail_on_violations);
    CHECK_FALSE(line.audit.stats);
    CHECK_FALSE(line.audit.no_cache);
    CHECK(line.audit.threads == 0);
  }
  SECTION("audit: every option") {
    CommandLine line =
        parse_ok({"audit", "main", "release/1", "--ref", "refs/heads/main", "--since", "2026-01-01",
                  "--until", "2026-03-31", "--format", "jsonl", "-o", "out.jsonl",
                  "--fail-on-violations", "--stats", "--no-cache", "--threads", "3"},
                 Command::audit);
    CHECK(line.audit.revisions == Strings{"main", "release/1"});
    CHECK(line.audit.ref == "refs/heads/main");
    CHECK(line.audit.since == "2026-01-01");
    CHECK(line.audit.until == "2026-03-31");
    CHECK(line.audit.format == "jsonl");
    CHECK(line.audit.output == "out.jsonl");
    CHECK(line.audit.fail_on_violations);
    CHECK(line.audit.stats);
    CHECK(line.audit.no_cache);
    CHECK(line.audit.threads == 3);
    CHECK(parse_ok({"audit", "--output", "r.html"}, Command::audit).audit.output == "r.html");
  }
  SECTION("audit: every format") {
    for (const char* format : {"text", "json", "jsonl", "csv", "md", "html"})
      CHECK(parse_ok({"audit", "--format", format}, Command::audit).audit.format == format);
  }
  SECTION("policy check [FILE]") {
    CHECK(parse_ok({"policy", "check"}, Command::policy_check).policy_file.empty());
    CHECK(parse_ok({"policy", "check", "p.toml"}, Command::policy_check).policy_file == "p.toml");
  }
  SECTION("install: defaults") {
    CommandLine line = parse_ok({"install"}, Command::install);
    CHECK(line.install.hooks.empty());
    CHECK(line.install.hooks_dir.empty());
    CHECK(line.install.pre_receive_d.empty());
    CHECK_FALSE(line.install.gitlab);
    CHECK_FALSE(line.install.gitea);
    CHECK_FALSE(line.install.uninstall);
    CHECK_FALSE(line.install.force);
    CHECK_FALSE(line.install.dry_run);
  }
  SECTION("install: hooks and flags") {
    CommandLine line = parse_ok({"install", "--hook", "pre-receive", "--hook", "update",
                                 "--uninstall", "--force", "--dry-run"},
                                Command::install);
    CHECK(line.install.hooks == Strings{"pre-receive", "update"});
    CHECK(line.install.uninstall);
    CHECK(line.install.force);
    CHECK(line.install.dry_run);
  }
  SECTION("install: each target") {
    CHECK(parse_ok({"install", "--hooks-dir", "/srv/hooks"}, Command::install).install.hooks_dir ==
          "/srv/hooks");
    CHECK(parse_ok({"install", "--pre-receive-d", "/srv/d"}, Command::install)
              .install.pre_receive_d == "/srv/d");
    CHECK(parse_ok({"install", "--gitlab"}, Command::install).install.gitlab);
    CHECK(parse_ok({"install", "--gitea"}, Command::install).install.gitea);
    CHECK(parse_ok({"install", "--forgejo"}, Command::install).install.gitea);
  }
}
