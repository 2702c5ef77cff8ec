// Tests of the late-2026 catalogue: every marker's class, the new markers from the exact strings
// the tools write, what a disclosure names (agent, model, tools), and a corpus of ordinary
// messages that mention the tools in prose and must not be marked. Trailers are parsed with the
// real trailer parser, as the pipeline does.

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "detect/markers.h"
#include "support/model.h"

namespace {

using trailgate::CommitInfo;
using trailgate::Identity;
using trailgate::detect::builtin_catalogue;
using trailgate::detect::catalogue_version;
using trailgate::detect::Detection;
using trailgate::detect::KernelDisclosure;
using trailgate::detect::MarkerClass;
using trailgate::detect::MarkerSet;
using trailgate::detect::MarkerSource;
using trailgate::detect::MarkerSpec;
using trailgate::detect::parse_kernel_disclosure;
using trailgate::testing::identity;
using trailgate::testing::kJane;
using trailgate::testing::make_commit;

const MarkerSet& builtin() {
  static const MarkerSet set(builtin_catalogue());
  return set;
}

// Detection as the pipeline runs it: git's trailer block, parsed from the message.
std::vector<Detection> detect(const CommitInfo& c) {
  return builtin().detect(c, trailgate::trailers::parse(c.message).trailers);
}

std::vector<std::string> ids_of(const std::vector<Detection>& ds) {
  std::vector<std::string> ids;
  for (const Detection& d : ds)
    ids.push_back(d.marker_id);
  return ids;
}

// The one detection of `c` by `id`; fails the test when there is none.
Detection only(const CommitInfo& c, const std::string& id) {
  std::vector<Detection> ds = detect(c);
  INFO(c.message << "detections: " << ids_of(ds).size());
  auto it =
      std::find_if(ds.begin(), ds.end(), [&](const Detection& d) { return d.marker_id == id; });
  REQUIRE(it != ds.end());
  return *it;
}

// The class of every built-in marker, decided one by one. A marker added to the catalogue
// without a decision here fails the test below.
const std::map<std::string, MarkerClass>& decided_classes() {
  static const std::map<std::string, MarkerClass> classes = {
      {"claude-code.co-author", MarkerClass::assisted},
      {"claude-code.generated-with", MarkerClass::assisted},
      {"claude-code.session", MarkerClass::assisted},
      {"claude-code.identity", MarkerClass::agent},
      {"copilot-agent.identity", MarkerClass::agent},
      {"copilot-agent.co-author", MarkerClass::assisted},
      {"copilot-agent.logs-url", MarkerClass::agent},
      {"copilot-autofix.co-author", MarkerClass::assisted},
      {"copilot.co-author", MarkerClass::assisted},
      {"aider.identity", MarkerClass::assisted},
      {"aider.co-author", MarkerClass::assisted},
      {"aider.subject", MarkerClass::assisted},
      {"codex.co-author", MarkerClass::assisted},
      {"codex.identity", MarkerClass::agent},
      {"cursor.co-author", MarkerClass::assisted},
      {"cursor.made-with", MarkerClass::assisted},
      {"cursor.identity", MarkerClass::agent},
      {"devin.identity", MarkerClass::agent},
      {"devin.co-author", MarkerClass::assisted},
      {"devin.generated-with", MarkerClass::assisted},
      {"jules.identity", MarkerClass::agent},
      {"jules.co-author", MarkerClass::assisted},
      {"gemini-code-assist.identity", MarkerClass::agent},
      {"gemini-code-assist.co-author", MarkerClass::assisted},
      {"amp.thread-id", MarkerClass::assisted},
      {"amp.co-author", MarkerClass::assisted},
      {"amp.generated-with", MarkerClass::assisted},
      {"cline.co-author", MarkerClass::assisted},
      {"cline.generated-with", MarkerClass::assisted},
      {"opencode.co-author", MarkerClass::assisted},
      {"opencode.generated-with", MarkerClass::assisted},
      {"opencode.identity", MarkerClass::agent},
      {"openhands.identity", MarkerClass::agent},
      {"openhands.co-author", MarkerClass::assisted},
      {"factory.identity", MarkerClass::agent},
      {"factory.co-author", MarkerClass::assisted},
      {"warp.identity", MarkerClass::agent},
      {"warp.co-author", MarkerClass::assisted},
      {"roo.identity", MarkerClass::agent},
      {"roo.co-author", MarkerClass::assisted},
      {"continue.identity", MarkerClass::agent},
      {"continue.co-author", MarkerClass::assisted},
      {"convention.assisted-by", MarkerClass::assisted},
      {"convention.generated-by", MarkerClass::assisted},
      {"convention.ai-assisted", MarkerClass::assisted},
  };
  return classes;
}

// One new marker, written the way its tool writes it.
struct NewMarker {
  std::string what;  // the exact string, for the failure message
  CommitInfo commit;
  std::vector<std::string> ids;  // every detection, in catalogue order
  MarkerClass marker_class;      // of ids.front()
  std::string model = {};        // of ids.front()
};

std::vector<NewMarker> new_markers() {
  auto msg = [](const std::string& trailer) { return make_commit("Fix bug\n\n" + trailer + "\n"); };
  auto by = [](const std::string& name, const std::string& email) {
    return make_commit("Fix bug\n", identity(name, email));
  };
  auto committed_by = [](const std::string& name, const std::string& email) {
    return make_commit("Fix bug\n", kJane, identity(name, email));
  };
  const auto A = MarkerClass::agent;
  const auto H = MarkerClass::assisted;
  return {
      // OpenAI Codex
      {"Co-authored-by: Codex <noreply@openai.com>",
       msg("Co-authored-by: Codex <noreply@openai.com>"),
       {"codex.co-author"},
       H},
      {"Co-authored-by: Codex <codex@openai.com>",
       msg("Co-authored-by: Codex <codex@openai.com>"),
       {"codex.co-author"},
       H},
      {"author Codex <codex@openai.com>", by("Codex", "codex@openai.com"), {"codex.identity"}, A},
      // Claude
      {"author claude[bot]",
       by("claude[bot]", "209825114+claude[bot]@users.noreply.github.com"),
       {"claude-code.identity"},
       A},
      {"committer claude-code[bot]",
       committed_by("claude-code[bot]", "claude-code[bot]@users.noreply.github.com"),
       {"claude-code.identity"},
       A},
      {"Claude-Session:",
       msg("Claude-Session: https://claude.ai/code/session_01AbCdEf"),
       {"claude-code.session"},
       H},
      {"Co-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>",
       msg("Co-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>"),
       {"claude-code.co-author"},
       H,
       "Claude Opus 4.5"},
      {"Co-authored-by: claude[bot] (squash merge)",
       msg("Co-authored-by: claude[bot] <209825114+claude[bot]@users.noreply.github.com>"),
       {"claude-code.co-author"},
       H},
      // Cursor
      {"Made-with: Cursor", msg("Made-with: Cursor"), {"cursor.made-with"}, H},
      {"author cursoragent@cursor.com",
       by("Cursor Agent", "cursoragent@cursor.com"),
       {"cursor.identity"},
       A},
      {"author <digits>+cursoragent@users.noreply.github.com",
       by("Cursor Agent", "199161495+cursoragent@users.noreply.github.com"),
       {"cursor.identity"},
       A},
      {"Co-authored-by: Cursor Agent <cursoragent@cursor.com>",
       msg("Co-authored-by: Cursor Agent <cursoragent@cursor.com>"),
       {"cursor.co-author"},
       H},
      {"Co-authored-by: Cursor Agent <digits+cursoragent@users.noreply.github.com>",
       msg("Co-authored-by: Cursor Agent <199161495+cursoragent@users.noreply.github.com>"),
       {"cursor.co-author"},
       H},
      // Copilot coding agent
      {"Agent-Logs-Url:",
       msg("Agent-Logs-Url: https://github.com/o/r/sessions/0f6d2c1e-5b7a-4d2e-9c3b-1a2b3c4d5e6f"),
       {"copilot-agent.logs-url"},
       A},
      // Amp
      {"Amp-Thread-ID:",
       msg("Amp-Thread-ID: https://ampcode.com/threads/T-5c3a0b2e-1f4d-4e6a-8b9c"),
       {"amp.thread-id"},
       H},
      {"Generated with [Amp]",
       make_commit("Fix bug\n\n\xF0\x9F\xA4\x96 Generated with [Amp](https://ampcode.com)\n"),
       {"amp.generated-with"},
       H},
      // Cline
      {"Co-Authored-By: Cline <noreply@cline.bot>",
       msg("Co-Authored-By: Cline <noreply@cline.bot>"),
       {"cline.co-author"},
       H},
      {"Generated with [Cline]",
       make_commit("Fix bug\n\n\xF0\x9F\xA4\x96 Generated with [Cline](https://docs.cline.bot)\n"),
       {"cline.generated-with"},
       H},
      // opencode
      {"Generated with [opencode]",
       make_commit("Fix bug\n\n\xF0\x9F\xA4\x96 Generated with [opencode](https://opencode.ai)\n"),
       {"opencode.generated-with"},
       H},
      {"Co-Authored-By: opencode <noreply@opencode.ai>",
       msg("Co-Authored-By: opencode <noreply@opencode.ai>"),
       {"opencode.co-author"},
       H},
      {"author opencode-agent[bot]",
       by("opencode-agent[bot]", "219766164+opencode-agent[bot]@users.noreply.github.com"),
       {"opencode.identity"},
       A},
      {"Co-authored-by: opencode-agent[bot]",
       msg("Co-authored-by: opencode-agent[bot] "
           "<219766164+opencode-agent[bot]@users.noreply.github.com>"),
       {"opencode.co-author"},
       H},
      // Jules
      {"author google-labs-jules[bot]",
       by("google-labs-jules[bot]", "161369871+google-labs-jules[bot]@users.noreply.github.com"),
       {"jules.identity"},
       A},
      {"Co-authored-by: google-labs-jules[bot]",
       msg("Co-authored-by: google-labs-jules[bot] "
           "<161369871+google-labs-jules[bot]@users.noreply.github.com>"),
       {"jules.co-author"},
       H},
      // Factory, Warp, Roo, Continue
      {"author factory-droid[bot]",
       by("factory-droid[bot]", "138933559+factory-droid[bot]@users.noreply.github.com"),
       {"factory.identity"},
       A},
      {"Co-authored-by: factory-droid[bot]",
       msg("Co-authored-by: factory-droid[bot] "
           "<138933559+factory-droid[bot]@users.noreply.github.com>"),
       {"factory.co-author"},
       H},
      {"author oz-agent@warp.dev", by("Oz", "oz-agent@warp.dev"), {"warp.identity"}, A},
      {"Co-Authored-By: Oz <oz-agent@warp.dev>",
       msg("Co-Authored-By: Oz <oz-agent@warp.dev>"),
       {"warp.co-author"},
       H},
      {"author roomote@roocode.com", by("Roomote", "roomote@roocode.com"), {"roo.identity"}, A},
      {"author roomote[bot]",
       by("roomote[bot]", "211212180+roomote[bot]@users.noreply.github.com"),
       {"roo.identity"},
       A},
      {"Co-authored-by: Roomote <roomote@roocode.com>",
       msg("Co-authored-by: Roomote <roomote@roocode.com>"),
       {"roo.co-author"},
       H},
      {"Co-authored-by: roomote[bot]",
       msg("Co-authored-by: roomote[bot] <211212180+roomote[bot]@users.noreply.github.com>"),
       {"roo.co-author"},
       H},
      {"author noreply@continue.dev",
       by("Continue", "noreply@continue.dev"),
       {"continue.identity"},
       A},
      {"Co-authored-by: Continue <noreply@continue.dev>",
       msg("Co-authored-by: Continue <noreply@continue.dev>"),
       {"continue.co-author"},
       H},
      // The Linux kernel's convention
      {"Assisted-by: Claude:claude-3-opus coccinelle sparse",
       msg("Assisted-by: Claude:claude-3-opus coccinelle sparse"),
       {"convention.assisted-by"},
       H,
       "claude-3-opus"},
  };
}

}  // namespace

