// The TOML layer under the policy loader: typed getters over a parsed toml++ table that record
// every problem as a PolicyDiagnostic (file:line:column, the key's dotted path, the message)
// instead of stopping at the first, plus the helpers that render keys and values inside those
// messages. It knows nothing of the policy's sections; the section loaders (policy_builder.h)
// decide which keys exist and what their values mean.
#pragma once

#include <toml++/toml.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "policy/policy_loader.h"

namespace trailgate::policy_load {

// Control characters written as \u and four hex digits, so text from the policy cannot inject
// terminal escapes into the hook's output or break the one-diagnostic-per-line layout.
std::string printable(std::string_view text);

// Echoes a user-supplied string inside a message: quoted, escaped, and cut short when long.
std::string quoted(std::string_view text);

// "parent.key", or "key" when `parent` is empty; a key that is not bare TOML is quoted.
std::string child_path(std::string_view parent, std::string_view key);

// "parent[index]".
std::string element_path(std::string_view parent, std::size_t index);

// The names joined with ", ".
std::string list(std::span<const std::string_view> names);
std::string list(const std::vector<std::string>& names);

// "a string", "an integer", ... for "expected X, got Y" messages.
std::string_view type_name(toml::node_type type);

// True when `text` contains a byte <= 0x20 (space or control) or DEL.
bool has_space_or_control(std::string_view text);

// True when `key` is non-empty and only ASCII letters, digits and '-' (a git trailer key).
bool is_token(std::string_view key);

// `text` with ASCII letters lowercased; other bytes unchanged.
std::string lowercase(std::string_view text);

// A string from the policy with where it was written.
struct Located {
  std::string value;
  toml::source_region where;
};

// Walks the parsed TOML and records every problem, so the admin sees them all in one run.
// The read functions return nothing both when a key is absent (no error) and when it has the
// wrong type (error recorded); callers that need a value report absence themselves. `path` is
// the dotted path of `table` in messages ("" for the root).
class TomlReader {
 public:
  // `file` names the policy in every diagnostic.
  explicit TomlReader(std::string file) : file_(std::move(file)) {}

  // Records "path: message" (or just the message when `path` is empty) at `where`.
  void error(const toml::source_region& where, std::string_view path, std::string_view message);

  // True while nothing has been recorded.
  bool ok() const { return diagnostics_.empty(); }

  // The diagnostics in file order (line, then column; ties keep the order they were recorded
  // in), leaving the reader empty.
  std::vector<PolicyDiagnostic> take();

  // Records every key of `table` not in `allowed`, suggesting a close spelling when there is one.
  void reject_unknown_keys(const toml::table& table, std::string_view path,
                           std::span<const std::string_view> allowed);

  // Records "path.key: missing; <what>" at `table`.
  void missing(const toml::table& table, std::string_view path, std::string_view key,
               std::string_view what);

  // The node at `key` when it has `type`; nullptr when absent, or (recorded, naming `expected`)
  // when it has another type.
  const toml::node* typed(const toml::table& table, std::string_view key, std::string_view path,
                          toml::node_type type, std::string_view expected);

  std::optional<Located> string(const toml::table& table, std::string_view key,
                                std::string_view path);

  // A string that, when present, must not be empty.
  std::optional<Located> nonempty_string(const toml::table& table, std::string_view key,
                                         std::string_view path);

  // A string that must be present and not empty; `what` tells the admin what to write.
  std::optional<Located> required_string(const toml::table& table, std::string_view key,
                                         std::string_view path, std::string_view what);

  std::optional<bool> boolean(const toml::table& table, std::string_view key,
                              std::string_view path);

  // An integer in [minimum, INT_MAX].
  std::optional<int> integer(const toml::table& table, std::string_view key, std::string_view path,
                             int minimum);

  // A TOML date (UTC midnight) or offset date-time, as seconds since the epoch. A date-time
  // without an offset is refused: which midnight it means would depend on the host's zone.
  std::optional<std::int64_t> instant(const toml::table& table, std::string_view key,
                                      std::string_view path);

  // An array whose every element is a string. Returns nothing when absent, not an array, or
  // when any element is not a string (each such element is reported).
  std::optional<std::vector<Located>> strings(const toml::table& table, std::string_view key,
                                              std::string_view path);

  // The table at `key`, or nullptr when absent or (recorded) not a table.
  const toml::table* table(const toml::table& parent, std::string_view key, std::string_view path);

  // [[key]] entries (or an array of inline tables). Elements that are not tables are reported
  // and given as nullptr, so that indices stay those of the file.
  std::vector<const toml::table*> tables(const toml::table& parent, std::string_view key,
                                         std::string_view path);

 private:
  std::string file_;
  std::vector<PolicyDiagnostic> diagnostics_;
};

}  // namespace trailgate::policy_load
