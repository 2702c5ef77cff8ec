#include "policy/policy_loader.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <toml++/toml.h>
#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <system_error>
#include <utility>

#include "ssh/ssh_key.h"
#include "util/ascii.h"
#include "util/calendar.h"
#include "util/escape.h"
#include "util/hex_id.h"
#include "util/unique_fd.h"
#include "util/utf8.h"

namespace trailgate {

std::string PolicyDiagnostic::to_string() const {
  if (line <= 0)
    return fmt::format("{}: {}", file, message);
  if (column <= 0)
    return fmt::format("{}:{}: {}", file, line, message);
  return fmt::format("{}:{}:{}: {}", file, line, column, message);
}

namespace {

std::string render_all(const std::vector<PolicyDiagnostic>& diagnostics) {
  std::string out;
  for (const PolicyDiagnostic& d : diagnostics) {
    if (!out.empty())
      out += '\n';
    out += d.to_string();
  }
  return out;
}

}  // namespace

PolicyError::PolicyError(std::vector<PolicyDiagnostic> diagnostics)
    : std::runtime_error(render_all(diagnostics)), diagnostics_(std::move(diagnostics)) {}

namespace {

// Every key the schema knows, per table. Anything else is an error: a misspelt key that was
// silently ignored would leave its setting at the default, which may be weaker.
constexpr std::string_view kTopKeys[] = {
    "levels", "max_listed_commits", "review", "detect", "baseline", "person", "protect", "host",
    "log"};
constexpr std::string_view kReviewKeys[] = {"verification", "keys", "signature_key", "namespace"};
constexpr std::string_view kDetectKeys[] = {"builtin", "marker"};
constexpr std::string_view kMarkerKeys[] = {"id",       "tool",  "trailer", "value",
                                            "identity", "field", "body"};
constexpr std::string_view kBaselineKeys[] = {"commit", "date"};
constexpr std::string_view kPersonKeys[] = {"name",      "emails",  "level",
                                            "usernames", "expires", "keys"};
constexpr std::string_view kPersonKeyKeys[] = {"key", "valid_after", "valid_before"};
constexpr std::string_view kProtectKeys[] = {
    "refs",       "approvals",           "min_level",   "allow_delete", "allow_force_push",
    "review_all", "require_declaration", "break_glass", "sensitive",    "mass_change"};
constexpr std::string_view kHostKeys[] = {"pusher_variable"};
constexpr std::string_view kLogKeys[] = {"decisions", "on_failure"};

// A policy file is a few kilobytes; even a thousand people with two RSA keys each come to about
// 1.6 MiB. Anything this large is the wrong file, and reading it must not cost a push its memory.
constexpr std::size_t kMaxPolicyBytes = 4 * 1024 * 1024;

// Echoes a user-supplied string inside a message: quoted, escaped, and cut short when long.
std::string quoted(std::string_view text) {
  constexpr std::size_t kMaxShown = 120;
  bool cut = false;
  if (text.size() > kMaxShown) {
    text = text.substr(0, util::utf8_boundary_at_or_before(text, kMaxShown));
    cut = true;
  }
  std::string escaped;
  for (char c : text) {
    if (c == '"' || c == '\\')
      escaped += '\\';
    escaped += c;
  }
  return fmt::format("\"{}\"{}", util::escape_control_bytes_toml(escaped), cut ? "..." : "");
}

bool is_bare_key(std::string_view key) {
  return !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

std::string child_path(std::string_view parent, std::string_view key) {
  std::string name = is_bare_key(key) ? std::string(key) : quoted(key);
  return parent.empty() ? name : fmt::format("{}.{}", parent, name);
}

std::string element_path(std::string_view parent, std::size_t index) {
  return fmt::format("{}[{}]", parent, index);
}

std::string list(std::span<const std::string_view> names) {
  return fmt::format("{}", fmt::join(names, ", "));
}

std::string list(const std::vector<std::string>& names) {
  return fmt::format("{}", fmt::join(names, ", "));
}

std::string_view type_name(toml::node_type type) {
  switch (type) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

bool is_token(std::string_view key) {
  return !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
  });
}

bool has_space_or_control(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte <= 0x20 || byte == 0x7F;
  });
}

// Why `pattern` can never name a ref git accepts (git check-ref-format), or nullopt. Such a
// pattern protects nothing, and a policy that looks stricter than it is must not load.
std::optional<std::string> ref_pattern_problem(std::string_view pattern) {
  if (!pattern.starts_with("refs/")) {
    return "must start with \"refs/\" (e.g. \"refs/heads/main\")";
  }
  if (has_space_or_control(pattern))
    return "contains a space or control character";
  for (char c : {'~', '^', ':', '\\'}) {
    if (pattern.find(c) != std::string_view::npos) {
      return fmt::format("contains '{}', which git does not allow in ref names", c);
    }
  }
  if (pattern.find('[') != std::string_view::npos) {
    return "contains '[': only '*' and '?' are wildcards, and git does not allow '[' in ref names";
  }
  if (pattern.find("..") != std::string_view::npos ||
      pattern.find("@{") != std::string_view::npos) {
    return "contains \"..\" or \"@{\", which git does not allow in ref names";
  }
  if (pattern.find("//") != std::string_view::npos)
    return "contains an empty path component";
  if (pattern.ends_with('/'))
    return "ends with '/'; to protect everything below, end with \"/*\"";
  if (pattern.ends_with('.'))
    return "ends with '.', which git does not allow in ref names";
  std::size_t start = 0;
  while (start < pattern.size()) {
    std::size_t end = pattern.find('/', start);
    if (end == std::string_view::npos)
      end = pattern.size();
    std::string_view component = pattern.substr(start, end - start);
    if (component.starts_with('.'))
      return "has a path component starting with '.'";
    if (component.ends_with(".lock"))
      return "has a path component ending in \".lock\"";
    start = end + 1;
  }
  return std::nullopt;
}

