#include "model/commit.h"

namespace trailgate {

std::string_view subject_of(std::string_view message) {
  while (!message.empty()) {
    std::size_t eol = message.find('\n');
    std::string_view line = message.substr(0, eol);
    if (!line.empty() && line.back() == '\r')
      line.remove_suffix(1);
    if (line.find_first_not_of(" \t\r") != std::string_view::npos)
      return line;
    if (eol == std::string_view::npos)
      break;
    message.remove_prefix(eol + 1);
  }
  return {};
}

std::string_view short_id(std::string_view id) {
  return id.substr(0, 12);
}

}  // namespace trailgate
