// Path patterns for sensitive-path rules ([[protect.sensitive]] paths), written the way
// CODEOWNERS and .gitignore files write them: "infra/**", "**/*.tf", "/Makefile", "deploy/".
//
// Pure: a pattern string in, a compiled matcher out; it never reads files or git. Matching runs
// in O(pattern * path) time whatever the input (a set-of-states simulation, no backtracking),
// because both patterns and pushed paths can be hostile. docs/blast-radius.md gives the rules
// with a table of examples; in short:
//   - a path is repository-relative, '/'-separated, as git stores it ("infra/main.tf");
//   - '*' matches any run of characters except '/'; '?' one character except '/';
//     "[a-z]", "[!a-z]" (or "[^a-z]") and "[[:digit:]]" one character of (or not of) a set,
//     never '/'; '\' makes the next character literal;
//   - "**" as a whole segment matches across directories: "**/x" x at any depth, "x/**"
//     everything under x, "a/**/b" b under a at any depth (a/b included); elsewhere it is '*';
//   - a pattern with no '/' except a trailing one matches at any depth ("*.tf" = "**/*.tf");
//     a leading '/' or a '/' in the middle anchors it at the repository root;
//   - a pattern that matches a directory matches everything under it ("infra" and "infra/"
//     cover "infra/main.tf"); a trailing '/' matches directories only;
//   - a character is one UTF-8 sequence, or one byte where the text is not UTF-8; matching is
//     case-sensitive.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace trailgate {

// Why a pattern was refused.
struct PathGlobError {
  std::size_t column = 0;  // 1-based byte offset of the problem in the pattern
  std::string message;     // one sentence that names the column, e.g.
                           // "'[' at column 7 is never closed"
};

// A compiled path pattern. Copyable; immutable after compile().
class PathGlob {
 public:
  // Longest pattern accepted, in bytes. Keeps matching cost bounded per path byte.
  static constexpr std::size_t kMaxPatternBytes = 1024;

  // Compiles `pattern`. Returns nullopt and fills `*error` (when non-null) when the pattern is
  // empty, longer than kMaxPatternBytes, contains a NUL byte, starts with '!' (negation is not
  // supported), ends with an unescaped space, ends with a lone '\', is "/" alone, has an empty
  // segment ("a//b"), a "." or ".." segment, an escaped '/', an unclosed '[', a reversed range
  // ("[z-a]") or an unknown "[:class:]". Never throws.
  static std::optional<PathGlob> compile(std::string_view pattern, PathGlobError* error);

  // True when the pattern matches `path` or one of its leading directories (see the header
  // comment). `path` is repository-relative with '/' separators and no leading '/', as git
  // records it; any other string is matched as it is and simply fails to match most patterns.
  // The empty path never matches.
  bool matches(std::string_view path) const;

  // The pattern as written, for messages.
  const std::string& pattern() const { return pattern_; }

 private:
  enum class Op : std::uint8_t {
    literal,     // one character equal to `code`
    any_char,    // '?': one character except '/'
    char_class,  // one character except '/', in (or, negated, not in) classes_[index]
    star,        // '*': zero or more characters except '/'
    any_run,     // trailing "/**" or a lone "**": zero or more characters, '/' included
    dir_run,     // leading "**/" or middle "/**/": nothing, or any run that ends with '/'
  };
  struct Token {
    Op op = Op::literal;
    std::uint32_t code = 0;   // literal
    std::uint32_t index = 0;  // char_class
  };
  struct Range {
    std::uint32_t first = 0;
    std::uint32_t last = 0;
  };
  struct CharClass {
    bool negated = false;
    std::vector<Range> ranges;
  };

  PathGlob() = default;
  bool class_contains(const CharClass& cls, std::uint32_t code) const;

  std::string pattern_;
  std::vector<Token> tokens_;
  std::vector<CharClass> classes_;
  bool directory_only_ = false;  // the pattern ended in '/'

  friend class PathGlobCompiler;
};

}  // namespace trailgate
