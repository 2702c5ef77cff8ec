// Tests of src/git's own pack reader (git/packs.h): every object of real packs that the git client
// wrote (OFS_DELTA and REF_DELTA chains, deep and shallow) read back and compared byte for byte
// with `git cat-file`; the delta format's edge cases one by one; damaged packs refused, never
// read as another object.

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "git/error.h"
#include "git/packs.h"
#include "git/repository.h"
#include "git/tree_changes.h"
#include "support/temp_repo.h"
#include "util/hex_id.h"

namespace {

namespace fs = std::filesystem;
namespace git = trailgate::git;
namespace testing = trailgate::testing;

// A history whose trees and blobs grow a little per commit, so that repack makes delta chains:
// files growing, removed and added again in nested directories.
class History {
 public:
  // One `git fast-import` stream: 40 commits, each growing six files in nested directories by a
  // line of their own (so that repack chains each version's delta on the next one's), and now
  // and then deleting one that the next commit adds again.
  History() {
    testing::run_ok({"git", "init", "-q", "."}, dir_.path());
    std::string stream;
    auto data = [&](const std::string& bytes) {
      stream += fmt::format("data {}\n", bytes.size());
      stream += bytes;
      stream += "\n";
    };
    for (int c = 0; c < 40; ++c) {
      stream += "commit refs/heads/main\n";
      stream += fmt::format("committer T <t@example.com> {} +0000\n", 1700000000 + c);
      data(fmt::format("commit {}", c));
      for (int f = 0; f < 6; ++f) {
        std::string text;
        for (int line = 0; line <= c; ++line)
          text += fmt::format("commit {} file {} {:0100}\n", line, f, line * 7919 + f);
        stream += fmt::format("M 100644 inline d{}/sub/f{}.txt\n", f % 3, f);
        data(text);
      }
      if (c % 7 == 3)
        stream += "D d2/sub/f5.txt\n";
    }
    testing::run_ok({"git", "fast-import", "--quiet"}, dir_.path(), stream);
    git({"update-ref", "HEAD", "refs/heads/main"});
  }

  std::string git(std::vector<std::string> args) {
    args.insert(args.begin(), "git");
    return testing::run_ok(args, dir_.path());
  }
  fs::path objects() const { return dir_.path() / ".git" / "objects"; }
  const fs::path& path() const { return dir_.path(); }

  struct Object {
    std::string type, bytes;
  };
  // Every object, as `git cat-file --batch-all-objects --batch` prints it.
  std::map<std::string, Object> all_objects() {
    const std::string out = git({"cat-file", "--batch-all-objects", "--batch"});
    std::map<std::string, Object> objects;
    std::size_t at = 0;
    while (at < out.size()) {
      const std::size_t eol = out.find('\n', at);
      REQUIRE(eol != std::string::npos);
      std::istringstream header(out.substr(at, eol - at));
      std::string id;
      Object o;
      std::size_t size = 0;
      header >> id >> o.type >> size;
      o.bytes = out.substr(eol + 1, size);
      REQUIRE(o.bytes.size() == size);
      objects[id] = std::move(o);
      at = eol + 1 + size + 1;  // the bytes, then a newline
    }
    return objects;
  }