// Why the environment variable `name` cannot say who pushes, or nullopt. The pusher's identity
// must come from the host's authentication; a variable the client can set would let anyone
// claim to be anyone, and with it break glass.
std::optional<std::string> pusher_variable_problem(std::string_view name) {
  const bool well_formed = !name.empty() && !(name[0] >= '0' && name[0] <= '9') &&
                           std::all_of(name.begin(), name.end(), [](char c) {
                             return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                    (c >= '0' && c <= '9') || c == '_';
                           });
  if (!well_formed)
    return "is not an environment variable name (letters, digits and '_', not starting with a "
           "digit)";
  std::string upper(name);
  for (char& c : upper) {
    if (c >= 'a' && c <= 'z')
      c = static_cast<char>(c - 'a' + 'A');
  }
  // HTTP_* are request headers under CGI; GIT_* include the push options; ssh passes LANG,
  // LC_* and TERM from the client by default; the rest are parts of the request or command.
  constexpr std::string_view kClientPrefixes[] = {"HTTP_", "GIT_", "LC_"};
  constexpr std::string_view kClientNames[] = {"LANG",         "LANGUAGE",
                                               "TERM",         "QUERY_STRING",
                                               "PATH_INFO",    "PATH_TRANSLATED",
                                               "CONTENT_TYPE", "CONTENT_LENGTH",
                                               "REQUEST_URI",  "SSH_ORIGINAL_COMMAND"};
  const bool client_controlled =
      std::any_of(std::begin(kClientPrefixes), std::end(kClientPrefixes),
                  [&](std::string_view prefix) { return upper.starts_with(prefix); }) ||
      std::find(std::begin(kClientNames), std::end(kClientNames), upper) != std::end(kClientNames);
  if (client_controlled)
    return "can be set by the pushing client, so it cannot say who pushes; name a variable "
           "that the host's authentication sets, such as REMOTE_USER or USER";
  return std::nullopt;
}

std::int64_t seconds_at_midnight(const toml::date& date) {
  return util::days_from_civil(date.year, date.month, date.day) * util::kSecondsPerDay;
}

// A string from the policy with where it was written.
struct Located {
  std::string value;
  toml::source_region where;
};

