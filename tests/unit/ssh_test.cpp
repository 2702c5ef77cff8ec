// Tests of SSH public keys and SSHSIG signatures against the real ssh-keygen: keys of every
// supported type are generated and messages signed by ssh-keygen itself, then decoded and
// verified in process. Malformed blobs are rebuilt field by field with a small SSH wire writer
// that lives here, independent of the reader under test.

#include <sodium.h>
#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "ssh/ssh_key.h"
#include "ssh/sshsig.h"
#include "support/temp_repo.h"

namespace {

namespace fs = std::filesystem;
using trailgate::ssh::base64_decode;
using trailgate::ssh::base64_encode;
using trailgate::ssh::dearmor_sshsig;
using trailgate::ssh::decode_sshsig;
using trailgate::ssh::fingerprint;
using trailgate::ssh::parse_public_key;
using trailgate::ssh::PublicKey;
using trailgate::ssh::SshSignature;
using trailgate::ssh::verify_sshsig;
using trailgate::testing::read_file;
using trailgate::testing::run;
using trailgate::testing::run_ok;
using trailgate::testing::TempDir;
using trailgate::testing::write_file;

constexpr std::string_view kNamespace = "trailgate-review";

// A message with a NUL and a non-ASCII byte, so nothing may treat it as a C string.
const std::string kMessage = std::string("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n") +
                             "parent 0000\n\nreviewed: yes\n" + std::string(1, '\0') + "\xff\n";

// --- SSH wire format, written and split independently of src/ssh --------------------------------

std::string u32(std::uint32_t n) {
  return {static_cast<char>(n >> 24), static_cast<char>((n >> 16) & 0xff),
          static_cast<char>((n >> 8) & 0xff), static_cast<char>(n & 0xff)};
}

std::string str(std::string_view s) {
  return u32(static_cast<std::uint32_t>(s.size())) + std::string(s);
}

// Splits a buffer made only of `string`s; fails the test if it is anything else.
std::vector<std::string> split_strings(std::string_view bytes) {
  std::vector<std::string> out;
  while (!bytes.empty()) {
    REQUIRE(bytes.size() >= 4);
    std::uint32_t n = (std::uint32_t{static_cast<unsigned char>(bytes[0])} << 24) |
                      (std::uint32_t{static_cast<unsigned char>(bytes[1])} << 16) |
                      (std::uint32_t{static_cast<unsigned char>(bytes[2])} << 8) |
                      std::uint32_t{static_cast<unsigned char>(bytes[3])};
    REQUIRE(bytes.size() - 4 >= n);
    out.emplace_back(bytes.substr(4, n));
    bytes.remove_prefix(4 + n);
  }
  return out;
}

// The fields of an SSHSIG blob, which build() reassembles.
struct SigFields {
  std::string magic = "SSHSIG";
  std::uint32_t version = 1;
  std::string public_key, sig_namespace, reserved, hash_algorithm;
  std::string sig_algorithm, signature;  // the signature blob's two strings

  std::string signature_blob() const { return str(sig_algorithm) + str(signature); }
  std::string build() const {
    return magic + u32(version) + str(public_key) + str(sig_namespace) + str(reserved) +
           str(hash_algorithm) + str(signature_blob());
  }
};

SigFields split_sshsig(const std::string& blob) {
  REQUIRE(blob.size() >= 10);
  SigFields f;
  f.magic = blob.substr(0, 6);
  f.version = 0;
  for (std::size_t i = 6; i < 10; ++i)
    f.version = (f.version << 8) | static_cast<unsigned char>(blob[i]);
  std::vector<std::string> fields = split_strings(std::string_view(blob).substr(10));
  REQUIRE(fields.size() == 5);
  f.public_key = fields[0];
  f.sig_namespace = fields[1];
  f.reserved = fields[2];
  f.hash_algorithm = fields[3];
  std::vector<std::string> sig = split_strings(fields[4]);
  REQUIRE(sig.size() == 2);
  f.sig_algorithm = sig[0];
  f.signature = sig[1];
  REQUIRE(f.build() == blob);
  return f;
}

// The base64 body of an armored signature, decoded (base64_decode has its own tests).
std::string armored_to_blob(const std::string& armored) {
  std::string body;
  std::size_t start = armored.find('\n') + 1;
  std::size_t end = armored.find("-----END");
  REQUIRE(end != std::string::npos);
  for (char c : armored.substr(start, end - start))
    if (c != '\n')
      body.push_back(c);
  std::optional<std::string> blob = base64_decode(body);
  REQUIRE(blob);
  return *blob;
}

// --- keys and signatures made by ssh-keygen -----------------------------------------------------

struct Key {
  std::string name;  // "ed25519", "ecdsa256", ...
  std::string type;  // "ssh-ed25519", ...
  fs::path path;     // the private key; the public key is path + ".pub"
  std::string pub_line() const { return read_file(path.string() + ".pub"); }
  std::string blob() const {
    std::string line = pub_line();
    std::size_t a = line.find(' ') + 1;
    std::optional<std::string> decoded = base64_decode(line.substr(a, line.find(' ', a) - a));
    REQUIRE(decoded);
    return *decoded;
  }
};

// Keys are generated once per test run: RSA key generation takes a while.
class Keys {
 public:
  Keys() {
    add("ed25519", "ssh-ed25519", {"-t", "ed25519"});
    add("ed25519-b", "ssh-ed25519", {"-t", "ed25519"});
    add("ecdsa256", "ecdsa-sha2-nistp256", {"-t", "ecdsa", "-b", "256"});
    add("ecdsa384", "ecdsa-sha2-nistp384", {"-t", "ecdsa", "-b", "384"});
    add("ecdsa521", "ecdsa-sha2-nistp521", {"-t", "ecdsa", "-b", "521"});
    add("rsa3072", "ssh-rsa", {"-t", "rsa", "-b", "3072"});
  }
  const Key& get(const std::string& name) const { return keys_.at(name); }
  // The five supported types, one key each.
  std::vector<Key> each_type() const {
    return {get("ed25519"), get("ecdsa256"), get("ecdsa384"), get("ecdsa521"), get("rsa3072")};
  }
  const fs::path& dir() const { return dir_.path(); }

