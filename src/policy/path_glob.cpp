#include "policy/path_glob.h"

#include <fmt/format.h>

#include <array>
#include <limits>

#include "util/utf8.h"

namespace trailgate {

namespace {

constexpr std::uint32_t kSlash = '/';
// A character of a pattern or path is one well-formed UTF-8 sequence, or any other byte on its
// own with a code above every code point (util::utf8_char_at), so that it only equals itself.

// The POSIX classes git's wildmatch knows, as ASCII ranges.
struct NamedClass {
  std::string_view name;
  std::vector<std::pair<char, char>> ranges;
};

const std::array<NamedClass, 12>& named_classes() {
  static const std::array<NamedClass, 12> classes = {{
      {"alnum", {{'0', '9'}, {'A', 'Z'}, {'a', 'z'}}},
      {"alpha", {{'A', 'Z'}, {'a', 'z'}}},
      {"blank", {{' ', ' '}, {'\t', '\t'}}},
      {"cntrl", {{'\0', '\x1f'}, {'\x7f', '\x7f'}}},
      {"digit", {{'0', '9'}}},
      {"graph", {{'!', '~'}}},
      {"lower", {{'a', 'z'}}},
      {"print", {{' ', '~'}}},
      {"punct", {{'!', '/'}, {':', '@'}, {'[', '`'}, {'{', '~'}}},
      {"space", {{'\t', '\r'}, {' ', ' '}}},
      {"upper", {{'A', 'Z'}}},
      {"xdigit", {{'0', '9'}, {'A', 'F'}, {'a', 'f'}}},
  }};
  return classes;
}

}  // namespace

// Turns pattern text into PathGlob's tokens, stopping at the first problem.
class PathGlobCompiler {
 public:
  PathGlobCompiler(std::string_view pattern, PathGlobError* error)
      : text_(pattern), error_(error) {}

  std::optional<PathGlob> compile() {
    if (text_.empty())
      return fail(1, "the pattern is empty");
    if (text_.size() > PathGlob::kMaxPatternBytes)
      return fail(PathGlob::kMaxPatternBytes + 1,
                  fmt::format("the pattern is longer than {} bytes", PathGlob::kMaxPatternBytes));
    if (std::size_t nul = text_.find('\0'); nul != std::string_view::npos)
      return fail(nul + 1, fmt::format("NUL byte at column {}", nul + 1));
    if (text_.front() == '!')
      return fail(1,
                  "a leading '!' (negation) is not supported; write \"\\!\" for a path that "
                  "starts with '!'");
    if (text_.back() == ' ' && !escaped(text_.size() - 1))
      return fail(text_.size(),
                  fmt::format("the pattern ends with a space (column {}), which .gitignore would "
                              "drop; write \"\\ \" if the path really ends with a space",
                              text_.size()));

    PathGlob glob;
    glob.pattern_ = std::string(text_);
    std::size_t begin = 0;
    std::size_t end = text_.size();
    bool anchored = false;
    if (text_.front() == '/') {
      anchored = true;
      begin = 1;
    }
    if (end > begin && text_[end - 1] == '/' && !escaped(end - 1)) {
      glob.directory_only_ = true;
      --end;
    }
    if (begin >= end)
      return fail(1, "the pattern names no path; write \"**\" to match every path");

    std::vector<Segment> segments;
    if (!split(begin, end, &glob, &segments))
      return std::nullopt;
    if (segments.size() > 1)
      anchored = true;

    // Unanchored patterns match at any depth: "*.tf" is "**/*.tf".
    if (!anchored)
      glob.tokens_.push_back({PathGlob::Op::dir_run, 0, 0});
    for (std::size_t i = 0; i < segments.size(); ++i) {
      const bool last = i + 1 == segments.size();
      if (segments[i].globstar) {
        // "x/**" is everything under x; "**/" before more segments is any number of directories,
        // the '/' included.
        glob.tokens_.push_back({last ? PathGlob::Op::any_run : PathGlob::Op::dir_run, 0, 0});
        continue;
      }
      for (const auto& token : segments[i].tokens) {
        if (token.op == PathGlob::Op::star && !glob.tokens_.empty() &&
            glob.tokens_.back().op == PathGlob::Op::star)
          continue;  // "a**b" is "a*b"
        glob.tokens_.push_back(token);
      }
      if (!last)
        glob.tokens_.push_back({PathGlob::Op::literal, kSlash, 0});
    }
    return glob;
  }

 private:
  struct Segment {
    std::vector<PathGlob::Token> tokens;
    bool globstar = false;  // the whole segment is two or more unescaped '*'
  };

