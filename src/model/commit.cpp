#include "model/commit.h"

#include <iconv.h>
#include <cerrno>

#include <algorithm>
#include <cstdint>

#include "util/ascii.h"
#include "util/escape.h"
#include "util/hex_id.h"

namespace trailgate {

std::string_view subject_of(std::string_view message) {
  while (!message.empty()) {
    std::size_t eol = message.find('\n');
    std::string_view line = message.substr(0, eol);
    if (!line.empty() && line.back() == '\r')
      line.remove_suffix(1);
    if (line.find_first_not_of(" \t\r") != std::string_view::npos)
      return line;
    if (eol == std::string_view::npos)
      break;
    message.remove_prefix(eol + 1);
  }
  return {};
}

std::string_view short_id(std::string_view id) {
  return id.substr(0, 12);
}

namespace {

std::string_view until_nul(std::string_view s) {
  return s.substr(0, s.find('\0'));
}

// An iconv conversion descriptor, closed on destruction.
class Converter {
 public:
  explicit Converter(const std::string& from) : cd_(iconv_open("UTF-8", from.c_str())) {}
  ~Converter() {
    if (ok())
      iconv_close(cd_);
  }
  Converter(const Converter&) = delete;
  Converter& operator=(const Converter&) = delete;
  bool ok() const { return cd_ != reinterpret_cast<iconv_t>(-1); }

  // All of `in` converted, or false when a byte sequence is invalid or incomplete (git's
  // reencode_string_iconv gives up then too).
  bool convert(std::string_view in, std::string& out) {
    iconv(cd_, nullptr, nullptr, nullptr, nullptr);  // reset the shift state
    out.assign(in.size() * 2 + 16, '\0');
    char* src = const_cast<char*>(in.data());  // iconv's signature; it does not write there
    std::size_t src_left = in.size();
    std::size_t done = 0;
    // The input, then (src == nullptr) any pending shift sequence.
    if (!run(&src, &src_left, out, done) || !run(nullptr, nullptr, out, done))
      return false;
    out.resize(done);
    return true;
  }

 private:
  // Calls iconv until it has taken all of *src (or, with src == nullptr, flushed), growing
  // `out` past `done` as needed. False on any error but a full output buffer.
  bool run(char** src, std::size_t* src_left, std::string& out, std::size_t& done) {
    for (;;) {
      char* dst = out.data() + done;
      std::size_t dst_left = out.size() - done;
      std::size_t rc = iconv(cd_, src, src_left, &dst, &dst_left);
      done = out.size() - dst_left;
      if (rc != static_cast<std::size_t>(-1)) {
        if (src_left == nullptr || *src_left == 0)
          return true;
        continue;
      }
      if (errno != E2BIG)
        return false;
      out.resize(out.size() * 2);
    }
  }

  iconv_t cd_;
};

// pretty.c parse_commit_header() and the %B / %(trailers) offsets: the text after the first
// empty line of `buffer`, or "" when there is none.
std::string_view message_of_buffer(std::string_view buffer) {
  std::size_t i = 0;
  while (i < buffer.size()) {
    std::size_t eol = buffer.find('\n', i);
    if (eol == std::string_view::npos)
      return {};
    if (eol == i)
      return buffer.substr(i + 1);
    i = eol + 1;
  }
  return {};
}

}  // namespace

bool is_utf8_encoding(std::string_view encoding) {
  // utf8.c same_utf_encoding(): "utf", an optional '-', then the same rest.
  if (encoding.empty())
    return true;
  if (!util::istarts_with(encoding, "utf"))
    return false;
  encoding.remove_prefix(3);
  if (!encoding.empty() && encoding.front() == '-')
    encoding.remove_prefix(1);
  return encoding == "8";
}

std::string first_encoding_header(std::string_view raw_object) {
  std::size_t pos = 0;
  while (pos < raw_object.size()) {
    std::size_t eol = raw_object.find('\n', pos);
    std::string_view line =
        raw_object.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    if (line.empty())
      break;
    if (line.starts_with("encoding "))
      return std::string(until_nul(line.substr(9)));
    if (eol == std::string_view::npos)
      break;
    pos = eol + 1;
  }
  return {};
}

std::vector<std::string> decoded_messages(std::string_view raw_object, std::string_view encoding) {
  std::vector<std::string> out;
  if (is_utf8_encoding(encoding))
    return out;
  Converter converter{std::string(until_nul(encoding))};
  if (!converter.ok())
    return out;  // git shows the raw bytes
  const std::string_view raw_message = message_of_buffer(raw_object);
  const std::string_view stored = until_nul(raw_message);
  auto add = [&](std::string_view reading) {
    if (reading == stored || std::find(out.begin(), out.end(), reading) != out.end())
      return;
    out.emplace_back(reading);
  };
  std::string converted;
  if (converter.convert(until_nul(raw_object), converted))
    add(until_nul(message_of_buffer(converted)));
  if (converter.convert(raw_message, converted))
    add(until_nul(converted));
  return out;
}

namespace {

// git's isspace (git-compat-util.h sane_ctype): space, tab, newline, carriage return.
bool git_isspace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
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

// libgit2's git_signature__parse: the last '<' and the last '>' of the line, name and email
// trimmed, each cut at a NUL byte (libgit2 hands them out as C strings). False when libgit2
// rejects the line.
bool libgit2_ident(std::string_view line, std::string& name, std::string& email) {
  const std::size_t lt = line.rfind('<'), gt = line.rfind('>');
  if (lt == std::string_view::npos || gt == std::string_view::npos || gt <= lt)
    return false;
  name = std::string(until_nul(crud_trimmed(line.substr(0, lt))));
  email = std::string(until_nul(crud_trimmed(line.substr(lt + 1, gt - lt - 1))));
  return true;
}

// `text` quoted for a message: printable ASCII as is, '"' and '\' escaped, other bytes as
// \xNN, at most 80 bytes.
std::string quoted(std::string_view text) {
  return "\"" + util::escape_to_ascii(text, 80) + "\"";
}

// A "tree " or "parent " line: the header, 40 hex digits (either case, as git's
// parse_oid_hex and libgit2 take them) and nothing else.
bool is_id_line(std::string_view line, std::string_view header) {
  return line.starts_with(header) && util::is_sha1_object_id_any_case(line.substr(header.size()));
}

}  // namespace

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
    const bool libgit2 = libgit2_ident(value, name, email);
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

}  // namespace trailgate
