// The built-in marker catalogue: what known AI coding tools and disclosure conventions write
// into commits (technical-notes §4; docs/markers.md is the readable copy of this table).
//
// Every pattern here must be specific enough that a human commit never matches it: addresses
// are delimited so that a longer address containing them does not count, bot logins are
// matched whole, and body markers are anchored to the start of a line.

#include <string>
#include <string_view>
#include <vector>

#include "detect/markers.h"

namespace trailgate::detect {
namespace {

std::string cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view p : parts)
    out += p;
  return out;
}

// An address as it appears in a "Name <address>" trailer value. The delimiters keep
// "x-noreply@anthropic.com" and "noreply@anthropic.com.example.org" from matching.
std::string address(std::string_view address_re) {
  return cat({"(?i)(?:^|[\\s<])", address_re, "(?:$|[\\s>])"});
}

// A GitHub App's bot account, by its login slug: the login is "<slug>[bot]" and its
// commit address is "<numeric id>+<slug>[bot]@users.noreply.github.com".
std::string bot_login(std::string_view slug) {
  return cat({slug, "\\[bot\\]"});
}
std::string bot_noreply(std::string_view slug) {
  return cat({"(?:\\d+\\+)?", bot_login(slug), "@users\\.noreply\\.github\\.com"});
}

// The bot as author or committer: the whole name is the login, or the whole email is its
// noreply address. "evil-<slug>[bot]@example.com" is not the bot.
std::string bot_identity(std::string_view slug, std::string_view extra_email = {}) {
  std::string alternatives = cat({bot_login(slug), "|", bot_noreply(slug)});
  if (!extra_email.empty())
    alternatives += cat({"|", extra_email});
  return cat({"(?i)^(?:", alternatives, ")$"});
}

// The bot named in a Co-authored-by value: either the name is its login (squash merges write
// "slug[bot] <id+slug[bot]@users.noreply.github.com>") or the address is its noreply address.
std::string bot_co_author(std::string_view slug) {
  return cat({"(?i)(?:^", bot_login(slug), "(?:$|[\\s<])|(?:^|[\\s<])", bot_noreply(slug),
              "(?:$|[\\s>]))"});
}

// A marker line in the body, as tools write it: at the start of a line (at most three
// spaces in), optionally after the robot emoji (with or without its variation selector).
// Prose that quotes the phrase mid-sentence does not match, and neither does a quotation:
// a line indented as a Markdown code block (a tab, or four spaces or more) or quoted with '>'.
std::string generated_with_line(std::string_view link_text_re) {
  return cat(
      {"(?m)^ {0,3}(?:\\x{1F916}\\x{FE0F}?[ \\t]*)?Generated with \\[", link_text_re, "\\]"});
}

MarkerSpec trailer(std::string id, std::string tool, std::string key, std::string pattern) {
  MarkerSpec s;
  s.id = std::move(id);
  s.tool = std::move(tool);
  s.source = MarkerSource::trailer;
  s.trailer_key = std::move(key);
  s.pattern = std::move(pattern);
  return s;
}

// A disclosure trailer whose value is free text: a person or a script there is not a tool.
MarkerSpec human_exempt(MarkerSpec s) {
  s.human_values_exempt = true;
  return s;
}

// The marker means an AI agent wrote the change on its own: its identity is the commit's
// author or committer. Every other marker is `assisted`, a human's commit with AI help.
MarkerSpec agent(MarkerSpec s) {
  s.marker_class = MarkerClass::agent;
  return s;
}

// The marker's text states a model: the first group of `pattern` is it.
MarkerSpec with_model(MarkerSpec s, std::string pattern) {
  s.model_pattern = std::move(pattern);
  return s;
}

MarkerSpec co_author(std::string id, std::string tool, std::string pattern) {
  return trailer(std::move(id), std::move(tool), "Co-authored-by", std::move(pattern));
}

MarkerSpec identity(std::string id, std::string tool, IdentityField field, std::string pattern) {
  MarkerSpec s;
  s.id = std::move(id);
  s.tool = std::move(tool);
  s.source = MarkerSource::identity;
  s.pattern = std::move(pattern);
  s.identity_field = field;
  return s;
}

MarkerSpec body(std::string id, std::string tool, std::string pattern) {
  MarkerSpec s;
  s.id = std::move(id);
  s.tool = std::move(tool);
  s.source = MarkerSource::body;
  s.pattern = std::move(pattern);
  return s;
}

// Any of `patterns`, as one pattern (each brings its own flags).
std::string any_of(std::initializer_list<std::string_view> patterns) {
  std::string out;
  for (std::string_view p : patterns) {
    out += out.empty() ? "(?:" : "|(?:";
    out += p;
    out += ')';
  }
  return out;
}

// An email that is exactly one of the given addresses (the identity's whole email field).
std::string whole_email(std::string_view address_re) {
  return cat({"(?i)^(?:", address_re, ")$"});
}

