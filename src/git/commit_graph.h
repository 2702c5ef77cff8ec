// git's commit-graph file, read directly: for each commit it covers, its parents and committer
// date, so that a walk over a whole history (git/date_walk.h) needs no object reads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "git/id_index.h"

namespace trailgate::git {

// The commit-graph of a repository (objects/info/commit-graph, or the chain of files listed in
// objects/info/commit-graphs/commit-graph-chain), as git writes it: for each commit it covers,
// its parents and committer date, so that a walk needs no object reads. libgit2 1.5 does not
// read the graphs git 2.39 writes (it refuses their generation-data chunk), hence this reader.
// Only SHA-1 graphs are read. It trusts the file as git does; a scan checks each entry against
// the commit object it reads anyway.
class CommitGraph {
 public:
  // The graph in `objects_dir`, or null when there is none or it cannot be used (another
  // format version or hash, missing or inconsistent chunks): walk from the objects then.
  static std::unique_ptr<CommitGraph> open(const std::string& objects_dir);
  ~CommitGraph();
  CommitGraph(const CommitGraph&) = delete;
  CommitGraph& operator=(const CommitGraph&) = delete;

  std::uint32_t size() const { return total_; }
  // The position of commit `id` (full hex), or nullopt when the graph does not cover it.
  std::optional<std::uint32_t> find(std::string_view id) const;
  // The id (full hex) of the commit at `pos`. REQUIRES: pos < size().
  std::string id(std::uint32_t pos) const;
  // The committer date of the commit at `pos`, in seconds. REQUIRES: pos < size().
  std::int64_t commit_time(std::uint32_t pos) const;
  // Appends the positions of the parents of the commit at `pos`, in order. Throws GitError
  // when the entry is malformed. REQUIRES: pos < size().
  void parents(std::uint32_t pos, std::vector<std::uint32_t>& out) const;

 private:
  struct Layer {
    MappedFile file;
    IdIndex index;
    const unsigned char* data = nullptr;
    const unsigned char* edges = nullptr;
    std::size_t edge_count = 0;
    std::uint32_t count = 0;
    std::uint32_t first = 0;  // position of its first commit in the whole chain
  };
  CommitGraph() = default;
  bool add_layer(const std::string& path);
  const Layer& layer_of(std::uint32_t pos) const;
  std::vector<Layer> layers_;
  std::uint32_t total_ = 0;
};

}  // namespace trailgate::git
