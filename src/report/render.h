// Turning a Report into what people and tools read: the hook's rejection text, `check`'s
// listing, and `check --format json`.
//
// Every rejection answers three things for each problem: which commit (or ref), which rule,
// and how to fix it. Renderers only format; they never decide. Untrusted text (subjects,
// trailer values) is shown with control characters escaped so it cannot forge output lines.
#pragma once

#include <string>

#include "pipeline/pipeline.h"
#include "policy/policy.h"

namespace trailgate::report {

enum class Audience {
  push,   // the hook: lines the pusher sees as "remote: ..."
  check,  // `trailgate check`: a local listing, every commit
};

struct TextOptions {
  Audience audience = Audience::push;
  bool color = false;
  std::string policy_source;  // shown so people know which policy judged them
  bool roster_only = false;   // verification = "roster": say that reviews were not signed
};

// Renders `report` as text ending in a newline.
std::string render_text(const Report& report, const TextOptions& options);

// Renders `report` as one JSON document (schema in docs/check-json.md). Invalid UTF-8 in
// commit data is replaced with U+FFFD, so the output is always valid JSON.
std::string render_json(const Report& report, const Policy& policy);

// Escapes control characters (and DEL) in untrusted text as \xNN; leaves other bytes alone.
std::string sanitize(std::string_view text);

}  // namespace trailgate::report
