// Turning a Report into what people and tools read: the hook's rejection text, `check`'s
// listing, and `check --format json`.
//
// Every rejection answers three things for each problem: which commit (or ref), which rule,
// and how to fix it. Renderers only format; they never decide. Untrusted text (subjects,
// trailer values) is shown with control characters escaped so it cannot forge output lines.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/report.h"
#include "policy/policy.h"

namespace trailgate::report {

enum class Audience {
  push,   // the hook: lines the pusher sees as "remote: ..."
  check,  // `trailgate check`: a local listing, every commit
};

// What the hook decided about a push, when the report alone does not say it.
enum class Outcome {
  from_report,           // accepted when the report passed, else rejected
  accepted,              // accepted (e.g. a break-glass claim that had nothing to waive)
  accepted_break_glass,  // accepted only because break-glass waived the report's findings
  rejected,              // rejected (e.g. a refused break-glass claim, an unwritable log)
};

// A break-glass claim, as the pusher is shown it.
struct BreakGlassView {
  bool honoured = false;
  std::vector<std::string> refusals{};  // why it was refused, one sentence each
  std::string reason{};                 // the pusher's reason
  std::vector<std::string> refs{};      // the refs whose commit findings were waived
  std::size_t commits = 0;              // how many commits were waived
};

struct TextOptions {
  Audience audience = Audience::push;
  bool color = false;
  std::string policy_source;  // shown so people know which policy judged them
  bool roster_only = false;   // verification = "roster": say that reviews were not signed
  // The rest is for Audience::push only.
  std::string pusher{};  // who the host says pushes (escaped when shown); "" = not shown
  Outcome outcome = Outcome::from_report;       // the hook's verdict
  std::optional<BreakGlassView> break_glass{};  // set when the push claimed break-glass
  std::string log_path{};                       // where the decision is logged
  std::string log_problem{};  // one sentence: the decision log could not be written, and what
                              // that means for the push; "" = it was written
  std::vector<std::string> notes{};  // extra remarks, e.g. push options that were ignored
};

// Renders `report` as text ending in a newline. For Audience::push, `options.outcome` decides
// between the acceptance line, the loud break-glass banner (the waived findings listed under
// it) and the rejection (break-glass refusals, a log problem, the findings).
// For Audience::check it is the summary only: each commit's own lines come from
// render_check_commit, written as the walk goes.
std::string render_text(const Report& report, const TextOptions& options);

// The lines `trailgate check` shows for one commit as it is judged: the verdict, the short id,
// the subject and why; for a commit that is AI-assisted or needs review, its responsible
// identities and its author level (render_responsible, render_author_level); then every review
// claim, and why each one that does not count fails.
std::string render_check_commit(const CommitEvaluation& evaluation, bool color);

// How an AI took part in `evaluation`: "agent-authored" (some marker is of class agent),
// "AI-assisted" (a human's commit with AI help) or "not AI-assisted".
std::string_view ai_involvement(const CommitEvaluation& evaluation);

// One responsible identity for people, escaped: `Name <email> (role, level)`, with "bot" or
// "not on the roster" before the level when so, e.g.
// `Copilot <198982749+Copilot@users.noreply.github.com> (author, bot, junior)`; a roster
// person whose roster name differs from the name the commit writes is named too
// (`roster: Senior One`). A level that is unknown is shown as "level unknown".
std::string render_responsible(const ResponsibleHuman& human);

// "author level: junior; agent-authored", or "author level: not determined; ..." when the
// commit was not judged (no responsible identities).
std::string render_author_level(const CommitEvaluation& evaluation);

// One matched marker for people, escaped: `id (tool, class): evidence`, then, when the marker
// names them, `; agent X, model Y, tools a, b`.
std::string render_detection(const detect::Detection& detection);

// Returns `text` with `prefix` in front of every line. GitLab shows hook output in its web UI
// only on lines that start with "GL-HOOK-ERR: ".
std::string prefix_lines(std::string_view text, std::string_view prefix);

// Where `check` read its policy (docs/ci.md): a file, or a file as a commit holds it
// (--policy-rev REV[:PATH]), which the change under review cannot edit.
struct PolicyOrigin {
  std::string source;    // Policy::source: the file's path, or "<commit id>:<path>"
  std::string revision;  // REV as given to --policy-rev; "" when the policy is a file
  std::string commit;    // the commit REV names; "" when the policy is a file
  std::string path;      // the file's path in that commit
  std::string blob;      // the blob id of the policy read
  // With a commit: the range under check changes the file (some head has another blob there,
  // or none). The verdict is still by the policy read.
  bool changed = false;
  std::string head_blob;  // the blob at the first head that differs; "" when it has none
};

// The schema id of `check --format json`'s document.
inline constexpr std::string_view kCheckSchema = "trailgate.check/2";

// Renders `report` as one JSON document (schema in docs/check-json.md), each commit the one
// commit object of report/commit_json.h, with the built-in marker catalogue's version
// (detect::catalogue_version) at the top level, and `policy_rev` (null unless `origin` names a
// commit). Invalid UTF-8 in commit data is replaced with U+FFFD, so the output is always valid
// JSON.
std::string render_json(const Report& report, const Policy& policy,
                        const PolicyOrigin* origin = nullptr);

// Escapes control characters (and DEL) in untrusted text as \xNN; leaves other bytes alone.
std::string sanitize(std::string_view text);

}  // namespace trailgate::report
