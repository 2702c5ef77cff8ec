#include "policy/policy.h"

#include <algorithm>
#include <cstddef>

#include "util/utf8.h"

namespace trailgate {

namespace {

// The number of bytes of the character starting at text[at], so that '?' matches one
// character, not one byte: "caf?" must protect "café" too. A byte that does not start a
// well-formed UTF-8 sequence is one character of its own.
std::size_t char_length(std::string_view text, std::size_t at) {
  return util::utf8_char_at(text, at).length;
}

// Wildcard matching with backtracking to the last '*' only: O(pattern * text) at worst, never
// exponential, because a later '*' can absorb anything an earlier one would have to retry.
// `step(pattern_char, text, at)` says how many bytes of `text` at `at` the non-'*' pattern
// character consumes, 0 when it does not match; it is never called with at == text.size().
template <typename Step>
bool glob_match(std::string_view pattern, std::string_view text, Step step) {
  constexpr std::size_t none = std::string_view::npos;
  std::size_t p = 0;
  std::size_t t = 0;
  std::size_t star = none;    // the pattern index of the last '*' seen
  std::size_t star_text = 0;  // where the text stood when that '*' was reached, plus retries
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_text = t;
      continue;
    }
    if (p < pattern.size()) {
      if (std::size_t n = step(pattern[p], text, t); n > 0) {
        ++p;
        t += n;
        continue;
      }
    }
    if (star == none)
      return false;
    // Let the last '*' absorb one more byte and retry what follows it.
    p = star + 1;
    t = ++star_text;
  }
  while (p < pattern.size() && pattern[p] == '*')
    ++p;
  return p == pattern.size();
}

}  // namespace

bool ref_matches(std::string_view pattern, std::string_view ref) {
  return glob_match(pattern, ref, [](char pattern_char, std::string_view text, std::size_t at) {
    if (pattern_char == '?')
      return char_length(text, at);
    return pattern_char == text[at] ? std::size_t{1} : std::size_t{0};
  });
}

bool ref_pattern_covers(std::string_view general, std::string_view specific) {
  // Match `general` against `specific` read as a string of symbols: a '*' in `specific` stands
  // for any run, so only a '*' in `general` can absorb it; a '?' stands for any character, so
  // it needs a '?' or '*'. This never claims coverage that does not hold, though it can miss
  // some (e.g. "a*" covered by "a?*" together with "a").
  return glob_match(
      general, specific, [](char pattern_char, std::string_view text, std::size_t at) {
        const char symbol = text[at];
        if (symbol == '*')
          return std::size_t{0};
        if (pattern_char == '?')
          return symbol == '?' ? std::size_t{1} : char_length(text, at);
        return (symbol != '?' && pattern_char == symbol) ? std::size_t{1} : std::size_t{0};
      });
}

const ProtectRule* Policy::rule_for(std::string_view ref) const {
  for (const ProtectRule& rule : protect) {
    for (const std::string& pattern : rule.refs) {
      if (ref_matches(pattern, ref))
        return &rule;
    }
  }
  return nullptr;
}

const Person* Policy::person_by_email(std::string_view email) const {
  for (const Person& person : people) {
    for (const std::string& known : person.emails) {
      if (iequals(known, email))
        return &person;
    }
  }
  return nullptr;
}

const Person* Policy::person_by_username(std::string_view username) const {
  if (username.empty())
    return nullptr;
  for (const Person& person : people) {
    for (const std::string& known : person.usernames) {
      if (iequals(known, username))
        return &person;
    }
  }
  return nullptr;
}

bool ProtectRule::allows_break_glass(std::string_view username) const {
  return !username.empty() &&
         std::any_of(break_glass.begin(), break_glass.end(),
                     [&](const std::string& listed) { return iequals(listed, username); });
}

Requirement ProtectRule::requirement_for(std::string_view author_level, bool agent_authored) const {
  int needed = approvals;
  int agent_needed = agent_approvals.value_or(approvals);
  std::string level = min_level;
  auto entry =
      std::find_if(author_levels.begin(), author_levels.end(), [&](const AuthorLevelRule& e) {
        return std::find(e.levels.begin(), e.levels.end(), author_level) != e.levels.end();
      });
  if (entry != author_levels.end()) {
    needed = entry->approvals.value_or(needed);
    agent_needed = entry->agent_approvals.value_or(agent_needed);
    level = entry->min_level.value_or(level);
  }
  return Requirement{agent_authored ? std::max(needed, agent_needed) : needed, std::move(level)};
}

int Policy::level_rank(std::string_view level) const {
  auto it = std::find(levels.begin(), levels.end(), level);
  return it == levels.end() ? -1 : static_cast<int>(it - levels.begin());
}

}  // namespace trailgate
