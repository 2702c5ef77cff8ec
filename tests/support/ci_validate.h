// Checks of the CI formats with the validators forges' users would use: the SARIF 2.1.0 JSON
// schema (python3-jsonschema), xmllint (libxml2-utils), and the inverse of GitHub's
// workflow-command escaping. Shared by the unit tests of the writers and the end-to-end tests.
#pragma once

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "support/temp_repo.h"

namespace trailgate::testing {

// The SARIF 2.1.0 schema: $TRAILGATE_SARIF_SCHEMA when set, else
// ../shared/reference/sarif-schema-2.1.0.json beside the source tree (where CI has it). Fails
// the test, never skips it, when the file is missing.
inline std::string sarif_schema_path() {
  std::filesystem::path path;
  if (const char* env = std::getenv("TRAILGATE_SARIF_SCHEMA"); env && *env)
    path = env;
  else
    path = std::filesystem::path(TRAILGATE_SOURCE_DIR).parent_path() / "shared" / "reference" /
           "sarif-schema-2.1.0.json";
  INFO("SARIF schema expected at " << path.string());
  REQUIRE(std::filesystem::is_regular_file(path));
  return path.string();
}

// The YAML file at `file` (action.yml, a CI template) as JSON text, read by python3-yaml the way
// any YAML reader would. Fails the test when it cannot be read.
inline std::string yaml_as_json(const std::filesystem::path& file) {
  TempDir dir;
  ProcessResult r = run({"python3", "-c",
                         "import json, sys, yaml\n"
                         "json.dump(yaml.safe_load(open(sys.argv[1], encoding='utf-8')), "
                         "sys.stdout)\n",
                         file.string()},
                        dir.path());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return r.out;
}

// Validates `sarif` against the SARIF 2.1.0 schema with python3-jsonschema (Draft 4, as the
// schema declares). Returns "" when valid, else the validator's message.
inline std::string sarif_schema_errors(const std::string& sarif) {
  TempDir dir;
  write_file(dir.path() / "out.sarif", sarif);
  const std::string script =
      "import json, sys, jsonschema\n"
      "schema = json.load(open(sys.argv[1]))\n"
      "doc = json.load(open(sys.argv[2], encoding='utf-8'))\n"
      "errors = list(jsonschema.Draft4Validator(schema).iter_errors(doc))\n"
      "for e in errors: print(list(e.absolute_path), e.message)\n"
      "sys.exit(1 if errors else 0)\n";
  ProcessResult r =
      run({"python3", "-c", script, sarif_schema_path(), (dir.path() / "out.sarif").string()},
          dir.path());
  return r.exit_code == 0 ? std::string()
                          : r.out + r.err + "(exit " + std::to_string(r.exit_code) + ")";
}

// `xmllint --noout` on `xml`: "" when well-formed, else its complaint.
inline std::string xml_errors(const std::string& xml) {
  TempDir dir;
  write_file(dir.path() / "out.xml", xml);
  ProcessResult r = run({"xmllint", "--noout", (dir.path() / "out.xml").string()}, dir.path());
  return r.exit_code == 0 ? std::string()
                          : r.out + r.err + "(exit " + std::to_string(r.exit_code) + ")";
}

// A GitHub workflow command line parsed back: `::command prop=value,...::message`, with
// GitHub's escapes (%25, %0D, %0A, and in properties %3A, %2C) undone.
struct WorkflowCommand {
  std::string command;
  std::vector<std::pair<std::string, std::string>> properties;
  std::string message;
  std::string property(const std::string& key) const {
    for (const auto& [k, v] : properties)
      if (k == key)
        return v;
    return "";
  }
};

inline std::string github_unescape(std::string text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const std::string code = text.substr(i + 1, 2);
      const char* decoded = code == "25"   ? "%"
                            : code == "0D" ? "\r"
                            : code == "0A" ? "\n"
                            : code == "3A" ? ":"
                            : code == "2C" ? ","
                                           : nullptr;
      if (decoded) {
        out += decoded;
        i += 2;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

// Parses one line; fails the test when it is not a workflow command.
inline WorkflowCommand parse_workflow_command(const std::string& line) {
  INFO(line);
  REQUIRE(line.rfind("::", 0) == 0);
  const std::size_t end = line.find("::", 2);
  REQUIRE(end != std::string::npos);
  WorkflowCommand c;
  std::string head = line.substr(2, end - 2);
  c.message = github_unescape(line.substr(end + 2));
  const std::size_t space = head.find(' ');
  c.command = head.substr(0, space);
  if (space != std::string::npos) {
    std::string props = head.substr(space + 1);
    std::size_t start = 0;
    while (start <= props.size()) {
      std::size_t comma = props.find(',', start);
      std::string prop = props.substr(start, comma == std::string::npos ? comma : comma - start);
      const std::size_t eq = prop.find('=');
      REQUIRE(eq != std::string::npos);
      c.properties.emplace_back(prop.substr(0, eq), github_unescape(prop.substr(eq + 1)));
      if (comma == std::string::npos)
        break;
      start = comma + 1;
    }
  }
  return c;
}

// Every line of `text` (without the newlines).
inline std::vector<std::string> text_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos)
      end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

}  // namespace trailgate::testing
