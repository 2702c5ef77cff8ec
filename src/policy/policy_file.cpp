#include "policy/policy_loader.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "model/unique_fd.h"
#include "policy/toml_reader.h"

namespace trailgate {

using policy_load::printable;

namespace {

// A policy file is a few kilobytes; even a thousand people with two RSA keys each come to about
// 1.6 MiB. Anything this large is the wrong file, and reading it must not cost a push its memory.
constexpr std::size_t kMaxPolicyBytes = 4 * 1024 * 1024;

std::string errno_message(int error) {
  return std::error_code(error, std::generic_category()).message();
}

// What a file that is not a regular file is, in the words of strerror ("Is a directory").
std::string_view kind_of(mode_t mode) {
  if (S_ISDIR(mode))
    return "Is a directory";
  if (S_ISFIFO(mode))
    return "Is a FIFO (named pipe)";
  if (S_ISCHR(mode))
    return "Is a character device";
  if (S_ISBLK(mode))
    return "Is a block device";
  if (S_ISSOCK(mode))
    return "Is a socket";
  return "Is not a regular file";
}

// Why `path` cannot be opened, `error` being open's errno: for a symbolic link that leads
// nowhere, says so and names its target.
std::string open_problem(const std::string& path, int error) {
  struct stat link {};
  if (error == ENOENT && ::lstat(path.c_str(), &link) == 0 && S_ISLNK(link.st_mode)) {
    std::string target(4096, '\0');
    const ssize_t n = ::readlink(path.c_str(), target.data(), target.size());
    target.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return fmt::format("a symbolic link to \"{}\", which does not exist", printable(target));
  }
  if (error == ELOOP)
    return "a symbolic link that leads to itself (or more than 40 links deep)";
  return errno_message(error);
}

// Reads the whole file, or returns why it cannot. Only a regular file (after following
// symbolic links) is read: its type is checked before it is opened, so that a FIFO, a device
// or a directory is never opened for reading, and again on the opened descriptor, so that one
// swapped in between is refused too. The open never blocks (O_NONBLOCK, which a regular file
// ignores), and at most kMaxPolicyBytes + 1 bytes are read, whatever the file claims its size is.
std::optional<std::string> read_file(const std::string& path, std::string& text) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0)
    return open_problem(path, errno);
  if (!S_ISREG(info.st_mode))
    return fmt::format("{}; a policy must be a regular file", kind_of(info.st_mode));
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (fd.get() < 0)
    return open_problem(path, errno);
  if (::fstat(fd.get(), &info) != 0)
    return errno_message(errno);
  if (!S_ISREG(info.st_mode))
    return fmt::format("{}; a policy must be a regular file", kind_of(info.st_mode));
  const auto too_large = [] {
    return fmt::format("larger than {} MiB, which is no policy file", kMaxPolicyBytes >> 20);
  };
  if (info.st_size > static_cast<off_t>(kMaxPolicyBytes))
    return too_large();
  char buffer[65536];
  while (true) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return errno_message(errno);
    if (n == 0)
      break;
    text.append(buffer, static_cast<std::size_t>(n));
    if (text.size() > kMaxPolicyBytes)
      return too_large();
  }
  return std::nullopt;
}

}  // namespace

std::string read_policy_file(const std::string& path) {
  std::string text;
  if (std::optional<std::string> problem = read_file(path, text)) {
    PolicyDiagnostic d;
    d.file = path;
    d.message = fmt::format("cannot read the policy file: {}", *problem);
    throw PolicyError({std::move(d)});
  }
  return text;
}

Policy load_policy_file(const std::string& path, std::string* bytes) {
  std::string text = read_policy_file(path);
  if (bytes != nullptr)
    *bytes = text;
  return parse_policy(text, path);
}

}  // namespace trailgate
