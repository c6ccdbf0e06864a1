// connectors/derive.hpp — named helpers a manifest operation runs on its params
// before the request is built ("derive": ["rfc822_raw"]), for what templates
// cannot express: RFC 822 / MIME message assembly for Gmail's `raw`.
//
// Thread-safety: pure functions.
#pragma once

#include <string_view>

#include "famulor/status.hpp"
#include "famulor/value.hpp"

namespace famulor::connectors {

bool known_derivation(std::string_view name) noexcept;
// Adds derived members to `params` (an object).
Status apply_derivation(std::string_view name, Value& params);

// escape_quotes: for every string param p adds p_q with \ ' " escaped by a backslash
//   and newlines as \n (SOQL and Stripe search literals).
// phone_digits: params.phone_digits = the digits of params.phone.
// byte_length: params.content_length = byte length of params.content.
//
// rfc822_raw: from params to (string or array), cc, bcc, from, reply_to, subject,
// html, text, in_reply_to, references builds a MIME message (CRLF line ends,
// UTF-8, base64 parts, multipart/alternative when both html and text are given)
// and stores it base64url-encoded (no padding) as params.raw. Header values with
// CR or LF are refused (header injection).
Result<std::string> build_rfc822(const Value& params);

}  // namespace famulor::connectors
