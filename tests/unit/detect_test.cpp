// Tests of AI-marker detection on hand-built commits. Trailer lists are written out as git
// would parse the message next to them; the trailer parser has its own tests.

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "detect/markers.h"
#include "support/fixtures.h"
#include "support/model.h"

namespace {

using trailgate::CommitInfo;
using trailgate::Identity;
using trailgate::detect::builtin_catalogue;
using trailgate::detect::Detection;
using trailgate::detect::IdentityField;
using trailgate::detect::MarkerSet;
using trailgate::detect::MarkerSource;
using trailgate::detect::MarkerSpec;
using trailgate::testing::identity;
using trailgate::testing::kClaudeTrailer;
using trailgate::testing::kJane;
using trailgate::testing::make_commit;
using trailgate::trailers::Trailer;
using Trailers = std::vector<Trailer>;

const MarkerSet& builtin() {
  static const MarkerSet set(builtin_catalogue());
  return set;
}

std::vector<std::string> ids_of(const std::vector<Detection>& detections) {
  std::vector<std::string> ids;
  for (const Detection& d : detections)
    ids.push_back(d.marker_id);
  return ids;
}

std::vector<std::string> builtin_ids(const CommitInfo& c, const Trailers& t = {}) {
  return ids_of(builtin().detect(c, t));
}

const Detection* find_detection(const std::vector<Detection>& ds, const std::string& id) {
  for (const Detection& d : ds) {
    if (d.marker_id == id)
      return &d;
  }
  return nullptr;
}

MarkerSpec spec(std::string id, MarkerSource source, std::string pattern,
                std::string trailer_key = {}, IdentityField field = IdentityField::either) {
  MarkerSpec s;
  s.id = std::move(id);
  s.tool = "Policy tool";
  s.source = source;
  s.pattern = std::move(pattern);
  s.trailer_key = std::move(trailer_key);
  s.identity_field = field;
  return s;
}

std::string construction_error(std::vector<MarkerSpec> specs) {
  try {
    MarkerSet set(std::move(specs));
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no exception)";
}

// One real-world commit per built-in marker, each written the way the tool writes it.
struct Example {
  std::string id;
  CommitInfo commit;
  Trailers trailers;
};

std::vector<Example> positive_examples() {
  const Identity copilot_agent =
      identity("copilot-swe-agent[bot]", "198982749+Copilot@users.noreply.github.com");
  return {
      {"claude-code.co-author",
       make_commit(
           "Add feature\n\nBody.\n\nCo-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>\n"),
       {{"Co-Authored-By", "Claude Opus 4.5 <noreply@anthropic.com>"}}},
      {"claude-code.generated-with",
       make_commit("Add feature\n\n\xF0\x9F\xA4\x96 Generated with [Claude "
                   "Code](https://claude.ai/code)\n"),
       {}},
      {"claude-code.session",
       make_commit("Add feature\n\nClaude-Session: https://claude.ai/code/session_01AbC\n"),
       {{"Claude-Session", "https://claude.ai/code/session_01AbC"}}},
      {"copilot-agent.identity", make_commit("Initial plan\n", copilot_agent, copilot_agent), {}},
      {"copilot-agent.co-author",
       make_commit("Fix (#123)\n\n* fix\n\n---------\n\nCo-authored-by: copilot-swe-agent[bot] "
                   "<198982749+Copilot@users.noreply.github.com>\n"),
       {{"Co-authored-by", "copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>"}}},
      {"copilot-agent.logs-url",
       make_commit("Fix parser\n\nAgent-Logs-Url: https://github.com/o/r/sessions/5f0c\n"),
       {{"Agent-Logs-Url", "https://github.com/o/r/sessions/5f0c"}}},
      {"copilot-autofix.co-author",
       make_commit("Potential fix for code scanning alert no. 7\n\nCo-authored-by: Copilot Autofix "
                   "powered by AI <175728472+Copilot@users.noreply.github.com>\n"),
       {{"Co-authored-by",
         "Copilot Autofix powered by AI <175728472+Copilot@users.noreply.github.com>"}}},
      {"copilot.co-author",
       make_commit("Refactor\n\nCo-authored-by: Copilot <copilot@github.com>\n"),
       {{"Co-authored-by", "Copilot <copilot@github.com>"}}},
      {"aider.identity",
       make_commit("Add retry\n", identity("Dev (aider)", "dev@example.com"),
                   identity("Dev (aider)", "dev@example.com")),
       {}},
      {"aider.co-author",
       make_commit("Add retry\n\nCo-authored-by: aider (gpt-4o) <noreply@aider.chat>\n"),
       {{"Co-authored-by", "aider (gpt-4o) <noreply@aider.chat>"}}},
      {"aider.subject", make_commit("aider: Add retry to the fetcher\n"), {}},
      {"codex.co-author",
       make_commit("Fix bug\n\nCo-authored-by: Codex <noreply@openai.com>\n"),
       {{"Co-authored-by", "Codex <noreply@openai.com>"}}},
      {"codex.identity",
       make_commit("Fix bug\n",
                   identity("chatgpt-codex-connector[bot]",
                            "199175422+chatgpt-codex-connector[bot]@users.noreply.github.com"),
                   kJane),
       {}},
      {"cursor.co-author",
       make_commit("Fix bug\n\nCo-authored-by: Cursor <cursoragent@cursor.com>\n"),
       {{"Co-authored-by", "Cursor <cursoragent@cursor.com>"}}},
      {"cursor.made-with",
       make_commit("Fix bug\n\nMade-with: Cursor\n"),
       {{"Made-with", "Cursor"}}},
      {"devin.identity",
       make_commit(
           "Fix bug\n",
           identity("Devin AI", "158243242+devin-ai-integration[bot]@users.noreply.github.com"),
           kJane),
       {}},
      {"devin.co-author",
       make_commit("Fix bug\n\nCo-Authored-By: Devin "
                   "<158243242+devin-ai-integration[bot]@users.noreply.github.com>\n"),
       {{"Co-Authored-By",
         "Devin <158243242+devin-ai-integration[bot]@users.noreply.github.com>"}}},
      {"devin.generated-with",
       make_commit("Fix bug\n\n\xF0\x9F\xA4\x96 Generated with [Devin](https://devin.ai)\n"),
       {}},
      {"jules.identity",
       make_commit("Fix bug\n",
                   identity("google-labs-jules[bot]",
                            "161369871+google-labs-jules[bot]@users.noreply.github.com"),
                   kJane),
       {}},
      {"jules.co-author",
       make_commit("Fix bug (#9)\n\nCo-authored-by: google-labs-jules[bot] "
                   "<161369871+google-labs-jules[bot]@users.noreply.github.com>\n"),
       {{"Co-authored-by",
         "google-labs-jules[bot] <161369871+google-labs-jules[bot]@users.noreply.github.com>"}}},
      {"gemini-code-assist.identity",
       make_commit("Apply suggestion\n", kJane,
                   identity("gemini-code-assist[bot]",
                            "176961590+gemini-code-assist[bot]@users.noreply.github.com")),
       {}},
      {"gemini-code-assist.co-author",
       make_commit("Apply suggestions\n\nCo-authored-by: gemini-code-assist[bot] "
                   "<176961590+gemini-code-assist[bot]@users.noreply.github.com>\n"),
       {{"Co-authored-by",
         "gemini-code-assist[bot] <176961590+gemini-code-assist[bot]@users.noreply.github.com>"}}},
      {"amp.thread-id",
       make_commit("Fix bug\n\nAmp-Thread-ID: T-1234abcd\n"),
       {{"Amp-Thread-ID", "T-1234abcd"}}},
      {"amp.co-author",
       make_commit("Fix bug\n\nCo-authored-by: Amp <amp@ampcode.com>\n"),
       {{"Co-authored-by", "Amp <amp@ampcode.com>"}}},
      {"opencode.co-author",
       make_commit("Fix bug\n\nCo-Authored-By: opencode <noreply@opencode.ai>\n"),
       {{"Co-Authored-By", "opencode <noreply@opencode.ai>"}}},
      {"openhands.identity",
       make_commit("Fix bug\n", identity("openhands", "openhands@all-hands.dev"), kJane),
       {}},
      {"openhands.co-author",
       make_commit("Fix bug\n\nCo-authored-by: openhands <openhands@all-hands.dev>\n"),
       {{"Co-authored-by", "openhands <openhands@all-hands.dev>"}}},
      {"claude-code.identity",
       make_commit("Address review comments\n",
                   identity("claude[bot]", "209825114+claude[bot]@users.noreply.github.com")),
       {}},
      {"cursor.identity",
       make_commit("Fix flaky test\n", identity("Cursor Agent", "cursoragent@cursor.com")),
       {}},
      {"amp.generated-with",
       make_commit("Fix bug\n\n\xF0\x9F\xA4\x96 Generated with [Amp](https://ampcode.com)\n"),
       {}},
      {"cline.co-author",
       make_commit("Fix bug\n\nCo-Authored-By: Cline <noreply@cline.bot>\n"),
       {{"Co-Authored-By", "Cline <noreply@cline.bot>"}}},
      {"cline.generated-with",
       make_commit("Fix bug\n\n\xF0\x9F\xA4\x96 Generated with [Cline](https://docs.cline.bot)\n"),
       {}},
      {"opencode.generated-with",
       make_commit("Fix bug\n\n\xF0\x9F\xA4\x96 Generated with [opencode](https://opencode.ai)\n"),
       {}},
      {"opencode.identity",
       make_commit("Fix bug\n", identity("opencode-agent[bot]",
                                         "219766164+opencode-agent[bot]@users.noreply.github.com")),
       {}},
      {"factory.identity",
       make_commit("Fix bug\n", identity("factory-droid[bot]",
                                         "138933559+factory-droid[bot]@users.noreply.github.com")),
       {}},
      {"factory.co-author",
       make_commit("Fix bug (#4)\n\nCo-authored-by: factory-droid[bot] "
                   "<138933559+factory-droid[bot]@users.noreply.github.com>\n"),
       {{"Co-authored-by",
         "factory-droid[bot] <138933559+factory-droid[bot]@users.noreply.github.com>"}}},
      {"warp.identity", make_commit("Fix bug\n", identity("Oz", "oz-agent@warp.dev")), {}},
      {"warp.co-author",
       make_commit("Fix bug\n\nCo-Authored-By: Oz <oz-agent@warp.dev>\n"),
       {{"Co-Authored-By", "Oz <oz-agent@warp.dev>"}}},
      {"roo.identity", make_commit("Fix bug\n", identity("Roomote", "roomote@roocode.com")), {}},
      {"roo.co-author",
       make_commit("Fix bug\n\nCo-authored-by: Roomote <roomote@roocode.com>\n"),
       {{"Co-authored-by", "Roomote <roomote@roocode.com>"}}},
      {"continue.identity",
       make_commit("Fix bug\n", identity("Continue", "noreply@continue.dev")),
       {}},
      {"continue.co-author",
       make_commit("Fix bug\n\nCo-authored-by: Continue <noreply@continue.dev>\n"),
       {{"Co-authored-by", "Continue <noreply@continue.dev>"}}},
      {"convention.assisted-by",
       make_commit("Fix race\n\nAssisted-by: Claude:claude-3-opus coccinelle sparse\n"),
       {{"Assisted-by", "Claude:claude-3-opus coccinelle sparse"}}},
      {"convention.generated-by",
       make_commit("Fix race\n\nGenerated-by: ChatGPT\n"),
       {{"Generated-by", "ChatGPT"}}},
      {"convention.ai-assisted",
       make_commit("Fix race\n\nAI-Assisted: yes\n"),
       {{"AI-Assisted", "yes"}}},
  };
}

}  // namespace

