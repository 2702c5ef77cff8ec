#include "install/install.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "install/hook_text.h"
#include "util/file_write.h"
#include "util/unique_fd.h"

namespace trailgate::install {
namespace fs = std::filesystem;

namespace {

// trailgate's files are a few hundred bytes; a larger file is someone else's and only its
// first bytes are looked at.
constexpr std::size_t kMaxHookRead = 1 << 20;

[[noreturn]] void fail(const std::string& what, int err) {
  throw FileError(fmt::format("{}: {}", what, std::strerror(err)));
}

// What is at a path, without following a symlink there.
struct Found {
  enum class Type { none, regular, symlink, other } type = Type::none;
  std::string content;  // the first kMaxHookRead bytes, for Type::regular
};

Found inspect(const std::string& path) {
  Found found;
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT)
      return found;
    fail(fmt::format("cannot look at {}", path), errno);
  }
  if (S_ISLNK(st.st_mode)) {
    found.type = Found::Type::symlink;
    return found;
  }
  if (!S_ISREG(st.st_mode)) {
    found.type = Found::Type::other;
    return found;
  }
  found.type = Found::Type::regular;
  util::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.get() < 0)
    fail(fmt::format("cannot read {}", path), errno);
  char buf[65536];
  while (found.content.size() < kMaxHookRead) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      fail(fmt::format("cannot read {}", path), errno);
    if (n == 0)
      break;
    found.content.append(buf, static_cast<std::size_t>(n));
  }
  return found;
}

