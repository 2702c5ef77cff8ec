// Tests of who pushes and how, as read from the host's environment variables: the order the
// host variables are read in, the policy's own variable, the mapping to roster people, and
// that nothing the client sends (push options) is ever taken for an identity.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "host/identity.h"
#include "policy/policy.h"

namespace {

using trailgate::Person;
using trailgate::Policy;
using trailgate::host::describe;
using trailgate::host::detect_protocol;
using trailgate::host::Environment;
using trailgate::host::host_repository;
using trailgate::host::identify_pusher;
using trailgate::host::is_gitlab;
using trailgate::host::Protocol;
using trailgate::host::Pusher;

Policy roster() {
  Policy policy;
  Person alice;
  alice.name = "Alice Admin";
  alice.emails = {"alice@example.com"};
  alice.level = "senior";
  alice.usernames = {"alice", "aadmin"};
  Person bob;
  bob.name = "Bob Builder";
  bob.emails = {"bob@example.com"};
  bob.level = "junior";
  bob.usernames = {"Bob"};
  policy.people = {alice, bob};
  return policy;
}

}  // namespace

TEST_CASE("host::identify_pusher", "[host]") {
  const Policy policy = roster();

  SECTION("each host's variable names the pusher, and says where it came from") {
    struct Case {
      const char* variable;
      const char* value;
    };
    for (const Case& c : {Case{"GL_USERNAME", "alice"}, Case{"GL_ID", "user-42"},
                          Case{"GITHUB_USER_LOGIN", "alice"}, Case{"GITEA_PUSHER_NAME", "alice"},
                          Case{"GL_USER", "alice"}, Case{"REMOTE_USER", "alice"}}) {
      INFO(c.variable);
      Pusher pusher = identify_pusher({{c.variable, c.value}}, policy);
      CHECK(pusher.identified());
      CHECK(pusher.name == c.value);
      CHECK(pusher.variable == c.variable);
    }
  }

  SECTION("the first variable set wins, in the documented order") {
    Environment env = {{"REMOTE_USER", "r"},       {"GL_USER", "gitolite"},
                       {"GITEA_PUSHER_NAME", "g"}, {"GITHUB_USER_LOGIN", "gh"},
                       {"GL_ID", "user-1"},        {"GL_USERNAME", "gl"}};
    const std::vector<std::string> order = {"GL_USERNAME",       "GL_ID",   "GITHUB_USER_LOGIN",
                                            "GITEA_PUSHER_NAME", "GL_USER", "REMOTE_USER"};
    for (const std::string& expected : order) {
      Pusher pusher = identify_pusher(env, policy);
      CHECK(pusher.variable == expected);
      CHECK(pusher.name == env[expected]);
      env.erase(expected);
    }
    CHECK_FALSE(identify_pusher(env, policy).identified());
  }

  SECTION("an empty variable counts as unset") {
    Pusher pusher = identify_pusher({{"GL_USERNAME", ""}, {"REMOTE_USER", "alice"}}, policy);
    CHECK(pusher.variable == "REMOTE_USER");
    CHECK_FALSE(identify_pusher({{"REMOTE_USER", ""}}, policy).identified());
  }

  SECTION("the policy's variable is read only when no host variable is set") {
    Policy with_variable = policy;
    with_variable.host.pusher_variable = "USER";
    Pusher fallback = identify_pusher({{"USER", "aadmin"}}, with_variable);
    CHECK(fallback.name == "aadmin");
    CHECK(fallback.variable == "USER");
    CHECK(fallback.person == "Alice Admin");
    Pusher host_first =
        identify_pusher({{"USER", "aadmin"}, {"REMOTE_USER", "Bob"}}, with_variable);
    CHECK(host_first.variable == "REMOTE_USER");
    CHECK(host_first.name == "Bob");
    // Without the setting the same variable means nothing.
    CHECK_FALSE(identify_pusher({{"USER", "aadmin"}}, policy).identified());
    CHECK(fallback.consulted.back() == "USER");
    CHECK(fallback.consulted.size() == 7);
  }

  SECTION("push options are never an identity") {
    Environment env = {{"GIT_PUSH_OPTION_COUNT", "3"},
                       {"GIT_PUSH_OPTION_0", "GL_USERNAME=alice"},
                       {"GIT_PUSH_OPTION_1", "trailgate.pusher=alice"},
                       {"GIT_PUSH_OPTION_2", "REMOTE_USER=alice"}};
    Pusher pusher = identify_pusher(env, policy);
    CHECK_FALSE(pusher.identified());
    CHECK(pusher.name.empty());
    CHECK(pusher.person.empty());
  }

  SECTION("the name maps to a roster person by usernames, ignoring case") {
    CHECK(identify_pusher({{"GL_USERNAME", "ALICE"}}, policy).person == "Alice Admin");
    CHECK(identify_pusher({{"GL_USERNAME", "bob"}}, policy).person == "Bob Builder");
    CHECK(identify_pusher({{"GL_USERNAME", "carol"}}, policy).person.empty());
    // An email is not a username: roster emails never identify a pusher.
    CHECK(identify_pusher({{"REMOTE_USER", "alice@example.com"}}, policy).person.empty());
  }

  SECTION("Gitea's email is kept next to its name, and only then") {
    Pusher gitea = identify_pusher(
        {{"GITEA_PUSHER_NAME", "alice"}, {"GITEA_PUSHER_EMAIL", "alice@example.com"}}, policy);
    CHECK(gitea.email == "alice@example.com");
    Pusher other = identify_pusher(
        {{"REMOTE_USER", "alice"}, {"GITEA_PUSHER_EMAIL", "alice@example.com"}}, policy);
    CHECK(other.email.empty());
    // The email alone names nobody.
    CHECK_FALSE(
        identify_pusher({{"GITEA_PUSHER_EMAIL", "alice@example.com"}}, policy).identified());
  }
}

