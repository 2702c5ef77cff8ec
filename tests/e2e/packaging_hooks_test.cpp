// The hooks `cmake --install` ships in share/trailgate/hooks (and so the Debian package, in
// /usr/share/trailgate/hooks) are byte for byte the files the installed trailgate's `install`
// writes: the installed binary's path, and the checksum line that makes a hand-made copy
// trailgate's own for install and uninstall.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "install/hook_text.h"
#include "support/temp_repo.h"

using trailgate::install::Provenance;
using trailgate::install::provenance;
using trailgate::testing::read_file;
using trailgate::testing::run;
using trailgate::testing::TempDir;
using trailgate::testing::write_file;
namespace fs = std::filesystem;

TEST_CASE("packaging: the shipped hooks are what install writes for the installed binary",
          "[e2e][packaging]") {
  const fs::path build = fs::path(TRAILGATE_BINARY).parent_path();
  TempDir prefix;
  auto installed =
      run({"cmake", "--install", build.string(), "--prefix", prefix.path().string()}, build);
  INFO(installed.out << installed.err);
  REQUIRE(installed.exit_code == 0);
  const fs::path binary = prefix.path() / "bin" / "trailgate";
  const fs::path shipped = prefix.path() / "share" / "trailgate" / "hooks";
  REQUIRE(fs::exists(binary));

  for (const std::string hook : {"pre-receive", "update"}) {
    INFO(hook);
    const std::string text = read_file(shipped / hook);
    CHECK_THAT(text, Catch::Contains("exec '" + binary.string() + "' " + hook + " \"$@\"\n"));
    CHECK(provenance(text) == Provenance::trailgate);
    CHECK((fs::status(shipped / hook).permissions() & fs::perms::owner_exec) != fs::perms::none);

    TempDir hooks;
    auto r = run({binary.string(), "install", "--hooks-dir", hooks.path().string(), "--hook", hook},
                 hooks.path());
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(read_file(hooks.path() / hook) == text);
  }

  // The chain runner, as install writes it over a hook that was already there.
  TempDir server;
  REQUIRE(run({"git", "init", "-q", "--bare", "repo.git"}, server.path()).exit_code == 0);
  const fs::path existing = server.path() / "repo.git" / "hooks" / "pre-receive";
  write_file(existing, "#!/bin/sh\nexit 0\n");
  fs::permissions(existing, fs::perms(0755));
  auto chained = run({binary.string(), "install", "--repo", (server.path() / "repo.git").string()},
                     server.path());
  INFO(chained.out << chained.err);
  REQUIRE(chained.exit_code == 0);
  const std::string runner = read_file(shipped / "chain-runner");
  CHECK(provenance(runner) == Provenance::trailgate);
  CHECK(read_file(existing) == runner);
}
