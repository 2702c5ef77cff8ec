// Tests of the policy loader and of the lookups on a loaded Policy. Policies are TOML text
// written inline, so every expected line and column can be counted in the test itself.

#include <fmt/format.h>
#include <sys/stat.h>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "policy/policy.h"
#include "policy/policy_loader.h"
#include "support/temp_repo.h"

namespace {

using trailgate::load_policy_file;
using trailgate::parse_policy;
using trailgate::Policy;
using trailgate::policy_warnings;
using trailgate::PolicyDiagnostic;
using trailgate::PolicyError;
using trailgate::read_policy_file;
using trailgate::ref_matches;
using trailgate::ref_pattern_covers;
using trailgate::Verification;
using trailgate::detect::IdentityField;
using trailgate::detect::MarkerSource;
namespace testing = trailgate::testing;

// The smallest useful policy, from the product brief. 17 lines; text appended to it starts on
// line 18, inside the last [[protect]] table.
constexpr std::string_view kMinimal = R"([review]
verification = "roster"

[[person]]
name = "Senior One"
emails = ["senior@example.com", "senior.one@corp.example"]
level = "senior"

[[person]]
name = "Junior One"
emails = ["junior@example.com"]
level = "junior"

[[protect]]
refs = ["refs/heads/main", "refs/heads/release/*"]
approvals = 1
min_level = "senior"
)";

// A valid start for documents that test one table: 4 lines, so what follows starts on line 5.
constexpr std::string_view kHead = R"([review]
verification = "roster"
[[protect]]
refs = ["refs/heads/main"]
)";

// Real public keys, made with ssh-keygen -t TYPE -N '' (the private halves were discarded).
constexpr std::string_view kEd25519 =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIN38qVKg1E+XWKH4Dm6AuRLwD0/9y765cMRP8T3H/oVz "
    "senior@laptop";
// Its fingerprint, from ssh-keygen -l.
constexpr std::string_view kEd25519Fingerprint =
    "SHA256:olp/R2pIMre1qJnNfuWlwFFm55igerEV5xkpzDa7vPc";
constexpr std::string_view kEd25519Other =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPQwVd/vyq7rsK4tD93fLzCZqXfLXhhIhAEWSd/8/28Z "
    "senior@desktop";
constexpr std::string_view kEcdsa256 =
    "ecdsa-sha2-nistp256 "
    "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBBcLnkuFwTvuj+EzujDSOv5bwela4cNTF/"
    "hkQpo9t81LjSgzxv33qXlZ+ccjaEEZl8ymYri5Kc3S2Qv2pjJYYq0= lead@work";
constexpr std::string_view kRsa3072 =
    "ssh-rsa "
    "AAAAB3NzaC1yc2EAAAADAQABAAABgQC5O+S0TLGa04VPHzKbDo6T8lZ/"
    "QrFN0oIKRFkPD7GShRk7ITZghVZhWq6CJoiSsIy5"
    "RSlFGH9G6T73bpuQrA6YLv1+J2F7G4hgsXCmxIgrsvde7NodMf/"
    "FJdULJRpufoCVS6pUjC1xz++SFLd0212KC9iUhyDHH2Km"
    "3TcvJSW7Nugb54HMGw1uUfyoEvfiv8q0iU0DyhiPTb9Op7F0KgibdQznkm2KqocQDfTCM4UbziNJXUc/cq+5R6/"
    "ffWDNm3Sp"
    "PLd3DkGDNfoyycg/"
    "wa57gqZcO1OzH6XbhI0X3HU8L94NhZF31eXGqY3TJ2WNkK8iqsr9Ho7Xodz9ZsUOdEfWCEVXX2xRROmQ"
    "jxPAEEKx6SccuK7Yeac03aWJhH40fvvJLIR6ZxAErb+KZWc5+Aurh66+Bol3/"
    "eTpbf7n5rh6t0zds8cuUs6u7TRy7hSYr68C"
    "2Q0YPK6sdWadMciFWOMhSzTfFqGh1hPBFQ1e0WHV2Y/+7AhR8igrrk/ErjO25pM= ops@bastion";
// A real DSA key (ssh-keygen -t dsa): a well-formed key of a type trailgate does not verify.
constexpr std::string_view kDss =
    "ssh-dss "
    "AAAAB3NzaC1kc3MAAACBALl2xvJpRWfvT70Ooj0Nuj8rHCZ+FdLS7YLqa/"
    "owSoGfTHbmEdYdUNJXJ9Fb6heg5Trt0V+NocnY"
    "VaaDp5hqstEuOfEQZ0Di3aToujhjmO8xQX8oVVUIx4ZDwk1I0Ke2XwfGyT9qNV1uubFh2gRJTe1Ch+s33MT/mUj2fDZ/"
    "X8Bz"
    "AAAAFQDtw8Ifn7wZhyc+JlmQQ57b9pdgDwAAAIBFPP9z45pOJ1O1EpkkLDW7/D6AsFvEPc/iN8Ma5lJy4u3gTcF4D/"
    "L0iSGB"
    "yyjFWc90NU5z+y0Ed7mWxr2BI7NLypTa/BymIVbB9/"
    "pSKnGJc2jpMHLa9GwEwxoJR0AiXuQnXnMfKOh8I1h+YbCG2bnsMtuO"
    "oHcwrtMMrOLahzQBlAAAAIA6OuWKWX3EPLUNqELM9+WOJ7TQQxN4Tlf3yAf0ERC7oaizwS9jtZxXzYYtbuHuJ5y1/"
    "1bHRn9y"
    "vvJsJuUciruGWuOcnZFHRV+AevOjQdpnh3tpLW3J7Dq66fCCr8//"
    "cPgDE58+weISvadmT1etDw64+aGkDla3zjjAYYhEE2k0"
    "Jw== root@vm";
// A FIDO key as OpenSSH writes it (type string, 32-byte key, application "ssh:"), built by hand
// since making one needs a security key.
constexpr std::string_view kSkEd25519 =
    "sk-ssh-ed25519@openssh.com "
    "AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4fAAAABH"
    "NzaDo= yubi@key";

Policy parse(std::string_view text) {
  return parse_policy(text, "policy.toml");
}

std::string with_head(std::string_view rest) {
  return std::string(kHead) + std::string(rest);
}

// kHead, then a person whose keys array holds `elements` (one per line, written as given).
// [[person]] is line 5 and `keys = [` line 9, so the first element is on line 10.
std::string with_keys(std::string_view elements) {
  return with_head(
             "[[person]]\nname = \"A\"\nemails = [\"a@example.com\"]\nlevel = \"senior\"\n"
             "keys = [\n") +
         std::string(elements) + "]\n";
}

// One keys-array line: two spaces, then `element`, then a comma.
std::string element(std::string_view element) {
  return "  " + std::string(element) + ",\n";
}

// A quoted TOML string element for a key line.
std::string key_string(std::string_view key) {
  return element(fmt::format("\"{}\"", key));
}

// The diagnostics parse_policy throws; fails the test when it accepts the text.
std::vector<PolicyDiagnostic> errors_of(std::string_view text) {
  try {
    parse(text);
  } catch (const PolicyError& e) {
    return e.diagnostics();
  }
  FAIL("the policy was accepted:\n" << text);
  return {};
}

// The single diagnostic for `text`, rendered; fails when there is not exactly one.
std::string only_error(std::string_view text) {
  std::vector<PolicyDiagnostic> errors = errors_of(text);
  INFO("policy:\n" << text);
  for (const PolicyDiagnostic& d : errors)
    INFO(d.to_string());
  REQUIRE(errors.size() == 1);
  return errors[0].to_string();
}

std::int64_t utc_midnight(int y, unsigned m, unsigned d) {
  using namespace std::chrono;
  return sys_days{year{y} / month{m} / day{d}}.time_since_epoch().count() * 86400;
}

}  // namespace

