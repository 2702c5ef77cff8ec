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

}  // namespace trailgate