TEST_CASE("detect: every built-in marker has a decided class", "[detect]") {
  std::set<std::string> in_catalogue;
  for (const MarkerSpec& s : builtin_catalogue()) {
    INFO(s.id);
    in_catalogue.insert(s.id);
    auto it = decided_classes().find(s.id);
    REQUIRE(it != decided_classes().end());
    CHECK(s.marker_class == it->second);
  }
  std::set<std::string> decided;
  for (const auto& [id, c] : decided_classes())
    decided.insert(id);
  CHECK(decided == in_catalogue);

  SECTION("agent markers are identities, except the coding agent's own session trailer") {
    for (const MarkerSpec& s : builtin_catalogue()) {
      INFO(s.id);
      if (s.marker_class == MarkerClass::agent && s.source != MarkerSource::identity)
        CHECK(s.id == "copilot-agent.logs-url");
    }
  }

  SECTION("a human's name with a tool suffix is assisted: the author is the human") {
    CHECK(only(make_commit("Add retry\n", identity("Dev (aider)", "dev@example.com")),
               "aider.identity")
              .marker_class == MarkerClass::assisted);
  }
}

TEST_CASE("detect: the late-2026 markers, from the exact strings the tools write", "[detect]") {
  for (const NewMarker& m : new_markers()) {
    INFO(m.what << "\nmessage: " << m.commit.message << "author: " << m.commit.author.name << " <"
                << m.commit.author.email << ">\ncommitter: " << m.commit.committer.name << " <"
                << m.commit.committer.email << ">");
    std::vector<Detection> ds = detect(m.commit);
    CHECK(ids_of(ds) == m.ids);
    REQUIRE_FALSE(ds.empty());
    CHECK(ds.front().marker_class == m.marker_class);
    CHECK(ds.front().model == m.model);
    CHECK_FALSE(ds.front().evidence.empty());
  }

  SECTION("evidence names what matched") {
    CHECK(only(new_markers()[9].commit, "cursor.identity").evidence ==
          "author email \"cursoragent@cursor.com\"");
    CHECK(only(make_commit("Fix bug\n\nAgent-Logs-Url: https://github.com/o/r/sessions/1\n"),
               "copilot-agent.logs-url")
              .evidence == "trailer \"Agent-Logs-Url: https://github.com/o/r/sessions/1\"");
    CHECK(only(make_commit("Fix bug\n\nGenerated with [opencode](https://opencode.ai)\n"),
               "opencode.generated-with")
              .evidence == "body line \"Generated with [opencode](https://opencode.ai)\"");
  }

  SECTION("keys and addresses compare without case, as git and mail do") {
    CHECK(ids_of(detect(make_commit("Fix\n\nmade-with: cursor\n"))) ==
          std::vector<std::string>{"cursor.made-with"});
    CHECK(ids_of(detect(make_commit("Fix\n\nAGENT-LOGS-URL: x\n"))) ==
          std::vector<std::string>{"copilot-agent.logs-url"});
    CHECK(ids_of(detect(make_commit("Fix\n", identity("Oz", "OZ-Agent@Warp.dev")))) ==
          std::vector<std::string>{"warp.identity"});
    CHECK(ids_of(detect(make_commit("Fix\n\nCo-authored-by: Cline <NoReply@Cline.Bot>\n"))) ==
          std::vector<std::string>{"cline.co-author"});
  }

  SECTION("an agent trailer outside git's trailer block still makes the commit the agent's") {
    Detection d = only(make_commit("Fix bug\n\nAgent-Logs-Url: https://github.com/o/r/sessions/1\n"
                                   "\nMore text typed after the trailers.\n"),
                       "copilot-agent.logs-url");
    CHECK(d.marker_class == MarkerClass::agent);
    CHECK(d.evidence.find("a trailer outside git's trailer block") != std::string::npos);
  }

  SECTION("the agent as committer only still marks the commit as the agent's") {
    CommitInfo c = make_commit("Fix bug\n", kJane, identity("Oz", "oz-agent@warp.dev"));
    Detection d = only(c, "warp.identity");
    CHECK(d.marker_class == MarkerClass::agent);
    CHECK(d.evidence == "committer email \"oz-agent@warp.dev\"");
  }

  SECTION(
      "the Copilot agent's own commit: identity and session trailer are agent, the assigning "
      "human co-author is no marker") {
    const Identity bot =
        identity("copilot-swe-agent[bot]", "198982749+Copilot@users.noreply.github.com");
    CommitInfo c = make_commit(
        "Fix parser\n\nCo-authored-by: octocat <583231+octocat@users.noreply.github.com>\n"
        "Agent-Logs-Url: https://github.com/o/r/sessions/5f0c\n",
        bot, bot);
    std::vector<Detection> ds = detect(c);
    CHECK(ids_of(ds) ==
          std::vector<std::string>{"copilot-agent.identity", "copilot-agent.logs-url"});
    for (const Detection& d : ds)
      CHECK(d.marker_class == MarkerClass::agent);
  }
}

