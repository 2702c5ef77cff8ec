// A port of the trailer parsing that `git log --format=%(trailers:only,unfold)` performs in
// git 2.39: pretty.c (skip_blank_lines, format_trailers_from_commit), trailer.c
// (trailer_info_get, find_trailer_start, find_separator, parse_trailer, unfold_value),
// commit.c (ignore_non_trailer) and wt-status.c (wt_status_locate_end).
//
// Git works on a NUL-terminated buffer, and some of its scans (is_blank_line, find_separator,
// starts_with) run to the end of a line or to the terminator rather than to the length they
// were given. The helpers here therefore take the whole message, not a slice of it, and treat
// the end of the view as git treats the NUL. The functions keep git's names and shape so that
// they can be checked against git's source line by line; each names the function it ports.
#include "trailers/trailers.h"

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/ascii.h"

namespace trailgate::trailers {
namespace {

// The configuration trailgate pins instead of reading the repository's.
constexpr char kCommentChar = '#';             // core.commentChar
constexpr std::string_view kSeparators = ":";  // trailer.separators
// wt-status.c's cut_line, preceded by "\n" and the comment character. In 2.39 it includes
// the final newline, so "# ---- >8 ----" must be a whole line ending in LF.
constexpr std::string_view kScissorsLine =
    "\n# ------------------------ >8 ------------------------\n";
// Lines git itself writes; one of them lets a block be only 25% trailers.
constexpr std::array<std::string_view, 2> kGitGeneratedPrefixes = {
    "Signed-off-by: ",
    "(cherry picked from commit ",
};

// Git's ctype is ASCII-only and its isspace() is exactly these four (not \v or \f).
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

}  // namespace

// strbuf_trim(): strips git-whitespace from both ends.
std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.back())) {
    s.remove_suffix(1);
  }
  while (!s.empty() && is_space(s.front())) {
    s.remove_prefix(1);
  }
  return s;
}

// trailer.c find_separator(): the position of the separator in
// "<token><optional whitespace><separator>...", 0 when the line starts with the separator,
// -1 when the line is not of that form. `line` runs to the end of the message, as git's does.
std::ptrdiff_t find_separator(std::string_view line) {
  bool whitespace_found = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (kSeparators.find(c) != std::string_view::npos) {
      return static_cast<std::ptrdiff_t>(i);
    }
    if (!whitespace_found && (util::is_ascii_alnum(c) || c == '-')) {
      continue;
    }
    if (i != 0 && (c == ' ' || c == '\t')) {
      whitespace_found = true;
      continue;
    }
    break;
  }
  return -1;
}

namespace {

// The byte at `pos`, or the C string terminator once past the end.
char char_at(std::string_view text, std::size_t pos) {
  return pos < text.size() ? text[pos] : '\0';
}

bool starts_with_at(std::string_view text, std::size_t pos, std::string_view prefix) {
  return pos <= text.size() && text.substr(pos).starts_with(prefix);
}

// pretty.c skip_blank_lines(): the offset of the first line that is not whitespace-only.
std::size_t skip_blank_lines(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    std::size_t line_end = nl == std::string_view::npos ? text.size() : nl + 1;
    for (std::size_t i = pos; i < line_end; ++i) {
      if (!is_space(text[i])) {
        return pos;
      }
    }
    pos = line_end;
  }
  return pos;
}

// trailer.c is_blank_line(): the line at `pos` holds only whitespace.
bool is_blank_line(std::string_view text, std::size_t pos) {
  while (char_at(text, pos) != '\0' && char_at(text, pos) != '\n' && is_space(text[pos])) {
    ++pos;
  }
  return char_at(text, pos) == '\0' || char_at(text, pos) == '\n';
}

// trailer.c next_line(): the start of the line after the one at `pos`.
std::size_t next_line(std::string_view text, std::size_t pos) {
  std::size_t nl = text.find('\n', pos);
  return nl == std::string_view::npos ? text.size() : nl + 1;
}

// trailer.c last_line(): the start of the last line of text[0, len); -1 when len is 0. A final
// newline belongs to the last line.
std::ptrdiff_t last_line(std::string_view text, std::size_t len) {
  if (len == 0) {
    return -1;
  }
  if (len == 1) {
    return 0;
  }
  for (std::size_t i = len - 1; i-- > 0;) {
    if (text[i] == '\n') {
      return static_cast<std::ptrdiff_t>(i + 1);
    }
  }
  return 0;
}

// wt-status.c wt_status_locate_end(): where the scissors line cuts the message.
std::size_t locate_scissors(std::string_view text) {
  if (text.starts_with(kScissorsLine.substr(1))) {
    return 0;
  }
  std::size_t found = text.find(kScissorsLine);
  return found == std::string_view::npos ? text.size() : found + 1;
}

// commit.c ignore_non_trailer(): the number of bytes at the end of the message that are not
// part of the log message: everything from the scissors line on, then a trailing run of
// comment lines, empty lines and old "Conflicts:" blocks.
std::size_t ignore_non_trailer(std::string_view text) {
  const std::size_t len = text.size();
  const std::size_t cutoff = locate_scissors(text);
  std::size_t boc = 0;  // beginning of the trailing run; 0 means "none", as in git, so a run
                        // that starts at offset 0 is only noticed from its second line on
  std::size_t bol = 0;
  bool in_old_conflicts_block = false;
  while (bol < cutoff) {
    std::size_t next = next_line(text, bol);
    if (text[bol] == kCommentChar || text[bol] == '\n') {
      if (boc == 0) {
        boc = bol;
      }
    } else if (starts_with_at(text, bol, "Conflicts:\n")) {
      in_old_conflicts_block = true;
      if (boc == 0) {
        boc = bol;
      }
    } else if (in_old_conflicts_block && text[bol] == '\t') {
      // a pathname in the conflicts block
    } else if (boc != 0) {
      boc = 0;
      in_old_conflicts_block = false;
    }
    bol = next;
  }
  return boc != 0 ? len - boc : len - cutoff;
}

