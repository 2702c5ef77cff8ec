// The parallel scan: one producer walks commit ids in batches, workers (each with its own
// repository handle, since libgit2 handles are not thread-safe) read and judge them, and the
// calling thread hands records to the sink in walk order. At most a fixed window of batches is
// in flight, so memory does not grow with the history.
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_set>

#include "audit/audit.h"
#include "audit/cache.h"
#include "git/repository.h"

namespace trailgate::audit {

namespace {

constexpr std::size_t kBatchSize = 256;
constexpr std::size_t kFlushBytes = 8 << 20;  // cache frames kept before appending

struct Batch {
  std::size_t seq = 0;
  std::vector<std::pair<std::string, int>> items;  // commit id, target index
  std::vector<AuditRecord> records;
  std::vector<std::string> rendered;
  std::string frames;  // new cache entries
  std::int64_t hits = 0;
  std::int64_t evaluated = 0;
};

// A set of commit ids (hex).
class IdSet {
 public:
  void insert(const std::string& hex) { set_.insert(hex); }
  bool contains(const std::string& hex) const { return set_.count(hex) != 0; }
  bool empty() const { return set_.empty(); }

 private:
  std::unordered_set<std::string> set_;
};

struct Shared {
  std::mutex mu;
  std::condition_variable work_ready;   // producer -> workers
  std::condition_variable done_ready;   // workers -> writer
  std::condition_variable space_ready;  // writer -> producer
  std::deque<std::unique_ptr<Batch>> pending;
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

bool time_stable(const std::vector<std::int64_t>& boundaries, std::int64_t from, std::int64_t to) {
  // Does any boundary b satisfy from < b <= to (either direction of travel)?
  std::int64_t lo = std::min(from, to), hi = std::max(from, to);
  auto it = std::upper_bound(boundaries.begin(), boundaries.end(), lo);
  return it == boundaries.end() || *it > hi;
}

}  // namespace

ScanStats scan(const std::string& repo_path, const Policy& policy, const detect::MarkerSet& markers,
               const std::vector<ScanTarget>& targets, const std::string& baseline,
               const ScanOptions& options, const RecordSink& sink) {
  ScanStats stats;
  const git::ParentTrees parent_trees = policy.review.verification == Verification::signature
                                            ? git::ParentTrees::read
                                            : git::ParentTrees::skip;
  const std::vector<std::int64_t> boundaries = verdict_time_boundaries(policy);

  // Everything reachable from the baseline commit is grandfathered; one walk decides it.
  IdSet grandfathered;
  if (!baseline.empty()) {
    git::Repository repo = git::Repository::open_for_scan(repo_path);
    git::Walk walk = repo.walk({baseline}, {});
    while (auto id = walk.next())
      grandfathered.insert(*id);
  }

  std::unique_ptr<AuditCache> cache;
  if (!options.cache_file.empty())
    cache = std::make_unique<AuditCache>(options.cache_file, options.cache_fingerprint);

  unsigned workers = options.threads ? options.threads : std::thread::hardware_concurrency();
  workers = std::max(1u, std::min(workers, 64u));
  const std::size_t window = std::size_t{workers} * 4;

  Shared shared;
  std::atomic<std::int64_t> total{0};

  auto producer = [&] {
    try {
      git::Repository repo = git::Repository::open_for_scan(repo_path);
      std::vector<std::string> earlier;
      std::size_t seq = 0;
      auto batch = std::make_unique<Batch>();
      auto publish = [&] {
        std::unique_lock lock(shared.mu);
        shared.space_ready.wait(
            lock, [&] { return shared.aborted || shared.produced - shared.emitted < window; });
        if (shared.aborted)
          return false;
        batch->seq = seq++;
        shared.pending.push_back(std::move(batch));
        ++shared.produced;
        shared.work_ready.notify_one();
        batch = std::make_unique<Batch>();
        return true;
      };
      for (std::size_t t = 0; t < targets.size(); ++t) {
        git::Walk walk = repo.walk({targets[t].tip}, earlier);
        while (auto id = walk.next()) {
          batch->items.emplace_back(std::move(*id), static_cast<int>(t));
          if (batch->items.size() == kBatchSize && !publish())
            return;
        }
        earlier.push_back(targets[t].tip);
      }
      if (!batch->items.empty() && !publish())
        return;
      std::lock_guard lock(shared.mu);
      shared.walk_finished = true;
      shared.done_ready.notify_all();
      shared.work_ready.notify_all();
    } catch (...) {
      shared.fail(std::current_exception());
    }
  };

  auto judge = [&](git::Repository& repo, Batch& b) {
    std::string payload;
    for (const auto& [id, t] : b.items) {
      const ScanTarget& target = targets[static_cast<std::size_t>(t)];
      AuditRecord record;
      bool hit = false;
      if (cache) {
        if (auto cached = cache->find(id)) {
          int rule_index = 0;
          std::int64_t judged_at = 0;
          hit = deserialize_record(*cached, record, rule_index, judged_at) && record.id == id &&
                rule_index == target.rule_index && target.rule_index >= 0 &&
                time_stable(boundaries, judged_at, options.now);
        }
      }
      if (hit) {
        ++b.hits;
      } else {
        CommitInfo commit = repo.read_commit(id, parent_trees);
        CommitEvaluation eval =
            evaluate_commit(commit, target.ref, *target.rule, policy, markers, options.now);
        record = make_record(commit, eval, target.ref);
        if (grandfathered.contains(id))
          record.verdict = std::string(to_string(Verdict::grandfathered));
        if (record.ai_assisted() && record.violation())
          record.lines_changed = repo.lines_changed(id);
        ++b.evaluated;
        if (cache && target.rule_index >= 0) {
          payload.clear();
          serialize_record(record, target.rule_index, options.now, payload);
          AuditCache::frame(payload, b.frames);
        }
      }
      if ((options.since && record.author.time < *options.since) ||
          (options.until && record.author.time >= *options.until))
        continue;
      record.ref = target.ref;
      std::string line;
      if (options.render)
        options.render(record, line);
      b.records.push_back(std::move(record));
      b.rendered.push_back(std::move(line));
    }
  };

  auto worker = [&] {
    try {
      git::Repository repo = git::Repository::open_for_scan(repo_path);
      for (;;) {
        std::unique_ptr<Batch> b;
        {
          std::unique_lock lock(shared.mu);
          shared.work_ready.wait(lock, [&] {
            return shared.aborted || !shared.pending.empty() || shared.walk_finished;
          });
          if (shared.aborted || shared.pending.empty())
            return;
          b = std::move(shared.pending.front());
          shared.pending.pop_front();
        }
        judge(repo, *b);
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
  std::atomic<bool> stop_counting{false};
  auto counter = [&] {
    try {
      git::Repository repo = git::Repository::open_for_scan(repo_path);
      std::vector<std::string> earlier;
      std::int64_t n = 0;
      for (const auto& target : targets) {
        git::Walk walk = repo.walk({target.tip}, earlier);
        while (walk.next() && !stop_counting)
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

  Progress progress(options.progress);
  std::string frames;
  auto flush_cache = [&] {
    if (!frames.empty() && cache && cache->append(frames))
      stats.cache_written = true;
    frames.clear();
  };
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
      for (std::size_t i = 0; i < b->records.size(); ++i)
        sink(b->records[i], b->rendered[i]);
      stats.walked += static_cast<std::int64_t>(b->items.size());
      stats.cache_hits += b->hits;
      stats.evaluated += b->evaluated;
      frames += b->frames;
      if (frames.size() >= kFlushBytes)
        flush_cache();
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
  if (shared.error)
    std::rethrow_exception(shared.error);
  flush_cache();
  progress.update(stats.walked, total, true);
  return stats;
}

}  // namespace trailgate::audit