TEST_CASE("detect: bot and address look-alikes of the new markers are not markers", "[detect]") {
  SECTION("identities") {
    for (const Identity& who : {
             identity("claude", "claude@example.com"),
             identity("Claude", "noreply@anthropic.com.example.org"),
             identity("evil-claude[bot]", "1+evil-claude[bot]@users.noreply.github.com"),
             identity("Jane", "claude[bot]@example.com"),
             identity("Jane", "1+claude[bot]@users.noreply.github.com.example.org"),
             identity("claude[bot] fan", "fan@example.com"),
             identity("Jane", "x-cursoragent@cursor.com"),
             identity("Jane", "cursoragent@cursor.com.example.org"),
             identity("Jane", "jane+cursoragent@users.noreply.github.com"),
             identity("Cursor Agent", "agent@example.com"),
             identity("Oz", "oz@warp.dev"),
             identity("Jane", "oz-agent@warp.dev.example.org"),
             identity("Roo", "roo@roocode.com"),
             identity("Jane", "myroomote@roocode.com"),
             identity("Jane", "jane@continue.dev"),
             identity("Jane", "noreply@continue.dev.example.org"),
             identity("factory-droid", "factory@example.com"),
             identity("opencode-agent", "opencode@example.com"),
             identity("Codex", "jane@openai.com"),
             identity("Jane", "codex@openai.com.example.org"),
         }) {
      INFO(who.name << " <" << who.email << ">");
      CHECK(ids_of(detect(make_commit("Fix bug\n", who))).empty());
      CHECK(ids_of(detect(make_commit("Fix bug\n", kJane, who))).empty());
    }
  }

  SECTION("co-authors") {
    for (const char* value : {
             "Sam <sam@openai.com>",
             "Codex Fan <codex@openai.com.example.org>",
             "Lee <lee@cursor.com>",
             "Cursor Agent <agent@cursor.example>",
             "Ozzy <oz@warp.dev>",
             "Cline Rivera <cline@example.com>",
             "Cline <x-noreply@cline.bot>",
             "Amp Singh <amp@example.com>",
             "Kim <kim@continue.dev>",
             "Roo <roo@roocode.com>",
             "Jane <1+evil-factory-droid[bot]@users.noreply.github.com>",
             "Claude Monet <claude@monet.example>",
         }) {
      INFO(value);
      CHECK(ids_of(detect(make_commit(std::string("Pair\n\nCo-authored-by: ") + value + "\n")))
                .empty());
    }
  }
}