bool present(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

// Running as root, a new file or directory gets the owner of the directory it is made in, so
// that the host's own account (git, gitlab, gitea) can later replace what trailgate put there.
void match_owner(const std::string& path, const std::string& parent) {
  if (::geteuid() != 0)
    return;
  struct stat st {};
  if (::stat(parent.c_str(), &st) == 0 && ::lchown(path.c_str(), st.st_uid, st.st_gid) != 0)
    fail(fmt::format("cannot give {} the owner of {}", path, parent), errno);
}

// Creates `dir` and its missing parents, each owned like the directory it is made in.
void make_dirs(const fs::path& dir) {
  if (dir.empty() || present(dir.string()))
    return;
  make_dirs(dir.parent_path());
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
    fail(fmt::format("cannot create directory {}", dir.string()), errno);
  match_owner(dir.string(), dir.parent_path().string());
}

// Writes `text` as an executable file beside `path` and returns its name. The name starts with
// a dot, so that a host running every file in the directory skips it, and it is not
// executable until it is complete.
std::string write_beside(const std::string& path, const std::string& text) {
  fs::path target(path);
  // fmt, not "." + std::string: GCC 12 at -O3 warns falsely (-Wrestrict) about that operator+.
  std::string tmp =
      (target.parent_path() / fmt::format(".{}.trailgate-tmp", target.filename().string()))
          .string();
  ::unlink(tmp.c_str());  // left by an interrupted run
  if (const int err = util::write_new_file(tmp, text, 0755); err != 0)
    fail(fmt::format("cannot write {}", tmp), err);
  match_owner(tmp, target.parent_path().string());
  return tmp;
}

void rename_or_fail(const std::string& from, const std::string& to) {
  if (std::rename(from.c_str(), to.c_str()) != 0)
    fail(fmt::format("cannot rename {} to {}", from, to), errno);
}

Step plan_install_slot(const Slot& slot, const std::string& binary, Force force) {
  Step step;
  step.slot = slot;
  const std::string& path = slot.path;
  std::string kept = path + kKeptSuffix;
  bool has_kept = slot.chains && present(kept);
  Found found = inspect(path);

  if (found.type == Found::Type::none) {
    if (has_kept)
      throw Refused(fmt::format(
          "{} is a hook kept by an earlier install, but {} is missing. Move it back to {} (or "
          "remove it) and run install again.",
          kept, path, path));
    step.action = Step::Action::create;
    step.text = hook_text(HookKind::shim, slot.hook, binary, slot.skip_git_dir);
    return step;
  }
  if (found.type == Found::Type::other)
    throw Refused(fmt::format("{} is not a regular file; trailgate leaves it alone.", path));

  Provenance who =
      found.type == Found::Type::regular ? provenance(found.content) : Provenance::foreign;
  if (who == Provenance::foreign) {
    if (!slot.chains)
      throw Refused(fmt::format(
          "{} exists and was not written by trailgate; trailgate does not replace it. Move it "
          "away and run install again.",
          path));
    if (is_gitea_runner(found.content))
      throw Refused(fmt::format(
          "{} is Gitea's hook runner, which runs every executable in {}.d/; chaining it would "
          "stop it from finding them. Install with --gitea to put trailgate there.",
          path, path));
    if (has_kept)
      throw Refused(fmt::format(
          "{} was not written by trailgate, and {} is there too; trailgate will not choose "
          "between them. Remove or rename one of them and run install again.",
          path, kept));
    step.action = Step::Action::chain;
    step.kept = kept;
    step.text = hook_text(HookKind::chain_runner, slot.hook, binary, slot.skip_git_dir);
    return step;
  }

  step.discards_edits = who == Provenance::trailgate_edited;
  if (step.discards_edits && force == Force::no)
    throw Refused(fmt::format(
        "{} was written by trailgate but has been edited since; install will not overwrite the "
        "edits. Run it with --force to replace the file (the edits are lost).",
        path));
  step.text = hook_text(has_kept ? HookKind::chain_runner : HookKind::shim, slot.hook, binary,
                        slot.skip_git_dir);
  step.action = !step.discards_edits && found.content == step.text ? Step::Action::unchanged
                                                                   : Step::Action::update;
  if (has_kept)
    step.kept = kept;
  return step;
}

Step plan_uninstall_slot(const Slot& slot, Force force) {
  Step step;
  step.slot = slot;
  const std::string& path = slot.path;
  std::string kept = path + kKeptSuffix;
  bool has_kept = slot.chains && present(kept);
  Found found = inspect(path);
  Provenance who =
      found.type == Found::Type::regular ? provenance(found.content) : Provenance::foreign;
  if (who == Provenance::foreign) {
    if (has_kept)
      throw Refused(fmt::format(
          "{} is a hook kept by trailgate install, but {} is no longer trailgate's runner; "
          "uninstall leaves both alone. Put back by hand the one you want.",
          kept, path));
    step.action = Step::Action::absent;
    return step;
  }
  step.discards_edits = who == Provenance::trailgate_edited;
  if (step.discards_edits && force == Force::no)
    throw Refused(fmt::format(
        "{} was written by trailgate but has been edited since; uninstall will not delete the "
        "edits. Run it with --force to go ahead (the edits are lost).",
        path));
  if (has_kept) {
    step.action = Step::Action::restore;
    step.kept = kept;
  } else {
    step.action = Step::Action::remove;
  }
  return step;
}

void apply_step(const Step& step) {
  const std::string& path = step.slot.path;
  switch (step.action) {
    case Step::Action::create: {
      fs::path parent = fs::path(path).parent_path();
      make_dirs(parent);
      std::string tmp = write_beside(path, step.text);
      // Never replaces a file that appeared since planning. Where the filesystem cannot
      // rename without replacing, a hard link fails on an existing name just the same.
      int rc = ::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, path.c_str(), RENAME_NOREPLACE);
      if (rc != 0 && errno == EINVAL)
        rc = ::link(tmp.c_str(), path.c_str());
      int err = errno;
      ::unlink(tmp.c_str());  // gone after a rename; the spare name after a link
      if (rc != 0)
        fail(fmt::format("cannot create {}", path), err);
      return;
    }
    case Step::Action::update: {
      std::string tmp = write_beside(path, step.text);
      rename_or_fail(tmp, path);
      return;
    }
    case Step::Action::chain: {
      std::string tmp = write_beside(path, step.text);
      // The existing hook gets its second name first, so that git always finds a hook at
      // `path`: the old one until the rename, the runner after it. linkat without
      // AT_SYMLINK_FOLLOW links a symlink itself, not its target.
      if (::linkat(AT_FDCWD, path.c_str(), AT_FDCWD, step.kept.c_str(), 0) != 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        fail(fmt::format("cannot keep {} as {}", path, step.kept), err);
      }
      if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        int err = errno;
        ::unlink(step.kept.c_str());
        ::unlink(tmp.c_str());
        fail(fmt::format("cannot install {}", path), err);
      }
      return;
    }
    case Step::Action::restore:
      rename_or_fail(step.kept, path);
      return;
    case Step::Action::remove:
      if (::unlink(path.c_str()) != 0)
        fail(fmt::format("cannot remove {}", path), errno);
      for (const auto& dir : step.slot.own_dirs)
        if (::rmdir(dir.c_str()) != 0)
          break;  // not empty: something else lives there
      return;
    case Step::Action::unchanged:
    case Step::Action::absent:
      return;
  }
}

}  // namespace

