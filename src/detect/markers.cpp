#include "detect/markers.h"

#include <re2/re2.h>

#include <cstdint>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace trailgate::detect {
namespace {

// Evidence is shown to people in rejections and reports; a 10 MB line is not evidence.
constexpr std::size_t kEvidenceBytes = 200;
// How much of the line before a body match an excerpt keeps, when the line is too long.
constexpr std::size_t kEvidenceLead = 40;
// RE2's own default, stated so that a policy cannot make one pattern grow without bound; the
// DFA cache fills lazily, so the catalogue's simple patterns use a small fraction of it.
constexpr std::int64_t kMaxMemPerPattern = 8 << 20;

bool is_ascii_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Git accepts only ASCII letters, digits and '-' in a trailer token; any other key could never
// match, which in a policy is a mistake worth reporting rather than a marker that stays silent.
bool is_trailer_token(std::string_view key) {
  if (key.empty())
    return false;
  for (char c : key) {
    if (!is_ascii_alnum(c) && c != '-')
      return false;
  }
  return true;
}

// Returns the length of the well-formed UTF-8 sequence at s[i], or 0 when there is none
// (stray continuation byte, overlong form, surrogate, beyond U+10FFFF, or cut short).
std::size_t utf8_length_at(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b0 = byte(i);
  if (b0 < 0x80)
    return 1;
  std::size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    if (b0 == 0xE0)
      lo = 0xA0;
    if (b0 == 0xED)
      hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    if (b0 == 0xF0)
      lo = 0x90;
    if (b0 == 0xF4)
      hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size())
    return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi)
    return 0;
  for (std::size_t k = 2; k < n; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF)
      return 0;
  }
  return n;
}

bool is_continuation_byte(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

void append_hex_escape(std::string& out, unsigned char b) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += "\\x";
  out += kHex[b >> 4];
  out += kHex[b & 0xF];
}

// Quotes an excerpt of `text` around byte `focus`: at most ~kEvidenceBytes, never cut inside a
// UTF-8 sequence, "..." where text was left out. The result is valid UTF-8 whatever the input,
// and control bytes, '"' and '\' are escaped, so evidence can go to a terminal or into JSON
// as it is.
std::string quote_excerpt(std::string_view text, std::size_t focus = 0) {
  std::size_t start = 0;
  if (text.size() > kEvidenceBytes && focus > kEvidenceLead) {
    start = focus - kEvidenceLead;
    while (start < focus && is_continuation_byte(text[start]))
      ++start;
  }
  std::string out = "\"";
  if (start > 0)
    out += "...";
  std::size_t i = start;
  std::size_t written = 0;
  while (i < text.size()) {
    std::string piece;
    std::size_t consumed = 1;
    auto b = static_cast<unsigned char>(text[i]);
    if (b == '"' || b == '\\') {
      piece = {'\\', static_cast<char>(b)};
    } else if (b < 0x20 || b == 0x7F) {
      append_hex_escape(piece, b);
    } else if (std::size_t n = utf8_length_at(text, i); n > 0) {
      piece.assign(text.substr(i, n));
      consumed = n;
    } else {
      append_hex_escape(piece, b);
    }
    if (written + piece.size() > kEvidenceBytes)
      break;
    out += piece;
    written += piece.size();
    i += consumed;
  }
  if (i < text.size())
    out += "...";
  out += '"';
  return out;
}

// The line of `message` that contains byte `pos`, without its line ending.
std::string_view line_at(std::string_view message, std::size_t pos, std::size_t& pos_in_line) {
  std::size_t begin = 0;
  if (pos > 0) {
    std::size_t newline = message.rfind('\n', pos - 1);
    if (newline != std::string_view::npos)
      begin = newline + 1;
  }
  std::size_t end = message.find('\n', pos);
  if (end == std::string_view::npos)
    end = message.size();
  std::string_view line = message.substr(begin, end - begin);
  if (!line.empty() && line.back() == '\r')
    line.remove_suffix(1);
  pos_in_line = pos - begin;
  return line;
}

bool matches(const RE2& re, std::string_view text) {
  return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), re);
}

}  // namespace

struct MarkerSet::Compiled {
  std::vector<MarkerSpec> specs;
  // Parallel to specs; nullptr for a trailer marker with an empty pattern (any value).
  std::vector<std::unique_ptr<RE2>> patterns;
};