TEST_CASE("detect::MarkerSet", "[detect]") {
  SECTION("the built-in catalogue compiles and its ids are unique and well-formed") {
    REQUIRE_NOTHROW(MarkerSet(builtin_catalogue()));
    for (const MarkerSpec& s : builtin_catalogue()) {
      INFO(s.id);
      CHECK(s.id.find('.') != std::string::npos);
      CHECK_FALSE(s.tool.empty());
    }
  }

  SECTION("every built-in marker has a real-world example that it detects") {
    const std::vector<Example> examples = positive_examples();
    for (const MarkerSpec& s : builtin_catalogue()) {
      INFO("marker without an example: " << s.id);
      CHECK(std::any_of(examples.begin(), examples.end(),
                        [&](const Example& e) { return e.id == s.id; }));
    }
    for (const Example& e : examples) {
      INFO(e.id << "\n" << e.commit.message);
      std::vector<Detection> ds = builtin().detect(e.commit, e.trailers);
      const Detection* d = find_detection(ds, e.id);
      REQUIRE(d != nullptr);
      const auto& specs = builtin_catalogue();
      auto it = std::find_if(specs.begin(), specs.end(),
                             [&](const MarkerSpec& s) { return s.id == e.id; });
      REQUIRE(it != specs.end());
      CHECK(d->tool == it->tool);
      CHECK_FALSE(d->evidence.empty());
    }
  }

  SECTION("evidence quotes the trailer as written") {
    CommitInfo c = make_commit("Add feature\n\nCo-authored-by: Claude <noreply@anthropic.com>\n");
    std::vector<Detection> ds =
        builtin().detect(c, {{"Co-authored-by", "Claude <noreply@anthropic.com>"}});
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].marker_id == "claude-code.co-author");
    CHECK(ds[0].tool == "Claude Code");
    CHECK(ds[0].evidence == "trailer \"Co-authored-by: Claude <noreply@anthropic.com>\"");
  }

  SECTION("evidence names the identity field that matched") {
    CommitInfo c = make_commit("Add retry\n", identity("Dev (aider)", "dev@example.com"), kJane);
    std::vector<Detection> ds = builtin().detect(c, {});
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].evidence == "author name \"Dev (aider)\"");
  }

  SECTION("evidence for a body marker is the whole line that holds the match") {
    CommitInfo c = make_commit(
        "Add feature\n\nBody text.\n\n\xF0\x9F\xA4\x96 Generated with [Claude "
        "Code](https://claude.com/claude-code)\r\n\nCo-Authored-By: Claude "
        "<noreply@anthropic.com>\n");
    std::vector<Detection> ds = builtin().detect(c, {});
    const Detection* d = find_detection(ds, "claude-code.generated-with");
    REQUIRE(d != nullptr);
    CHECK(d->evidence ==
          "body line \"\xF0\x9F\xA4\x96 Generated with [Claude "
          "Code](https://claude.com/claude-code)\"");
  }

  SECTION("Claude Code's usual layout (case 36) matches both the body line and the trailer") {
    CommitInfo c = make_commit(
        "Add feature\n\nBody text.\n\n\xF0\x9F\xA4\x96 Generated with [Claude "
        "Code](https://claude.com/claude-code)\n\nCo-Authored-By: Claude "
        "<noreply@anthropic.com>\n");
    CHECK(builtin_ids(c, {{"Co-Authored-By", "Claude <noreply@anthropic.com>"}}) ==
          std::vector<std::string>{"claude-code.co-author", "claude-code.generated-with"});
  }

  SECTION("no trailer block (case 37): the body line and the trailer-shaped line both mark it") {
    CommitInfo c = make_commit(
        "Add feature\n\nBody text.\n\n\xF0\x9F\xA4\x96 Generated with [Claude "
        "Code](https://claude.com/claude-code)\nCo-Authored-By: Claude "
        "<noreply@anthropic.com>\n");
    CHECK(builtin_ids(c, {}) ==
          std::vector<std::string>{"claude-code.co-author", "claude-code.generated-with"});
    CHECK(find_detection(builtin().detect(c, {}), "claude-code.co-author")->evidence ==
          "line \"Co-Authored-By: Claude <noreply@anthropic.com>\" (a trailer outside git's "
          "trailer block)");
  }

  SECTION("Copilot squash merge (case 35): the bot co-author marks it, the human does not") {
    CommitInfo c = make_commit(
        "Fix (#123)\n\n* initial plan\n\n* fix\n\n---------\n\nCo-authored-by: "
        "copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>\nCo-authored-by: "
        "octocat <583231+octocat@users.noreply.github.com>\n");
    Trailers t = {
        {"Co-authored-by", "copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>"},
        {"Co-authored-by", "octocat <583231+octocat@users.noreply.github.com>"}};
    // The address is also Copilot's general noreply address, so both Copilot markers fire.
    CHECK(builtin_ids(c, t) ==
          std::vector<std::string>{"copilot-agent.co-author", "copilot.co-author"});
  }

  SECTION("the Copilot CLI's numbered noreply address is Copilot") {
    CommitInfo c = make_commit(
        "Refactor\n\nCo-authored-by: Copilot "
        "<223556219+Copilot@users.noreply.github.com>\n");
    CHECK(builtin_ids(
              c, {{"Co-authored-by", "Copilot <223556219+Copilot@users.noreply.github.com>"}}) ==
          std::vector<std::string>{"copilot.co-author"});
  }

  SECTION("a human co-author is not a marker") {
    CommitInfo c = make_commit("Pair on parser\n\nCo-authored-by: Jane Doe <jane@example.com>\n");
    CHECK(builtin_ids(c, {{"Co-authored-by", "Jane Doe <jane@example.com>"}}).empty());
  }

  SECTION("addresses that merely resemble a tool's are not markers") {
    for (const char* value : {
             "Jane <jane@anthropic.com>",
             "Jane <x-noreply@anthropic.com>",
             "Jane <noreply@anthropic.com.example.org>",
             "Sam <sam@openai.com>",
             "Lee <lee@cursor.com>",
             "Kim <kim+copilot@github.com>",
             "Ann <ann+Copilot@users.noreply.github.com>",
             "Bo <bo@aider.chat.example.org>",
             "Ed <evil-copilot-swe-agent[bot]@users.noreply.github.com>",
         }) {
      INFO(value);
      CHECK(builtin_ids(make_commit("Pair\n\nCo-authored-by: x\n"), {{"Co-authored-by", value}})
                .empty());
    }
  }

  SECTION("subjects that name a tool are not markers") {
    for (const char* message : {
             "Fix Copilot settings page\n",
             "Update claude config docs\n",
             "Bump cursor to 2.0\n",
             "Document devin and jules integrations\n",
             "Aider: rename the helper\n",
             "Use aider: notes in README\n",
         }) {
      INFO(message);
      CHECK(builtin_ids(make_commit(message)).empty());
    }
  }

  SECTION("prose about a tool is not a marker") {
    CommitInfo c = make_commit(
        "Speed up indexing\n\nI tried aider and Claude Code on this and neither helped, so this\n"
        "was written by hand. The old footer said Generated with [Claude Code] and we drop\n"
        "the mention of copilot-swe-agent[bot] from the docs.\n");
    CHECK(builtin_ids(c).empty());
  }

  SECTION("Reviewed-by and other review trailers are not markers") {
    CommitInfo c = make_commit(
        "Fix race\n\nReviewed-by: Jane Doe <jane@example.com>\nSigned-off-by: Ann "
        "<ann@example.com>\nAcked-by: Bo <bo@example.com>\n");
    CHECK(builtin_ids(c, {{"Reviewed-by", "Jane Doe <jane@example.com>"},
                          {"Signed-off-by", "Ann <ann@example.com>"},
                          {"Acked-by", "Bo <bo@example.com>"}})
              .empty());
  }

  SECTION("AI-Assisted: yes or true marks the commit, no and false do not") {
    for (const char* value : {"yes", "Yes", "TRUE", "yes (Claude Code)"}) {
      INFO(value);
      CHECK(builtin_ids(make_commit("Fix\n\nAI-Assisted: x\n"), {{"AI-Assisted", value}}) ==
            std::vector<std::string>{"convention.ai-assisted"});
    }
    for (const char* value : {"no", "No", "false", "", "yesterday"}) {
      INFO(value);
      CHECK(builtin_ids(make_commit("Fix\n\nAI-Assisted: x\n"), {{"AI-Assisted", value}}).empty());
    }
  }

  SECTION("Made-with marks only when it names Cursor") {
    CHECK(builtin_ids(make_commit("Fix\n\nMade-with: love\n"), {{"Made-with", "love"}}).empty());
    CHECK(
        builtin_ids(make_commit("Fix\n\nMade-with: Cursor IDE\n"), {{"Made-with", "Cursor IDE"}}) ==
        std::vector<std::string>{"cursor.made-with"});
  }

  SECTION("names and addresses that resemble a bot are not the bot") {
    for (const Identity& who : {
             identity("Copilot Fan", "fan@example.com"),
             identity("Copilot", "me@example.com"),
             identity("copilot-swe-agent[bot] fan", "fan@example.com"),
             identity("Eve", "evil-copilot-swe-agent[bot]@users.noreply.github.com"),
             identity("Eve", "copilot-swe-agent[bot]@example.com"),
             identity("Eve", "eve+copilot-swe-agent[bot]@users.noreply.github.com"),
             identity("Devin AI", "devin@example.com"),
             identity("Aider Smith", "aider@example.com"),
             identity("Dev (aider) Jr", "dev@example.com"),
             identity("Dev", "dev (aider)"),
         }) {
      INFO(who.name << " <" << who.email << ">");
      CHECK(builtin_ids(make_commit("Fix\n", who, who)).empty());
    }
  }

  SECTION("an agent that only committed still marks the commit") {
    const Identity agent =
        identity("copilot-swe-agent[bot]", "198982749+Copilot@users.noreply.github.com");
    std::vector<Detection> ds = builtin().detect(make_commit("Fix\n", kJane, agent), {});
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].marker_id == "copilot-agent.identity");
    CHECK(ds[0].evidence == "committer name \"copilot-swe-agent[bot]\"");

    // aider committing dirty files renames only the committer.
    ds = builtin().detect(
        make_commit("Fix\n", kJane, identity("Jane Doe (aider)", "jane@example.com")), {});
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].marker_id == "aider.identity");
    CHECK(ds[0].evidence == "committer name \"Jane Doe (aider)\"");
  }

  SECTION("a bot known only by its email is matched on the email") {
    std::vector<Detection> ds = builtin().detect(
        make_commit("Fix\n", kJane,
                    identity("Someone", "198982749+Copilot@users.noreply.github.com")),
        {});
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].evidence == "committer email \"198982749+Copilot@users.noreply.github.com\"");
  }

  SECTION("trailer keys compare case-insensitively") {
    CHECK(builtin_ids(make_commit("Fix\n\nco-authored-BY: Claude <noreply@anthropic.com>\n"),
                      {{"co-authored-BY", "Claude <noreply@anthropic.com>"}}) ==
          std::vector<std::string>{"claude-code.co-author"});
    CHECK(builtin_ids(make_commit("Fix\n\nASSISTED-BY: gpt\n"), {{"ASSISTED-BY", "gpt"}}) ==
          std::vector<std::string>{"convention.assisted-by"});
    CHECK(builtin_ids(make_commit("Fix\n\nCo-authored-by: C <NOREPLY@Anthropic.COM>\n"),
                      {{"Co-authored-by", "C <NOREPLY@Anthropic.COM>"}}) ==
          std::vector<std::string>{"claude-code.co-author"});
  }

  SECTION("a marker is reported once, with the first trailer that matches") {
    Trailers t = {{"Co-authored-by", "Jane <jane@example.com>"},
                  {"Co-authored-by", "Claude Sonnet 4 <noreply@anthropic.com>"},
                  {"Co-authored-by", "Claude Opus 4.5 <noreply@anthropic.com>"}};
    std::vector<Detection> ds = builtin().detect(make_commit("Fix\n\n..."), t);
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].evidence == "trailer \"Co-authored-by: Claude Sonnet 4 <noreply@anthropic.com>\"");
  }

  SECTION("detections come in catalogue order, whatever the order in the commit") {
    Trailers t = {{"Assisted-by", "Cursor"},
                  {"Made-with", "Cursor"},
                  {"Co-authored-by", "Claude <noreply@anthropic.com>"}};
    CommitInfo c = make_commit("aider: fix\n\nAssisted-by: Cursor\n...",
                               identity("Dev (aider)", "d@x"), kJane);
    CHECK(builtin_ids(c, t) == std::vector<std::string>{"claude-code.co-author", "aider.identity",
                                                        "aider.subject", "cursor.made-with",
                                                        "convention.assisted-by"});
  }

  SECTION("custom trailer marker: the key is the marker, the pattern narrows the value") {
    MarkerSet set({spec("policy.ai-tool", MarkerSource::trailer, "(?i)^internal-llm\\b", "AI-Tool"),
                   spec("policy.prompt", MarkerSource::trailer, "", "Prompt-Id")});
    CHECK(ids_of(set.detect(make_commit("x"), {{"ai-tool", "Internal-LLM v2"}})) ==
          std::vector<std::string>{"policy.ai-tool"});
    CHECK(ids_of(set.detect(make_commit("x"), {{"AI-Tool", "none"}})).empty());
    // An empty pattern accepts any value, the empty one too.
    CHECK(ids_of(set.detect(make_commit("x"), {{"Prompt-Id", ""}})) ==
          std::vector<std::string>{"policy.prompt"});
    CHECK(ids_of(set.detect(make_commit("x"), {{"Prompt-Ids", "1"}})).empty());
  }

  SECTION("custom identity marker honours the field it names") {
    MarkerSet by_email({spec("policy.bot-email", MarkerSource::identity,
                             "(?i)^ci-agent@corp\\.example$", {}, IdentityField::email)});
    MarkerSet by_name({spec("policy.bot-name", MarkerSource::identity, "^ci-agent@corp\\.example$",
                            {}, IdentityField::name)});
    const Identity agent = identity("ci-agent@corp.example", "CI-Agent@corp.example");
    CHECK(by_email.detect(make_commit("x", agent, kJane), {}).at(0).evidence ==
          "author email \"CI-Agent@corp.example\"");
    CHECK(by_name.detect(make_commit("x", agent, kJane), {}).at(0).evidence ==
          "author name \"ci-agent@corp.example\"");
    // The name field never looks at the email, nor the email field at the name.
    CHECK(by_name.detect(make_commit("x", identity("Bot", "ci-agent@corp.example"), kJane), {})
              .empty());
    CHECK(by_email.detect(make_commit("x", identity("ci-agent@corp.example", "b@x"), kJane), {})
              .empty());
  }

  SECTION("custom body marker matches the whole message") {
    MarkerSet set({spec("policy.llm-footer", MarkerSource::body, "(?m)^LLM-Generated-Code$")});
    CHECK(ids_of(set.detect(make_commit("Fix\n\nText\nLLM-Generated-Code\nmore\n"), {})) ==
          std::vector<std::string>{"policy.llm-footer"});
    CHECK(set.detect(make_commit("Fix\n\nno LLM-Generated-Code here\n"), {}).empty());
  }

  SECTION("a custom set without the catalogue detects none of the built-in markers") {
    MarkerSet set({spec("policy.only", MarkerSource::trailer, "", "X-Only")});
    CHECK(set.detect(make_commit("Fix\n", identity("Dev (aider)", "d@x"), kJane),
                     {{"Co-authored-by", "Claude <noreply@anthropic.com>"}})
              .empty());
    CHECK(MarkerSet(std::vector<MarkerSpec>{})
              .detect(make_commit("aider: x"), {{"Assisted-by", "x"}})
              .empty());
  }

  SECTION("a pattern that does not compile throws, naming the marker") {
    std::string what =
        construction_error({spec("policy.ok", MarkerSource::body, "fine"),
                            spec("policy.broken", MarkerSource::body, "Generated with (Claude")});
    CHECK(what.rfind("marker policy.broken: ", 0) == 0);
    CHECK(what.find("missing )") != std::string::npos);
    // Perl-only syntax is not RE2 syntax; a policy must learn that at load time.
    what = construction_error({spec("policy.lookahead", MarkerSource::body, "(?!human)bot")});
    CHECK(what.rfind("marker policy.lookahead: ", 0) == 0);
  }

  SECTION("malformed marker lists are rejected, naming the marker") {
    CHECK(construction_error({spec("", MarkerSource::body, "x")}) == "marker #1: the id is empty");
    CHECK(construction_error(
              {spec("a", MarkerSource::body, "x"), spec("a", MarkerSource::body, "y")}) ==
          "marker a: the id is already used by an earlier marker (built-in ids come first)");
    CHECK(construction_error({spec("k", MarkerSource::trailer, "", "Co-authored-by:")})
              .rfind("marker k: trailer key \"Co-authored-by:\"", 0) == 0);
    CHECK(construction_error({spec("k", MarkerSource::trailer, "")}).rfind("marker k: ", 0) == 0);
    CHECK(construction_error({spec("i", MarkerSource::identity, "")}) ==
          "marker i: the pattern is empty");
    CHECK(construction_error({spec("b", MarkerSource::body, "")}) ==
          "marker b: the pattern is empty");
  }

  SECTION("a moved set keeps its markers") {
    MarkerSet original({spec("policy.m", MarkerSource::trailer, "", "X-M")});
    MarkerSet moved(std::move(original));
    REQUIRE(moved.specs().size() == 1);
    CHECK(ids_of(moved.detect(make_commit("x"), {{"x-m", "1"}})) ==
          std::vector<std::string>{"policy.m"});
    MarkerSet assigned(std::vector<MarkerSpec>{});
    assigned = std::move(moved);
    CHECK(assigned.specs().at(0).id == "policy.m");
  }

  SECTION("a 10 MB message with the body marker on its last line") {
    std::string message = "Regenerate fixtures\n\n";
    const std::string line(99, 'x');
    while (message.size() < 10 * 1024 * 1024)
      message += line + "\n";
    message += "\xF0\x9F\xA4\x96 Generated with [Claude Code](https://claude.com/claude-code)\n";
    std::vector<Detection> ds = builtin().detect(make_commit(message), {});
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].evidence ==
          "body line \"\xF0\x9F\xA4\x96 Generated with [Claude "
          "Code](https://claude.com/claude-code)\"");
  }

  SECTION("a 10 MB single line is shown as an excerpt around the match") {
    std::string message(10 * 1024 * 1024, 'y');
    message += " AGENT-WROTE-THIS ";
    message += std::string(1000, 'z');
    MarkerSet set({spec("policy.tag", MarkerSource::body, "AGENT-WROTE-THIS")});
    std::vector<Detection> ds = set.detect(make_commit(message), {});
    REQUIRE(ds.size() == 1);
    const std::string& evidence = ds[0].evidence;
    CHECK(evidence.rfind("body line \"...yyy", 0) == 0);
    CHECK(evidence.find(" AGENT-WROTE-THIS z") != std::string::npos);
    CHECK(evidence.size() < 260);
    CHECK(evidence.substr(evidence.size() - 6) == "zz...\"");
  }

  SECTION("non-UTF-8 bytes in names and body neither crash nor hide a marker") {
    CommitInfo c = make_commit(
        "Fix \xff\xfe\n\n\xc0\xaf\xed\xa0\x80 bytes\n\xF0\x9F\xA4\x96 Generated with [Claude "
        "Code](https://x)\n",
        identity("D\xe9v (aider)", "d\xff@example.com"), identity("\xff", "\x80@x"));
    std::vector<Detection> ds = builtin().detect(c, {{"Assisted-by", "\xfe\xff"}});
    CHECK(ids_of(ds) == std::vector<std::string>{"claude-code.generated-with", "aider.identity",
                                                 "convention.assisted-by"});
    const Detection* aider = find_detection(ds, "aider.identity");
    REQUIRE(aider != nullptr);
    // Latin-1 "é" is not UTF-8; it is shown escaped so that evidence stays valid UTF-8.
    CHECK(aider->evidence == "author name \"D\\xe9v (aider)\"");
    CHECK(find_detection(ds, "convention.assisted-by")->evidence ==
          "trailer \"Assisted-by: \\xfe\\xff\"");
  }

  SECTION("long evidence is cut between UTF-8 characters, never inside one") {
    std::string value;
    for (int i = 0; i < 300; ++i)
      value += "\xc3\xa9";  // é
    std::vector<Detection> ds = builtin().detect(make_commit("x"), {{"Generated-by", value}});
    REQUIRE(ds.size() == 1);
    const std::string prefix = "trailer \"Generated-by: ";
    const std::string& evidence = ds[0].evidence;
    REQUIRE(evidence.rfind(prefix, 0) == 0);
    REQUIRE(evidence.size() > prefix.size() + 4);
    CHECK(evidence.substr(evidence.size() - 4) == "...\"");
    std::string kept = evidence.substr(prefix.size(), evidence.size() - prefix.size() - 4);
    CHECK(kept.size() <= 200);
    CHECK(kept.size() % 2 == 0);
    for (std::size_t i = 0; i + 1 < kept.size(); i += 2) {
      INFO(i);
      REQUIRE(kept.substr(i, 2) == "\xc3\xa9");
    }
  }

  SECTION("control characters, quotes and backslashes in evidence are escaped") {
    std::vector<Detection> ds =
        builtin().detect(make_commit("x"), {{"Assisted-by", "say \"hi\"\x1b[31m \\ \x7f"}});
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].evidence == "trailer \"Assisted-by: say \\\"hi\\\"\\x1b[31m \\\\ \\x7f\"");
  }
}

