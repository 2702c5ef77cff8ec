// trailers::parse against the real git: every generated message is committed verbatim into a
// scratch repository with `git fast-import`, one `git log --format=%(trailers:only,unfold)`
// prints what git finds, and trailgate must print the same bytes for every message.
//
// The messages are the corner cases of technical-notes §1.5 and of the unit test, plus a few
// thousand random ones from a fixed-seed generator that mixes trailers, odd tokens,
// continuations, comments, dividers, scissors lines, Conflicts: blocks, the 25% rule,
// CRLF, non-UTF-8 bytes, NUL bytes and missing final newlines.
#include <catch2/catch.hpp>
#include <cstdint>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "support/temp_repo.h"
#include "trailers/trailers.h"

namespace {

using namespace std::string_literals;
using trailgate::testing::run_ok;
using trailgate::testing::TempDir;

// --- the fixed corner cases -------------------------------------------------------------------

std::vector<std::string> corner_cases() {
  const std::string cut = "# ------------------------ >8 ------------------------";
  const std::string b = "Subject\n\nBody\n\n";
  return {
      // technical-notes §1.5, cases 1-37
      "Co-authored-by: A <a@x>\n",
      "Subject\n\nCo-authored-by: A <a@x>\n",
      "Subject\n\nSome text\nCo-authored-by: A <a@x>\n",
      "Subject\n\nline1\nline2\nline3\nSigned-off-by: S <s@x>\n",
      "Subject\n\nline1\nline2\nline3\nline4\nSigned-off-by: S <s@x>\n",
      "Subject\n\nline1\nline2\nline3\nline4\nline5\nline6\nSigned-off-by: S\nCo-authored-by: A\n",
      "Subject\n\nline1\nline2\nsigned-off-by: S\n",
      "Subject\n\nline1\nline2\nline3\nSigned-off-by:S <s@x>\n",
      "Subject\n\nline1\n(cherry picked from commit abc)\nCo-authored-by: A\n",
      b + "Co-authored-by: A\n\nReviewed-by: B\n",
      b + "Co authored-by: A\n",
      b + " Co-authored-by: A\n",
      b + "Co_authored_by: A\n",
      b + "\303\234berpr\303\274ft-von: A\n",
      b + "co-AUTHORED-by: A <a@x>\n",
      b + "Co-authored-by  :   A <a@x>   \nReviewed-by\t: B\n",
      b + "https://example.com/issue/1\n",
      b + "Key:: value\n",
      b + "-Key: value\n",
      b + "Reviewed-by:\nCo-authored-by:   \n",
      b + "Key:value\n:novalue\n",
      b + "Bug #42\nCo-authored-by: A\n",
      b + "Co-authored-by: Claude\n  <noreply@anthropic.com>\nReviewed-by: B\n",
      b + "Co-authored-by: A\n\t<a@x>\nGenerated-with: tool\n",
      "Subject\r\n\r\nBody\r\n\r\nCo-authored-by: A <a@x>\r\n",
      b + "Co-authored-by: A\n# a comment line\nReviewed-by: B\n",
      b + "Co-authored-by: A\n---\nReviewed-by: B\n",
      b + "Co-authored-by: A\n----\n",
      b + "Co-authored-by: A\n--- \nReviewed-by: B\n",
      b + "Co-authored-by: A\n" + cut + "\nReviewed-by: B\n",
      b + "Co-authored-by: A\n\nConflicts:\n\tfile.c\n",
      b + "Co-authored-by: A\n\n\n   \n",
      b + "Key:value no newline",
      "\n\nSubject\n\nKey: v\n",
      "Fix (#123)\n\n* initial plan\n\n* fix\n\n---------\n\nCo-authored-by: "
      "copilot-swe-agent[bot] "
      "<198982749+Copilot@users.noreply.github.com>\nCo-authored-by: octocat <o@github.com>\n",
      "Add feature\n\nBody text.\n\n\xF0\x9F\xA4\x96 Generated with [Claude Code]"
      "(https://claude.com/claude-code)\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n",
      "Add feature\n\nBody text.\n\n\xF0\x9F\xA4\x96 Generated with [Claude Code]"
      "(https://claude.com/claude-code)\nCo-Authored-By: Claude <noreply@anthropic.com>\n",
      // case 38's message
      "Add feature\n\nBody.\n\nCo-authored-by: Claude <noreply@anthropic.com>\n"
      "Reviewed-by: R <r@x>\nco-authored-BY: Bob\n  Smith <b@x>\nCo-authored-by-bot: no\n",
      // the unit test's byte-level corners
      "",
      "\n",
      "\n \t\r\n",
      "   ",
      "Subject",
      "Subject\n",
      "Subject\n\n",
      "\nSubject\n\nBody\n\nKey: v\nOther: w\n\n\n",
      "Subject\n\nKey: v\n# comment\n" + cut + "\nOther: w\n",
      "Subject\n\nJust prose.\n# comment\n",
      "Subject\n\n(cherry picked from commit abc)\n",
      "S\r\n\r\nA: b\r\n  c\r\n",
      "S\r\n \r\nA: b\r\n",
      "S\n\nA: b\x00\n\nB: c\n"s,
      "S\n\nA: b\nx\x00\nB: c\n"s,
      "\x00S\n\nA: b\n"s,
      "S\n\nA: b\x00 tail\n"s,
      "S\n\nBody \xff\xfe\n\nKey: caf\xe9 \x80\xff\n",
      "S\n\nK\xe9y: v\n",
      "S\n\nA: b\x0b\n",
      "\x0b\n\nA: b\n",
      "S\n\x0c\nA: b\n",
      "S\n\nA: b\n" + cut + "\r\nB: c\n",
      "S\n\nA: b\n" + cut + "x\nB: c\n",
      cut + "\nS\n\nB: c\n",
      cut + "\n",
      cut,
      "S\n\nA: b\n" + cut,
      "Conflicts:\n  \nK: v\n#c\n\tx: y\n",
      "Title\n  \nK: v\n#c\n\tx: y\n",
      "Conflicts:\n\tf\nbar\n\nK: v\n\n#c\n\tx: y\n",
      "# note\n\nKey: v\n",
      "#a\n#b\n\nKey: v\n",
      "#only comments\n#here\n",
      "S\n\nKey: v\n#c\n\n#d\n\n",
      "S\n\nKey: v\nConflicts:\n\tfile.c\n#x\n",
      "S\n\nKey: v\n\n(cherry picked from commit 0123)\n\n",
      "S\n\nSigned-off-by: \n",
      "S\n\n(cherry picked from commit \n",
      "S\n\n \n\t\nKey: v\n",
      "S\n\nKey: v\n \tfolded\n#c\n \tnot folded\n",
      "S\n\nKey: v\n\r\n",
      "S\n\nKey:\n  \n\tvalue\n",
      "S\n\n:\n",
      "S\n\nK :\n",
      "S\n\nK -: v\n",
      "S\n\nK\t-: v\n",
  };
}

// --- the random generator ---------------------------------------------------------------------

// std::mt19937's sequence is fixed by the standard; the distributions' are not, so the
// picks use plain modulo and the corpus is the same on every platform.
class Dice {
 public:
  explicit Dice(std::uint32_t seed) : rng_(seed) {}
  std::size_t below(std::size_t n) { return rng_() % n; }
  bool chance(unsigned percent) { return below(100) < percent; }
  std::string_view pick(const std::vector<std::string_view>& options) {
    return options[below(options.size())];
  }

