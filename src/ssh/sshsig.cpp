#include "ssh/sshsig.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <sodium.h>

#include <cstdint>
#include <memory>
#include <mutex>

#include "model/work_counters.h"
#include "ssh/ssh_key.h"

namespace trailgate::ssh {
namespace {

// --- OpenSSL owners: every object below is freed by its unique_ptr -------------------------------
template <auto free_fn>
struct Free {
  template <class T>
  void operator()(T* p) const {
    free_fn(p);
  }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Free<EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Free<EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Free<EVP_MD_CTX_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, Free<BN_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Free<OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, Free<OSSL_PARAM_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, Free<ECDSA_SIG_free>>;
struct OpensslFree {
  void operator()(unsigned char* p) const { OPENSSL_free(p); }
};
using OpensslBytes = std::unique_ptr<unsigned char, OpensslFree>;

constexpr std::string_view kMagic = "SSHSIG";
constexpr std::string_view kArmorBegin = "-----BEGIN SSH SIGNATURE-----";
constexpr std::string_view kArmorEnd = "-----END SSH SIGNATURE-----";

void set_error(std::string* error, std::string text) {
  if (error)
    *error = std::move(text);
}

const unsigned char* bytes_of(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

BignumPtr to_bignum(std::string_view magnitude) {
  return BignumPtr(BN_bin2bn(bytes_of(magnitude), static_cast<int>(magnitude.size()), nullptr));
}

void put_string(std::string* out, std::string_view s) {
  auto n = static_cast<std::uint32_t>(s.size());
  out->push_back(static_cast<char>(n >> 24));
  out->push_back(static_cast<char>((n >> 16) & 0xff));
  out->push_back(static_cast<char>((n >> 8) & 0xff));
  out->push_back(static_cast<char>(n & 0xff));
  out->append(s);
}

// The name of the digest an OpenSSL signature algorithm (ecdsa, rsa) hashes with; nullptr for
// anything else. A name, so that OpenSSL fetches the provider's digest without going through the
// legacy EVP_sha*() tables on every verification.
const char* digest_name_for(std::string_view sig_algorithm) {
  if (sig_algorithm == "ecdsa-sha2-nistp256" || sig_algorithm == "rsa-sha2-256")
    return "SHA256";
  if (sig_algorithm == "ecdsa-sha2-nistp384")
    return "SHA384";
  if (sig_algorithm == "ecdsa-sha2-nistp521" || sig_algorithm == "rsa-sha2-512")
    return "SHA512";
  return nullptr;
}

const char* group_name_for(std::string_view key_type) {
  if (key_type == "ecdsa-sha2-nistp256")
    return "P-256";
  if (key_type == "ecdsa-sha2-nistp384")
    return "P-384";
  return "P-521";
}

// Checks that the signature algorithm fits the key and that the signature bytes have the
// algorithm's shape. Everything decode_sshsig and verify_sshsig need to agree on.
bool check_signature_shape(const KeyBlob& key, std::string_view sig_algorithm,
                           std::string_view signature, std::string* error) {
  std::string type(key.type);
  if (key.type == "ssh-rsa") {
    if (sig_algorithm == "ssh-rsa") {
      set_error(error,
                "the signature uses ssh-rsa (SHA-1), which is not accepted; sign with "
                "rsa-sha2-256 or rsa-sha2-512");
      return false;
    }
    if (sig_algorithm != "rsa-sha2-256" && sig_algorithm != "rsa-sha2-512") {
      set_error(error, "the signature algorithm \"" + std::string(sig_algorithm) +
                           "\" does not fit an ssh-rsa key");
      return false;
    }
    // OpenSSH accepts a signature shorter than the modulus (and left-pads it), never a longer one.
    if (signature.empty() || signature.size() > key.rsa_n.size()) {
      set_error(error, "malformed " + std::string(sig_algorithm) +
                           " signature: " + std::to_string(signature.size()) + " bytes for a " +
                           std::to_string(key.rsa_n.size()) + "-byte modulus");
      return false;
    }
    return true;
  }
  if (sig_algorithm != key.type) {
    set_error(error, "the signature algorithm \"" + std::string(sig_algorithm) +
                         "\" does not fit an " + type + " key");
    return false;
  }
  if (key.type == "ssh-ed25519") {
    if (signature.size() != 64) {
      set_error(error, "malformed ssh-ed25519 signature: " + std::to_string(signature.size()) +
                           " bytes, expected 64");
      return false;
    }
    return true;
  }
  WireReader in(signature);
  std::string_view r, s;
  if (!in.read_positive_mpint(&r) || !in.read_positive_mpint(&s) || !in.at_end()) {
    set_error(error, "malformed " + type + " signature: expected exactly two positive integers");
    return false;
  }
  return true;
}

PkeyPtr from_params(const char* algorithm, OSSL_PARAM_BLD* builder) {
  ParamPtr params(OSSL_PARAM_BLD_to_param(builder));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, algorithm, nullptr));
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1)
    return nullptr;
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
    return nullptr;
  return PkeyPtr(raw);
}

// The point is checked to be on the curve by OpenSSL when it is imported.
PkeyPtr load_ecdsa(const KeyBlob& key) {
  ParamBldPtr builder(OSSL_PARAM_BLD_new());
  if (!builder ||
      OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                      group_name_for(key.type), 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, key.key.data(),
                                       key.key.size()) != 1)
    return nullptr;
  return from_params("EC", builder.get());
}

