// End-to-end: bounded cost, whatever the push holds (issue 12, class 6). Each attack is a real
// push whose cost used to grow with the square of its size (or with notes x protected tips);
// the test reads the work counters the hook writes to its decision log ("work", see
// docs/decision-log.md) for growing N and asserts that the work grows at most linearly, and
// that the limits reject with their own finding. No timing is measured.
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "support/fixtures.h"
#include "support/temp_repo.h"

using nlohmann::json;
using trailgate::testing::ident;
using trailgate::testing::kClaudeTrailer;
using trailgate::testing::kSeniorOne;
using trailgate::testing::kSeniorTwo;
using trailgate::testing::make_ssh_key;
using trailgate::testing::ProcessResult;
using trailgate::testing::protect;
using trailgate::testing::read_file;
using trailgate::testing::RosterPerson;
using trailgate::testing::run;
using trailgate::testing::run_ok;
using trailgate::testing::signature_policy;
using trailgate::testing::SshKey;
using trailgate::testing::TempDir;
using trailgate::testing::TempRepo;
using trailgate::testing::trailgate_binary;
using trailgate::testing::write_file;
namespace fs = std::filesystem;

namespace {

const std::string kSenior = ident(kSeniorOne);
const std::string& kAi = kClaudeTrailer;

struct Keys {
  TempDir dir;
  SshKey senior = make_ssh_key(dir.path(), "senior", "ed25519");
  SshKey senior2 = make_ssh_key(dir.path(), "senior2", "ed25519");
  SshKey senior3 = make_ssh_key(dir.path(), "senior3", "ed25519");
};

std::string policy_for(const Keys& k) {
  return signature_policy(
      {kSeniorOne.with_keys({k.senior.public_key}), kSeniorTwo.with_keys({k.senior2.public_key}),
       RosterPerson{
           "Senior Three", {"senior3@example.com"}, "principal", {}, {k.senior3.public_key}}},
      {protect({"refs/heads/main"}), protect({"refs/heads/release/*"}, 1, "principal")});
}

// The hook's last decision line.
json last_decision(const TempRepo& repo) {
  std::string text = read_file(repo.server() / "trailgate" / "decisions.jsonl");
  REQUIRE(!text.empty());
  text.pop_back();
  return json::parse(text.substr(text.rfind('\n') + 1));
}

// The hook's work counters for its last run; the line must carry them.
struct Work {
  std::uint64_t signature_verifications = 0;
  std::uint64_t payload_digests = 0;
  std::uint64_t ancestry_walks = 0;
  std::uint64_t evaluations = 0;
};

Work work_of(const json& line) {
  INFO(line.dump());
  REQUIRE(line.contains("work"));
  const json& w = line.at("work");
  return Work{w.at("signature_verifications").get<std::uint64_t>(),
              w.at("payload_digests").get<std::uint64_t>(),
              w.at("ancestry_walks").get<std::uint64_t>(),
              w.at("evaluations").get<std::uint64_t>()};
}

// Whether a ref-level finding or a listed commit's finding has `rule`.
bool has_rule(const json& line, const std::string& rule) {
  for (const json& f : line.at("findings"))
    if (f.at("rule") == rule)
      return true;
  for (const json& commit : line.at("commits"))
    for (const json& f : commit.at("findings"))
      if (f.at("rule") == rule)
        return true;
  return false;
}

// Asserts that `counter` grows at most linearly over `runs` (N, work) with N doubling: work(2N) is
// at most 2·work(N) + `slack`, and work(N) is at most `per_item`·N + `slack`.
void expect_linear(const char* counter, const std::vector<std::pair<std::uint64_t, Work>>& runs,
                   std::uint64_t Work::*field, std::uint64_t per_item, std::uint64_t slack) {
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const auto& [n, work] = runs[i];
    INFO(counter << " at N = " << n << ": " << work.*field);
    CHECK(work.*field <= per_item * n + slack);
    if (i > 0 && runs[i - 1].first * 2 == n)
      CHECK(work.*field <= 2 * (runs[i - 1].second.*field) + slack);
  }
}

// HEAD's message exactly as committed (git log ends each entry with one more newline).
std::string last_message(TempRepo& repo) {
  std::string message = repo.git({"log", "-1", "--format=%B"});
  if (message.size() >= 2 && message.compare(message.size() - 2, 2, "\n\n") == 0)
    message.pop_back();
  return message;
}