std::vector<MarkerSpec> make_catalogue() {
  const std::string copilot_noreply = "\\d+\\+Copilot@users\\.noreply\\.github\\.com";
  // Cursor's agent commits as cursoragent@cursor.com, or as the GitHub user "cursoragent"
  // under its noreply address.
  const std::string cursor_agent_email =
      "cursoragent@cursor\\.com|(?:\\d+\\+)?cursoragent@users\\.noreply\\.github\\.com";
  return {
      // Claude Code. The co-author's name often states the model ("Claude Opus 4.5",
      // "Claude Opus 4.8 (1M context)"): a name with a digit or a model family word is the
      // model, a bare "Claude" names none. claude[bot] is the Claude GitHub App (Claude Code
      // GitHub Actions, @claude in issues); claude-code[bot] is seen on commits of Claude Code
      // on the web; a squash merge names them as co-authors (technical notes §4.x).
      with_model(co_author("claude-code.co-author", "Claude Code",
                           any_of({address("noreply@anthropic\\.com"), bot_co_author("claude"),
                                   bot_co_author("claude-code")})),
                 "(?i)^\\s*([^<]*?(?:\\b(?:opus|sonnet|haiku)\\b|\\d)[^<]*?)\\s*<"),
      body("claude-code.generated-with", "Claude Code", generated_with_line("Claude Code")),
      // "Claude-Session: https://claude.ai/code/session_<id>", added by Claude Code v2.1.210+.
      trailer("claude-code.session", "Claude Code", "Claude-Session", ""),
      agent(identity("claude-code.identity", "Claude Code", IdentityField::either,
                     any_of({bot_identity("claude"), bot_identity("claude-code")}))),

      // GitHub Copilot coding agent. The human who assigned the task is usually the
      // co-author, so the bot identity is the reliable marker. After a squash merge the
      // author is "Copilot <198982749+Copilot@...>", still this address.
      agent(identity(
          "copilot-agent.identity", "GitHub Copilot coding agent", IdentityField::either,
          bot_identity("copilot-swe-agent", "198982749\\+Copilot@users\\.noreply\\.github\\.com"))),
      co_author("copilot-agent.co-author", "GitHub Copilot coding agent",
                bot_co_author("copilot-swe-agent")),
      // "Agent-Logs-Url: https://github.com/<o>/<r>/sessions/<uuid>": only the agent writes it,
      // on the commits of its own session, so the commit is the agent's even when its author
      // was later rewritten to a human (a rebase with --reset-author keeps the trailer).
      agent(trailer("copilot-agent.logs-url", "GitHub Copilot coding agent", "Agent-Logs-Url", "")),

      // Copilot Autofix
      co_author("copilot-autofix.co-author", "Copilot Autofix",
                cat({"(?i)(?:^Copilot Autofix powered by AI(?:$|[\\s<])|(?:^|[\\s<])",
                     "175728472\\+Copilot@users\\.noreply\\.github\\.com(?:$|[\\s>]))"})),

      // Copilot in the editor and CLI. Every "<id>+Copilot" noreply address belongs to
      // GitHub's Copilot account, so this also matches the agent's and Autofix's addresses.
      co_author("copilot.co-author", "GitHub Copilot",
                address(cat({"(?:copilot@github\\.com|", copilot_noreply, ")"}))),

      // aider: " (aider)" after the human's name (aider/website/docs/git.md): a human's commit.
      // Its co-author name states the model: "aider (<provider/model>) <aider@aider.chat>".
      identity("aider.identity", "aider", IdentityField::name, " \\(aider\\)$"),
      with_model(co_author("aider.co-author", "aider",
                           "(?i)(?:@aider\\.chat(?:$|[\\s>])|^aider \\([^)]*\\)(?:$|[\\s<]))"),
                 "(?i)^aider \\(([^)]*)\\)"),
      body("aider.subject", "aider", "\\A\\s*aider: "),

      // OpenAI Codex: "Co-authored-by: Codex <noreply@openai.com>" from the Codex CLI's
      // prepare-commit-msg hook (openai/codex PR #11617); codex@openai.com is also seen, as
      // co-author and as the identity of Codex's own commits; chatgpt-codex-connector[bot] is
      // Codex cloud's GitHub App.
      co_author("codex.co-author", "OpenAI Codex",
                any_of({address("(?:noreply|codex)@openai\\.com"),
                        bot_co_author("chatgpt-codex-connector")})),
      agent(identity(
          "codex.identity", "OpenAI Codex", IdentityField::either,
          any_of({bot_identity("chatgpt-codex-connector"), whole_email("codex@openai\\.com")}))),

      // Cursor: "Co-authored-by: Cursor Agent <cursoragent@cursor.com>" and the
      // "Made-with: Cursor" trailer, added with git commit --trailer (technical notes §4);
      // its background agent commits as cursoragent@cursor.com.
      co_author("cursor.co-author", "Cursor",
                address(cat({"(?:", cursor_agent_email, "|[^\\s<>@]+@cursor\\.sh)"}))),
      trailer("cursor.made-with", "Cursor", "Made-with", "(?i)\\bcursor\\b"),
      agent(identity("cursor.identity", "Cursor", IdentityField::email,
                     whole_email(cursor_agent_email))),

      // Devin
      agent(identity("devin.identity", "Devin", IdentityField::either,
                     bot_identity("devin-ai-integration"))),
      co_author("devin.co-author", "Devin", bot_co_author("devin-ai-integration")),
      body("devin.generated-with", "Devin", generated_with_line("Devin")),

      // Google Jules: author google-labs-jules[bot] <161369871+google-labs-jules[bot]@...>,
      // and the same as co-author after a squash merge.
      agent(identity("jules.identity", "Google Jules", IdentityField::either,
                     bot_identity("google-labs-jules"))),
      co_author("jules.co-author", "Google Jules", bot_co_author("google-labs-jules")),

      // Gemini Code Assist: accepting one of its review suggestions on GitHub makes it a
      // co-author, the same way as the other bots.
      agent(identity("gemini-code-assist.identity", "Gemini Code Assist", IdentityField::either,
                     bot_identity("gemini-code-assist"))),
      co_author("gemini-code-assist.co-author", "Gemini Code Assist",
                bot_co_author("gemini-code-assist")),

      // Amp: "Amp-Thread-ID: https://ampcode.com/threads/T-...", "Co-authored-by: Amp
      // <amp@ampcode.com>", and a "Generated with [Amp](https://ampcode.com)" footer line.
      trailer("amp.thread-id", "Amp", "Amp-Thread-ID", ""),
      co_author("amp.co-author", "Amp", address("amp@ampcode\\.com")),
      body("amp.generated-with", "Amp", generated_with_line("Amp")),

      // Cline: "🤖 Generated with [Cline](https://docs.cline.bot)" and
      // "Co-Authored-By: Cline <noreply@cline.bot>".
      co_author("cline.co-author", "Cline", address("noreply@cline\\.bot")),
      body("cline.generated-with", "Cline", generated_with_line("Cline")),

      // opencode: "🤖 Generated with [opencode](https://opencode.ai)" and "Co-Authored-By:
      // opencode <noreply@opencode.ai>"; its GitHub agent (opencode github) is the
      // opencode-agent[bot] App.
      co_author("opencode.co-author", "opencode",
                any_of({address("noreply@opencode\\.ai"), bot_co_author("opencode-agent")})),
      body("opencode.generated-with", "opencode", generated_with_line("opencode")),
      agent(identity("opencode.identity", "opencode", IdentityField::either,
                     bot_identity("opencode-agent"))),

      // OpenHands
      agent(identity("openhands.identity", "OpenHands", IdentityField::email,
                     "(?i)^openhands@all-hands\\.dev$")),
      co_author("openhands.co-author", "OpenHands", address("openhands@all-hands\\.dev")),

      // Factory: its droids commit as the factory-droid[bot] GitHub App.
      agent(identity("factory.identity", "Factory", IdentityField::either,
                     bot_identity("factory-droid"))),
      co_author("factory.co-author", "Factory", bot_co_author("factory-droid")),

      // Warp: its agent Oz writes "Co-Authored-By: Oz <oz-agent@warp.dev>" and commits as
      // oz-agent@warp.dev when it works on its own.
      agent(identity("warp.identity", "Warp", IdentityField::email,
                     whole_email("oz-agent@warp\\.dev"))),
      co_author("warp.co-author", "Warp", address("oz-agent@warp\\.dev")),

      // Roo Code: its cloud agent Roomote commits as roomote@roocode.com and as the
      // roomote[bot] GitHub App.
      agent(identity("roo.identity", "Roo Code", IdentityField::either,
                     bot_identity("roomote", "roomote@roocode\\.com"))),
      co_author("roo.co-author", "Roo Code",
                any_of({address("roomote@roocode\\.com"), bot_co_author("roomote")})),

      // Continue: noreply@continue.dev as co-author, and as the identity of its agents' own
      // commits.
      agent(identity("continue.identity", "Continue", IdentityField::email,
                     whole_email("noreply@continue\\.dev"))),
      co_author("continue.co-author", "Continue", address("noreply@continue\\.dev")),

      // Disclosure conventions (Linux kernel, Fedora, ASF, OpenInfra). The key is the
      // disclosure, whatever the value, unless the value is only a person or only a script
      // naming no AI tool (is_human_value); AI-Assisted is a yes/no declaration, so only yes
      // counts. The kernel's form, "Assisted-by: AGENT_NAME:MODEL_VERSION [TOOL1] [TOOL2]"
      // (Documentation/process/coding-assistants.rst), names the agent, model and tools.
      [] {
        MarkerSpec s = human_exempt(
            trailer("convention.assisted-by", "Assisted-by trailer", "Assisted-by", ""));
        s.kernel_disclosure = true;
        return s;
      }(),
      human_exempt(trailer("convention.generated-by", "Generated-by trailer", "Generated-by", "")),
      trailer("convention.ai-assisted", "AI-Assisted trailer", "AI-Assisted",
              "(?i)^(?:yes|true)\\b"),
  };
}

}  // namespace

std::string_view catalogue_version() {
  return "2026.12.2";
}

const std::vector<MarkerSpec>& builtin_catalogue() {
  static const std::vector<MarkerSpec> catalogue = make_catalogue();
  return catalogue;
}

}  // namespace trailgate::detect