  Key add(const std::string& name, const std::string& type, std::vector<std::string> args) {
    Key key{name, type, dir_.path() / name};
    std::vector<std::string> argv = {
        "ssh-keygen", "-N", "", "-q", "-C", name + "@example.com", "-f", key.path.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    run_ok(argv, dir_.path());
    keys_[name] = key;
    return key;
  }

 private:
  TempDir dir_;
  std::map<std::string, Key> keys_;
};

Keys& keys() {
  static Keys instance;
  return instance;
}

std::string sign_armored(const Key& key, std::string_view sig_namespace, const std::string& message,
                         std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {
      "ssh-keygen", "-Y", "sign", "-n", std::string(sig_namespace), "-f", key.path.string()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return run_ok(argv, keys().dir(), message);
}

std::string sign(const Key& key, std::string_view sig_namespace = kNamespace,
                 const std::string& message = kMessage, std::vector<std::string> extra = {}) {
  return armored_to_blob(sign_armored(key, sig_namespace, message, std::move(extra)));
}

// decode + verify, the way the review stage uses them.
bool verifies(const std::string& blob, const std::string& message = kMessage,
              std::string_view expected_namespace = kNamespace, std::string* error = nullptr) {
  std::string why;
  std::optional<SshSignature> sig = decode_sshsig(blob, &why);
  if (sig)
    return verify_sshsig(*sig, message, expected_namespace, error ? error : &why);
  if (error)
    *error = why;
  return false;
}

// Decoding must fail with a non-empty reason.
std::string decode_error(const std::string& blob) {
  std::string error;
  std::optional<SshSignature> sig = decode_sshsig(blob, &error);
  CHECK_FALSE(sig);
  CHECK_FALSE(error.empty());
  return error;
}

std::string public_key_error(const std::string& line) {
  std::string error;
  std::optional<PublicKey> key = parse_public_key(line, &error);
  CHECK_FALSE(key);
  CHECK_FALSE(error.empty());
  return error;
}

}  // namespace

TEST_CASE("ssh::verify_sshsig", "[ssh]") {
  SECTION("every key type verifies over the exact message") {
    for (const Key& key : keys().each_type()) {
      INFO(key.name);
      std::string blob = sign(key);
      std::string error;
      CHECK(verifies(blob, kMessage, kNamespace, &error));
      CHECK(error.empty());
    }
  }

  SECTION("every key type verifies with the sha256 message hash too") {
    for (const Key& key : keys().each_type()) {
      INFO(key.name);
      std::string blob = sign(key, kNamespace, kMessage, {"-O", "hashalg=sha256"});
      CHECK(split_sshsig(blob).hash_algorithm == "sha256");
      CHECK(verifies(blob));
    }
  }

  SECTION("an empty message verifies") {
    CHECK(verifies(sign(keys().get("ed25519"), kNamespace, ""), ""));
    CHECK_FALSE(verifies(sign(keys().get("ed25519"), kNamespace, ""), "\n"));
  }

  SECTION("a message with one byte changed does not verify") {
    for (const Key& key : keys().each_type()) {
      INFO(key.name);
      std::string blob = sign(key);
      for (std::size_t i : {std::size_t{0}, kMessage.size() / 2, kMessage.size() - 1}) {
        std::string changed = kMessage;
        changed[i] = static_cast<char>(changed[i] ^ 0x01);
        std::string error;
        CHECK_FALSE(verifies(blob, changed, kNamespace, &error));
        CHECK(error == "signature does not verify");
      }
      CHECK_FALSE(verifies(blob, kMessage + "\n"));
      CHECK_FALSE(verifies(blob, kMessage.substr(0, kMessage.size() - 1)));
    }
  }

  SECTION("a signature for namespace git is refused where trailgate-review is expected") {
    std::string blob = sign(keys().get("ed25519"), "git");
    std::string error;
    CHECK_FALSE(verifies(blob, kMessage, kNamespace, &error));
    CHECK(error == "namespace is \"git\", expected \"trailgate-review\"");
    CHECK(verifies(blob, kMessage, "git"));
  }

  SECTION("a namespace rewritten in the blob does not verify") {
    SigFields f = split_sshsig(sign(keys().get("ecdsa256"), "git"));
    f.sig_namespace = std::string(kNamespace);
    CHECK_FALSE(verifies(f.build()));
  }

  SECTION("a message hash algorithm rewritten in the blob does not verify") {
    SigFields f = split_sshsig(sign(keys().get("ed25519")));
    REQUIRE(f.hash_algorithm == "sha512");
    f.hash_algorithm = "sha256";
    CHECK(decode_sshsig(f.build(), nullptr));
    CHECK_FALSE(verifies(f.build()));
  }

  SECTION("key A's signature presented with key B's public key does not verify") {
    std::vector<std::pair<std::string, std::string>> pairs = {
        {"ed25519", "ed25519-b"}, {"ecdsa256", "ed25519"}, {"rsa3072", "ecdsa384"}};
    for (const auto& [a, b] : pairs) {
      INFO(a << " signed, " << b << " presented");
      SigFields f = split_sshsig(sign(keys().get(a)));
      f.public_key = keys().get(b).blob();
      if (keys().get(a).type == keys().get(b).type) {
        CHECK(decode_sshsig(f.build(), nullptr));  // well formed, but the wrong key
        std::string error;
        CHECK_FALSE(verifies(f.build(), kMessage, kNamespace, &error));
        CHECK(error == "signature does not verify");
      } else {
        CHECK(decode_error(f.build()).find("does not fit") != std::string::npos);
      }
    }
  }

  SECTION("every one-byte change anywhere in a real blob is refused") {
    for (const Key& key : keys().each_type()) {
      INFO(key.name);
      std::string blob = sign(key);
      REQUIRE(verifies(blob));
      for (std::size_t i = 0; i < blob.size(); ++i) {
        std::string changed = blob;
        changed[i] = static_cast<char>(changed[i] ^ 0x40);
        INFO("byte " << i);
        CHECK_FALSE(verifies(changed));
      }
    }
  }

  SECTION("a non-empty reserved field is ignored, as OpenSSH does") {
    SigFields f = split_sshsig(sign(keys().get("ed25519")));
    f.reserved = "future use";
    CHECK(verifies(f.build()));
  }

  SECTION("an rsa-sha2-256 signature verifies, and ssh-keygen agrees it is a valid SSHSIG") {
    const Key& key = keys().get("rsa3072");
    fs::path pem = keys().dir() / "rsa3072.pem";
    fs::copy_file(key.path, pem, fs::copy_options::overwrite_existing);
    run_ok({"ssh-keygen", "-p", "-q", "-m", "PEM", "-N", "", "-P", "", "-f", pem.string()},
           keys().dir());
    // What is signed (PROTOCOL.sshsig), hashed here with the openssl tool.
    std::string message_hash =
        run_ok({"openssl", "dgst", "-sha512", "-binary"}, keys().dir(), kMessage);
    REQUIRE(message_hash.size() == 64);
    std::string signed_data =
        "SSHSIG" + str(kNamespace) + str("") + str("sha512") + str(message_hash);
    std::string raw =
        run_ok({"openssl", "dgst", "-sha256", "-sign", pem.string()}, keys().dir(), signed_data);
    REQUIRE(raw.size() == 384);

    SigFields f;
    f.public_key = key.blob();
    f.sig_namespace = std::string(kNamespace);
    f.hash_algorithm = "sha512";
    f.sig_algorithm = "rsa-sha2-256";
    f.signature = raw;
    std::string blob = f.build();
    CHECK(verifies(blob));
    CHECK_FALSE(verifies(blob, kMessage + "x"));

    std::string armored =
        "-----BEGIN SSH SIGNATURE-----\n" + base64_encode(blob) + "\n-----END SSH SIGNATURE-----\n";
    write_file(keys().dir() / "rsa256.sig", armored);
    trailgate::testing::ProcessResult openssh =
        run({"ssh-keygen", "-Y", "check-novalidate", "-n", std::string(kNamespace), "-s",
             (keys().dir() / "rsa256.sig").string()},
            keys().dir(), kMessage);
    CHECK(openssh.exit_code == 0);

    SECTION("the same bytes labelled rsa-sha2-512 do not verify") {
      f.sig_algorithm = "rsa-sha2-512";
      CHECK_FALSE(verifies(f.build()));
    }
  }

  SECTION("an RSA signature stripped of its leading zero bytes still verifies, as in OpenSSH") {
    const Key& key = keys().get("rsa3072");
    // About 1 in 256 signatures starts with a zero byte; sign until one does.
    std::optional<SigFields> found;
    for (int i = 0; i < 2000 && !found; ++i) {
      std::string message = kMessage + std::to_string(i);
      SigFields f = split_sshsig(sign(key, kNamespace, message));
      if (f.signature[0] == '\0') {
        f.signature.erase(0, 1);
        REQUIRE(verifies(f.build(), message));
        CHECK_FALSE(verifies(f.build(), kMessage));
        found = f;
      }
    }
    if (!found)
      WARN("no RSA signature with a leading zero byte in 2000 tries; nothing checked");
  }

  SECTION("a hand-made SshSignature is checked again, not trusted") {
    std::string blob = sign(keys().get("ed25519"));
    std::optional<SshSignature> good = decode_sshsig(blob, nullptr);
    REQUIRE(good);
    REQUIRE(verify_sshsig(*good, kMessage, kNamespace, nullptr));

    SshSignature sig = *good;
    sig.key_type = "ssh-rsa";
    CHECK_FALSE(verify_sshsig(sig, kMessage, kNamespace, nullptr));
    sig = *good;
    sig.hash_algorithm = "sha1";
    CHECK_FALSE(verify_sshsig(sig, kMessage, kNamespace, nullptr));
    sig = *good;
    sig.signature_algorithm = "ecdsa-sha2-nistp256";
    CHECK_FALSE(verify_sshsig(sig, kMessage, kNamespace, nullptr));
    sig = *good;
    sig.signature.pop_back();
    CHECK_FALSE(verify_sshsig(sig, kMessage, kNamespace, nullptr));
    sig = *good;
    sig.public_key += "x";
    CHECK_FALSE(verify_sshsig(sig, kMessage, kNamespace, nullptr));
    sig = *good;
    sig.sig_namespace = "";
    std::string error;
    CHECK_FALSE(verify_sshsig(sig, kMessage, "", &error));
    CHECK_FALSE(error.empty());
    CHECK_FALSE(verify_sshsig(SshSignature{}, "", "", &error));
  }
}

TEST_CASE("ssh::decode_sshsig", "[ssh]") {
  SECTION("the fields of ssh-keygen's blob for every key type") {
    for (const Key& key : keys().each_type()) {
      INFO(key.name);
      std::string error;
      std::optional<SshSignature> sig = decode_sshsig(sign(key), &error);
      REQUIRE(sig);
      CHECK(error.empty());
      CHECK(sig->public_key == key.blob());
      CHECK(sig->key_type == key.type);
      CHECK(sig->sig_namespace == kNamespace);
      CHECK(sig->hash_algorithm == "sha512");
      CHECK(sig->signature_algorithm == (key.type == "ssh-rsa" ? "rsa-sha2-512" : key.type));
      if (key.type == "ssh-ed25519")
        CHECK(sig->signature.size() == 64);
      if (key.type == "ssh-rsa")
        CHECK(sig->signature.size() == 384);
    }
  }

  SECTION("a blob truncated at every length is refused") {
    for (const Key& key : keys().each_type()) {
      INFO(key.name);
      std::string blob = sign(key);
      for (std::size_t n = 0; n < blob.size(); ++n) {
        INFO("length " << n);
        std::string error;
        CHECK_FALSE(decode_sshsig(blob.substr(0, n), &error));
        CHECK_FALSE(error.empty());
      }
      CHECK(decode_error(blob.substr(0, blob.size() - 1)).starts_with("truncated"));
    }
  }

  SECTION("random bytes are refused") {
    std::mt19937 rng(20250615);
    std::string header = "SSHSIG" + u32(1);
    for (int i = 0; i < 3000; ++i) {
      std::string bytes(rng() % 200, '\0');
      for (char& c : bytes)
        c = static_cast<char>(rng() & 0xff);
      if (i % 2 == 1)
        bytes = header + bytes;  // get past the magic and version
      CHECK_FALSE(decode_sshsig(bytes, nullptr));
    }
  }

  SECTION("random small lengths inside a well-formed skeleton are refused or fail to verify") {
    std::mt19937 rng(7);
    SigFields f = split_sshsig(sign(keys().get("ed25519")));
    std::string blob = f.build();
    for (int i = 0; i < 2000; ++i) {
      std::string changed = blob;
      std::size_t at = rng() % (changed.size() - 4);
      std::string length = u32(rng() % 64);
      changed.replace(at, 4, length);
      if (changed == blob)
        continue;
      CHECK_FALSE(verifies(changed));
    }
  }

  SECTION("the magic must be SSHSIG") {
    SigFields f = split_sshsig(sign(keys().get("ed25519")));
    f.magic = "SSHSIH";
    CHECK(decode_error(f.build()).find("SSHSIG") != std::string::npos);
  }

  SECTION("trailing bytes after the blob are refused") {
    std::string blob = sign(keys().get("ed25519"));
    CHECK(decode_error(blob + std::string(1, '\0')).find("trailing") != std::string::npos);
    CHECK(decode_error(blob + str("")).find("trailing") != std::string::npos);
  }

  SECTION("versions other than 1 are refused") {
    SigFields f = split_sshsig(sign(keys().get("ed25519")));
    for (std::uint32_t version : {0u, 2u, 0x01000000u, 0xffffffffu}) {
      f.version = version;
      INFO(version);
      CHECK(decode_error(f.build()).find("version") != std::string::npos);
    }
  }

  SECTION("an empty namespace is refused") {
    SigFields f = split_sshsig(sign(keys().get("ed25519")));
    f.sig_namespace = "";
    CHECK(decode_error(f.build()).find("namespace") != std::string::npos);
  }

  SECTION("hash algorithms other than sha256 and sha512 are refused") {
    SigFields f = split_sshsig(sign(keys().get("ed25519")));
    for (const std::string& hash :
         std::vector<std::string>{"sha1", "SHA256", "sha384", "", std::string("sha256\0", 7)}) {
      f.hash_algorithm = hash;
      INFO(hash);
      CHECK(decode_error(f.build()).find("hash algorithm") != std::string::npos);
    }
  }

  SECTION("an RSA signature relabelled ssh-rsa (SHA-1) is refused") {
    SigFields f = split_sshsig(sign(keys().get("rsa3072")));
    REQUIRE(f.sig_algorithm == "rsa-sha2-512");
    f.sig_algorithm = "ssh-rsa";
    CHECK(decode_error(f.build()).find("SHA-1") != std::string::npos);
  }

  SECTION("a signature algorithm that does not fit the key type is refused") {
    std::vector<std::pair<std::string, std::string>> cases = {
        {"ecdsa256", "ssh-ed25519"},         {"ecdsa256", "ecdsa-sha2-nistp384"},
        {"ed25519", "ecdsa-sha2-nistp256"},  {"ed25519", "rsa-sha2-512"},
        {"rsa3072", "ssh-ed25519"},          {"rsa3072", "rsa-sha2-384"},
        {"ecdsa521", "ecdsa-sha2-nistp256"}, {"ed25519", ""}};
    for (const auto& [name, sig_algorithm] : cases) {
      INFO(name << " key, " << sig_algorithm);
      SigFields f = split_sshsig(sign(keys().get(name)));
      f.sig_algorithm = sig_algorithm;
      CHECK(decode_error(f.build()).find("does not fit") != std::string::npos);
    }
  }

  SECTION("an ecdsa key blob whose curve does not match its type is refused") {
    SigFields f = split_sshsig(sign(keys().get("ecdsa256")));
    std::vector<std::string> key = split_strings(f.public_key);
    REQUIRE(key.size() == 3);
    REQUIRE(key[1] == "nistp256");
    f.public_key = str(key[0]) + str("nistp384") + str(key[2]);
    CHECK(decode_error(f.build()).find("curve") != std::string::npos);
  }

  SECTION("an ecdsa point that is compressed, cut short or off the curve is refused") {
    SigFields f = split_sshsig(sign(keys().get("ecdsa256")));
    std::vector<std::string> key = split_strings(f.public_key);
    std::string point = key[2];
    REQUIRE(point.size() == 65);
    f.public_key = str(key[0]) + str(key[1]) + str(point.substr(0, 33));
    decode_error(f.build());
    f.public_key = str(key[0]) + str(key[1]) + str("\x03" + point.substr(1, 32));
    decode_error(f.build());
    std::string off_curve = point;
    off_curve[64] = static_cast<char>(off_curve[64] ^ 1);
    f.public_key = str(key[0]) + str(key[1]) + str(off_curve);
    CHECK_FALSE(verifies(f.build()));
  }

  SECTION("trailing bytes inside the key blob or the signature blob are refused") {
    for (const Key& key : keys().each_type()) {
      INFO(key.name);
      SigFields f = split_sshsig(sign(key));
      SigFields g = f;
      g.public_key += std::string(1, '\0');
      CHECK(decode_error(g.build()).find("trailing") != std::string::npos);
      g = f;
      std::string blob = g.build();
      // The signature blob is the last field: grow it by one byte without touching its strings.
      std::string sig_blob = g.signature_blob() + "x";
      blob = g.magic + u32(1) + str(g.public_key) + str(g.sig_namespace) + str(g.reserved) +
             str(g.hash_algorithm) + str(sig_blob);
      CHECK(decode_error(blob).find("trailing") != std::string::npos);
    }
  }

  SECTION("malformed signature bytes are refused") {
    SigFields f = split_sshsig(sign(keys().get("ed25519")));
    f.signature.pop_back();
    CHECK(decode_error(f.build()).find("64") != std::string::npos);

    SigFields e = split_sshsig(sign(keys().get("ecdsa384")));
    std::vector<std::string> rs = split_strings(e.signature);
    REQUIRE(rs.size() == 2);
    SigFields g = e;
    g.signature = str(rs[0]) + str(rs[1]) + str("");  // a third integer
    decode_error(g.build());
    g.signature = str(rs[0]);  // s missing
    decode_error(g.build());
    g.signature = str("\x80" + rs[0].substr(1)) + str(rs[1]);  // negative r
    decode_error(g.build());

    SigFields r = split_sshsig(sign(keys().get("rsa3072")));
    r.signature += "x";  // longer than the modulus
    decode_error(r.build());
    r.signature = "";
    decode_error(r.build());
  }

  SECTION("unsupported key types in the blob are refused: FIDO, certificates, DSA") {
    SigFields f = split_sshsig(sign(keys().get("ed25519")));
    std::string pk = split_strings(f.public_key)[1];
    f.public_key = str("sk-ssh-ed25519@openssh.com") + str(pk) + str("ssh:");
    f.sig_algorithm = "sk-ssh-ed25519@openssh.com";
    CHECK(decode_error(f.build()).find("FIDO") != std::string::npos);
    f.public_key = str("ssh-ed25519-cert-v01@openssh.com") + str("nonce") + str(pk);
    f.sig_algorithm = "ssh-ed25519";
    CHECK(decode_error(f.build()).find("certificate") != std::string::npos);
    f.public_key = str("ssh-dss") + str("p") + str("q") + str("g") + str("y");
    f.sig_algorithm = "ssh-dss";
    CHECK(decode_error(f.build()).find("unsupported key type") != std::string::npos);
  }

  SECTION("an RSA key under 2048 bits is refused, saying so") {
    Key weak = keys().add("rsa1024", "ssh-rsa", {"-t", "rsa", "-b", "1024"});
    std::string error = decode_error(sign(weak));
    CHECK(error.find("2048") != std::string::npos);
    CHECK(error.find("1024") != std::string::npos);
  }
}

TEST_CASE("ssh::dearmor_sshsig", "[ssh]") {
  std::string armored = sign_armored(keys().get("ed25519"), kNamespace, kMessage);
  REQUIRE(armored.starts_with("-----BEGIN SSH SIGNATURE-----\n"));
  std::string blob = armored_to_blob(armored);

  SECTION("ssh-keygen's armor gives back the blob") {
    std::string error;
    std::optional<std::string> got = dearmor_sshsig(armored, &error);
    REQUIRE(got);
    CHECK(*got == blob);
    CHECK(verifies(*got));
  }

  SECTION("CRLF line endings and a missing final newline are accepted") {
    std::string crlf;
    for (char c : armored) {
      if (c == '\n')
        crlf += '\r';
      crlf += c;
    }
    CHECK(dearmor_sshsig(crlf, nullptr) == blob);
    std::string trimmed = armored.substr(0, armored.size() - 1);
    CHECK(dearmor_sshsig(trimmed, nullptr) == blob);
  }

  SECTION("broken armor is refused") {
    auto refused = [](const std::string& text) {
      std::string error;
      CHECK_FALSE(dearmor_sshsig(text, &error));
      CHECK_FALSE(error.empty());
    };
    refused("");
    refused(" " + armored);                                // header not at the start
    refused(armored.substr(0, armored.find("-----END")));  // no footer
    refused(armored + "trailing text\n");
    std::string body_space = armored;
    body_space.insert(armored.find('\n') + 5, " ");
    refused(body_space);
    std::string bad_char = armored;
    bad_char[armored.find('\n') + 5] = '*';
    refused(bad_char);
    std::string pgp = armored;
    pgp.replace(0, 29, "-----BEGIN PGP SIGNATURE-----");
    refused(pgp);
  }
}

TEST_CASE("ssh::base64", "[ssh]") {
  SECTION("RFC 4648 test vectors") {
    std::vector<std::pair<std::string, std::string>> vectors = {{"", ""},
                                                                {"f", "Zg=="},
                                                                {"fo", "Zm8="},
                                                                {"foo", "Zm9v"},
                                                                {"foob", "Zm9vYg=="},
                                                                {"fooba", "Zm9vYmE="},
                                                                {"foobar", "Zm9vYmFy"}};
    for (const auto& [plain, encoded] : vectors) {
      CHECK(base64_encode(plain) == encoded);
      CHECK(base64_decode(encoded) == plain);
    }
  }

  SECTION("every byte value and every length round-trips") {
    std::mt19937 rng(42);
    std::string all;
    for (int b = 0; b < 256; ++b)
      all.push_back(static_cast<char>(b));
    CHECK(base64_decode(base64_encode(all)) == all);
    for (std::size_t n = 0; n < 300; ++n) {
      std::string bytes(n, '\0');
      for (char& c : bytes)
        c = static_cast<char>(rng() & 0xff);
      std::string encoded = base64_encode(bytes);
      CHECK(encoded.size() == (n + 2) / 3 * 4);
      CHECK(base64_decode(encoded) == bytes);
    }
  }

  SECTION("agrees with coreutils base64") {
    std::string bytes = kMessage + std::string(200, '\x9c');
    std::string expected = run_ok({"base64", "-w", "0"}, keys().dir(), bytes);
    CHECK(base64_encode(bytes) == expected);
  }

  SECTION("strict decoding refuses") {
    for (const std::string& bad : std::vector<std::string>{
             "Zm9v\n",   "Zm 9v", " Zm9v",  "Zm9v\r",                 // whitespace
             "Zg",       "Zm8",   "Zm9vYg", "Z",                      // missing padding
             "Zm9*",     "Zm9-",  "Zm9_",   std::string("Zm\0v", 4),  // outside the alphabet
             "Zg==Zm9v", "Zg=a",  "Z===",   "====",
             "Zg===",                      // padding in the wrong place
             "Zh==",     "Zm9=",  "Zm+=",  // non-zero trailing bits
         }) {
      INFO("\"" << bad << "\"");
      CHECK_FALSE(base64_decode(bad));
    }
    CHECK(base64_decode("Zg==") == "f");
    CHECK(base64_decode("Zm8=") == "fo");
  }
}

TEST_CASE("ssh::parse_public_key", "[ssh]") {
  SECTION("the .pub file of every key type") {
    for (const Key& key : keys().each_type()) {
      INFO(key.name);
      std::string error;
      std::optional<PublicKey> parsed = parse_public_key(key.pub_line(), &error);
      REQUIRE(parsed);
      CHECK(error.empty());
      CHECK(parsed->type == key.type);
      CHECK(parsed->blob == key.blob());
      CHECK(parsed->comment == key.name + "@example.com");
    }
  }

  SECTION("fingerprint() matches ssh-keygen -l for every key type") {
    for (const Key& key : keys().each_type()) {
      INFO(key.name);
      std::string listed = run_ok(
          {"ssh-keygen", "-l", "-E", "sha256", "-f", key.path.string() + ".pub"}, keys().dir());
      // "3072 SHA256:abc... rsa3072@example.com (RSA)"
      std::size_t at = listed.find(' ') + 1;
      std::string expected = listed.substr(at, listed.find(' ', at) - at);
      REQUIRE(expected.starts_with("SHA256:"));
      CHECK(fingerprint(key.blob()) == expected);
    }
  }

  SECTION("a key with no comment, and a comment with spaces") {
    const Key& key = keys().get("ecdsa384");
    std::string line = key.pub_line();
    std::string bare = line.substr(0, line.rfind(' '));
    std::optional<PublicKey> parsed = parse_public_key(bare, nullptr);
    REQUIRE(parsed);
    CHECK(parsed->comment.empty());
    CHECK(parsed->blob == key.blob());
    parsed = parse_public_key(bare + "  Alice  Example (laptop) \n", nullptr);
    REQUIRE(parsed);
    CHECK(parsed->comment == "Alice  Example (laptop)");
  }

  SECTION("extra spaces and tabs around and between the fields") {
    const Key& key = keys().get("ed25519");
    std::string line = key.pub_line();
    std::size_t first = line.find(' ');
    std::size_t second = line.find(' ', first + 1);
    std::string spaced = "  \t" + line.substr(0, first) + "   \t " +
                         line.substr(first + 1, second - first - 1) + " \t  " +
                         line.substr(second + 1, line.size() - second - 2) + "  \r\n";
    std::optional<PublicKey> parsed = parse_public_key(spaced, nullptr);
    REQUIRE(parsed);
    CHECK(parsed->type == "ssh-ed25519");
    CHECK(parsed->blob == key.blob());
    CHECK(parsed->comment == "ed25519@example.com");
  }

  SECTION("a type field that disagrees with the key blob") {
    std::string ed = base64_encode(keys().get("ed25519").blob());
    std::string error = public_key_error("ssh-rsa " + ed + " x");
    CHECK(error.find("ssh-rsa") != std::string::npos);
    CHECK(error.find("ssh-ed25519") != std::string::npos);
    public_key_error("ecdsa-sha2-nistp384 " + base64_encode(keys().get("ecdsa256").blob()));
  }

  SECTION("FIDO keys are refused as unsupported") {
    std::string pk = split_strings(keys().get("ed25519").blob())[1];
    std::string blob = str("sk-ssh-ed25519@openssh.com") + str(pk) + str("ssh:");
    std::string error =
        public_key_error("sk-ssh-ed25519@openssh.com " + base64_encode(blob) + " yubikey");
    CHECK(error.find("not supported") != std::string::npos);
    CHECK(error.find("sk-ssh-ed25519@openssh.com") != std::string::npos);
    // The same blob under a supported type name is refused too.
    public_key_error("ssh-ed25519 " + base64_encode(blob));
  }

  SECTION("a certificate made by ssh-keygen is refused") {
    fs::path ca = keys().dir() / "ca";
    run_ok({"ssh-keygen", "-t", "ed25519", "-N", "", "-q", "-f", ca.string()}, keys().dir());
    fs::path user = keys().dir() / "ed25519.pub";
    fs::path user_copy = keys().dir() / "certified.pub";
    fs::copy_file(user, user_copy, fs::copy_options::overwrite_existing);
    run_ok(
        {"ssh-keygen", "-q", "-s", ca.string(), "-I", "alice", "-n", "alice", user_copy.string()},
        keys().dir());
    std::string cert = read_file(keys().dir() / "certified-cert.pub");
    REQUIRE(cert.starts_with("ssh-ed25519-cert-v01@openssh.com "));
    CHECK(public_key_error(cert).find("certificates are not supported") != std::string::npos);
  }

  SECTION("malformed lines are refused") {
    std::string ed = base64_encode(keys().get("ed25519").blob());
    public_key_error("");
    public_key_error("   \n");
    public_key_error("ssh-ed25519");
    public_key_error("ssh-ed25519   ");
    public_key_error("ssh-dss " + ed);
    public_key_error("ed25519 " + ed);
    public_key_error("ssh-ed25519 " + ed.substr(0, ed.size() - 1));             // missing padding
    public_key_error("ssh-ed25519 " + ed.substr(0, ed.size() - 4));             // truncated blob
    public_key_error("ssh-ed25519 " + ed.substr(0, 20) + "*" + ed.substr(21));  // bad char
    public_key_error("ssh-ed25519 " +
                     base64_encode(keys().get("ed25519").blob() + std::string(1, '\0')));
    public_key_error("from=\"10.0.0.1\" ssh-ed25519 " + ed);  // authorized_keys options
  }

  SECTION("RSA keys with a negative modulus or an exponent that is even or 1 are refused") {
    std::vector<std::string> fields = split_strings(keys().get("rsa3072").blob());
    REQUIRE(fields.size() == 3);
    const std::string& n = fields[2];
    auto line = [](const std::string& e, const std::string& modulus) {
      return "ssh-rsa " + base64_encode(str("ssh-rsa") + str(e) + str(modulus));
    };
    REQUIRE(parse_public_key(line(fields[1], n), nullptr));
    REQUIRE(parse_public_key(line(std::string("\x01\x00\x01", 3), n), nullptr));  // 65537
    public_key_error(line("\x01", n));
    public_key_error(line(std::string("\x01\x00\x00", 3), n));  // 65536
    public_key_error(line("", n));
    public_key_error(line("\x81", n));  // negative
    REQUIRE(n[0] == '\0');              // the modulus carries its sign byte
    public_key_error(line(fields[1], n.substr(1)));
  }

  SECTION("an RSA key under 2048 bits is refused, saying so") {
    Key weak = keys().add("rsa1024-pub", "ssh-rsa", {"-t", "rsa", "-b", "1024"});
    std::string error = public_key_error(weak.pub_line());
    CHECK(error.find("2048") != std::string::npos);
  }
}

TEST_CASE("ssh::verifying_key: a roster key is imported once and shared", "[ssh]") {
  using trailgate::ssh::import_verifying_key;
  using trailgate::ssh::sshsig_message_digest;
  using trailgate::ssh::verify_sshsig_digest;
  using trailgate::ssh::verifying_key;
  using trailgate::ssh::VerifyingKey;

  auto digest_of = [](const SshSignature& sig, const std::string& message) {
    std::optional<std::string> digest = sshsig_message_digest(sig.hash_algorithm, message);
    REQUIRE(digest);
    return *digest;
  };

  SECTION("every key type: one import for the key and its copies, and it verifies") {
    for (const Key& key : keys().each_type()) {
      INFO(key.name);
      std::optional<PublicKey> roster = parse_public_key(key.pub_line(), nullptr);
      REQUIRE(roster);
      REQUIRE(roster->import);
      std::string error;
      std::shared_ptr<const VerifyingKey> first = verifying_key(*roster, &error);
      REQUIRE(first);
      CHECK(error.empty());
      const PublicKey copy = *roster;
      CHECK(verifying_key(*roster, nullptr) == first);
      CHECK(verifying_key(copy, nullptr) == first);

      std::optional<SshSignature> sig = decode_sshsig(sign(key), nullptr);
      REQUIRE(sig);
      CHECK(verify_sshsig_digest(*sig, *first, digest_of(*sig, kMessage), kNamespace, &error));
      CHECK(error.empty());
      CHECK_FALSE(
          verify_sshsig_digest(*sig, *first, digest_of(*sig, kMessage + "x"), kNamespace, &error));
      CHECK(error == "signature does not verify");
      CHECK_FALSE(verify_sshsig_digest(*sig, *first, digest_of(*sig, kMessage), "git", &error));
      CHECK(error == "namespace is \"trailgate-review\", expected \"git\"");
    }
  }

  SECTION("a signature by another key is refused by an imported key, even of the same type") {
    std::optional<PublicKey> b = parse_public_key(keys().get("ed25519-b").pub_line(), nullptr);
    REQUIRE(b);
    std::shared_ptr<const VerifyingKey> key_b = verifying_key(*b, nullptr);
    REQUIRE(key_b);
    std::optional<SshSignature> by_a = decode_sshsig(sign(keys().get("ed25519")), nullptr);
    REQUIRE(by_a);
    std::string error;
    CHECK_FALSE(
        verify_sshsig_digest(*by_a, *key_b, digest_of(*by_a, kMessage), kNamespace, &error));
    CHECK(error == "the signature was not made with this key");

    SECTION("also when the signature claims key B's blob") {
      SshSignature forged = *by_a;
      forged.public_key = b->blob;
      CHECK_FALSE(
          verify_sshsig_digest(forged, *key_b, digest_of(forged, kMessage), kNamespace, &error));
      CHECK(error == "signature does not verify");
    }
  }

  SECTION("a copy whose blob was changed gets its own import, never the shared one") {
    std::optional<PublicKey> a = parse_public_key(keys().get("ed25519").pub_line(), nullptr);
    REQUIRE(a);
    std::shared_ptr<const VerifyingKey> key_a = verifying_key(*a, nullptr);
    REQUIRE(key_a);
    PublicKey changed = *a;
    changed.blob = keys().get("ed25519-b").blob();
    std::shared_ptr<const VerifyingKey> key_changed = verifying_key(changed, nullptr);
    REQUIRE(key_changed);
    CHECK(key_changed != key_a);
    std::optional<SshSignature> by_b = decode_sshsig(sign(keys().get("ed25519-b")), nullptr);
    REQUIRE(by_b);
    CHECK(
        verify_sshsig_digest(*by_b, *key_changed, digest_of(*by_b, kMessage), kNamespace, nullptr));
    CHECK_FALSE(
        verify_sshsig_digest(*by_b, *key_a, digest_of(*by_b, kMessage), kNamespace, nullptr));
  }

  SECTION("a PublicKey made by hand (no import slot) imports on every call") {
    PublicKey by_hand{"ssh-ed25519", keys().get("ed25519").blob(), "", nullptr};
    std::shared_ptr<const VerifyingKey> one = verifying_key(by_hand, nullptr);
    std::shared_ptr<const VerifyingKey> two = verifying_key(by_hand, nullptr);
    REQUIRE(one);
    REQUIRE(two);
    CHECK(one != two);
  }

  SECTION("an ecdsa point off its curve is refused at import, and the refusal is kept") {
    std::vector<std::string> fields = split_strings(keys().get("ecdsa256").blob());
    REQUIRE(fields.size() == 3);
    std::string point = fields[2];
    point.back() = static_cast<char>(point.back() ^ 0x01);  // y no longer fits x
    const std::string blob = str(fields[0]) + str(fields[1]) + str(point);
    std::string error;
    CHECK_FALSE(import_verifying_key(blob, &error));
    CHECK_FALSE(error.empty());

    PublicKey roster{"ecdsa-sha2-nistp256", blob, "",
                     std::make_shared<trailgate::ssh::KeyImport>()};
    error.clear();
    CHECK_FALSE(verifying_key(roster, &error));
    CHECK_FALSE(error.empty());
    std::string again;
    CHECK_FALSE(verifying_key(roster, &again));
    CHECK(again == error);
    CHECK_FALSE(import_verifying_key("not a key", &error));
  }

  SECTION("threads share one import and verify with it at once") {
    for (const std::string name : {"ed25519", "rsa3072", "ecdsa384"}) {
      INFO(name);
      std::optional<PublicKey> roster = parse_public_key(keys().get(name).pub_line(), nullptr);
      REQUIRE(roster);
      std::optional<SshSignature> sig = decode_sshsig(sign(keys().get(name)), nullptr);
      REQUIRE(sig);
      const std::string good = digest_of(*sig, kMessage);
      const std::string bad = digest_of(*sig, kMessage + "x");
      constexpr int kThreads = 4;
      constexpr int kRounds = 40;
      std::vector<std::shared_ptr<const VerifyingKey>> seen(kThreads);
      std::vector<int> right(kThreads, 0);
      std::vector<std::thread> threads;
      for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
          seen[t] = verifying_key(*roster, nullptr);
          if (!seen[t])
            return;
          for (int i = 0; i < kRounds; ++i) {
            const bool want = (i + t) % 2 == 0;
            if (verify_sshsig_digest(*sig, *seen[t], want ? good : bad, kNamespace, nullptr) ==
                want)
              ++right[t];
          }
        });
      for (std::thread& thread : threads)
        thread.join();
      for (int t = 0; t < kThreads; ++t) {
        REQUIRE(seen[t]);
        CHECK(seen[t] == seen[0]);
        CHECK(right[t] == kRounds);
      }
    }
  }
}