 private:
  testing::TempDir dir_;
};

git::ObjectType type_of(const std::string& name) {
  if (name == "commit")
    return git::ObjectType::commit;
  if (name == "tree")
    return git::ObjectType::tree;
  if (name == "blob")
    return git::ObjectType::blob;
  return git::ObjectType::tag;
}

std::vector<unsigned char> raw(const std::string& hex) {
  std::vector<unsigned char> out(20);
  REQUIRE(trailgate::util::hex_decode(hex, out.data(), out.size()));
  return out;
}

// Reads every object of `h` through a PackReader with `cache_bytes` and compares it with git's.
void expect_all_objects_read(History& h, std::size_t cache_bytes) {
  auto packs = git::PackSet::open({h.objects().string()});
  REQUIRE(packs->size() == 1);
  git::PackReader reader(packs, cache_bytes);
  const auto objects = h.all_objects();
  REQUIRE(objects.size() > 200);
  std::size_t compared = 0;
  for (const auto& [id, object] : objects) {
    const auto bytes = raw(id);
    git::PackReader::Object o = reader.read(bytes.data());
    REQUIRE(o.bytes);
    CHECK(o.type == type_of(object.type));
    if (*o.bytes != object.bytes)
      FAIL("object " << id << " (" << object.type << ") differs from git cat-file");
    ++compared;
  }
  CHECK(compared == objects.size());
  // An id that is not there, before and after every real one in its fan-out bucket.
  for (const char* absent :
       {"0000000000000000000000000000000000000000", "ffffffffffffffffffffffffffffffffffffffff",
        "7777777777777777777777777777777777777777"}) {
    if (!objects.count(absent))
      CHECK_FALSE(reader.read(raw(absent).data()).bytes);
  }
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

fs::path only_pack(const fs::path& objects) {
  for (const auto& e : fs::directory_iterator(objects / "pack"))
    if (e.path().extension() == ".pack")
      return e.path();
  FAIL("no pack");
  return {};
}

}  // namespace

TEST_CASE("every object of a deep OFS_DELTA pack reads as git cat-file shows it", "[git][packs]") {
  History h;
  h.git({"repack", "-adf", "-q", "--depth=50", "--window=50"});
  // The pack holds deltas, and chains of more than one.
  const std::string verify = h.git({"verify-pack", "-v", only_pack(h.objects()).string()});
  CHECK(verify.find("chain length = 3") != std::string::npos);
  SECTION("with the default cache") {
    expect_all_objects_read(h, git::PackReader::kDefaultCacheBytes);
  }
  SECTION("with no room to cache anything: every chain resolved from its base") {
    expect_all_objects_read(h, 0);
  }
}

TEST_CASE("REF_DELTA entries (repack.useDeltaBaseOffset=false) read as git shows them",
          "[git][packs]") {
  History h;
  h.git({"-c", "repack.useDeltaBaseOffset=false", "repack", "-adf", "-q", "--depth=20"});
  expect_all_objects_read(h, 1 << 16);
}

TEST_CASE("the repository reads commits and trees from packs and loose objects alike",
          "[git][packs]") {
  History h;
  const std::string head = h.git({"rev-parse", "HEAD"}).substr(0, 40);
  const std::string tree = h.git({"rev-parse", "HEAD^{tree}"}).substr(0, 40);
  const std::string expected = h.all_objects().at(head).bytes;
  int numstat = 0;
  {
    std::istringstream in(h.git({"diff", "--numstat", "--no-renames", "HEAD^", "HEAD"}));
    int added = 0, deleted = 0;
    std::string path;
    while (in >> added >> deleted >> path)
      numstat += added + deleted;
  }
  REQUIRE(numstat > 0);
  auto check_reads = [&](const git::Repository& repo) {
    CHECK(repo.read_commit_object(head) == expected);
    CHECK(repo.lines_changed(head) == numstat);
    // A tree asked for as a commit is refused, naming what it is.
    try {
      repo.read_commit_object(tree);
      FAIL("a tree was read as a commit");
    } catch (const git::GitError& e) {
      CHECK(std::string(e.what()).find("is a tree") != std::string::npos);
    }
  };
  check_reads(git::Repository::discover(h.path().string()));  // fast-import's pack
  // The same objects loose (libgit2 reads those): the pack moved out, its objects unpacked.
  const fs::path pack = only_pack(h.objects());
  const std::string pack_bytes = read_file(pack);
  fs::remove(pack);
  fs::remove(fs::path(pack).replace_extension(".idx"));
  testing::run_ok({"git", "unpack-objects", "-q"}, h.path(), pack_bytes);
  REQUIRE(fs::is_empty(h.objects() / "pack"));
  check_reads(git::Repository::discover(h.path().string()));
}

TEST_CASE("libgit2's own reads (walks, trees, blobs) go through the pack reader and agree with git",
          "[git][packs]") {
  History h;
  h.git({"repack", "-adf", "-q", "--depth=50"});
  const std::string head = h.git({"rev-parse", "HEAD"}).substr(0, 40);
  git::Repository repo = git::Repository::discover(h.path().string());
  // A revwalk parses every commit through libgit2's object database, whose first backend is
  // the pack reader.
  git::Walk walk = repo.walk({head}, {});
  std::vector<std::string> walked;
  while (auto id = walk.next())
    walked.push_back(*id);
  std::istringstream listed(h.git({"rev-list", head}));
  std::vector<std::string> expected;
  for (std::string id; listed >> id;)
    expected.push_back(id);
  CHECK(walked.size() == expected.size());
  CHECK(std::set<std::string>(walked.begin(), walked.end()) ==
        std::set<std::string>(expected.begin(), expected.end()));
  // Trees and a blob looked up by libgit2 (git_tree_entry_bypath, git_odb_read_header).
  const auto blob = repo.blob_at(head, "d1/sub/f4.txt", 1 << 20);
  REQUIRE(blob);
  CHECK(blob->bytes == h.git({"show", "HEAD:d1/sub/f4.txt"}));
  CHECK(repo.entry_id_at(head, "d1/sub") == h.git({"rev-parse", "HEAD:d1/sub"}).substr(0, 40));
  CHECK(repo.is_commit(head));
  CHECK_FALSE(repo.is_commit(blob->id));  // a header query, answered without inflating
  CHECK(repo.has_object(head));
  CHECK_FALSE(repo.has_object(std::string(40, '7')));
}

TEST_CASE("a damaged pack entry is an error, never another object", "[git][packs]") {
  History h;
  h.git({"repack", "-adf", "-q", "--depth=50"});
  const fs::path pack = only_pack(h.objects());
  std::string bytes = read_file(pack);
  auto set = git::PackSet::open({h.objects().string()});
  git::PackReader reader(set, 0);
  const auto objects = h.all_objects();
  // Flip bytes in the middle of the pack, after the first entries, and read every object: each
  // read either gives git's bytes or throws.
  std::string damaged = bytes;
  for (std::size_t i = damaged.size() / 2; i < damaged.size() / 2 + 64; ++i)
    damaged[i] = static_cast<char>(damaged[i] ^ 0x5a);
  // A new file under the same name: `set` keeps the old one mapped.
  fs::remove(pack);
  {
    std::ofstream out(pack, std::ios::binary);
    out << damaged;
  }
  auto damaged_set = git::PackSet::open({h.objects().string()});
  git::PackReader damaged_reader(damaged_set, 0);
  std::size_t refused = 0;
  for (const auto& [id, object] : objects) {
    try {
      git::PackReader::Object o = damaged_reader.read(raw(id).data());
      if (!o.bytes) {
        // The damage made the entry a REF_DELTA on an id no pack has: left to libgit2, which
        // meets the same entry and fails.
        ++refused;
        continue;
      }
      // Read from the saved copy: the file now holds the damaged bytes.
      CHECK(*o.bytes == *reader.read(raw(id).data()).bytes);
    } catch (const git::GitError& e) {
      CHECK(e.damaged_object());
      ++refused;
    }
  }
  CHECK(refused > 0);
}

TEST_CASE("pack headers and indexes that are not git's are refused", "[git][packs]") {
  // In a repository, such a pack is skipped: libgit2 reads what it can of it.
  {
    History h;
    h.git({"repack", "-adf", "-q"});
    const fs::path pack = only_pack(h.objects());
    std::string bytes = read_file(pack);
    bytes[0] = 'K';  // not a pack any more
    fs::remove(pack);
    std::ofstream(pack, std::ios::binary) << bytes;
    CHECK(git::PackSet::open({h.objects().string()})->size() == 0);
    git::Repository repo = git::Repository::discover(h.path().string());
    CHECK_THROWS_AS(repo.read_commit_object(h.git({"rev-parse", "HEAD"}).substr(0, 40)),
                    git::GitError);
  }
  CHECK_THROWS_AS(git::PackSet::from_bytes("PACK"), git::GitError);
  CHECK_THROWS_AS(
      git::PackSet::from_bytes(std::string("KCAP\0\0\0\2\0\0\0\0", 12) + std::string(20, '\0')),
      git::GitError);
  CHECK_THROWS_AS(
      git::PackSet::from_bytes(std::string("PACK\0\0\0\4\0\0\0\0", 12) + std::string(20, '\0')),
      git::GitError);
  // Entries: an unknown type 5, an offset delta pointing before the pack, a size no stream of
  // that length can inflate to.
  const std::string head("PACK\0\0\0\2\0\0\0\1", 12);
  const std::string trailer(20, '\0');
  auto read_entry = [&](const std::string& entry) {
    auto set = git::PackSet::from_bytes(head + entry + trailer);
    git::PackReader reader(set);
    return reader.read_at(0, 12);
  };
  CHECK_THROWS_AS(read_entry(std::string("\x50\x78\x9c\x03\0\0\0\0\1", 9)), git::GitError);
  CHECK_THROWS_AS(read_entry(std::string("\x60\x7f\x78\x9c\x03\0\0\0\0\1", 10)), git::GitError);
  CHECK_THROWS_AS(read_entry(std::string("\xff\xff\xff\xff\x0f\x78\x9c\x03\0\0\0\0\1", 13)),
                  git::GitError);
  // A blob of 3 bytes, "abc", stored whole: zlib of "abc".
  const std::string abc_zlib("\x78\x9c\x4b\x4c\x4a\x06\x00\x02\x4d\x01\x27", 11);
  git::PackReader::Object blob = read_entry(fmt::format("\x33{}", abc_zlib));
  REQUIRE(blob.bytes);
  CHECK(blob.type == git::ObjectType::blob);
  CHECK(*blob.bytes == "abc");
  // The same stream under a header that claims 4 bytes does not inflate to its size.
  CHECK_THROWS_AS(read_entry(fmt::format("\x34{}", abc_zlib)), git::GitError);
}

TEST_CASE("apply_delta follows git's delta format and refuses anything outside it",
          "[git][packs]") {
  const std::string base = "0123456789";
  auto delta = [](std::initializer_list<int> bytes) {
    std::string d;
    for (int b : bytes)
      d.push_back(static_cast<char>(b));
    return d;
  };
  // source 10, target 7: copy offset 2 size 3 ("234"), insert "xyz", copy offset 9 size 1.
  CHECK(git::apply_delta(base, delta({10, 7, 0x91, 2, 3, 3, 'x', 'y', 'z', 0x91, 9, 1})) ==
        "234xyz9");
  // Offset and size bytes are optional per bit; no offset bytes means offset 0.
  CHECK(git::apply_delta(base, delta({10, 2, 0x90, 2})) == "01");
  // A copy of size 0 means 0x10000.
  const std::string big(0x10000, 'b');
  std::string d = delta({0x80, 0x80, 0x04, 0x80, 0x80, 0x04, 0x80});
  CHECK(git::apply_delta(big, d) == big);
  // Source size other than the base's.
  CHECK_THROWS_AS(git::apply_delta(base, delta({9, 1, 0x10, 1})), git::GitError);
  // Copies reaching outside the base.
  CHECK_THROWS_AS(git::apply_delta(base, delta({10, 3, 0x91, 8, 3})), git::GitError);
  CHECK_THROWS_AS(git::apply_delta(base, delta({10, 1, 0x91, 10, 1})), git::GitError);
  CHECK_THROWS_AS(git::apply_delta(base, delta({10, 1, 0x98, 0xff, 1})), git::GitError);
  // The reserved instruction 0.
  CHECK_THROWS_AS(git::apply_delta(base, delta({10, 1, 0, 1, 'a'})), git::GitError);
  // Insert cut short; copy cut short.
  CHECK_THROWS_AS(git::apply_delta(base, delta({10, 3, 3, 'a', 'b'})), git::GitError);
  CHECK_THROWS_AS(git::apply_delta(base, delta({10, 3, 0x91, 2})), git::GitError);
  // More, or less, than the announced target.
  CHECK_THROWS_AS(git::apply_delta(base, delta({10, 2, 3, 'a', 'b', 'c'})), git::GitError);
  CHECK_THROWS_AS(git::apply_delta(base, delta({10, 4, 3, 'a', 'b', 'c'})), git::GitError);
  // A size varint that never ends, or overflows 64 bits.
  CHECK_THROWS_AS(git::apply_delta(base, delta({0x8a})), git::GitError);
  CHECK_THROWS_AS(git::apply_delta(base, delta({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                                0xff, 0xff, 0x01})),
                  git::GitError);
  // A target of 2^40 bytes announced by a short delta is refused without allocating it, as is
  // anything over kMaxObjectBytes.
  CHECK_THROWS_AS(git::apply_delta(base, delta({10, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20, 1, 'a'})),
                  git::GitError);
  // The empty delta for the empty base gives the empty result.
  CHECK(git::apply_delta("", delta({0, 0})).empty());
}
