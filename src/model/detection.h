// One AI marker that matched a commit: plain data, found by src/detect.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace trailgate::detect {

// How an AI took part in a commit. A commit with any agent marker is agent-authored.
enum class MarkerClass {
  assisted,  // a human's commit made with AI help: co-author trailers, Assisted-by, body lines
  agent,     // the author or committer is an AI agent that wrote the change on its own
};

// "assisted" or "agent", as policies and JSON outputs spell it.
inline std::string_view to_string(MarkerClass c) {
  return c == MarkerClass::agent ? "agent" : "assisted";
}

struct Detection {
  std::string marker_id;
  std::string tool;
  // Where it matched, for people: `trailer "Co-authored-by: Claude <noreply@anthropic.com>"`,
  // `author name "Dev (aider)"`, `committer email "..."`, `body line "..."` (the line that
  // holds the start of the match), or, for a trailer marker that matched a trailer-shaped line
  // that is not in git's trailer block, `line "Co-authored-by: ..." (a trailer outside git's
  // trailer block)`. The quoted text is an excerpt of about 200 bytes at most,
  // with "..." where text was left out. It is always valid UTF-8: control bytes, '"', '\' and
  // bytes that are not well-formed UTF-8 are written as \xNN (or \" and \\).
  std::string evidence;
  MarkerClass marker_class = MarkerClass::assisted;
  // What the marker names, when it says: the agent, the model and the tools of a disclosure
  // such as the Linux kernel's "Assisted-by: AGENT_NAME:MODEL_VERSION [TOOL...]", or a
  // co-author value that names a model ("Claude Opus 4.5 <noreply@anthropic.com>"). Empty when
  // the marker does not say.
  std::string agent{};
  std::string model{};
  std::vector<std::string> tools{};
};

}  // namespace trailgate::detect