TEST_CASE("ssh: ssh-ed25519 signatures are verified with libsodium, strictly", "[ssh]") {
  using trailgate::ssh::import_verifying_key;
  using trailgate::ssh::verifying_key;

  const Key& key = keys().get("ed25519");
  const SigFields good = split_sshsig(sign(key));
  REQUIRE(good.sig_algorithm == "ssh-ed25519");
  REQUIRE(good.signature.size() == 64);
  const std::string key_bytes = split_strings(key.blob()).at(1);
  REQUIRE(key_bytes.size() == 32);

  // What SSHSIG signs (PROTOCOL.sshsig), built here from the spec and not by src/ssh.
  auto sha512 = [](const std::string& message) {
    std::string digest(crypto_hash_sha512_BYTES, '\0');
    crypto_hash_sha512(reinterpret_cast<unsigned char*>(digest.data()),
                       reinterpret_cast<const unsigned char*>(message.data()), message.size());
    return digest;
  };
  auto signed_data = [&](const SigFields& f, const std::string& message) {
    return "SSHSIG" + str(f.sig_namespace) + str("") + str(f.hash_algorithm) + str(sha512(message));
  };
  // libsodium's own verdict on a signature over `message` with the raw key `pk`.
  auto sodium_verifies = [&](const SigFields& f, const std::string& pk,
                             const std::string& message) {
    REQUIRE(sodium_init() >= 0);
    const std::string data = signed_data(f, message);
    return f.signature.size() == 64 && pk.size() == 32 &&
           crypto_sign_ed25519_verify_detached(
               reinterpret_cast<const unsigned char*>(f.signature.data()),
               reinterpret_cast<const unsigned char*>(data.data()), data.size(),
               reinterpret_cast<const unsigned char*>(pk.data())) == 0;
  };
  auto with_key = [](const std::string& pk) { return str("ssh-ed25519") + str(pk); };

  SECTION("ssh-keygen's signature verifies, over exactly the bytes SSHSIG signs") {
    CHECK(sodium_verifies(good, key_bytes, kMessage));
    std::string error;
    CHECK(verifies(good.build(), kMessage, kNamespace, &error));
    CHECK(error.empty());
    std::optional<PublicKey> roster = parse_public_key(key.pub_line(), nullptr);
    REQUIRE(roster);
    REQUIRE(verifying_key(*roster, &error));
    std::optional<SshSignature> sig = decode_sshsig(good.build(), nullptr);
    REQUIRE(sig);
    CHECK(trailgate::ssh::verify_sshsig_digest(*sig, *verifying_key(*roster, nullptr),
                                               sha512(kMessage), kNamespace, &error));
    CHECK(error.empty());
  }

  SECTION("a tampered message is refused") {
    for (const std::string& message : {kMessage + "x", std::string("x") + kMessage.substr(1),
                                       kMessage.substr(0, kMessage.size() - 1)}) {
      std::string error;
      CHECK_FALSE(verifies(good.build(), message, kNamespace, &error));
      CHECK(error == "signature does not verify");
      CHECK_FALSE(sodium_verifies(good, key_bytes, message));
    }
  }

  SECTION("a tampered signature is refused: every bit of R and of S") {
    for (std::size_t bit = 0; bit < 64 * 8; ++bit) {
      SigFields f = good;
      f.signature[bit / 8] = static_cast<char>(f.signature[bit / 8] ^ (1 << (bit % 8)));
      INFO("bit " << bit);
      std::string error;
      CHECK_FALSE(verifies(f.build(), kMessage, kNamespace, &error));
      CHECK(error == "signature does not verify");
    }
  }

  SECTION("S + L (the same S, not reduced) is refused, though it satisfies the equation") {
    // L, the order of the base point, little-endian.
    const unsigned char order[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58,
                                     0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
                                     0,    0,    0,    0,    0,    0,    0,    0,
                                     0,    0,    0,    0,    0,    0,    0,    0x10};
    SigFields f = good;
    unsigned carry = 0;
    for (std::size_t i = 0; i < 32; ++i) {
      unsigned sum = static_cast<unsigned char>(f.signature[32 + i]) + order[i] + carry;
      f.signature[32 + i] = static_cast<char>(sum & 0xff);
      carry = sum >> 8;
    }
    REQUIRE(carry == 0);
    REQUIRE(f.signature != good.signature);
    std::string error;
    CHECK_FALSE(verifies(f.build(), kMessage, kNamespace, &error));
    CHECK(error == "signature does not verify");
  }

  SECTION("a signature by another ed25519 key is refused") {
    const SigFields by_b = split_sshsig(sign(keys().get("ed25519-b")));
    SigFields f = by_b;
    f.public_key = key.blob();  // B's signature, claiming A's key
    std::string error;
    CHECK_FALSE(verifies(f.build(), kMessage, kNamespace, &error));
    CHECK(error == "signature does not verify");
    CHECK_FALSE(sodium_verifies(by_b, key_bytes, kMessage));
  }

  SECTION("small-order and non-canonical public keys are refused, the all-zero key first") {
    std::string identity(32, '\0');
    identity[0] = 1;                    // y = 1: the neutral element
    std::string minus_one(32, '\xff');  // y = p - 1: the point of order 2
    minus_one[0] = static_cast<char>(0xec);
    minus_one[31] = 0x7f;
    std::string y_is_p(32, '\xff');  // y = p, a non-canonical 0
    y_is_p[0] = static_cast<char>(0xed);
    y_is_p[31] = 0x7f;
    for (const std::string& pk : {std::string(32, '\0'), identity, minus_one, y_is_p}) {
      INFO("key bytes start " << static_cast<int>(static_cast<unsigned char>(pk[0])));
      const std::string blob = with_key(pk);
      std::string error;
      CHECK_FALSE(import_verifying_key(blob, &error));
      CHECK(error.find("prime-order subgroup") != std::string::npos);

      // As a roster key: it parses (the policy loads) but never verifies anything.
      PublicKey roster{"ssh-ed25519", blob, "", std::make_shared<trailgate::ssh::KeyImport>()};
      error.clear();
      CHECK_FALSE(verifying_key(roster, &error));
      CHECK_FALSE(error.empty());

      // A key-universal forgery: R = the neutral element, S = 0. Under the bare equation
      // [S]B = R + [k]A it holds for the neutral key and every message.
      SigFields forged = good;
      forged.public_key = blob;
      forged.signature = identity + std::string(32, '\0');
      REQUIRE(decode_sshsig(forged.build(), nullptr));
      error.clear();
      CHECK_FALSE(verifies(forged.build(), kMessage, kNamespace, &error));
      CHECK(error.find("the signing key: ") == 0);
      CHECK_FALSE(verifies(forged.build(), "", kNamespace, nullptr));
      // libsodium refuses the forgery too, so the import check is not the only guard.
      CHECK_FALSE(sodium_verifies(forged, pk, kMessage));
    }
  }

  SECTION("one-byte changes to the signature agree with libsodium's own verdict") {
    std::mt19937 rng(17);
    for (int round = 0; round < 200; ++round) {
      SigFields f = good;
      const std::size_t at = rng() % 64;
      f.signature[at] = static_cast<char>(f.signature[at] ^ static_cast<char>(1 + rng() % 255));
      CHECK(verifies(f.build()) == sodium_verifies(f, key_bytes, kMessage));
      CHECK_FALSE(verifies(f.build()));
    }
  }
}
