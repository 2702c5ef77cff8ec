// The policy's section loaders: one member per TOML section, each defined in its own file
// (load_<section>.cpp), turning that part of the parsed document into Policy fields and
// recording every problem in the TomlReader. Internal to the loader; parse_policy
// (policy_loader.h) is the interface.
//
// A new section is added here (its keys, its load_* member, a call in build()), in a
// load_<section>.cpp of its own, and in docs/policy.md.
#pragma once

#include <toml++/toml.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "policy/policy.h"
#include "policy/toml_reader.h"

namespace trailgate::policy_load {

// Turns the parsed document into a Policy, recording every problem in `reader`.
class PolicyBuilder {
 public:
  PolicyBuilder(TomlReader& reader, Policy& policy) : r_(reader), policy_(policy) {}

  // Reads every section of `root` into the policy, in the order that lets later sections be
  // checked against earlier ones (levels before the people and rules that name them).
  void build(const toml::table& root);

 private:
  // Where a key was first listed, for the message about a second listing.
  struct KeySeen {
    std::string path;  // e.g. "person[0].keys[1]"
    int line;
  };

  // levels (load_levels.cpp).
  void read_levels(const toml::table& root);
  // Checks that `level` names one of the levels. Skipped when the levels list itself is
  // broken, since every level would then look unknown.
  bool check_level(const Located& level, std::string_view path);

  // [review] (load_review.cpp).
  void read_review(const toml::table& root);
  void read_review_keys(const toml::table& review, const std::optional<Located>& signature_key);

  // [detect] and [[detect.marker]] (load_detect.cpp).
  void read_detect(const toml::table& detect);

  // [baseline] (load_baseline.cpp).
  void read_baseline(const toml::table& baseline);

  // [[person]] and their keys (load_people.cpp).
  void read_people(const toml::table& root);
  void read_person_keys(const toml::table& entry, const std::string& path,
                        std::map<std::string, KeySeen>& seen, Person& person);

  // [[protect]] (load_protect.cpp), with break_glass and [[protect.author_level]] there too, and
  // [[protect.sensitive]] and [protect.mass_change] (load_blast.cpp).
  void read_protect(const toml::table& root);
  void read_break_glass(const toml::table& entry, const std::string& path, ProtectRule& rule);
  void read_author_levels(const toml::table& entry, const std::string& path, ProtectRule& rule);
  void read_blast(const toml::table& entry, const std::string& path, ProtectRule& rule);

  // [host] (load_host.cpp).
  void read_host(const toml::table& host);

  // [log] (load_log.cpp).
  void read_log(const toml::table& log);

  TomlReader& r_;
  Policy& policy_;
  bool levels_known_ = true;
};

}  // namespace trailgate::policy_load
