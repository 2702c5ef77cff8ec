#include "install/verify.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <filesystem>
#include <system_error>

#include "install/hook_text.h"
#include "install/install.h"

namespace trailgate::install {
namespace fs = std::filesystem;

namespace {

enum class Kind { none, dangling, regular, other };

// What `path` leads to once links are followed; `target` is the resolved path (or, for a
// dangling link, what the link says).
struct Resolved {
  Kind kind = Kind::none;
  bool link = false;
  std::string target;
};

Resolved resolve(const std::string& path) {
  Resolved r;
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0)
    return r;
  r.link = S_ISLNK(st.st_mode);
  std::error_code ec;
  if (r.link) {
    fs::path canonical = fs::canonical(path, ec);
    if (ec) {
      r.kind = Kind::dangling;
      r.target = fs::read_symlink(path, ec).string();
      return r;
    }
    r.target = canonical.string();
  } else {
    r.target = path;
  }
  r.kind = ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) ? Kind::regular : Kind::other;
  return r;
}

bool executable(const std::string& path) {
  return ::access(path.c_str(), X_OK) == 0;
}

// A link into gitolite's site-wide hooks: what `gitolite setup` puts in every repository.
bool gitolite_link(const Resolved& r) {
  return r.link && r.target.find("/hooks/common/") != std::string::npos;
}

void check_kept(const std::string& kept, HookTrace& trace) {
  Resolved r = resolve(kept);
  switch (r.kind) {
    case Kind::none:
      trace.route.push_back("no hook chained after it");
      return;
    case Kind::dangling:
      trace.problems.push_back(fmt::format(
          "{}, the hook trailgate's runner chains after trailgate, is a link to {}, which does not "
          "exist: that hook no longer runs. Restore its target, or remove the link if it is no "
          "longer wanted.",
          kept, r.target));
      return;
    case Kind::other:
      trace.problems.push_back(fmt::format(
          "{}, the hook trailgate chains, is not a regular file; it does not run.", kept));
      return;
    case Kind::regular:
      if (!executable(r.target)) {
        trace.problems.push_back(fmt::format(
            "{}, the hook trailgate chains, is not executable: the runner skips it, as git would.",
            kept));
        return;
      }
      trace.route.push_back(fmt::format("then the chained hook {}{}", kept,
                                        r.link ? " -> " + r.target : std::string()));
      return;
  }
}

}  // namespace

HookTrace trace_hook(const std::string& hook_path, const std::string& git_dir) {
  HookTrace trace;
  const std::string kept = hook_path + kKeptSuffix;
  const bool has_kept = resolve(kept).kind != Kind::none;
  Resolved r = resolve(hook_path);
  trace.route.push_back(r.link ? fmt::format("{} -> {}", hook_path, r.target) : hook_path);
  switch (r.kind) {
    case Kind::none:
      trace.problems.push_back(
          has_kept ? fmt::format("{} is gone, but {} (the hook trailgate chained when it was "
                                 "installed) is still there: something removed trailgate's hook. "
                                 "Run trailgate install again.",
                                 hook_path, kept)
                   : fmt::format("{} does not exist: git runs no hook there, so nothing runs "
                                 "trailgate. Run trailgate install.",
                                 hook_path));
      return trace;
    case Kind::dangling:
      trace.problems.push_back(
          fmt::format("{} is a link to {}, which does not exist: git runs nothing for it.",
                      hook_path, r.target));
      return trace;
    case Kind::other:
      trace.problems.push_back(
          fmt::format("{} is not a regular file: git cannot run it as a hook.", hook_path));
      return trace;
    case Kind::regular:
      break;
  }
  if (!executable(r.target)) {
    trace.problems.push_back(
        fmt::format("{} is not executable: git ignores it, so nothing runs trailgate.", hook_path));
    return trace;
  }
  std::string content = read_hook(r.target);
  switch (provenance(content)) {
    case Provenance::foreign: {
      std::string why;
      if (has_kept && gitolite_link(r))
        why = fmt::format(
            " trailgate was installed here ({} is the hook it chained), and the hook was since "
            "replaced by a link to gitolite's {}: `gitolite setup` does that to every "
            "repository. Install with --gitolite, which puts trailgate where gitolite keeps it.",
            kept, r.target);
      else if (has_kept)
        why = fmt::format(
            " trailgate was installed here ({} is the hook it chained), and something replaced "
            "its runner since. Run trailgate install again.",
            kept);
      else
        why = " Run trailgate install.";
      trace.problems.push_back(
          fmt::format("{} was not written by trailgate and does not run it.{}", hook_path, why));
      return trace;
    }
    case Provenance::trailgate_edited:
      trace.problems.push_back(fmt::format(
          "{} is trailgate's hook, edited by hand since it was installed; verify cannot tell what "
          "it runs. Run trailgate install --force to write it again (the edits are lost).",
          hook_path));
      return trace;
    case Provenance::trailgate:
      break;
  }
  std::optional<HookFacts> facts = hook_facts(content);
  if (!facts) {
    trace.problems.push_back(
        fmt::format("{} is trailgate's hook but names no trailgate binary; run trailgate install "
                    "--force to write it again.",
                    hook_path));
    return trace;
  }
  trace.binary = facts->binary;
  trace.route.push_back(facts->chains ? fmt::format("trailgate's chain runner: {}", facts->binary)
                                      : fmt::format("trailgate's hook: {}", facts->binary));
  if (!git_dir.empty() && facts->skip_git_dir == git_dir)
    trace.left_alone = true;
  const Resolved binary = resolve(facts->binary);
  trace.runs_trailgate = binary.kind == Kind::regular && executable(binary.target);
  if (!trace.runs_trailgate)
    trace.problems.push_back(fmt::format(
        "{} runs {}, which is missing or not executable: every push fails there. Install "
        "trailgate again from where its binary now is.",
        hook_path, facts->binary));
  if (facts->chains)
    check_kept(kept, trace);
  return trace;
}

}  // namespace trailgate::install
