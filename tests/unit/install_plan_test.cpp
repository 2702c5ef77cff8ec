// Planning and applying install and uninstall on real directories: an existing hook is chained
// and comes back byte for byte with its mode and inode, a refusal writes nothing, running
// install twice changes nothing, and edits by hand are never lost silently.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <iterator>
#include <string>

#include "install/hook_text.h"
#include "install/install.h"
#include "support/temp_repo.h"

using trailgate::install::apply;
using trailgate::install::Force;
using trailgate::install::hook_text;
using trailgate::install::HookKind;
using trailgate::install::Layout;
using trailgate::install::plan_install;
using trailgate::install::plan_uninstall;
using trailgate::install::Refused;
using trailgate::install::Slot;
using trailgate::install::slots;
using trailgate::install::Step;
using trailgate::testing::read_file;
using trailgate::testing::TempDir;
using trailgate::testing::write_file;
namespace fs = std::filesystem;
using namespace std::string_literals;

namespace {

const char* const kBinary = "/usr/bin/trailgate";

struct stat lstat_of(const fs::path& path) {
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st;
}

// Every entry under `dir` with its content (or symlink target), to compare before and after.
std::string snapshot(const fs::path& dir) {
  std::string out;
  if (!fs::exists(dir))
    return out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    struct stat st = lstat_of(e.path());
    out += e.path().string() + " " + std::to_string(st.st_mode) + " ";
    if (e.is_symlink())
      out += fs::read_symlink(e.path()).string();
    else if (e.is_regular_file())
      out += read_file(e.path());
    out += "\n";
  }
  return out;
}

std::vector<Step> install_now(const std::vector<Slot>& s, Force force = Force::no) {
  auto steps = plan_install(s, kBinary, force);
  apply(steps);
  return steps;
}

std::vector<Step> uninstall_now(const std::vector<Slot>& s, Force force = Force::no) {
  auto steps = plan_uninstall(s, force);
  apply(steps);
  return steps;
}

}  // namespace

TEST_CASE("install::slots", "[install]") {
  SECTION("a hooks directory: git runs <dir>/<hook>, so those are chained") {
    auto s = slots(Layout::hooks_dir, "/srv/p.git/hooks", {"pre-receive", "update"});
    REQUIRE(s.size() == 2);
    CHECK(s[0].path == "/srv/p.git/hooks/pre-receive");
    CHECK(s[1].path == "/srv/p.git/hooks/update");
    CHECK(s[0].chains);
    CHECK(s[0].own_dirs.empty());
  }
  SECTION("GitLab: custom_hooks/<hook>.d/trailgate, beside other hooks") {
    auto s = slots(Layout::gitlab, "/srv/p.git/", {"pre-receive"});
    REQUIRE(s.size() == 1);
    CHECK(s[0].path == "/srv/p.git/custom_hooks/pre-receive.d/trailgate");
    CHECK_FALSE(s[0].chains);
    CHECK(s[0].own_dirs == std::vector<std::string>{"/srv/p.git/custom_hooks/pre-receive.d",
                                                    "/srv/p.git/custom_hooks"});
  }
  SECTION("Gitea: hooks/<hook>.d/trailgate") {
    auto s = slots(Layout::gitea, "/srv/p.git", {"update"});
    REQUIRE(s.size() == 1);
    CHECK(s[0].path == "/srv/p.git/hooks/update.d/trailgate");
    CHECK_FALSE(s[0].chains);
  }
  SECTION("a pre-receive.d directory holds pre-receive hooks only") {
    auto s = slots(Layout::pre_receive_d, "/etc/hooks/pre-receive.d", {"pre-receive"});
    CHECK(s.at(0).path == "/etc/hooks/pre-receive.d/trailgate");
    CHECK_THROWS_AS(slots(Layout::pre_receive_d, "/d", {"update"}), std::invalid_argument);
  }
  SECTION("an unknown hook is refused") {
    CHECK_THROWS_AS(slots(Layout::hooks_dir, "/d", {"post-receive"}), std::invalid_argument);
  }
}