PkeyPtr load_rsa(const KeyBlob& key) {
  BignumPtr n = to_bignum(key.rsa_n);
  BignumPtr e = to_bignum(key.rsa_e);
  ParamBldPtr builder(OSSL_PARAM_BLD_new());
  if (!n || !e || !builder ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1)
    return nullptr;
  return from_params("RSA", builder.get());
}

// SSH's ECDSA signature (mpint r, mpint s) as the DER that OpenSSL verifies.
std::optional<std::string> ecdsa_der(std::string_view signature) {
  WireReader in(signature);
  std::string_view r_bytes, s_bytes;
  if (!in.read_positive_mpint(&r_bytes) || !in.read_positive_mpint(&s_bytes) || !in.at_end())
    return std::nullopt;
  BignumPtr r = to_bignum(r_bytes);
  BignumPtr s = to_bignum(s_bytes);
  EcdsaSigPtr sig(ECDSA_SIG_new());
  if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1)
    return std::nullopt;
  (void)r.release();  // owned by sig now
  (void)s.release();
  unsigned char* der = nullptr;
  int length = i2d_ECDSA_SIG(sig.get(), &der);
  if (length <= 0)
    return std::nullopt;
  OpensslBytes owner(der);
  return std::string(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length));
}

}  // namespace

// A key imported once (import_verifying_key) and shared read-only: OpenSSL allows concurrent
// verifications with one EVP_PKEY, and libsodium's verification reads the key bytes only.
class VerifyingKey {
 public:
  explicit VerifyingKey(std::string key_blob) : blob(std::move(key_blob)) {}
  VerifyingKey(const VerifyingKey&) = delete;
  VerifyingKey& operator=(const VerifyingKey&) = delete;

  const std::string blob;  // the SSH wire-format key blob
  KeyBlob fields;          // parsed from `blob`, its views into `blob`
  PkeyPtr pkey;            // ecdsa and rsa: the key as OpenSSL verifies with it; ed25519: null
};

