// Fuzzes the SSHSIG decoder and verifier: any bytes are a signature blob (and, armored, a
// signature file). Decoding never throws; a decoded signature is verified against a fixed
// message, which must simply return true or false.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ssh/sshsig.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view blob(reinterpret_cast<const char*>(data), size);
  std::string error;
  if (auto sig = trailgate::ssh::decode_sshsig(blob, &error)) {
    std::string verify_error;
    // The fixed message is not what any seed signed, so verification must fail cleanly.
    if (trailgate::ssh::verify_sshsig(*sig, "not the signed payload", sig->sig_namespace,
                                      &verify_error))
      std::abort();
  } else if (error.empty()) {
    std::abort();  // a rejection always says why
  }
  error.clear();
  if (!trailgate::ssh::dearmor_sshsig(blob, &error) && error.empty())
    std::abort();
  return 0;
}
