#include "cli/context.h"

#include "host/decision_log.h"

#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

// The low-level SHA-256 functions are deprecated in OpenSSL 3 in favour of EVP, but remain in
// every 3.x release; see sha256_hex below for why they are used.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <fmt/format.h>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "cli/cli.h"
#include "pipeline/pipeline.h"
#include "policy/policy_loader.h"
#include "report/render.h"

namespace trailgate::cli {
namespace fs = std::filesystem;

namespace {

// True when anything is at `path`, of any type (lstat: a dangling symbolic link counts). Only
// "no such file" is absence; any other failure (say, a directory that may not be searched) may
// hide a file, so it counts as present and reading it says why it cannot be read.
bool anything_at(const std::string& path) {
  struct stat info {};
  return ::lstat(path.c_str(), &info) == 0 || errno != ENOENT;
}

}  // namespace

std::string locate_policy(const GlobalOptions& options, const git::Repository* repo) {
  std::vector<std::string> looked;
  if (!options.policy.empty())
    return options.policy;
  looked.push_back("--policy (not given)");
  if (const char* env = std::getenv("TRAILGATE_POLICY"); env && *env)
    return env;
  looked.push_back("$TRAILGATE_POLICY (not set)");
  if (repo) {
    // Only the repository's own config file: ~/.gitconfig, /etc/gitconfig and config passed
    // in the environment belong to whoever runs the hook (for a local push, the pusher).
    if (auto configured = repo->local_config_string("trailgate.policy")) {
      // Like git's own path-valued settings, a relative path is relative to the git dir.
      fs::path p(*configured);
      return p.is_absolute() ? p.string() : (fs::path(repo->git_dir()) / p).string();
    }
    looked.push_back("git config trailgate.policy (not set)");
    std::string in_git_dir = repo->git_dir() + "trailgate.toml";
    if (anything_at(in_git_dir))
      return in_git_dir;
    looked.push_back(in_git_dir + " (no such file)");
  } else {
    looked.push_back("git config trailgate.policy and <git dir>/trailgate.toml (no repository)");
  }
  const std::string system_wide = "/etc/trailgate/policy.toml";
  if (anything_at(system_wide))
    return system_wide;
  looked.push_back(system_wide + " (no such file)");
  std::string message = "no policy found; looked at, in order:";
  for (const auto& l : looked)
    message += "\n  " + l;
  throw NoPolicyError(message);
}

std::string policy_line(const PolicySeen& seen) {
  if (seen.path.empty())
    return "";
  if (seen.sha256.empty())
    return fmt::format("trailgate: policy {} (could not be read)\n", report::sanitize(seen.path));
  return fmt::format("trailgate: policy {} sha256:{}\n", report::sanitize(seen.path), seen.sha256);
}

LoadedPolicy load_policy(const GlobalOptions& options, const git::Repository* repo,
                         PolicySeen* seen) {
  const std::string path = locate_policy(options, repo);
  if (seen != nullptr)
    *seen = PolicySeen{path, ""};
  std::string bytes = read_policy_file(path);
  std::string digest = sha256_hex(bytes);
  if (seen != nullptr)
    seen->sha256 = digest;
  Policy policy = parse_policy(bytes, path);
  try {
    detect::MarkerSet markers = compile_markers(policy);
    return LoadedPolicy{std::move(policy), std::move(markers), std::move(bytes), std::move(digest)};
  } catch (const std::invalid_argument& e) {
    throw PolicyError({PolicyDiagnostic{policy.source, 0, 0, e.what()}});
  }
}

Policy policy_or_defaults(const GlobalOptions& options, const git::Repository* repo) {
  std::string path;
  try {
    path = locate_policy(options, repo);
  } catch (const NoPolicyError&) {
    return Policy{};
  }
  return load_policy_file(path);
}

git::Repository open_repository(const GlobalOptions& options) {
  return git::Repository::discover(options.repo.empty() ? "." : options.repo);
}

bool use_color(const GlobalOptions& options, int fd) {
  if (options.color == "always")
    return true;
  if (options.color == "never")
    return false;
  return isatty(fd) && !std::getenv("NO_COLOR");
}

std::string sha256_hex(std::string_view bytes) {
  // OpenSSL's low-level SHA-256, not EVP: the first EVP digest initialises OpenSSL's providers
  // and reads its configuration (about 0.8 ms of CPU), which the hook needs only when it checks
  // a review signature. Every run digests its policy, most never verify a signature.
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256_CTX context;
  if (SHA256_Init(&context) != 1 || SHA256_Update(&context, bytes.data(), bytes.size()) != 1 ||
      SHA256_Final(digest, &context) != 1)
    throw std::runtime_error("SHA-256 is not available");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * sizeof digest);
  for (unsigned char byte : digest) {
    hex += kHex[byte >> 4];
    hex += kHex[byte & 0xf];
  }
  return hex;
}