// The value of the last `key: ` line of the HEAD commit's message.
std::string trailer_value(TempRepo& repo, const std::string& key) {
  std::string message = last_message(repo);
  std::size_t at = message.rfind(key + ": ");
  REQUIRE(at != std::string::npos);
  std::size_t begin = at + key.size() + 2;
  return message.substr(begin, message.find('\n', begin) - begin);
}

// A signature by `key` over this commit's payload, from an approval made on a side branch: for
// any other commit it is an old, public signature by that person.
std::string old_signature(TempRepo& repo, const SshKey& key, const std::string& as) {
  repo.branch("scratch", "origin/main");
  repo.commit(fmt::format("Old work\n\n{}\n", kAi));
  run_ok({trailgate_binary(), "approve", "--key", key.path, "--as", as}, repo.clone());
  std::string signature = trailer_value(repo, "Review-Signature");
  repo.branch("main", "origin/main");
  return signature;
}

// A signature by `key` over `text`, base64 of the binary SSHSIG (what the trailer carries).
std::string sign_text(const fs::path& dir, const SshKey& key, const std::string& text) {
  fs::path file = dir / fmt::format("data{}.txt", std::hash<std::string>{}(text));
  write_file(file, text);
  run_ok(
      {"ssh-keygen", "-q", "-Y", "sign", "-n", "trailgate-review", "-f", key.path, file.string()},
      dir);
  std::string armored = read_file(file.string() + ".sig");
  std::string base64;
  std::size_t pos = armored.find('\n') + 1;
  while (pos < armored.size()) {
    std::size_t eol = armored.find('\n', pos);
    std::string line = armored.substr(pos, eol - pos);
    if (line.rfind("-----END", 0) == 0)
      break;
    base64 += line;
    pos = eol + 1;
  }
  return base64;
}

// Commits an AI-assisted change whose trailer block ends with `trailers` and pushes it to main;
// returns the decision. main in the clone is reset to the server's afterwards.
json push_ai_commit(TempRepo& repo, const std::string& trailers) {
  repo.branch("main", "origin/main");
  repo.commit(fmt::format("Tune the cache\n\nSome change.\n\n{}\n{}", kAi, trailers));
  ProcessResult r = repo.push("main");
  json line = last_decision(repo);
  INFO(r.err);
  CHECK(r.exit_code != 0);
  CHECK(line.at("verdict") == "rejected");
  repo.branch("main", "origin/main");
  return line;
}

std::string repeat(const std::string& line, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i)
    out += line;
  return out;
}

}  // namespace

TEST_CASE("attack: N Reviewed-by lines with N copies of an old public signature",
          "[e2e][attack][cost]") {
  Keys keys;
  TempRepo repo(policy_for(keys));
  const std::string old = old_signature(repo, keys.senior, kSenior);

  std::vector<std::pair<std::uint64_t, Work>> runs;
  for (std::uint64_t n : {8, 16, 32}) {
    json line = push_ai_commit(repo, repeat(fmt::format("Reviewed-by: {}\n", kSenior), n) +
                                         repeat("Review-Signature: " + old + "\n", n));
    CHECK(has_rule(line, "ai-review-required"));
    runs.emplace_back(n, work_of(line));
  }
  // One distinct signature, one reviewer email: one verification, one payload hashed.
  expect_linear("signature_verifications", runs, &Work::signature_verifications, 0, 1);
  expect_linear("payload_digests", runs, &Work::payload_digests, 0, 1);
  expect_linear("evaluations", runs, &Work::evaluations, 0, 1);
  expect_linear("ancestry_walks", runs, &Work::ancestry_walks, 0, 4);

  SECTION("over the per-commit limit: too-many-reviews, nothing verified") {
    for (std::uint64_t n : {33, 64}) {
      json line = push_ai_commit(repo, repeat(fmt::format("Reviewed-by: {}\n", kSenior), n) +
                                           repeat("Review-Signature: " + old + "\n", n));
      INFO(line.dump());
      CHECK(has_rule(line, "too-many-reviews"));
      CHECK(line.dump().find("at most 32") != std::string::npos);
      CHECK(work_of(line).signature_verifications == 0);
      CHECK(work_of(line).payload_digests == 0);
    }
  }
}