namespace {

// libsodium is initialised on the first ed25519 verification, once per process, from whichever
// thread gets there first. False when sodium_init failed: every ed25519 signature then fails.
bool sodium_ready() {
  static std::once_flag once;
  static bool ready = false;
  std::call_once(once, [] { ready = sodium_init() >= 0; });
  return ready;
}

// Verifies an ssh-ed25519 signature (64 bytes, checked by check_signature_shape) with libsodium:
// about twice as fast as OpenSSL 3.0's Ed25519, and stricter. Besides the signature equation it
// refuses a non-canonical S, a small-order R, and a public key that is small-order (the all-zero
// key included) or not canonically encoded, all of which OpenSSL would let through to the
// equation. Those only refuse more signatures, never fewer: no signature ssh-keygen makes is
// affected.
bool verify_ed25519(const VerifyingKey& key, std::string_view signature,
                    std::string_view signed_data) {
  if (!sodium_ready() || key.fields.key.size() != crypto_sign_ed25519_PUBLICKEYBYTES ||
      signature.size() != crypto_sign_ed25519_BYTES)
    return false;
  return crypto_sign_ed25519_verify_detached(bytes_of(signature), bytes_of(signed_data),
                                             signed_data.size(), bytes_of(key.fields.key)) == 0;
}

// Runs the public-key verification; false on a bad signature and on any library failure.
bool verify_signature(const VerifyingKey& key, std::string_view sig_algorithm,
                      std::string_view signature, std::string_view signed_data) {
  if (key.fields.type == "ssh-ed25519")
    return verify_ed25519(key, signature, signed_data);
  if (!key.pkey)
    return false;
  std::string_view sig_bytes = signature;
  std::string converted;
  if (key.fields.type == "ssh-rsa") {
    converted.assign(key.fields.rsa_n.size() - signature.size(), '\0');
    converted.append(signature);
    sig_bytes = converted;
  } else {
    std::optional<std::string> der = ecdsa_der(signature);
    if (!der)
      return false;
    converted = std::move(*der);
    sig_bytes = converted;
  }

  MdCtxPtr md_ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pkey_ctx = nullptr;  // owned by md_ctx
  if (!md_ctx || EVP_DigestVerifyInit_ex(md_ctx.get(), &pkey_ctx, digest_name_for(sig_algorithm),
                                         nullptr, nullptr, key.pkey.get(), nullptr) != 1)
    return false;
  if (key.fields.type == "ssh-rsa" &&
      EVP_PKEY_CTX_set_rsa_padding(pkey_ctx, RSA_PKCS1_PADDING) != 1)
    return false;
  return EVP_DigestVerify(md_ctx.get(), bytes_of(sig_bytes), sig_bytes.size(),
                          bytes_of(signed_data), signed_data.size()) == 1;
}

bool read_field(WireReader* in, std::string_view name, std::string_view* out, std::string* error) {
  if (in->read_string(out))
    return true;
  set_error(error, "truncated: the " + std::string(name) + " field runs past the end");
  return false;
}

}  // namespace

std::optional<SshSignature> decode_sshsig(std::string_view blob, std::string* error) {
  WireReader in(blob);
  std::string_view magic;
  if (!in.read_bytes(kMagic.size(), &magic) || magic != kMagic) {
    set_error(error, "not an SSH signature: the blob does not start with \"SSHSIG\"");
    return std::nullopt;
  }
  std::uint32_t version = 0;
  if (!in.read_uint32(&version)) {
    set_error(error, "truncated: the version field runs past the end");
    return std::nullopt;
  }
  if (version != 1) {
    set_error(error, "unsupported SSHSIG version " + std::to_string(version) +
                         "; only version 1 is accepted");
    return std::nullopt;
  }
  std::string_view public_key, sig_namespace, reserved, hash_algorithm, signature_blob;
  if (!read_field(&in, "public key", &public_key, error) ||
      !read_field(&in, "namespace", &sig_namespace, error) ||
      !read_field(&in, "reserved", &reserved, error) ||
      !read_field(&in, "hash algorithm", &hash_algorithm, error) ||
      !read_field(&in, "signature", &signature_blob, error))
    return std::nullopt;
  if (!in.at_end()) {
    set_error(error, "malformed SSH signature: " + std::to_string(in.remaining()) +
                         " trailing bytes after the signature field");
    return std::nullopt;
  }
  if (sig_namespace.empty()) {
    set_error(error, "malformed SSH signature: the namespace is empty");
    return std::nullopt;
  }
  if (hash_algorithm != "sha256" && hash_algorithm != "sha512") {
    set_error(error, "unsupported hash algorithm \"" + std::string(hash_algorithm) +
                         "\"; only sha256 and sha512 are accepted");
    return std::nullopt;
  }
  std::string why;
  std::optional<KeyBlob> key = parse_key_blob(public_key, &why);
  if (!key) {
    set_error(error, "the signing key: " + why);
    return std::nullopt;
  }
  WireReader sig_in(signature_blob);
  std::string_view sig_algorithm, signature;
  if (!sig_in.read_string(&sig_algorithm) || !sig_in.read_string(&signature)) {
    set_error(error, "truncated: the signature blob's algorithm or bytes run past its end");
    return std::nullopt;
  }
  if (!sig_in.at_end()) {
    set_error(error, "malformed SSH signature: " + std::to_string(sig_in.remaining()) +
                         " trailing bytes in the signature blob");
    return std::nullopt;
  }
  if (!check_signature_shape(*key, sig_algorithm, signature, error))
    return std::nullopt;

  return SshSignature{std::string(public_key),    std::string(key->type),
                      std::string(sig_namespace), std::string(hash_algorithm),
                      std::string(sig_algorithm), std::string(signature)};
}

