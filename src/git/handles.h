// Owners for libgit2 handles, and the one place that turns libgit2 errors into exceptions.
//
// This header (with repository.cpp) is the only code that includes <git2.h>. Each handle type
// gets a unique_ptr with its own deleter; nothing else calls git_*_free.
#pragma once

#include <git2.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace trailgate::git {

// A libgit2 call failed. what() reads "<what>: <libgit2's message>".
class GitError : public std::runtime_error {
 public:
  GitError(const std::string& message, int code, int error_class = GIT_ERROR_NONE)
      : std::runtime_error(message), code_(code), error_class_(error_class) {}
  int code() const { return code_; }  // libgit2's error code, e.g. GIT_ENOTFOUND
  // libgit2's error class, e.g. GIT_ERROR_ZLIB for a pack that does not inflate; NONE when
  // the error is trailgate's own.
  int error_class() const { return error_class_; }
  // Whether an object is missing or cannot be read: the repository is damaged (a loose object
  // deleted, a pack with flipped bytes, a truncated file), or never had the object.
  bool damaged_object() const;

 private:
  int code_;
  int error_class_;
};

// Throws GitError when `rc` is negative, naming `what` and git_error_last()'s message.
void check(int rc, const std::string& what);

// The full hex form of `oid`.
std::string to_hex(const git_oid* oid);
// Parses a full hex object id. Throws GitError (GIT_EINVALID) for anything else.
git_oid to_oid(const std::string& hex);

template <auto FreeFn>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    FreeFn(p);
  }
};

using RepositoryPtr = std::unique_ptr<git_repository, Deleter<git_repository_free>>;
using CommitPtr = std::unique_ptr<git_commit, Deleter<git_commit_free>>;
using ObjectPtr = std::unique_ptr<git_object, Deleter<git_object_free>>;
using ReferencePtr = std::unique_ptr<git_reference, Deleter<git_reference_free>>;
using RevwalkPtr = std::unique_ptr<git_revwalk, Deleter<git_revwalk_free>>;
using ConfigPtr = std::unique_ptr<git_config, Deleter<git_config_free>>;
using ReferenceIteratorPtr =
    std::unique_ptr<git_reference_iterator, Deleter<git_reference_iterator_free>>;
using OdbPtr = std::unique_ptr<git_odb, Deleter<git_odb_free>>;
using TreePtr = std::unique_ptr<git_tree, Deleter<git_tree_free>>;
using StatusListPtr = std::unique_ptr<git_status_list, Deleter<git_status_list_free>>;
using DiffPtr = std::unique_ptr<git_diff, Deleter<git_diff_free>>;
using DiffStatsPtr = std::unique_ptr<git_diff_stats, Deleter<git_diff_stats_free>>;

// git_buf is a value type with its own dispose function.
struct Buf {
  git_buf buf = GIT_BUF_INIT;
  Buf() = default;
  Buf(const Buf&) = delete;
  Buf& operator=(const Buf&) = delete;
  ~Buf() { git_buf_dispose(&buf); }
  std::string str() const { return buf.ptr ? std::string(buf.ptr, buf.size) : std::string(); }
};

}  // namespace trailgate::git
