// platforms/retell.hpp — Retell AI webhooks (POST /v1/voice/retell) and custom
// functions (POST /v1/voice/retell/tools/{tool}).
//
// Webhook body: {"event": "call_started"|"call_ended"|"call_analyzed", "call": {...}}
// or, for the inbound-call webhook of a phone number, {"event": "call_inbound",
// "call_inbound": {"agent_id", "agent_version", "from_number", "to_number"}}.
// Custom functions: {"name", "call": {...}, "args": {...}}.
#pragma once

#include <cstdint>
#include <string_view>

#include "http/message.hpp"
#include "platforms/platform.hpp"

namespace famulor::platforms {

// call_ended and call_analyzed -> ended (event = the name, so that call.ended
// workflows choose: call_analyzed by default), call_inbound -> incoming, others
// (call_started...) -> ack.
Result<Parsed> parse_retell(const Value& body);
// A custom function call for `tool` (the route's name; the body's `name` when empty).
Result<ToolCall> parse_retell_tool(std::string_view tool, const Value& body);

// {"call_inbound": {"dynamic_variables": {...}, "override_agent_id"?}}.
Value retell_inbound_answer(const Variables& vars);

// x-retell-signature: "v=<unix ms>,d=<hex HMAC-SHA256(api key, body + ms)>", as
// Retell's SDK verifies it, within 5 minutes of now_ms.
Status verify_retell(const http::HttpHeaders& headers, std::string_view body, const std::vector<std::string>& secrets,
                     std::int64_t now_ms);
// The header value for body signed at ms (tests, clients).
std::string sign_retell(std::string_view api_key, std::int64_t ms, std::string_view body);

}  // namespace famulor::platforms
