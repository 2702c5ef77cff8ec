// One AI marker that matched a commit: plain data, found by src/detect.
#pragma once

#include <string>

namespace trailgate::detect {

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
};

}  // namespace trailgate::detect
