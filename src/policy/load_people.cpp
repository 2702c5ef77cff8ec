#include "policy/policy_builder.h"

#include <fmt/format.h>

#include <utility>
#include <vector>

#include "ssh/ssh_key.h"

namespace trailgate::policy_load {

namespace {

constexpr std::string_view kPersonKeys[] = {"name",      "emails",  "level",
                                            "usernames", "expires", "keys"};
constexpr std::string_view kPersonKeyKeys[] = {"key", "valid_after", "valid_before"};

}  // namespace

void PolicyBuilder::read_people(const toml::table& root) {
  struct Seen {
    std::size_t person;
    int line;
  };
  std::map<std::string, Seen> emails;     // lowercased email -> first entry listing it
  std::map<std::string, Seen> usernames;  // lowercased username -> first entry listing it
  std::map<std::string, KeySeen> keys;    // key blob -> first place listing it
  std::vector<const toml::table*> entries = r_.tables(root, "person", "");
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (entries[i] == nullptr)
      continue;
    const toml::table& entry = *entries[i];
    const std::string path = element_path("person", i);
    r_.reject_unknown_keys(entry, path, kPersonKeys);
    Person person;
    person.source_line = static_cast<int>(entry.source().begin.line);

    if (auto name = r_.required_string(entry, "name", path, "set the person's name")) {
      person.name = name->value;
    }

    if (!entry.contains("emails")) {
      r_.missing(entry, path, "emails", "list the person's commit emails");
    } else if (auto addresses = r_.strings(entry, "emails", path)) {
      if (addresses->empty()) {
        r_.error(entry.get("emails")->source(), child_path(path, "emails"),
                 "must list at least one email");
      }
      for (std::size_t j = 0; j < addresses->size(); ++j) {
        const Located& email = (*addresses)[j];
        const std::string email_path = element_path(child_path(path, "emails"), j);
        if (email.value.find('@') == std::string::npos || has_space_or_control(email.value) ||
            email.value.find_first_of("<>") != std::string::npos) {
          r_.error(email.where, email_path,
                   fmt::format("{} is not an email address (write it bare, without <>)",
                               quoted(email.value)));
          continue;
        }
        // One email, one person: otherwise who reviewed, and whose own commit it is, would
        // depend on roster order.
        auto [it, inserted] = emails.emplace(lowercase(email.value),
                                             Seen{i, static_cast<int>(email.where.begin.line)});
        if (!inserted) {
          r_.error(email.where, email_path,
                   fmt::format("{} is already listed by person[{}] at line {}; an email "
                               "belongs to one person",
                               quoted(email.value), it->second.person, it->second.line));
        }
        person.emails.push_back(email.value);
      }
    }

    if (!entry.contains("level")) {
      r_.missing(entry, path, "level", fmt::format("one of {}", list(policy_.levels)));
    } else if (auto level = r_.string(entry, "level", path)) {
      if (check_level(*level, child_path(path, "level")))
        person.level = level->value;
    }

    if (auto names = r_.strings(entry, "usernames", path)) {
      for (std::size_t j = 0; j < names->size(); ++j) {
        const Located& username = (*names)[j];
        const std::string username_path = element_path(child_path(path, "usernames"), j);
        if (username.value.empty() || has_space_or_control(username.value)) {
          r_.error(username.where, username_path, "a username is non-empty, without spaces");
          continue;
        }
        auto [it, inserted] = usernames.emplace(
            lowercase(username.value), Seen{i, static_cast<int>(username.where.begin.line)});
        if (!inserted) {
          r_.error(username.where, username_path,
                   fmt::format("{} is already listed by person[{}] at line {}",
                               quoted(username.value), it->second.person, it->second.line));
        }
        person.usernames.push_back(username.value);
      }
    }

    person.expires = r_.instant(entry, "expires", path);
    read_person_keys(entry, path, keys, person);
    policy_.people.push_back(std::move(person));
  }
}

// [[person]] keys: each element is "ssh-ed25519 AAAA... comment" or an inline table
// { key = "...", valid_after = DATE, valid_before = DATE }.
void PolicyBuilder::read_person_keys(const toml::table& entry, const std::string& path,
                                     std::map<std::string, KeySeen>& seen, Person& person) {
  const toml::node* node =
      r_.typed(entry, "keys", path, toml::node_type::array, "an array of SSH public keys");
  if (node == nullptr)
    return;
  const std::string keys_path = child_path(path, "keys");
  std::size_t index = 0;
  for (const toml::node& element : *node->as_array()) {
    const std::string element_at = element_path(keys_path, index++);
    PersonKey key;
    std::optional<Located> text;
    std::string text_path = element_at;
    if (const auto* line = element.as_string()) {
      text = Located{line->get(), element.source()};
    } else if (const auto* table = element.as_table()) {
      r_.reject_unknown_keys(*table, element_at, kPersonKeyKeys);
      text = r_.required_string(*table, "key", element_at,
                                "the public key, e.g. \"ssh-ed25519 AAAA... you@host\"");
      text_path = child_path(element_at, "key");
      key.valid_after = r_.instant(*table, "valid_after", element_at);
      key.valid_before = r_.instant(*table, "valid_before", element_at);
      if (key.valid_after && key.valid_before && *key.valid_after >= *key.valid_before) {
        r_.error(table->get("valid_before")->source(), child_path(element_at, "valid_before"),
                 "must be later than valid_after, or the key would never be valid");
      }
    } else {
      r_.error(element.source(), element_at,
               fmt::format("expected an SSH public key: a string such as \"ssh-ed25519 "
                           "AAAA... you@host\" or an inline table {{ key = \"...\" }}, got {}",
                           type_name(element.type())));
      continue;
    }
    if (!text)
      continue;

    std::string why;
    std::optional<ssh::PublicKey> parsed = ssh::parse_public_key(text->value, &why);
    if (!parsed) {
      // The parser would only say "-----BEGIN" is no key type; a pasted private key deserves
      // a louder answer, since whoever reads the policy could sign as this person.
      if (text->value.find("PRIVATE KEY-----") != std::string::npos) {
        why =
            "this is a private key: remove it from the policy (anyone who can read the file "
            "could sign reviews with it) and write the public key, the line of the .pub "
            "file";
      }
      r_.error(text->where, text_path, printable(why));
      continue;
    }
    // One key, one person: otherwise whose review a signature is would depend on roster
    // order. The same key twice in one entry is a copy-paste slip worth pointing at too.
    const int line = static_cast<int>(text->where.begin.line);
    if (auto [it, inserted] = seen.emplace(parsed->blob, KeySeen{element_at, line}); !inserted) {
      r_.error(text->where, text_path,
               fmt::format("this key ({} {}) is already listed as {} at line {}; a key "
                           "belongs to one person",
                           parsed->type, ssh::fingerprint(parsed->blob), it->second.path,
                           it->second.line));
      continue;
    }
    key.key = std::move(*parsed);
    person.keys.push_back(std::move(key));
  }
}

}  // namespace trailgate::policy_load
