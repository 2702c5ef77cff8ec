#include "install/hook_text.h"

#include <fmt/format.h>
#include <cstdint>
#include <stdexcept>

#include "shims.h"

namespace trailgate::install {

namespace {

// FNV-1a, 64 bits: enough to notice an edit, and the same on every platform and build.
std::uint64_t fnv1a64(std::string_view data) {
  std::uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

constexpr std::string_view kGuardOpen = "[ \"$(pwd -P)\" = ";
constexpr std::string_view kGuardClose = " ] || ";

// Replaces the command word `trailgate` on the template's one line that runs it ("trailgate
// ..." or "exec trailgate ...") with the quoted binary, behind the guard that skips it in
// `skip_git_dir` when there is one.
std::string fill_in_binary(std::string_view tmpl, const std::string& binary,
                           const std::string& skip_git_dir) {
  std::string out;
  int replaced = 0;
  std::size_t pos = 0;
  while (pos < tmpl.size()) {
    std::size_t end = tmpl.find('\n', pos);
    end = end == std::string_view::npos ? tmpl.size() : end + 1;
    std::string_view line = tmpl.substr(pos, end - pos);
    for (std::string_view prefix : {"exec trailgate ", "trailgate "}) {
      if (line.substr(0, prefix.size()) == prefix) {
        std::string_view lead =
            prefix.substr(0, prefix.size() - std::string_view("trailgate ").size());
        if (!skip_git_dir.empty())
          out += fmt::format(
              "# Pushes into {} are not trailgate's to judge (gitolite's administration "
              "repository).\n{}{}{}",
              skip_git_dir, kGuardOpen, shell_quote(skip_git_dir), kGuardClose);
        out += fmt::format("{}{} {}", lead, shell_quote(binary), line.substr(prefix.size()));
        ++replaced;
        line = {};
        break;
      }
    }
    out += line;
    pos = end;
  }
  if (replaced != 1)
    throw std::logic_error("a hook template must run trailgate on exactly one line");
  return out;
}

}  // namespace

std::string shell_quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

std::optional<std::pair<std::string, std::size_t>> shell_unquote(std::string_view quoted) {
  std::string out;
  std::size_t i = 0;
  if (quoted.empty() || quoted[0] != '\'')
    return std::nullopt;
  while (i < quoted.size() && quoted[i] == '\'') {
    std::size_t close = quoted.find('\'', i + 1);
    if (close == std::string_view::npos)
      return std::nullopt;
    out.append(quoted.substr(i + 1, close - i - 1));
    i = close + 1;
    // shell_quote writes a quote inside the word as '\'' : close, escaped quote, reopen.
    if (quoted.substr(i, 3) == "\\''") {
      out += '\'';
      i += 2;
    } else {
      break;
    }
  }
  return std::make_pair(std::move(out), i);
}

std::optional<HookFacts> hook_facts(std::string_view content) {
  HookFacts facts;
  facts.chains = content.find("trailgate-managed hook (chain runner)") != std::string_view::npos;
  std::size_t pos = 0;
  while (pos < content.size()) {
    std::size_t end = content.find('\n', pos);
    end = end == std::string_view::npos ? content.size() : end;
    std::string_view line = content.substr(pos, end - pos);
    pos = end + 1;
    facts.skip_git_dir.clear();
    if (line.substr(0, kGuardOpen.size()) == kGuardOpen) {
      auto dir = shell_unquote(line.substr(kGuardOpen.size()));
      if (!dir)
        continue;
      line.remove_prefix(kGuardOpen.size() + dir->second);
      if (line.substr(0, kGuardClose.size()) != kGuardClose)
        continue;
      line.remove_prefix(kGuardClose.size());
      facts.skip_git_dir = dir->first;
    }
    if (line.substr(0, 5) == "exec ")
      line.remove_prefix(5);
    auto binary = shell_unquote(line);
    if (!binary || line.substr(binary->second, 1) != " ")
      continue;
    facts.binary = binary->first;
    return facts;
  }
  return std::nullopt;
}

std::string hook_text(HookKind kind, const std::string& hook, const std::string& binary,
                      const std::string& skip_git_dir) {
  const char* shim = nullptr;
  if (hook == "pre-receive")
    shim = kPreReceiveShim;
  else if (hook == "update")
    shim = kUpdateShim;
  else if (hook == "pre-push")
    shim = kPrePushShim;
  else
    throw std::invalid_argument(
        fmt::format("unknown hook \"{}\" (expected pre-receive, update or pre-push)", hook));
  // The runner finds which trailgate subcommand to run from its own file name, so one
  // template serves both hooks.
  return with_checksum(
      fill_in_binary(kind == HookKind::shim ? shim : kChainRunner, binary, skip_git_dir));
}

std::string with_checksum(std::string_view body) {
  return fmt::format(
      "{}# trailgate checksum fnv1a64:{:016x}: install and uninstall leave this file alone once "
      "edited\n",
      body, fnv1a64(body));
}

Provenance provenance(std::string_view content) {
  if (content.find(kManagedMarker) == std::string_view::npos)
    return Provenance::foreign;
  if (content.empty() || content.back() != '\n')
    return Provenance::trailgate_edited;
  std::size_t last_line = content.rfind('\n', content.size() - 2);
  std::string_view body =
      last_line == std::string_view::npos ? std::string_view() : content.substr(0, last_line + 1);
  return with_checksum(body) == content ? Provenance::trailgate : Provenance::trailgate_edited;
}

bool is_gitea_runner(std::string_view content) {
  return content.find("# AUTO GENERATED BY GITEA, DO NOT MODIFY") != std::string_view::npos;
}

}  // namespace trailgate::install
