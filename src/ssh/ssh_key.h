// OpenSSH public keys as people write them ("ssh-ed25519 AAAA... comment"), and strict base64.
//
// Pure: no I/O, no libgit2. Used by the policy loader (to validate roster keys) and by the
// signature verifier (to match a signature's key against the roster). Also holds the strict SSH
// wire reader and key-blob parser that the verifier (sshsig.cpp) shares; nothing here verifies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace trailgate::ssh {

// Reads SSH wire encoding (RFC 4253 section 5) strictly: every read is bounds-checked and a
// failed read leaves the position unchanged. The views returned point into `data`, which must
// outlive them.
class WireReader {
 public:
  explicit WireReader(std::string_view data) : data_(data) {}

  // Reads a big-endian uint32. Returns false when fewer than 4 bytes remain.
  bool read_uint32(std::uint32_t* out);
  // Reads `n` raw bytes. Returns false when fewer than `n` bytes remain.
  bool read_bytes(std::size_t n, std::string_view* out);
  // Reads a `string` (uint32 length + bytes). Returns false when it runs past the end.
  bool read_string(std::string_view* out);
  // Reads a non-negative `mpint` and returns its magnitude with leading zero bytes removed
  // (empty for zero). Returns false when it runs past the end or the value is negative.
  bool read_positive_mpint(std::string_view* out);

  bool at_end() const { return pos_ == data_.size(); }
  std::size_t remaining() const { return data_.size() - pos_; }

 private:
  std::string_view data_;
  std::size_t pos_ = 0;
};

// The fields of a public key blob of a type trailgate verifies, as views into the blob.
struct KeyBlob {
  std::string_view type;   // "ssh-ed25519", "ecdsa-sha2-nistp256/384/521" or "ssh-rsa"
  std::string_view curve;  // ecdsa: "nistp256", "nistp384" or "nistp521"; else empty
  std::string_view key;    // ed25519: the 32-byte key; ecdsa: the uncompressed point Q
  std::string_view rsa_e;  // rsa: the exponent's magnitude, no leading zeros
  std::string_view rsa_n;  // rsa: the modulus's magnitude, no leading zeros
  unsigned rsa_bits = 0;   // rsa: the modulus size in bits
};

// Parses a public key blob strictly: a supported type, the right field sizes, an ecdsa curve
// that matches the type, an uncompressed point, an RSA modulus of 2048 to 16384 bits, and no
// trailing bytes. Returns nullopt and sets `error` (one sentence) otherwise. Never throws.
std::optional<KeyBlob> parse_key_blob(std::string_view blob, std::string* error);

class VerifyingKey;  // a key imported for verification (sshsig.h)

// Where a PublicKey keeps its VerifyingKey once imported: filled at most once, on the first
// verification with the key (ssh::verifying_key in sshsig.h), and shared by every copy of the
// PublicKey. Thread-safe.
struct KeyImport {
  std::once_flag once;
  std::shared_ptr<const VerifyingKey> key;  // null when the import failed
  std::string error;                        // why it failed
};

// A parsed public key.
struct PublicKey {
  std::string type;     // "ssh-ed25519", "ecdsa-sha2-nistp256/384/521" or "ssh-rsa"
  std::string blob;     // the SSH wire-format key blob (the decoded base64 field)
  std::string comment;  // whatever followed the base64 field, trimmed; may be empty
  // The key's import slot, so that a roster key is handed to the crypto library once per policy
  // and not once per signature. parse_public_key sets it; when null, each verification imports
  // the key again. Nothing is imported (and the crypto library is not touched) until a
  // signature by this key is verified.
  std::shared_ptr<KeyImport> import;
};

// Parses an OpenSSH public key line: "<type> <base64> [comment]". Returns nullopt and sets
// `error` (one sentence) when the line is malformed, the base64 is not strict, the type is not
// one trailgate verifies, or the blob's embedded type disagrees with the first field.
std::optional<PublicKey> parse_public_key(std::string_view line, std::string* error);

// Decodes standard base64 (RFC 4648, with '=' padding, no whitespace). Returns nullopt on any
// character outside the alphabet, bad padding, or non-zero trailing bits.
std::optional<std::string> base64_decode(std::string_view text);

// Encodes standard base64 with padding, no line breaks.
std::string base64_encode(std::string_view bytes);

// The key's fingerprint as ssh-keygen -l prints it: "SHA256:" + unpadded base64 of SHA-256(blob).
std::string fingerprint(std::string_view blob);

}  // namespace trailgate::ssh