std::optional<std::string> dearmor_sshsig(std::string_view armored, std::string* error) {
  std::string_view rest = armored;
  if (!rest.starts_with(kArmorBegin)) {
    set_error(error, "not an armored SSH signature: it does not start with \"" +
                         std::string(kArmorBegin) + "\"");
    return std::nullopt;
  }
  rest.remove_prefix(kArmorBegin.size());
  if (rest.starts_with("\r\n"))
    rest.remove_prefix(2);
  else if (rest.starts_with("\n"))
    rest.remove_prefix(1);
  else {
    set_error(error, "malformed armored SSH signature: the header line has extra text");
    return std::nullopt;
  }
  std::size_t end = rest.find(kArmorEnd);
  if (end == std::string_view::npos) {
    set_error(error, "malformed armored SSH signature: the \"" + std::string(kArmorEnd) +
                         "\" line is missing");
    return std::nullopt;
  }
  std::string_view body = rest.substr(0, end);
  std::string_view after = rest.substr(end + kArmorEnd.size());
  if (after.find_first_not_of("\r\n") != std::string_view::npos) {
    set_error(error, "malformed armored SSH signature: text follows the END line");
    return std::nullopt;
  }
  // Lines end in "\n" or "\r\n"; any other whitespace is an error of the base64 itself.
  std::string base64;
  base64.reserve(body.size());
  while (!body.empty()) {
    std::size_t eol = body.find('\n');
    if (eol == std::string_view::npos) {
      set_error(error, "malformed armored SSH signature: the END line does not start a line");
      return std::nullopt;
    }
    std::string_view line = body.substr(0, eol);
    if (line.ends_with('\r'))
      line.remove_suffix(1);
    base64.append(line);
    body.remove_prefix(eol + 1);
  }
  std::optional<std::string> blob = base64_decode(base64);
  if (!blob) {
    set_error(error, "malformed armored SSH signature: the body is not valid base64");
    return std::nullopt;
  }
  return blob;
}

std::optional<std::string> sshsig_message_digest(std::string_view hash_algorithm,
                                                 std::string_view message) {
  const EVP_MD* message_digest = hash_algorithm == "sha256"   ? EVP_sha256()
                                 : hash_algorithm == "sha512" ? EVP_sha512()
                                                              : nullptr;
  if (!message_digest)
    return std::nullopt;
  unsigned char hash[EVP_MAX_MD_SIZE];
  unsigned int hash_length = 0;
  if (EVP_Digest(message.data(), message.size(), hash, &hash_length, message_digest, nullptr) !=
      1) {
    ERR_clear_error();
    return std::nullopt;
  }
  return std::string(reinterpret_cast<const char*>(hash), hash_length);
}

std::shared_ptr<const VerifyingKey> import_verifying_key(std::string_view blob,
                                                         std::string* error) {
  auto key = std::make_shared<VerifyingKey>(std::string(blob));
  std::optional<KeyBlob> fields = parse_key_blob(key->blob, error);
  if (!fields)
    return nullptr;
  key->fields = *fields;
  // An ed25519 key is its 32 bytes (parse_key_blob checked the size), which libsodium takes as
  // they are at each verification. Checked here once: a point that is not canonically encoded,
  // not on the curve, of small order (the all-zero key is one) or outside the prime-order
  // subgroup is refused. ssh-keygen never makes such a key; each is a way to craft signatures
  // that verify for more than one message or key.
  if (key->fields.type == "ssh-ed25519") {
    if (!sodium_ready()) {
      set_error(error, "libsodium could not be initialised to verify an ssh-ed25519 key");
      return nullptr;
    }
    if (crypto_core_ed25519_is_valid_point(bytes_of(key->fields.key)) != 1) {
      set_error(error,
                "the ssh-ed25519 key is not a valid point of the curve's prime-order subgroup "
                "(small order, off the curve or not canonically encoded)");
      return nullptr;
    }
    return key;
  }
  if (key->fields.type == "ssh-rsa")
    key->pkey = load_rsa(key->fields);
  else
    key->pkey = load_ecdsa(key->fields);
  if (!key->pkey) {
    ERR_clear_error();
    set_error(error, "OpenSSL does not accept this " + std::string(key->fields.type) + " key");
    return nullptr;
  }
  return key;
}

