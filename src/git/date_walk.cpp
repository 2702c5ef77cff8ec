#include "git/date_walk.h"

#include "git/commit_object.h"

namespace trailgate::git {

DateOrderWalk::DateOrderWalk(const Repository& repo, const CommitGraph* graph)
    : repo_(repo), graph_(graph), seen_pos_(graph ? graph->size() : 0) {}

bool DateOrderWalk::reached(const std::string& id) const {
  if (seen_.count(id))
    return true;
  if (graph_)
    if (auto pos = graph_->find(id))
      return static_cast<bool>(seen_pos_[*pos]);
  return false;
}

void DateOrderWalk::mark(const std::string& id) {
  seen_.insert(id);
}

// Marks `id` (at graph position `pos`, or -1) as reached; false when it already was.
bool DateOrderWalk::first_reach(const std::string& id, std::int64_t pos) {
  if (pos >= 0) {
    if (seen_pos_[static_cast<std::size_t>(pos)])
      return false;
    seen_pos_[static_cast<std::size_t>(pos)] = true;
    // Commits marked by the reader are known by id only.
    return seen_.empty() || !seen_.count(id);
  }
  return seen_.insert(id).second;
}

void DateOrderWalk::reach_pos(std::uint32_t pos) {
  std::string id = graph_->id(pos);
  if (!first_reach(id, pos))
    return;
  Node node;
  node.id = std::move(id);
  node.pos = pos;
  node.time = graph_->commit_time(pos);
  node.seq = reached_++;
  queue_.push(std::move(node));
}

void DateOrderWalk::reach(const std::string& id) {
  if (graph_)
    if (auto pos = graph_->find(id))
      return reach_pos(*pos);
  if (!first_reach(id, -1))
    return;
  Node node;
  node.id = id;
  node.raw = repo_.read_commit_object(id);
  CommitLinks links = parse_commit_links(id, node.raw);
  node.time = links.committer_time;
  node.parents = std::move(links.parent_ids);
  node.seq = reached_++;
  queue_.push(std::move(node));
}

void DateOrderWalk::start(const std::string& tip) {
  queue_ = {};
  reached_ = 0;
  reach(tip);
}

std::optional<std::string_view> DateOrderWalk::sole_pending() const {
  if (queue_.size() != 1 || queue_.top().seq == 0)
    return std::nullopt;
  return std::string_view(queue_.top().id);
}

std::optional<DateOrderWalk::Entry> DateOrderWalk::next() {
  if (queue_.empty())
    return std::nullopt;
  // The top is moved out and popped at once; the queue's order does not look at moved fields.
  Node node = std::move(const_cast<Node&>(queue_.top()));
  queue_.pop();
  Entry entry{std::move(node.id), node.time, std::move(node.raw), {}};
  if (node.pos >= 0) {
    parent_pos_.clear();
    graph_->parents(static_cast<std::uint32_t>(node.pos), parent_pos_);
    for (std::uint32_t p : parent_pos_) {
      entry.graph_parents.push_back(graph_->id(p));
      reach_pos(p);
    }
  } else {
    for (const auto& parent : node.parents)
      reach(parent);
  }
  return entry;
}

}  // namespace trailgate::git