TEST_CASE("policy::parse", "[policy]") {
  SECTION("the minimal policy is accepted and means what it says") {
    Policy p = parse(kMinimal);
    CHECK(p.source == "policy.toml");
    CHECK(p.review.verification == Verification::roster);
    REQUIRE(p.people.size() == 2);
    CHECK(p.people[0].name == "Senior One");
    CHECK(p.people[0].emails ==
          std::vector<std::string>{"senior@example.com", "senior.one@corp.example"});
    CHECK(p.people[0].level == "senior");
    CHECK(p.people[1].name == "Junior One");
    CHECK(p.people[1].emails == std::vector<std::string>{"junior@example.com"});
    CHECK(p.people[1].level == "junior");
    REQUIRE(p.protect.size() == 1);
    CHECK(p.protect[0].refs == std::vector<std::string>{"refs/heads/main", "refs/heads/release/*"});
    CHECK(p.protect[0].approvals == 1);
    CHECK(p.protect[0].min_level == "senior");
    CHECK(p.protect[0].source_line == 14);
    CHECK(p.rule_for("refs/heads/main") == &p.protect[0]);
    CHECK(p.rule_for("refs/heads/release/2.0") == &p.protect[0]);
    CHECK(p.rule_for("refs/heads/feature") == nullptr);
    CHECK(p.person_by_email("Senior.One@Corp.Example") == &p.people[0]);
    CHECK(p.level_rank(p.people[1].level) < p.level_rank(p.protect[0].min_level));
  }

  SECTION("every key left out takes its documented default") {
    // No [review] table at all: signature verification, as the product brief says.
    Policy p = parse(R"([[person]]
name = "A"
emails = ["a@example.com"]
level = "senior"
[[protect]]
refs = ["refs/heads/main"]
)");
    CHECK(p.levels == std::vector<std::string>{"junior", "mid", "senior", "principal"});
    CHECK(p.max_listed_commits == 20);
    CHECK(p.review.verification == Verification::signature);
    CHECK(p.review.trailer_keys == std::vector<std::string>{"Reviewed-by"});
    CHECK(p.review.signature_key == "Review-Signature");
    CHECK(p.review.sig_namespace == "trailgate-review");
    CHECK(p.detect.builtin);
    CHECK(p.detect.markers.empty());
    CHECK_FALSE(p.baseline.commit);
    CHECK_FALSE(p.baseline.before);
    CHECK(p.people[0].usernames.empty());
    CHECK_FALSE(p.people[0].expires);
    CHECK(p.people[0].keys.empty());
    CHECK(p.people[0].source_line == 1);
    const auto& rule = p.protect[0];
    CHECK(rule.approvals == 1);
    CHECK(rule.min_level == "senior");
    CHECK_FALSE(rule.allow_delete);
    CHECK_FALSE(rule.allow_force_push);
    CHECK_FALSE(rule.review_all);
    CHECK_FALSE(rule.require_declaration);
    CHECK(rule.break_glass.empty());
    CHECK(p.host.pusher_variable.empty());
    CHECK(p.log.decisions == "trailgate/decisions.jsonl");
    CHECK(p.log.on_failure == trailgate::LogFailure::reject);
  }

  SECTION("every key set away from its default is read") {
    Policy p = parse(std::string(R"(levels = ["dev", "lead", "staff"]
max_listed_commits = 5
[review]
verification = "roster"
keys = ["Reviewed-by", "Approved-by"]
signature_key = "Approval-Sig"
namespace = "acme-review@example.com"
[detect]
builtin = false
[[detect.marker]]
id = "acme.trailer"
tool = "Acme AI"
trailer = "X-Acme-AI"
value = "(?i)yes"
[[detect.marker]]
id = "acme.bot"
tool = "Acme AI"
identity = "^acme-bot@"
field = "email"
[[detect.marker]]
id = "acme.body"
tool = "Acme AI"
body = "Written with Acme"
[baseline]
commit = "0123456789ABCDEF0123456789abcdef01234567"
date = 2026-01-01
[[person]]
name = "Lead"
emails = ["lead@example.com"]
level = "lead"
usernames = ["lead1", "lead-one"]
expires = 2027-03-04
keys = [")" + std::string(kEd25519) +
                                 R"("]
[[protect]]
refs = ["refs/tags/v*"]
approvals = 2
min_level = "staff"
allow_delete = true
allow_force_push = true
review_all = true
require_declaration = true
break_glass = ["lead1", "ops-oncall"]
[host]
pusher_variable = "USER"
[log]
decisions = "/var/log/trailgate/decisions.jsonl"
on_failure = "warn"
)"));
    CHECK(p.levels == std::vector<std::string>{"dev", "lead", "staff"});
    CHECK(p.max_listed_commits == 5);
    CHECK(p.review.verification == Verification::roster);
    CHECK(p.review.trailer_keys == std::vector<std::string>{"Reviewed-by", "Approved-by"});
    CHECK(p.review.signature_key == "Approval-Sig");
    CHECK(p.review.sig_namespace == "acme-review@example.com");
    CHECK_FALSE(p.detect.builtin);
    REQUIRE(p.detect.markers.size() == 3);
    CHECK(p.detect.markers[0].id == "acme.trailer");
    CHECK(p.detect.markers[0].tool == "Acme AI");
    CHECK(p.detect.markers[0].source == MarkerSource::trailer);
    CHECK(p.detect.markers[0].trailer_key == "X-Acme-AI");
    CHECK(p.detect.markers[0].pattern == "(?i)yes");
    CHECK(p.detect.markers[1].source == MarkerSource::identity);
    CHECK(p.detect.markers[1].pattern == "^acme-bot@");
    CHECK(p.detect.markers[1].identity_field == IdentityField::email);
    CHECK(p.detect.markers[2].source == MarkerSource::body);
    CHECK(p.detect.markers[2].pattern == "Written with Acme");
    CHECK(p.baseline.commit == "0123456789abcdef0123456789abcdef01234567");
    CHECK(p.baseline.before == utc_midnight(2026, 1, 1));
    CHECK(p.baseline.before == 1767225600);  // independent of the helper: date -u -d 2026-01-01
    CHECK(p.people[0].usernames == std::vector<std::string>{"lead1", "lead-one"});
    CHECK(p.people[0].expires == utc_midnight(2027, 3, 4));
    REQUIRE(p.people[0].keys.size() == 1);
    CHECK(p.people[0].keys[0].key.type == "ssh-ed25519");
    CHECK(p.people[0].source_line == 27);
    const auto& rule = p.protect[0];
    CHECK(rule.approvals == 2);
    CHECK(rule.min_level == "staff");
    CHECK(rule.allow_delete);
    CHECK(rule.allow_force_push);
    CHECK(rule.review_all);
    CHECK(rule.require_declaration);
    CHECK(rule.break_glass == std::vector<std::string>{"lead1", "ops-oncall"});
    CHECK(rule.source_line == 34);
    CHECK(p.host.pusher_variable == "USER");
    CHECK(p.log.decisions == "/var/log/trailgate/decisions.jsonl");
    CHECK(p.log.on_failure == trailgate::LogFailure::warn);
  }

  SECTION("an identity marker without field matches either") {
    Policy p =
        parse(with_head("[[detect.marker]]\nid = \"x\"\ntool = \"X\"\nidentity = \"bot\"\n"));
    REQUIRE(p.detect.markers.size() == 1);
    CHECK(p.detect.markers[0].identity_field == IdentityField::either);
  }

  SECTION("a date-time with an offset is an exact instant") {
    Policy p = parse(with_head("[baseline]\ndate = 2026-01-01T09:30:00+01:00\n"));
    CHECK(p.baseline.before == utc_midnight(2026, 1, 1) + 8 * 3600 + 30 * 60);
  }

  SECTION("people and rules given as arrays of inline tables are read too") {
    Policy p = parse(R"(review = { verification = "roster" }
person = [{ name = "A", emails = ["a@example.com"], level = "mid" }]
protect = [{ refs = ["refs/heads/main"], approvals = 3 }]
)");
    CHECK(p.people.at(0).level == "mid");
    CHECK(p.protect.at(0).approvals == 3);
    CHECK(p.protect.at(0).source_line == 3);
  }

  SECTION("a TOML syntax error names its line and column") {
    CHECK(
        only_error("[review]\nverification = \"roster\"\n[[protect]]\nrefs = [\"refs/heads/main\"\n"
                   "approvals = 1\n") ==
        "policy.toml:5:1: not valid TOML: Error while parsing array: expected comma or "
        "closing ']', saw 'a'");
  }

  SECTION("a key defined twice is a syntax error at the second") {
    CHECK_THAT(only_error(with_head("approvals = 1\napprovals = 2\n")),
               Catch::StartsWith("policy.toml:6:13: not valid TOML:"));
  }

  SECTION("binary garbage is a syntax error, not a crash") {
    // toml++ checks UTF-8 ahead of parsing, so the first invalid byte is what it reports.
    const std::string elf(
        "\x7f"
        "ELF\x02\x01\x01\x00\x00\xff\xfe",
        11);
    CHECK(only_error(elf) == "policy.toml:1:9: not valid TOML: Encountered invalid utf-8 sequence");
    const std::string zeros(64, '\0');
    CHECK_THAT(only_error(zeros), Catch::StartsWith("policy.toml:1:1: not valid TOML:"));
  }

  SECTION("bytes that are not UTF-8 are an error at the character before them") {
    CHECK(only_error(with_head("[[person]]\nname = \"J\xe9r\xf4me\"\n")) ==
          "policy.toml:6:9: not valid TOML: Encountered invalid utf-8 sequence");
  }

  SECTION("an empty file is refused only because it protects nothing") {
    CHECK_THAT(only_error(""),
               Catch::StartsWith("policy.toml:1:1: protect: no [[protect]] entries"));
  }

  SECTION("a [review] table without verification means signature") {
    Policy p =
        parse("[[protect]]\nrefs = [\"refs/heads/main\"]\n\n[review]\nkeys = [\"Reviewed-by\"]\n");
    CHECK(p.review.verification == Verification::signature);
  }

  SECTION("verification = \"signature\" is accepted") {
    Policy p = parse(
        "[review]\nverification = \"signature\"\n[[protect]]\nrefs = "
        "[\"refs/heads/main\"]\n");
    CHECK(p.review.verification == Verification::signature);
  }

  SECTION("an unknown verification value is refused") {
    CHECK(only_error("[review]\nverification = \"Roster\"\n[[protect]]\nrefs = "
                     "[\"refs/heads/main\"]\n") ==
          "policy.toml:2:16: review.verification: unknown value \"Roster\" (expected "
          "\"signature\" or \"roster\")");
  }

  SECTION("an unknown top-level key is an error at the key, with a suggestion") {
    CHECK(only_error("max_listed_commit = 5\n" + with_head("")) ==
          "policy.toml:1:1: max_listed_commit: unknown key; did you mean "
          "\"max_listed_commits\"? (allowed here: levels, max_listed_commits, review, detect, "
          "baseline, person, protect, host, log)");
  }

  SECTION("an unknown table is an error at its name") {
    CHECK_THAT(only_error(with_head("[protection]\nrefs = []\n")),
               Catch::StartsWith("policy.toml:5:2: protection: unknown key; did you mean "
                                 "\"protect\"?"));
  }

  SECTION("an unknown key in [[person]] is an error") {
    CHECK(only_error(with_head("[[person]]\nname = \"A\"\nemails = [\"a@example.com\"]\n"
                               "level = \"senior\"\nkey = \"ssh-ed25519 AAAA\"\n")) ==
          "policy.toml:9:1: person[0].key: unknown key; did you mean \"keys\"? (allowed here: "
          "name, emails, level, usernames, expires, keys)");
  }

  SECTION("a misspelt key in [[protect]] is not ignored") {
    // Ignoring it would leave force pushes at the default, which happens to be safe here, but
    // a misspelt approvals would silently lower the bar.
    CHECK_THAT(only_error(with_head("aprovals = 2\n")),
               Catch::StartsWith("policy.toml:5:1: protect[0].aprovals: unknown key; did you "
                                 "mean \"approvals\"?"));
  }

  SECTION("a quoted boolean is a type error at the value") {
    CHECK(only_error(with_head("allow_force_push = \"false\"\n")) ==
          "policy.toml:5:20: protect[0].allow_force_push: expected true or false, got a "
          "string \"false\"; write the value without quotes");
  }

  SECTION("a float where an integer belongs is a type error") {
    CHECK(only_error(with_head("approvals = 1.5\n")) ==
          "policy.toml:5:13: protect[0].approvals: expected an integer, got a float");
  }

  SECTION("a string where an array belongs is a type error") {
    CHECK(only_error("[review]\nverification = \"roster\"\n[[protect]]\nrefs = "
                     "\"refs/heads/main\"\n") ==
          "policy.toml:4:8: protect[0].refs: expected an array of strings, got a string "
          "\"refs/heads/main\"");
  }

  SECTION("a non-string element of an array is a type error at the element") {
    CHECK(only_error("[review]\nverification = \"roster\"\n[[protect]]\nrefs = "
                     "[\"refs/heads/main\", 7]\n") ==
          "policy.toml:4:28: protect[0].refs[1]: expected a string, got an integer");
  }

  SECTION("[person] as a single table is refused: the roster is an array of tables") {
    CHECK(only_error(with_head("[person]\nname = \"A\"\n")) ==
          "policy.toml:5:1: person: expected an array of tables ([[person]]), got a table");
  }

  SECTION("a quoted date is a type error that says to drop the quotes") {
    CHECK(only_error(with_head("[baseline]\ndate = \"2026-01-01\"\n")) ==
          "policy.toml:6:8: baseline.date: expected a date such as 2026-01-01, got a string "
          "\"2026-01-01\"; write the value without quotes");
  }

  SECTION("a date-time without an offset is refused") {
    CHECK_THAT(only_error(with_head("[baseline]\ndate = 2026-01-01T00:00:00\n")),
               Catch::StartsWith("policy.toml:6:8: baseline.date: a date-time needs an offset"));
  }

  SECTION("an unknown level names the levels") {
    CHECK(only_error(with_head("min_level = \"sr\"\n")) ==
          "policy.toml:5:13: protect[0].min_level: unknown level \"sr\" (levels: junior, mid, "
          "senior, principal)");
  }

  SECTION("an unknown person level is checked against custom levels") {
    CHECK(only_error("levels = [\"dev\", \"senior\"]\n" +
                     with_head("[[person]]\nname = \"A\"\nemails = [\"a@x.org\"]\nlevel = "
                               "\"junior\"\n")) ==
          "policy.toml:9:9: person[0].level: unknown level \"junior\" (levels: dev, senior)");
  }

  SECTION("custom levels without senior need min_level set") {
    CHECK(only_error("levels = [\"dev\", \"lead\"]\n" + with_head("")) ==
          "policy.toml:4:1: protect[0].min_level: not set, and the default \"senior\" is not "
          "one of the levels (dev, lead); set it");
  }

  SECTION("a level listed twice is an error, and levels are then not used for checks") {
    CHECK(only_error("levels = [\"dev\", \"dev\"]\n" + with_head("min_level = \"x\"\n")) ==
          "policy.toml:1:18: levels[1]: \"dev\" is listed twice (also levels[0])");
  }

  SECTION("an empty levels list is refused") {
    CHECK(only_error("levels = []\n" + with_head("")) ==
          "policy.toml:1:10: levels: must list at least one level");
  }

  SECTION("the same email in two people is an error naming both entries") {
    CHECK(only_error(with_head(R"([[person]]
name = "A"
emails = ["a@example.com", "shared@example.com"]
level = "senior"
[[person]]
name = "B"
emails = ["Shared@Example.com"]
level = "junior"
)")) == "policy.toml:11:11: person[1].emails[0]: \"Shared@Example.com\" is already listed by "
        "person[0] at line 7; an email belongs to one person");
  }

  SECTION("an email listed twice in one person is an error too") {
    CHECK_THAT(only_error(with_head("[[person]]\nname = \"A\"\nemails = [\"a@x.org\", "
                                    "\"a@x.org\"]\nlevel = \"senior\"\n")),
               Catch::StartsWith("policy.toml:7:22: person[0].emails[1]: \"a@x.org\" is already "
                                 "listed by person[0]"));
  }

  SECTION("an email in angle brackets or without @ is refused") {
    std::vector<PolicyDiagnostic> errors = errors_of(with_head(
        "[[person]]\nname = \"A\"\nemails = [\"<a@x.org>\", \"a.x.org\"]\nlevel = \"senior\"\n"));
    REQUIRE(errors.size() == 2);
    CHECK(errors[0].to_string() ==
          "policy.toml:7:11: person[0].emails[0]: \"<a@x.org>\" is not an email address (write "
          "it bare, without <>)");
    CHECK(errors[1].column == 24);
  }

  SECTION("a person without emails or level is refused at the [[person]] header") {
    std::vector<PolicyDiagnostic> errors = errors_of(with_head("[[person]]\nname = \"A\"\n"));
    REQUIRE(errors.size() == 2);
    CHECK(errors[0].to_string() ==
          "policy.toml:5:1: person[0].emails: missing; list the person's commit emails");
    CHECK(errors[1].to_string() ==
          "policy.toml:5:1: person[0].level: missing; one of junior, mid, senior, principal");
  }

  SECTION("a username listed by two people is refused") {
    CHECK_THAT(only_error(with_head(R"([[person]]
name = "A"
emails = ["a@x.org"]
level = "senior"
usernames = ["alice"]
[[person]]
name = "B"
emails = ["b@x.org"]
level = "senior"
usernames = ["Alice"]
)")),
               Catch::StartsWith("policy.toml:14:14: person[1].usernames[0]: \"Alice\" is "
                                 "already listed by person[0] at line 9"));
  }

  SECTION("empty refs are an error at the array") {
    CHECK(only_error("[review]\nverification = \"roster\"\n[[protect]]\nrefs = []\n") ==
          "policy.toml:4:8: protect[0].refs: must list at least one ref pattern, e.g. "
          "\"refs/heads/main\"");
  }

  SECTION("a [[protect]] without refs is an error at its header") {
    CHECK(only_error("[review]\nverification = \"roster\"\n[[protect]]\napprovals = 2\n") ==
          "policy.toml:3:1: protect[0].refs: missing; list the ref patterns, e.g. "
          "[\"refs/heads/main\"]");
  }

  SECTION("a ref pattern not starting with refs/ is an error at the element") {
    CHECK(only_error("[review]\nverification = \"roster\"\n[[protect]]\nrefs = "
                     "[\"refs/heads/main\", \"heads/release/*\"]\n") ==
          "policy.toml:4:28: protect[0].refs[1]: \"heads/release/*\" must start with \"refs/\" "
          "(e.g. \"refs/heads/main\")");
  }

  SECTION("a ref pattern git could never match is refused, since it would protect nothing") {
    for (const char* bad :
         {"refs/heads/main ", "refs/heads/", "refs/heads/release-[0-9]*", "refs/heads/a..b",
          "refs/heads/x.lock", "refs//main", "refs/heads/.hidden", "refs/heads/a:b"}) {
      INFO(bad);
      CHECK_THAT(only_error("[review]\nverification = \"roster\"\n[[protect]]\nrefs = [\"" +
                            std::string(bad) + "\"]\n"),
                 Catch::StartsWith("policy.toml:4:9: protect[0].refs[0]:"));
    }
  }

  SECTION("a later rule that an earlier pattern covers is refused: first match wins") {
    CHECK(only_error(
              "[review]\nverification = \"roster\"\n"
              "[[protect]]\nrefs = [\"refs/heads/*\"]\n"
              "[[protect]]\nrefs = [\"refs/tags/v*\", \"refs/heads/main\"]\napprovals = 2\n") ==
          "policy.toml:6:25: protect[1].refs[1]: \"refs/heads/main\" never applies: protect[0] "
          "(line 3) comes first and its pattern \"refs/heads/*\" matches every ref this one "
          "does; the first matching [[protect]] wins, so put the more specific rule first");
  }

  SECTION("the specific rule first and the general one after is accepted") {
    Policy p = parse(
        "[review]\nverification = \"roster\"\n"
        "[[protect]]\nrefs = [\"refs/heads/main\"]\napprovals = 2\n"
        "[[protect]]\nrefs = [\"refs/heads/*\"]\n");
    CHECK(p.rule_for("refs/heads/main")->approvals == 2);
    CHECK(p.rule_for("refs/heads/dev")->approvals == 1);
  }

  SECTION("a policy without [[protect]] is refused: it would protect nothing") {
    CHECK(only_error("[review]\nverification = \"roster\"\n") ==
          "policy.toml:1:1: protect: no [[protect]] entries, so no ref would be protected; add "
          "one, e.g. [[protect]] with refs = [\"refs/heads/main\"]");
  }

  SECTION("an empty protect array is refused like a missing one") {
    CHECK(only_error("review = { verification = \"roster\" }\nprotect = []\n") ==
          "policy.toml:2:11: protect: is empty, so no ref would be protected; add at least one "
          "rule");
  }

  SECTION("approvals = 0 is refused") {
    CHECK(only_error(with_head("approvals = 0\n")) ==
          "policy.toml:5:13: protect[0].approvals: must be between 1 and 2147483647, got 0");
  }

  SECTION("max_listed_commits = 0 is refused") {
    CHECK_THAT(only_error("max_listed_commits = 0\n" + with_head("")),
               Catch::StartsWith("policy.toml:1:22: max_listed_commits: must be between 1"));
  }

  SECTION("a baseline commit that is not a full hex id is refused") {
    CHECK(only_error(with_head("[baseline]\ncommit = \"0123abc\"\n")) ==
          "policy.toml:6:10: baseline.commit: \"0123abc\" is not a full commit id (40 "
          "hexadecimal digits, as printed by git rev-parse)");
    CHECK_THAT(only_error(with_head("[baseline]\ncommit = "
                                    "\"g123456789abcdef0123456789abcdef01234567\"\n")),
               Catch::StartsWith("policy.toml:6:10: baseline.commit:"));
  }

  SECTION("an empty [baseline] is refused") {
    CHECK(only_error(with_head("[baseline]\n")) ==
          "policy.toml:5:1: baseline: set commit, date or both (or remove the [baseline] "
          "table)");
  }

  SECTION("a marker with two sources is refused at the second") {
    CHECK(only_error(with_head(R"([[detect.marker]]
id = "x"
tool = "X"
trailer = "X-AI"
body = "made by X"
)")) == "policy.toml:9:8: detect.marker[0]: sets both trailer and body; a marker has exactly "
        "one of trailer, identity or body (use one [[detect.marker]] for each)");
  }

  SECTION("a marker with no source, no id and no tool lists all three problems") {
    std::vector<PolicyDiagnostic> errors =
        errors_of(with_head("[[detect.marker]]\nvalue = \"x\"\n"));
    REQUIRE(errors.size() == 4);
    CHECK(errors[0].message == "detect.marker[0].id: missing; every marker needs a unique id");
    CHECK(errors[1].message == "detect.marker[0].tool: missing; name the tool, e.g. \"Acme AI\"");
    CHECK(errors[2].message == "detect.marker[0]: set exactly one of trailer, identity or body");
    CHECK(errors[3].message ==
          "detect.marker[0].value: only applies to a trailer marker (set trailer = \"Key\")");
  }

  SECTION("marker ids are unique") {
    CHECK(only_error(with_head(R"([[detect.marker]]
id = "x"
tool = "X"
body = "a"
[[detect.marker]]
id = "x"
tool = "X"
body = "b"
)")) == "policy.toml:10:6: detect.marker[1].id: \"x\" is already the id of detect.marker[0]");
  }

  SECTION("an empty identity regex is refused: it would mark every commit") {
    CHECK(only_error(with_head("[[detect.marker]]\nid = \"x\"\ntool = \"X\"\nidentity = \"\"\n")) ==
          "policy.toml:8:12: detect.marker[0].identity: must not be empty");
  }

  SECTION("a trailer key with a space is refused") {
    CHECK(only_error("[review]\nverification = \"roster\"\nkeys = [\"Reviewed by\"]\n"
                     "[[protect]]\nrefs = [\"refs/heads/main\"]\n") ==
          "policy.toml:3:9: review.keys[0]: \"Reviewed by\" is not a trailer key: use only "
          "letters, digits and '-'");
  }

  SECTION("an empty review keys list is refused") {
    CHECK_THAT(only_error("[review]\nverification = \"roster\"\nkeys = []\n"
                          "[[protect]]\nrefs = [\"refs/heads/main\"]\n"),
               Catch::StartsWith("policy.toml:3:8: review.keys: must list at least one"));
  }

  SECTION("several errors are reported at once, in file order") {
    // The tables come in an order that neither the loader's nor toml++'s (by name) follows.
    std::vector<PolicyDiagnostic> errors = errors_of(R"(levels = ["junior", "senior"]
typo = 1
[[protect]]
allow_delete = "no"
refs = ["refs/heads/main"]
approvals = 0
[review]
verification = "Signature"
[[person]]
name = ""
level = "sr"
emails = ["a@x.org"]
zzz = 1
)");
    std::vector<std::string> rendered;
    for (const auto& d : errors)
      rendered.push_back(d.to_string());
    CHECK(rendered ==
          std::vector<std::string>{
              "policy.toml:2:1: typo: unknown key (allowed here: levels, max_listed_commits, "
              "review, detect, baseline, person, protect, host, log)",
              "policy.toml:4:16: protect[0].allow_delete: expected true or false, got a string "
              "\"no\"; write the value without quotes",
              "policy.toml:6:13: protect[0].approvals: must be between 1 and 2147483647, got 0",
              "policy.toml:8:16: review.verification: unknown value \"Signature\" (expected "
              "\"signature\" or \"roster\")",
              "policy.toml:10:8: person[0].name: must not be empty",
              "policy.toml:11:9: person[0].level: unknown level \"sr\" (levels: junior, senior)",
              "policy.toml:13:1: person[0].zzz: unknown key (allowed here: name, emails, level, "
              "usernames, expires, keys)",
          });
  }

  SECTION("PolicyError::what lists every diagnostic, one per line") {
    try {
      parse("typo = 1\n[review]\nverification = \"sig\"\n[[protect]]\nrefs = []\n");
      FAIL("accepted");
    } catch (const PolicyError& e) {
      CHECK(std::string(e.what()) ==
            "policy.toml:1:1: typo: unknown key (allowed here: levels, max_listed_commits, "
            "review, detect, baseline, person, protect, host, log)\n"
            "policy.toml:3:16: review.verification: unknown value \"sig\" (expected "
            "\"signature\" or \"roster\")\n"
            "policy.toml:5:8: protect[0].refs: must list at least one ref pattern, e.g. "
            "\"refs/heads/main\"");
    }
  }

  SECTION("a syntax error quoting a line break stays on one line") {
    CHECK(only_error(with_head("allow_delete = tru\n")) ==
          "policy.toml:5:19: not valid TOML: Error while parsing boolean: expected 'true', saw "
          "'tru\\u000A'");
  }

  SECTION("control characters from the policy are escaped in messages") {
    CHECK(only_error(with_head("min_level = \"s\\u001b[31m\"\n")) ==
          "policy.toml:5:13: protect[0].min_level: unknown level \"s\\u001B[31m\" (levels: "
          "junior, mid, senior, principal)");
  }
}

TEST_CASE("policy::review_settings", "[policy]") {
  constexpr std::string_view kProtect = "[[protect]]\nrefs = [\"refs/heads/main\"]\n";
  auto review = [&](std::string_view lines) {
    return "[review]\n" + std::string(lines) + std::string(kProtect);
  };

  SECTION("a signature_key that is not a trailer key is refused") {
    CHECK(only_error(review("signature_key = \"Review Signature\"\n")) ==
          "policy.toml:2:17: review.signature_key: \"Review Signature\" is not a trailer key: use "
          "only letters, digits and '-'");
  }

  SECTION("an empty signature_key is refused") {
    CHECK(only_error(review("signature_key = \"\"\n")) ==
          "policy.toml:2:17: review.signature_key: must not be empty");
  }

  SECTION("a signature_key that is not a string is a type error") {
    CHECK(only_error(review("signature_key = 5\n")) ==
          "policy.toml:2:17: review.signature_key: expected a string, got an integer");
  }

  SECTION("a signature_key equal to the default review key is refused at signature_key") {
    CHECK(only_error(review("signature_key = \"reviewed-by\"\n")) ==
          "policy.toml:2:17: review.signature_key: \"reviewed-by\" is also a review trailer "
          "(\"Reviewed-by\" is the default of review.keys); the signature trailer must be a "
          "different key, e.g. \"Review-Signature\"");
  }

  SECTION("a signature_key equal to a listed review key is refused at signature_key") {
    CHECK(only_error(review("keys = [\"Reviewed-by\", \"approved-by\"]\n"
                            "signature_key = \"Approved-by\"\n")) ==
          "policy.toml:3:17: review.signature_key: \"Approved-by\" is also a review trailer "
          "(\"approved-by\" in review.keys); the signature trailer must be a different key, "
          "e.g. \"Review-Signature\"");
  }

  SECTION("a review key equal to the default signature_key is refused at the review key") {
    CHECK(only_error(review("keys = [\"Reviewed-by\", \"review-signature\"]\n")) ==
          "policy.toml:2:24: review.keys[1]: \"review-signature\" is the key of the signature "
          "trailer (review.signature_key defaults to \"Review-Signature\"); a review trailer "
          "must use a different key");
  }

  SECTION("review keys and signature_key may trade names as long as they differ") {
    Policy p = parse(review("keys = [\"Review-Signature\"]\nsignature_key = \"Reviewed-by\"\n"));
    CHECK(p.review.trailer_keys == std::vector<std::string>{"Review-Signature"});
    CHECK(p.review.signature_key == "Reviewed-by");
  }

  SECTION("namespace is any printable ASCII without spaces") {
    CHECK(parse(review("namespace = \"git\"\n")).review.sig_namespace == "git");
    CHECK(parse(review("namespace = \"a@b.example/review-v2\"\n")).review.sig_namespace ==
          "a@b.example/review-v2");
  }

  SECTION("an empty namespace is refused") {
    CHECK(only_error(review("namespace = \"\"\n")) ==
          "policy.toml:2:13: review.namespace: must not be empty");
  }

  SECTION("a namespace with a space, a control character or non-ASCII is refused") {
    CHECK(only_error(review("namespace = \"trailgate review\"\n")) ==
          "policy.toml:2:13: review.namespace: \"trailgate review\" is not a signature "
          "namespace: use printable ASCII without spaces, e.g. \"trailgate-review\"");
    CHECK_THAT(only_error(review("namespace = \"r\\tv\"\n")),
               Catch::StartsWith("policy.toml:2:13: review.namespace: \"r\\u0009v\" is not"));
    CHECK_THAT(only_error(review("namespace = \"r\xc3\xa9view\"\n")),
               Catch::StartsWith("policy.toml:2:13: review.namespace: \"r\xc3\xa9view\" is not"));
  }

  SECTION("a misspelt [review] key suggests the right one and lists them all") {
    CHECK(only_error(review("sig_namespace = \"x\"\n")) ==
          "policy.toml:2:1: review.sig_namespace: unknown key; did you mean \"namespace\"? "
          "(allowed here: verification, keys, signature_key, namespace)");
  }
}

TEST_CASE("policy::person_keys", "[policy]") {
  SECTION("keys of each supported type are read, comment and all") {
    Policy p =
        parse(with_keys(key_string(kEd25519) + key_string(kEcdsa256) + key_string(kRsa3072)));
    const auto& keys = p.people.at(0).keys;
    REQUIRE(keys.size() == 3);
    CHECK(keys[0].key.type == "ssh-ed25519");
    CHECK(keys[0].key.comment == "senior@laptop");
    CHECK(keys[0].key.blob.size() == 51);  // string "ssh-ed25519" + string pk[32]
    CHECK(keys[1].key.type == "ecdsa-sha2-nistp256");
    CHECK(keys[1].key.comment == "lead@work");
    CHECK(keys[2].key.type == "ssh-rsa");
    CHECK(keys[2].key.comment == "ops@bastion");
    for (const auto& key : keys) {
      CHECK_FALSE(key.valid_after);
      CHECK_FALSE(key.valid_before);
    }
  }

  SECTION("an empty keys array is a person without keys") {
    CHECK(parse(with_keys("")).people.at(0).keys.empty());
  }

  SECTION("a key as an inline table, with either, both or no dates") {
    Policy p = parse(with_keys(
        element("{ key = \"" + std::string(kEd25519) + "\" }") +
        element("{ key = \"" + std::string(kEd25519Other) + "\", valid_after = 2026-01-01 }") +
        element("{ valid_before = 2027-01-01T12:00:00+02:00, key = \"" + std::string(kEcdsa256) +
                "\" }") +
        element("{ key = \"" + std::string(kRsa3072) +
                "\", valid_after = 2026-01-01, valid_before = 2027-01-01 }")));
    const auto& keys = p.people.at(0).keys;
    REQUIRE(keys.size() == 4);
    CHECK(keys[0].key.type == "ssh-ed25519");
    CHECK_FALSE(keys[0].valid_after);
    CHECK_FALSE(keys[0].valid_before);
    CHECK(keys[1].key.comment == "senior@desktop");
    CHECK(keys[1].valid_after == utc_midnight(2026, 1, 1));
    CHECK_FALSE(keys[1].valid_before);
    CHECK(keys[2].key.type == "ecdsa-sha2-nistp256");
    CHECK_FALSE(keys[2].valid_after);
    CHECK(keys[2].valid_before == utc_midnight(2027, 1, 1) + 10 * 3600);
    CHECK(keys[3].key.type == "ssh-rsa");
    CHECK(keys[3].valid_after == 1767225600);   // date -u -d 2026-01-01 +%s
    CHECK(keys[3].valid_before == 1798761600);  // date -u -d 2027-01-01 +%s
  }

  SECTION("strings and inline tables mix in one array") {
    Policy p = parse(
        with_keys(key_string(kEd25519) + element("{ key = \"" + std::string(kEcdsa256) + "\" }")));
    CHECK(p.people.at(0).keys.size() == 2);
  }

  SECTION("a key that does not parse is an error at the element, with the parser's reason") {
    // Bad base64, a type trailgate cannot verify (DSA, FIDO), a blob whose inner type is not
    // the first field's, a pasted private key, a type alone, an empty string.
    const std::vector<std::string> bad = {
        "ssh-ed25519 AAAA!!!!C3NzaC1lZDI1NTE5 x",
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIN38qVKg1E+XWKH4Dm6AuRLwD0/9y765cMRP8T3H/oVz=",
        std::string(kDss),
        std::string(kSkEd25519),
        "ssh-ed25519 " + std::string(kRsa3072.substr(8, kRsa3072.rfind(' ') - 8)),
        "-----BEGIN OPENSSH PRIVATE KEY-----",
        "ssh-ed25519",
        "",
    };
    std::string elements;
    for (const std::string& key : bad)
      elements += key_string(key);
    std::vector<PolicyDiagnostic> errors = errors_of(with_keys(elements));
    REQUIRE(errors.size() == bad.size());
    for (std::size_t i = 0; i < bad.size(); ++i) {
      INFO(bad[i]);
      const std::string prefix = "policy.toml:" + std::to_string(10 + i) + ":3: person[0].keys[" +
                                 std::to_string(i) + "]: ";
      CHECK_THAT(errors[i].to_string(), Catch::StartsWith(prefix));
      CHECK(errors[i].to_string().size() > prefix.size() + 10);  // the parser's sentence
    }
  }

  SECTION("the parser's reason names what is wrong") {
    CHECK_THAT(only_error(with_keys(key_string(kDss))), Catch::Contains("\"ssh-dss\""));
    CHECK_THAT(only_error(with_keys(key_string(kSkEd25519))),
               Catch::Contains("\"sk-ssh-ed25519@openssh.com\""));
    CHECK_THAT(only_error(with_keys(key_string("ssh-ed25519 AAAA!!!!"))),
               Catch::Contains("base64"));
  }

  SECTION("a pasted private key is called out as one") {
    CHECK(only_error(with_keys(element("\"\"\"-----BEGIN OPENSSH PRIVATE KEY-----\n"
                                       "b3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n"
                                       "-----END OPENSSH PRIVATE KEY-----\n\"\"\""))) ==
          "policy.toml:10:3: person[0].keys[0]: this is a private key: remove it from the "
          "policy (anyone who can read the file could sign reviews with it) and write the "
          "public key, the line of the .pub file");
  }

  SECTION("a key in an inline table that does not parse is an error at its key value") {
    CHECK_THAT(only_error(with_keys(element("{ key = \"" + std::string(kDss) + "\" }"))),
               Catch::StartsWith("policy.toml:10:11: person[0].keys[0].key: "));
  }

  SECTION("the same key on two people is an error naming both places") {
    // The second listing has no comment: the blob is what makes two keys the same.
    const std::string bare(kEd25519.substr(0, kEd25519.rfind(' ')));
    CHECK(only_error(with_head("[[person]]\nname = \"A\"\nemails = [\"a@example.com\"]\n"
                               "level = \"senior\"\nkeys = [\n" +
                               key_string(kEd25519) +
                               "]\n[[person]]\nname = \"B\"\nemails = [\"b@example.com\"]\n"
                               "level = \"senior\"\nkeys = [\n" +
                               element("{ key = \"" + bare + "\" }") + "]\n")) ==
          "policy.toml:17:11: person[1].keys[0].key: this key (ssh-ed25519 " +
              std::string(kEd25519Fingerprint) +
              ") is already listed as person[0].keys[0] at line 10; a key belongs to one person");
  }

  SECTION("the same key twice on one person is an error too") {
    const std::string renamed = std::string(kEd25519.substr(0, kEd25519.rfind(' '))) + " other";
    CHECK(
        only_error(with_keys(key_string(kEd25519) + key_string(kEcdsa256) + key_string(renamed))) ==
        "policy.toml:12:3: person[0].keys[2]: this key (ssh-ed25519 " +
            std::string(kEd25519Fingerprint) +
            ") is already listed as person[0].keys[0] at line 10; a key belongs to one person");
  }

  SECTION("an unknown key in a key's inline table is refused") {
    CHECK(only_error(with_keys(
              element("{ comment = \"laptop\", key = \"" + std::string(kEd25519) + "\" }"))) ==
          "policy.toml:10:5: person[0].keys[0].comment: unknown key (allowed here: key, "
          "valid_after, valid_before)");
    CHECK_THAT(only_error(with_keys(element("{ valid_afer = 2026-01-01, key = \"" +
                                            std::string(kEd25519) + "\" }"))),
               Catch::StartsWith("policy.toml:10:5: person[0].keys[0].valid_afer: unknown key; "
                                 "did you mean \"valid_after\"?"));
  }

  SECTION("an inline table without key is refused at the table") {
    CHECK(only_error(with_keys(element("{ valid_after = 2026-01-01 }"))) ==
          "policy.toml:10:3: person[0].keys[0].key: missing; the public key, e.g. "
          "\"ssh-ed25519 AAAA... you@host\"");
  }

  SECTION("a key value that is not a string, or is empty, is refused at the value") {
    CHECK(only_error(with_keys(element("{ key = 5 }"))) ==
          "policy.toml:10:11: person[0].keys[0].key: expected a string, got an integer");
    CHECK(only_error(with_keys(element("{ key = \"\" }"))) ==
          "policy.toml:10:11: person[0].keys[0].key: must not be empty");
  }

  SECTION("a key's date-time without an offset is refused, as for expires") {
    CHECK(only_error(with_keys(element("{ valid_after = 2026-01-01T00:00:00, key = \"" +
                                       std::string(kEd25519) + "\" }"))) ==
          "policy.toml:10:19: person[0].keys[0].valid_after: a date-time needs an offset (e.g. "
          "2026-01-01T00:00:00Z), or write a plain date");
  }

  SECTION("a quoted key date is a type error that says to drop the quotes") {
    CHECK(only_error(with_keys(element("{ valid_before = \"2027-01-01\", key = \"" +
                                       std::string(kEd25519) + "\" }"))) ==
          "policy.toml:10:20: person[0].keys[0].valid_before: expected a date such as "
          "2026-01-01, got a string \"2027-01-01\"; write the value without quotes");
  }

  SECTION("valid_after must come before valid_before") {
    CHECK(only_error(with_keys(element("{ valid_after = 2027-01-01, valid_before = 2026-01-01, "
                                       "key = \"" +
                                       std::string(kEd25519) + "\" }"))) ==
          "policy.toml:10:46: person[0].keys[0].valid_before: must be later than valid_after, "
          "or the key would never be valid");
    // An empty window is as useless as a reversed one.
    CHECK_THAT(only_error(with_keys(element("{ valid_after = 2027-01-01, valid_before = "
                                            "2027-01-01, key = \"" +
                                            std::string(kEd25519) + "\" }"))),
               Catch::StartsWith("policy.toml:10:46: person[0].keys[0].valid_before: must be "
                                 "later than valid_after"));
  }

  SECTION("an element that is neither a string nor a table is refused") {
    CHECK(only_error(with_keys(element("42"))) ==
          "policy.toml:10:3: person[0].keys[0]: expected an SSH public key: a string such as "
          "\"ssh-ed25519 AAAA... you@host\" or an inline table { key = \"...\" }, got an "
          "integer");
    CHECK_THAT(only_error(with_keys(element("[\"" + std::string(kEd25519) + "\"]"))),
               Catch::EndsWith("got an array"));
  }

  SECTION("keys as a single string, not an array, is a type error") {
    CHECK(only_error(with_head("[[person]]\nname = \"A\"\nemails = [\"a@example.com\"]\n"
                               "level = \"senior\"\nkeys = \"" +
                               std::string(kEd25519) + "\"\n")) ==
          "policy.toml:9:8: person[0].keys: expected an array of SSH public keys, got a string "
          "\"" +
              std::string(kEd25519) + "\"");
  }

  SECTION("every bad key is reported, not only the first") {
    std::vector<PolicyDiagnostic> errors = errors_of(
        with_keys(key_string(kDss) + element("7") + key_string(kEd25519) + key_string(kEd25519)));
    REQUIRE(errors.size() == 3);
    CHECK(errors[0].line == 10);
    CHECK(errors[1].line == 11);
    CHECK(errors[2].line == 13);
  }
}

TEST_CASE("policy::warnings", "[policy]") {
  const std::string roster = std::string(R"([[person]]
name = "Senior"
emails = ["s@x.org"]
level = "senior"
[[person]]
name = "Keyed"
emails = ["k@x.org"]
level = "principal"
keys = [")") + std::string(kEd25519) +
                             R"("]
[[person]]
name = "Mid"
emails = ["m@x.org"]
level = "mid"
[[person]]
name = "Junior"
emails = ["j@x.org"]
level = "junior"
[[protect]]
refs = ["refs/heads/main"]
)";

  auto rendered = [](const Policy& p) {
    std::vector<std::string> out;
    for (const PolicyDiagnostic& d : policy_warnings(p))
      out.push_back(d.to_string());
    return out;
  };

  SECTION("under signature, a person at or above min_level without keys is named at their line") {
    std::vector<PolicyDiagnostic> warnings = policy_warnings(parse(roster));
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].file == "policy.toml");
    CHECK(warnings[0].line == 1);
    CHECK(warnings[0].to_string() ==
          "policy.toml:1: person[0] (Senior): no keys; under verification = \"signature\" their "
          "reviews cannot count (add their SSH public key to keys)");
  }

  SECTION("the lowest min_level of any rule decides who is named") {
    Policy p = parse(roster + "[[protect]]\nrefs = [\"refs/heads/dev\"]\nmin_level = \"mid\"\n");
    std::vector<std::string> warnings = rendered(p);
    REQUIRE(warnings.size() == 2);
    CHECK_THAT(warnings[0], Catch::StartsWith("policy.toml:1: person[0] (Senior): no keys"));
    CHECK_THAT(warnings[1], Catch::StartsWith("policy.toml:10: person[2] (Mid): no keys"));
  }

  SECTION("under roster, keys do not matter and nobody is named") {
    CHECK(rendered(parse("[review]\nverification = \"roster\"\n" + roster)).empty());
  }

  SECTION("a baseline date is cautioned, without a position") {
    std::vector<std::string> warnings =
        rendered(parse(with_head("[baseline]\ndate = 2026-01-01\n")));
    CHECK(warnings == std::vector<std::string>{
                          "policy.toml: baseline.date trusts commit dates, which the pusher "
                          "writes; prefer baseline.commit for the hook"});
    CHECK(rendered(parse(with_head("[baseline]\ncommit = "
                                   "\"0123456789abcdef0123456789abcdef01234567\"\n")))
              .empty());
  }

  SECTION("a name with control characters is escaped") {
    std::vector<std::string> warnings = rendered(
        parse("[[person]]\nname = \"S\\u001b[2J\"\nemails = [\"s@x.org\"]\nlevel = \"senior\"\n"
              "[[protect]]\nrefs = [\"refs/heads/main\"]\n"));
    REQUIRE(warnings.size() == 1);
    CHECK_THAT(warnings[0], Catch::StartsWith("policy.toml:1: person[0] (S\\u001B[2J): no keys"));
  }
}

TEST_CASE("policy::diagnostic", "[policy]") {
  SECTION("a positioned diagnostic renders file:line:column: message") {
    CHECK(PolicyDiagnostic{"p.toml", 3, 7, "x: bad"}.to_string() == "p.toml:3:7: x: bad");
  }
  SECTION("a diagnostic without a position renders file: message") {
    CHECK(PolicyDiagnostic{"p.toml", 0, 0, "cannot read"}.to_string() == "p.toml: cannot read");
  }
}

TEST_CASE("policy::load_policy_file", "[policy]") {
  testing::TempDir dir;

  SECTION("a missing file is a diagnostic without position saying it cannot be read") {
    const std::string path = (dir.path() / "nope.toml").string();
    try {
      load_policy_file(path);
      FAIL("accepted");
    } catch (const PolicyError& e) {
      REQUIRE(e.diagnostics().size() == 1);
      const PolicyDiagnostic& d = e.diagnostics()[0];
      CHECK(d.file == path);
      CHECK(d.line == 0);
      CHECK(d.message == "cannot read the policy file: No such file or directory");
      CHECK(d.to_string() == path + ": cannot read the policy file: No such file or directory");
    }
  }

  SECTION("a directory is not a policy file") {
    try {
      load_policy_file(dir.path().string());
      FAIL("accepted");
    } catch (const PolicyError& e) {
      REQUIRE(e.diagnostics().size() == 1);
      CHECK(e.diagnostics()[0].line == 0);
      CHECK(e.diagnostics()[0].message ==
            "cannot read the policy file: Is a directory; a policy must be a regular file");
    }
  }

  SECTION("only a regular file is read: a FIFO, a device, a dangling link are refused at once") {
    const auto fifo = dir.path() / "fifo.toml";
    REQUIRE(::mkfifo(fifo.c_str(), 0644) == 0);
    const auto to_zero = dir.path() / "zero.toml";
    std::filesystem::create_symlink("/dev/zero", to_zero);
    const auto dangling = dir.path() / "dangling.toml";
    std::filesystem::create_symlink(dir.path() / "gone", dangling);
    const std::pair<std::filesystem::path, std::string> cases[] = {
        {fifo, "Is a FIFO (named pipe); a policy must be a regular file"},
        {to_zero, "Is a character device; a policy must be a regular file"},
        {dangling,
         "a symbolic link to \"" + (dir.path() / "gone").string() + "\", which does not exist"},
    };
    for (const auto& [path, reason] : cases) {
      INFO(path);
      try {
        read_policy_file(path.string());
        FAIL("accepted");
      } catch (const PolicyError& e) {
        REQUIRE(e.diagnostics().size() == 1);
        CHECK(e.diagnostics()[0].file == path.string());
        CHECK(e.diagnostics()[0].message == "cannot read the policy file: " + reason);
      }
    }
  }

  SECTION("a symbolic link to a regular file is followed; over 4 MiB is refused") {
    const auto target = dir.path() / "real.toml";
    testing::write_file(target, std::string(kMinimal));
    const auto link = dir.path() / "link.toml";
    std::filesystem::create_symlink(target, link);
    CHECK(read_policy_file(link.string()) == kMinimal);
    testing::write_file(target, std::string(4 * 1024 * 1024 + 1, '#'));
    CHECK_THROWS_WITH(read_policy_file(link.string()),
                      Catch::Contains("cannot read the policy file: larger than 4 MiB"));
  }

  SECTION("a file is read, and its path is the source in policy and diagnostics") {
    const auto path = dir.path() / "trailgate.toml";
    testing::write_file(path, std::string(kMinimal));
    Policy p = load_policy_file(path.string());
    CHECK(p.source == path.string());
    CHECK(p.people.size() == 2);

    testing::write_file(path, std::string(kMinimal) + "approvals = 2\n");
    try {
      load_policy_file(path.string());
      FAIL("accepted");
    } catch (const PolicyError& e) {
      REQUIRE(e.diagnostics().size() == 1);
      CHECK_THAT(e.diagnostics()[0].to_string(),
                 Catch::StartsWith(path.string() + ":18:13: not valid TOML:"));
    }
  }
}

TEST_CASE("policy::example", "[policy]") {
  const std::string path = std::string(TRAILGATE_SOURCE_DIR) + "/examples/policy.toml";
  const std::string text = testing::read_file(path);
  REQUIRE_FALSE(text.empty());

  SECTION("examples/policy.toml loads") {
    Policy p = load_policy_file(path);
    CHECK(p.review.verification == Verification::signature);
    CHECK(p.people.size() == 2);
    REQUIRE(p.protect.size() == 1);
    CHECK(p.rule_for("refs/heads/release/1.0/hotfix") == &p.protect[0]);
  }

  SECTION("policy check warns that its senior has no keys yet") {
    // The keys are commented out so that the example loads as shipped.
    std::vector<PolicyDiagnostic> warnings = policy_warnings(load_policy_file(path));
    REQUIRE(warnings.size() == 1);
    CHECK_THAT(warnings[0].message, Catch::StartsWith("person[0] (Senior One): no keys"));
  }

  SECTION("the values it writes out are the real defaults") {
    // The example promises that every written-out setting is the default; compare with a
    // policy that leaves them all out.
    Policy example = load_policy_file(path);
    Policy bare = parse(R"([[protect]]
refs = ["refs/heads/main"]
)");
    CHECK(example.levels == bare.levels);
    CHECK(example.max_listed_commits == bare.max_listed_commits);
    CHECK(example.review.verification == bare.review.verification);
    CHECK(example.review.trailer_keys == bare.review.trailer_keys);
    CHECK(example.review.signature_key == bare.review.signature_key);
    CHECK(example.review.sig_namespace == bare.review.sig_namespace);
    CHECK(example.detect.builtin == bare.detect.builtin);
    // The example ships two markers of its own (Kiro, Amazon Q Developer); nothing else differs.
    REQUIRE(example.detect.markers.size() == 2);
    CHECK(example.detect.markers[0].id == "example.kiro");
    CHECK(example.detect.markers[1].id == "example.amazon-q");
    CHECK_FALSE(example.baseline.commit);
    CHECK_FALSE(example.baseline.before);
    const auto& e = example.protect[0];
    const auto& b = bare.protect[0];
    CHECK(e.approvals == b.approvals);
    CHECK(e.min_level == b.min_level);
    CHECK(e.allow_delete == b.allow_delete);
    CHECK(e.allow_force_push == b.allow_force_push);
    CHECK(e.review_all == b.review_all);
    CHECK(e.require_declaration == b.require_declaration);
    CHECK(e.break_glass == b.break_glass);
    CHECK(example.host.pusher_variable == bare.host.pusher_variable);
    CHECK(example.log.decisions == bare.log.decisions);
    CHECK(example.log.on_failure == bare.log.on_failure);
  }

  SECTION("its commented-out optional settings load too when uncommented") {
    // Convention of the example: "#key = ..." and "#[table]" are settings, "# text" is prose.
    std::string uncommented;
    std::size_t start = 0;
    while (start < text.size()) {
      std::size_t end = text.find('\n', start);
      if (end == std::string::npos)
        end = text.size();
      std::string_view line(text.data() + start, end - start);
      if (line.size() > 1 && line[0] == '#' && line[1] != ' ' && line[1] != '#') {
        line.remove_prefix(1);
      }
      uncommented.append(line);
      uncommented += '\n';
      start = end + 1;
    }
    Policy p = parse(uncommented);
    CHECK(p.detect.markers.size() == 5);
    CHECK(p.baseline.commit);
    CHECK(p.baseline.before);
    CHECK(p.people[0].usernames.size() == 1);
    CHECK(p.people[0].expires);
    REQUIRE(p.people[0].keys.size() == 2);
    CHECK_FALSE(p.people[0].keys[0].valid_after);
    CHECK(p.people[0].keys[1].valid_after);
    CHECK(p.people[0].keys[1].valid_before);
    CHECK(policy_warnings(p).size() == 1);  // the baseline date, no longer the keys
    CHECK(p.protect.size() == 2);
    REQUIRE(p.protect[0].break_glass.size() == 1);
    CHECK(p.person_by_username(p.protect[0].break_glass[0]) == &p.people[0]);
    CHECK_FALSE(p.host.pusher_variable.empty());
  }
}

TEST_CASE("policy::ref_matches", "[policy]") {
  SECTION("a literal pattern matches only the same ref, not a prefix or extension") {
    CHECK(ref_matches("refs/heads/main", "refs/heads/main"));
    CHECK_FALSE(ref_matches("refs/heads/main", "refs/heads/main2"));
    CHECK_FALSE(ref_matches("refs/heads/main", "refs/heads/mai"));
    CHECK_FALSE(ref_matches("refs/heads/main", "refs/heads/Main"));
  }

  SECTION("'*' crosses '/', so nested branches are protected") {
    CHECK(ref_matches("refs/heads/release/*", "refs/heads/release/1.0"));
    CHECK(ref_matches("refs/heads/release/*", "refs/heads/release/a/b"));
    CHECK_FALSE(ref_matches("refs/heads/release/*", "refs/heads/release"));
    CHECK_FALSE(ref_matches("refs/heads/release/*", "refs/heads/releases/x"));
  }

  SECTION("'*' matches an empty run") {
    CHECK(ref_matches("refs/tags/v*", "refs/tags/v"));
    CHECK(ref_matches("*", ""));
    CHECK(ref_matches("refs/*/main", "refs//main"));
  }

  SECTION("several stars need backtracking") {
    CHECK(ref_matches("refs/*/x*y", "refs/a/xxy/xzy"));
    CHECK(ref_matches("*a*b", "aXbYaZb"));
    CHECK_FALSE(ref_matches("*a*b", "aXbYaZ"));
    CHECK(ref_matches("refs/heads/*-*-fix", "refs/heads/a-b-c-fix"));
  }

  SECTION("'?' is exactly one character") {
    CHECK(ref_matches("refs/heads/v?", "refs/heads/v1"));
    CHECK(ref_matches("refs/heads/v?", "refs/heads/v/"));
    CHECK_FALSE(ref_matches("refs/heads/v?", "refs/heads/v"));
    CHECK_FALSE(ref_matches("refs/heads/v?", "refs/heads/v12"));
  }

  SECTION("'?' is one UTF-8 character, so caf? protects café") {
    CHECK(ref_matches("refs/heads/caf?", "refs/heads/caf\xc3\xa9"));
    CHECK(ref_matches("refs/heads/?-x", "refs/heads/\xe2\x82\xac-x"));
    CHECK_FALSE(ref_matches("refs/heads/caf?", "refs/heads/caf\xc3\xa9s"));
    // A byte that starts no valid sequence is one character of its own.
    CHECK(ref_matches("refs/heads/?", "refs/heads/\xff"));
  }

  SECTION("brackets and backslashes are literal") {
    CHECK(ref_matches("refs/heads/[ab]", "refs/heads/[ab]"));
    CHECK_FALSE(ref_matches("refs/heads/[ab]", "refs/heads/a"));
  }

  SECTION("a pathological pattern does not take exponential time") {
    const std::string ref(20000, 'a');
    const std::string pattern = "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b";
    const auto start = std::chrono::steady_clock::now();
    CHECK_FALSE(ref_matches(pattern, ref));
    CHECK(ref_matches(pattern, ref + "b"));
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
  }
}

TEST_CASE("policy::ref_pattern_covers", "[policy]") {
  SECTION("a star covers literals, question marks and stars") {
    CHECK(ref_pattern_covers("refs/heads/*", "refs/heads/main"));
    CHECK(ref_pattern_covers("refs/heads/*", "refs/heads/release/*"));
    CHECK(ref_pattern_covers("refs/heads/*", "refs/heads/v?"));
    CHECK(ref_pattern_covers("refs/heads/main", "refs/heads/main"));
  }
  SECTION("a narrower pattern does not cover a wider one") {
    CHECK_FALSE(ref_pattern_covers("refs/heads/main", "refs/heads/*"));
    CHECK_FALSE(ref_pattern_covers("refs/heads/v?", "refs/heads/v*"));
    CHECK_FALSE(ref_pattern_covers("refs/heads/m?in", "refs/heads/m*in"));
    CHECK_FALSE(ref_pattern_covers("refs/heads/main", "refs/heads/mai?"));
    CHECK_FALSE(ref_pattern_covers("refs/tags/*", "refs/heads/main"));
  }
  SECTION("a question mark covers one character or one question mark") {
    CHECK(ref_pattern_covers("refs/heads/v?", "refs/heads/v1"));
    CHECK(ref_pattern_covers("refs/heads/v?", "refs/heads/v?"));
    CHECK(ref_pattern_covers("refs/heads/caf?", "refs/heads/caf\xc3\xa9"));
  }
}

TEST_CASE("policy::lookups", "[policy]") {
  Policy p = parse(R"([review]
verification = "roster"
[[person]]
name = "A"
emails = ["a@example.com"]
level = "principal"
[[person]]
name = "B"
emails = ["b@example.com", "B.Other@Example.com"]
level = "mid"
[[protect]]
refs = ["refs/heads/main"]
approvals = 2
[[protect]]
refs = ["refs/heads/*", "refs/tags/*"]
)");

  SECTION("rule_for returns the first rule with a matching pattern") {
    CHECK(p.rule_for("refs/heads/main") == &p.protect[0]);
    CHECK(p.rule_for("refs/heads/feature/x") == &p.protect[1]);
    CHECK(p.rule_for("refs/tags/v1") == &p.protect[1]);
    CHECK(p.rule_for("refs/notes/commits") == nullptr);
  }

  SECTION("person_by_email ignores ASCII case, on every email of a person") {
    CHECK(p.person_by_email("A@EXAMPLE.COM") == &p.people[0]);
    CHECK(p.person_by_email("b.other@example.com") == &p.people[1]);
    CHECK(p.person_by_email("c@example.com") == nullptr);
    CHECK(p.person_by_email("") == nullptr);
  }

  SECTION("person_by_username ignores ASCII case; an empty name is nobody") {
    Policy q = parse(
        with_head("[[person]]\nname = \"A\"\nemails = [\"a@example.com\"]\nlevel = \"senior\"\n"
                  "usernames = [\"alice\", \"a.admin\"]\n"));
    CHECK(q.person_by_username("ALICE") == &q.people[0]);
    CHECK(q.person_by_username("a.admin") == &q.people[0]);
    CHECK(q.person_by_username("a@example.com") == nullptr);
    CHECK(q.person_by_username("") == nullptr);
  }

  SECTION("allows_break_glass ignores ASCII case; an empty name is never allowed") {
    trailgate::ProtectRule rule;
    rule.break_glass = {"Alice", "ops"};
    CHECK(rule.allows_break_glass("alice"));
    CHECK(rule.allows_break_glass("OPS"));
    CHECK_FALSE(rule.allows_break_glass("bob"));
    CHECK_FALSE(rule.allows_break_glass("alic"));
    CHECK_FALSE(rule.allows_break_glass(""));
    CHECK_FALSE(trailgate::ProtectRule{}.allows_break_glass("alice"));
  }

  SECTION("level_rank orders levels low to high, -1 when unknown") {
    CHECK(p.level_rank("junior") == 0);
    CHECK(p.level_rank("principal") == 3);
    CHECK(p.level_rank("Senior") == -1);
    CHECK(p.level_rank("") == -1);
  }
}

TEST_CASE("policy::break_glass", "[policy]") {
  SECTION("a list of host usernames, kept as written") {
    Policy p = parse(with_head("break_glass = [\"alice\", \"ops-oncall\", \"user-42\"]\n"));
    CHECK(p.protect[0].break_glass == std::vector<std::string>{"alice", "ops-oncall", "user-42"});
  }

  SECTION("an empty list means nobody, as leaving it out does") {
    CHECK(parse(with_head("break_glass = []\n")).protect[0].break_glass.empty());
  }

  SECTION("an empty name or one with a space is refused at the element") {
    CHECK(only_error(with_head("break_glass = [\"alice\", \"\"]\n")) ==
          "policy.toml:5:25: protect[0].break_glass[1]: a host username is non-empty, without "
          "spaces (as the host sets it in GL_USERNAME, REMOTE_USER, ...)");
    CHECK_THAT(only_error(with_head("break_glass = [\"al ice\"]\n")),
               Catch::StartsWith("policy.toml:5:16: protect[0].break_glass[0]: a host username"));
  }

  SECTION("a name listed twice, ignoring case, is refused at the second") {
    CHECK(only_error(with_head("break_glass = [\"alice\", \"ALICE\"]\n")) ==
          "policy.toml:5:25: protect[0].break_glass[1]: \"ALICE\" is listed twice (usernames "
          "compare ignoring case)");
  }

  SECTION("a string instead of a list, or a non-string element, is a type error") {
    CHECK(only_error(with_head("break_glass = \"alice\"\n")) ==
          "policy.toml:5:15: protect[0].break_glass: expected an array of strings, got a string "
          "\"alice\"");
    CHECK(only_error(with_head("break_glass = [\"alice\", 42]\n")) ==
          "policy.toml:5:25: protect[0].break_glass[1]: expected a string, got an integer");
  }

  SECTION("a misspelling suggests break_glass") {
    CHECK_THAT(only_error(with_head("breakglass = [\"alice\"]\n")),
               Catch::Contains("unknown key; did you mean \"break_glass\"?"));
  }

  SECTION("each rule has its own list") {
    Policy p = parse(R"([[protect]]
refs = ["refs/heads/main"]
break_glass = ["alice"]
[[protect]]
refs = ["refs/heads/release/*"]
)");
    CHECK(p.rule_for("refs/heads/main")->allows_break_glass("alice"));
    CHECK_FALSE(p.rule_for("refs/heads/release/1")->allows_break_glass("alice"));
  }
}

TEST_CASE("policy::host", "[policy]") {
  SECTION("pusher_variable names an environment variable") {
    for (const char* name :
         {"USER", "LOGNAME", "ACME_PUSHER", "_X", "TRAILGATE_PUSHER", "remote_user2"}) {
      INFO(name);
      CHECK(parse(with_head(std::string("[host]\npusher_variable = \"") + name + "\"\n"))
                .host.pusher_variable == name);
    }
  }

  SECTION("a name that is no variable name is refused at the value") {
    CHECK(only_error(with_head("[host]\npusher_variable = \"1USER\"\n")) ==
          "policy.toml:6:19: host.pusher_variable: \"1USER\" is not an environment variable "
          "name (letters, digits and '_', not starting with a digit)");
    for (const char* name : {"MY-USER", "A B", "USER=x"}) {
      INFO(name);
      CHECK_THAT(only_error(with_head(std::string("[host]\npusher_variable = \"") + name + "\"\n")),
                 Catch::Contains("is not an environment variable name"));
    }
  }

  SECTION("a variable the client can set is refused: it would let anyone claim any name") {
    for (const char* name :
         {"HTTP_X_REMOTE_USER", "http_x_user", "GIT_PUSH_OPTION_0", "GIT_AUTHOR_NAME", "LC_USER",
          "LANG", "TERM", "QUERY_STRING", "PATH_INFO", "SSH_ORIGINAL_COMMAND", "REQUEST_URI"}) {
      INFO(name);
      CHECK_THAT(only_error(with_head(std::string("[host]\npusher_variable = \"") + name + "\"\n")),
                 Catch::Contains("can be set by the pushing client, so it cannot say who pushes"));
    }
  }

  SECTION("an empty pusher_variable or an unknown key is refused") {
    CHECK(only_error(with_head("[host]\npusher_variable = \"\"\n")) ==
          "policy.toml:6:19: host.pusher_variable: must not be empty");
    CHECK_THAT(only_error(with_head("[host]\npusher_varible = \"USER\"\n")),
               Catch::StartsWith("policy.toml:6:1: host.pusher_varible: unknown key; did you "
                                 "mean \"pusher_variable\"?"));
  }
}

TEST_CASE("policy::log", "[policy]") {
  SECTION("decisions is a path, kept as written; on_failure is reject or warn") {
    Policy p =
        parse(with_head("[log]\ndecisions = \"logs/decisions.jsonl\"\non_failure = \"reject\"\n"));
    CHECK(p.log.decisions == "logs/decisions.jsonl");
    CHECK(p.log.on_failure == trailgate::LogFailure::reject);
    CHECK(parse(with_head("[log]\non_failure = \"warn\"\n")).log.on_failure ==
          trailgate::LogFailure::warn);
  }

  SECTION("an unknown on_failure is refused with the choices") {
    CHECK(only_error(with_head("[log]\non_failure = \"ignore\"\n")) ==
          "policy.toml:6:14: log.on_failure: unknown value \"ignore\" (expected \"reject\" or "
          "\"warn\")");
  }

  SECTION("a decisions path that cannot name a log file is refused") {
    CHECK(only_error(with_head("[log]\ndecisions = \"\"\n")) ==
          "policy.toml:6:13: log.decisions: must not be empty");
    CHECK_THAT(only_error(with_head("[log]\ndecisions = \"/var/log/trailgate/\"\n")),
               Catch::Contains("names a directory; name the file"));
    CHECK_THAT(only_error(with_head("[log]\ndecisions = \"~/decisions.jsonl\"\n")),
               Catch::Contains("'~' is not expanded"));
    CHECK_THAT(only_error(with_head("[log]\ndecisions = \"a\\nb\"\n")),
               Catch::Contains("contains a control character"));
  }

  SECTION("wrong types and unknown keys are refused") {
    CHECK(only_error(with_head("[log]\ndecisions = false\n")) ==
          "policy.toml:6:13: log.decisions: expected a string, got a boolean");
    CHECK_THAT(only_error(with_head("[log]\npath = \"x\"\n")),
               Catch::StartsWith("policy.toml:6:1: log.path: unknown key"));
    CHECK(only_error("log = \"x\"\n" + with_head("")) ==
          "policy.toml:1:7: log: expected a table, got a string \"x\"");
  }
}

TEST_CASE("policy::blast_radius", "[policy]") {
  const std::string minimal = "[[protect]]\nrefs = [\"refs/heads/main\"]\n";

  SECTION("without the tables, no sensitive paths and the mass-change defaults") {
    Policy p = parse(minimal);
    const trailgate::BlastRules& blast = p.protect[0].blast;
    CHECK(blast.sensitive.empty());
    CHECK(blast.mass_change.enabled);
    CHECK(blast.mass_change.deleted_files == 50);
    CHECK(blast.mass_change.deleted_share == 0.25);
    CHECK(blast.mass_change.approvals == 2);
    CHECK(blast.mass_change.applies_to == trailgate::MassChangeScope::ai_assisted);
    CHECK(blast.mass_change.source_line == 0);
  }

  SECTION("sensitive paths and mass-change settings are read") {
    Policy p = parse(minimal +
                     "  [[protect.sensitive]]\n  paths = [\"infra/**\", \"**/*.tf\"]\n"
                     "  approvals = 3\n  min_level = \"principal\"\n"
                     "  [protect.mass_change]\n  deleted_files = 10\n  deleted_share = 1\n"
                     "  applies_to = \"all\"\n  enabled = false\n");
    const trailgate::BlastRules& blast = p.protect[0].blast;
    REQUIRE(blast.sensitive.size() == 1);
    CHECK(blast.sensitive[0].paths.size() == 2);
    CHECK(blast.sensitive[0].paths[0].matches("infra/prod/main.tf"));
    CHECK_FALSE(blast.sensitive[0].paths[0].matches("src/infra.c"));
    CHECK(blast.sensitive[0].approvals == 3);
    CHECK(blast.sensitive[0].min_level == "principal");
    CHECK(blast.sensitive[0].source_line == 3);
    CHECK(blast.mass_change.deleted_files == 10);
    CHECK(blast.mass_change.deleted_share == 1.0);
    CHECK(blast.mass_change.applies_to == trailgate::MassChangeScope::all);
    CHECK_FALSE(blast.mass_change.enabled);
    CHECK(blast.mass_change.source_line == 7);
  }

  SECTION("every mistake is reported at its place") {
    std::vector<PolicyDiagnostic> errors =
        errors_of(minimal +
                  "  [[protect.sensitive]]\n  paths = [\"infra/**\", \"[oops\"]\n"
                  "  [protect.mass_change]\n  deleted_share = 1.5\n  applies_to = \"everything\"\n"
                  "  bogus = 1\n");
    REQUIRE(errors.size() == 4);
    CHECK_THAT(errors[0].to_string(),
               Catch::StartsWith("policy.toml:4:24: protect[0].sensitive[0].paths[1]: \"[oops\""));
    CHECK_THAT(errors[1].to_string(),
               Catch::StartsWith("policy.toml:6:19: protect[0].mass_change.deleted_share: "
                                 "expected a number from 0 to 1"));
    CHECK(errors[2].to_string() ==
          "policy.toml:7:16: protect[0].mass_change.applies_to: \"everything\" is not "
          "\"ai-assisted\" or \"all\"");
    CHECK_THAT(errors[3].to_string(),
               Catch::StartsWith("policy.toml:8:3: protect[0].mass_change.bogus: unknown key"));
    CHECK_THAT(only_error(minimal + "  [[protect.sensitive]]\n  approvals = 2\n"),
               Catch::Contains("protect[0].sensitive[0].paths: missing"));
  }
}
