#include "git/commit_object.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "git/error.h"
#include "util/ascii.h"
#include "util/escape.h"
#include "util/hex_id.h"

namespace trailgate::git {

namespace {

constexpr std::size_t kHexIdSize = 40;  // SHA-1, the only object format read

// libgit2's git__isspace.
bool is_git_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == '\v';
}

// git's isspace (git-compat-util.h sane_ctype): space, tab, newline, carriage return.
bool git_isspace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string_view until_nul(std::string_view s) {
  return s.substr(0, s.find('\0'));
}

bool starts_with(const char* p, const char* end, std::string_view prefix) {
  return static_cast<std::size_t>(end - p) >= prefix.size() &&
         std::memcmp(p, prefix.data(), prefix.size()) == 0;
}

// What libgit2 1.5 (extract_trimmed) and git's ident.c (when writing) trim from both ends of a
// name or email.
bool is_crud(unsigned char c) {
  return c <= 32 || c == '.' || c == ',' || c == ':' || c == ';' || c == '<' || c == '>' ||
         c == '"' || c == '\\' || c == '\'';
}

std::string_view crud_trimmed(std::string_view s) {
  while (!s.empty() && is_crud(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && is_crud(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

// libgit2's reading of the name and email of an identity line (the text after "author " or
// "committer ", without its newline), as git_signature__parse does it: the last '<' and the last
// '>' of the line, name and email trimmed, each cut at a NUL byte (libgit2 hands them out as C
// strings). Returns the offset of that '>' in `line`, or npos when libgit2 rejects the line.
std::size_t libgit2_ident(std::string_view line, std::string& name, std::string& email) {
  const std::size_t lt = line.rfind('<'), gt = line.rfind('>');
  if (lt == std::string_view::npos || gt == std::string_view::npos || gt <= lt)
    return std::string_view::npos;
  name = std::string(until_nul(crud_trimmed(line.substr(0, lt))));
  email = std::string(until_nul(crud_trimmed(line.substr(lt + 1, gt - lt - 1))));
  return gt;
}

// libgit2's git__strntol64 in base 10: leading whitespace, a sign, at least one digit, and no
// overflow. Stops at the first non-digit.
bool parse_int64(const char* p, std::size_t n, std::int64_t& out, const char*& end) {
  while (n && is_git_space(*p)) {
    ++p;
    --n;
  }
  bool neg = false;
  if (n && (*p == '-' || *p == '+')) {
    neg = *p == '-';
    ++p;
    --n;
  }
  std::int64_t v = 0;
  int digits = 0;
  bool overflow = false;
  for (; n && *p >= '0' && *p <= '9'; ++p, --n, ++digits) {
    std::int64_t d = *p - '0';
    if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, neg ? -d : d, &v))
      overflow = true;
  }
  if (digits == 0 || overflow)
    return false;
  end = p;
  out = v;
  return true;
}

// git_oid__parse: `header`, 40 hex digits, a newline.
bool parse_id_line(const char*& p, const char* end, std::string_view header, std::string* out) {
  if (static_cast<std::size_t>(end - p) < header.size() + kHexIdSize + 1 ||
      std::memcmp(p, header.data(), header.size()) != 0 || p[header.size() + kHexIdSize] != '\n')
    return false;
  const std::string_view hex(p + header.size(), kHexIdSize);
  if (!util::is_sha1_object_id_any_case(hex))
    return false;
  if (out)
    *out = util::ascii_lowercase(hex);
  p += header.size() + kHexIdSize + 1;
  return true;
}

// git_signature__parse with a newline as the end of the line.
bool parse_signature(const char*& p, const char* end, std::string_view header, Identity* out) {
  const char* line_end = static_cast<const char*>(std::memchr(p, '\n', end - p));
  if (!line_end || p + header.size() >= line_end ||
      std::memcmp(p, header.data(), header.size()) != 0)
    return false;
  const char* b = p + header.size();
  Identity id;
  const std::size_t gt =
      libgit2_ident(std::string_view(b, static_cast<std::size_t>(line_end - b)), id.name, id.email);
  if (gt == std::string_view::npos)
    return false;
  const char* email_end = b + gt;
  if (email_end + 2 < line_end) {
    const char* time_start = email_end + 2;
    const char* time_end = nullptr;
    if (!parse_int64(time_start, static_cast<std::size_t>(line_end - time_start), id.time,
                     time_end))
      return false;
    if (time_end + 1 < line_end) {
      const char* tz = time_end + 1;
      std::int64_t offset = 0;
      const char* tz_end = nullptr;
      if ((tz[0] != '-' && tz[0] != '+') ||
          !parse_int64(tz + 1, static_cast<std::size_t>(line_end - tz - 1), offset, tz_end) ||
          offset != static_cast<std::int32_t>(offset))
        offset = 0;
      auto hours = static_cast<int>(offset / 100), mins = static_cast<int>(offset % 100);
      if (hours <= 14 && mins <= 59)
        id.offset_minutes = tz[0] == '-' ? -(hours * 60 + mins) : hours * 60 + mins;
    }
  }
  if (out)
    *out = std::move(id);
  p = line_end + 1;
  return true;
}

[[noreturn]] void malformed_commit(const std::string& id, const char* what) {
  throw GitError(fmt::format("reading commit {}: failed to parse bad commit object ({})", id, what),
                 GitError::Kind::invalid);
}

// The header lines every commit starts with, up to and including the committer. Leaves `p`
// after the committer line.
void parse_commit_start(const std::string& id, const char*& p, const char* end, std::string* tree,
                        std::vector<std::string>& parents, Identity* author, Identity& committer) {
  if (!parse_id_line(p, end, "tree ", tree))
    malformed_commit(id, "tree");
  std::string parent;
  while (parse_id_line(p, end, "parent ", &parent))
    parents.push_back(std::move(parent));
  if (!parse_signature(p, end, "author ", author))
    malformed_commit(id, "author");
  // Some tools write several author lines; libgit2 checks and ignores the extra ones.
  while (starts_with(p, end, "author "))
    if (!parse_signature(p, end, "author ", nullptr))
      malformed_commit(id, "author");
  if (!parse_signature(p, end, "committer ", &committer))
    malformed_commit(id, "committer");
}

// The header lines of `raw` (up to its first empty line), each without its newline; the last
// one may lack it when the object ends there.
std::vector<std::string_view> header_lines(std::string_view raw) {
  std::vector<std::string_view> lines;
  for (std::size_t pos = 0; pos < raw.size();) {
    const std::size_t eol = raw.find('\n', pos);
    std::string_view line = raw.substr(pos, eol == std::string_view::npos ? eol : eol - pos);
    if (line.empty())
      break;
    lines.push_back(line);
    if (eol == std::string_view::npos)
      break;
    pos = eol + 1;
  }
  return lines;
}

// `text` quoted for a message: printable ASCII as is, '"' and '\' escaped, other bytes as
// \xNN, at most 80 bytes.
std::string quoted(std::string_view text) {
  // fmt, not "\"" + std::string: GCC 12 at -O3 warns falsely (-Wrestrict) about that operator+.
  return fmt::format("\"{}\"", util::escape_to_ascii(text, 80));
}

// A "tree " or "parent " line: the header, 40 hex digits (either case, as git's
// parse_oid_hex and libgit2 take them) and nothing else.
bool is_id_line(std::string_view line, std::string_view header) {
  return line.starts_with(header) && util::is_sha1_object_id_any_case(line.substr(header.size()));
}

}  // namespace

CommitInfo parse_commit_object(const std::string& id, std::string_view raw) {
  CommitInfo info;
  info.id = id;
  const char* start = raw.data();
  const char* end = start + raw.size();
  const char* p = start;
  parse_commit_start(id, p, end, &info.tree_id, info.parent_ids, &info.author, info.committer);
  while (p < end) {
    if (p[-1] == '\n' && p[0] == '\n')
      break;
    const char* eoln = p;
    while (eoln < end && *eoln != '\n')
      ++eoln;
    if (eoln < end && *eoln == '\n')
      ++eoln;
    p = eoln;
  }
  const char* message = p + 1;
  if (message <= end)
    info.message = std::string(until_nul(std::string_view(message, end - message)));
  // git (unlike libgit2, which keeps the last) re-encodes by the first encoding header.
  info.encoding = first_encoding_header(raw);
  info.decoded_messages = decoded_messages(raw, info.encoding);
  info.malformed = commit_object_problems(raw);
  if (info.malformed.empty())
    return info;
  // The identities as git shows them (split_ident_line), where git can read them: for a
  // well-formed object the same as libgit2's; otherwise `malformed` says how they differ.
  bool author_done = false, committer_done = false;
  for (std::string_view line : header_lines(raw)) {
    auto as_git = [&](Identity& person, std::string_view header, bool& done) {
      if (done || !line.starts_with(header))
        return;
      done = true;
      if (GitIdent git = git_ident(line.substr(header.size())); git.ok) {
        person.name = std::move(git.name);
        person.email = std::move(git.email);
      }
    };
    as_git(info.author, "author ", author_done);
    as_git(info.committer, "committer ", committer_done);
  }
  return info;
}

CommitLinks parse_commit_links(const std::string& id, std::string_view raw) {
  CommitLinks links;
  const char* p = raw.data();
  Identity committer;
  parse_commit_start(id, p, raw.data() + raw.size(), nullptr, links.parent_ids, nullptr, committer);
  links.committer_time = committer.time;
  return links;
}

std::string parse_commit_tree(const std::string& id, std::string_view raw) {
  const char* p = raw.data();
  std::string tree;
  if (!parse_id_line(p, raw.data() + raw.size(), "tree ", &tree))
    malformed_commit(id, "tree");
  return tree;
}

GitIdent git_ident(std::string_view line) {
  line = until_nul(line);
  line = line.substr(0, line.find('\n'));
  GitIdent out;
  const std::size_t lt = line.find('<');
  if (lt == std::string_view::npos)
    return out;
  const std::size_t gt = line.find('>', lt + 1);
  if (gt == std::string_view::npos)
    return out;
  std::size_t name_end = lt;
  while (name_end > 0 && git_isspace(line[name_end - 1]))
    --name_end;
  out.ok = true;
  out.name = std::string(line.substr(0, name_end));
  out.email = std::string(line.substr(lt + 1, gt - lt - 1));
  return out;
}

std::string fsck_ident_problem(std::string_view line) {
  line = until_nul(line);  // a NUL is reported on its own; fsck's C strings end there too
  line = line.substr(0, line.find('\n'));
  // Past the end of the line reads as its newline, as fsck reads the buffer.
  auto at = [&](std::size_t i) { return i < line.size() ? line[i] : '\n'; };
  std::size_t p = 0;
  if (at(p) == '<')
    return "missing space before email (no name)";
  while (at(p) != '<' && at(p) != '>' && at(p) != '\n')
    ++p;
  if (at(p) == '>')
    return "bad name (a '>' before the email)";
  if (at(p) != '<')
    return "missing email";
  if (at(p - 1) != ' ')
    return "missing space before email";
  ++p;
  while (at(p) != '<' && at(p) != '>' && at(p) != '\n')
    ++p;
  if (at(p) != '>')
    return "bad email";
  ++p;
  if (at(p) != ' ')
    return "missing space before date";
  ++p;
  if (at(p) == '0' && at(p + 1) != ' ')
    return "zero-padded date";
  // parse_timestamp() is strtoumax(): leading whitespace (the line's end stops it here), a sign
  // (a '-' wraps around, hence overflows), digits; ERANGE reads as UINTMAX_MAX.
  const std::size_t start = p;
  while (p < line.size() &&
         (at(p) == ' ' || at(p) == '\t' || at(p) == '\v' || at(p) == '\f' || at(p) == '\r'))
    ++p;
  bool negative = false;
  if (at(p) == '+' || at(p) == '-')
    negative = at(p++) == '-';
  std::uint64_t value = 0;
  bool overflow = false, digits = false;
  for (; util::is_ascii_digit(at(p)); ++p) {
    digits = true;
    const auto d = static_cast<std::uint64_t>(at(p) - '0');
    if (value > (UINT64_MAX - d) / 10)
      overflow = true;
    else
      value = value * 10 + d;
  }
  if (!digits)
    p = start;  // strtoumax sets the end to its start when it reads no number
  if (negative && value != 0)
    overflow = true;  // -n is 2^64 - n as an unsigned value
  if (overflow || value > static_cast<std::uint64_t>(INT64_MAX))
    return "date causes integer overflow";
  if (p == start)
    return "bad date";
  if (at(p) != ' ')
    return "bad date";
  ++p;
  if ((at(p) != '+' && at(p) != '-') || !util::is_ascii_digit(at(p + 1)) ||
      !util::is_ascii_digit(at(p + 2)) || !util::is_ascii_digit(at(p + 3)) ||
      !util::is_ascii_digit(at(p + 4)) || p + 5 != line.size())
    return "bad time zone";
  return {};
}

std::vector<std::string> commit_object_problems(std::string_view raw) {
  std::vector<std::string> out;
  std::size_t header_end = raw.find("\n\n");  // the newline ending the last header line
  if (const std::size_t nul = raw.find('\0'); nul != std::string_view::npos)
    out.push_back("it has a NUL byte at offset " + std::to_string(nul) +
                  (nul < header_end ? " (in the header)" : " (in the message)") +
                  ": git stops reading there, so what follows it is hidden from `git log` and "
                  "from trailgate alike");
  std::string_view header;
  if (header_end != std::string_view::npos)
    header = raw.substr(0, header_end + 1);
  else if (!raw.empty() && raw.back() == '\n')
    header = raw;
  else {
    out.push_back("its header is not ended by a newline");
    return out;
  }

  std::vector<std::string_view> lines;
  for (std::size_t pos = 0; pos < header.size();) {
    const std::size_t eol = header.find('\n', pos);
    lines.push_back(header.substr(pos, eol - pos));
    pos = eol + 1;
  }
  std::size_t i = 0;
  auto next_is = [&](std::string_view prefix) {
    return i < lines.size() && lines[i].starts_with(prefix);
  };
  if (!next_is("tree "))
    out.push_back("its first line is not a tree line");
  else if (!is_id_line(lines[i++], "tree "))
    out.push_back("its tree line " + quoted(lines[i - 1]) + " does not hold a 40-digit object id");
  for (; next_is("parent "); ++i)
    if (!is_id_line(lines[i], "parent "))
      out.push_back("its parent line " + quoted(lines[i]) + " does not hold a 40-digit object id");

  // One identity line: fsck's checks, then git's reading against libgit2's.
  auto check_ident = [&](const char* what, std::string_view value) {
    if (std::string problem = fsck_ident_problem(value); !problem.empty())
      out.push_back(std::string("its ") + what + " line " + quoted(value) +
                    " is malformed: " + problem + " (git fsck rejects it)");
    const GitIdent git = git_ident(value);
    std::string name, email;
    const bool libgit2 = libgit2_ident(value, name, email) != std::string_view::npos;
    if (!git.ok && libgit2)
      out.push_back(std::string("its ") + what + " line " + quoted(value) +
                    " names nobody to git but <" + email + "> to libgit2");
    else if (git.ok && libgit2 && (git.email != email || crud_trimmed(until_nul(git.name)) != name))
      out.push_back(std::string("its ") + what + " line " + quoted(value) + " reads as " +
                    quoted(git.name) + " <" + git.email + "> to git but as " + quoted(name) + " <" +
                    email + "> to libgit2");
  };
  std::size_t authors = 0;
  for (; next_is("author "); ++i, ++authors)
    if (authors == 0)
      check_ident("author", lines[i].substr(7));
  if (authors == 0)
    out.push_back("it has no author line after the tree and parent lines");
  else if (authors > 1)
    out.push_back("it has " + std::to_string(authors) +
                  " author lines: git shows one, libgit2 another");
  if (!next_is("committer "))
    out.push_back("it has no committer line after the author line");
  else
    check_ident("committer", lines[i++].substr(10));
  for (; i < lines.size(); ++i)
    for (std::string_view key : {"tree ", "parent ", "author ", "committer "})
      if (lines[i].starts_with(key))
        out.push_back("it has another \"" + std::string(key.substr(0, key.size() - 1)) +
                      "\" line after the committer line: git and libgit2 read different ones");
  return out;
}

}  // namespace trailgate::git
