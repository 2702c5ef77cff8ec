#include "detect/markers.h"

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "util/ascii.h"
#include "util/escape.h"
#include "util/utf8.h"

namespace trailgate::detect {
namespace {

// Evidence is shown to people in rejections and reports; a 10 MB line is not evidence.
constexpr std::size_t kEvidenceBytes = 200;
// How much of the line before a body match an excerpt keeps, when the line is too long.
constexpr std::size_t kEvidenceLead = 40;
// What a disclosure may name: longer names and more tools are not the kernel's form (and would
// only grow every report that lists them).
constexpr std::size_t kMaxDisclosedName = 128;
constexpr std::size_t kMaxDisclosedTools = 16;
// RE2's own default, stated so that a policy cannot make one pattern grow without bound; the
// DFA cache fills lazily, so the catalogue's simple patterns use a small fraction of it.
constexpr std::int64_t kMaxMemPerPattern = 8 << 20;

// Git accepts only ASCII letters, digits and '-' in a trailer token; any other key could never
// match, which in a policy is a mistake worth reporting rather than a marker that stays silent.
bool is_trailer_token(std::string_view key) {
  if (key.empty())
    return false;
  for (char c : key) {
    if (!util::is_ascii_alnum(c) && c != '-')
      return false;
  }
  return true;
}

// Quotes an excerpt of `text` around byte `focus`: at most ~kEvidenceBytes, never cut inside a
// UTF-8 sequence, "..." where text was left out. The result is valid UTF-8 whatever the input,
// and control bytes, '"' and '\' are escaped, so evidence can go to a terminal or into JSON
// as it is.
std::string quote_excerpt(std::string_view text, std::size_t focus = 0) {
  std::size_t start = 0;
  if (text.size() > kEvidenceBytes && focus > kEvidenceLead) {
    start = focus - kEvidenceLead;
    while (start < focus && util::is_utf8_continuation(static_cast<unsigned char>(text[start])))
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
      util::append_hex_escape(piece, b);
    } else if (std::size_t n = util::utf8_sequence_length(text, i); n > 0) {
      piece.assign(text.substr(i, n));
      consumed = n;
    } else {
      util::append_hex_escape(piece, b);
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

// Where one trailer-shaped line sits: [begin, separator) is the key, (separator, first_end)
// the value on the key's line, (separator, end) the value with its continuation lines. Ends
// exclude the final newline.
struct LineSpan {
  std::size_t begin = 0;
  std::size_t separator = 0;
  std::size_t first_end = 0;
  std::size_t end = 0;
};

std::string_view span_key(std::string_view message, const LineSpan& l) {
  return trailers::trim(message.substr(l.begin, l.separator - l.begin));
}
std::string_view span_first_line(std::string_view message, const LineSpan& l) {
  return trailers::trim(message.substr(l.separator + 1, l.first_end - l.separator - 1));
}
std::string span_value(std::string_view message, const LineSpan& l) {
  if (l.end == l.first_end)
    return std::string(span_first_line(message, l));
  return trailers::unfold_value(message.substr(l.separator + 1, l.end - l.separator - 1));
}

// The trailer-shaped lines of `message` whose key is one of `keys` (all of them when `keys` is
// null). One pass over the message; each byte is looked at a bounded number of times.
std::vector<LineSpan> shaped_line_spans(std::string_view message,
                                        const std::vector<std::string>* keys) {
  std::vector<LineSpan> out;
  auto line_end_at = [&](std::size_t pos) {
    std::size_t nl = message.find('\n', pos);
    return nl == std::string_view::npos ? message.size() : nl;
  };
  std::size_t pos = 0;
  while (pos < message.size()) {
    std::size_t end = line_end_at(pos);
    std::size_t next = end < message.size() ? end + 1 : end;
    const std::ptrdiff_t sep = trailers::find_separator(message.substr(pos, end - pos));
    if (sep < 1) {  // not "<token>:", or no token before the ':'
      pos = next;
      continue;
    }
    LineSpan span{pos, pos + static_cast<std::size_t>(sep), end, end};
    // Continuation lines: not blank, starting with a space or a tab.
    while (next < message.size() && (message[next] == ' ' || message[next] == '\t')) {
      std::size_t cont_end = line_end_at(next);
      if (trailers::trim(message.substr(next, cont_end - next)).empty())
        break;
      span.end = cont_end;
      next = cont_end < message.size() ? cont_end + 1 : cont_end;
    }
    bool wanted = keys == nullptr;
    if (!wanted) {
      std::string_view key = span_key(message, span);
      for (const std::string& k : *keys) {
        if (trailers::key_equals(key, k)) {
          wanted = true;
          break;
        }
      }
    }
    if (wanted)
      out.push_back(span);
    pos = next;
  }
  return out;
}

// The words and names that make a value name an AI tool, model or vendor. Three kinds, so
// that short words do not match inside ordinary names: names matched anywhere (distinctive
// strings, also inside "claude-wrapper.sh" or "jane@openai.com"); "llm" at the start of a word
// ("llmgen"); short words matched whole (letters may not touch them, digits may follow:
// "gpt4", "o3").
const RE2& tool_words() {
  static const RE2 re(
      "(?i)(?:"
      "anthropic|claude|openai|gpt|copilot|gemini|llama|mistral|mixtral|codestral|deepseek|"
      "qwen|codex|codeium|tabnine|windsurf|opencode|openhands|all-hands|ampcode|roocode|"
      "roomote|cursor|aider|perplexity|chatbot"
      "|(?:^|[^\\pL])llm"
      "|(?:^|[^\\pL\\pN])(?:ai|bots?|agents?|assistants?|amp|cline|kiro|junie|devin|jules|"
      "grok|sonnet|opus|haiku|droid|o[1-9]|amazon\\s+q)(?:$|[^\\pL])"
      ")");
  return re;
}

// One person: "Name <local@domain>", the name only letters, marks, spaces and . ' ’ , -.
const RE2& person_value() {
  static const RE2 re("^[\\pL\\pM][\\pL\\pM .'\u2019,-]* ?<[^\\s<>@]+@[^\\s<>@]+>$");
  return re;
}

// An address that no person reads: noreply@..., no-reply@... (GitHub's
// "<id>+<login>@users.noreply.github.com" is a person's, so only the local part counts).
const RE2& noreply_address() {
  static const RE2 re("(?i)<no-?reply@");
  return re;
}

// One path: no blanks, no ':' (so no URL scheme), at least one letter.
const RE2& path_value() {
  static const RE2 re("^[A-Za-z0-9_.+~/-]*[A-Za-z][A-Za-z0-9_.+~/-]*$");
  return re;
}

const RE2& script_extension() {
  static const RE2 re(
      "(?i)\\.(?:sh|bash|zsh|ksh|fish|py|pl|pm|rb|js|mjs|cjs|ts|php|lua|tcl|ps1|psm1|bat|cmd|"
      "awk|sed|r|mk|make|go|swift|kts|groovy)$");
  return re;
}

}  // namespace

std::vector<TrailerShapedLine> trailer_shaped_lines(std::string_view message) {
  std::vector<TrailerShapedLine> out;
  for (const LineSpan& l : shaped_line_spans(message, nullptr)) {
    out.push_back({l.begin, std::string(span_key(message, l)), span_value(message, l),
                   std::string(span_first_line(message, l))});
  }
  return out;
}

bool names_ai_tool(std::string_view text) {
  return matches(tool_words(), text);
}

bool is_human_value(std::string_view value) {
  value = trailers::trim(value);
  if (value.empty() || names_ai_tool(value))
    return false;
  if (matches(person_value(), value))
    return !matches(noreply_address(), value);
  return matches(path_value(), value) &&
         (value.find('/') != std::string_view::npos || matches(script_extension(), value));
}

namespace {

bool is_blank_byte(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// Letters, digits and the bytes of `extra`, starting with a letter or a digit; not empty.
bool is_word_of(std::string_view word, std::string_view extra) {
  if (word.empty() || !util::is_ascii_alnum(word.front()))
    return false;
  return std::all_of(word.begin(), word.end(), [&](char c) {
    return util::is_ascii_alnum(c) || extra.find(c) != std::string_view::npos;
  });
}

}  // namespace

std::optional<KernelDisclosure> parse_kernel_disclosure(std::string_view value) {
  // The next blank-separated word from `pos` on, or "" at the end; one pass over the value.
  std::size_t pos = 0;
  auto next_word = [&]() -> std::string_view {
    while (pos < value.size() && is_blank_byte(value[pos]))
      ++pos;
    const std::size_t begin = pos;
    while (pos < value.size() && !is_blank_byte(value[pos]))
      ++pos;
    return value.substr(begin, pos - begin);
  };

  const std::string_view first = next_word();
  const std::size_t colon = first.find(':');
  if (colon == std::string_view::npos)
    return std::nullopt;
  const std::string_view agent = first.substr(0, colon);
  const std::string_view model = first.substr(colon + 1);
  if (agent.size() > kMaxDisclosedName || model.size() > kMaxDisclosedName ||
      !is_word_of(agent, "._+-") || !is_word_of(model, "._+-/:@")) {
    return std::nullopt;
  }
  KernelDisclosure out;
  out.agent = agent;
  out.model = model;
  for (std::string_view tool = next_word(); !tool.empty(); tool = next_word()) {
    if (tool.size() >= 2 && tool.front() == '[' && tool.back() == ']')
      tool = tool.substr(1, tool.size() - 2);
    if (out.tools.size() == kMaxDisclosedTools || tool.size() > kMaxDisclosedName ||
        !is_word_of(tool, "._+-/")) {
      return std::nullopt;
    }
    out.tools.emplace_back(tool);
  }
  return out;
}

namespace {

// A marker's pattern, compiled on first use. A push judges a few commits, whose fields and
// trailer keys need few of the catalogue's patterns; compiling all of them is a good part of the
// hook's start-up. Thread-safe: the audit's workers share one MarkerSet.
class LazyPattern {
 public:
  // `compiled`, when given, is `pattern` already compiled with `options`.
  LazyPattern(std::string pattern, const RE2::Options& options,
              std::unique_ptr<RE2> compiled = nullptr)
      : pattern_(std::move(pattern)), options_(options) {
    if (compiled)
      std::call_once(once_, [&] { re_ = std::move(compiled); });
  }

  // The compiled pattern; the first call compiles it. Throws std::logic_error when it does not
  // compile, which the MarkerSet constructor rules out (it compiles every pattern that is not
  // the built-in catalogue's own, and tests compile the catalogue's).
  const RE2& get() const {
    std::call_once(once_, [this] {
      auto re = std::make_unique<RE2>(pattern_, options_);
      if (!re->ok())
        throw std::logic_error("marker pattern \"" + pattern_ +
                               "\" does not compile: " + re->error());
      re_ = std::move(re);
    });
    return *re_;
  }

 private:
  std::string pattern_;
  RE2::Options options_;
  mutable std::once_flag once_;
  mutable std::unique_ptr<RE2> re_;
};

// True when `spec` is the built-in catalogue's marker of its id, patterns unchanged: tests
// compile those, so the MarkerSet may leave them to their first use.
bool is_builtin_as_shipped(const MarkerSpec& spec) {
  for (const MarkerSpec& builtin : builtin_catalogue()) {
    if (builtin.id == spec.id)
      return builtin.pattern == spec.pattern && builtin.model_pattern == spec.model_pattern;
  }
  return false;
}

}  // namespace

namespace {

// One RE2::Set over the patterns of the identity markers, or of the body markers: one pass over
// a text says which of them match it anywhere (as PartialMatch does), so that only those are
// matched again alone, for where they match. Built on first use. When RE2 cannot build it or
// run it (memory), it says nothing, and every pattern is matched alone as without it.
class PatternSet {
 public:
  static constexpr std::int64_t kMaxMem = 64 << 20;

  void add(std::size_t spec, const std::string& pattern) { members_.emplace_back(spec, pattern); }

  // Sets hits[spec] to 1 or 0 for every member: whether its pattern matches `text`. Returns
  // false, leaving `hits` alone, when the set could not decide.
  bool match(std::string_view text, std::vector<signed char>& hits) const {
    std::call_once(once_, [this] { build(); });
    if (!set_)
      return false;
    std::vector<int> matched;
    RE2::Set::ErrorInfo error{RE2::Set::kNoError};
    if (!set_->Match(re2::StringPiece(text.data(), text.size()), &matched, &error) &&
        error.kind != RE2::Set::kNoError)
      return false;
    for (const auto& member : members_)
      hits[member.first] = 0;
    for (int m : matched)
      hits[members_[static_cast<std::size_t>(m)].first] = 1;
    return true;
  }

 private:
  void build() const {
    if (members_.empty())
      return;
    RE2::Options options;
    options.set_log_errors(false);
    options.set_max_mem(kMaxMem);
    auto set = std::make_unique<RE2::Set>(options, RE2::UNANCHORED);
    for (const auto& member : members_)
      if (set->Add(member.second, nullptr) < 0)
        return;  // cannot happen for patterns that compile alone; matched alone then
    if (set->Compile())
      set_ = std::move(set);
  }

  std::vector<std::pair<std::size_t, std::string>> members_;  // (spec index, pattern)
  mutable std::once_flag once_;
  mutable std::unique_ptr<RE2::Set> set_;
};

// What the sets said for one commit, by spec index: 1 matches, 0 does not, -1 not asked. The
// four identity fields in find_match's order, and the raw message for body markers.
struct Hints {
  std::vector<signed char> identity[4];
  std::vector<signed char> body;
};

}  // namespace

struct MarkerSet::Compiled {
  std::vector<MarkerSpec> specs;
  // Parallel to specs; nullptr for a trailer marker with an empty pattern (any value).
  std::vector<std::unique_ptr<LazyPattern>> patterns;
  // Parallel to specs; nullptr when the spec has no model_pattern.
  std::vector<std::unique_ptr<LazyPattern>> model_patterns;
  PatternSet identity_set, body_set;  // prefilters over the identity and body patterns
  // The keys of the trailer markers, each once (ASCII case ignored): only trailer-shaped lines
  // with one of them are kept.
  std::vector<std::string> trailer_keys;
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
    // A policy's own pattern is compiled here, so that a bad one is a policy error at load;
    // the catalogue's are compiled when first used.
    const bool compile_now = !is_builtin_as_shipped(spec);
    if (spec.model_pattern.empty()) {
      compiled_->model_patterns.push_back(nullptr);
    } else {
      std::unique_ptr<RE2> model_re;
      if (compile_now) {
        model_re = std::make_unique<RE2>(spec.model_pattern, options);
        if (!model_re->ok())
          fail("model pattern: " + model_re->error());
        if (model_re->NumberOfCapturingGroups() < 1)
          fail("model pattern: it has no capturing group for the model");
      }
      compiled_->model_patterns.push_back(
          std::make_unique<LazyPattern>(spec.model_pattern, options, std::move(model_re)));
    }
    if (spec.pattern.empty()) {
      // An empty identity or body pattern would mark every commit, which is what a missing
      // pattern in a policy file looks like, not an intent.
      if (spec.source != MarkerSource::trailer)
        fail("the pattern is empty");
      compiled_->patterns.push_back(nullptr);
      continue;
    }
    std::unique_ptr<RE2> re;
    if (compile_now) {
      re = std::make_unique<RE2>(spec.pattern, options);
      if (!re->ok())
        fail(re->error());
    }
    compiled_->patterns.push_back(
        std::make_unique<LazyPattern>(spec.pattern, options, std::move(re)));
    if (spec.source == MarkerSource::identity)
      compiled_->identity_set.add(i, spec.pattern);
    else if (spec.source == MarkerSource::body)
      compiled_->body_set.add(i, spec.pattern);
  }
  for (const MarkerSpec& spec : specs) {
    std::vector<std::string>& keys = compiled_->trailer_keys;
    if (spec.source == MarkerSource::trailer &&
        std::none_of(keys.begin(), keys.end(), [&](const std::string& k) {
          return trailers::key_equals(k, spec.trailer_key);
        }))
      keys.push_back(spec.trailer_key);
  }
  compiled_->specs = std::move(specs);
}

MarkerSet::~MarkerSet() = default;
MarkerSet::MarkerSet(MarkerSet&&) noexcept = default;
MarkerSet& MarkerSet::operator=(MarkerSet&&) noexcept = default;

const std::vector<MarkerSpec>& MarkerSet::specs() const {
  return compiled_->specs;
}

void MarkerSet::compile_all() const {
  for (std::size_t i = 0; i < compiled_->specs.size(); ++i) {
    if (compiled_->patterns[i])
      compiled_->patterns[i]->get();
    if (compiled_->model_patterns[i] &&
        compiled_->model_patterns[i]->get().NumberOfCapturingGroups() < 1)
      throw std::logic_error("marker " + compiled_->specs[i].id +
                             ": model pattern: it has no capturing group for the model");
  }
}

namespace {

// One way the message reads (raw, or decoded from its encoding), with what detection needs
// from it, computed once for all markers.
struct Reading {
  std::string_view message;
  const std::vector<trailers::Trailer>* trailers = nullptr;  // git's block, as parsed
  std::size_t block_start = 0;  // git's trailer block in `message`: [block_start, block_end)
  std::size_t block_end = 0;
  bool block_is_gits = false;   // `trailers` is exactly git's block of `message`
  std::vector<LineSpan> lines;  // trailer-shaped lines whose key a trailer marker names
};

// Does a trailer value count for `spec`?
bool value_counts(const MarkerSpec& spec, const LazyPattern* re, std::string_view value) {
  if (re != nullptr && !matches(re->get(), value))
    return false;
  return !(spec.human_values_exempt && is_human_value(value));
}

std::string trailer_excerpt(std::string_view key, std::string_view value) {
  // Only the start is ever shown, so a huge value is not copied whole; what is kept is still
  // longer than the excerpt, so the excerpt marks the cut.
  std::string shown(key);
  shown += ": ";
  shown.append(value.substr(0, kEvidenceBytes * 2));
  return quote_excerpt(shown);
}

// Where a marker matched: the evidence for people, and the text it matched (a trailer's
// value, an identity field, a body line) for what the marker names.
struct Match {
  std::string evidence;  // empty: no match
  std::string text;
};

// The match of `spec` in one reading of the message (and the commit's identities); its
// evidence is "" when it does not match there.
Match find_match(const MarkerSpec& spec, std::size_t index, const LazyPattern* re,
                 const CommitInfo& commit, const Reading& reading, const Hints* hints) {
  switch (spec.source) {
    case MarkerSource::trailer:
      for (const trailers::Trailer& t : *reading.trailers) {
        if (trailers::key_equals(t.key, spec.trailer_key) && value_counts(spec, re, t.value))
          return {"trailer " + trailer_excerpt(t.key, t.value), t.value};
      }
      // Detection is liberal: a trailer-shaped line anywhere marks the commit, so a paragraph
      // typed after the trailer block cannot hide a marker from trailgate.
      for (const LineSpan& l : reading.lines) {
        std::string_view key = span_key(reading.message, l);
        if (!trailers::key_equals(key, spec.trailer_key))
          continue;
        const bool in_block = l.begin >= reading.block_start && l.begin < reading.block_end;
        const bool folded = l.end != l.first_end;
        // One line of git's own block has been judged above, as git shows it.
        if (in_block && !folded && reading.block_is_gits)
          continue;
        // The pattern may match the unfolded value or the key's line alone (a fold cannot hide
        // a marker); whether the value is a human one is judged on the whole value.
        std::string unfolded;
        std::string_view value = span_first_line(reading.message, l);
        if (folded) {
          unfolded = span_value(reading.message, l);
          value = unfolded;
        }
        std::string_view shown = value;
        if (re != nullptr && !matches(re->get(), value)) {
          shown = span_first_line(reading.message, l);
          if (!folded || !matches(re->get(), shown))
            continue;
        }
        if (spec.human_values_exempt && is_human_value(value))
          continue;
        return {"line " + trailer_excerpt(key, shown) +
                    (in_block ? "" : " (a trailer outside git's trailer block)"),
                std::string(shown)};
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
      for (std::size_t k = 0; k < 4; ++k) {
        const Field& f = fields[k];
        if (spec.identity_field != IdentityField::either && spec.identity_field != f.kind) {
          continue;
        }
        const signed char known = hints ? hints->identity[k][index] : -1;
        if (re != nullptr && (known >= 0 ? known == 1 : matches(re->get(), f.text)))
          return {std::string(f.label) + " " + quote_excerpt(f.text), f.text};
      }
      return {};
    }

    case MarkerSource::body: {
      const std::string_view message = reading.message;
      if (hints && hints->body[index] == 0)
        return {};
      re2::StringPiece match;
      if (re != nullptr && re->get().Match(re2::StringPiece(message.data(), message.size()), 0,
                                           message.size(), RE2::UNANCHORED, &match, 1)) {
        std::size_t pos = static_cast<std::size_t>(match.data() - message.data());
        std::size_t pos_in_line = 0;
        std::string_view line = line_at(message, pos, pos_in_line);
        return {"body line " + quote_excerpt(line, pos_in_line), std::string(line)};
      }
      return {};
    }
  }
  return {};
}

// Fills what the matched text names: a kernel-form disclosure's agent, model and tools, or
// the model a model_pattern finds. The model is text from the commit, so it is kept only when
// it is well-formed UTF-8, has no control bytes (it goes to terminals and reports as it is) and
// is at most kMaxDisclosedName bytes long.
void name_what_it_says(const MarkerSpec& spec, const LazyPattern* model_re, std::string_view text,
                       Detection& d) {
  if (spec.kernel_disclosure) {
    if (std::optional<KernelDisclosure> k = parse_kernel_disclosure(text)) {
      d.agent = std::move(k->agent);
      d.model = std::move(k->model);
      d.tools = std::move(k->tools);
      return;
    }
  }
  if (model_re == nullptr)
    return;
  re2::StringPiece model;
  if (!RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), model_re->get(), &model))
    return;
  std::string_view trimmed = trailers::trim(std::string_view(model.data(), model.size()));
  if (trimmed.empty() || trimmed.size() > kMaxDisclosedName || !util::is_valid_utf8(trimmed))
    return;
  if (std::any_of(trimmed.begin(), trimmed.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; }))
    return;
  d.model = std::string(trimmed);
}

}  // namespace

