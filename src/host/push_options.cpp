#include "host/push_options.h"

#include <fmt/format.h>

#include <algorithm>

#include "pipeline/pipeline.h"
#include "policy/policy.h"
#include "util/ascii.h"
#include "util/escape.h"

namespace trailgate::host {

namespace {

std::string_view key_of(std::string_view option) {
  return option.substr(0, option.find('='));
}

}  // namespace

std::string_view trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\n\v\f\r";
  std::size_t begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos)
    return {};
  std::size_t end = text.find_last_not_of(kSpace);
  return text.substr(begin, end - begin + 1);
}

std::vector<std::string> read_push_options(const Environment& env) {
  auto count_it = env.find("GIT_PUSH_OPTION_COUNT");
  if (count_it == env.end())
    return {};
  const std::string& text = count_it->second;
  const bool decimal =
      !text.empty() && text.size() <= 6 &&
      std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  const std::size_t count = decimal ? std::stoul(text) : 0;
  if (!decimal || count > kMaxPushOptions)
    throw InputError(
        fmt::format("GIT_PUSH_OPTION_COUNT is \"{}\", not a number of push options "
                    "from 0 to {}",
                    util::escape_to_ascii(text, 40), kMaxPushOptions));
  std::vector<std::string> options;
  options.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const std::string name = fmt::format("GIT_PUSH_OPTION_{}", i);
    auto it = env.find(name);
    if (it == env.end())
      throw InputError(fmt::format("GIT_PUSH_OPTION_COUNT is {} but {} is not set", count, name));
    options.push_back(it->second);
  }
  return options;
}

std::vector<BreakGlassClaim> break_glass_claims(const std::vector<std::string>& options) {
  std::vector<BreakGlassClaim> claims;
  for (const std::string& option : options) {
    if (!iequals(key_of(option), kBreakGlassOption))
      continue;
    std::size_t eq = option.find('=');
    std::string_view reason =
        eq == std::string::npos ? std::string_view() : std::string_view(option).substr(eq + 1);
    claims.push_back({option, std::string(trim(reason))});
  }
  return claims;
}

std::vector<std::string> ignored_trailgate_options(const std::vector<std::string>& options) {
  std::vector<std::string> ignored;
  for (const std::string& option : options) {
    std::string_view key = key_of(option);
    if (util::istarts_with(key, "trailgate.") && !iequals(key, kBreakGlassOption))
      ignored.push_back(option);
  }
  return ignored;
}

}  // namespace trailgate::host