 private:
  std::mt19937 rng_;
};

const std::vector<std::string_view> kTokens = {
    "Co-authored-by",
    "Co-Authored-By",
    "co-AUTHORED-by",
    "Reviewed-by",
    "Signed-off-by",
    "Acked-by",
    "Bug",
    "Key",
    "-Key",
    "X",
    "123",
    "Change-Id",
    "Assisted-by",
    "Generated-with",
    "a-b-c",
    "https",
};
// Tokens git does not accept (or accepts in surprising ways).
const std::vector<std::string_view> kOddTokens = {
    "Co authored-by", "Co_authored_by", "Reviewed.by", "",  "\303\234berpr\303\274ft-von",
    "Ke\xffy",        "Key\t",          "Key  ",       "-", "Key:"};
const std::vector<std::string_view> kSeparatorForms = {":", ": ", " :", "\t:", "  :", ":\t"};
const std::vector<std::string_view> kOddSeparatorForms = {"::", " #", "=", " ", "#", ""};
const std::vector<std::string_view> kValues = {
    "A <a@x>",
    "",
    "   ",
    "Claude <noreply@anthropic.com>",
    "//example.com/issue/1",
    "caf\xe9",
    "\xF0\x9F\xA4\x96 robot",
    "value with trailing   ",
    "\xff\xfe",
    "a: b",
    "x\x0b",
    "y\x0c",
    "#42",
    "\t tabbed",
    "S <s@x>",
};
const std::vector<std::string_view> kProse = {
    "Some text",
    "line",
    "Fix the thing.",
    "\xF0\x9F\xA4\x96 Generated with [Claude Code](https://claude.com/claude-code)",
    "* initial plan",
    "caf\xe9 au lait \x80",
    "Bug #42",
    "Ends with a colon:",
    "-",
    "(see below)",
};
const std::vector<std::string_view> kContinuations = {" ", "  ", "\t", " \t", "\t "};
const std::vector<std::string_view> kDividers = {"---",   "----", "--- ", "---------",
                                                 "---\t", "---x", "-- "};
const std::vector<std::string_view> kComments = {"# comment", "#", "#Key: v", "# ", "#\tindented"};
const std::vector<std::string_view> kBlankish = {"", "", "", "   ", "\t", " \t ", "\x0b", "\x0c"};
const std::string kScissors = "# ------------------------ >8 ------------------------";

std::string trailer_line(Dice& dice) {
  return std::string(dice.pick(dice.chance(15) ? kOddTokens : kTokens)) +
         std::string(dice.pick(dice.chance(10) ? kOddSeparatorForms : kSeparatorForms)) +
         std::string(dice.pick(kValues));
}

// One line of a trailer-ish paragraph.
std::string block_line(Dice& dice) {
  const std::size_t roll = dice.below(100);
  if (roll < 34) {
    return trailer_line(dice);
  }
  if (roll < 46) {
    return std::string(dice.pick(kContinuations)) +
           std::string(dice.chance(70) ? dice.pick(kValues) : dice.pick(kProse));
  }
  if (roll < 52) {
    return std::string(dice.pick(kComments));
  }
  if (roll < 60) {
    return std::string(dice.pick({"Signed-off-by: S <s@x>", "Signed-off-by: S <s@x>",
                                  "Signed-off-by:S", "signed-off-by: s", "Signed-off-by: "}));
  }
  if (roll < 64) {
    return std::string(
        dice.pick({"(cherry picked from commit 0123abc)", "(cherry picked from commit ",
                   "(cherry picked from commitX", "(Cherry picked from commit 1)"}));
  }
  if (roll < 75) {
    return std::string(dice.pick(kProse));
  }
  if (roll < 79) {
    return std::string(dice.pick(kDividers));
  }
  if (roll < 82) {
    return std::string(dice.pick({"https://example.com/x", "http://x", "mailto:x"}));
  }
  if (roll < 86) {
    return std::string(dice.pick({"Key:: v", ":x", ":", " : v", "Key :: v"}));
  }
  if (roll < 92) {
    return std::string(dice.pick(kBlankish));
  }
  if (roll < 95) {
    return std::string(dice.pick({"Conflicts:", "\tfile.c", "Conflicts: x"}));
  }
  if (roll < 97) {
    return kScissors + std::string(dice.pick({"", "", " x", "\r"}));
  }
  return std::string(dice.pick({"\x0b", "\x0c Key: v", "\xff: v", "Key\xff: v"}));
}

// A paragraph built to land near the 25% threshold: prose lines and trailers, one of them
// git-generated (or almost), in a shuffled order.
std::vector<std::string> threshold_paragraph(Dice& dice) {
  std::vector<std::string> lines;
  const std::size_t trailers = 1 + dice.below(3);
  const std::size_t prose = trailers * 3 - 1 + dice.below(3);  // just under, at, or over 25%
  for (std::size_t i = 0; i < prose; ++i) {
    lines.emplace_back(dice.pick(kProse));
  }
  lines.emplace_back(dice.pick({"Signed-off-by: S <s@x>", "(cherry picked from commit abc)",
                                "Signed-off-by:S <s@x>", "signed-off-by: S"}));
  for (std::size_t i = 1; i < trailers; ++i) {
    lines.push_back(trailer_line(dice));
  }
  if (dice.chance(30)) {
    lines.push_back(std::string(dice.pick(kContinuations)) + "more");
  }
  for (std::size_t i = lines.size(); i > 1; --i) {
    std::swap(lines[i - 1], lines[dice.below(i)]);
  }
  return lines;
}

std::string random_message(Dice& dice) {
  std::vector<std::string> lines;
  // leading blank lines, which pretty.c skips
  if (dice.chance(15)) {
    for (std::size_t i = dice.below(3) + 1; i > 0; --i) {
      lines.emplace_back(dice.pick(kBlankish));
    }
  }
  // the title paragraph, sometimes missing, sometimes trailer-like or commented
  if (dice.chance(90)) {
    if (dice.chance(10)) {
      lines.emplace_back(dice.pick(kComments));
    }
    lines.push_back(dice.chance(15) ? trailer_line(dice) : std::string(dice.pick(kProse)));
    if (dice.chance(10)) {
      lines.push_back(trailer_line(dice));
    }
    lines.emplace_back(dice.chance(85) ? "" : dice.pick(kBlankish));
  }
  // body paragraphs
  for (std::size_t p = dice.below(3); p > 0; --p) {
    for (std::size_t i = dice.below(3) + 1; i > 0; --i) {
      lines.push_back(dice.chance(85) ? std::string(dice.pick(kProse)) : block_line(dice));
    }
    lines.emplace_back("");
  }
  // the candidate trailer block
  if (dice.chance(25)) {
    for (auto& line : threshold_paragraph(dice)) {
      lines.push_back(std::move(line));
    }
  } else {
    // Mostly trailers (and their continuations), or a free mix of every kind of line.
    const unsigned trailer_percent = dice.chance(50) ? 90 : 50;
    for (std::size_t i = dice.below(8) + 1; i > 0; --i) {
      if (!dice.chance(trailer_percent)) {
        lines.push_back(block_line(dice));
      } else if (!lines.empty() && dice.chance(15)) {
        lines.push_back(std::string(dice.pick(kContinuations)) + std::string(dice.pick(kValues)));
      } else {
        lines.push_back(trailer_line(dice));
      }
    }
  }
  // an ignorable (or not quite ignorable) tail
  switch (dice.below(8)) {
    case 0:
      lines.emplace_back("");
      lines.emplace_back(dice.pick(kBlankish));
      break;
    case 1:
      lines.emplace_back(dice.pick(kComments));
      break;
    case 2:
      lines.push_back(kScissors);
      lines.emplace_back(dice.pick({"diff --git a/x b/x", "Key: after the cut", ""}));
      break;
    case 3:
      lines.emplace_back("");
      lines.emplace_back("Conflicts:");
      lines.emplace_back("\tfile.c");
      break;
    default:
      break;
  }

  // line endings: LF, CRLF, or a mix; sometimes no final newline
  const std::size_t endings = dice.below(10);
  std::string message;
  for (const std::string& line : lines) {
    message += line;
    const bool crlf = endings == 0 || (endings == 1 && dice.chance(50));
    message += crlf ? "\r\n" : "\n";
  }
  if (dice.chance(12)) {
    while (!message.empty() && message.back() == '\n') {
      message.pop_back();
    }
  }
  if (dice.chance(2)) {
    message.insert(dice.below(message.size() + 1), 1, '\0');
  }
  return message;
}

// A long message, to compare on something bigger than a screenful.
std::string long_message(Dice& dice) {
  std::string message = "Subject\n\nBody\n\n";
  for (int i = 0; i < 5000; ++i) {
    message += trailer_line(dice) + "\n";
    if (dice.chance(20)) {
      message += std::string(dice.pick(kContinuations)) + "folded\n";
    }
    if (dice.chance(5)) {
      message += std::string(dice.pick(kComments)) + "\n";
    }
  }
  return message;
}

// --- running git --------------------------------------------------------------------------------

std::string escaped(std::string_view bytes) {
  std::string out;
  for (unsigned char c : bytes) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      static const char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 0xf];
    }
  }
  return out;
}

