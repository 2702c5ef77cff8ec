// Private to src/git/*.cpp: owners for libgit2 handles, and the one place that turns libgit2
// errors into GitError.
//
// Only the .cpp files of src/git include this header, hence <git2.h>; no header another stage
// includes may (the ctest layers_git2_confined checks it). Each handle type gets a unique_ptr
// with its own deleter; nothing else calls git_*_free.
#pragma once

#include <git2.h>

#include <memory>
#include <string>

#include "git/error.h"

namespace trailgate::git {

// Throws GitError when `rc` is negative, naming `what` and git_error_last()'s message:
// Kind::not_found for GIT_ENOTFOUND, Kind::invalid for GIT_EINVALID, unreadable for libgit2's
// zlib and object-database errors.
void check(int rc, const std::string& what);

// The full hex form of `oid`.
std::string to_hex(const git_oid* oid);
// Parses a full hex object id. Throws GitError (Kind::invalid) for anything else.
git_oid to_oid(const std::string& hex);

template <auto FreeFn>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    FreeFn(p);
  }
};

using CommitPtr = std::unique_ptr<git_commit, Deleter<git_commit_free>>;
using ObjectPtr = std::unique_ptr<git_object, Deleter<git_object_free>>;
using ReferencePtr = std::unique_ptr<git_reference, Deleter<git_reference_free>>;
using ConfigPtr = std::unique_ptr<git_config, Deleter<git_config_free>>;
using ReferenceIteratorPtr =
    std::unique_ptr<git_reference_iterator, Deleter<git_reference_iterator_free>>;
using OdbPtr = std::unique_ptr<git_odb, Deleter<git_odb_free>>;
using OdbObjectPtr = std::unique_ptr<git_odb_object, Deleter<git_odb_object_free>>;
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

// Reads object `oid` from `odb` and checks that it is of type `expected`; `what` names it in
// errors ("commit", "tree", "blob"). Throws GitError when it is missing, unreadable or of
// another type.
OdbObjectPtr read_raw(git_odb* odb, const git_oid& oid, git_object_t expected, const char* what);
// The bytes of an object read with read_raw.
std::string_view data_of(const OdbObjectPtr& obj);

}  // namespace trailgate::git
