#include "cli/context.h"

#include <unistd.h>

#include <fmt/format.h>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "cli/cli.h"
#include "pipeline/pipeline.h"
#include "policy/policy_loader.h"

namespace trailgate::cli {
namespace fs = std::filesystem;

std::string locate_policy(const GlobalOptions& options, const git::Repository* repo) {
  std::vector<std::string> looked;
  if (!options.policy.empty())
    return options.policy;
  looked.push_back("--policy (not given)");
  if (const char* env = std::getenv("TRAILGATE_POLICY"); env && *env)
    return env;
  looked.push_back("$TRAILGATE_POLICY (not set)");
  if (repo) {
    if (auto configured = repo->config_string("trailgate.policy")) {
      // Like git's own path-valued settings, a relative path is relative to the git dir.
      fs::path p(*configured);
      return p.is_absolute() ? p.string() : (fs::path(repo->git_dir()) / p).string();
    }
    looked.push_back("git config trailgate.policy (not set)");
    std::string in_git_dir = repo->git_dir() + "trailgate.toml";
    if (fs::exists(in_git_dir))
      return in_git_dir;
    looked.push_back(in_git_dir + " (no such file)");
  } else {
    looked.push_back("git config trailgate.policy and <git dir>/trailgate.toml (no repository)");
  }
  const std::string system_wide = "/etc/trailgate/policy.toml";
  if (fs::exists(system_wide))
    return system_wide;
  looked.push_back(system_wide + " (no such file)");
  std::string message = "no policy found; looked at, in order:";
  for (const auto& l : looked)
    message += "\n  " + l;
  throw NoPolicyError(message);
}

LoadedPolicy load_policy(const GlobalOptions& options, const git::Repository* repo) {
  Policy policy = load_policy_file(locate_policy(options, repo));
  try {
    detect::MarkerSet markers = compile_markers(policy);
    return LoadedPolicy{std::move(policy), std::move(markers)};
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

int report_exception(const std::string& prefix, std::ostream& out) {
  try {
    throw;
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

}  // namespace trailgate::cli
