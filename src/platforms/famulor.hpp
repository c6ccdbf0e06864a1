// platforms/famulor.hpp — the Famulor platform's webhooks (POST /v1/voice/famulor).
//
// Post-call, classic flat body (docs.famulor.io, "Post-Call Webhook"): {"id",
// "customer_phone", "assistant_phone", "duration", "status", "extracted_variables",
// "input_variables", "transcript" (text, or a list of {"text", "type", "sender",
// "timestamp"}), "recording_url", "created_at", "finished_at", "lead", "campaign"};
// the newer event body wraps the same fields: {"event": "call.ended", "data": {...}}.
// The inbound-call webhook (variable injection before the assistant answers) is
// recognised by "event"/"type" "inbound_call" (or "call.inbound", "call.incoming")
// and is answered {"variables": {...}}.
#pragma once

#include <string_view>

#include "http/message.hpp"
#include "platforms/platform.hpp"

namespace famulor::platforms {

Result<Parsed> parse_famulor(const Value& body);

// {"variables": {...}} (and "assistant_id" when the workflow chose one).
Value famulor_inbound_answer(const Variables& vars);

// X-Famulor-Signature: "sha256=<hex HMAC-SHA256(secret, raw body)>". No timestamp:
// a replayed delivery is answered from the dedupe record and starts nothing.
Status verify_famulor(const http::HttpHeaders& headers, std::string_view body, const std::vector<std::string>& secrets);
std::string sign_famulor(std::string_view secret, std::string_view body);

}  // namespace famulor::platforms