namespace {

using trailgate::detect::is_human_value;
using trailgate::detect::names_ai_tool;
using trailgate::detect::trailer_shaped_lines;

// Detection as the pipeline runs it: the trailers are git's block of the message itself.
std::vector<Detection> detect_message(const std::string& message) {
  return builtin().detect(make_commit(message), trailgate::trailers::parse(message).trailers);
}

std::vector<std::string> ids_for(const std::string& message) {
  return ids_of(detect_message(message));
}

const std::string kClaudeFooter =
    "\xF0\x9F\xA4\x96 Generated with [Claude Code](https://claude.com/claude-code)";
const std::vector<std::string> kClaudeCoAuthor = {"claude-code.co-author"};
const std::vector<std::string> kNone = {};

struct MessageCase {
  std::string name;
  std::string message;
  std::vector<std::string> ids;
};

void check_cases(const std::vector<MessageCase>& cases) {
  for (const MessageCase& c : cases) {
    INFO(c.name << "\n---\n" << c.message << "\n---");
    CHECK(ids_for(c.message) == c.ids);
  }
}

}  // namespace

TEST_CASE("detect: a trailer marker outside git's trailer block still marks the commit",
          "[detect]") {
  SECTION("git does not see these trailers, trailgate does") {
    check_cases({
        {"followed by a typed Reviewed-by paragraph",
         "Add cache\n\nBody.\n\n" + kClaudeTrailer + "\n\nReviewed-by: Sam <sam@example.com>\n",
         kClaudeCoAuthor},
        {"followed by any paragraph", "Add cache\n\n" + kClaudeTrailer + "\n\nMore words.\n",
         kClaudeCoAuthor},
        {"in the subject paragraph", "Add cache\n" + kClaudeTrailer + "\n\nBody text.\n",
         kClaudeCoAuthor},
        {"the subject itself", kClaudeTrailer + "\n", kClaudeCoAuthor},
        {"in the middle of a long body",
         "Add cache\n\nline one\nline two\n" + kClaudeTrailer + "\nline three\n\npara\n",
         kClaudeCoAuthor},
        {"other case", "Add cache\n\nco-AUTHORED-by: claude <NOREPLY@anthropic.com>\n\nEnd.\n",
         kClaudeCoAuthor},
        {"blanks before the colon, as git allows",
         "Add cache\n\nCo-authored-by  : Claude <noreply@anthropic.com>\n\nEnd.\n",
         kClaudeCoAuthor},
        {"a cherry-pick line after it",
         "Add cache\n\n" + kClaudeTrailer + "\n\n(cherry picked from commit " +
             std::string(40, 'a') + ")\n",
         kClaudeCoAuthor},
        {"a --- line after it", "Add cache\n\n" + kClaudeTrailer + "\n---\nnotes\n",
         kClaudeCoAuthor},
        {"CRLF line ends", "Add cache\r\n\r\n" + kClaudeTrailer + "\r\n\r\nEnd.\r\n",
         kClaudeCoAuthor},
        {"after a NUL byte", std::string("Add cache\n\nEnd.\n") + '\0' + "\n" + kClaudeTrailer,
         kClaudeCoAuthor},
        {"after a scissors line",
         "Add cache\n\n# ------------------------ >8 ------------------------\n" + kClaudeTrailer +
             "\n",
         kClaudeCoAuthor},
        {"value folded onto the next line",
         "Add cache\n\nCo-authored-by: Claude\n  <noreply@anthropic.com>\n\nEnd.\n",
         kClaudeCoAuthor},
        {"AI-Assisted: yes in the body",
         "Add cache\n\nAI-Assisted: yes\n\nEnd.\n",
         {"convention.ai-assisted"}},
        {"an Assisted-by disclosure in the body",
         "Fix\n\nAssisted-by: GPT-5\n\nThanks.\n",
         {"convention.assisted-by"}},
        {"Agent-Logs-Url in the body",
         "Fix\n\nAgent-Logs-Url: https://x/sessions/1\n\nEnd.\n",
         {"copilot-agent.logs-url"}},
        {"a quoted footer at column 0 is not told apart from a real one",
         "Docs\n\nClaude Code adds this footer:\n\n" + kClaudeTrailer + "\n\nWe strip it.\n",
         kClaudeCoAuthor},
    });
  }

  SECTION("a folded value counts when its first line alone matches the pattern") {
    MarkerSet set({spec("policy.flag", MarkerSource::trailer, "(?i)^yes$", "X-AI")});
    std::string message = "Fix\n\nX-AI: yes\n  (see the notes)\n\nEnd.\n";
    std::vector<Detection> ds = set.detect(make_commit(message), {});
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].evidence == "line \"X-AI: yes\" (a trailer outside git's trailer block)");
  }

  SECTION("a person folded over two lines is still a person") {
    check_cases({{"folded person", "Fix\n\nAssisted-by: Jane Doe\n  <jane@example.com>\n", kNone}});
  }

  SECTION("evidence says the line is outside git's trailer block") {
    std::vector<Detection> ds = detect_message("Add cache\n\n" + kClaudeTrailer +
                                               "\n\nReviewed-by: Sam <sam@example.com>\n");
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].evidence ==
          "line \"Co-authored-by: Claude <noreply@anthropic.com>\" (a trailer outside git's "
          "trailer block)");
  }

  SECTION("inside git's block the evidence is the trailer, as before") {
    std::vector<Detection> ds = detect_message("Add cache\n\n" + kClaudeTrailer + "\n");
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].evidence == "trailer \"Co-authored-by: Claude <noreply@anthropic.com>\"");
  }

  SECTION("a trailer in git's block is reported before a line elsewhere") {
    std::vector<Detection> ds =
        detect_message("Add\n\nCo-authored-by: Claude Opus <noreply@anthropic.com>\n\nx\n\n" +
                       kClaudeTrailer + "\n");
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].evidence == "trailer \"Co-authored-by: Claude <noreply@anthropic.com>\"");
  }

  SECTION("lines that are not trailer-shaped at column 0 do not count") {
    check_cases({
        {"indented four spaces", "Docs\n\nThe footer:\n\n    " + kClaudeTrailer + "\n\nEnd.\n",
         kNone},
        {"indented one space", "Docs\n\n " + kClaudeTrailer + "\n\nEnd.\n", kNone},
        {"indented with a tab", "Docs\n\n\t" + kClaudeTrailer + "\n", kNone},
        {"quoted with >", "Docs\n\nThe footer:\n\n> " + kClaudeTrailer + "\n", kNone},
        {"quoted with > and no space", "Docs\n\n>" + kClaudeTrailer + "\n\nEnd.\n", kNone},
        {"a list item", "Docs\n\n- " + kClaudeTrailer + "\n\nEnd.\n", kNone},
        {"mid-sentence", "Docs\n\nClaude writes " + kClaudeTrailer + " at the end.\n\nEnd.\n",
         kNone},
        {"in backticks", "Docs\n\n`" + kClaudeTrailer + "`\n\nEnd.\n", kNone},
        {"a comment line", "Docs\n\n# " + kClaudeTrailer + "\n\nEnd.\n", kNone},
        {"a key that is not a token", "Docs\n\nCo authored by: Claude <noreply@anthropic.com>\n",
         kNone},
        {"a continuation of another trailer in the block",
         "Docs\n\nNote: the tool writes\n    " + kClaudeTrailer + "\n", kNone},
    });
  }

  SECTION("review trailers outside the block are not markers either") {
    check_cases({
        {"Reviewed-by in the body", "Fix\n\nReviewed-by: Claude <noreply@anthropic.com>\n\nx\n",
         kNone},
    });
  }
}

