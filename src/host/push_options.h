// Push options (`git push -o ...`) as git hands them to pre-receive, and the ones trailgate
// reads: `trailgate.break-glass=<reason>`.
//
// Push options are text the client chooses, unauthenticated. They may carry a request (break
// glass, with a reason) but never an identity: who pushes comes from identity.h only. The
// `update` hook never sees push options; git passes them to pre-receive alone.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "host/identity.h"

namespace trailgate::host {

// The option that asks for break-glass: `trailgate.break-glass=<reason>`.
inline constexpr std::string_view kBreakGlassOption = "trailgate.break-glass";

// At most this many push options are read; git sends far fewer.
inline constexpr std::size_t kMaxPushOptions = 10000;

// Reads GIT_PUSH_OPTION_COUNT and GIT_PUSH_OPTION_0 .. _<count-1>, in order. An unset count
// and "0" both mean no options (git 2.39 sets "0" even when the client sent none). Throws
// InputError (pipeline.h) when the count is not a decimal number up to kMaxPushOptions, or an
// option it announces is unset: git never does that, so something else is tampering.
std::vector<std::string> read_push_options(const Environment& env);

// One push option that claims break-glass.
struct BreakGlassClaim {
  std::string option;  // the whole option as sent
  std::string reason;  // the text after the first '=', trimmed of ASCII whitespace; "" if none
};

// The options whose key (the text before the first '=', or all of it) is kBreakGlassOption,
// ignoring ASCII case, so a miscapitalised claim is still judged rather than silently ignored.
std::vector<BreakGlassClaim> break_glass_claims(const std::vector<std::string>& options);

// The options whose key starts with "trailgate." (ignoring case) but is not one trailgate
// reads, such as "trailgate.pusher=alice". They are ignored; the hook says so.
std::vector<std::string> ignored_trailgate_options(const std::vector<std::string>& options);

// `text` without leading and trailing ASCII whitespace (space, \t, \n, \v, \f, \r).
std::string_view trim(std::string_view text);

}  // namespace trailgate::host
