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

std::vector<MarkerSpec> make_catalogue() {
  const std::string copilot_noreply = "\\d+\\+Copilot@users\\.noreply\\.github\\.com";
  return {
      // Claude Code
      co_author("claude-code.co-author", "Claude Code", address("noreply@anthropic\\.com")),
      body("claude-code.generated-with", "Claude Code", generated_with_line("Claude Code")),
      trailer("claude-code.session", "Claude Code", "Claude-Session", ""),

      // GitHub Copilot coding agent. The human who assigned the task is usually the
      // co-author, so the bot identity is the reliable marker.
      identity(
          "copilot-agent.identity", "GitHub Copilot coding agent", IdentityField::either,
          bot_identity("copilot-swe-agent", "198982749\\+Copilot@users\\.noreply\\.github\\.com")),
      co_author("copilot-agent.co-author", "GitHub Copilot coding agent",
                bot_co_author("copilot-swe-agent")),
      trailer("copilot-agent.logs-url", "GitHub Copilot coding agent", "Agent-Logs-Url", ""),

      // Copilot Autofix
      co_author("copilot-autofix.co-author", "Copilot Autofix",
                cat({"(?i)(?:^Copilot Autofix powered by AI(?:$|[\\s<])|(?:^|[\\s<])",
                     "175728472\\+Copilot@users\\.noreply\\.github\\.com(?:$|[\\s>]))"})),

      // Copilot in the editor and CLI. Every "<id>+Copilot" noreply address belongs to
      // GitHub's Copilot account, so this also matches the agent's and Autofix's addresses.
      co_author("copilot.co-author", "GitHub Copilot",
                address(cat({"(?:copilot@github\\.com|", copilot_noreply, ")"}))),

      // aider
      identity("aider.identity", "aider", IdentityField::name, " \\(aider\\)$"),
      co_author("aider.co-author", "aider",
                "(?i)(?:@aider\\.chat(?:$|[\\s>])|^aider \\([^)]*\\)(?:$|[\\s<]))"),
      body("aider.subject", "aider", "\\A\\s*aider: "),

      // OpenAI Codex
      co_author("codex.co-author", "OpenAI Codex",
                cat({"(?:", address("noreply@openai\\.com"),
                     ")|(?:", bot_co_author("chatgpt-codex-connector"), ")"})),
      identity("codex.identity", "OpenAI Codex", IdentityField::either,
               bot_identity("chatgpt-codex-connector")),

      // Cursor
      co_author("cursor.co-author", "Cursor",
                address("(?:cursoragent@cursor\\.com|[^\\s<>@]+@cursor\\.sh)")),
      trailer("cursor.made-with", "Cursor", "Made-with", "(?i)\\bcursor\\b"),

      // Devin
      identity("devin.identity", "Devin", IdentityField::either,
               bot_identity("devin-ai-integration")),
      co_author("devin.co-author", "Devin", bot_co_author("devin-ai-integration")),
      body("devin.generated-with", "Devin", generated_with_line("Devin")),

      // Google Jules
      identity("jules.identity", "Google Jules", IdentityField::either,
               bot_identity("google-labs-jules")),
      co_author("jules.co-author", "Google Jules", bot_co_author("google-labs-jules")),

      // Gemini Code Assist: accepting one of its review suggestions on GitHub makes it a
      // co-author, the same way as the other bots.
      identity("gemini-code-assist.identity", "Gemini Code Assist", IdentityField::either,
               bot_identity("gemini-code-assist")),
      co_author("gemini-code-assist.co-author", "Gemini Code Assist",
                bot_co_author("gemini-code-assist")),

      // Amp
      trailer("amp.thread-id", "Amp", "Amp-Thread-ID", ""),
      co_author("amp.co-author", "Amp", address("amp@ampcode\\.com")),

      // opencode
      co_author("opencode.co-author", "opencode", address("noreply@opencode\\.ai")),

      // OpenHands
      identity("openhands.identity", "OpenHands", IdentityField::email,
               "(?i)^openhands@all-hands\\.dev$"),
      co_author("openhands.co-author", "OpenHands", address("openhands@all-hands\\.dev")),

      // Disclosure conventions (Linux kernel, Fedora, ASF, OpenInfra). The key is the
      // disclosure, whatever the value, unless the value is only a person or only a script
      // naming no AI tool (is_human_value); AI-Assisted is a yes/no declaration, so only yes
      // counts.
      human_exempt(trailer("convention.assisted-by", "Assisted-by trailer", "Assisted-by", "")),
      human_exempt(trailer("convention.generated-by", "Generated-by trailer", "Generated-by", "")),
      trailer("convention.ai-assisted", "AI-Assisted trailer", "AI-Assisted",
              "(?i)^(?:yes|true)\\b"),
  };
}

}  // namespace

std::string_view catalogue_version() {
  return "2026.12.1";
}

const std::vector<MarkerSpec>& builtin_catalogue() {
  static const std::vector<MarkerSpec> catalogue = make_catalogue();
  return catalogue;
}

}  // namespace trailgate::detect
