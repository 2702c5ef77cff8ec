#include "model/change_set.h"

namespace trailgate::git {

std::string_view to_string(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::added:
      return "added";
    case ChangeKind::modified:
      return "modified";
    case ChangeKind::deleted:
      return "deleted";
    case ChangeKind::renamed:
      return "renamed";
  }
  return "unknown";
}

}  // namespace trailgate::git