TEST_CASE("attack: N copies of one valid signature", "[e2e][attack][cost]") {
  Keys keys;
  TempRepo repo(policy_for(keys));
  std::vector<std::pair<std::uint64_t, Work>> runs;
  for (std::uint64_t n : {8, 16, 32}) {
    repo.branch("main", "origin/main");
    repo.commit(fmt::format("Valid review, repeated\n\n{}\n", kAi));
    run_ok({trailgate_binary(), "approve", "--key", keys.senior.path, "--as", kSenior},
           repo.clone());
    std::string lines = fmt::format("Reviewed-by: {}\nReview-Signature: {}\n", kSenior,
                                    trailer_value(repo, "Review-Signature"));
    repo.git({"commit", "-q", "--amend", "--cleanup=verbatim", "-F", "-"},
             last_message(repo) + repeat(lines, n - 1));
    ProcessResult r = repo.push("main");
    INFO(r.err);
    CHECK(r.exit_code == 0);
    json line = last_decision(repo);
    CHECK(line.at("verdict") == "accepted");
    runs.emplace_back(n, work_of(line));
  }
  expect_linear("signature_verifications", runs, &Work::signature_verifications, 0, 1);
  expect_linear("payload_digests", runs, &Work::payload_digests, 0, 1);
  expect_linear("evaluations", runs, &Work::evaluations, 0, 1);
}

TEST_CASE("attack: N different invalid signatures by the reviewer's key", "[e2e][attack][cost]") {
  Keys keys;
  TempRepo repo(policy_for(keys));
  std::vector<std::pair<std::uint64_t, Work>> runs;
  for (std::uint64_t n : {8, 16, 32}) {
    std::string signatures;
    for (std::uint64_t i = 0; i < n; ++i)
      signatures += "Review-Signature: " +
                    sign_text(repo.clone().parent_path(), keys.senior,
                              fmt::format("something else {} of {}\n", i, n)) +
                    "\n";
    json line =
        push_ai_commit(repo, repeat(fmt::format("Reviewed-by: {}\n", kSenior), n) + signatures);
    CHECK(has_rule(line, "ai-review-required"));
    runs.emplace_back(n, work_of(line));
  }
  // Each distinct signature once for the one reviewer email; the payload hashed once.
  expect_linear("signature_verifications", runs, &Work::signature_verifications, 1, 0);
  expect_linear("payload_digests", runs, &Work::payload_digests, 0, 1);
}

TEST_CASE("attack: several reviewers, each with N claims and N copies of an old signature",
          "[e2e][attack][cost]") {
  Keys keys;
  TempRepo repo(policy_for(keys));
  const std::vector<std::pair<std::string, std::string>> reviewers = {
      {kSenior, old_signature(repo, keys.senior, kSenior)},
      {"Senior Two <senior2@example.com>",
       old_signature(repo, keys.senior2, "Senior Two <senior2@example.com>")},
      {"Senior Three <senior3@example.com>",
       old_signature(repo, keys.senior3, "Senior Three <senior3@example.com>")},
  };
  auto trailers_for = [&](std::uint64_t n) {
    std::string claims, signatures;
    for (const auto& [who, signature] : reviewers) {
      claims += repeat(fmt::format("Reviewed-by: {}\n", who), n);
      signatures += repeat("Review-Signature: " + signature + "\n", n);
    }
    return claims + signatures;
  };
  std::vector<std::pair<std::uint64_t, Work>> runs;
  for (std::uint64_t n : {2, 4, 8}) {
    json line = push_ai_commit(repo, trailers_for(n));
    CHECK(has_rule(line, "ai-review-required"));
    runs.emplace_back(n, work_of(line));
  }
  // Three distinct signatures, each checked only for its owner: three verifications at most.
  expect_linear("signature_verifications", runs, &Work::signature_verifications, 0, 3);
  expect_linear("payload_digests", runs, &Work::payload_digests, 0, 3);

  json over = push_ai_commit(repo, trailers_for(16));
  CHECK(has_rule(over, "too-many-reviews"));
  CHECK(work_of(over).signature_verifications == 0);
}

