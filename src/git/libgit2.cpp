#include "git/libgit2.h"

#include <fmt/format.h>

#include "git/repository.h"

namespace trailgate::git {

void check(int rc, const std::string& what) {
  if (rc >= 0)
    return;
  const git_error* e = git_error_last();
  const int klass = e ? e->klass : GIT_ERROR_NONE;
  const GitError::Kind kind = rc == GIT_ENOTFOUND  ? GitError::Kind::not_found
                              : rc == GIT_EINVALID ? GitError::Kind::invalid
                                                   : GitError::Kind::other;
  throw GitError(fmt::format("{}: {}", what, e && e->message ? e->message : "unknown error"), kind,
                 klass == GIT_ERROR_ZLIB || klass == GIT_ERROR_ODB);
}

bool GitError::damaged_object() const {
  if (unreadable_)
    return true;
  const std::string_view message = what();
  for (std::string_view sign : {"no match for id", "object not found", "inflat", "corrupt",
                                "packfile", "bad object", "invalid object", "truncated"}) {
    if (message.find(sign) != std::string_view::npos)
      return true;
  }
  return false;
}

std::string to_hex(const git_oid* oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, oid);
  return buf;
}

git_oid to_oid(const std::string& hex) {
  git_oid oid;
  if (hex.size() != GIT_OID_HEXSZ || git_oid_fromstr(&oid, hex.c_str()) < 0)
    throw GitError(fmt::format("not a full object id: \"{}\"", hex), GitError::Kind::invalid);
  return oid;
}

void HandleFree::operator()(git_repository* p) const {
  git_repository_free(p);
}
void HandleFree::operator()(git_odb* p) const {
  git_odb_free(p);
}
void HandleFree::operator()(git_odb_object* p) const {
  git_odb_object_free(p);
}
void HandleFree::operator()(git_revwalk* p) const {
  git_revwalk_free(p);
}

OdbObjectPtr read_raw(git_odb* odb, const git_oid& oid, git_object_t expected, const char* what) {
  git_odb_object* obj = nullptr;
  check(git_odb_read(&obj, odb, &oid), fmt::format("reading {} {}", what, to_hex(&oid)));
  OdbObjectPtr owned(obj);
  if (git_odb_object_type(obj) != expected)
    throw GitError(fmt::format("reading {} {}: the object is a {}", what, to_hex(&oid),
                               git_object_type2string(git_odb_object_type(obj))),
                   GitError::Kind::invalid);
  return owned;
}

std::string_view data_of(const OdbObjectPtr& obj) {
  return {static_cast<const char*>(git_odb_object_data(obj.get())), git_odb_object_size(obj.get())};
}

}  // namespace trailgate::git