TEST_CASE("detect: human values of disclosure trailers are not AI markers", "[detect]") {
  SECTION("is_human_value") {
    struct Case {
      std::string value;
      bool human;
    };
    const std::vector<Case> cases = {
        // A person, naming no tool.
        {"Jane Doe <jane@example.com>", true},
        {"Jane <jane@example.com>", true},
        {"  Jane Doe <jane@example.com>  ", true},
        {"Jane Doe<jane@example.com>", true},
        {"Jean-Luc O'Neill <jl@example.org>", true},
        {"J. R. R. Tolkien <jrrt@example.org>", true},
        {"Zoë Ångström <zoe@example.se>", true},
        {"Ana María López <ana@example.es>", true},
        {"Jane Doe <12345+jane@users.noreply.github.com>", true},
        {"Jane Doe <jane.mail@example.com>", true},
        // A person naming a tool, model or vendor: AI.
        {"Claude Monet <claude@monet.example>", false},
        {"Claude Code <claude@example.com>", false},
        {"Claude Sonnet 4.5 <noreply@anthropic.com>", false},
        {"Jane Doe <noreply@anthropic.com>", false},
        {"Jane Doe <jane@openai.com>", false},
        {"Copilot <copilot@github.com>", false},
        {"Devin AI <devin@example.com>", false},
        {"Jane AI <jane@example.com>", false},
        {"Jane Doe <jane@startup.ai>", false},
        {"helper-bot <helper@example.com>", false},
        {"Jane Doe <jane-bot@example.com>", false},
        {"ci[bot] <ci@example.com>", false},
        {"Gemini <g@example.com>", false},
        {"Jane Doe <noreply@example.com>", false},
        {"Jane Doe <no-reply@example.com>", false},
        // Not exactly one person: AI.
        {"GPT-5 via Jane", false},
        {"Jane Doe", false},
        {"jane@example.com", false},
        {"<jane@example.com>", false},
        {"Jane Doe <jane@example.com> coccinelle", false},
        {"Jane Doe <jane@example.com>, Sam <sam@example.com>", false},
        {"Jane Doe 2 <jane@example.com>", false},
        {"Jane (reviewer) <jane@example.com>", false},
        {"Jane Doe <jane example.com>", false},
        {"Jane Doe <jane@example.com", false},
        {"\"Doe, Jane\" <jane@example.com>", false},
        {"J\xff Doe <jane@example.com>", false},
        {"Claude:claude-3-opus coccinelle sparse", false},
        {"", false},
        {"   ", false},
        // A path to a script, naming no tool.
        {"scripts/update-deps.sh", true},
        {"./gen", true},
        {"tools/gen_api.py", true},
        {"update-deps.sh", true},
        {"bin/regen", true},
        {"/usr/local/bin/fmt-all", true},
        {"Makefile.mk", true},
        // A path naming a tool: AI.
        {"scripts/claude.sh", false},
        {"scripts/ask-gpt.py", false},
        {"tools/llmgen.py", false},
        {"scripts/ai-fix.sh", false},
        {"scripts/copilot_apply.sh", false},
        {"bot/run.sh", false},
        {"claude.ai/code", false},
        // Not a path: AI.
        {"claude", false},
        {"ChatGPT", false},
        {"protoc", false},
        {"update-deps", false},
        {"https://example.com/gen.sh", false},
        {"scripts/update deps.sh", false},
        {"scripts/update-deps.sh and Claude", false},
        {"123/456", false},
        {"/", false},
    };
    for (const Case& c : cases) {
      INFO("value: \"" << c.value << "\"");
      CHECK(is_human_value(c.value) == c.human);
    }
  }

  SECTION("names_ai_tool: distinctive names anywhere, short words only whole") {
    struct Case {
      std::string text;
      bool names;
    };
    const std::vector<Case> cases = {
        {"Claude", true},
        {"claude-wrapper.sh", true},
        {"GPT4", true},
        {"gpt-4o", true},
        {"ChatGPT", true},
        {"o3-mini", true},
        {"O1", true},
        {"copilot", true},
        {"Gemini CLI", true},
        {"llama.cpp", true},
        {"LLM", true},
        {"llmgen", true},
        {"the AI", true},
        {"[bot]", true},
        {"Agent", true},
        {"Amazon Q", true},
        {"Amazon  Q Developer", true},
        {"Mail Smith", false},
        {"Aimee", false},
        {"Botticelli", false},
        {"Tallman", false},
        {"Fullmer", false},
        {"Sam Opusz", false},
        {"Jane Doe", false},
        {"Lamp", false},
        {"Kairo", false},
        {"scripts/update-deps.sh", false},
        {"go1", false},
    };
    for (const Case& c : cases) {
      INFO("text: \"" << c.text << "\"");
      CHECK(names_ai_tool(c.text) == c.names);
    }
  }

  SECTION("the issue's false positives, as whole messages") {
    check_cases({
        {"Assisted-by a person", "Update deps\n\nAssisted-by: Jane Doe <jane@example.com>\n",
         kNone},
        {"Generated-by a script", "Update deps\n\nGenerated-by: scripts/update-deps.sh\n", kNone},
        {"Co-authored-by a painter named Claude",
         "Paint\n\nCo-authored-by: Claude Monet <claude@monet.example>\n", kNone},
        {"a footer quoted in an indented block",
         "Document the footer\n\nClaude Code ends its commits with:\n\n    " + kClaudeFooter +
             "\n\n    " + kClaudeTrailer + "\n\nWe keep it.\n",
         kNone},
        {"a footer quoted with a tab",
         "Document the footer\n\nExample:\n\n\t" + kClaudeFooter + "\n\t" + kClaudeTrailer + "\n",
         kNone},
        {"a footer quoted with >",
         "Document the footer\n\nExample:\n\n> " + kClaudeFooter + "\n>\n> " + kClaudeTrailer +
             "\n",
         kNone},
        {"a nested > quote", "Docs\n\n> > " + kClaudeFooter + "\n", kNone},
        {"Assisted-by a person, outside the block",
         "Update deps\n\nAssisted-by: Jane Doe <jane@example.com>\n\nThanks.\n", kNone},
    });
  }

  SECTION("the attacker cannot pick the exemption: these stay AI-assisted") {
    check_cases({
        {"Claude Monet at Anthropic's noreply address",
         "Paint\n\nCo-authored-by: Claude Monet <noreply@anthropic.com>\n", kClaudeCoAuthor},
        {"Claude Sonnet 4.5", "Fix\n\nCo-authored-by: Claude Sonnet 4.5 <noreply@anthropic.com>\n",
         kClaudeCoAuthor},
        {"Assisted-by Claude Code",
         "Fix\n\nAssisted-by: Claude Code <claude@example.com>\n",
         {"convention.assisted-by"}},
        {"Assisted-by a model via a person",
         "Fix\n\nAssisted-by: GPT-5 via Jane\n",
         {"convention.assisted-by"}},
        {"Assisted-by a painter named Claude",
         "Fix\n\nAssisted-by: Claude Monet <claude@monet.example>\n",
         {"convention.assisted-by"}},
        {"Assisted-by a person and a tool",
         "Fix\n\nAssisted-by: Jane Doe <jane@example.com> coccinelle\n",
         {"convention.assisted-by"}},
        {"Assisted-by a person, folded onto a model",
         "Fix\n\nAssisted-by: Jane Doe <jane@example.com>\n  and Claude\n",
         {"convention.assisted-by"}},
        {"Assisted-by, kernel style",
         "Fix\n\nAssisted-by: Claude:claude-3-opus coccinelle\n",
         {"convention.assisted-by"}},
        {"Generated-by a tool name", "Fix\n\nGenerated-by: claude\n", {"convention.generated-by"}},
        {"Generated-by a script named after a tool",
         "Fix\n\nGenerated-by: scripts/claude.sh\n",
         {"convention.generated-by"}},
        {"Generated-by an empty value", "Fix\n\nGenerated-by:\n", {"convention.generated-by"}},
        {"Generated-by a generator that is not a path",
         "Fix\n\nGenerated-by: protoc\n",
         {"convention.generated-by"}},
        {"a person exemption on one line does not cover another",
         "Fix\n\nAssisted-by: Jane Doe <jane@example.com>\nAssisted-by: ChatGPT\n",
         {"convention.assisted-by"}},
        {"a footer at column 0", "Docs\n\n" + kClaudeFooter + "\n", {"claude-code.generated-with"}},
        {"a footer three spaces in",
         "Docs\n\n   " + kClaudeFooter + "\n",
         {"claude-code.generated-with"}},
        {"a quoted footer trailer at column 0, inside git's block",
         "Docs\n\nThe footer is\n\n" + kClaudeTrailer + "\n", kClaudeCoAuthor},
    });
  }

  SECTION("the evidence of a disclosure names the value that counted") {
    std::vector<Detection> ds =
        detect_message("Fix\n\nAssisted-by: Jane Doe <jane@example.com>\nAssisted-by: ChatGPT\n");
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].evidence == "trailer \"Assisted-by: ChatGPT\"");
  }

  SECTION("a policy marker is not exempt unless it says so") {
    MarkerSet set({spec("policy.assisted", MarkerSource::trailer, "", "Assisted-by")});
    std::string message = "Fix\n\nAssisted-by: Jane Doe <jane@example.com>\n";
    CHECK(ids_of(set.detect(make_commit(message), trailgate::trailers::parse(message).trailers)) ==
          std::vector<std::string>{"policy.assisted"});
  }
}

