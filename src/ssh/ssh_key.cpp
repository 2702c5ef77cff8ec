#include "ssh/ssh_key.h"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <array>
#include <cstring>

namespace trailgate::ssh {
namespace {

void set_error(std::string* error, std::string text) {
  if (error)
    *error = std::move(text);
}

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// 0-63 for alphabet characters, -1 for everything else (including '=').
constexpr std::array<signed char, 256> make_decode_table() {
  std::array<signed char, 256> table{};
  for (auto& v : table)
    v = -1;
  for (std::size_t i = 0; i < kAlphabet.size(); ++i)
    table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<signed char>(i);
  return table;
}
constexpr std::array<signed char, 256> kDecodeTable = make_decode_table();

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_space(s.back()))
    s.remove_suffix(1);
  return s;
}

// Splits off the first whitespace-delimited field of `s` (which must not start with space).
std::string_view take_field(std::string_view* s) {
  std::size_t end = 0;
  while (end < s->size() && !is_space((*s)[end]))
    ++end;
  std::string_view field = s->substr(0, end);
  s->remove_prefix(end);
  *s = trim(*s);
  return field;
}

struct CurveInfo {
  std::string_view type;
  std::string_view curve;
  std::size_t point_size;  // 1 + 2 * field size: an uncompressed point
};
constexpr std::array<CurveInfo, 3> kCurves = {{
    {"ecdsa-sha2-nistp256", "nistp256", 65},
    {"ecdsa-sha2-nistp384", "nistp384", 97},
    {"ecdsa-sha2-nistp521", "nistp521", 133},
}};

constexpr unsigned kMinRsaBits = 2048;
constexpr unsigned kMaxRsaBits = 16384;  // OpenSSH's own limit

bool is_certificate_type(std::string_view type) {
  return type.ends_with("-cert-v01@openssh.com") || type.ends_with("-cert-v00@openssh.com");
}

// The sentence for a type trailgate does not verify.
std::string unsupported_type(std::string_view type) {
  // fmt, not "\"" + std::string(...): GCC 12 at -O3 warns falsely (-Wrestrict) about the
  // inlined operator+ of a literal and a temporary string.
  const std::string quoted = fmt::format("\"{}\"", type);
  if (type.starts_with("sk-"))
    return "unsupported key type " + quoted +
           ": FIDO security keys (sk-*) are not supported; use an ssh-ed25519, ecdsa or RSA key";
  if (is_certificate_type(type))
    return "unsupported key type " + quoted +
           ": SSH certificates are not supported; use the plain public key";
  return "unsupported key type " + quoted +
         "; supported are ssh-ed25519, ecdsa-sha2-nistp256/384/521 and ssh-rsa";
}

bool is_supported_type(std::string_view type) {
  if (type == "ssh-ed25519" || type == "ssh-rsa")
    return true;
  for (const CurveInfo& c : kCurves)
    if (c.type == type)
      return true;
  return false;
}

}  // namespace