// Walks the parsed TOML and records every problem, so the admin sees them all in one run.
// The read functions return nothing both when a key is absent (no error) and when it has the
// wrong type (error recorded); callers that need a value report absence themselves.
class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  void error(const toml::source_region& where, std::string_view path, std::string_view message) {
    PolicyDiagnostic d;
    d.file = file_;
    d.line = static_cast<int>(where.begin.line);
    d.column = static_cast<int>(where.begin.column);
    d.message = path.empty() ? std::string(message) : fmt::format("{}: {}", path, message);
    diagnostics_.push_back(std::move(d));
  }

  bool ok() const { return diagnostics_.empty(); }

  // The diagnostics in file order: toml++ keeps keys sorted by name, not by position.
  std::vector<PolicyDiagnostic> take() {
    std::stable_sort(diagnostics_.begin(), diagnostics_.end(),
                     [](const PolicyDiagnostic& a, const PolicyDiagnostic& b) {
                       return std::pair(a.line, a.column) < std::pair(b.line, b.column);
                     });
    return std::move(diagnostics_);
  }

  void reject_unknown_keys(const toml::table& table, std::string_view path,
                           std::span<const std::string_view> allowed) {
    for (auto&& [key, node] : table) {
      const std::string_view name = key.str();
      if (std::find(allowed.begin(), allowed.end(), name) != allowed.end())
        continue;
      std::string message = "unknown key";
      std::string_view best;
      // Suggest only close misspellings: two edits, or a third of the name for long names.
      std::size_t best_distance = std::max<std::size_t>(2, name.size() / 3) + 1;
      for (std::string_view candidate : allowed) {
        std::size_t distance = edit_distance(name, candidate);
        if (distance < best_distance) {
          best = candidate;
          best_distance = distance;
        }
      }
      if (!best.empty())
        message += fmt::format("; did you mean \"{}\"?", best);
      message += fmt::format(" (allowed here: {})", list(allowed));
      error(key.source().begin.line > 0 ? key.source() : node.source(), child_path(path, name),
            message);
    }
  }

  void missing(const toml::table& table, std::string_view path, std::string_view key,
               std::string_view what) {
    error(table.source(), child_path(path, key), fmt::format("missing; {}", what));
  }

  const toml::node* typed(const toml::table& table, std::string_view key, std::string_view path,
                          toml::node_type type, std::string_view expected) {
    const toml::node* node = table.get(key);
    if (node == nullptr)
      return nullptr;
    if (node->type() == type)
      return node;
    std::string message = fmt::format("expected {}, got {}", expected, type_name(node->type()));
    if (const auto* text = node->as_string()) {
      message += fmt::format(" {}", quoted(text->get()));
      if (type != toml::node_type::string && type != toml::node_type::array &&
          type != toml::node_type::table) {
        message += "; write the value without quotes";
      }
    }
    error(node->source(), child_path(path, key), message);
    return nullptr;
  }

  std::optional<Located> string(const toml::table& table, std::string_view key,
                                std::string_view path) {
    const toml::node* node = typed(table, key, path, toml::node_type::string, "a string");
    if (node == nullptr)
      return std::nullopt;
    return Located{node->as_string()->get(), node->source()};
  }

  // A string that, when present, must not be empty.
  std::optional<Located> nonempty_string(const toml::table& table, std::string_view key,
                                         std::string_view path) {
    std::optional<Located> value = string(table, key, path);
    if (value && value->value.empty()) {
      error(value->where, child_path(path, key), "must not be empty");
      return std::nullopt;
    }
    return value;
  }

  // A string that must be present and not empty; `what` tells the admin what to write.
  std::optional<Located> required_string(const toml::table& table, std::string_view key,
                                         std::string_view path, std::string_view what) {
    if (!table.contains(key)) {
      missing(table, path, key, what);
      return std::nullopt;
    }
    return nonempty_string(table, key, path);
  }

  std::optional<bool> boolean(const toml::table& table, std::string_view key,
                              std::string_view path) {
    const toml::node* node = typed(table, key, path, toml::node_type::boolean, "true or false");
    if (node == nullptr)
      return std::nullopt;
    return node->as_boolean()->get();
  }

  // An integer in [minimum, INT_MAX].
  std::optional<int> integer(const toml::table& table, std::string_view key, std::string_view path,
                             int minimum) {
    const toml::node* node = typed(table, key, path, toml::node_type::integer, "an integer");
    if (node == nullptr)
      return std::nullopt;
    const std::int64_t value = node->as_integer()->get();
    if (value < minimum || value > std::numeric_limits<int>::max()) {
      error(node->source(), child_path(path, key),
            fmt::format("must be between {} and {}, got {}", minimum,
                        std::numeric_limits<int>::max(), value));
      return std::nullopt;
    }
    return static_cast<int>(value);
  }

  // A TOML date (UTC midnight) or offset date-time, as seconds since the epoch. A date-time
  // without an offset is refused: which midnight it means would depend on the host's zone.
  std::optional<std::int64_t> instant(const toml::table& table, std::string_view key,
                                      std::string_view path) {
    const toml::node* node = table.get(key);
    if (node == nullptr)
      return std::nullopt;
    if (const auto* date = node->as_date())
      return seconds_at_midnight(date->get());
    if (const auto* date_time = node->as_date_time()) {
      const toml::date_time& value = date_time->get();
      if (!value.offset) {
        error(node->source(), child_path(path, key),
              "a date-time needs an offset (e.g. 2026-01-01T00:00:00Z), or write a plain date");
        return std::nullopt;
      }
      return seconds_at_midnight(value.date) + value.time.hour * 3600 + value.time.minute * 60 +
             value.time.second - value.offset->minutes * 60;
    }
    typed(table, key, path, toml::node_type::date, "a date such as 2026-01-01");
    return std::nullopt;
  }

  // An array whose every element is a string. Returns nothing when absent, not an array, or
  // when any element is not a string (each such element is reported).
  std::optional<std::vector<Located>> strings(const toml::table& table, std::string_view key,
                                              std::string_view path) {
    const toml::node* node = typed(table, key, path, toml::node_type::array, "an array of strings");
    if (node == nullptr)
      return std::nullopt;
    std::vector<Located> out;
    bool all_strings = true;
    const std::string here = child_path(path, key);
    std::size_t index = 0;
    for (const toml::node& element : *node->as_array()) {
      if (const auto* text = element.as_string()) {
        out.push_back({text->get(), element.source()});
      } else {
        error(element.source(), element_path(here, index),
              fmt::format("expected a string, got {}", type_name(element.type())));
        all_strings = false;
      }
      ++index;
    }
    if (!all_strings)
      return std::nullopt;
    return out;
  }

  const toml::table* table(const toml::table& parent, std::string_view key, std::string_view path) {
    const toml::node* node = typed(parent, key, path, toml::node_type::table, "a table");
    return node == nullptr ? nullptr : node->as_table();
  }

  // [[key]] entries (or an array of inline tables). Elements that are not tables are reported
  // and given as nullptr, so that indices stay those of the file.
  std::vector<const toml::table*> tables(const toml::table& parent, std::string_view key,
                                         std::string_view path) {
    std::vector<const toml::table*> out;
    const std::string here = child_path(path, key);
    const toml::node* node = parent.get(key);
    if (node == nullptr)
      return out;
    const toml::array* array = node->as_array();
    if (array == nullptr) {
      error(node->source(), here,
            fmt::format("expected an array of tables ([[{}]]), got {}", here,
                        type_name(node->type())));
      return out;
    }
    std::size_t index = 0;
    for (const toml::node& element : *array) {
      if (const auto* entry = element.as_table()) {
        out.push_back(entry);
      } else {
        error(element.source(), element_path(here, index),
              fmt::format("expected a table, got {}", type_name(element.type())));
        out.push_back(nullptr);
      }
      ++index;
    }
    return out;
  }

 private:
  std::string file_;
  std::vector<PolicyDiagnostic> diagnostics_;
};

// Turns the parsed document into a Policy, recording every problem in `reader`.
class PolicyBuilder {
 public:
  PolicyBuilder(Reader& reader, Policy& policy) : r_(reader), policy_(policy) {}

  void build(const toml::table& root) {
    r_.reject_unknown_keys(root, "", kTopKeys);
    // Levels first: person and protect entries are checked against them.
    read_levels(root);
    if (auto value = r_.integer(root, "max_listed_commits", "", 1)) {
      policy_.max_listed_commits = *value;
    }
    read_review(root);
    if (const toml::table* detect = r_.table(root, "detect", ""))
      read_detect(*detect);
    if (const toml::table* baseline = r_.table(root, "baseline", ""))
      read_baseline(*baseline);
    read_people(root);
    read_protect(root);
    if (const toml::table* host = r_.table(root, "host", ""))
      read_host(*host);
    if (const toml::table* log = r_.table(root, "log", ""))
      read_log(*log);
  }

