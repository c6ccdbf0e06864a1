// server/hook_signature.hpp — Famulor-Signature on /v1/hooks/* (CONTRACT.md):
// `t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`, several v1= allowed
// (any one matching any configured secret passes), |now - t| <= tolerance.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "famulor/status.hpp"

namespace famulor::server {

// Lower-case hex HMAC-SHA256(secret, message).
std::string hmac_sha256_hex(std::string_view secret, std::string_view message);

// ok, or unauthenticated with why (missing, malformed, too old, no match).
Status verify_hook_signature(std::string_view header, std::string_view body, const std::vector<std::string>& secrets,
                             std::int64_t now_s, std::int64_t tolerance_s);

// The header value for body signed with secret at t (for clients and tests).
std::string sign_hook(std::string_view secret, std::int64_t t, std::string_view body);

}  // namespace famulor::server