TEST_CASE("detect: ordinary messages that mention the tools are not AI-assisted", "[detect]") {
  const std::vector<std::string> corpus = {
      "Switch the Codex client to the v2 endpoint\n",
      "Revert 'Generated with [Amp]' footer docs\n",
      "Strip the Generated with [opencode] footer from squash messages\n",
      "Fix the cursor position after paste\n",
      "Keep the cursor visible while scrolling\n\nThe editor made the cursor jump on resize.\n",
      "Amp up the retry budget for flaky mirrors\n",
      "Continue the loop when an entry is empty\n",
      "continue.dev integration notes\n",
      "Add Cline and opencode to the comparison table\n",
      "Bump claude-code-action to v1\n",
      "Teach the CODEOWNERS check about claude[bot] and factory-droid[bot]\n",
      "Rename Factory to Builder in the DI container\n",
      "Warp drive: faster flush of the write-ahead log\n",
      "Roo: adjust the kangaroo sprite\n",
      "Parse Agent-Logs-Url trailers in the importer\n",
      "Document Claude-Session\n\nA `Claude-Session:` trailer links the session.\n",
      "Mention Made-with in the docs\n\nThe Made-with: Cursor trailer is added by Cursor.\n",
      "docs: show the footers tools write\n\nFor example:\n\n"
      "    Co-authored-by: Codex <noreply@openai.com>\n"
      "    Made-with: Cursor\n"
      "    Amp-Thread-ID: https://ampcode.com/threads/T-1\n"
      "    Agent-Logs-Url: https://github.com/o/r/sessions/1\n"
      "    Claude-Session: https://claude.ai/code/session_1\n",
      "docs: quote a footer\n\n> \xF0\x9F\xA4\x96 Generated with [Cline](https://docs.cline.bot)\n"
      "> Co-Authored-By: Cline <noreply@cline.bot>\n",
      "docs: tab-indented sample\n\n\t\xF0\x9F\xA4\x96 Generated with "
      "[opencode](https://opencode.ai)"
      "\n\tCo-Authored-By: opencode <noreply@opencode.ai>\n",
      "docs: four-space sample\n\n    Generated with [Amp](https://ampcode.com)\n",
      "docs: the kernel's form\n\nWe now accept Assisted-by: Claude:claude-3-opus in messages.\n",
      "docs: quoted kernel form\n\n> Assisted-by: Claude:claude-3-opus coccinelle sparse\n",
      "Co-authored-by: parse the key without case\n",
      "Pair with Jane\n\nCo-authored-by: Jane Doe <jane@example.com>\n",
      "Pair with Sam\n\nCo-authored-by: Sam Altmann <sam@openai.com>\n",
      "Pair with Lee\n\nCo-authored-by: Lee <lee@cursor.com>\n",
      "Fix gestures\n\nMade-with: love\n",
      "Fix gestures\n\nMade-with: Cursorial gestures\n",
      "Thank a person\n\nAssisted-by: Jane Doe <jane@example.com>\n",
      "Regenerate parsers\n\nGenerated-by: scripts/gen-parsers.sh\n",
      "Fix typo\n\nAI-Assisted: no\n",
      "Agent logs: keep 30 days\n\nAgent-Logs-Retention: 30\n",
      "Amp threads: link them in the changelog\n\nAmp-Thread: none\n",
      "Use the opencode CLI in CI\n\nSee https://opencode.ai and "
      "noreply@opencode.ai.example.org.\n",
      "Explain the workflow\n\nThe bot writes 'Generated with [Cline]' at the end; we strip it.\n",
      "Remove oz-agent@warp.dev from the mailmap\n",
      "Ignore roomote@roocode.com in the contributor stats\n",
      "Drop the noreply@continue.dev alias\n",
      "Rework the agent loop\n\nThe agent now continues after a failed tool call.\n",
  };
  REQUIRE(corpus.size() >= 30);
  for (const std::string& message : corpus) {
    INFO(message);
    CHECK(ids_of(detect(make_commit(message))).empty());
  }

  SECTION("authors whose names mention the tools are people") {
    for (const Identity& who :
         {identity("Claude Monet", "claude@monet.example"),
          identity("Cursor Dev", "dev@cursor.example"), identity("Amp Singh", "amp@example.com"),
          identity("Cline Rivera", "cline@example.com"),
          identity("Jules Verne", "jules@example.com")}) {
      INFO(who.name);
      CHECK(ids_of(detect(make_commit("Fix bug\n", who))).empty());
    }
  }
}