 private:
  void read_levels(const toml::table& root) {
    if (!root.contains("levels"))
      return;
    std::optional<std::vector<Located>> levels = r_.strings(root, "levels", "");
    if (!levels) {
      levels_known_ = false;
      return;
    }
    if (levels->empty()) {
      r_.error(root.get("levels")->source(), "levels", "must list at least one level");
      levels_known_ = false;
      return;
    }
    std::vector<std::string> names;
    for (std::size_t i = 0; i < levels->size(); ++i) {
      const Located& level = (*levels)[i];
      const std::string path = element_path("levels", i);
      if (level.value.empty() || has_space_or_control(level.value)) {
        r_.error(level.where, path, "a level is a non-empty name without spaces");
        levels_known_ = false;
      } else if (auto it = std::find(names.begin(), names.end(), level.value); it != names.end()) {
        r_.error(level.where, path,
                 fmt::format("{} is listed twice (also levels[{}])", quoted(level.value),
                             it - names.begin()));
        levels_known_ = false;
      }
      names.push_back(level.value);
    }
    if (levels_known_)
      policy_.levels = std::move(names);
  }

  // Checks that `level` names one of the levels. Skipped when the levels list itself is
  // broken, since every level would then look unknown.
  bool check_level(const Located& level, std::string_view path) {
    if (!levels_known_ || policy_.level_rank(level.value) >= 0)
      return true;
    r_.error(
        level.where, path,
        fmt::format("unknown level {} (levels: {})", quoted(level.value), list(policy_.levels)));
    return false;
  }

  void read_review(const toml::table& root) {
    // Without a [review] table every setting keeps its default: signature verification.
    const toml::table* review = r_.table(root, "review", "");
    if (review == nullptr)
      return;
    r_.reject_unknown_keys(*review, "review", kReviewKeys);

    if (auto mode = r_.string(*review, "verification", "review")) {
      if (mode->value == "roster") {
        policy_.review.verification = Verification::roster;
      } else if (mode->value == "signature") {
        policy_.review.verification = Verification::signature;
      } else {
        r_.error(mode->where, "review.verification",
                 fmt::format("unknown value {} (expected \"signature\" or \"roster\")",
                             quoted(mode->value)));
      }
    }

    std::optional<Located> signature_key = r_.nonempty_string(*review, "signature_key", "review");
    if (signature_key) {
      if (is_token(signature_key->value)) {
        policy_.review.signature_key = signature_key->value;
      } else {
        r_.error(signature_key->where, "review.signature_key",
                 fmt::format("{} is not a trailer key: use only letters, digits and '-'",
                             quoted(signature_key->value)));
        signature_key.reset();
      }
    }

    if (auto name = r_.nonempty_string(*review, "namespace", "review")) {
      const bool printable_ascii = std::all_of(name->value.begin(), name->value.end(),
                                               [](char c) { return c > 0x20 && c < 0x7F; });
      if (printable_ascii) {
        policy_.review.sig_namespace = name->value;
      } else {
        r_.error(name->where, "review.namespace",
                 fmt::format("{} is not a signature namespace: use printable ASCII without "
                             "spaces, e.g. \"trailgate-review\"",
                             quoted(name->value)));
      }
    }

    read_review_keys(*review, signature_key);
  }

  // [review] keys. `signature_key` is the signature_key the file sets, when it is valid. The
  // review trailers and the signature trailer must differ: a signature line that also claimed
  // a review would be read as two things at once. The clash is reported where it was written:
  // at signature_key when the file sets it, else at the review key that takes the default.
  void read_review_keys(const toml::table& review, const std::optional<Located>& signature_key) {
    const std::string& signature = policy_.review.signature_key;
    std::vector<Located> keys;
    if (review.contains("keys")) {
      std::optional<std::vector<Located>> listed = r_.strings(review, "keys", "review");
      if (!listed)
        return;
      if (listed->empty()) {
        r_.error(review.get("keys")->source(), "review.keys",
                 "must list at least one trailer key, e.g. [\"Reviewed-by\"]");
        return;
      }
      keys = std::move(*listed);
    }

    std::vector<std::string> accepted;
    for (std::size_t i = 0; i < keys.size(); ++i) {
      const Located& key = keys[i];
      const std::string path = element_path("review.keys", i);
      if (!is_token(key.value)) {
        r_.error(key.where, path,
                 fmt::format("{} is not a trailer key: use only letters, digits and '-'",
                             quoted(key.value)));
      } else if (std::any_of(accepted.begin(), accepted.end(),
                             [&](const std::string& k) { return iequals(k, key.value); })) {
        r_.error(
            key.where, path,
            fmt::format("{} is listed twice (keys compare case-insensitively)", quoted(key.value)));
      } else {
        if (!review.contains("signature_key") && iequals(key.value, signature)) {
          r_.error(key.where, path,
                   fmt::format("{} is the key of the signature trailer (review.signature_key "
                               "defaults to {}); a review trailer must use a different key",
                               quoted(key.value), quoted(signature)));
        }
        accepted.push_back(key.value);
      }
    }
    if (!keys.empty())
      policy_.review.trailer_keys = accepted;

    if (!signature_key)
      return;
    const std::vector<std::string>& claims = policy_.review.trailer_keys;
    auto clash = std::find_if(claims.begin(), claims.end(),
                              [&](const std::string& k) { return iequals(k, signature); });
    if (clash != claims.end()) {
      r_.error(signature_key->where, "review.signature_key",
               fmt::format("{} is also a review trailer ({} {}); the signature trailer must be "
                           "a different key, e.g. \"Review-Signature\"",
                           quoted(signature_key->value), quoted(*clash),
                           keys.empty() ? "is the default of review.keys" : "in review.keys"));
    }
  }

