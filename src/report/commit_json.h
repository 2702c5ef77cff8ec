// A judged commit as JSON and CSV: the one shape every output gives it (schema
// kCommitSchema, documented once in docs/commit-json.md). `check --format json`, the audit's
// json, jsonl and csv, and the decision log all take a commit's object from here, so a field
// has one name and one meaning everywhere.
//
// Hand-written into a std::string rather than built as a JSON tree: the audit renders one
// object per commit of a whole history, and this is its hot path. Commit data is untrusted
// bytes: the output is always valid UTF-8 and valid JSON (a byte that is not part of
// well-formed UTF-8 becomes U+FFFD; control characters are escaped).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "model/evaluation.h"

namespace trailgate::report {

// The "schema" every commit object carries first.
inline constexpr std::string_view kCommitSchema = "trailgate.commit/3";

// Appends `text` to `out` as a JSON string literal (with the quotes). Invalid UTF-8 becomes
// U+FFFD; control characters, '"' and '\' are escaped.
void append_json_string(std::string& out, std::string_view text);

// `text` with every byte that is not part of well-formed UTF-8 replaced by U+FFFD.
std::string valid_utf8(std::string_view text);

// Appends the object for `evaluation` (no newline), without the value of its "ref": sets
// `ref_at` to the offset in `out` where the ref's JSON string (append_json_string) belongs.
// The rest of the object never depends on the ref (findings carry no ref of their own), which
// is what lets the audit cache one commit's object for every ref that reaches it.
// `lines_changed` < 0 is written as null.
void append_commit_json_without_ref(std::string& out, const CommitEvaluation& evaluation,
                                    int lines_changed, std::size_t& ref_at);

// The whole object, `evaluation.ref` included.
void append_commit_json(std::string& out, const CommitEvaluation& evaluation,
                        int lines_changed = -1);

// The CSV header row of append_commit_csv's rows, ending in CRLF.
std::string commit_csv_header();

// Appends `evaluation` as one CSV row (RFC 4180: every field quoted, '"' doubled, CRLF at the
// end): the object's scalar fields, lists flattened with ';' (docs/commit-json.md). Every cell
// is neutralised against spreadsheet formulas (neutralise_csv_formula).
void append_commit_csv(std::string& out, const CommitEvaluation& evaluation, int lines_changed);

// Spreadsheet formula injection, as OWASP recommends: when the cell's text that starts at
// `out[at]` begins with '=', '+', '-', '@', a tab or a carriage return, inserts a single quote
// before it, so a spreadsheet shows the text instead of running it.
void neutralise_csv_formula(std::string& out, std::size_t at);

// Appends `text` as one quoted CSV cell (valid UTF-8, '"' doubled, neutralised), no separator.
void append_csv_cell(std::string& out, std::string_view text);

}  // namespace trailgate::report