bool reader_gone(int fd) {
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !(S_ISFIFO(info.st_mode) || S_ISSOCK(info.st_mode)))
    return false;
  // A pipe whose every reader has closed polls as POLLERR for its writer; a socket whose peer
  // has gone, as POLLHUP or POLLERR.
  pollfd p{fd, POLLOUT, 0};
  return ::poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP)) != 0;
}

namespace {

int first_stdout_error = 0;

}  // namespace

bool write_stdout(std::string_view text) {
  std::cout.flush();
  std::fflush(stdout);
  while (!text.empty()) {
    const ssize_t n = ::write(STDOUT_FILENO, text.data(), text.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      if (first_stdout_error == 0)
        first_stdout_error = n < 0 ? errno : EIO;
      return false;
    }
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

int stdout_error() {
  return first_stdout_error;
}

int report_exception(const std::string& prefix, std::ostream& out) {
  try {
    throw;
  } catch (const ReaderGone&) {
    return kInternal;
  } catch (const PolicyError& e) {
    out << fmt::format("trailgate: {}: the policy cannot be used:\n", prefix);
    for (const auto& d : e.diagnostics())
      out << "  " << d.to_string() << "\n";
    return kUsage;
  } catch (const NoPolicyError& e) {
    out << fmt::format("trailgate: {}: {}\n", prefix, e.what());
    return kUsage;
  } catch (const InputError& e) {
    out << fmt::format("trailgate: {}: malformed input: {}\n", prefix, e.what());
    return kUsage;
  } catch (const git::GitError& e) {
    out << fmt::format("trailgate: {}: git error: {}\n", prefix, e.what());
    if (e.damaged_object())
      out << "  an object is missing or cannot be read: the repository is damaged (or the "
             "object named was never in it); `git fsck` in the repository finds the damage\n";
    return kInternal;
  } catch (const std::bad_alloc&) {
    out << fmt::format("trailgate: {}: out of memory\n", prefix);
    return kInternal;
  } catch (const std::exception& e) {
    out << fmt::format("trailgate: {}: internal error: {}\n", prefix, e.what());
    return kInternal;
  } catch (...) {
    out << fmt::format("trailgate: {}: internal error\n", prefix);
    return kInternal;
  }
}

std::unordered_set<std::string> logged_break_glass(const git::Repository& repo,
                                                   const Policy& policy, std::string_view command) {
  host::BreakGlassLog log = host::read_break_glass_log(host::log_path(policy.log, repo.git_dir()));
  if (log.skipped > 0)
    std::cerr << fmt::format(
        "trailgate: {}: {} line{} of the decision log could not be read and were skipped\n",
        command, log.skipped, log.skipped == 1 ? "" : "s");
  std::vector<std::string> commits = log.commits();
  return {std::make_move_iterator(commits.begin()), std::make_move_iterator(commits.end())};
}

}  // namespace trailgate::cli
