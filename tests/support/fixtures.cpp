#include "support/fixtures.h"

#include <fmt/format.h>

namespace trailgate::testing {

namespace {

// ["a", "b"], as TOML writes a list of strings (none of the tests' strings need escaping).
std::string string_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i)
    out += fmt::format("{}\"{}\"", i == 0 ? "" : ", ", items[i]);
  return out + "]";
}

}  // namespace

std::string ai_message(const std::string& subject, const std::string& trailers,
                       const std::string& body) {
  return subject + "\n\n" + body + "\n\n" + kClaudeTrailer + "\n" + trailers;
}

RosterPerson RosterPerson::with_keys(std::vector<std::string> k) const {
  RosterPerson p = *this;
  p.keys = std::move(k);
  return p;
}

RosterPerson RosterPerson::with_usernames(std::vector<std::string> names) const {
  RosterPerson p = *this;
  p.usernames = std::move(names);
  return p;
}

RosterPerson RosterPerson::with_email(std::string email) const {
  RosterPerson p = *this;
  p.emails.push_back(std::move(email));
  return p;
}

std::string ident(const RosterPerson& person) {
  return fmt::format("{} <{}>", person.name, person.emails.at(0));
}

std::string reviewed_by(const RosterPerson& person) {
  return "Reviewed-by: " + ident(person);
}

ProtectTable protect(std::vector<std::string> refs, std::optional<int> approvals,
                     std::string min_level, std::string more) {
  ProtectTable table;
  table.refs = std::move(refs);
  table.approvals = approvals;
  table.min_level = std::move(min_level);
  table.more = std::move(more);
  return table;
}

std::string people_toml(const std::vector<RosterPerson>& people) {
  std::string out;
  for (const RosterPerson& p : people) {
    out += fmt::format("[[person]]\nname = \"{}\"\nemails = {}\nlevel = \"{}\"\n", p.name,
                       string_list(p.emails), p.level);
    if (!p.usernames.empty())
      out += "usernames = " + string_list(p.usernames) + "\n";
    if (!p.keys.empty())
      out += "keys = " + string_list(p.keys) + "\n";
    out += "\n";
  }
  return out;
}

std::string protect_toml(const std::vector<ProtectTable>& rules) {
  std::string out;
  for (const ProtectTable& r : rules) {
    if (!out.empty())
      out += "\n";
    out += "[[protect]]\nrefs = " + string_list(r.refs) + "\n";
    if (r.approvals)
      out += fmt::format("approvals = {}\n", *r.approvals);
    if (!r.min_level.empty())
      out += fmt::format("min_level = \"{}\"\n", r.min_level);
    out += r.more;
  }
  return out;
}

std::string roster_policy(const std::vector<RosterPerson>& people,
                          const std::vector<ProtectTable>& rules) {
  return kRosterReview + signature_policy(people, rules);
}

std::string signature_policy(const std::vector<RosterPerson>& people,
                             const std::vector<ProtectTable>& rules) {
  return people_toml(people) + protect_toml(rules);
}

std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(field);
      field.clear();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      row.push_back(field);
      field.clear();
      rows.push_back(row);
      row.clear();
      ++i;
    } else {
      field += c;
    }
  }
  return rows;
}

}  // namespace trailgate::testing
