// The one exception the git layer throws, free of libgit2 so that every stage may catch it.
//
// Whatever libgit2 reports (through check() in libgit2.h, private to src/git/*.cpp) and whatever
// trailgate's own readers reject becomes a GitError; callers tell the few cases they handle
// apart by kind, never by libgit2's codes.
#pragma once

#include <stdexcept>
#include <string>

namespace trailgate::git {

class GitError : public std::runtime_error {
 public:
  enum class Kind {
    other,      // any other failure
    not_found,  // the object, ref or config key asked for does not exist
    invalid,    // malformed input: an object, an id, a tree, a commit-graph
  };
  // `unreadable`: libgit2 said the object database failed (zlib, odb), whatever the kind.
  explicit GitError(const std::string& message, Kind kind = Kind::other, bool unreadable = false)
      : std::runtime_error(message), kind_(kind), unreadable_(unreadable) {}
  // The same kind as `cause`, with another message (to add context on the way up).
  GitError(const std::string& message, const GitError& cause)
      : std::runtime_error(message), kind_(cause.kind_), unreadable_(cause.unreadable_) {}

  Kind kind() const { return kind_; }
  // True when what was asked for does not exist (libgit2's GIT_ENOTFOUND).
  bool not_found() const { return kind_ == Kind::not_found; }
  // Whether an object is missing or cannot be read: the repository is damaged (a loose object
  // deleted, a pack with flipped bytes, a truncated file), or never had the object.
  bool damaged_object() const;

 private:
  Kind kind_;
  bool unreadable_;
};

}  // namespace trailgate::git