// One fast-import stream committing every message, verbatim, as a linear history on main.
std::string fast_import_stream(const std::vector<std::string>& messages) {
  std::string stream;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    stream += "commit refs/heads/main\n";
    stream += "mark :" + std::to_string(i + 1) + "\n";
    stream += "committer Trailgate Test <test@example.com> " + std::to_string(1700000000 + i) +
              " +0000\n";
    stream += "data " + std::to_string(messages[i].size()) + "\n";
    stream += messages[i];
    stream += "\n";
  }
  return stream;
}

// Reads fast-import's exported marks: ":<n> <id>" lines; returns id -> message index.
std::map<std::string, std::size_t> read_marks(const std::string& text) {
  std::map<std::string, std::size_t> index_of;
  std::istringstream in(text);
  std::string mark, id;
  while (in >> mark >> id) {
    index_of[id] = std::stoul(mark.substr(1)) - 1;
  }
  return index_of;
}

}  // namespace

TEST_CASE("trailers::parse agrees with git log %(trailers:only,unfold)", "[trailers][git]") {
  std::vector<std::string> messages = corner_cases();
  const std::size_t corner_count = messages.size();
  Dice dice(20240611);
  for (int i = 0; i < 2400; ++i) {
    messages.push_back(random_message(dice));
  }
  messages.push_back(long_message(dice));

  TempDir dir;
  const auto repo = dir.path() / "repo.git";
  const auto marks = dir.path() / "marks";
  run_ok({"git", "init", "-q", "--bare", repo.string()}, dir.path());
  run_ok({"git", "fast-import", "--quiet", "--export-marks=" + marks.string()}, repo,
         fast_import_stream(messages));
  const auto index_of = read_marks(trailgate::testing::read_file(marks));
  REQUIRE(index_of.size() == messages.size());

  // fast-import must have stored every message byte for byte, or the comparison means nothing.
  {
    std::string ids;
    for (const auto& [id, index] : index_of) {
      ids += id + "\n";
    }
    const std::string batch = run_ok({"git", "cat-file", "--batch"}, repo, ids);
    std::size_t pos = 0, verbatim = 0;
    for (const auto& [id, index] : index_of) {
      const std::size_t header_end = batch.find('\n', pos);
      REQUIRE(header_end != std::string::npos);
      const std::size_t size = std::stoul(batch.substr(batch.rfind(' ', header_end) + 1));
      const std::string_view object = std::string_view(batch).substr(header_end + 1, size);
      const std::size_t body = object.find("\n\n");
      if (body != std::string_view::npos && object.substr(body + 2) == messages[index]) {
        ++verbatim;
      } else {
        FAIL_CHECK("fast-import changed message " << index << ": " << escaped(messages[index]));
      }
      pos = header_end + 1 + size + 1;
    }
    REQUIRE(verbatim == messages.size());
  }

  const std::string log = run_ok(
      {"git", "log", "--reverse", "-z", "--format=%H%n%(trailers:only,unfold)", "main"}, repo);

  std::vector<bool> seen(messages.size(), false);
  std::size_t compared = 0, equal = 0, with_trailers = 0, reported = 0;
  std::size_t pos = 0;
  while (pos < log.size()) {
    const std::size_t end = log.find('\0', pos);
    REQUIRE(end != std::string::npos);
    const std::string_view record = std::string_view(log).substr(pos, end - pos);
    pos = end + 1;
    REQUIRE(record.size() >= 41);
    const auto found = index_of.find(std::string(record.substr(0, 40)));
    REQUIRE(found != index_of.end());
    const std::size_t index = found->second;
    REQUIRE_FALSE(seen[index]);
    seen[index] = true;

    const std::string_view git_output = record.substr(41);
    const std::string ours = trailgate::trailers::format_like_git_log(
        trailgate::trailers::parse(messages[index]).trailers);
    ++compared;
    if (!git_output.empty()) {
      ++with_trailers;
    }
    if (ours == git_output) {
      ++equal;
    } else if (++reported <= 25) {
      FAIL_CHECK("message " << index << (index < corner_count ? " (corner case)" : "") << ": "
                            << escaped(messages[index]) << "\n  git:       " << escaped(git_output)
                            << "\n  trailgate: " << escaped(ours));
    }
  }

  std::cout << "trailers differential: " << compared << " messages, " << equal << " equal to git ("
            << with_trailers << " with trailers)\n";
  CHECK(compared == messages.size());
  CHECK(equal == compared);
  // The generator must exercise both outcomes, or agreement would prove little.
  CHECK(with_trailers * 4 >= compared);
  CHECK((compared - with_trailers) * 4 >= compared);
}
