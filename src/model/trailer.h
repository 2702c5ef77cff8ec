// One trailer as git shows it: plain data, parsed by src/trailers.
#pragma once

#include <string>

namespace trailgate::trailers {

struct Trailer {
  std::string key;    // the token as written (case preserved), whitespace-trimmed
  std::string value;  // unfolded and trimmed, as %(trailers:unfold) prints it
};

}  // namespace trailgate::trailers
