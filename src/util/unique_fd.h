// UniqueFd: the one owner of a POSIX file descriptor that every stage uses, so that each open
// file is closed exactly once (and a flock on it dropped) on every path out of a scope.
#pragma once

#include <unistd.h>

namespace trailgate::util {

class UniqueFd {
 public:
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  // The descriptor; -1 when none was opened or it was closed.
  int get() const { return fd_; }
  // Closes now and returns what close() returns, for callers that must report a failed close
  // (a write that only fails there).
  int close() {
    int rc = fd_ >= 0 ? ::close(fd_) : 0;
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

}  // namespace trailgate::util
