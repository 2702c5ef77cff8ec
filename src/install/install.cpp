#include "install/install.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "shims.h"

namespace trailgate::install {
namespace fs = std::filesystem;

namespace {

// Quotes `s` for a POSIX shell.
std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

std::string hook_script(const std::string& hook_name, const std::string& binary) {
  std::string shim;
  if (hook_name == "pre-receive")
    shim = kPreReceiveShim;
  else if (hook_name == "update")
    shim = kUpdateShim;
  else
    throw std::invalid_argument(
        fmt::format("unknown hook \"{}\" (expected pre-receive or update)", hook_name));
  // The shim execs `trailgate` from PATH; an installed hook names the binary it was installed
  // from, so a hook never depends on the pushing user's PATH.
  const std::string from = "exec trailgate ";
  std::size_t at = shim.find(from);
  if (at == std::string::npos)
    throw std::logic_error("hook shim has no exec line");
  shim.replace(at, from.size(), "exec " + shell_quote(binary) + " ");
  return shim;
}

InstallResult install_hook(const std::string& hooks_dir, const std::string& hook_name,
                           const std::string& binary, DryRun dry_run) {
  InstallResult result;
  fs::path path = fs::path(hooks_dir) / hook_name;
  result.hook_path = path.string();
  result.text = hook_script(hook_name, binary);
  if (fs::exists(path) || fs::is_symlink(path)) {
    std::string existing = read_all(path);
    if (existing.find(kManagedMarker) == std::string::npos)
      throw std::runtime_error(fmt::format(
          "{} already exists and was not written by trailgate; refusing to overwrite it. Move "
          "it aside (or chain it yourself) and run install again.",
          path.string()));
    result.action = existing == result.text ? InstallResult::Action::unchanged
                                            : InstallResult::Action::replaced;
  }
  if (dry_run == DryRun::yes || result.action == InstallResult::Action::unchanged)
    return result;
  fs::create_directories(path.parent_path());
  // Write beside the hook, then rename: git never sees a half-written hook.
  fs::path tmp = path;
  tmp += ".trailgate-tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << result.text;
    if (!out)
      throw std::runtime_error(fmt::format("cannot write {}", tmp.string()));
  }
  if (chmod(tmp.c_str(), 0755) != 0 || rename(tmp.c_str(), path.c_str()) != 0) {
    fs::remove(tmp);
    throw std::runtime_error(fmt::format("cannot install {}", path.string()));
  }
  return result;
}

std::string current_binary() {
  return fs::canonical("/proc/self/exe").string();
}

}  // namespace trailgate::install
