#include "policy/policy_builder.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

namespace trailgate::policy_load {

namespace {

constexpr std::string_view kHostKeys[] = {"pusher_variable"};

// Why the environment variable `name` cannot say who pushes, or nullopt. The pusher's identity
// must come from the host's authentication; a variable the client can set would let anyone
// claim to be anyone, and with it break glass.
std::optional<std::string> pusher_variable_problem(std::string_view name) {
  const bool well_formed = !name.empty() && !(name[0] >= '0' && name[0] <= '9') &&
                           std::all_of(name.begin(), name.end(), [](char c) {
                             return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                    (c >= '0' && c <= '9') || c == '_';
                           });
  if (!well_formed)
    return "is not an environment variable name (letters, digits and '_', not starting with a "
           "digit)";
  std::string upper(name);
  for (char& c : upper) {
    if (c >= 'a' && c <= 'z')
      c = static_cast<char>(c - 'a' + 'A');
  }
  // HTTP_* are request headers under CGI; GIT_* include the push options; ssh passes LANG,
  // LC_* and TERM from the client by default; the rest are parts of the request or command.
  constexpr std::string_view kClientPrefixes[] = {"HTTP_", "GIT_", "LC_"};
  constexpr std::string_view kClientNames[] = {"LANG",         "LANGUAGE",
                                               "TERM",         "QUERY_STRING",
                                               "PATH_INFO",    "PATH_TRANSLATED",
                                               "CONTENT_TYPE", "CONTENT_LENGTH",
                                               "REQUEST_URI",  "SSH_ORIGINAL_COMMAND"};
  const bool client_controlled =
      std::any_of(std::begin(kClientPrefixes), std::end(kClientPrefixes),
                  [&](std::string_view prefix) { return upper.starts_with(prefix); }) ||
      std::find(std::begin(kClientNames), std::end(kClientNames), upper) != std::end(kClientNames);
  if (client_controlled)
    return "can be set by the pushing client, so it cannot say who pushes; name a variable "
           "that the host's authentication sets, such as REMOTE_USER or USER";
  return std::nullopt;
}

}  // namespace

void PolicyBuilder::read_host(const toml::table& host) {
  r_.reject_unknown_keys(host, "host", kHostKeys);
  if (auto name = r_.nonempty_string(host, "pusher_variable", "host")) {
    if (auto problem = pusher_variable_problem(name->value)) {
      r_.error(name->where, "host.pusher_variable",
               fmt::format("{} {}", quoted(name->value), *problem));
    } else {
      policy_.host.pusher_variable = name->value;
    }
  }
}

}  // namespace trailgate::policy_load