TEST_CASE("attack: one huge signature trailer", "[e2e][attack][cost]") {
  Keys keys;
  TempRepo repo(policy_for(keys));
  // 1 MiB of strict base64 (zero bytes): decodes, but is no signature.
  json line = push_ai_commit(repo, fmt::format("Reviewed-by: {}\nReview-Signature: {}\n", kSenior,
                                               std::string(1u << 20, 'A')));
  CHECK(has_rule(line, "ai-review-required"));
  CHECK(line.dump().find("bad-signature") != std::string::npos);
  CHECK(work_of(line).signature_verifications == 0);
  CHECK(work_of(line).payload_digests == 0);
}

namespace {

// The server's history for the notes attacks: `commits` plain commits on main, and `tips`
// protected release branches at different commits of it. Returns main's commits, oldest first.
std::vector<std::string> protected_history(TempRepo& repo, int commits, int tips) {
  // One fast-import for the whole history: a process per commit would dominate the test.
  std::string stream;
  for (int i = 0; i < commits; ++i) {
    stream += fmt::format(
        "commit refs/heads/main\nmark :{}\n"
        "author Dev One <dev@example.com> {} +0000\ncommitter Dev One <dev@example.com> {} +0000\n"
        "data 16\nPlain change {:03}\n",
        i + 1, 1700000000 + i, 1700000000 + i, i);
    if (i == 0)
      stream += "from refs/remotes/origin/main^0\n";
    stream += fmt::format("M 100644 inline plain{}.txt\ndata 2\n{}\n\n", i, i % 10);
  }
  repo.git({"fast-import", "--quiet", "--force"}, stream);
  repo.git({"reset", "-q", "--hard", "main"});
  std::vector<std::string> ids;
  std::string log = repo.git({"rev-list", "--reverse", "-n", std::to_string(commits), "main"});
  for (std::size_t pos = 0; pos + 40 <= log.size(); pos += 41)
    ids.push_back(log.substr(pos, 40));
  REQUIRE(ids.size() == static_cast<std::size_t>(commits));
  REQUIRE(repo.push("main").exit_code == 0);
  std::vector<std::string> refspecs;
  for (int i = 0; i < tips; ++i)
    refspecs.push_back(fmt::format("{}:refs/heads/release/{}", ids[ids.size() - 1 - i], i));
  std::string last = refspecs.back();
  refspecs.pop_back();
  REQUIRE(repo.push(last, refspecs).exit_code == 0);
  return ids;
}

// Writes a notes commit holding `notes` (annotated id, text) to refs/notes/trailgate in the
// clone, replacing whatever was there, and pushes it.
json push_notes(TempRepo& repo, const std::vector<std::pair<std::string, std::string>>& notes) {
  std::string stream =
      "commit refs/notes/trailgate\ncommitter Notes <notes@example.com> 1700000000 +0000\n"
      "data 6\nnotes\n";
  for (const auto& [id, text] : notes)
    stream += fmt::format("M 100644 inline {}\ndata {}\n{}\n", id, text.size(), text);
  repo.git({"update-ref", "-d", "refs/notes/trailgate"});
  repo.git({"fast-import", "--quiet", "--force"}, stream);
  ProcessResult r = repo.push("refs/notes/trailgate");
  INFO(r.err);
  CHECK(r.exit_code != 0);
  json line = last_decision(repo);
  CHECK(line.at("verdict") == "rejected");
  CHECK(has_rule(line, "review-note"));
  return line;
}

}  // namespace

TEST_CASE("attack: garbage notes on protected commits, many protected tips",
          "[e2e][attack][cost]") {
  Keys keys;
  TempRepo repo(policy_for(keys));
  std::vector<std::string> ids = protected_history(repo, 40, 20);
  std::vector<std::pair<std::uint64_t, Work>> runs;
  for (std::uint64_t n : {10, 20, 40}) {
    std::vector<std::pair<std::string, std::string>> notes;
    for (std::uint64_t i = 0; i < n; ++i)
      notes.emplace_back(ids[i], fmt::format("garbage {}\n", i));
    runs.emplace_back(n, work_of(push_notes(repo, notes)));
  }
  // Garbage is rejected from its text alone: no history walk per note, let alone per tip.
  expect_linear("ancestry_walks", runs, &Work::ancestry_walks, 0, 2);
  expect_linear("evaluations", runs, &Work::evaluations, 0, 0);
  expect_linear("signature_verifications", runs, &Work::signature_verifications, 0, 0);
}