  // Record the problem; `fail` for compile(), `reject` for the helpers that return bool.
  std::nullopt_t fail(std::size_t column, std::string message) {
    reject(column, std::move(message));
    return std::nullopt;
  }
  bool reject(std::size_t column, std::string message) {
    if (error_)
      *error_ = PathGlobError{column, std::move(message)};
    return false;
  }

  // True when the character at `at` is preceded by an odd number of backslashes.
  bool escaped(std::size_t at) const {
    std::size_t count = 0;
    while (at > count && text_[at - count - 1] == '\\')
      ++count;
    return count % 2 == 1;
  }

  // Reads one possibly escaped character at `*at` (inside [begin, end)) into `*code`, for a
  // literal or a class member. Returns false after recording the error.
  bool read_char(std::size_t* at, std::size_t end, std::uint32_t* code) {
    std::size_t i = *at;
    if (text_[i] == '\\') {
      if (i + 1 < text_.size() && text_[i + 1] == '/')
        return reject(i + 1, fmt::format("'\\/' at column {}: a '/' cannot be escaped, it always "
                                         "separates directories",
                                         i + 1));
      if (i + 1 >= end)
        return reject(i + 1, fmt::format("the '\\' at column {} escapes nothing", i + 1));
      ++i;
    }
    const util::Utf8Char c = util::utf8_char_at(text_, i);
    *code = c.code;
    *at = i + c.length;
    return true;
  }

  // Splits [begin, end) into segments at each '/', tokenising each. Returns false after
  // recording the error.
  bool split(std::size_t begin, std::size_t end, PathGlob* glob, std::vector<Segment>* out) {
    Segment segment;
    std::size_t segment_start = begin;
    std::size_t stars = 0;  // unescaped '*' in the segment
    bool other = false;     // anything else in the segment
    auto close = [&](std::size_t at) {
      if (at == segment_start)
        return reject(at + 1, fmt::format("empty directory name at column {} (\"//\")", at + 1));
      std::string_view name = text_.substr(segment_start, at - segment_start);
      if (name == "." || name == "..")
        return reject(segment_start + 1,
                      fmt::format("\"{}\" at column {} is not allowed: git paths have no \".\" or "
                                  "\"..\" segments; a leading '/' anchors at the root",
                                  name, segment_start + 1));
      segment.globstar = stars >= 2 && !other;
      out->push_back(std::move(segment));
      segment = Segment{};
      stars = 0;
      other = false;
      return true;
    };
    std::size_t i = begin;
    while (i < end) {
      const char c = text_[i];
      if (c == '/') {
        if (!close(i))
          return false;
        segment_start = ++i;
        continue;
      }
      if (c == '*') {
        ++stars;
        segment.tokens.push_back({PathGlob::Op::star, 0, 0});
        ++i;
        continue;
      }
      other = true;
      if (c == '?') {
        segment.tokens.push_back({PathGlob::Op::any_char, 0, 0});
        ++i;
      } else if (c == '[') {
        PathGlob::CharClass cls;
        if (!read_class(&i, end, &cls))
          return false;
        segment.tokens.push_back(
            {PathGlob::Op::char_class, 0, static_cast<std::uint32_t>(glob->classes_.size())});
        glob->classes_.push_back(std::move(cls));
      } else {
        std::uint32_t code = 0;
        if (!read_char(&i, end, &code))
          return false;
        segment.tokens.push_back({PathGlob::Op::literal, code, 0});
      }
    }
    return close(end);
  }

