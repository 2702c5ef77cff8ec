#include "git/notes.h"

#include <fmt/format.h>

#include "git/libgit2.h"
#include "util/hex_id.h"

namespace trailgate::git {

namespace {

using NotePtr = std::unique_ptr<git_note, Deleter<git_note_free>>;
using SignaturePtr = std::unique_ptr<git_signature, Deleter<git_signature_free>>;
using BlobPtr = std::unique_ptr<git_blob, Deleter<git_blob_free>>;

struct WalkState {
  git_repository* repo;
  NotesTree* out;
  int error = 0;
  std::string error_what;
};

int visit(const char* root, const git_tree_entry* entry, void* payload) {
  auto* state = static_cast<WalkState*>(payload);
  std::string path = std::string(root) + git_tree_entry_name(entry);
  git_object_t type = git_tree_entry_type(entry);
  if (type == GIT_OBJECT_TREE)
    return 0;  // descend: fanout directories
  std::string id;
  for (char c : path)
    if (c != '/')
      id += c;
  git_filemode_t mode = git_tree_entry_filemode(entry);
  bool plain_blob = type == GIT_OBJECT_BLOB &&
                    (mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE);
  if (!plain_blob || !util::is_sha1_object_id(id)) {
    state->out->strays.push_back(path);
    return 0;
  }
  git_blob* blob = nullptr;
  int rc = git_blob_lookup(&blob, state->repo, git_tree_entry_id(entry));
  if (rc < 0) {
    state->error = rc;
    state->error_what = fmt::format("reading the note blob at {}", path);
    return -1;
  }
  BlobPtr owned(blob);
  const char* data = static_cast<const char*>(git_blob_rawcontent(blob));
  std::string text(data, static_cast<std::size_t>(git_blob_rawsize(blob)));
  if (!state->out->notes.emplace(id, std::move(text)).second)
    state->out->strays.push_back(path + " (a second note for the same object)");
  return 0;
}

}  // namespace

NotesTree read_notes_tree(const Repository& repo, const std::string& notes_commit) {
  git_oid oid = to_oid(notes_commit);
  git_commit* commit = nullptr;
  check(git_commit_lookup(&commit, repo.raw(), &oid),
        fmt::format("reading notes commit {}", notes_commit));
  CommitPtr owned(commit);
  git_tree* tree = nullptr;
  check(git_commit_tree(&tree, commit),
        fmt::format("reading the tree of notes commit {}", notes_commit));
  TreePtr owned_tree(tree);
  NotesTree out;
  WalkState state{repo.raw(), &out, 0, {}};
  int rc = git_tree_walk(tree, GIT_TREEWALK_PRE, visit, &state);
  if (state.error < 0)
    check(state.error, state.error_what);
  check(rc, fmt::format("walking the tree of notes commit {}", notes_commit));
  return out;
}

NotesTree read_notes(const Repository& repo, const std::string& notes_ref) {
  std::optional<std::string> tip = repo.resolve_ref(notes_ref);
  if (!tip)
    return {};
  return read_notes_tree(repo, *tip);
}

std::optional<std::string> read_note(const Repository& repo, const std::string& notes_ref,
                                     const std::string& object_id) {
  git_oid oid = to_oid(object_id);
  git_note* note = nullptr;
  int rc = git_note_read(&note, repo.raw(), notes_ref.c_str(), &oid);
  if (rc == GIT_ENOTFOUND)
    return std::nullopt;
  check(rc, fmt::format("reading the {} note on {}", notes_ref, object_id));
  NotePtr owned(note);
  // A note is a blob; git_note_message stops at a NUL byte, so read the blob itself.
  git_blob* blob = nullptr;
  check(git_blob_lookup(&blob, repo.raw(), git_note_id(note)),
        fmt::format("reading the {} note on {}", notes_ref, object_id));
  BlobPtr owned_blob(blob);
  const char* data = static_cast<const char*>(git_blob_rawcontent(blob));
  return std::string(data, static_cast<std::size_t>(git_blob_rawsize(blob)));
}

void append_note(const Repository& repo, const std::string& notes_ref, const std::string& object_id,
                 const std::string& text) {
  if (text.find('\0') != std::string::npos)
    throw GitError("a note cannot hold a NUL byte", GitError::Kind::invalid);
  std::optional<std::string> tip = repo.resolve_ref(notes_ref);
  std::string content = read_note(repo, notes_ref, object_id).value_or("") + text;

  git_signature* sig = nullptr;
  check(git_signature_default(&sig, repo.raw()),
        "reading user.name and user.email for the notes commit");
  SignaturePtr owned_sig(sig);

  CommitPtr parent;
  if (tip) {
    git_oid tip_oid = to_oid(*tip);
    git_commit* c = nullptr;
    check(git_commit_lookup(&c, repo.raw(), &tip_oid), fmt::format("reading {}", notes_ref));
    parent.reset(c);
  }
  git_oid target = to_oid(object_id);
  git_oid notes_commit;
  check(git_note_commit_create(&notes_commit, nullptr, repo.raw(), parent.get(), sig, sig, &target,
                               content.c_str(), /*allow_note_overwrite=*/1),
        fmt::format("writing the note on {}", object_id));

  // Move the ref only from the tip this note was built on, so a concurrent writer is never
  // overwritten.
  std::string reflog = fmt::format("trailgate approve --note: {}", object_id);
  git_reference* ref = nullptr;
  if (tip) {
    git_oid old = to_oid(*tip);
    check(git_reference_create_matching(&ref, repo.raw(), notes_ref.c_str(), &notes_commit, 1, &old,
                                        reflog.c_str()),
          fmt::format("moving {} to {}", notes_ref, to_hex(&notes_commit)));
  } else {
    check(
        git_reference_create(&ref, repo.raw(), notes_ref.c_str(), &notes_commit, 0, reflog.c_str()),
        fmt::format("creating {}", notes_ref));
  }
  ReferencePtr owned_ref(ref);
}

}  // namespace trailgate::git