  void read_detect(const toml::table& detect) {
    r_.reject_unknown_keys(detect, "detect", kDetectKeys);
    if (auto builtin = r_.boolean(detect, "builtin", "detect"))
      policy_.detect.builtin = *builtin;
    std::map<std::string, std::size_t> ids;
    std::vector<const toml::table*> markers = r_.tables(detect, "marker", "detect");
    for (std::size_t i = 0; i < markers.size(); ++i) {
      if (markers[i] == nullptr)
        continue;
      const toml::table& entry = *markers[i];
      const std::string path = element_path("detect.marker", i);
      r_.reject_unknown_keys(entry, path, kMarkerKeys);
      detect::MarkerSpec spec;

      if (auto id = r_.required_string(entry, "id", path, "every marker needs a unique id")) {
        if (auto [it, inserted] = ids.emplace(id->value, i); !inserted) {
          r_.error(id->where, child_path(path, "id"),
                   fmt::format("{} is already the id of detect.marker[{}]", quoted(id->value),
                               it->second));
        }
        spec.id = id->value;
      }
      if (auto tool = r_.required_string(entry, "tool", path, "name the tool, e.g. \"Acme AI\"")) {
        spec.tool = tool->value;
      }

      // Exactly one source, so a marker means one thing.
      std::vector<std::string_view> sources;
      for (std::string_view key : {"trailer", "identity", "body"}) {
        if (entry.contains(key))
          sources.push_back(key);
      }
      if (sources.empty()) {
        r_.error(entry.source(), path, "set exactly one of trailer, identity or body");
      } else if (sources.size() > 1) {
        r_.error(entry.get(sources[1])->source(), path,
                 fmt::format("sets both {} and {}; a marker has exactly one of trailer, "
                             "identity or body (use one [[detect.marker]] for each)",
                             sources[0], sources[1]));
      }
      const std::string_view source = sources.size() == 1 ? sources[0] : std::string_view();

      if (auto trailer = r_.nonempty_string(entry, "trailer", path)) {
        if (!is_token(trailer->value)) {
          r_.error(trailer->where, child_path(path, "trailer"),
                   fmt::format("{} is not a trailer key: use only letters, digits and '-'",
                               quoted(trailer->value)));
        }
        spec.source = detect::MarkerSource::trailer;
        spec.trailer_key = trailer->value;
      }
      if (auto value = r_.string(entry, "value", path)) {
        if (entry.contains("trailer")) {
          spec.pattern = value->value;
        } else {
          r_.error(value->where, child_path(path, "value"),
                   "only applies to a trailer marker (set trailer = \"Key\")");
        }
      }
      if (auto identity = r_.nonempty_string(entry, "identity", path)) {
        spec.source = detect::MarkerSource::identity;
        spec.pattern = identity->value;
      }
      if (auto field = r_.string(entry, "field", path)) {
        if (!entry.contains("identity")) {
          r_.error(field->where, child_path(path, "field"),
                   "only applies to an identity marker (set identity = \"regex\")");
        } else if (field->value == "name") {
          spec.identity_field = detect::IdentityField::name;
        } else if (field->value == "email") {
          spec.identity_field = detect::IdentityField::email;
        } else if (field->value == "either") {
          spec.identity_field = detect::IdentityField::either;
        } else {
          r_.error(field->where, child_path(path, "field"),
                   fmt::format("unknown value {} (expected \"name\", \"email\" or \"either\")",
                               quoted(field->value)));
        }
      }
      if (auto body = r_.nonempty_string(entry, "body", path)) {
        spec.source = detect::MarkerSource::body;
        spec.pattern = body->value;
      }
      if (!source.empty())
        policy_.detect.markers.push_back(std::move(spec));
    }
  }

  void read_host(const toml::table& host) {
    r_.reject_unknown_keys(host, "host", kHostKeys);
    if (auto name = r_.nonempty_string(host, "pusher_variable", "host")) {
      if (auto problem = pusher_variable_problem(name->value)) {
        r_.error(name->where, "host.pusher_variable",
                 fmt::format("{} {}", quoted(name->value), *problem));
      } else {
        policy_.host.pusher_variable = name->value;
      }
    }
  }