  // Reads a bracket expression starting at the '[' at `*at`, as git's wildmatch does: '!' or
  // '^' first negates, a ']' first is a member, "a-z" is a range, "[:name:]" a POSIX class,
  // '\' escapes. Returns false after recording the error.
  bool read_class(std::size_t* at, std::size_t end, PathGlob::CharClass* cls) {
    const std::size_t open = *at;
    auto unclosed = [&] {
      return reject(open + 1, fmt::format("the '[' at column {} is never closed (a class cannot "
                                          "contain '/'; write \"\\[\" for a literal '[')",
                                          open + 1));
    };
    std::size_t i = open + 1;
    if (i < end && (text_[i] == '!' || text_[i] == '^')) {
      cls->negated = true;
      ++i;
    }
    bool first = true;
    while (true) {
      if (i >= end || text_[i] == '/')
        return unclosed();
      if (text_[i] == ']' && !first) {
        *at = i + 1;
        return true;
      }
      first = false;
      if (text_[i] == '[' && i + 1 < end && text_[i + 1] == ':') {
        std::size_t close = text_.find(":]", i + 2);
        std::size_t slash = text_.find('/', i + 2);
        if (close != std::string_view::npos && close + 1 < end &&
            (slash == std::string_view::npos || slash > close)) {
          std::string_view name = text_.substr(i + 2, close - i - 2);
          const NamedClass* found = nullptr;
          for (const auto& named : named_classes())
            if (named.name == name)
              found = &named;
          if (!found)
            return reject(
                i + 1, fmt::format("unknown character class \"[:{}:]\" at column {}", name, i + 1));
          for (const auto& [lo, hi] : found->ranges)
            cls->ranges.push_back({static_cast<std::uint32_t>(static_cast<unsigned char>(lo)),
                                   static_cast<std::uint32_t>(static_cast<unsigned char>(hi))});
          i = close + 2;
          continue;
        }
      }
      const std::size_t member_start = i;
      std::uint32_t lo = 0;
      if (!read_char(&i, end, &lo))
        return false;
      if (i + 1 < end && text_[i] == '-' && text_[i + 1] != ']') {
        ++i;
        if (text_[i] == '/')
          return unclosed();
        std::uint32_t hi = 0;
        if (!read_char(&i, end, &hi))
          return false;
        if (hi < lo)
          return reject(member_start + 1, fmt::format("the range \"{}\" at column {} is reversed",
                                                      text_.substr(member_start, i - member_start),
                                                      member_start + 1));
        cls->ranges.push_back({lo, hi});
      } else {
        cls->ranges.push_back({lo, lo});
      }
    }
  }

  std::string_view text_;
  PathGlobError* error_;
};

std::optional<PathGlob> PathGlob::compile(std::string_view pattern, PathGlobError* error) {
  return PathGlobCompiler(pattern, error).compile();
}

bool PathGlob::class_contains(const CharClass& cls, std::uint32_t code) const {
  bool found = false;
  for (const Range& range : cls.ranges) {
    if (code >= range.first && code <= range.last) {
      found = true;
      break;
    }
  }
  return found != cls.negated;
}

bool PathGlob::matches(std::string_view path) const {
  if (path.empty())
    return false;
  // A simulation of the pattern's automaton: state i means "tokens before i are matched".
  // Each state is entered at most once per path character, so the cost is O(tokens * path).
  const std::size_t accept = tokens_.size();
  constexpr std::uint32_t kNever = std::numeric_limits<std::uint32_t>::max();
  std::vector<std::uint32_t> in_set(accept + 1, kNever);  // step number it was added in
  std::vector<std::uint32_t> closed(accept + 1, kNever);  // step number its skips were added in
  std::vector<std::size_t> current, next;
  current.reserve(accept + 1);
  next.reserve(accept + 1);
  std::uint32_t step = 0;

  auto add = [&](std::vector<std::size_t>& set, std::size_t state) {
    if (in_set[state] != step) {
      in_set[state] = step;
      set.push_back(state);
    }
  };
  // Adds `state` and every state reachable from it without reading a character.
  auto add_closure = [&](std::vector<std::size_t>& set, std::size_t state) {
    while (closed[state] != step) {
      closed[state] = step;
      add(set, state);
      if (state == accept)
        return;
      Op op = tokens_[state].op;
      if (op != Op::star && op != Op::any_run && op != Op::dir_run)
        return;
      ++state;
    }
  };

  add_closure(current, 0);
  std::size_t at = 0;
  while (at < path.size()) {
    const util::Utf8Char c = util::utf8_char_at(path, at);
    const std::uint32_t code = c.code;
    const std::size_t length = c.length;
    ++step;
    next.clear();
    for (std::size_t state : current) {
      if (state == accept)
        continue;
      const Token& token = tokens_[state];
      switch (token.op) {
        case Op::literal:
          if (code == token.code)
            add_closure(next, state + 1);
          break;
        case Op::any_char:
          if (code != kSlash)
            add_closure(next, state + 1);
          break;
        case Op::char_class:
          if (code != kSlash && class_contains(classes_[token.index], code))
            add_closure(next, state + 1);
          break;
        case Op::star:
          if (code != kSlash)
            add_closure(next, state);
          break;
        case Op::any_run:
          add_closure(next, state);
          break;
        case Op::dir_run:
          // Stay inside the run; leave it only right after a '/'.
          add(next, state);
          if (code == kSlash)
            add_closure(next, state + 1);
          break;
      }
    }
    at += length;
    if (next.empty())
      return false;
    if (in_set[accept] == step) {
      // The pattern matched path[0, at): the whole path, or a directory when a '/' follows.
      if (at == path.size() ? !directory_only_ : path[at] == '/')
        return true;
    }
    current.swap(next);
  }
  return false;
}

}  // namespace trailgate
