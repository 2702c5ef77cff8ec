// What `trailgate approve` needs besides git: adding trailers to a message the way git does,
// and signing a payload with the reviewer's SSH key through ssh-keygen.
//
// The signing key never passes through trailgate: ssh-keygen reads the private key or asks
// ssh-agent, exactly as it does when git signs commits.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace trailgate::approve {

// Returns `message` with `lines` (each "Key: value", without newline) added in git's trailer
// style: appended to the trailer block when the message has one (as git's parser finds it),
// otherwise as a new last paragraph after a blank line.
std::string add_trailers(std::string_view message, const std::vector<std::string>& lines);

// Signing failed: ssh-keygen is missing, or it refused. what() says which, in words meant for
// the reviewer (ssh-keygen's own message included).
class SigningError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Signs `payload` with `ssh-keygen -Y sign -n <sig_namespace> -f <key>` and returns the binary
// SSHSIG blob. `key` is a path to a private or public key (a public key makes ssh-keygen use
// ssh-agent), or a literal public key ("ssh-ed25519 AAAA..." or git's "key::ssh-ed25519 ...").
// Its scratch files live in a private directory under $TMPDIR that is removed on return, also
// when signing fails. Throws SigningError when ssh-keygen cannot be run (not on PATH) or fails.
std::string sign_with_ssh_keygen(const std::string& payload, const std::string& key,
                                 const std::string& sig_namespace);

}  // namespace trailgate::approve
