// The date-ordered history walk of the audit: git's default order (`git log` with no ordering
// option), over one target after another, each commit listed once across all of them.
//
// A commit is listed when it is the newest (by committer date) of those reached and not yet
// listed; ties go in the order they were reached, and a commit's parents are reached in their
// order when it is listed. Parents and dates come from the commit-graph when it covers a commit
// (no object read), else from the commit object, read once and handed on with the commit so
// that the reader of the walk never reads it again.
#pragma once

#include <cstdint>
#include <optional>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "git/commit_graph.h"
#include "git/repository.h"

namespace trailgate::git {

class DateOrderWalk {
 public:
  // A commit as the walk lists it.
  struct Entry {
    std::string id;
    std::int64_t time = 0;  // committer date, in seconds
    // The commit object's bytes, or empty when the graph gave the parents and the date.
    std::string raw;
    // The parents the graph gave (to check against the object when it is read); empty when
    // `raw` was read.
    std::vector<std::string> graph_parents;
  };

  // Walks `repo`, with `graph` (may be null; when not, it must outlive the walk) for the commits
  // it covers. The walk keeps no reference to `repo` beyond its lifetime either.
  DateOrderWalk(const Repository& repo, const CommitGraph* graph);

  // Starts the next target at `tip`. Commits listed or marked before are not listed again, and
  // neither are those still pending from the previous target: they stay reached (the reader
  // that stopped early, see sole_pending(), marks what it lists instead). Throws GitError when
  // the tip cannot be read.
  void start(const std::string& tip);
  // Lists the next commit of the current target and reaches its parents, or nullopt when none
  // is left. Throws GitError when a commit cannot be read or the graph is damaged.
  std::optional<Entry> next();
  // Commits reached and not yet listed in the current target.
  std::size_t pending() const { return queue_.size(); }
  // When exactly one commit is pending and it is not the tip of the current target: its id
  // (valid until the next call that changes the walk). Otherwise nullopt. All that is left of the
  // target's history is then that commit's: a reader holding a listing of it may use that
  // instead of continuing.
  std::optional<std::string_view> sole_pending() const;

  // True when `id` was reached by this walk (in any target) or marked.
  bool reached(const std::string& id) const;
  // Counts `id` as reached, so that no later target lists it: for commits the reader lists
  // from elsewhere.
  void mark(const std::string& id);

 private:
  struct Node {
    std::int64_t time = 0;
    std::uint64_t seq = 0;  // order of reaching within the target; ties as git breaks them
    std::string id;
    std::string raw;                   // read from the object database when not in the graph
    std::vector<std::string> parents;  // hex ids, when not in the graph
    std::int64_t pos = -1;             // position in the commit-graph, or -1
  };
  struct NewerFirst {
    bool operator()(const Node& a, const Node& b) const {
      return a.time != b.time ? a.time < b.time : a.seq > b.seq;
    }
  };

  bool first_reach(const std::string& id, std::int64_t pos);
  void reach(const std::string& id);
  void reach_pos(std::uint32_t pos);

  const Repository& repo_;
  const CommitGraph* graph_;
  std::vector<bool> seen_pos_;            // reached, by graph position
  std::unordered_set<std::string> seen_;  // reached and not in the graph, or marked
  std::priority_queue<Node, std::vector<Node>, NewerFirst> queue_;
  std::uint64_t reached_ = 0;  // commits reached in the current target
  std::vector<std::uint32_t> parent_pos_;
};

}  // namespace trailgate::git
