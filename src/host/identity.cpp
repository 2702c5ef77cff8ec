#include "host/identity.h"

#include <fmt/format.h>

extern char** environ;

namespace trailgate::host {

Environment current_environment() {
  Environment env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    std::size_t eq = text.find('=');
    if (eq == std::string_view::npos || eq == 0)
      continue;
    env.emplace(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
  }
  return env;
}

std::string_view value_of(const Environment& env, std::string_view name) {
  auto it = env.find(name);
  return it == env.end() ? std::string_view() : std::string_view(it->second);
}

Pusher identify_pusher(const Environment& env, const Policy& policy) {
  Pusher pusher;
  pusher.consulted.assign(std::begin(kPusherVariables), std::end(kPusherVariables));
  if (!policy.host.pusher_variable.empty())
    pusher.consulted.push_back(policy.host.pusher_variable);
  for (const std::string& variable : pusher.consulted) {
    std::string_view value = value_of(env, variable);
    if (value.empty())
      continue;
    pusher.name = value;
    pusher.variable = variable;
    break;
  }
  if (pusher.variable == "GITEA_PUSHER_NAME")
    pusher.email = value_of(env, "GITEA_PUSHER_EMAIL");
  if (const Person* person = policy.person_by_username(pusher.name))
    pusher.person = person->name;
  return pusher;
}

std::string describe(const Pusher& pusher) {
  if (!pusher.identified())
    return fmt::format("not identified by the host (none of {} is set)",
                       fmt::join(pusher.consulted, ", "));
  std::string roster = pusher.person.empty() ? std::string("not on the roster")
                                             : fmt::format("roster: {}", pusher.person);
  return fmt::format("{} ({}; {})", pusher.name, pusher.variable, roster);
}

Protocol detect_protocol(const Environment& env) {
  if (std::string_view given = value_of(env, "GL_PROTOCOL"); !given.empty())
    return {std::string(given), "GL_PROTOCOL"};
  // CGI first: a web server also sets REMOTE_ADDR, which alone means git daemon.
  for (const auto& [variable, name] :
       {std::pair{"GATEWAY_INTERFACE", "http"}, std::pair{"REQUEST_METHOD", "http"},
        std::pair{"SSH_CONNECTION", "ssh"}, std::pair{"SSH_CLIENT", "ssh"},
        std::pair{"REMOTE_ADDR", "git"}}) {
    if (!value_of(env, variable).empty())
      return {name, variable};
  }
  return {"local", ""};
}

bool is_gitlab(const Environment& env) {
  return !value_of(env, "GL_ID").empty() || !value_of(env, "GL_USERNAME").empty();
}

std::string host_repository(const Environment& env) {
  for (std::string_view variable : {"GL_PROJECT_PATH", "GITHUB_REPO_NAME"}) {
    if (std::string_view value = value_of(env, variable); !value.empty())
      return std::string(value);
  }
  std::string_view gitea_owner = value_of(env, "GITEA_REPO_USER_NAME");
  std::string_view gitea_repo = value_of(env, "GITEA_REPO_NAME");
  if (!gitea_repo.empty())
    return gitea_owner.empty() ? std::string(gitea_repo)
                               : fmt::format("{}/{}", gitea_owner, gitea_repo);
  return std::string(value_of(env, "GL_REPO"));
}

}  // namespace trailgate::host