bool has_git_generated_prefix(std::string_view text, std::size_t pos) {
  for (std::string_view prefix : kGitGeneratedPrefixes) {
    if (starts_with_at(text, pos, prefix)) {
      return true;
    }
  }
  return false;
}

// trailer.c find_trailer_start(): the start of the trailer block in text[0, len), or len when
// there is none. The block is the last paragraph, after the title paragraph, if it is all
// trailers, or at least 25% trailers with one git-generated line among them.
std::size_t find_trailer_start(std::string_view text, std::size_t len) {
  // The first paragraph is the title and cannot hold trailers.
  std::size_t s = 0;
  for (; s < len; s = next_line(text, s)) {
    if (text[s] == kCommentChar) {
      continue;
    }
    if (is_blank_line(text, s)) {
      break;
    }
  }
  const auto end_of_title = static_cast<std::ptrdiff_t>(s);

  bool only_spaces = true;
  bool recognized_prefix = false;
  long trailer_lines = 0;
  long non_trailer_lines = 0;
  // Lines starting with whitespace seen since the last trailer: continuations if a trailer
  // comes before them, non-trailer lines otherwise.
  long possible_continuation_lines = 0;

  for (std::ptrdiff_t l = last_line(text, len); l >= end_of_title;
       l = last_line(text, static_cast<std::size_t>(l))) {
    const auto bol = static_cast<std::size_t>(l);
    if (text[bol] == kCommentChar) {
      non_trailer_lines += possible_continuation_lines;
      possible_continuation_lines = 0;
      continue;
    }
    if (is_blank_line(text, bol)) {
      if (only_spaces) {
        continue;
      }
      non_trailer_lines += possible_continuation_lines;
      if (recognized_prefix && trailer_lines * 3 >= non_trailer_lines) {
        return next_line(text, bol);
      }
      if (trailer_lines > 0 && non_trailer_lines == 0) {
        return next_line(text, bol);
      }
      return len;
    }
    only_spaces = false;

    if (has_git_generated_prefix(text, bol)) {
      ++trailer_lines;
      possible_continuation_lines = 0;
      recognized_prefix = true;
      continue;
    }

    // With no configured trailer tokens, a separator is all that makes a trailer line.
    std::ptrdiff_t separator_pos = find_separator(text.substr(bol));
    if (separator_pos >= 1 && !is_space(text[bol])) {
      ++trailer_lines;
      possible_continuation_lines = 0;
    } else if (is_space(text[bol])) {
      ++possible_continuation_lines;
    } else {
      ++non_trailer_lines;
      non_trailer_lines += possible_continuation_lines;
      possible_continuation_lines = 0;
    }
  }
  return len;
}

// trailer_info_get(): splits the block into logical lines, a line that starts with whitespace
// continuing the line before it if that one has a separator. Returns each logical line's span
// within `block`; continuations follow their line directly, so every span is contiguous.
std::vector<Span> split_trailer_lines(std::string_view block) {
  std::vector<Span> lines;
  bool continuable = false;  // the last logical line has a separator
  std::size_t pos = 0;
  while (pos < block.size()) {
    std::size_t end = next_line(block, pos);
    std::string_view line = block.substr(pos, end - pos);
    if (continuable && is_space(line.front())) {
      lines.back().end = end;
    } else {
      lines.push_back(Span{pos, end});
      continuable = find_separator(line) >= 1;
    }
    pos = end;
  }
  return lines;
}

}  // namespace

TrailerBlock parse(std::string_view message) {
  // Git reads the message as a C string.
  message = message.substr(0, message.find('\0'));

  // pretty.c hands trailer_info_get() the message from its first non-blank line on.
  const std::size_t base = skip_blank_lines(message);
  const std::string_view text = message.substr(base);

  // %(trailers) sets no_divider, so the log message runs to the end, less the ignored tail.
  const std::size_t trailer_end = text.size() - ignore_non_trailer(text);
  const std::size_t trailer_start = find_trailer_start(text, trailer_end);

  TrailerBlock block;
  block.start = base + trailer_start;
  block.end = base + trailer_end;
  const std::string_view lines = text.substr(trailer_start, trailer_end - trailer_start);
  for (const Span& span : split_trailer_lines(lines)) {
    const std::string_view line = lines.substr(span.begin, span.end - span.begin);
    const std::ptrdiff_t separator_pos = find_separator(line);
    if (separator_pos < 1) {
      continue;  // `only`: lines without a separator are not shown
    }
    const auto sep = static_cast<std::size_t>(separator_pos);
    block.trailers.push_back(
        Trailer{std::string(trim(line.substr(0, sep))), unfold_value(trim(line.substr(sep + 1)))});
    block.spans.push_back(Span{block.start + span.begin, block.start + span.end});
  }
  return block;
}

std::string format_like_git_log(const std::vector<Trailer>& trailers) {
  std::string out;
  for (const Trailer& trailer : trailers) {
    out.append(trailer.key).append(": ").append(trailer.value).push_back('\n');
  }
  return out;
}

bool key_equals(std::string_view a, std::string_view b) {
  return util::iequals(a, b);
}

std::string unfold_value(std::string_view value) {
  value = trim(value);
  std::string out;
  out.reserve(value.size());
  std::size_t i = 0;
  while (i < value.size()) {
    char c = value[i++];
    if (c == '\n') {
      while (i < value.size() && is_space(value[i])) {
        ++i;
      }
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return std::string(trim(out));
}

}  // namespace trailgate::trailers
