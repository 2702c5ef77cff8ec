// The review payload, byte for byte as docs/payload.md specifies it (format v1).
//
// The header lines carry single-line fields and the message comes last with its length, so the
// payload can be split back into its fields without guessing. That only holds while no header
// field contains LF (and no author email contains '<'); git's object format and libgit2's ident
// parser guarantee both for everything read from a repository, and review_payload() refuses
// input that breaks them rather than render an ambiguous payload.
#include "review/payload.h"

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "trailers/trailers.h"

namespace trailgate::review {
namespace {

// Git's isspace(): exactly these four bytes (not \v or \f).
bool is_git_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool is_review_key(std::string_view key, const PayloadContext& context) {
  if (trailers::key_equals(key, context.signature_key)) {
    return true;
  }
  for (const std::string& review_key : context.review_keys) {
    if (trailers::key_equals(key, review_key)) {
      return true;
    }
  }
  return false;
}

// Throws when `value`, a one-line header field, holds LF: it could forge the lines after it.
void require_one_line(std::string_view value, std::string_view field) {
  if (value.find('\n') != std::string_view::npos) {
    throw std::invalid_argument("review payload: the " + std::string(field) +
                                " contains a line feed");
  }
}

// The zone as git writes it: sign, then hours and minutes as two digits each ("+0000", "-0130").
std::string format_offset(int offset_minutes) {
  const std::int64_t minutes = offset_minutes;
  const std::int64_t magnitude = minutes < 0 ? -minutes : minutes;
  const std::int64_t hours = magnitude / 60;
  const std::int64_t rest = magnitude % 60;
  std::string out(1, minutes < 0 ? '-' : '+');
  if (hours < 10) {
    out.push_back('0');
  }
  out.append(std::to_string(hours));
  out.push_back(static_cast<char>('0' + rest / 10));
  out.push_back(static_cast<char>('0' + rest % 10));
  return out;
}

}  // namespace

PayloadContext payload_context(const CommitInfo& commit, const ReviewSettings& settings) {
  return PayloadContext{commit.parent_tree_ids, settings.trailer_keys, settings.signature_key,
                        settings.sig_namespace};
}

std::string normalized_message(std::string_view message, const PayloadContext& context) {
  // Git reads the message as a C string.
  message = message.substr(0, message.find('\0'));
  const trailers::TrailerBlock block = trailers::parse(message);

  // Everything but the review and signature trailers, each with its continuation lines: what
  // is dropped is exactly what `git log` shows as those trailers.
  std::string out;
  out.reserve(message.size() + 1);
  std::size_t copied = 0;
  for (std::size_t i = 0; i < block.trailers.size(); ++i) {
    if (!is_review_key(block.trailers[i].key, context)) {
      continue;
    }
    out.append(message.substr(copied, block.spans[i].begin - copied));
    copied = block.spans[i].end;
  }
  out.append(message.substr(copied));

  while (!out.empty() && is_git_space(out.back())) {
    out.pop_back();
  }
  if (!out.empty()) {
    out.push_back('\n');
  }
  return out;
}

std::string review_payload(const CommitInfo& commit, const PayloadContext& context,
                           std::string_view reviewer_email) {
  if (context.parent_tree_ids.size() != commit.parent_ids.size()) {
    throw std::invalid_argument("review payload: " + std::to_string(commit.parent_ids.size()) +
                                " parents but " + std::to_string(context.parent_tree_ids.size()) +
                                " parent trees");
  }
  require_one_line(context.sig_namespace, "namespace");
  require_one_line(commit.tree_id, "tree id");
  for (const std::string& parent_tree : context.parent_tree_ids) {
    require_one_line(parent_tree, "parent tree id");
  }
  require_one_line(commit.author.name, "author name");
  require_one_line(commit.author.email, "author email");
  require_one_line(reviewer_email, "reviewer email");
  // libgit2 splits an ident at its last '<', so a parsed email never holds one; holding to that
  // keeps "name <email>" splittable in one way only.
  if (commit.author.email.find('<') != std::string::npos) {
    throw std::invalid_argument("review payload: the author email contains '<'");
  }

  const std::string message = normalized_message(commit.message, context);

  std::string out;
  out.reserve(256 + message.size());
  out.append(kPayloadFormat).push_back('\n');
  out.append("namespace ").append(context.sig_namespace).push_back('\n');
  out.append("tree ").append(commit.tree_id).push_back('\n');
  for (const std::string& parent_tree : context.parent_tree_ids) {
    out.append("parent-tree ").append(parent_tree).push_back('\n');
  }
  out.append("author ")
      .append(commit.author.name)
      .append(" <")
      .append(commit.author.email)
      .append("> ")
      .append(std::to_string(commit.author.time))
      .append(" ")
      .append(format_offset(commit.author.offset_minutes))
      .push_back('\n');
  out.append("reviewer ").append(reviewer_email).push_back('\n');
  out.append("message ").append(std::to_string(message.size())).push_back('\n');
  out.append(message);
  return out;
}

}  // namespace trailgate::review
