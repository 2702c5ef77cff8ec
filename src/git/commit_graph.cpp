#include "git/commit_graph.h"

#include <unistd.h>

#include <fmt/format.h>

#include <cstring>
#include <fstream>

#include "git/libgit2.h"

namespace trailgate::git {

namespace {

constexpr std::uint32_t chunk_id(const char (&s)[5]) {
  return (std::uint32_t{static_cast<unsigned char>(s[0])} << 24) |
         (std::uint32_t{static_cast<unsigned char>(s[1])} << 16) |
         (std::uint32_t{static_cast<unsigned char>(s[2])} << 8) |
         std::uint32_t{static_cast<unsigned char>(s[3])};
}

[[noreturn]] void bad_graph(const char* what) {
  throw GitError(fmt::format("the commit-graph is damaged ({}); rewrite it with `git "
                             "commit-graph write --reachable` or delete it",
                             what),
                 GitError::Kind::invalid);
}

}  // namespace

std::unique_ptr<CommitGraph> CommitGraph::open(const std::string& objects_dir) {
  std::unique_ptr<CommitGraph> graph(new CommitGraph());
  std::string single = objects_dir + "/info/commit-graph";
  if (::access(single.c_str(), R_OK) == 0)
    return graph->add_layer(single) ? std::move(graph) : nullptr;
  std::ifstream chain(objects_dir + "/info/commit-graphs/commit-graph-chain");
  std::string line;
  bool any = false;
  while (std::getline(chain, line)) {
    if (line.size() != GIT_OID_HEXSZ ||
        !graph->add_layer(objects_dir + "/info/commit-graphs/graph-" + line + ".graph"))
      return nullptr;
    any = true;
  }
  return any ? std::move(graph) : nullptr;
}

CommitGraph::~CommitGraph() = default;

bool CommitGraph::add_layer(const std::string& path) {
  Layer l;
  if (!l.file.map(path, 8 + 12 + GIT_OID_RAWSZ))
    return false;
  layers_.push_back(std::move(l));
  Layer& layer = layers_.back();
  const unsigned char* p = layer.file.data();
  const std::size_t size = layer.file.size();
  // "CGPH", version 1, hash version 1 (SHA-1), chunk count, base graph count.
  if (std::memcmp(p, "CGPH", 4) != 0 || p[4] != 1 || p[5] != 1 || p[7] != layers_.size() - 1)
    return false;
  const std::size_t chunks = p[6];
  if (8 + (chunks + 1) * 12 > size - GIT_OID_RAWSZ)
    return false;
  std::uint64_t fanout_size = 0, ids_size = 0, data_size = 0, edges_size = 0;
  for (std::size_t i = 0; i < chunks; ++i) {
    const unsigned char* entry = p + 8 + i * 12;
    std::uint64_t start = be64(entry + 4), end = be64(entry + 12 + 4);
    if (start > end || end > size - GIT_OID_RAWSZ)
      return false;
    const unsigned char* at = p + start;
    switch (be32(entry)) {
      case chunk_id("OIDF"):
        layer.index.fanout = at;
        fanout_size = end - start;
        break;
      case chunk_id("OIDL"):
        layer.index.ids = at;
        ids_size = end - start;
        break;
      case chunk_id("CDAT"):
        layer.data = at;
        data_size = end - start;
        break;
      case chunk_id("EDGE"):
        layer.edges = at;
        edges_size = end - start;
        break;
      default:
        break;  // generation data, Bloom filters, base graph list: not needed to walk
    }
  }
  if (!layer.index.fanout || !layer.index.ids || !layer.data || fanout_size != 256 * 4 ||
      !layer.index.ordered())
    return false;
  layer.count = layer.index.count();
  if (ids_size != std::uint64_t{layer.count} * GIT_OID_RAWSZ ||
      data_size != std::uint64_t{layer.count} * (GIT_OID_RAWSZ + 16) || edges_size % 4 != 0 ||
      std::uint64_t{total_} + layer.count > 0x70000000u)
    return false;
  layer.edge_count = edges_size / 4;
  layer.first = total_;
  total_ += layer.count;
  return true;
}

const CommitGraph::Layer& CommitGraph::layer_of(std::uint32_t pos) const {
  for (const auto& l : layers_)
    if (pos < l.first + l.count)
      return l;
  bad_graph("a position beyond the graph");
}

std::optional<std::uint32_t> CommitGraph::find(std::string_view id) const {
  git_oid oid;
  if (id.size() != GIT_OID_HEXSZ || git_oid_fromstrn(&oid, id.data(), id.size()) < 0)
    return std::nullopt;
  for (const auto& l : layers_) {
    std::uint32_t pos = 0;
    if (l.index.find(oid.id, pos))
      return l.first + pos;
  }
  return std::nullopt;
}

std::string CommitGraph::id(std::uint32_t pos) const {
  const Layer& l = layer_of(pos);
  git_oid oid;
  git_oid_fromraw(&oid, l.index.id_at(pos - l.first));
  return to_hex(&oid);
}

std::int64_t CommitGraph::commit_time(std::uint32_t pos) const {
  const Layer& l = layer_of(pos);
  const unsigned char* d = l.data + std::size_t{pos - l.first} * (GIT_OID_RAWSZ + 16);
  return static_cast<std::int64_t>((std::uint64_t{be32(d + 28) & 3} << 32) | be32(d + 32));
}

void CommitGraph::parents(std::uint32_t pos, std::vector<std::uint32_t>& out) const {
  constexpr std::uint32_t kNone = 0x70000000u, kExtra = 0x80000000u;
  const Layer& l = layer_of(pos);
  const unsigned char* d = l.data + std::size_t{pos - l.first} * (GIT_OID_RAWSZ + 16);
  auto add = [&](std::uint32_t parent) {
    if (parent >= total_)
      bad_graph("a parent beyond the graph");
    out.push_back(parent);
  };
  std::uint32_t p1 = be32(d + 20), p2 = be32(d + 24);
  if (p1 == kNone)
    return;
  add(p1);
  if (p2 == kNone)
    return;
  if (!(p2 & kExtra)) {
    add(p2);
    return;
  }
  for (std::size_t e = p2 & ~kExtra;; ++e) {
    if (!l.edges || e >= l.edge_count)
      bad_graph("an octopus merge's parents beyond its edge list");
    std::uint32_t v = be32(l.edges + e * 4);
    add(v & ~kExtra);
    if (v & kExtra)
      return;
  }
}

}  // namespace trailgate::git
