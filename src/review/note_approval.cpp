#include "review/note_approval.h"

#include <fmt/format.h>

namespace trailgate::review {

namespace {

bool printable_value(std::string_view v) {
  for (char c : v) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f)
      return false;
  }
  return !v.empty() && v.front() != ' ' && v.back() != ' ';
}

Policy requiring_signatures(const Policy& policy) {
  Policy strict = policy;
  strict.review.verification = Verification::signature;
  return strict;
}

}  // namespace

std::string format_note_approval(const ReviewSettings& settings, std::string_view reviewer,
                                 std::string_view signature_base64) {
  return fmt::format("{}: {}\n{}: {}\n", settings.trailer_keys.front(), reviewer,
                     settings.signature_key, signature_base64);
}

ParsedNote parse_note(std::string_view text, const ReviewSettings& settings) {
  ParsedNote out;
  auto fail = [&](int line, const std::string& what) {
    out.trailers.clear();
    out.error = fmt::format("note line {}: {}", line, what);
    return out;
  };
  if (text.size() > kMaxNoteBytes)
    return fail(1, fmt::format("the note is larger than {} bytes", kMaxNoteBytes));
  if (text.empty())
    return fail(1, "the note is empty");
  if (text.back() != '\n')
    return fail(1, "the note does not end with a line feed");
  int line_no = 0;
  while (!text.empty()) {
    ++line_no;
    std::size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol + 1);
    std::size_t colon = line.find(": ");
    if (colon == std::string_view::npos || colon == 0)
      return fail(line_no, "expected \"Key: value\"");
    std::string_view key = line.substr(0, colon);
    std::string_view value = line.substr(colon + 2);
    bool want_review = line_no % 2 == 1;
    bool key_ok = want_review ? is_review_key(settings, key)
                              : trailers::key_equals(key, settings.signature_key);
    if (!key_ok)
      return fail(line_no,
                  fmt::format("expected a {} line", want_review ? settings.trailer_keys.front()
                                                                : settings.signature_key));
    if (!printable_value(value))
      return fail(line_no, "the value is empty, padded or holds control characters");
    out.trailers.push_back({std::string(key), std::string(value)});
  }
  if (line_no % 2 != 0)
    return fail(line_no, fmt::format("the last approval has no {} line", settings.signature_key));
  return out;
}

ReviewOutcome verify_note(const CommitInfo& commit, std::string_view note_text,
                          const Policy& policy, std::string_view min_level, std::int64_t now,
                          const Responsibility& responsible) {
  ParsedNote parsed = parse_note(note_text, policy.review);
  if (!parsed.error.empty())
    return {};
  if (policy.review.verification == Verification::signature)
    return verify_reviews(commit, parsed.trailers, policy, min_level, now, responsible);
  return verify_reviews(commit, parsed.trailers, requiring_signatures(policy), min_level, now,
                        responsible);
}

ReviewOutcome verify_note(const CommitInfo& commit, std::string_view note_text,
                          const Policy& policy, std::string_view min_level, std::int64_t now) {
  return verify_note(
      commit, note_text, policy, min_level, now,
      responsibility_of(commit, trailers::parse(commit.message).trailers, {}, policy));
}

std::optional<std::string> note_change_format_problem(const std::optional<std::string>& old_text,
                                                      const std::string& new_text,
                                                      const ReviewSettings& settings) {
  std::string_view old_bytes = old_text ? std::string_view(*old_text) : std::string_view();
  if (new_text.compare(0, old_bytes.size(), old_bytes) != 0 || new_text.size() < old_bytes.size())
    return "it alters existing approvals; a note may only grow by appending approvals";
  if (new_text.size() == old_bytes.size())
    return std::nullopt;
  ParsedNote parsed = parse_note(new_text, settings);
  if (!parsed.error.empty())
    return parsed.error;
  return std::nullopt;
}

std::vector<std::string> judge_note_change(const CommitInfo& commit,
                                           const std::optional<std::string>& old_text,
                                           const std::optional<std::string>& new_text,
                                           const Policy& policy, std::string_view min_level,
                                           std::int64_t now) {
  std::string_view old_bytes = old_text ? std::string_view(*old_text) : std::string_view();
  if (!new_text) {
    if (old_text)
      return {"it deletes the approval note; approvals are append-only"};
    return {};
  }
  if (std::optional<std::string> problem =
          note_change_format_problem(old_text, *new_text, policy.review))
    return {std::move(*problem)};
  if (new_text->size() == old_bytes.size())
    return {};
  // Approvals already in the old note are the first claims; only the added ones are judged.
  std::size_t old_claims = old_text ? parse_note(*old_text, policy.review).trailers.size() / 2 : 0;
  ReviewOutcome outcome = verify_note(commit, *new_text, policy, min_level, now);
  if (!outcome.over_limit.empty())
    return {fmt::format("the note holds too many approvals: {}", outcome.over_limit)};
  std::vector<std::string> problems;
  for (std::size_t i = old_claims; i < outcome.claims.size(); ++i) {
    const ReviewClaim& claim = outcome.claims[i];
    if (claim.status != ClaimStatus::verified)
      problems.push_back(fmt::format("the added approval \"{}\" does not verify ({}): {}",
                                     claim.trailer, to_string(claim.status), claim.reason));
  }
  return problems;
}

}  // namespace trailgate::review
