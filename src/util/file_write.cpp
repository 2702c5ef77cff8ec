#include "util/file_write.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <system_error>
#include <thread>

#include "util/unique_fd.h"

namespace trailgate::util {

namespace {

std::string errno_text(int error) {
  return std::error_code(error, std::generic_category()).message();
}

}  // namespace

int write_new_file(const std::string& path, std::string_view data, mode_t mode) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (fd.get() < 0)
    return errno;
  auto failed = [&](int err) {
    fd.close();
    ::unlink(path.c_str());
    return err;
  };
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd.get(), data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return failed(errno);
    done += static_cast<std::size_t>(n);
  }
  if (::fchmod(fd.get(), mode) != 0 || ::fsync(fd.get()) != 0)
    return failed(errno);
  if (fd.close() != 0) {
    const int err = errno;
    ::unlink(path.c_str());
    return err;
  }
  return 0;
}

std::string append_line_locked(const std::string& path, std::string_view line,
                               int lock_timeout_ms) {
  namespace fs = std::filesystem;
  const fs::path file(path);
  if (file.has_parent_path() && ::mkdir(file.parent_path().c_str(), 0777) != 0 && errno != EEXIST) {
    return fmt::format("cannot create the directory {}: {}", file.parent_path().string(),
                       errno_text(errno));
  }
  // Read access too, to look at the last byte; a write-only file is still written.
  constexpr int kFlags = O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  bool readable = true;
  int raw = ::open(path.c_str(), O_RDWR | kFlags, 0666);
  if (raw < 0 && errno == EACCES) {
    readable = false;
    raw = ::open(path.c_str(), O_WRONLY | kFlags, 0666);
  }
  if (raw < 0)
    return fmt::format("cannot open {}: {}", path, errno_text(errno));
  UniqueFd fd(raw);
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0)
    return fmt::format("cannot stat {}: {}", path, errno_text(errno));
  if (!S_ISREG(info.st_mode))
    return fmt::format("{} is not a regular file", path);

  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(lock_timeout_ms);
  while (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR)
      return fmt::format("cannot lock {}: {}", path, errno_text(errno));
    if (std::chrono::steady_clock::now() >= deadline)
      return fmt::format("{} stayed locked by another process for {} ms", path, lock_timeout_ms);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }

  std::string data;
  data.reserve(line.size() + 2);
  if (readable && ::fstat(fd.get(), &info) == 0 && info.st_size > 0) {
    // A writer that died mid-line (a full disk) left no newline; start a fresh line, so that
    // only the broken line is lost, not this one too.
    char last = '\n';
    if (::pread(fd.get(), &last, 1, info.st_size - 1) == 1 && last != '\n')
      data += '\n';
  }
  data += line;
  data += '\n';
  ssize_t written = -1;
  do {
    written = ::write(fd.get(), data.data(), data.size());
  } while (written < 0 && errno == EINTR);
  const int write_error = errno;
  ::flock(fd.get(), LOCK_UN);
  if (written < 0)
    return fmt::format("cannot write to {}: {}", path, errno_text(write_error));
  if (static_cast<std::size_t>(written) != data.size()) {
    return fmt::format("only {} of {} bytes could be written to {} (is the disk full?)", written,
                       data.size(), path);
  }
  if (::fdatasync(fd.get()) != 0)
    return fmt::format("cannot flush {} to disk: {}", path, errno_text(errno));
  return "";
}

}  // namespace trailgate::util