std::vector<Detection> MarkerSet::detect(const CommitInfo& commit,
                                         const std::vector<trailers::Trailer>& trailers) const {
  trailers::TrailerBlock block = trailers::parse(commit.message);
  const bool block_is_gits = trailers.size() == block.trailers.size() &&
                             std::equal(trailers.begin(), trailers.end(), block.trailers.begin(),
                                        [](const trailers::Trailer& a, const trailers::Trailer& b) {
                                          return a.key == b.key && a.value == b.value;
                                        });
  block.trailers = trailers;
  return detect_in(commit, block, block_is_gits);
}

std::vector<Detection> MarkerSet::detect_parsed(const CommitInfo& commit,
                                                const trailers::TrailerBlock& block) const {
  return detect_in(commit, block, true);
}

std::vector<Detection> MarkerSet::detect_in(const CommitInfo& commit,
                                            const trailers::TrailerBlock& block,
                                            bool block_is_gits) const {
  const std::vector<trailers::Trailer>& trailers = block.trailers;
  const std::vector<std::string>& keys = compiled_->trailer_keys;

  // A message in a foreign encoding is also read decoded (as git log shows it): a marker in
  // any reading counts, so re-encoding cannot hide one.
  std::vector<std::vector<trailers::Trailer>> decoded_trailers(commit.decoded_messages.size());
  std::vector<Reading> readings;
  for (std::size_t r = 0; r <= commit.decoded_messages.size(); ++r) {
    Reading reading;
    if (r == 0) {
      reading.message = commit.message;
      reading.block_start = block.start;
      reading.block_end = block.end;
      reading.trailers = &trailers;
      reading.block_is_gits = block_is_gits;
    } else {
      reading.message = commit.decoded_messages[r - 1];
      trailers::TrailerBlock decoded = trailers::parse(reading.message);
      reading.block_start = decoded.start;
      reading.block_end = decoded.end;
      reading.block_is_gits = true;
      decoded_trailers[r - 1] = std::move(decoded.trailers);
      reading.trailers = &decoded_trailers[r - 1];
    }
    if (!keys.empty())
      reading.lines = shaped_line_spans(reading.message, &keys);
    readings.push_back(std::move(reading));
  }

  // One pass of each prefilter per text; a -1 left anywhere means "match that pattern alone".
  const std::size_t n = compiled_->specs.size();
  Hints hints;
  const std::string* identity_texts[4] = {&commit.author.name, &commit.author.email,
                                          &commit.committer.name, &commit.committer.email};
  for (std::size_t k = 0; k < 4; ++k) {
    hints.identity[k].assign(n, -1);
    compiled_->identity_set.match(*identity_texts[k], hints.identity[k]);
  }
  hints.body.assign(n, -1);
  compiled_->body_set.match(readings[0].message, hints.body);

  std::vector<Detection> found;
  for (std::size_t i = 0; i < n; ++i) {
    const MarkerSpec& spec = compiled_->specs[i];
    const LazyPattern* re = compiled_->patterns[i].get();
    Match match = find_match(spec, i, re, commit, readings[0], &hints);
    if (spec.source != MarkerSource::identity) {
      for (std::size_t r = 1; match.evidence.empty() && r < readings.size(); ++r) {
        match = find_match(spec, i, re, commit, readings[r], nullptr);
        if (!match.evidence.empty())
          match.evidence += " (in the message decoded from " + quote_excerpt(commit.encoding) + ")";
      }
    }
    if (!match.evidence.empty()) {
      Detection d;
      d.marker_id = spec.id;
      d.tool = spec.tool;
      d.marker_class = spec.marker_class;
      d.evidence = std::move(match.evidence);
      const LazyPattern* model_re = compiled_->model_patterns[i].get();
      name_what_it_says(spec, model_re, match.text, d);
      // The first matching trailer may name no model where a later one does ("Claude" and
      // "Claude Opus 4.5" as co-authors): the model is the first any matching trailer names.
      if (d.model.empty() && (model_re || spec.kernel_disclosure) &&
          spec.source == MarkerSource::trailer) {
        for (const trailers::Trailer& t : trailers) {
          if (!d.model.empty())
            break;
          if (trailers::key_equals(t.key, spec.trailer_key) &&
              (re == nullptr || RE2::PartialMatch(t.value, re->get())))
            name_what_it_says(spec, model_re, t.value, d);
        }
      }
      found.push_back(std::move(d));
    }
  }
  return found;
}

}  // namespace trailgate::detect
