// Escaping untrusted bytes for display. Text from commits, pushes and policies reaches
// terminals, one-line-per-diagnostic hook output and quoted messages; these functions make sure
// it cannot add lines, move the cursor or end a quotation early. Each rule here is a different
// contract, named for what it guarantees; JSON and HTML escaping live with their writers in
// report/, on top of util/utf8.h.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace trailgate::util {

// Appends "\xNN" (two lowercase hex digits) for `byte` to `out`.
void append_hex_escape(std::string& out, unsigned char byte);

// `text` with control bytes (0x00-0x1F) and DEL as \xNN; every other byte, '"', '\' and
// non-ASCII included, as it is. The result is one line whatever the input.
std::string escape_control_bytes(std::string_view text);

// `text` with control bytes (0x00-0x1F) and DEL as \uXXXX (four uppercase hex digits), the
// escape a TOML basic string uses, so text read from a TOML file is shown as it could be written
// there; every other byte as it is. The result is one line whatever the input.
std::string escape_control_bytes_toml(std::string_view text);

// `text` as printable ASCII for a message inside "...": printable ASCII as it is, '"' and '\'
// escaped with a backslash, every other byte (controls, DEL, all non-ASCII) as \xNN. At most
// `max_bytes` bytes of `text` are shown, followed by "..." when it was longer. The quotes
// themselves are the caller's.
std::string escape_to_ascii(std::string_view text, std::size_t max_bytes = std::string_view::npos);

}  // namespace trailgate::util
