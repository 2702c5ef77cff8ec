// Tests of the hook's start-up reading in src/git: Repository::scan_refs (the protected refs and
// every symbolic ref in one pass, checked against `git for-each-ref`), and libgit2's start-up
// without the system CA bundle.
#include <catch2/catch.hpp>

#include <link.h>

#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "git/repository.h"
#include "support/temp_repo.h"

using trailgate::testing::run_ok;
using trailgate::testing::TempDir;
namespace git = trailgate::git;

namespace {

// name -> "<target> <peeled>" (peeled empty unless git records one), as `git for-each-ref`
// prints every direct ref.
std::map<std::string, std::string> git_refs(const std::filesystem::path& dir) {
  const std::string out = run_ok(
      {"git", "for-each-ref", "--format=%(refname) %(objectname) %(*objectname) %(symref)"}, dir);
  std::map<std::string, std::string> refs;
  std::size_t pos = 0;
  while (pos < out.size()) {
    const std::size_t eol = out.find('\n', pos);
    const std::string line = out.substr(pos, eol - pos);
    pos = eol + 1;
    const std::size_t sp1 = line.find(' '), sp2 = line.find(' ', sp1 + 1),
                      sp3 = line.find(' ', sp2 + 1);
    if (line.substr(sp3 + 1) != "")
      continue;  // a symbolic ref
    refs[line.substr(0, sp1)] =
        line.substr(sp1 + 1, sp2 - sp1 - 1) + " " + line.substr(sp2 + 1, sp3 - sp2 - 1);
  }
  return refs;
}

bool has_library(const char* name_part) {
  struct Search {
    const char* part;
    bool found;
  } search{name_part, false};
  dl_iterate_phdr(
      [](dl_phdr_info* info, std::size_t, void* data) {
        auto* s = static_cast<Search*>(data);
        if (info->dlpi_name != nullptr && std::strstr(info->dlpi_name, s->part) != nullptr)
          s->found = true;
        return 0;
      },
      &search);
  return search.found;
}

}  // namespace

TEST_CASE("Repository::scan_refs reads the wanted refs and every symbolic ref in one pass",
          "[git]") {
  TempDir dir;
  const auto& d = dir.path();
  run_ok({"git", "init", "-q", "-b", "main", "."}, d);
  run_ok({"git", "-c", "user.name=A", "-c", "user.email=a@example.com", "commit", "-q",
          "--allow-empty", "-m", "one"},
         d);
  run_ok(
      {"git", "-c", "user.name=A", "-c", "user.email=a@example.com", "tag", "-a", "-m", "t", "v1"},
      d);
  run_ok({"git", "branch", "release/1"}, d);
  run_ok({"git", "branch", "feature/x"}, d);
  // Packed (with the peeled value of the annotated tag), then one loose ref on top.
  run_ok({"git", "pack-refs", "--all"}, d);
  run_ok({"git", "-c", "user.name=A", "-c", "user.email=a@example.com", "commit", "-q",
          "--allow-empty", "-m", "two"},
         d);
  run_ok({"git", "tag", "v2"}, d);
  run_ok({"git", "symbolic-ref", "refs/heads/alias", "refs/heads/main"}, d);
  run_ok({"git", "symbolic-ref", "refs/tags/latest", "refs/tags/v2"}, d);

  const std::map<std::string, std::string> expected = git_refs(d);
  REQUIRE(expected.size() == 5);
  git::Repository repo = git::Repository::discover(d.string());

  std::vector<std::string> asked;
  std::map<std::string, std::string> seen;
  const auto symbolic = repo.scan_refs(
      [&](std::string_view name) {
        asked.emplace_back(name);
        return name.rfind("refs/tags/", 0) == 0 || name == "refs/heads/main";
      },
      [&](const git::RefEntry& ref) { seen[ref.name] = ref.target + " " + ref.peeled; });

  // Every direct ref is offered, and only the wanted ones are read, as git has them.
  std::sort(asked.begin(), asked.end());
  CHECK(asked == std::vector<std::string>{"refs/heads/feature/x", "refs/heads/main",
                                          "refs/heads/release/1", "refs/tags/v1", "refs/tags/v2"});
  CHECK(seen ==
        std::map<std::string, std::string>{{"refs/heads/main", expected.at("refs/heads/main")},
                                           {"refs/tags/v1", expected.at("refs/tags/v1")},
                                           {"refs/tags/v2", expected.at("refs/tags/v2")}});
  CHECK(seen.at("refs/tags/v1").size() == 81);  // the packed tag's peeled commit is there
  // Symbolic refs, sorted, as symbolic_refs() gives them.
  const std::vector<std::pair<std::string, std::string>> expected_symbolic{
      {"refs/heads/alias", "refs/heads/main"}, {"refs/tags/latest", "refs/tags/v2"}};
  CHECK(symbolic == expected_symbolic);
  CHECK(repo.symbolic_refs() == expected_symbolic);
}

TEST_CASE("libgit2 starts without parsing the system CA bundle", "[git]") {
  // Debian 12's libgit2 loads it through the shared mbedTLS X.509 library at start-up; trailgate
  // makes no TLS connection through libgit2 and skips it. Where libgit2 does not load it
  // (built on OpenSSL), nothing is skipped.
  const bool skipped = git::libgit2_ca_bundle_skipped();
  CHECK(skipped == has_library("libmbedx509"));
}
