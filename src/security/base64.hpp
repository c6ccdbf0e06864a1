// security/base64.hpp — base64 (RFC 4648 §4) and base64url (§5) encoding.
//
// Used for the master key (FAMULOR_MASTER_KEY), Basic auth and Gmail's `raw`
// messages. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace famulor::security {

// Standard alphabet with '=' padding.
std::string base64_encode(std::string_view bytes);
// URL-safe alphabet ('-', '_'); padding only when `pad`.
std::string base64url_encode(std::string_view bytes, bool pad = false);
// Accepts either alphabet, with or without padding, ignoring ASCII whitespace;
// nullopt on any other character or a impossible length.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace famulor::security
