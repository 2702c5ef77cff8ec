// `trailgate policy check [FILE]`: validates a policy and reports every error precisely. Besides
// what the hook checks when it loads a policy, it compiles every marker pattern (the hook
// compiles the catalogue's on first use) and imports every roster key into the verifier (the
// hook does that on the first signature), so the author hears at once about a key that could
// never verify a review.
#include <fmt/format.h>
#include <iostream>

#include "cli/cli.h"
#include "cli/commands.h"
#include "detect/markers.h"
#include "policy/policy_loader.h"
#include "ssh/sshsig.h"

namespace trailgate::cli {

int run_policy_check(const GlobalOptions& options, const std::string& file) {
  try {
    GlobalOptions with_file = options;
    if (!file.empty())
      with_file.policy = file;
    std::optional<git::Repository> repo;
    if (with_file.policy.empty()) {
      // Only the lookup needs a repository; a policy named outright is checked on its own.
      try {
        repo.emplace(open_repository(options));
      } catch (const git::GitError&) {
      }
    }
    LoadedPolicy loaded = load_policy(with_file, repo ? &*repo : nullptr);
    const Policy& p = loaded.policy;
    std::size_t patterns = 0;
    for (const auto& rule : p.protect)
      patterns += rule.refs.size();
    std::cout << fmt::format(
        "{}: OK: {} {}, {} protected ref pattern{}, {} AI marker{}, verification {}\n", p.source,
        p.people.size(), p.people.size() == 1 ? "person" : "people", patterns,
        patterns == 1 ? "" : "s", loaded.markers.specs().size(),
        loaded.markers.specs().size() == 1 ? "" : "s",
        p.review.verification == Verification::roster ? "roster" : "signature");
    std::cout << fmt::format("built-in marker catalogue {}{}\n", detect::catalogue_version(),
                             p.detect.builtin ? "" : " (not used: [detect] builtin = false)");
    for (const auto& warning : policy_warnings(p))
      std::cout << "warning: " << warning.to_string() << "\n";
    loaded.markers.compile_all();
    for (const Person& person : p.people)
      for (std::size_t k = 0; k < person.keys.size(); ++k) {
        std::string error;
        if (!ssh::verifying_key(person.keys[k].key, &error))
          std::cout << fmt::format(
              "warning: {}: {}'s key {} ({}) can never verify a review, so their signed reviews "
              "will not count: {}\n",
              p.source, person.name, k + 1, person.keys[k].key.type, error);
      }
    return kPassed;
  } catch (...) {
    return report_exception("policy check failed");
  }
}

}  // namespace trailgate::cli