MarkerSet::MarkerSet(std::vector<MarkerSpec> specs) : compiled_(std::make_unique<Compiled>()) {
  RE2::Options options;
  options.set_log_errors(false);  // a bad policy pattern is reported by the exception below
  options.set_max_mem(kMaxMemPerPattern);

  for (std::size_t i = 0; i < specs.size(); ++i) {
    const MarkerSpec& spec = specs[i];
    auto fail = [&](const std::string& why) {
      throw std::invalid_argument("marker " + spec.id + ": " + why);
    };
    if (spec.id.empty()) {
      throw std::invalid_argument("marker #" + std::to_string(i + 1) + ": the id is empty");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (specs[j].id == spec.id)
        fail("the id is already used by an earlier marker (built-in ids come first)");
    }
    if (spec.source == MarkerSource::trailer && !is_trailer_token(spec.trailer_key)) {
      fail("trailer key \"" + spec.trailer_key +
           "\" is not a trailer token (ASCII letters, digits and '-')");
    }
    if (spec.pattern.empty()) {
      // An empty identity or body pattern would mark every commit, which is what a missing
      // pattern in a policy file looks like, not an intent.
      if (spec.source != MarkerSource::trailer)
        fail("the pattern is empty");
      compiled_->patterns.push_back(nullptr);
      continue;
    }
    auto re = std::make_unique<RE2>(spec.pattern, options);
    if (!re->ok())
      fail(re->error());
    compiled_->patterns.push_back(std::move(re));
  }
  compiled_->specs = std::move(specs);
}

MarkerSet::~MarkerSet() = default;
MarkerSet::MarkerSet(MarkerSet&&) noexcept = default;
MarkerSet& MarkerSet::operator=(MarkerSet&&) noexcept = default;

const std::vector<MarkerSpec>& MarkerSet::specs() const {
  return compiled_->specs;
}

namespace {

// The evidence of `spec` in one reading of the message (and the commit's identities), or ""
// when it does not match there.
std::string find_evidence(const MarkerSpec& spec, const RE2* re, const CommitInfo& commit,
                          std::string_view message,
                          const std::vector<trailers::Trailer>& trailers) {
  switch (spec.source) {
    case MarkerSource::trailer:
      for (const trailers::Trailer& t : trailers) {
        if (!trailers::key_equals(t.key, spec.trailer_key))
          continue;
        if (re != nullptr && !matches(*re, t.value))
          continue;
        // Only the start is ever shown, so a huge value is not copied whole; what is kept is
        // still longer than the excerpt, so the excerpt marks the cut.
        std::string shown = t.key + ": ";
        shown.append(t.value, 0, kEvidenceBytes * 2);
        return "trailer " + quote_excerpt(shown);
      }
      return {};

    case MarkerSource::identity: {
      struct Field {
        const char* label;
        const std::string& text;
        IdentityField kind;
      };
      // The author is checked first: it is who wrote the change. An agent that only
      // committed still marks the commit.
      const Field fields[] = {
          {"author name", commit.author.name, IdentityField::name},
          {"author email", commit.author.email, IdentityField::email},
          {"committer name", commit.committer.name, IdentityField::name},
          {"committer email", commit.committer.email, IdentityField::email},
      };
      for (const Field& f : fields) {
        if (spec.identity_field != IdentityField::either && spec.identity_field != f.kind) {
          continue;
        }
        if (re != nullptr && matches(*re, f.text))
          return std::string(f.label) + " " + quote_excerpt(f.text);
      }
      return {};
    }

    case MarkerSource::body: {
      re2::StringPiece match;
      if (re != nullptr && re->Match(re2::StringPiece(message.data(), message.size()), 0,
                                     message.size(), RE2::UNANCHORED, &match, 1)) {
        std::size_t pos = static_cast<std::size_t>(match.data() - message.data());
        std::size_t pos_in_line = 0;
        std::string_view line = line_at(message, pos, pos_in_line);
        return "body line " + quote_excerpt(line, pos_in_line);
      }
      return {};
    }
  }
  return {};
}

}  // namespace

std::vector<Detection> MarkerSet::detect(const CommitInfo& commit,
                                         const std::vector<trailers::Trailer>& trailers) const {
  // A message in a foreign encoding is also read decoded (as git log shows it): a marker in
  // any reading counts, so re-encoding cannot hide one.
  std::vector<std::vector<trailers::Trailer>> decoded_trailers;
  for (const std::string& reading : commit.decoded_messages)
    decoded_trailers.push_back(trailers::parse(reading).trailers);

  std::vector<Detection> found;
  for (std::size_t i = 0; i < compiled_->specs.size(); ++i) {
    const MarkerSpec& spec = compiled_->specs[i];
    const RE2* re = compiled_->patterns[i].get();
    std::string evidence = find_evidence(spec, re, commit, commit.message, trailers);
    if (spec.source != MarkerSource::identity) {
      for (std::size_t r = 0; evidence.empty() && r < commit.decoded_messages.size(); ++r) {
        evidence = find_evidence(spec, re, commit, commit.decoded_messages[r], decoded_trailers[r]);
        if (!evidence.empty())
          evidence += " (in the message decoded from " + quote_excerpt(commit.encoding) + ")";
      }
    }
    if (!evidence.empty())
      found.push_back({spec.id, spec.tool, std::move(evidence)});
  }
  return found;
}

}  // namespace trailgate::detect
