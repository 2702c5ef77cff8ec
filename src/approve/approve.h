// What `trailgate approve` needs besides git: adding trailers to a message the way git does,
// and signing a payload with the reviewer's SSH key through ssh-keygen.
//
// The signing key never passes through trailgate: ssh-keygen reads the private key or asks
// ssh-agent, exactly as it does when git signs commits.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace trailgate::approve {

// Returns `message` with `lines` (each "Key: value", without newline) added in git's trailer
// style: appended to the trailer block when the message has one (as git's parser finds it),
// otherwise as a new last paragraph after a blank line.
std::string add_trailers(std::string_view message, const std::vector<std::string>& lines);

// Signs `payload` with `ssh-keygen -Y sign -n <sig_namespace> -f <key>` and returns the binary
// SSHSIG blob. `key` is a path to a private or public key (a public key makes ssh-keygen use
// ssh-agent), or a literal public key ("ssh-ed25519 AAAA..." or git's "key::ssh-ed25519 ...").
// Throws std::runtime_error with ssh-keygen's own message when signing fails.
std::string sign_with_ssh_keygen(const std::string& payload, const std::string& key,
                                 const std::string& sig_namespace);

}  // namespace trailgate::approve