TEST_CASE("detect::parse_kernel_disclosure", "[detect]") {
  auto parse = [](std::string_view v) { return parse_kernel_disclosure(v); };

  SECTION("the kernel's example") {
    std::optional<KernelDisclosure> k = parse("Claude:claude-3-opus coccinelle sparse");
    REQUIRE(k);
    CHECK(k->agent == "Claude");
    CHECK(k->model == "claude-3-opus");
    CHECK(k->tools == std::vector<std::string>{"coccinelle", "sparse"});
  }

  SECTION("tools are optional") {
    std::optional<KernelDisclosure> k = parse("Copilot:gpt-4.1");
    REQUIRE(k);
    CHECK(k->agent == "Copilot");
    CHECK(k->model == "gpt-4.1");
    CHECK(k->tools.empty());
  }

  SECTION("blanks around and between words, line breaks included, separate words") {
    std::optional<KernelDisclosure> k = parse("  Claude:claude-3-opus\tcoccinelle \n sparse  ");
    REQUIRE(k);
    CHECK(k->agent == "Claude");
    CHECK(k->model == "claude-3-opus");
    CHECK(k->tools == std::vector<std::string>{"coccinelle", "sparse"});
  }

  SECTION("the template's brackets around a tool are dropped") {
    std::optional<KernelDisclosure> k = parse("Claude:claude-3-opus [coccinelle] [sparse]");
    REQUIRE(k);
    CHECK(k->tools == std::vector<std::string>{"coccinelle", "sparse"});
  }

  SECTION("the first ':' splits: the model may hold ':' and '/', the agent '.', '_', '+', '-'") {
    std::optional<KernelDisclosure> k = parse("Ollama:llama3:8b");
    REQUIRE(k);
    CHECK(k->agent == "Ollama");
    CHECK(k->model == "llama3:8b");
    k = parse("open_code.cli+2-x:anthropic/claude-sonnet-4@20250514 scripts/checkpatch.pl");
    REQUIRE(k);
    CHECK(k->agent == "open_code.cli+2-x");
    CHECK(k->model == "anthropic/claude-sonnet-4@20250514");
    CHECK(k->tools == std::vector<std::string>{"scripts/checkpatch.pl"});
  }

  SECTION("names of up to 128 bytes and up to 16 tools; more is not the kernel's form") {
    const std::string name128(128, 'a');
    std::string sixteen_tools;
    for (int i = 0; i < 16; ++i)
      sixteen_tools += " t" + std::to_string(i);
    std::optional<KernelDisclosure> k =
        parse(name128 + ":" + name128 + sixteen_tools + " [" + name128 + "]");
    CHECK_FALSE(k);  // 17 tools
    k = parse(name128 + ":" + name128 + " [" + name128 + "]");
    REQUIRE(k);
    CHECK(k->agent == name128);
    CHECK(k->model == name128);
    CHECK(k->tools == std::vector<std::string>{name128});
    REQUIRE(parse("Claude:opus" + sixteen_tools));
    CHECK(parse("Claude:opus" + sixteen_tools)->tools.size() == 16);
    CHECK_FALSE(parse(name128 + "a:opus"));
    CHECK_FALSE(parse("Claude:" + name128 + "a"));
    CHECK_FALSE(parse("Claude:opus " + name128 + "a"));
  }

  SECTION("a huge value is read in one pass and refused early") {
    std::string huge = "Claude:opus";
    for (int i = 0; i < 200000; ++i)
      huge += " sparse";
    CHECK_FALSE(parse(huge));
  }

  SECTION("anything else is not the kernel's form") {
    for (const char* value : {
             "",
             "   \t ",
             "Claude",
             "Claude:",
             ":claude-3-opus",
             "Claude :claude-3-opus",
             "ChatGPT: wrote the tests",
             "generic LLM chatbot",
             "https://example.com/tool",
             "Jane Doe <jane@example.com>",
             "Claude:claude-3-opus (via Jane)",
             "Claude:claude-3-opus coccinelle, sparse",
             "Claude:claude-3-opus <noreply@anthropic.com>",
             "Cl\xC3\xA4ude:opus",
             "Claude:opus-\xC3\xA4",
             "Claude:claude-3-opus []",
             "Claude:claude-3-opus [sparse",
             "Claude:claude-3-opus sparse]",
             "-Claude:claude-3-opus",
             "Claude:-claude-3-opus",
             "Claude:/claude-3-opus",
             "Claude:claude-3-opus\x01",
             "Claude:claude-3-opus -sparse",
         }) {
      INFO('"' << value << '"');
      CHECK_FALSE(parse(value));
    }
  }
}

