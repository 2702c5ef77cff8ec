// SSH signatures (the SSHSIG format of `ssh-keygen -Y sign`), decoded strictly and verified in
// process: ssh-ed25519 with libsodium (crypto_sign_ed25519_verify_detached, which is stricter
// than RFC 8032 requires: it refuses a non-canonical S, a small-order R and a small-order or
// non-canonical key), ecdsa and RSA with OpenSSL 3. No process is spawned.
//
// Pure apart from the crypto libraries: bytes in, a verdict out. It never decides who may sign; the
// caller matches SshSignature::public_key against the roster. Key types: ssh-ed25519,
// ecdsa-sha2-nistp256/384/521, and RSA with rsa-sha2-256 or rsa-sha2-512 signatures. ssh-rsa
// (SHA-1) signatures, FIDO (sk-*) keys and certificates are rejected.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ssh/ssh_key.h"

namespace trailgate::ssh {

// A decoded SSHSIG blob (PROTOCOL.sshsig, version 1).
struct SshSignature {
  std::string public_key;           // the SSH wire-format public key blob
  std::string key_type;             // the type string inside public_key, e.g. "ssh-ed25519"
  std::string sig_namespace;        // e.g. "trailgate-review"
  std::string hash_algorithm;       // "sha256" or "sha512"
  std::string signature_algorithm;  // e.g. "ssh-ed25519", "rsa-sha2-512"
  std::string signature;            // the raw signature bytes inside the signature blob
};

// Decodes the binary SSHSIG blob (not armored). Returns nullopt and sets `error` (one sentence
// for people, e.g. "truncated: the signature field runs past the end") when: the magic is not
// "SSHSIG", the version is not 1, any string is out of bounds, trailing bytes follow, the
// namespace is empty, the hash is not sha256/sha512, the key type is unsupported, or the
// signature algorithm does not fit the key type (ssh-rsa SHA-1 included). Never throws.
std::optional<SshSignature> decode_sshsig(std::string_view blob, std::string* error);

// Decodes the armored form that ssh-keygen writes ("-----BEGIN SSH SIGNATURE-----" ... END).
// Returns the binary blob, or nullopt and sets `error`.
std::optional<std::string> dearmor_sshsig(std::string_view armored, std::string* error);

// Verifies `sig` over `message` for namespace `expected_namespace`. Returns true only when the
// namespace matches and the signature is valid for sig.public_key; otherwise false with
// `error` set ("namespace is \"git\", expected \"trailgate-review\"", "signature does not
// verify"). Never throws.
bool verify_sshsig(const SshSignature& sig, std::string_view message,
                   std::string_view expected_namespace, std::string* error);

// The digest of `message` under an SSHSIG hash algorithm ("sha256" or "sha512"): what
// verify_sshsig_digest takes, so that a caller checking several signatures over one message
// hashes it once per algorithm. Nullopt for any other algorithm. Never throws.
std::optional<std::string> sshsig_message_digest(std::string_view hash_algorithm,
                                                 std::string_view message);

// verify_sshsig for a message already hashed: `digest` is
// sshsig_message_digest(sig.hash_algorithm, message). Same verdicts and errors; a digest of the
// wrong size fails. Each call that reaches the public-key operation counts one
// work::Counter::signature_verifications. Never throws.
bool verify_sshsig_digest(const SshSignature& sig, std::string_view digest,
                          std::string_view expected_namespace, std::string* error);

// A public key parsed and imported into the crypto library once, then used by any number of
// verifications, from any number of threads at once. Opaque; made by import_verifying_key or
// verifying_key.
class VerifyingKey;

// Parses `blob` (the SSH wire-format public key) as parse_key_blob does and imports it for
// verification. Returns null and sets `error` (one sentence) when the blob is not a key trailgate
// verifies or the crypto library refuses it (an ecdsa point off its curve; an ed25519 key that
// is not a canonical point of the prime-order subgroup, such as the all-zero key). Never throws.
std::shared_ptr<const VerifyingKey> import_verifying_key(std::string_view blob, std::string* error);

// The VerifyingKey of a roster key: imported on the first call and kept in key.import, so later
// calls with the key or any copy of it cost a pointer copy. Without key.import (a PublicKey not
// made by parse_public_key) it imports each time. Null and `error` set as for
// import_verifying_key. Thread-safe. Never throws.
std::shared_ptr<const VerifyingKey> verifying_key(const PublicKey& key, std::string* error);

// verify_sshsig_digest with the signer's key already imported: the verdicts and errors of
// verify_sshsig_digest, plus a failure ("the signature was not made with this key") when
// sig.public_key is not `key`'s blob. Nothing about the key is parsed again. Never throws.
bool verify_sshsig_digest(const SshSignature& sig, const VerifyingKey& key, std::string_view digest,
                          std::string_view expected_namespace, std::string* error);

}  // namespace trailgate::ssh