TEST_CASE("detect: trailer_shaped_lines", "[detect]") {
  struct Line {
    std::size_t offset;
    std::string key;
    std::string value;
    std::string first_line;
  };
  struct Case {
    std::string message;
    std::vector<Line> lines;
  };
  const std::vector<Case> cases = {
      {"", {}},
      {"Subject\n", {}},
      {"Key: v", {{0, "Key", "v", "v"}}},
      {"a\nKey: v\n", {{2, "Key", "v", "v"}}},
      {"Key : v\n", {{0, "Key", "v", "v"}}},
      {"Key\t: v\n", {{0, "Key", "v", "v"}}},
      {"Key:v\n", {{0, "Key", "v", "v"}}},
      {"Key:\n", {{0, "Key", "", ""}}},
      {": v\n", {}},
      {" Key: v\n", {}},
      {"K ey: v\n", {}},
      {"Key x: v\n", {}},
      {"Ke_y: v\n", {}},
      {"Key: a\n  b\n\tc\nOther: d\n", {{0, "Key", "a b c", "a"}, {14, "Other", "d", "d"}}},
      {"Key: a\n \n  b\n", {{0, "Key", "a", "a"}}},
      {"Key: a\r\nNext: b\r\n", {{0, "Key", "a", "a"}, {8, "Next", "b", "b"}}},
      {"http://example.com\n", {{0, "http", "//example.com", "//example.com"}}},
      {std::string("x\0Key: v\n", 9), {}},
      {std::string("x\0\nKey: v\n", 10), {{3, "Key", "v", "v"}}},
  };
  for (const Case& c : cases) {
    INFO("message: \"" << c.message << "\"");
    std::vector<trailgate::detect::TrailerShapedLine> got = trailer_shaped_lines(c.message);
    REQUIRE(got.size() == c.lines.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      CHECK(got[i].offset == c.lines[i].offset);
      CHECK(got[i].key == c.lines[i].key);
      CHECK(got[i].value == c.lines[i].value);
      CHECK(got[i].first_line == c.lines[i].first_line);
    }
  }
}

TEST_CASE("detect: trailer-shaped lines cost linear time and bounded evidence", "[detect]") {
  SECTION("10 MB of co-author lines that match nothing, the marker on the last line") {
    std::string message = "Regenerate\n\n";
    while (message.size() < 10 * 1024 * 1024)
      message += "Co-authored-by: Jane Doe <jane@example.com>\n";
    message += "\nx\n\n" + kClaudeTrailer + "\n\nEnd.\n";
    auto start = std::chrono::steady_clock::now();
    std::vector<Detection> ds = detect_message(message);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CHECK(ids_of(ds) == kClaudeCoAuthor);
    CHECK(seconds < 20);
  }

  SECTION("a 10 MB folded value is cut in the evidence") {
    std::string message = "Fix\n\nAssisted-by: x";
    while (message.size() < 10 * 1024 * 1024)
      message += "\n yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy";
    message += "\n\nEnd.\n";
    std::vector<Detection> ds = detect_message(message);
    REQUIRE(ids_of(ds) == std::vector<std::string>{"convention.assisted-by"});
    CHECK(ds[0].evidence.size() < 300);
  }
}
