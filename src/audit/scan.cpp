// The parallel scan. One producer walks each target's history, reading every commit object
// once (it needs the parents and the committer date to walk) and handing the bytes on in
// batches; workers (each with its own repository handle, since libgit2 handles are not
// thread-safe) judge them; the calling thread hands records to the sink in walk order and
// appends new ones to the cache. At most a fixed window of batches is in flight, so memory does
// not grow with the history.
//
// A rerun stops walking where a cached walk of the same rule begins: when the newest commit
// left to list is the tip of a cached walk, nothing else is left, and every commit listed so
// far is newer than everything in that walk, the rest of the walk is exactly the cached one,
// and the calling thread copies it from the cache.
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <exception>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "audit/audit.h"
#include "audit/cache.h"
#include "git/commit_graph.h"
#include "git/date_walk.h"
#include "git/repository.h"
#include "git/tree_changes.h"
#include "pipeline/blast_radius.h"
#include "pipeline/pipeline.h"

namespace trailgate::audit {

const AuditRecord& RecordView::record() const {
  if (fresh)
    return *fresh;
  if (!parsed) {
    AuditRecord r;
    r.evaluation.id = id;
    r.evaluation.ref = std::string(ref);
    if (!deserialize_record(cached_bin, r))
      throw std::runtime_error(
          fmt::format("the audit cache has a damaged record for commit {}; delete the cache "
                      "(<git dir>/trailgate/audit-cache) and run the audit again",
                      id));
    parsed = std::move(r);
  }
  return *parsed;
}

namespace {

constexpr std::size_t kBatchSize = 256;
// New cache records kept before appending them as a block. A rerun reads each block it copies
// whole, checks it and writes it out: at 1 MiB a block does that while it is still in the
// processor's caches, where 8 MiB blocks made the rerun stream every byte through memory three
// times (a third slower).
constexpr std::size_t kBlockBytes = 1 << 20;

struct Item {
  std::string id;
  bool lookup = false;  // worth looking up in the cache (not newer than everything there)
  std::string raw;      // the commit object's bytes; empty when the walk took it from the graph
  std::vector<std::string> graph_parents;  // the parents the graph gave, to check against it
};

// One record ready for the sink and the cache.
struct Output {
  CachedMeta meta;
  std::string json;  // without the ref's value; see meta.ref_at
  std::string bin;   // serialize_record's form
  std::string rendered;
  std::unique_ptr<AuditRecord> record;     // a freshly judged one
  std::optional<RecordLocation> location;  // a reused one's place in the cache
};

struct Batch {
  std::size_t seq = 0;
  std::size_t target = 0;
  std::vector<Item> items;
  std::vector<Output> outputs;
  const Segment* segment = nullptr;  // a cached walk to copy instead of items
  bool target_end = false;           // the last batch of its target
  std::int64_t hits = 0;
  std::int64_t evaluated = 0;
};

struct Shared {
  std::mutex mu;
  std::condition_variable work_ready;   // producer -> workers
  std::condition_variable done_ready;   // workers -> writer
  std::condition_variable space_ready;  // writer -> producer
  std::deque<Batch*> pending;
  std::map<std::size_t, std::unique_ptr<Batch>> done;
  std::size_t produced = 0;  // batches made
  std::size_t emitted = 0;   // batches handed to the sink
  bool walk_finished = false;
  bool aborted = false;
  std::exception_ptr error;

  void fail(std::exception_ptr e) {
    std::lock_guard lock(mu);
    if (!error)
      error = e;
    aborted = true;
    work_ready.notify_all();
    done_ready.notify_all();
    space_ready.notify_all();
  }
};

class Progress {
 public:
  explicit Progress(bool on) : on_(on), start_(Clock::now()), last_(start_) {}
  void update(std::int64_t done, std::int64_t total, bool final = false) {
    if (!on_)
      return;
    auto now = Clock::now();
    if (!final && now - last_ < std::chrono::milliseconds(200))
      return;
    last_ = now;
    double secs = std::chrono::duration<double>(now - start_).count();
    double rate = secs > 0 ? static_cast<double>(done) / secs : 0;
    std::string eta;
    if (total > 0 && rate > 0 && !final)
      eta = fmt::format(", ETA {:.0f}s",
                        static_cast<double>(std::max<std::int64_t>(0, total - done)) / rate);
    std::string of = total > 0 ? fmt::format("/{}", total) : "";
    std::fprintf(stderr, "\rtrailgate audit: %lld%s commits, %.0f/s%s\033[K%s",
                 static_cast<long long>(done), of.c_str(), rate, eta.c_str(), final ? "\n" : "");
    std::fflush(stderr);
  }