  void read_log(const toml::table& log) {
    r_.reject_unknown_keys(log, "log", kLogKeys);
    if (auto path = r_.nonempty_string(log, "decisions", "log")) {
      const bool control = std::any_of(path->value.begin(), path->value.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return byte < 0x20 || byte == 0x7F;
      });
      if (control) {
        r_.error(path->where, "log.decisions",
                 fmt::format("{} contains a control character", quoted(path->value)));
      } else if (path->value.ends_with('/')) {
        r_.error(path->where, "log.decisions",
                 fmt::format("{} names a directory; name the file, e.g. "
                             "\"trailgate/decisions.jsonl\"",
                             quoted(path->value)));
      } else if (path->value.starts_with('~')) {
        r_.error(path->where, "log.decisions",
                 fmt::format("{}: '~' is not expanded; write an absolute path, or one relative "
                             "to the repository's git dir",
                             quoted(path->value)));
      } else {
        policy_.log.decisions = path->value;
      }
    }
    if (auto mode = r_.string(log, "on_failure", "log")) {
      if (mode->value == "reject") {
        policy_.log.on_failure = LogFailure::reject;
      } else if (mode->value == "warn") {
        policy_.log.on_failure = LogFailure::warn;
      } else {
        r_.error(
            mode->where, "log.on_failure",
            fmt::format("unknown value {} (expected \"reject\" or \"warn\")", quoted(mode->value)));
      }
    }
  }

  void read_baseline(const toml::table& baseline) {
    r_.reject_unknown_keys(baseline, "baseline", kBaselineKeys);
    if (!baseline.contains("commit") && !baseline.contains("date")) {
      r_.error(baseline.source(), "baseline",
               "set commit, date or both (or remove the [baseline] table)");
      return;
    }
    if (auto commit = r_.string(baseline, "commit", "baseline")) {
      if (util::is_sha1_object_id_any_case(commit->value)) {
        policy_.baseline.commit = util::ascii_lowercase(commit->value);
      } else {
        r_.error(commit->where, "baseline.commit",
                 fmt::format("{} is not a full commit id (40 hexadecimal digits, as printed by "
                             "git rev-parse)",
                             quoted(commit->value)));
      }
    }
    if (auto date = r_.instant(baseline, "date", "baseline"))
      policy_.baseline.before = *date;
  }

  void read_people(const toml::table& root) {
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
          auto [it, inserted] = emails.emplace(util::ascii_lowercase(email.value),
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
          auto [it, inserted] =
              usernames.emplace(util::ascii_lowercase(username.value),
                                Seen{i, static_cast<int>(username.where.begin.line)});
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

  // Where a key was first listed, for the message about a second listing.
  struct KeySeen {
    std::string path;  // e.g. "person[0].keys[1]"
    int line;
  };

  // [[person]] keys: each element is "ssh-ed25519 AAAA... comment" or an inline table
  // { key = "...", valid_after = DATE, valid_before = DATE }.
  void read_person_keys(const toml::table& entry, const std::string& path,
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
        r_.error(text->where, text_path, util::escape_control_bytes_toml(why));
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

  void read_protect(const toml::table& root) {
    if (!root.contains("protect")) {
      // A hook whose policy protects nothing would let every push through while looking
      // installed.
      r_.error(root.source(), "protect",
               "no [[protect]] entries, so no ref would be protected; add one, e.g. "
               "[[protect]] with refs = [\"refs/heads/main\"]");
      return;
    }
    struct Pattern {
      std::string text;
      std::size_t rule;
      int line;
    };
    std::vector<Pattern> earlier;  // patterns of the rules before the current one
    std::vector<const toml::table*> entries = r_.tables(root, "protect", "");
    if (entries.empty() && root.get("protect")->is_array()) {
      r_.error(root.get("protect")->source(), "protect",
               "is empty, so no ref would be protected; add at least one rule");
    }
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (entries[i] == nullptr)
        continue;
      const toml::table& entry = *entries[i];
      const std::string path = element_path("protect", i);
      r_.reject_unknown_keys(entry, path, kProtectKeys);
      ProtectRule rule;
      rule.source_line = static_cast<int>(entry.source().begin.line);

      std::vector<Pattern> mine;
      if (!entry.contains("refs")) {
        r_.missing(entry, path, "refs", "list the ref patterns, e.g. [\"refs/heads/main\"]");
      } else if (auto refs = r_.strings(entry, "refs", path)) {
        if (refs->empty()) {
          r_.error(entry.get("refs")->source(), child_path(path, "refs"),
                   "must list at least one ref pattern, e.g. \"refs/heads/main\"");
        }
        for (std::size_t j = 0; j < refs->size(); ++j) {
          const Located& ref = (*refs)[j];
          const std::string ref_path = element_path(child_path(path, "refs"), j);
          if (auto problem = ref_pattern_problem(ref.value)) {
            r_.error(ref.where, ref_path, fmt::format("{} {}", quoted(ref.value), *problem));
            continue;
          }
          // The first matching rule wins, so a pattern an earlier rule covers is dead: its
          // stricter (or looser) settings would silently never apply.
          auto shadow = std::find_if(earlier.begin(), earlier.end(), [&](const Pattern& p) {
            return ref_pattern_covers(p.text, ref.value);
          });
          if (shadow != earlier.end()) {
            r_.error(
                ref.where, ref_path,
                fmt::format("{} never applies: protect[{}] (line {}) comes first and its "
                            "pattern {} matches every ref this one does; the first "
                            "matching [[protect]] wins, so put the more specific rule first",
                            quoted(ref.value), shadow->rule, shadow->line, quoted(shadow->text)));
          }
          rule.refs.push_back(ref.value);
          mine.push_back({ref.value, i, rule.source_line});
        }
      }
      earlier.insert(earlier.end(), mine.begin(), mine.end());

      if (auto approvals = r_.integer(entry, "approvals", path, 1))
        rule.approvals = *approvals;
      if (auto level = r_.string(entry, "min_level", path)) {
        if (check_level(*level, child_path(path, "min_level")))
          rule.min_level = level->value;
      } else if (!entry.contains("min_level") && levels_known_ &&
                 policy_.level_rank(rule.min_level) < 0) {
        r_.error(entry.source(), child_path(path, "min_level"),
                 fmt::format("not set, and the default {} is not one of the levels ({}); set it",
                             quoted(rule.min_level), list(policy_.levels)));
      }
      if (auto value = r_.boolean(entry, "allow_delete", path))
        rule.allow_delete = *value;
      if (auto value = r_.boolean(entry, "allow_force_push", path))
        rule.allow_force_push = *value;
      if (auto value = r_.boolean(entry, "review_all", path))
        rule.review_all = *value;
      if (auto value = r_.boolean(entry, "require_declaration", path)) {
        rule.require_declaration = *value;
      }
      read_break_glass(entry, path, rule);
      read_blast(entry, path, rule);
      policy_.protect.push_back(std::move(rule));
    }
  }

  // [[protect.sensitive]] entries and the [protect.mass_change] table (docs/blast-radius.md).
  void read_blast(const toml::table& entry, const std::string& path, ProtectRule& rule) {
    static constexpr std::string_view kSensitiveKeys[] = {"paths", "approvals", "min_level"};
    static constexpr std::string_view kMassChangeKeys[] = {
        "enabled",   "deleted_files", "deleted_share", "recreated_dir_files",
        "approvals", "min_level",     "applies_to"};
    const std::string sensitive_path = child_path(path, "sensitive");
    std::vector<const toml::table*> entries = r_.tables(entry, "sensitive", path);
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (entries[i] == nullptr)
        continue;
      const toml::table& table = *entries[i];
      const std::string here = element_path(sensitive_path, i);
      r_.reject_unknown_keys(table, here, kSensitiveKeys);
      SensitiveRule sensitive;
      sensitive.source_line = static_cast<int>(table.source().begin.line);
      if (!table.contains("paths")) {
        r_.missing(table, here, "paths", "list path patterns, e.g. [\"infra/**\", \"**/*.tf\"]");
      } else if (auto paths = r_.strings(table, "paths", here)) {
        if (paths->empty())
          r_.error(table.get("paths")->source(), child_path(here, "paths"),
                   "must list at least one path pattern, e.g. \"infra/**\"");
        for (std::size_t j = 0; j < paths->size(); ++j) {
          const Located& pattern = (*paths)[j];
          PathGlobError error;
          if (auto glob = PathGlob::compile(pattern.value, &error))
            sensitive.paths.push_back(std::move(*glob));
          else
            r_.error(pattern.where, element_path(child_path(here, "paths"), j),
                     fmt::format("{}: {}", quoted(pattern.value), error.message));
        }
      }
      if (auto approvals = r_.integer(table, "approvals", here, 1))
        sensitive.approvals = *approvals;
      if (auto level = r_.string(table, "min_level", here))
        if (check_level(*level, child_path(here, "min_level")))
          sensitive.min_level = level->value;
      rule.blast.sensitive.push_back(std::move(sensitive));
    }

    const toml::table* mass = r_.table(entry, "mass_change", path);
    if (mass == nullptr)
      return;
    const std::string here = child_path(path, "mass_change");
    r_.reject_unknown_keys(*mass, here, kMassChangeKeys);
    MassChangeRule& rule_mass = rule.blast.mass_change;
    rule_mass.source_line = static_cast<int>(mass->source().begin.line);
    if (auto value = r_.boolean(*mass, "enabled", here))
      rule_mass.enabled = *value;
    if (auto value = r_.integer(*mass, "deleted_files", here, 0))
      rule_mass.deleted_files = static_cast<std::size_t>(*value);
    if (auto value = r_.integer(*mass, "recreated_dir_files", here, 0))
      rule_mass.recreated_dir_files = static_cast<std::size_t>(*value);
    if (auto value = r_.integer(*mass, "approvals", here, 1))
      rule_mass.approvals = *value;
    if (auto level = r_.string(*mass, "min_level", here))
      if (check_level(*level, child_path(here, "min_level")))
        rule_mass.min_level = level->value;
    if (const toml::node* share = mass->get("deleted_share")) {
      std::optional<double> value;
      if (const auto* f = share->as_floating_point())
        value = f->get();
      else if (const auto* n = share->as_integer())
        value = static_cast<double>(n->get());
      if (!value || !(*value >= 0.0 && *value <= 1.0))
        r_.error(share->source(), child_path(here, "deleted_share"),
                 "expected a number from 0 to 1 (the share of the parent's files), e.g. 0.25");
      else
        rule_mass.deleted_share = *value;
    }
    if (auto scope = r_.string(*mass, "applies_to", here)) {
      if (scope->value == "ai-assisted")
        rule_mass.applies_to = MassChangeScope::ai_assisted;
      else if (scope->value == "all")
        rule_mass.applies_to = MassChangeScope::all;
      else
        r_.error(scope->where, child_path(here, "applies_to"),
                 fmt::format("{} is not \"ai-assisted\" or \"all\"", quoted(scope->value)));
    }
  }

  // [[protect]] break_glass: host usernames, like [[person]] usernames.
  void read_break_glass(const toml::table& entry, const std::string& path, ProtectRule& rule) {
    std::optional<std::vector<Located>> names = r_.strings(entry, "break_glass", path);
    if (!names)
      return;
    const std::string list_path = child_path(path, "break_glass");
    for (std::size_t j = 0; j < names->size(); ++j) {
      const Located& name = (*names)[j];
      const std::string name_path = element_path(list_path, j);
      if (name.value.empty() || has_space_or_control(name.value)) {
        r_.error(name.where, name_path,
                 "a host username is non-empty, without spaces (as the host sets it in "
                 "GL_USERNAME, REMOTE_USER, ...)");
        continue;
      }
      if (rule.allows_break_glass(name.value)) {
        r_.error(name.where, name_path,
                 fmt::format("{} is listed twice (usernames compare ignoring case)",
                             quoted(name.value)));
        continue;
      }
      rule.break_glass.push_back(name.value);
    }
  }

  Reader& r_;
  Policy& policy_;
  bool levels_known_ = true;
};

}  // namespace