TEST_CASE("detect: what a disclosure names fills the detection", "[detect]") {
  auto assisted_by = [](const std::string& value) {
    return only(make_commit("Fix race\n\nAssisted-by: " + value + "\n"), "convention.assisted-by");
  };

  SECTION("a kernel-form Assisted-by gives agent, model and tools") {
    Detection d = assisted_by("Claude:claude-3-opus coccinelle sparse");
    CHECK(d.agent == "Claude");
    CHECK(d.model == "claude-3-opus");
    CHECK(d.tools == std::vector<std::string>{"coccinelle", "sparse"});
    CHECK(d.marker_class == MarkerClass::assisted);
  }

  SECTION("folded onto a second line, as git unfolds it") {
    Detection d = only(make_commit("Fix race\n\nAssisted-by: Claude:claude-3-opus\n coccinelle "
                                   "sparse\n"),
                       "convention.assisted-by");
    CHECK(d.model == "claude-3-opus");
    CHECK(d.tools == std::vector<std::string>{"coccinelle", "sparse"});
  }

  SECTION("outside git's trailer block, the line is still read") {
    Detection d = only(make_commit("Fix race\n\nAssisted-by: Gemini:gemini-2.5-pro sparse\n\n"
                                   "A paragraph after it.\n"),
                       "convention.assisted-by");
    CHECK(d.agent == "Gemini");
    CHECK(d.model == "gemini-2.5-pro");
    CHECK(d.tools == std::vector<std::string>{"sparse"});
  }

  SECTION("other values keep their old meaning and name nothing") {
    Detection d = assisted_by("ChatGPTv5");
    CHECK(d.agent.empty());
    CHECK(d.model.empty());
    CHECK(d.tools.empty());
    d = assisted_by("generic LLM chatbot");
    CHECK(d.model.empty());
    CHECK(ids_of(detect(make_commit("Fix\n\nAssisted-by: Jane Doe <jane@example.com>\n"))).empty());
  }

  SECTION("Generated-by is not read in the kernel's form") {
    Detection d =
        only(make_commit("Fix\n\nGenerated-by: Claude:claude-3-opus\n"), "convention.generated-by");
    CHECK(d.agent.empty());
    CHECK(d.model.empty());
  }

  SECTION("a Claude co-author's name states the model, when it names one") {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"Claude Opus 4.5 <noreply@anthropic.com>", "Claude Opus 4.5"},
        {"Claude Opus 4.8 (1M context) <noreply@anthropic.com>", "Claude Opus 4.8 (1M context)"},
        {"Claude Sonnet 4 <noreply@anthropic.com>", "Claude Sonnet 4"},
        {"Claude Haiku <noreply@anthropic.com>", "Claude Haiku"},
        {"Claude 3.7 Sonnet   <noreply@anthropic.com>", "Claude 3.7 Sonnet"},
        {"Claude <noreply@anthropic.com>", ""},
        {"Claude Code <noreply@anthropic.com>", ""},
        {"claude[bot] <209825114+claude[bot]@users.noreply.github.com>", ""},
    };
    for (const auto& [value, model] : cases) {
      INFO(value);
      CHECK(only(make_commit("Add\n\nCo-Authored-By: " + value + "\n"), "claude-code.co-author")
                .model == model);
    }
  }

  SECTION("the model is the first any matching trailer names, not only the first trailer's") {
    CHECK(only(make_commit("Add\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n"
                           "Co-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>\n"),
               "claude-code.co-author")
              .model == "Claude Opus 4.5");
    Detection d = only(make_commit("Fix\n\nAssisted-by: Claude\n"
                                   "Assisted-by: Claude:claude-3-opus sparse\n"),
                       "convention.assisted-by");
    CHECK(d.agent == "Claude");
    CHECK(d.model == "claude-3-opus");
    CHECK(d.tools == std::vector<std::string>{"sparse"});
  }

  SECTION("aider's co-author name states the model") {
    CHECK(only(make_commit("Add\n\nCo-authored-by: aider (openai/gpt-4o) <aider@aider.chat>\n"),
               "aider.co-author")
              .model == "openai/gpt-4o");
    CHECK(only(make_commit("Add\n\nCo-authored-by: Jane <jane@aider.chat>\n"), "aider.co-author")
              .model.empty());
  }

  SECTION("a model longer than 128 bytes is not taken") {
    const std::string long_name = "Claude Opus 4.5 " + std::string(120, 'x');
    CHECK(only(make_commit("Add\n\nCo-Authored-By: " + long_name + " <noreply@anthropic.com>\n"),
               "claude-code.co-author")
              .model.empty());
    CHECK(only(make_commit("Add\n\nCo-Authored-By: " + long_name.substr(0, 128) +
                           " <noreply@anthropic.com>\n"),
               "claude-code.co-author")
              .model == long_name.substr(0, 128));
  }

  SECTION("a model with control bytes is not taken") {
    CommitInfo c = make_commit("Add\n\nCo-Authored-By: x\n");
    std::vector<Detection> ds =
        builtin().detect(c, {{"Co-Authored-By", "Claude 4\x1b[2J <noreply@anthropic.com>"}});
    REQUIRE(ids_of(ds) == std::vector<std::string>{"claude-code.co-author"});
    CHECK(ds[0].model.empty());
  }

  SECTION("a policy marker can state a model from any source") {
    MarkerSpec s;
    s.id = "acme.identity";
    s.tool = "Acme AI";
    s.source = MarkerSource::identity;
    s.identity_field = trailgate::detect::IdentityField::name;
    s.pattern = " \\(acme [^)]+\\)$";
    s.model_pattern = "\\(acme ([^)]+)\\)$";
    MarkerSet set({s});
    std::vector<Detection> ds =
        set.detect(make_commit("Fix\n", identity("Dev (acme gpt-5)", "dev@example.com")), {});
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].model == "gpt-5");
  }

  SECTION("a model pattern must compile and capture") {
    auto error = [](std::string model_pattern) -> std::string {
      MarkerSpec s;
      s.id = "acme.trailer";
      s.tool = "Acme AI";
      s.trailer_key = "X-Acme";
      s.model_pattern = std::move(model_pattern);
      try {
        MarkerSet set({s});
      } catch (const std::invalid_argument& e) {
        return e.what();
      }
      return "(no exception)";
    };
    CHECK(error("model-[a-z]+") ==
          "marker acme.trailer: model pattern: it has no capturing group for the model");
    CHECK(error("(unclosed").rfind("marker acme.trailer: model pattern: missing )", 0) == 0);
    CHECK(error("(?:x)(y)") == "(no exception)");
  }
}

