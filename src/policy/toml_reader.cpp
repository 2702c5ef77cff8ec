#include "policy/toml_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <utility>

namespace trailgate::policy_load {

namespace {

bool is_bare_key(std::string_view key) {
  return !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
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

std::int64_t seconds_at_midnight(const toml::date& date) {
  using namespace std::chrono;
  const sys_days days{year{date.year} / month{date.month} / day{date.day}};
  return days.time_since_epoch().count() * 86400;
}

}  // namespace

std::string printable(std::string_view text) {
  std::string out;
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) {
      out += fmt::format("\\u{:04X}", byte);
    } else {
      out += c;
    }
  }
  return out;
}

std::string quoted(std::string_view text) {
  constexpr std::size_t kMaxShown = 120;
  bool cut = false;
  if (text.size() > kMaxShown) {
    std::size_t end = kMaxShown;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
      --end;
    text = text.substr(0, end);
    cut = true;
  }
  std::string escaped;
  for (char c : text) {
    if (c == '"' || c == '\\')
      escaped += '\\';
    escaped += c;
  }
  return fmt::format("\"{}\"{}", printable(escaped), cut ? "..." : "");
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

std::string lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

void TomlReader::error(const toml::source_region& where, std::string_view path,
                       std::string_view message) {
  PolicyDiagnostic d;
  d.file = file_;
  d.line = static_cast<int>(where.begin.line);
  d.column = static_cast<int>(where.begin.column);
  d.message = path.empty() ? std::string(message) : fmt::format("{}: {}", path, message);
  diagnostics_.push_back(std::move(d));
}

// The diagnostics in file order: toml++ keeps keys sorted by name, not by position.
std::vector<PolicyDiagnostic> TomlReader::take() {
  std::stable_sort(diagnostics_.begin(), diagnostics_.end(),
                   [](const PolicyDiagnostic& a, const PolicyDiagnostic& b) {
                     return std::pair(a.line, a.column) < std::pair(b.line, b.column);
                   });
  return std::move(diagnostics_);
}

void TomlReader::reject_unknown_keys(const toml::table& table, std::string_view path,
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

void TomlReader::missing(const toml::table& table, std::string_view path, std::string_view key,
                         std::string_view what) {
  error(table.source(), child_path(path, key), fmt::format("missing; {}", what));
}

const toml::node* TomlReader::typed(const toml::table& table, std::string_view key,
                                    std::string_view path, toml::node_type type,
                                    std::string_view expected) {
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

std::optional<Located> TomlReader::string(const toml::table& table, std::string_view key,
                                          std::string_view path) {
  const toml::node* node = typed(table, key, path, toml::node_type::string, "a string");
  if (node == nullptr)
    return std::nullopt;
  return Located{node->as_string()->get(), node->source()};
}

std::optional<Located> TomlReader::nonempty_string(const toml::table& table, std::string_view key,
                                                   std::string_view path) {
  std::optional<Located> value = string(table, key, path);
  if (value && value->value.empty()) {
    error(value->where, child_path(path, key), "must not be empty");
    return std::nullopt;
  }
  return value;
}

std::optional<Located> TomlReader::required_string(const toml::table& table, std::string_view key,
                                                   std::string_view path, std::string_view what) {
  if (!table.contains(key)) {
    missing(table, path, key, what);
    return std::nullopt;
  }
  return nonempty_string(table, key, path);
}

std::optional<bool> TomlReader::boolean(const toml::table& table, std::string_view key,
                                        std::string_view path) {
  const toml::node* node = typed(table, key, path, toml::node_type::boolean, "true or false");
  if (node == nullptr)
    return std::nullopt;
  return node->as_boolean()->get();
}

std::optional<int> TomlReader::integer(const toml::table& table, std::string_view key,
                                       std::string_view path, int minimum) {
  const toml::node* node = typed(table, key, path, toml::node_type::integer, "an integer");
  if (node == nullptr)
    return std::nullopt;
  const std::int64_t value = node->as_integer()->get();
  if (value < minimum || value > std::numeric_limits<int>::max()) {
    error(node->source(), child_path(path, key),
          fmt::format("must be between {} and {}, got {}", minimum, std::numeric_limits<int>::max(),
                      value));
    return std::nullopt;
  }
  return static_cast<int>(value);
}

std::optional<std::int64_t> TomlReader::instant(const toml::table& table, std::string_view key,
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

std::optional<std::vector<Located>> TomlReader::strings(const toml::table& table,
                                                        std::string_view key,
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

const toml::table* TomlReader::table(const toml::table& parent, std::string_view key,
                                     std::string_view path) {
  const toml::node* node = typed(parent, key, path, toml::node_type::table, "a table");
  return node == nullptr ? nullptr : node->as_table();
}

std::vector<const toml::table*> TomlReader::tables(const toml::table& parent, std::string_view key,
                                                   std::string_view path) {
  std::vector<const toml::table*> out;
  const std::string here = child_path(path, key);
  const toml::node* node = parent.get(key);
  if (node == nullptr)
    return out;
  const toml::array* array = node->as_array();
  if (array == nullptr) {
    error(
        node->source(), here,
        fmt::format("expected an array of tables ([[{}]]), got {}", here, type_name(node->type())));
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

}  // namespace trailgate::policy_load
