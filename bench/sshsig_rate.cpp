// sshsig_rate SIG_FILE MESSAGE_FILE SECONDS [NAMESPACE]
//
// How many SSH signatures one core verifies per second. Dearmors and decodes the signature once,
// then runs two loops of SECONDS each on one thread:
//
//   - "roster key": what the hook does per review signature. The signer's key is a roster key,
//     imported for verification once per policy (ssh::verifying_key); each call hashes the
//     message (one digest per payload) and verifies (ssh::verify_sshsig_digest).
//   - "key from blob": ssh::verify_sshsig, which parses and imports the key from the
//     signature's blob on every call (what `trailgate approve` does for its one signature).
//
// Each loop prints its rate per second of wall time and per second of the thread's CPU time
// (the second is what "per core" means on a busy machine). NAMESPACE defaults to
// "trailgate-review". Exit 1 when the signature does not verify.

#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <string>

#include "ssh/ssh_key.h"
#include "ssh/sshsig.h"

namespace {

std::optional<std::string> slurp(const char* path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

// Calls `verify_once` for `seconds` of wall time; prints the rates. False when a call fails.
bool measure(const char* label, double seconds, const std::function<bool()>& verify_once) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  const double cpu_start = thread_cpu_seconds();
  const Clock::time_point deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  long long count = 0;
  Clock::time_point now = start;
  while (now < deadline) {
    // Check the clock every 16 calls; each call takes tens of microseconds or more.
    for (int i = 0; i < 16; ++i)
      if (!verify_once())
        return false;
    count += 16;
    now = Clock::now();
  }
  const double elapsed = std::chrono::duration<double>(now - start).count();
  const double cpu = thread_cpu_seconds() - cpu_start;
  std::printf("%s: %lld verifications in %.3f s wall, %.3f s CPU\n", label, count, elapsed, cpu);
  std::printf("%s: verifications/s: %.0f (per CPU second: %.0f)\n", label,
              static_cast<double>(count) / elapsed, static_cast<double>(count) / cpu);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  namespace ssh = trailgate::ssh;
  if (argc != 4 && argc != 5) {
    std::fprintf(stderr, "usage: sshsig_rate SIG_FILE MESSAGE_FILE SECONDS [NAMESPACE]\n");
    return 2;
  }
  std::optional<std::string> armored = slurp(argv[1]);
  std::optional<std::string> message = slurp(argv[2]);
  char* end = nullptr;
  double seconds = std::strtod(argv[3], &end);
  if (!armored || !message || *end != '\0' || !(seconds > 0)) {
    std::fprintf(stderr, "sshsig_rate: cannot read %s or %s, or bad SECONDS %s\n", argv[1], argv[2],
                 argv[3]);
    return 2;
  }
  std::string sig_namespace = argc == 5 ? argv[4] : "trailgate-review";

  std::string error;
  std::optional<std::string> blob = ssh::dearmor_sshsig(*armored, &error);
  std::optional<ssh::SshSignature> sig;
  if (blob)
    sig = ssh::decode_sshsig(*blob, &error);
  if (!sig || !ssh::verify_sshsig(*sig, *message, sig_namespace, &error)) {
    std::fprintf(stderr, "sshsig_rate: %s\n", error.c_str());
    return 1;
  }
  // The signer's key as the policy loader holds a roster key.
  std::optional<ssh::PublicKey> roster_key = ssh::parse_public_key(
      sig->key_type + " " + ssh::base64_encode(sig->public_key) + " bench", &error);
  if (!roster_key) {
    std::fprintf(stderr, "sshsig_rate: the signer's key: %s\n", error.c_str());
    return 1;
  }
  std::printf("key: %s (%s, %s)\n", sig->key_type.c_str(), sig->signature_algorithm.c_str(),
              sig->hash_algorithm.c_str());

  const bool ok =
      measure("roster key", seconds,
              [&] {
                std::optional<std::string> digest =
                    ssh::sshsig_message_digest(sig->hash_algorithm, *message);
                std::shared_ptr<const ssh::VerifyingKey> key =
                    ssh::verifying_key(*roster_key, &error);
                return digest && key &&
                       ssh::verify_sshsig_digest(*sig, *key, *digest, sig_namespace, &error);
              }) &&
      measure("key from blob", seconds,
              [&] { return ssh::verify_sshsig(*sig, *message, sig_namespace, &error); });
  if (!ok) {
    std::fprintf(stderr, "sshsig_rate: verification failed in the loop: %s\n", error.c_str());
    return 1;
  }
  return 0;
}
