// Tests of the fan-out id index lookup (git/id_index.h) that the pack reader and the commit-graph
// reader share: every id of uniform, clustered and degenerate id sets is found at its position,
// and ids that are not there are never found, whatever the interpolation probes guess.

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <random>
#include <vector>

#include "git/id_index.h"

namespace {

namespace git = trailgate::git;
using Id = std::array<unsigned char, 20>;

// A fan-out table and the sorted ids, laid out as in a pack index.
struct Table {
  std::vector<unsigned char> fanout = std::vector<unsigned char>(256 * 4);
  std::vector<unsigned char> ids;
  std::vector<Id> sorted;

  explicit Table(std::vector<Id> all) {
    std::sort(all.begin(), all.end());
    all.erase(std::unique(all.begin(), all.end()), all.end());
    sorted = all;
    std::uint32_t counts[256] = {};
    for (const Id& id : all) {
      ids.insert(ids.end(), id.begin(), id.end());
      ++counts[id[0]];
    }
    std::uint32_t total = 0;
    for (int i = 0; i < 256; ++i) {
      total += counts[i];
      for (int b = 0; b < 4; ++b)
        fanout[4 * i + b] = static_cast<unsigned char>(total >> (24 - 8 * b));
    }
  }
  git::IdIndex index() const { return git::IdIndex{fanout.data(), ids.data()}; }
};

Id random_id(std::mt19937_64& rng) {
  Id id;
  for (auto& c : id)
    c = static_cast<unsigned char>(rng());
  return id;
}

// Every id of the table is found at its place; every id of `absent` that is not in the table is
// not found.
void check_lookups(const Table& table, const std::vector<Id>& absent) {
  const git::IdIndex index = table.index();
  REQUIRE(index.ordered());
  REQUIRE(index.count() == table.sorted.size());
  std::size_t found = 0;
  for (std::uint32_t i = 0; i < table.sorted.size(); ++i) {
    std::uint32_t pos = ~0u;
    if (index.find(table.sorted[i].data(), pos) && pos == i)
      ++found;
    else
      FAIL_CHECK("id " << i << " not found at its place (got " << pos << ")");
  }
  CHECK(found == table.sorted.size());
  std::size_t wrongly_found = 0;
  for (const Id& id : absent) {
    if (std::binary_search(table.sorted.begin(), table.sorted.end(), id))
      continue;
    std::uint32_t pos = 0;
    wrongly_found += index.find(id.data(), pos);
  }
  CHECK(wrongly_found == 0);
}

}  // namespace

TEST_CASE("uniform ids: every one found at its place, none invented", "[git][id_index]") {
  std::mt19937_64 rng(17);
  for (std::size_t n : {0u, 1u, 255u, 4096u, 300000u}) {
    INFO(n << " ids");
    std::vector<Id> ids(n), absent(20000);
    for (auto& id : ids)
      id = random_id(rng);
    for (auto& id : absent)
      id = random_id(rng);
    // Neighbours of present ids: one bit off in the last byte and in the eighth.
    for (std::size_t i = 0; i < std::min<std::size_t>(n, 5000); ++i) {
      Id near = ids[i];
      near[19] ^= 1;
      absent.push_back(near);
      near = ids[i];
      near[7] ^= 1;
      absent.push_back(near);
    }
    check_lookups(Table(ids), absent);
  }
}

TEST_CASE("clustered ids (shared long prefixes, as an attacker can grind) are all found",
          "[git][id_index]") {
  std::mt19937_64 rng(23);
  std::vector<Id> ids, absent;
  for (int i = 0; i < 50000; ++i)
    ids.push_back(random_id(rng));
  // 20,000 ids in one bucket sharing their first six bytes, 5,000 sharing all first eight (the
  // interpolation's key), and a run at the bucket's very top and bottom.
  auto cluster = [&](int count, int prefix_bytes, unsigned char byte) {
    for (int i = 0; i < count; ++i) {
      Id present = random_id(rng), missing = random_id(rng);
      std::fill(present.begin(), present.begin() + prefix_bytes, byte);
      std::fill(missing.begin(), missing.begin() + prefix_bytes, byte);
      ids.push_back(present);
      absent.push_back(missing);
    }
  };
  cluster(20000, 6, 0x5a);
  cluster(5000, 8, 0xa5);
  for (int i = 0; i < 3000; ++i) {
    Id low = random_id(rng), high = random_id(rng);
    low[0] = high[0] = 0x33;
    std::fill(low.begin() + 1, low.begin() + 7, 0x00);
    std::fill(high.begin() + 1, high.begin() + 7, 0xff);
    ids.push_back(low);
    ids.push_back(high);
  }
  Id zero{}, ones;
  ones.fill(0xff);
  ids.push_back(zero);
  ids.push_back(ones);
  for (int i = 0; i < 20000; ++i)
    absent.push_back(random_id(rng));
  check_lookups(Table(ids), absent);
}