bool WireReader::read_uint32(std::uint32_t* out) {
  if (remaining() < 4)
    return false;
  const auto* p = reinterpret_cast<const unsigned char*>(data_.data() + pos_);
  *out = (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
  pos_ += 4;
  return true;
}

bool WireReader::read_bytes(std::size_t n, std::string_view* out) {
  if (remaining() < n)
    return false;
  *out = data_.substr(pos_, n);
  pos_ += n;
  return true;
}

bool WireReader::read_string(std::string_view* out) {
  std::size_t start = pos_;
  std::uint32_t length = 0;
  if (!read_uint32(&length) || !read_bytes(length, out)) {
    pos_ = start;
    return false;
  }
  return true;
}

bool WireReader::read_positive_mpint(std::string_view* out) {
  std::size_t start = pos_;
  std::string_view bytes;
  if (!read_string(&bytes))
    return false;
  if (!bytes.empty() && (static_cast<unsigned char>(bytes.front()) & 0x80) != 0) {
    pos_ = start;
    return false;
  }
  while (!bytes.empty() && bytes.front() == '\0')
    bytes.remove_prefix(1);
  *out = bytes;
  return true;
}

std::optional<KeyBlob> parse_key_blob(std::string_view blob, std::string* error) {
  WireReader in(blob);
  KeyBlob key;
  if (!in.read_string(&key.type)) {
    set_error(error, "truncated key blob: the key type runs past the end");
    return std::nullopt;
  }
  if (!is_supported_type(key.type)) {
    set_error(error, unsupported_type(key.type));
    return std::nullopt;
  }
  std::string type(key.type);

  if (key.type == "ssh-ed25519") {
    if (!in.read_string(&key.key)) {
      set_error(error, "truncated ssh-ed25519 key blob: the key runs past the end");
      return std::nullopt;
    }
    if (key.key.size() != 32) {
      set_error(error, "malformed ssh-ed25519 key blob: the key is " +
                           std::to_string(key.key.size()) + " bytes, expected 32");
      return std::nullopt;
    }
  } else if (key.type == "ssh-rsa") {
    if (!in.read_positive_mpint(&key.rsa_e) || !in.read_positive_mpint(&key.rsa_n)) {
      set_error(error,
                "malformed ssh-rsa key blob: the exponent or modulus is truncated or "
                "negative");
      return std::nullopt;
    }
    if (key.rsa_e.empty() || key.rsa_n.empty()) {
      set_error(error, "malformed ssh-rsa key blob: the exponent or modulus is zero");
      return std::nullopt;
    }
    // A real RSA exponent is odd and at least 3; e = 1 would make every signature forgeable.
    if ((static_cast<unsigned char>(key.rsa_e.back()) & 1) == 0 ||
        (key.rsa_e.size() == 1 && key.rsa_e.front() == '\x01')) {
      set_error(error, "malformed ssh-rsa key blob: the public exponent is even or 1");
      return std::nullopt;
    }
    unsigned top = static_cast<unsigned char>(key.rsa_n.front());
    unsigned top_bits = 0;
    while (top != 0) {
      ++top_bits;
      top >>= 1;
    }
    if (key.rsa_n.size() > kMaxRsaBits / 8) {
      set_error(error, "ssh-rsa key is larger than " + std::to_string(kMaxRsaBits) + " bits");
      return std::nullopt;
    }
    key.rsa_bits = static_cast<unsigned>((key.rsa_n.size() - 1) * 8) + top_bits;
    if (key.rsa_bits < kMinRsaBits) {
      set_error(error, "ssh-rsa key is too weak: " + std::to_string(key.rsa_bits) +
                           " bits, at least " + std::to_string(kMinRsaBits) + " are required");
      return std::nullopt;
    }
  } else {
    const CurveInfo* info = nullptr;
    for (const CurveInfo& c : kCurves)
      if (c.type == key.type)
        info = &c;
    if (!in.read_string(&key.curve) || !in.read_string(&key.key)) {
      set_error(error, "truncated " + type + " key blob: the curve or point runs past the end");
      return std::nullopt;
    }
    if (key.curve != info->curve) {
      set_error(error, "malformed " + type + " key blob: the curve is \"" + std::string(key.curve) +
                           "\", expected \"" + std::string(info->curve) + "\"");
      return std::nullopt;
    }
    if (key.key.size() != info->point_size || key.key.front() != '\x04') {
      set_error(error, "malformed " + type + " key blob: the point is not an uncompressed " +
                           std::to_string(info->point_size) + "-byte point");
      return std::nullopt;
    }
  }

  if (!in.at_end()) {
    set_error(error, "malformed " + type + " key blob: " + std::to_string(in.remaining()) +
                         " trailing bytes");
    return std::nullopt;
  }
  return key;
}

std::optional<PublicKey> parse_public_key(std::string_view line, std::string* error) {
  std::string_view rest = trim(line);
  if (rest.empty()) {
    set_error(error, "empty public key: expected \"<type> <base64> [comment]\"");
    return std::nullopt;
  }
  std::string_view type = take_field(&rest);
  if (!is_supported_type(type)) {
    set_error(error, unsupported_type(type));
    return std::nullopt;
  }
  std::string_view encoded = take_field(&rest);
  if (encoded.empty()) {
    set_error(error, "the " + std::string(type) + " public key has no base64 key field");
    return std::nullopt;
  }
  std::optional<std::string> blob = base64_decode(encoded);
  if (!blob) {
    set_error(error, "the " + std::string(type) + " public key's key field is not valid base64");
    return std::nullopt;
  }
  std::string why;
  std::optional<KeyBlob> parsed = parse_key_blob(*blob, &why);
  if (!parsed) {
    set_error(error, why);
    return std::nullopt;
  }
  if (parsed->type != type) {
    set_error(error, "the key type field says \"" + std::string(type) +
                         "\" but the key itself is \"" + std::string(parsed->type) + "\"");
    return std::nullopt;
  }
  return PublicKey{std::string(type), std::move(*blob), std::string(rest),
                   std::make_shared<KeyImport>()};
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0)
    return std::nullopt;
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=')
    padding = (text.size() >= 2 && text[text.size() - 2] == '=') ? 2 : 1;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    bool last = i + 4 == text.size();
    std::size_t data_chars = last ? 4 - padding : 4;
    std::uint32_t group = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      int v = 0;
      if (j < data_chars) {
        v = kDecodeTable[static_cast<unsigned char>(text[i + j])];
        if (v < 0)
          return std::nullopt;
      }
      group = (group << 6) | static_cast<std::uint32_t>(v);
    }
    out.push_back(static_cast<char>(group >> 16));
    if (data_chars >= 3)
      out.push_back(static_cast<char>((group >> 8) & 0xff));
    if (data_chars == 4)
      out.push_back(static_cast<char>(group & 0xff));
    // Bits encoded but not covered by an output byte must be zero (canonical encoding).
    if (data_chars == 2 && (group & 0xffff) != 0)
      return std::nullopt;
    if (data_chars == 3 && (group & 0xff) != 0)
      return std::nullopt;
  }
  return out;
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    std::uint32_t group = (std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                          (std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8) |
                          std::uint32_t{static_cast<unsigned char>(bytes[i + 2])};
    out.push_back(kAlphabet[group >> 18]);
    out.push_back(kAlphabet[(group >> 12) & 63]);
    out.push_back(kAlphabet[(group >> 6) & 63]);
    out.push_back(kAlphabet[group & 63]);
  }
  std::size_t left = bytes.size() - i;
  if (left > 0) {
    std::uint32_t group = std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
    if (left == 2)
      group |= std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8;
    out.push_back(kAlphabet[group >> 18]);
    out.push_back(kAlphabet[(group >> 12) & 63]);
    out.push_back(left == 2 ? kAlphabet[(group >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

std::string fingerprint(std::string_view blob) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(blob.data(), blob.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    ERR_clear_error();  // only on allocation failure inside OpenSSL
    return "SHA256:?";
  }
  std::string encoded = base64_encode(
      std::string_view(reinterpret_cast<const char*>(digest), static_cast<std::size_t>(length)));
  while (!encoded.empty() && encoded.back() == '=')
    encoded.pop_back();
  return "SHA256:" + encoded;
}

}  // namespace trailgate::ssh