std::shared_ptr<const VerifyingKey> verifying_key(const PublicKey& key, std::string* error) {
  if (!key.import)
    return import_verifying_key(key.blob, error);
  KeyImport& slot = *key.import;
  std::call_once(slot.once, [&] { slot.key = import_verifying_key(key.blob, &slot.error); });
  if (!slot.key) {
    set_error(error, slot.error);
    return nullptr;
  }
  // The slot belongs to the blob it was filled from; a PublicKey whose blob was changed since
  // gets its own import.
  if (slot.key->blob != key.blob)
    return import_verifying_key(key.blob, error);
  return slot.key;
}

bool verify_sshsig_digest(const SshSignature& sig, const VerifyingKey& key, std::string_view digest,
                          std::string_view expected_namespace, std::string* error) {
  if (sig.sig_namespace != expected_namespace) {
    set_error(error, "namespace is \"" + sig.sig_namespace + "\", expected \"" +
                         std::string(expected_namespace) + "\"");
    return false;
  }
  if (sig.sig_namespace.empty()) {
    set_error(error, "the signature's namespace is empty");
    return false;
  }
  // `sig` may not come from decode_sshsig, so nothing in it is trusted.
  if (sig.public_key != key.blob) {
    set_error(error, "the signature was not made with this key");
    return false;
  }
  if (key.fields.type != sig.key_type) {
    set_error(error, "the signature's key type does not match its key");
    return false;
  }
  if (!check_signature_shape(key.fields, sig.signature_algorithm, sig.signature, error))
    return false;
  const std::size_t expected_size = sig.hash_algorithm == "sha256"   ? 32
                                    : sig.hash_algorithm == "sha512" ? 64
                                                                     : 0;
  if (expected_size == 0) {
    set_error(error, "unsupported hash algorithm \"" + sig.hash_algorithm + "\"");
    return false;
  }
  if (digest.size() != expected_size) {
    set_error(error, "the message digest is not a " + sig.hash_algorithm + " digest");
    return false;
  }

  // What ssh-keygen signs (PROTOCOL.sshsig). Like OpenSSH's verifier, the reserved field is
  // signed as empty whatever the blob carries.
  std::string signed_data;
  signed_data.reserve(kMagic.size() + 4 * 4 + sig.sig_namespace.size() + sig.hash_algorithm.size() +
                      digest.size());
  signed_data.append(kMagic);
  put_string(&signed_data, sig.sig_namespace);
  put_string(&signed_data, "");
  put_string(&signed_data, sig.hash_algorithm);
  put_string(&signed_data, digest);

  work::add(work::Counter::signature_verifications);
  if (!verify_signature(key, sig.signature_algorithm, sig.signature, signed_data)) {
    ERR_clear_error();
    set_error(error, "signature does not verify");
    return false;
  }
  return true;
}

bool verify_sshsig_digest(const SshSignature& sig, std::string_view digest,
                          std::string_view expected_namespace, std::string* error) {
  if (sig.sig_namespace != expected_namespace || sig.sig_namespace.empty())
    return verify_sshsig_digest(sig, VerifyingKey(std::string()), digest, expected_namespace,
                                error);
  std::string why;
  std::shared_ptr<const VerifyingKey> key = import_verifying_key(sig.public_key, &why);
  if (!key) {
    set_error(error, "the signing key: " + why);
    return false;
  }
  return verify_sshsig_digest(sig, *key, digest, expected_namespace, error);
}

bool verify_sshsig(const SshSignature& sig, std::string_view message,
                   std::string_view expected_namespace, std::string* error) {
  if (sig.sig_namespace != expected_namespace || sig.sig_namespace.empty())
    return verify_sshsig_digest(sig, {}, expected_namespace, error);
  std::optional<std::string> digest = sshsig_message_digest(sig.hash_algorithm, message);
  if (!digest) {
    set_error(error, "unsupported hash algorithm \"" + sig.hash_algorithm + "\"");
    return false;
  }
  return verify_sshsig_digest(sig, *digest, expected_namespace, error);
}

}  // namespace trailgate::ssh
