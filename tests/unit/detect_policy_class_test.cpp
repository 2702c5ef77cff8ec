// Tests of the `class` key of a policy's [[detect.marker]]: its default by source, the values it
// takes, and where a bad value is reported. Policies are TOML written inline, so every line and
// column can be counted here.

#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "detect/markers.h"
#include "policy/policy.h"
#include "policy/policy_loader.h"

namespace {

using trailgate::parse_policy;
using trailgate::Policy;
using trailgate::PolicyDiagnostic;
using trailgate::PolicyError;
using trailgate::detect::MarkerClass;

// A valid start: 4 lines, so the first [[detect.marker]] is line 5.
constexpr std::string_view kHead = R"([review]
verification = "roster"
[[protect]]
refs = ["refs/heads/main"]
)";

Policy parse(std::string_view rest) {
  return parse_policy(std::string(kHead) + std::string(rest), "policy.toml");
}

// The diagnostics of a rejected policy, rendered; fails the test when it is accepted.
std::vector<std::string> errors_of(std::string_view rest) {
  try {
    parse(rest);
  } catch (const PolicyError& e) {
    std::vector<std::string> out;
    for (const PolicyDiagnostic& d : e.diagnostics())
      out.push_back(d.to_string());
    return out;
  }
  FAIL("the policy was accepted:\n" << rest);
  return {};
}

}  // namespace

TEST_CASE("policy: [[detect.marker]] class", "[detect][policy]") {
  SECTION("without class, an identity marker is agent and the others are assisted") {
    Policy p = parse(R"([[detect.marker]]
id = "acme.bot"
tool = "Acme AI"
identity = "(?i)^acme-bot@corp\\.example$"

[[detect.marker]]
id = "acme.trailer"
tool = "Acme AI"
trailer = "X-Acme-AI"

[[detect.marker]]
id = "acme.footer"
tool = "Acme AI"
body = "(?m)^Written with Acme AI$"
)");
    REQUIRE(p.detect.markers.size() == 3);
    CHECK(p.detect.markers[0].marker_class == MarkerClass::agent);
    CHECK(p.detect.markers[1].marker_class == MarkerClass::assisted);
    CHECK(p.detect.markers[2].marker_class == MarkerClass::assisted);
  }

  SECTION("class sets the class, against the default of each source") {
    Policy p = parse(R"([[detect.marker]]
id = "acme.human-with-ai"
tool = "Acme AI"
identity = " \\(acme\\)$"
field = "name"
class = "assisted"

[[detect.marker]]
id = "acme.run"
tool = "Acme AI"
trailer = "Acme-Run-Url"
class = "agent"

[[detect.marker]]
id = "acme.footer"
tool = "Acme AI"
body = "(?m)^Written autonomously by Acme$"
class = "agent"

[[detect.marker]]
id = "acme.bot"
tool = "Acme AI"
identity = "^acme\\[bot\\]$"
class = "agent"
)");
    REQUIRE(p.detect.markers.size() == 4);
    CHECK(p.detect.markers[0].marker_class == MarkerClass::assisted);
    CHECK(p.detect.markers[1].marker_class == MarkerClass::agent);
    CHECK(p.detect.markers[2].marker_class == MarkerClass::agent);
    CHECK(p.detect.markers[3].marker_class == MarkerClass::agent);
  }

  SECTION("an unknown value is an error at the value, naming the marker") {
    CHECK(errors_of(R"([[detect.marker]]
id = "x"
tool = "X"
trailer = "X-AI"
class = "autonomous"
)") == std::vector<std::string>{
           "policy.toml:9:9: detect.marker[0].class: unknown value \"autonomous\" (expected "
           "\"agent\" or \"assisted\")"});
  }

  SECTION("values are case-sensitive, like the policy's other keywords") {
    CHECK(errors_of(R"([[detect.marker]]
id = "x"
tool = "X"
identity = "bot"
class = "Agent"
)") == std::vector<std::string>{
           "policy.toml:9:9: detect.marker[0].class: unknown value \"Agent\" (expected "
           "\"agent\" or \"assisted\")"});
  }

  SECTION("an empty value is an unknown value") {
    CHECK(errors_of("[[detect.marker]]\nid = \"x\"\ntool = \"X\"\nbody = \"b\"\nclass = \"\"\n") ==
          std::vector<std::string>{"policy.toml:9:9: detect.marker[0].class: unknown value \"\" "
                                   "(expected \"agent\" or \"assisted\")"});
  }

  SECTION("a class that is not a string is an error at the value") {
    std::vector<std::string> errors =
        errors_of("[[detect.marker]]\nid = \"x\"\ntool = \"X\"\nbody = \"b\"\nclass = true\n");
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].rfind("policy.toml:9:9: detect.marker[0].class: ", 0) == 0);
  }

  SECTION("a bad class is reported with the marker's other errors, in one pass") {
    std::vector<std::string> errors = errors_of(R"([[detect.marker]]
id = "x"
tool = "X"
trailer = "X AI"
class = "bot"

[[detect.marker]]
id = "y"
tool = "Y"
identity = "y"
class = "agents"
)");
    REQUIRE(errors.size() == 3);
    CHECK(errors[0] ==
          "policy.toml:8:11: detect.marker[0].trailer: \"X AI\" is not a trailer key: use only "
          "letters, digits and '-'");
    CHECK(errors[1] ==
          "policy.toml:9:9: detect.marker[0].class: unknown value \"bot\" (expected "
          "\"agent\" or \"assisted\")");
    CHECK(errors[2] ==
          "policy.toml:15:9: detect.marker[1].class: unknown value \"agents\" "
          "(expected \"agent\" or \"assisted\")");
  }

  SECTION("class is a known key: a misspelling is still reported as unknown") {
    std::vector<std::string> errors =
        errors_of("[[detect.marker]]\nid = \"x\"\ntool = \"X\"\nbody = \"b\"\nklass = \"agent\"\n");
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].find("policy.toml:9:1: ") == 0);
    CHECK(errors[0].find("class") != std::string::npos);
  }
}
