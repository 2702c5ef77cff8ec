// Tests of util/file_write: a new file appears whole with its mode, and locked appends keep
// every line whole, also from many threads at once.

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "support/temp_repo.h"
#include "util/file_write.h"

namespace {
namespace fs = std::filesystem;
namespace testing = trailgate::testing;
using namespace trailgate::util;
}  // namespace

TEST_CASE("util::write_new_file", "[util][file]") {
  testing::TempDir dir;
  const std::string path = (dir.path() / "hook").string();

  SECTION("writes the whole text with the mode asked for, whatever the umask") {
    const mode_t old = ::umask(077);
    CHECK(write_new_file(path, "#!/bin/sh\nexit 0\n", 0755) == 0);
    ::umask(old);
    CHECK(testing::read_file(path) == "#!/bin/sh\nexit 0\n");
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0755);
  }
  SECTION("never overwrites, and never follows a symlink") {
    testing::write_file(path, "old");
    CHECK(write_new_file(path, "new", 0644) == EEXIST);
    CHECK(testing::read_file(path) == "old");
    const std::string link = (dir.path() / "link").string();
    REQUIRE(::symlink((dir.path() / "elsewhere").c_str(), link.c_str()) == 0);
    CHECK(write_new_file(link, "x", 0644) == EEXIST);
    CHECK_FALSE(fs::exists(dir.path() / "elsewhere"));
  }
  SECTION("an empty text is an empty file; a missing directory is ENOENT") {
    CHECK(write_new_file(path, "", 0600) == 0);
    CHECK(fs::file_size(path) == 0);
    CHECK(write_new_file((dir.path() / "no" / "such").string(), "x", 0600) == ENOENT);
  }
}

TEST_CASE("util::append_line_locked", "[util][file]") {
  testing::TempDir dir;
  const fs::path path = dir.path() / "logs" / "lines.jsonl";

  SECTION("creates one directory level and the file, then appends") {
    CHECK(append_line_locked(path.string(), "one", 1000) == "");
    CHECK(append_line_locked(path.string(), "two", 1000) == "");
    CHECK(testing::read_file(path) == "one\ntwo\n");
  }
  SECTION("a line left without its newline is ended first") {
    testing::write_file(path, "one\ntw");
    CHECK(append_line_locked(path.string(), "three", 1000) == "");
    CHECK(testing::read_file(path) == "one\ntw\nthree\n");
  }
  SECTION("gives up after the lock timeout") {
    REQUIRE(append_line_locked(path.string(), "one", 1000) == "");
    const int holder = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(holder >= 0);
    REQUIRE(::flock(holder, LOCK_EX) == 0);
    CHECK_THAT(append_line_locked(path.string(), "two", 30),
               Catch::Contains("stayed locked by another process for 30 ms"));
    ::close(holder);
    CHECK(testing::read_file(path) == "one\n");
  }
  SECTION("lines from many threads stay whole") {
    constexpr int kThreads = 8, kLines = 50;
    const std::string payload(3000, 'x');
    std::atomic<int> failures{0};  // Catch2's assertions are not for other threads
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&, t] {
        for (int i = 0; i < kLines; ++i)
          if (!append_line_locked(path.string(), std::to_string(t) + payload, 10000).empty())
            ++failures;
      });
    for (auto& th : threads)
      th.join();
    CHECK(failures == 0);
    const std::string all = testing::read_file(path);
    std::size_t lines = 0, at = 0;
    while (at < all.size()) {
      const std::size_t end = all.find('\n', at);
      REQUIRE(end != std::string::npos);
      REQUIRE(end - at == payload.size() + 1);
      at = end + 1;
      ++lines;
    }
    CHECK(lines == kThreads * kLines);
  }
}
