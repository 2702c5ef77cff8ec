// Who pushes, over what, to which repository: read from the variables the Git host sets in
// the hook's environment (docs/hook.md, "Who pushes").
//
// Identity comes only from the host's own variables, set by its authentication. Never from
// push options, commit contents or anything else the client sends: a name the client can
// choose proves nothing. Pure: the environment is passed in as data, so tests need no process
// environment of their own.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "policy/policy.h"

namespace trailgate::host {

// An environment: variable name -> value.
using Environment = std::map<std::string, std::string, std::less<>>;

// Returns this process's environment.
Environment current_environment();

// The host variables that name the pusher, in order of precedence: GitLab (GL_USERNAME, then
// GL_ID), GitHub Enterprise Server, Gitea/Forgejo, gitolite, then smart HTTP's REMOTE_USER.
// The first one set to a non-empty value names the pusher.
inline constexpr std::string_view kPusherVariables[] = {
    "GL_USERNAME", "GL_ID", "GITHUB_USER_LOGIN", "GITEA_PUSHER_NAME", "GL_USER", "REMOTE_USER"};

// The pusher as the host identifies them.
struct Pusher {
  std::string name;      // the host's username; "" when the host identifies nobody
  std::string variable;  // the variable `name` came from, e.g. "GL_USERNAME"; "" with no name
  std::string email;     // GITEA_PUSHER_EMAIL when the name came from Gitea; else ""
  std::string person;    // the roster person's name whose usernames list `name`; "" if none
  // Every variable looked at, in order (kPusherVariables, then the policy's), for messages.
  std::vector<std::string> consulted;

  bool identified() const { return !name.empty(); }
};

// Identifies the pusher from `env`: the first of kPusherVariables with a non-empty value,
// otherwise policy.host.pusher_variable when the policy names one. Maps the name to a roster
// person through Person::usernames (ignoring ASCII case). Push options (GIT_PUSH_OPTION_*) are
// never read. A pusher nobody identifies has an empty name.
Pusher identify_pusher(const Environment& env, const Policy& policy);

// Renders the pusher for people: "alice (GL_USERNAME; roster: Alice Admin)",
// "bob (REMOTE_USER; not on the roster)", or "not identified by the host (none of ... is
// set)". Host values are shown as they are; whoever prints this escapes control characters.
std::string describe(const Pusher& pusher);

// How the push reached the server.
struct Protocol {
  std::string name;    // "ssh", "http", "git", "web", "local", or GL_PROTOCOL's value as given
  std::string source;  // the variable it was read or inferred from; "" for "local"
};

// GL_PROTOCOL when set; otherwise inferred: "http" when GATEWAY_INTERFACE or REQUEST_METHOD is
// set (a CGI such as git http-backend), "ssh" when SSH_CONNECTION or SSH_CLIENT is, "git" (git
// daemon) when REMOTE_ADDR is, and "local" (file:// or a path) when none is.
Protocol detect_protocol(const Environment& env);

// True on GitLab: GL_ID or GL_USERNAME is set to a non-empty value. (gitolite sets GL_USER,
// never these two.)
bool is_gitlab(const Environment& env);

// The repository's name as the host knows it: GL_PROJECT_PATH (GitLab), GITHUB_REPO_NAME
// (GitHub Enterprise Server), GITEA_REPO_USER_NAME/GITEA_REPO_NAME (Gitea), GL_REPO
// (gitolite); "" when the host gives none.
std::string host_repository(const Environment& env);

// Returns the value of `name` in `env`, or "" when unset.
std::string_view value_of(const Environment& env, std::string_view name);

}  // namespace trailgate::host