TEST_CASE("install: an empty slot gets the shim, and a second install changes nothing",
          "[install]") {
  TempDir dir;
  auto s = slots(Layout::hooks_dir, dir.path().string(), {"pre-receive"});
  auto steps = install_now(s);
  REQUIRE(steps.size() == 1);
  CHECK(steps[0].action == Step::Action::create);
  fs::path hook = dir.path() / "pre-receive";
  CHECK(read_file(hook) == hook_text(HookKind::shim, "pre-receive", kBinary));
  CHECK((lstat_of(hook).st_mode & 07777) == 0755);

  struct stat before = lstat_of(hook);
  std::string all_before = snapshot(dir.path());
  steps = install_now(s);
  CHECK(steps[0].action == Step::Action::unchanged);
  CHECK(lstat_of(hook).st_ino == before.st_ino);  // not even rewritten
  CHECK(snapshot(dir.path()) == all_before);

  SECTION("another binary path updates it in place") {
    auto moved = plan_install(s, "/opt/trailgate/bin/trailgate", Force::no);
    CHECK(moved[0].action == Step::Action::update);
    apply(moved);
    CHECK_THAT(read_file(hook), Catch::Contains("'/opt/trailgate/bin/trailgate' pre-receive"));
  }
  SECTION("uninstall removes it and leaves the directory as it was") {
    steps = uninstall_now(s);
    CHECK(steps[0].action == Step::Action::remove);
    CHECK(fs::is_empty(dir.path()));
    steps = uninstall_now(s);
    CHECK(steps[0].action == Step::Action::absent);
  }
}

TEST_CASE("install: an existing hook is chained and uninstall restores it byte for byte",
          "[install]") {
  TempDir dir;
  fs::path hook = dir.path() / "pre-receive";
  fs::path kept = dir.path() / "pre-receive.before-trailgate";
  auto s = slots(Layout::hooks_dir, dir.path().string(), {"pre-receive"});

  SECTION("a regular file, with odd bytes and an odd mode") {
    std::string original = "#!/bin/sh\r\n# caf\xc3\xa9 \xff\xfe\0 no final newline\nexit 0"s;
    write_file(hook, original);
    fs::permissions(hook, fs::perms(0741));
    struct stat before = lstat_of(hook);

    auto steps = install_now(s);
    CHECK(steps[0].action == Step::Action::chain);
    CHECK(steps[0].kept == kept.string());
    CHECK(read_file(hook) == hook_text(HookKind::chain_runner, "pre-receive", kBinary));
    CHECK(read_file(kept) == original);
    CHECK(lstat_of(kept).st_ino == before.st_ino);
    CHECK(lstat_of(kept).st_nlink == 1);

    CHECK(install_now(s)[0].action == Step::Action::unchanged);

    steps = uninstall_now(s);
    CHECK(steps[0].action == Step::Action::restore);
    CHECK(read_file(hook) == original);
    struct stat after = lstat_of(hook);
    CHECK((after.st_mode & 07777) == 0741);
    CHECK(after.st_ino == before.st_ino);
    CHECK(after.st_mtime == before.st_mtime);
    CHECK_FALSE(fs::exists(kept));
  }
  SECTION("a relative symlink stays a symlink to the same place") {
    write_file(dir.path() / "shared" / "check.sh", "#!/bin/sh\nexit 0\n");
    fs::create_symlink("shared/check.sh", hook);
    install_now(s);
    CHECK(fs::is_symlink(kept));
    CHECK(fs::read_symlink(kept) == "shared/check.sh");
    uninstall_now(s);
    CHECK(fs::is_symlink(hook));
    CHECK(fs::read_symlink(hook) == "shared/check.sh");
    CHECK_FALSE(fs::exists(kept));
  }
}