 private:
  using Clock = std::chrono::steady_clock;
  bool on_;
  Clock::time_point start_, last_;
};

bool segment_usable(const Segment& s, const std::vector<std::int64_t>& boundaries,
                    std::int64_t now) {
  return time_stable(boundaries, s.min_judged_at, now) &&
         time_stable(boundaries, s.max_judged_at, now);
}

}  // namespace

ScanStats scan(const std::string& repo_path, const Policy& policy, const detect::MarkerSet& markers,
               const std::vector<ScanTarget>& targets, const std::string& baseline,
               const ScanOptions& options, const RecordSink& sink) {
  ScanStats stats;
  const bool signatures = policy.review.verification == Verification::signature;
  const std::vector<std::int64_t> boundaries = verdict_time_boundaries(policy);

  std::unique_ptr<AuditCache> cache;
  if (!options.cache_dir.empty())
    cache = std::make_unique<AuditCache>(options.cache_dir, options.cache_fingerprint);

  // Everything reachable from the baseline commit is grandfathered; one walk decides it, made
  // only if some commit has to be judged afresh.
  std::once_flag grandfathered_once;
  std::unordered_set<std::string> grandfathered;
  auto is_grandfathered = [&](const std::string& id) {
    if (baseline.empty())
      return false;
    std::call_once(grandfathered_once, [&] {
      git::Repository repo = git::Repository::open_for_scan(repo_path);
      git::Walk walk = repo.walk({baseline}, {});
      while (auto next = walk.next())
        grandfathered.insert(std::move(*next));
    });
    return grandfathered.count(id) != 0;
  };

  unsigned workers = options.threads ? options.threads : std::thread::hardware_concurrency();
  workers = std::max(1u, std::min(workers, 64u));
  const std::size_t window = std::size_t{workers} * 4;

  Shared shared;

  auto producer = [&] {
    try {
      git::Repository repo = git::Repository::open_for_scan(repo_path);
      // With a commit-graph the walk reads no objects; the workers read each commit once.
      std::unique_ptr<git::CommitGraph> graph = git::CommitGraph::open(repo.objects_dir());
      // Without a graph this thread reads every commit before the workers can start on it.
      if (!graph && options.progress)
        std::fprintf(stderr,
                     "trailgate audit: %s has no commit-graph; `git commit-graph write "
                     "--reachable` there makes audits faster\n",
                     repo.objects_dir().c_str());
      git::DateOrderWalk history(repo, graph.get());
      std::vector<std::string> earlier;  // the tips of the targets before
      std::size_t seq = 0;
      auto batch = std::make_unique<Batch>();
      auto publish = [&]() {
        std::unique_lock lock(shared.mu);
        shared.space_ready.wait(
            lock, [&] { return shared.aborted || shared.produced - shared.emitted < window; });
        if (shared.aborted)
          return false;
        std::size_t target = batch->target;
        batch->seq = seq++;
        shared.pending.push_back(batch.release());
        ++shared.produced;
        shared.work_ready.notify_one();
        batch = std::make_unique<Batch>();
        batch->target = target;
        return true;
      };
      // Copies a cached walk; later targets must skip its commits.
      auto use_segment = [&](const Segment& s, bool more_targets) {
        if (more_targets) {
          bool ok = cache->for_each(s, CachePart::meta,
                                    [&](const CachedRecord& r) { history.mark(r.meta.id_hex()); });
          if (!ok)
            return false;
        }
        if (!batch->items.empty() && !publish())
          return false;
        batch->segment = &s;
        return true;
      };
      for (std::size_t t = 0; t < targets.size(); ++t) {
        const ScanTarget& target = targets[t];
        const bool more = t + 1 < targets.size();
        const std::uint64_t context = context_of(earlier);
        batch->target = t;
        auto cached = [&](const std::string& id) -> const Segment* {
          if (!cache || target.rule_index < 0 || !cache->has_segment_tip(id))
            return nullptr;
          const Segment* s = cache->segment(id, target.rule_index, context);
          return s && segment_usable(*s, boundaries, options.now) ? s : nullptr;
        };
        std::int64_t oldest_listed = std::numeric_limits<std::int64_t>::max();
        bool copied = false;
        if (const Segment* s = cached(target.tip); s && !history.reached(target.tip)) {
          if (!use_segment(*s, more))
            return;
          copied = true;
        } else {
          history.start(target.tip);
        }
        while (!copied) {
          // What is left is one commit's history, which a cached walk may hold already.
          if (auto sole = history.sole_pending())
            if (const Segment* s = cached(std::string(*sole));
                s && oldest_listed > s->max_commit_time) {
              if (!use_segment(*s, more))
                return;
              break;
            }
          std::optional<git::DateOrderWalk::Entry> entry = history.next();
          if (!entry)
            break;
          oldest_listed = std::min(oldest_listed, entry->time);
          batch->items.push_back(Item{std::move(entry->id),
                                      cache && entry->time <= cache->max_commit_time(),
                                      std::move(entry->raw), std::move(entry->graph_parents)});
          if (batch->items.size() == kBatchSize && !publish())
            return;
        }
        batch->target_end = true;
        if (!publish())
          return;
        earlier.push_back(target.tip);
      }
      std::lock_guard lock(shared.mu);
      shared.walk_finished = true;
      shared.done_ready.notify_all();
      shared.work_ready.notify_all();
    } catch (...) {
      shared.fail(std::current_exception());
    }
  };

  using TreeIds = std::unordered_map<std::string_view, std::string_view>;
  // Lines changed by `commit` against its first parent, whose tree id `trees` may already know.
  auto lines_of = [](git::Repository& repo, const CommitInfo& commit, const TreeIds& trees) {
    std::string parent_tree;
    if (!commit.parent_ids.empty()) {
      auto it = trees.find(commit.parent_ids.front());
      parent_tree = it != trees.end() ? std::string(it->second)
                                      : repo.commit_tree_id(commit.parent_ids.front());
    }
    try {
      return repo.lines_changed_between(parent_tree, commit.tree_id);
    } catch (const git::TreeTooDeep&) {
      return -1;  // not counted ("?"); the hook rejects such a commit as malformed-commit
    }
  };
  // A cached record reused for a report that counts lines, cached by one that did not.
  auto needs_lines = [&](const CachedMeta& meta) {
    return options.lines_changed && meta.lines_changed < 0 &&
           (meta.flags & CachedMeta::kAiAssisted) && (meta.flags & CachedMeta::kViolation);
  };
  auto add_lines = [&](git::Repository& repo, Output& out, const CommitInfo& commit,
                       const TreeIds& trees) {
    AuditRecord record;
    record.evaluation.id = commit.id;
    if (!deserialize_record(out.bin, record))
      return;  // RecordView::record() reports it
    record.lines_changed = lines_of(repo, commit, trees);
    out.meta.lines_changed = record.lines_changed;
    out.bin.clear();
    serialize_record(record, out.bin);
    out.meta.bin_size = static_cast<std::uint32_t>(out.bin.size());
  };

  auto judge = [&](git::Repository& repo, git::FileCounter& file_counter,
                   const detect::MarkerSet& worker_markers, CacheReader* reader, Batch& b) {
    const ScanTarget& target = targets[b.target];
    // Parents listed in the same batch (the common case: a batch is a stretch of history)
    // give their tree ids without another read.
    TreeIds trees;
    std::vector<CommitInfo> commits(b.items.size());
    b.outputs.resize(b.items.size());
    std::vector<bool> reused(b.items.size(), false);
    for (std::size_t i = 0; i < b.items.size(); ++i) {
      const Item& item = b.items[i];
      Output& out = b.outputs[i];
      if (reader && item.lookup && target.rule_index >= 0) {
        if (auto location = cache->find(item.id)) {
          CachedRecord r;
          if (reader->read(*location, r) && r.meta.rule_index == target.rule_index &&
              time_stable(boundaries, r.meta.judged_at, options.now)) {
            out.meta = r.meta;
            out.json = r.json;
            out.bin = r.bin;
            out.location = location;
            reused[i] = true;
            ++b.hits;
            if (needs_lines(out.meta))
              add_lines(
                  repo, out,
                  git::parse_commit_object(
                      item.id, item.raw.empty() ? repo.read_commit_object(item.id) : item.raw),
                  trees);
            continue;
          }
        }
      }
      commits[i] = item.raw.empty() ? repo.read_commit_raw(item.id)
                                    : git::parse_commit_object(item.id, item.raw);
      if (item.raw.empty() && commits[i].parent_ids != item.graph_parents)
        throw git::GitError(
            fmt::format("the commit-graph disagrees with commit {} about its parents; rewrite it "
                        "with `git commit-graph write --reachable` or delete it",
                        item.id));
      trees.emplace(commits[i].id, commits[i].tree_id);
    }
    std::string scratch;
    for (std::size_t i = 0; i < b.items.size(); ++i) {
      if (reused[i])
        continue;
      CommitInfo& commit = commits[i];
      Output& out = b.outputs[i];
      if (signatures)
        for (const auto& parent : commit.parent_ids) {
          auto it = trees.find(parent);
          commit.parent_tree_ids.push_back(it != trees.end() ? std::string(it->second)
                                                             : repo.commit_tree_id(parent));
        }
      // The hook's evaluation, with what the repository's records say about the commit; what it
      // changes is read only when a blast-radius rule could change its verdict.
      std::optional<git::ChangeSet> changes;
      auto change_source = [&]() -> const git::ChangeSet& {
        if (!changes) {
          // The trees are known from the walk: the commit's own, and its first parent's when
          // the batch holds the parent (the common case) or the signature check read it.
          std::string parent, parent_tree;
          if (!commit.parent_ids.empty()) {
            parent = commit.parent_ids.front();
            auto known = trees.find(parent);
            parent_tree = known != trees.end()              ? std::string(known->second)
                          : !commit.parent_tree_ids.empty() ? commit.parent_tree_ids.front()
                                                            : repo.commit_tree_id(parent);
          }
          changes = git::first_parent_changes(repo, commit.id, commit.tree_id, parent, parent_tree,
                                              file_counter, counted_share(target.rule->blast));
        }
        return *changes;
      };
      EvaluationContext context;
      context.in_baseline = is_grandfathered(commit.id);
      context.skip_needless_changes = true;
      if (options.review_notes)
        context.late_reviews = [&](const std::string& min_level) {
          auto note = options.review_notes->find(commit.id);
          return judge_review_note(repo, commit,
                                   note == options.review_notes->end()
                                       ? std::nullopt
                                       : std::optional<std::string>(note->second),
                                   policy, min_level, options.now);
        };
      context.break_glass = options.break_glass && options.break_glass->count(commit.id);
      CommitEvaluation eval = evaluate_commit(commit, target.ref, *target.rule, policy,
                                              worker_markers, options.now, change_source, context);
      // Lines changed need the commit's trees, so count them before its fields move away.
      int lines = -1;
      if (options.lines_changed && eval.ai_assisted() && is_violation(eval.verdict))
        lines = lines_of(repo, commit, trees);
      auto record = std::make_unique<AuditRecord>(make_record(std::move(eval), target.ref));
      record->lines_changed = lines;
      ++b.evaluated;
      CachedMeta& meta = out.meta;
      raw_id(record->evaluation.id, meta.id);  // parsed from 40 hex digits, so it cannot fail
      meta.author_time = record->evaluation.author.time;
      meta.committer_time = record->evaluation.committer.time;
      meta.judged_at = options.now;
      meta.rule_index = target.rule_index;
      meta.lines_changed = record->lines_changed;
      meta.flags = static_cast<std::uint8_t>((record->ai_assisted() ? CachedMeta::kAiAssisted : 0) |
                                             (record->violation() ? CachedMeta::kViolation : 0));
      std::size_t ref_at = 0;
      out.json.reserve(1024);  // most records fit: one allocation instead of a growing string
      options.render_json(*record, out.json, ref_at);
      meta.ref_at = static_cast<std::uint32_t>(ref_at);
      meta.json_size = static_cast<std::uint32_t>(out.json.size());
      if (cache) {
        serialize_record(*record, out.bin);
        meta.bin_size = static_cast<std::uint32_t>(out.bin.size());
      }
      if (options.render)
        options.render(*record, out.rendered);
      // Freed here rather than on the writer's thread when the sink will not look at it.
      if (options.sink_needs_records)
        out.record = std::move(record);
    }
    b.items.clear();
    b.items.shrink_to_fit();
  };

  auto worker = [&] {
    try {
      git::Repository repo = git::Repository::open_for_scan(repo_path);
      git::FileCounter file_counter;  // consecutive commits share subtrees
      // The workers' own copy of the markers: RE2 guards each compiled pattern's cache with a
      // lock, and two threads matching the same patterns take turns on it.
      const detect::MarkerSet own_markers(markers.specs());
      std::unique_ptr<CacheReader> reader;
      if (cache)
        reader = std::make_unique<CacheReader>(*cache);
      for (;;) {
        std::unique_ptr<Batch> b;
        {
          std::unique_lock lock(shared.mu);
          shared.work_ready.wait(lock, [&] {
            return shared.aborted || !shared.pending.empty() || shared.walk_finished;
          });
          if (shared.aborted || shared.pending.empty())
            return;
          b.reset(shared.pending.front());
          shared.pending.pop_front();
        }
        judge(repo, file_counter, own_markers, reader.get(), *b);
        std::lock_guard lock(shared.mu);
        std::size_t seq = b->seq;
        shared.done.emplace(seq, std::move(b));
        shared.done_ready.notify_all();
      }
    } catch (...) {
      shared.fail(std::current_exception());
    }
  };

  // Only for the progress line: the number of commits to expect, from a cheap second walk.
  std::atomic<std::int64_t> total{0};
  std::atomic<bool> stop_counting{false};
  auto counter = [&] {
    try {
      git::Repository repo = git::Repository::open_for_scan(repo_path);
      std::vector<std::string> earlier;
      std::int64_t n = 0;
      for (const auto& target : targets) {
        git::Walk walk = repo.walk({target.tip}, earlier);
        while (!stop_counting && walk.next())
          ++n;
        earlier.push_back(target.tip);
      }
      if (!stop_counting)
        total = n;
    } catch (...) {
      // The progress line goes without an ETA.
    }
  };

  std::vector<std::thread> threads;
  threads.emplace_back(producer);
  for (unsigned i = 0; i < workers; ++i)
    threads.emplace_back(worker);
  if (options.progress)
    threads.emplace_back(counter);

  // --- the calling thread: records to the sink in walk order, new ones to the cache ---------
  Progress progress(options.progress);
  bool cache_writable = static_cast<bool>(cache);
  BlockBuilder block;
  constexpr std::uint64_t kPending = ~std::uint64_t{0};  // the block being built
  Segment walk;  // the current target's records, for the cache
  bool walk_complete = true;
  auto add_extent = [&](std::uint64_t at, std::uint32_t index, std::uint32_t count) {
    if (!walk.extents.empty()) {
      Segment::Extent& last = walk.extents.back();
      if (last.block == at && last.first + last.count == index) {
        last.count += count;
        return;
      }
    }
    walk.extents.push_back({at, index, count});
  };
  auto flush_block = [&] {
    if (block.count() == 0)
      return;
    std::optional<std::uint64_t> at =
        cache_writable ? cache->append_block(block.finish()) : std::nullopt;
    if (at) {
      stats.cache_written = true;
      for (auto& e : walk.extents)
        if (e.block == kPending)
          e.block = *at;
    } else {
      cache_writable = false;
    }
    block.clear();
  };
  auto note = [&](const CachedMeta& meta) {
    walk.max_commit_time =
        walk.count == 0 ? meta.committer_time : std::max(walk.max_commit_time, meta.committer_time);
    walk.min_judged_at =
        walk.count == 0 ? meta.judged_at : std::min(walk.min_judged_at, meta.judged_at);
    walk.max_judged_at =
        walk.count == 0 ? meta.judged_at : std::max(walk.max_judged_at, meta.judged_at);
    ++walk.count;
  };
  auto in_range = [&](std::int64_t author_time) {
    return !(options.since && author_time < *options.since) &&
           !(options.until && author_time >= *options.until);
  };
  std::optional<git::Repository> writer_repo;
  std::size_t current_target = 0;
  try {
    for (;;) {
      std::unique_ptr<Batch> b;
      {
        std::unique_lock lock(shared.mu);
        shared.done_ready.wait(lock, [&] {
          return shared.aborted || shared.done.count(shared.emitted) ||
                 (shared.walk_finished && shared.emitted == shared.produced);
        });
        if (shared.aborted)
          break;
        auto it = shared.done.find(shared.emitted);
        if (it == shared.done.end())
          break;  // the walk is over and every batch was emitted
        b = std::move(it->second);
        shared.done.erase(it);
      }
      if (b->target != current_target) {
        current_target = b->target;
        walk = Segment{};
        walk_complete = true;
      }
      const ScanTarget& target = targets[b->target];
      RecordView view;
      view.target = b->target;
      view.ref = target.ref;
      for (Output& out : b->outputs) {
        if (out.location) {
          add_extent(out.location->block, out.location->index, 1);
        } else if (cache_writable) {
          add_extent(kPending, static_cast<std::uint32_t>(block.count()), 1);
          block.add(out.meta, out.json, out.bin);
        } else {
          walk_complete = false;
        }
        note(out.meta);
        if (in_range(out.meta.author_time)) {
          if (options.sink_needs_records)
            view.id = out.meta.id_hex();
          view.author_time = out.meta.author_time;
          view.ai_assisted = out.meta.flags & CachedMeta::kAiAssisted;
          view.violation = out.meta.flags & CachedMeta::kViolation;
          std::string_view json(out.json);
          view.json_head = json.substr(0, out.meta.ref_at);
          view.json_tail = json.substr(out.meta.ref_at);
          view.rendered = options.render && out.location == std::nullopt ? &out.rendered : nullptr;
          view.fresh = out.record.get();
          view.cached_bin = out.bin;
          view.parsed.reset();
          sink(view);
        }
      }
      stats.walked += static_cast<std::int64_t>(b->outputs.size());
      stats.cache_hits += b->hits;
      stats.evaluated += b->evaluated;
      if (block.bytes() >= kBlockBytes)
        flush_block();
      if (b->segment) {
        const Segment& s = *b->segment;
        std::int64_t copied = 0;
        auto parts = options.sink_needs_records ? CachePart::all : CachePart::json;
        bool ok = cache->for_each(s, parts, [&](const CachedRecord& r) {
          ++copied;
          if (!in_range(r.meta.author_time))
            return;
          if (options.sink_needs_records)
            view.id = r.meta.id_hex();
          view.author_time = r.meta.author_time;
          view.ai_assisted = r.meta.flags & CachedMeta::kAiAssisted;
          view.violation = r.meta.flags & CachedMeta::kViolation;
          view.json_head = r.json.substr(0, r.meta.ref_at);
          view.json_tail = r.json.substr(r.meta.ref_at);
          view.rendered = nullptr;
          view.fresh = nullptr;
          view.cached_bin = r.bin;
          view.parsed.reset();
          if (needs_lines(r.meta)) {
            // Cached by a report that did not count lines; count them here, one by one.
            if (!writer_repo)
              writer_repo.emplace(git::Repository::open_for_scan(repo_path));
            const AuditRecord& record = view.record();
            CommitInfo commit =
                git::parse_commit_object(view.id, writer_repo->read_commit_object(view.id));
            view.parsed->lines_changed = lines_of(*writer_repo, commit, TreeIds());
            (void)record;
          }
          sink(view);
          progress.update(stats.walked + copied, total);
        });
        if (!ok)
          throw std::runtime_error(
              fmt::format("the audit cache {} is damaged; delete it and run the audit again",
                          cache->records_path()));
        for (const auto& e : s.extents)
          add_extent(e.block, e.first, e.count);
        walk.max_commit_time =
            walk.count == 0 ? s.max_commit_time : std::max(walk.max_commit_time, s.max_commit_time);
        walk.min_judged_at =
            walk.count == 0 ? s.min_judged_at : std::min(walk.min_judged_at, s.min_judged_at);
        walk.max_judged_at =
            walk.count == 0 ? s.max_judged_at : std::max(walk.max_judged_at, s.max_judged_at);
        walk.count += s.count;
        stats.walked += copied;
        stats.cache_hits += copied;
      }
      if (b->target_end) {
        flush_block();
        // Remember this walk, unless it is exactly a cached one or could not all be stored.
        if (cache_writable && walk_complete && walk.count > 0 && target.rule_index >= 0 &&
            !(b->segment && b->outputs.empty() && walk.count == b->segment->count &&
              b->segment->tip == target.tip)) {
          std::vector<std::string> earlier;
          for (std::size_t t = 0; t < b->target; ++t)
            earlier.push_back(targets[t].tip);
          walk.tip = target.tip;
          walk.rule_index = target.rule_index;
          walk.context = context_of(earlier);
          if (cache->append_segment(walk))
            stats.cache_written = true;
        }
      }
      progress.update(stats.walked, total);
      std::lock_guard lock(shared.mu);
      ++shared.emitted;
      shared.space_ready.notify_all();
    }
  } catch (...) {
    shared.fail(std::current_exception());
  }
  stop_counting = true;
  for (auto& t : threads)
    t.join();
  {
    // Batches never emitted (after an error) are owned here.
    std::lock_guard lock(shared.mu);
    for (Batch* b : shared.pending)
      delete b;
    shared.pending.clear();
  }
  if (shared.error)
    std::rethrow_exception(shared.error);
  flush_block();
  progress.update(stats.walked, total, true);
  return stats;
}

}  // namespace trailgate::audit
