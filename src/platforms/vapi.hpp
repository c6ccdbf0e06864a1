// platforms/vapi.hpp — Vapi server messages (POST /v1/voice/vapi).
//
// Vapi POSTs {"message": {"type": ..., "call": {...}, ...}} to the assistant's or
// phone number's server URL. assistant-request asks which assistant answers (and
// with which variableValues); tool-calls carries one or more function calls;
// end-of-call-report is the finished call; status-update, transcript, hang,
// speech-update, conversation-update and others are informational.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "http/message.hpp"
#include "platforms/platform.hpp"

namespace famulor::platforms {

// end-of-call-report -> ended, assistant-request -> incoming, tool-calls ->
// tool_calls, every other type -> ack. invalid_argument when `message` or its
// `type` is missing, or a required field of the kind has the wrong shape.
Result<Parsed> parse_vapi(const Value& body);

// {"assistantId"?, "assistantOverrides": {"variableValues": {...}}}: assistantId is
// the workflow's choice, else `request_assistant_id` (the call's own), else absent.
Value vapi_assistant_answer(const Variables& vars, std::string_view request_assistant_id);

// {"results": [{"toolCallId", "result"}]}, one per call in order; Vapi wants the
// result as a string, so a non-string result is sent as compact JSON.
Value vapi_tool_results(const std::vector<ToolCall>& calls, const std::vector<ToolResult>& results);

// Accepts, against any of `secrets`: the X-Vapi-Secret header (the assistant's
// server.secret), X-Vapi-Signature carrying the same token, `Authorization: Bearer
// <secret>` (a Bearer Token credential), or Vapi's HMAC credential with its
// defaults: x-signature = hex HMAC-SHA256(secret, "<x-timestamp>.<body>"), an
// optional "sha256=" prefix, x-timestamp in seconds or milliseconds within 300 s.
Status verify_vapi(const http::HttpHeaders& headers, std::string_view body, const std::vector<std::string>& secrets,
                   std::int64_t now_s);

}  // namespace famulor::platforms