Policy parse_policy(std::string_view text, const std::string& source_name) {
  toml::table root;
  try {
    root = toml::parse(text, std::string_view(source_name));
  } catch (const toml::parse_error& e) {
    // toml++ stops at the first syntax error, so this is the only diagnostic there can be.
    PolicyDiagnostic d;
    d.file = source_name;
    d.line = static_cast<int>(e.source().begin.line);
    d.column = static_cast<int>(e.source().begin.column);
    d.message = fmt::format("not valid TOML: {}", util::escape_control_bytes_toml(e.description()));
    throw PolicyError({std::move(d)});
  }

  Reader reader(source_name);
  Policy policy;
  policy.source = source_name;
  PolicyBuilder(reader, policy).build(root);
  if (!reader.ok())
    throw PolicyError(reader.take());
  return policy;
}

namespace {

std::string errno_message(int error) {
  return std::error_code(error, std::generic_category()).message();
}

// What a file that is not a regular file is, in the words of strerror ("Is a directory").
std::string_view kind_of(mode_t mode) {
  if (S_ISDIR(mode))
    return "Is a directory";
  if (S_ISFIFO(mode))
    return "Is a FIFO (named pipe)";
  if (S_ISCHR(mode))
    return "Is a character device";
  if (S_ISBLK(mode))
    return "Is a block device";
  if (S_ISSOCK(mode))
    return "Is a socket";
  return "Is not a regular file";
}

// Why `path` cannot be opened, `error` being open's errno: for a symbolic link that leads
// nowhere, says so and names its target.
std::string open_problem(const std::string& path, int error) {
  struct stat link {};
  if (error == ENOENT && ::lstat(path.c_str(), &link) == 0 && S_ISLNK(link.st_mode)) {
    std::string target(4096, '\0');
    const ssize_t n = ::readlink(path.c_str(), target.data(), target.size());
    target.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return fmt::format("a symbolic link to \"{}\", which does not exist",
                       util::escape_control_bytes_toml(target));
  }
  if (error == ELOOP)
    return "a symbolic link that leads to itself (or more than 40 links deep)";
  return errno_message(error);
}

// Reads the whole file, or returns why it cannot. Only a regular file (after following
// symbolic links) is read: its type is checked before it is opened, so that a FIFO, a device
// or a directory is never opened for reading, and again on the opened descriptor, so that one
// swapped in between is refused too. The open never blocks (O_NONBLOCK, which a regular file
// ignores), and at most kMaxPolicyBytes + 1 bytes are read, whatever the file claims its size is.
std::optional<std::string> read_file(const std::string& path, std::string& text) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0)
    return open_problem(path, errno);
  if (!S_ISREG(info.st_mode))
    return fmt::format("{}; a policy must be a regular file", kind_of(info.st_mode));
  util::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (fd.get() < 0)
    return open_problem(path, errno);
  if (::fstat(fd.get(), &info) != 0)
    return errno_message(errno);
  if (!S_ISREG(info.st_mode))
    return fmt::format("{}; a policy must be a regular file", kind_of(info.st_mode));
  const auto too_large = [] {
    return fmt::format("larger than {} MiB, which is no policy file", kMaxPolicyBytes >> 20);
  };
  if (info.st_size > static_cast<off_t>(kMaxPolicyBytes))
    return too_large();
  char buffer[65536];
  while (true) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return errno_message(errno);
    if (n == 0)
      break;
    text.append(buffer, static_cast<std::size_t>(n));
    if (text.size() > kMaxPolicyBytes)
      return too_large();
  }
  return std::nullopt;
}

}  // namespace