TEST_CASE("host::describe", "[host]") {
  const Policy policy = roster();
  CHECK(describe(identify_pusher({{"GL_USERNAME", "alice"}}, policy)) ==
        "alice (GL_USERNAME; roster: Alice Admin)");
  CHECK(describe(identify_pusher({{"REMOTE_USER", "carol"}}, policy)) ==
        "carol (REMOTE_USER; not on the roster)");
  CHECK(describe(identify_pusher({}, policy)) ==
        "not identified by the host (none of GL_USERNAME, GL_ID, GITHUB_USER_LOGIN, "
        "GITEA_PUSHER_NAME, GL_USER, REMOTE_USER is set)");
  // Shown as the host gave it; the renderer escapes it (e2e: push_test).
  CHECK(describe(identify_pusher({{"REMOTE_USER", "eve\nx"}}, policy)) ==
        "eve\nx (REMOTE_USER; not on the roster)");
}

TEST_CASE("host::detect_protocol", "[host]") {
  struct Case {
    Environment env;
    const char* name;
    const char* source;
  };
  const std::vector<Case> cases = {
      {{}, "local", ""},
      {{{"GL_PROTOCOL", "web"}, {"SSH_CONNECTION", "1 2 3 4"}}, "web", "GL_PROTOCOL"},
      {{{"GATEWAY_INTERFACE", "CGI/1.1"}, {"REMOTE_ADDR", "127.0.0.1"}},
       "http",
       "GATEWAY_INTERFACE"},
      {{{"REQUEST_METHOD", "POST"}, {"REMOTE_ADDR", "127.0.0.1"}}, "http", "REQUEST_METHOD"},
      {{{"SSH_CONNECTION", "10.0.0.1 5000 10.0.0.2 22"}}, "ssh", "SSH_CONNECTION"},
      {{{"SSH_CLIENT", "10.0.0.1 5000 22"}}, "ssh", "SSH_CLIENT"},
      {{{"REMOTE_ADDR", "127.0.0.1"}, {"REMOTE_PORT", "4000"}}, "git", "REMOTE_ADDR"},
      // Names that merely start like a CGI variable are not one.
      {{{"REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt"}}, "local", ""},
      {{{"GL_PROTOCOL", ""}, {"SSH_CLIENT", "x"}}, "ssh", "SSH_CLIENT"},
  };
  for (const Case& c : cases) {
    Protocol protocol = detect_protocol(c.env);
    INFO(c.name);
    CHECK(protocol.name == c.name);
    CHECK(protocol.source == c.source);
  }
}

TEST_CASE("host::is_gitlab and host_repository", "[host]") {
  CHECK(is_gitlab({{"GL_ID", "user-1"}}));
  CHECK(is_gitlab({{"GL_USERNAME", "alice"}}));
  CHECK_FALSE(is_gitlab({{"GL_USER", "alice"}, {"GL_REPO", "r"}}));  // gitolite
  CHECK_FALSE(is_gitlab({{"GL_ID", ""}}));
  CHECK_FALSE(is_gitlab({}));

  CHECK(host_repository({{"GL_PROJECT_PATH", "group/project"}}) == "group/project");
  CHECK(host_repository({{"GITHUB_REPO_NAME", "octo/repo"}}) == "octo/repo");
  CHECK(host_repository({{"GITEA_REPO_USER_NAME", "org"}, {"GITEA_REPO_NAME", "repo"}}) ==
        "org/repo");
  CHECK(host_repository({{"GL_REPO", "gitolite-admin"}}) == "gitolite-admin");
  CHECK(host_repository({}).empty());
}

TEST_CASE("host::current_environment", "[host]") {
  // The test process always has PATH; the copy is the process's own.
  Environment env = trailgate::host::current_environment();
  REQUIRE(env.count("PATH") == 1);
  CHECK(env["PATH"] == std::getenv("PATH"));
}