std::vector<Slot> slots(Layout layout, const std::string& dir,
                        const std::vector<std::string>& hooks) {
  std::vector<Slot> out;
  fs::path base(dir);
  for (const auto& hook : hooks) {
    if (hook != "pre-receive" && hook != "update" &&
        !(hook == "pre-push" && layout == Layout::hooks_dir))
      throw std::invalid_argument(
          fmt::format("unknown hook \"{}\" (expected pre-receive or update; pre-push goes in a "
                      "repository's hooks/ or a hooks directory)",
                      hook));
    Slot slot;
    slot.hook = hook;
    switch (layout) {
      case Layout::hooks_dir:
        slot.path = (base / hook).string();
        slot.chains = true;
        break;
      case Layout::gitlab: {
        fs::path custom = base / "custom_hooks";
        fs::path d = custom / (hook + ".d");
        slot.path = (d / kDropInName).string();
        slot.chains = false;
        slot.own_dirs = {d.string(), custom.string()};
        break;
      }
      case Layout::gitea: {
        fs::path d = base / "hooks" / (hook + ".d");
        slot.path = (d / kDropInName).string();
        slot.chains = false;
        slot.own_dirs = {d.string()};
        break;
      }
      case Layout::pre_receive_d:
        if (hook != "pre-receive")
          throw std::invalid_argument(fmt::format(
              "a pre-receive.d directory holds pre-receive hooks only, not \"{}\"", hook));
        slot.path = (base / kDropInName).string();
        slot.chains = false;
        break;
      case Layout::gitolite:
        if (hook != "pre-receive")
          throw std::invalid_argument(fmt::format(
              "under gitolite trailgate is the pre-receive hook only: gitolite's access control "
              "is its own update hook, which must stay; not \"{}\"",
              hook));
        slot.path = (base / "hooks" / "common" / hook).string();
        slot.chains = true;
        break;
    }
    out.push_back(std::move(slot));
  }
  return out;
}

std::vector<Step> plan_install(const std::vector<Slot>& slots, const std::string& binary,
                               Force force) {
  std::vector<Step> steps;
  for (const auto& slot : slots)
    steps.push_back(plan_install_slot(slot, binary, force));
  return steps;
}

std::vector<Step> plan_uninstall(const std::vector<Slot>& slots, Force force) {
  std::vector<Step> steps;
  for (const auto& slot : slots)
    steps.push_back(plan_uninstall_slot(slot, force));
  return steps;
}

void apply(const std::vector<Step>& steps) {
  for (const auto& step : steps)
    apply_step(step);
}

std::string read_hook(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string text(kMaxHookRead, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return text;
}

std::string current_binary() {
  return fs::canonical("/proc/self/exe").string();
}

}  // namespace trailgate::install