std::string read_policy_file(const std::string& path) {
  std::string text;
  if (std::optional<std::string> problem = read_file(path, text)) {
    PolicyDiagnostic d;
    d.file = path;
    d.message = fmt::format("cannot read the policy file: {}", *problem);
    throw PolicyError({std::move(d)});
  }
  return text;
}

Policy load_policy_file(const std::string& path, std::string* bytes) {
  std::string text = read_policy_file(path);
  if (bytes != nullptr)
    *bytes = text;
  return parse_policy(text, path);
}

std::vector<PolicyDiagnostic> policy_warnings(const Policy& policy) {
  std::vector<PolicyDiagnostic> warnings;
  auto warn = [&](int line, std::string message) {
    warnings.push_back(PolicyDiagnostic{policy.source, line, 0, std::move(message)});
  };

  if (policy.review.verification == Verification::signature && !policy.protect.empty()) {
    // Whoever reaches the lowest min_level could approve somewhere, if they had a key.
    int lowest = std::numeric_limits<int>::max();
    for (const ProtectRule& rule : policy.protect)
      lowest = std::min(lowest, policy.level_rank(rule.min_level));
    for (std::size_t i = 0; i < policy.people.size(); ++i) {
      const Person& person = policy.people[i];
      if (!person.keys.empty() || policy.level_rank(person.level) < lowest)
        continue;
      warn(person.source_line,
           fmt::format("person[{}] ({}): no keys; under verification = \"signature\" their "
                       "reviews cannot count (add their SSH public key to keys)",
                       i, util::escape_control_bytes_toml(person.name)));
    }
  }

  if (policy.baseline.before) {
    warn(0,
         "baseline.date trusts commit dates, which the pusher writes; prefer baseline.commit "
         "for the hook");
  }
  return warnings;
}

}  // namespace trailgate