TEST_CASE("detect::catalogue_version", "[detect]") {
  CHECK(catalogue_version() == "2026.12.2");
}

TEST_CASE("detect::MarkerSet compiles the catalogue's patterns on first use", "[detect]") {
  SECTION("every built-in pattern compiles, and every model pattern captures") {
    const MarkerSet set(builtin_catalogue());
    CHECK_NOTHROW(set.compile_all());
  }

  SECTION("a built-in id with another pattern is a policy's marker, checked at load") {
    MarkerSpec s = builtin_catalogue().front();
    s.pattern = "(unclosed";
    CHECK_THROWS_AS(MarkerSet({s}), std::invalid_argument);
    s = builtin_catalogue().front();
    s.model_pattern = "no-group";
    CHECK_THROWS_AS(MarkerSet({s}), std::invalid_argument);
  }

  SECTION("threads sharing a fresh set see the same detections") {
    const MarkerSet set(builtin_catalogue());
    const CommitInfo c = make_commit("Fix\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n",
                                     identity("Dev (aider)", "dev@example.com"));
    const std::vector<trailgate::trailers::Trailer> block{
        {"Co-Authored-By", "Claude <noreply@anthropic.com>"}};
    std::vector<std::vector<std::string>> seen(4);
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < seen.size(); ++t)
      threads.emplace_back([&, t] {
        for (const Detection& d : set.detect(c, block))
          seen[t].push_back(d.marker_id);
      });
    for (std::thread& t : threads)
      t.join();
    CHECK(seen[0] == std::vector<std::string>{"claude-code.co-author", "aider.identity"});
    for (const auto& ids : seen)
      CHECK(ids == seen[0]);
  }
}