TEST_CASE("attack: well-formed notes with old signatures, many protected tips",
          "[e2e][attack][cost]") {
  Keys keys;
  TempRepo repo(policy_for(keys));
  const std::string old = old_signature(repo, keys.senior, kSenior);
  std::vector<std::string> ids = protected_history(repo, 40, 20);
  const std::string text = fmt::format("Reviewed-by: {}\nReview-Signature: {}\n", kSenior, old);
  std::vector<std::pair<std::uint64_t, Work>> runs;
  for (std::uint64_t n : {10, 20, 40}) {
    std::vector<std::pair<std::string, std::string>> notes;
    for (std::uint64_t i = 0; i < n; ++i)
      notes.emplace_back(ids[i], text);
    runs.emplace_back(n, work_of(push_notes(repo, notes)));
  }
  // One walk per distinct protected level (two here) for all notes together.
  expect_linear("ancestry_walks", runs, &Work::ancestry_walks, 0, 4);
  expect_linear("signature_verifications", runs, &Work::signature_verifications, 1, 0);
  expect_linear("payload_digests", runs, &Work::payload_digests, 1, 0);
}

TEST_CASE("attack: more review notes in one push than the limit", "[e2e][attack][cost]") {
  Keys keys;
  TempRepo repo(policy_for(keys));
  std::string stream =
      "blob\nmark :1\ndata 8\ngarbage\n"
      "commit refs/notes/trailgate\ncommitter Notes <notes@example.com> 1700000000 +0000\n"
      "data 6\nnotes\n";
  for (int i = 0; i < 1001; ++i)
    stream += fmt::format("M 100644 :1 {:040x}\n", i + 1);
  repo.git({"fast-import", "--quiet"}, stream);
  ProcessResult r = repo.push("refs/notes/trailgate");
  INFO(r.err);
  CHECK(r.exit_code != 0);
  json line = last_decision(repo);
  INFO(line.dump());
  CHECK(line.at("verdict") == "rejected");
  CHECK(r.err.find("1001 review notes") != std::string::npos);
  CHECK(r.err.find("at most 1000") != std::string::npos);
  CHECK(work_of(line).ancestry_walks <= 1);
  CHECK(line.at("findings_total") == 1);
}

TEST_CASE("attack: many protected refs created at one tip judge its history once per rule",
          "[e2e][attack][cost]") {
  // release/* asks for a principal, main for a senior: main's history is not exempt for a release
  // ref, and used to be judged once per release ref created.
  Keys keys;
  TempRepo repo(policy_for(keys));
  constexpr int kCommits = 30;
  std::vector<std::pair<std::uint64_t, Work>> runs;
  for (std::uint64_t refs : {8, 16, 32}) {
    // kCommits new plain commits on main, then `refs` release branches created at its tip.
    std::string stream;
    for (int i = 0; i < kCommits; ++i)
      stream += fmt::format(
          "commit refs/heads/main\nauthor Dev One <dev@example.com> {0} +0000\n"
          "committer Dev One <dev@example.com> {0} +0000\ndata 9\nPlain {1:03}\n{2}"
          "M 100644 inline plain.txt\ndata 4\n{1:03}\n\n",
          1700000000 + refs * 100 + i, i, i == 0 ? "from refs/heads/main^0\n" : "");
    repo.git({"fast-import", "--quiet", "--force"}, stream);
    REQUIRE(repo.push("main").exit_code == 0);
    std::vector<std::string> refspecs;
    for (std::uint64_t i = 1; i < refs; ++i)
      refspecs.push_back(fmt::format("main:refs/heads/release/{}-{}", refs, i));
    ProcessResult r = repo.push(fmt::format("main:refs/heads/release/{}-0", refs), refspecs);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    json line = last_decision(repo);
    CHECK(line.at("verdict") == "accepted");
    runs.emplace_back(refs, work_of(line));
    // The new commits once under release/*'s rule, however many refs they enter (the first
    // round also judges the clone's initial commit, which no release ref held).
    CHECK(runs.back().second.evaluations >= static_cast<std::uint64_t>(kCommits));
    CHECK(runs.back().second.evaluations <= static_cast<std::uint64_t>(kCommits) + 2);
  }
  expect_linear("ancestry_walks", runs, &Work::ancestry_walks, 2, 4);
}
