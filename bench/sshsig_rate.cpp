// sshsig_rate SIG_FILE MESSAGE_FILE SECONDS [NAMESPACE]
//
// How many SSH signatures one core verifies per second: dearmors and decodes the signature
// once, then calls ssh::verify_sshsig in a loop for SECONDS of wall time. Each call does what
// the hook does per review signature (rebuild the key from its blob, hash the message, verify).
// NAMESPACE defaults to "trailgate-review". Exit 1 when the signature does not verify.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>

#include "ssh/sshsig.h"

namespace {

std::optional<std::string> slurp(const char* path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

int main(int argc, char** argv) {
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
  std::optional<std::string> blob = trailgate::ssh::dearmor_sshsig(*armored, &error);
  std::optional<trailgate::ssh::SshSignature> sig;
  if (blob)
    sig = trailgate::ssh::decode_sshsig(*blob, &error);
  if (!sig || !trailgate::ssh::verify_sshsig(*sig, *message, sig_namespace, &error)) {
    std::fprintf(stderr, "sshsig_rate: %s\n", error.c_str());
    return 1;
  }

  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  long long count = 0;
  Clock::time_point now = start;
  while (now < deadline) {
    // Check the clock every 16 calls; each call takes tens of microseconds or more.
    for (int i = 0; i < 16; ++i) {
      if (!trailgate::ssh::verify_sshsig(*sig, *message, sig_namespace, &error)) {
        std::fprintf(stderr, "sshsig_rate: verification failed in the loop: %s\n", error.c_str());
        return 1;
      }
    }
    count += 16;
    now = Clock::now();
  }
  double elapsed = std::chrono::duration<double>(now - start).count();
  std::printf("key: %s (%s, %s)\n", sig->key_type.c_str(), sig->signature_algorithm.c_str(),
              sig->hash_algorithm.c_str());
  std::printf("verifications: %lld in %.3f s\n", count, elapsed);
  std::printf("verifications/s: %.0f\n", static_cast<double>(count) / elapsed);
  return 0;
}