TEST_CASE("install: refusals write nothing", "[install]") {
  TempDir dir;
  auto both = slots(Layout::hooks_dir, dir.path().string(), {"pre-receive", "update"});

  SECTION("a foreign file in a drop-in directory is never replaced") {
    fs::path d = dir.path() / "pre-receive.d";
    write_file(d / "trailgate", "#!/bin/sh\necho mine\n");
    std::string before = snapshot(dir.path());
    auto s = slots(Layout::pre_receive_d, d.string(), {"pre-receive"});
    CHECK_THROWS_AS(plan_install(s, kBinary, Force::yes), Refused);
    CHECK(plan_uninstall(s, Force::yes)[0].action == Step::Action::absent);
    CHECK(snapshot(dir.path()) == before);
  }
  SECTION("Gitea's runner is not chained") {
    write_file(dir.path() / "update",
               "#!/usr/bin/env bash\n# AUTO GENERATED BY GITEA, DO NOT MODIFY\nexit 0\n");
    std::string before = snapshot(dir.path());
    CHECK_THROWS_WITH(plan_install(both, kBinary, Force::no), Catch::Contains("--gitea"));
    CHECK(snapshot(dir.path()) == before);
  }
  SECTION("a directory where the hook goes") {
    fs::create_directories(dir.path() / "pre-receive");
    CHECK_THROWS_WITH(plan_install(both, kBinary, Force::no),
                      Catch::Contains("not a regular file"));
  }
  SECTION("a kept hook with no runner in front of it") {
    write_file(dir.path() / "pre-receive.before-trailgate", "#!/bin/sh\n");
    std::string before = snapshot(dir.path());
    CHECK_THROWS_WITH(plan_install(both, kBinary, Force::yes),
                      Catch::Contains("kept by an earlier install"));
    write_file(dir.path() / "pre-receive", "#!/bin/sh\necho replaced by hand\n");
    before = snapshot(dir.path());
    CHECK_THROWS_AS(plan_install(both, kBinary, Force::yes), Refused);
    CHECK_THROWS_WITH(plan_uninstall(both, Force::yes), Catch::Contains("leaves both alone"));
    CHECK(snapshot(dir.path()) == before);
  }
}

TEST_CASE("install: a trailgate file edited by hand needs --force", "[install]") {
  TempDir dir;
  fs::path hook = dir.path() / "pre-receive";
  write_file(hook, "#!/bin/sh\nexit 0\n");
  auto s = slots(Layout::hooks_dir, dir.path().string(), {"pre-receive"});
  install_now(s);
  write_file(hook, read_file(hook) + "echo local tweak\n");
  std::string edited = snapshot(dir.path());

  CHECK_THROWS_WITH(plan_install(s, kBinary, Force::no), Catch::Contains("edited since"));
  CHECK_THROWS_WITH(plan_uninstall(s, Force::no), Catch::Contains("--force"));
  CHECK(snapshot(dir.path()) == edited);

  SECTION("install --force rewrites it") {
    auto steps = install_now(s, Force::yes);
    CHECK(steps[0].action == Step::Action::update);
    CHECK(steps[0].discards_edits);
    CHECK(read_file(hook) == hook_text(HookKind::chain_runner, "pre-receive", kBinary));
  }
  SECTION("uninstall --force still restores the kept hook") {
    auto steps = uninstall_now(s, Force::yes);
    CHECK(steps[0].action == Step::Action::restore);
    CHECK(read_file(hook) == "#!/bin/sh\nexit 0\n");
  }
}

TEST_CASE("install: layouts that add directories take them away again", "[install]") {
  TempDir dir;
  SECTION("GitLab custom_hooks") {
    auto s = slots(Layout::gitlab, dir.path().string(), {"pre-receive"});
    install_now(s);
    fs::path file = dir.path() / "custom_hooks" / "pre-receive.d" / "trailgate";
    CHECK(read_file(file) == hook_text(HookKind::shim, "pre-receive", kBinary));
    uninstall_now(s);
    CHECK(fs::is_empty(dir.path()));
  }
  SECTION("but not when something else lives there") {
    write_file(dir.path() / "custom_hooks" / "pre-receive", "#!/bin/sh\n");
    auto s = slots(Layout::gitlab, dir.path().string(), {"pre-receive"});
    install_now(s);
    uninstall_now(s);
    CHECK_FALSE(fs::exists(dir.path() / "custom_hooks" / "pre-receive.d"));
    CHECK(read_file(dir.path() / "custom_hooks" / "pre-receive") == "#!/bin/sh\n");
  }
}

TEST_CASE("install: a file that appears after planning is not overwritten", "[install]") {
  TempDir dir;
  auto s = slots(Layout::hooks_dir, dir.path().string(), {"pre-receive"});
  auto steps = plan_install(s, kBinary, Force::no);
  REQUIRE(steps[0].action == Step::Action::create);
  write_file(dir.path() / "pre-receive", "#!/bin/sh\necho arrived meanwhile\n");
  CHECK_THROWS_AS(apply(steps), std::runtime_error);
  CHECK(read_file(dir.path() / "pre-receive") == "#!/bin/sh\necho arrived meanwhile\n");
  // Nothing else is left behind, not even the temporary file.
  CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()) == 1);
}
