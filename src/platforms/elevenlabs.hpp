// platforms/elevenlabs.hpp — ElevenLabs Agents webhooks: conversation initiation
// (/v1/voice/elevenlabs/initiation), post-call (/post-call) and server tools
// (/tools/{tool}).
//
// Initiation request (Twilio / SIP calls): {"caller_id", "agent_id",
// "called_number", "call_sid"}. Post-call: {"type": "post_call_transcription",
// "event_timestamp", "data": {"agent_id", "conversation_id", "status", "transcript":
// [{"role", "message", "time_in_call_secs"}], "metadata", "analysis",
// "conversation_initiation_client_data"}}; "call_initiation_failure" (a call that
// never connected) is a failed call; other types (post_call_audio) are acknowledged.
// Server tools: the tool's body parameters are the JSON body.
#pragma once

#include <cstdint>
#include <string_view>

#include "http/message.hpp"
#include "platforms/platform.hpp"

namespace famulor::platforms {

Result<IncomingCall> parse_elevenlabs_initiation(const Value& body);
Result<Parsed> parse_elevenlabs_post_call(const Value& body);
// A server tool call: `body` (an object, or empty/null for a tool without
// parameters) is the arguments.
Result<ToolCall> parse_elevenlabs_tool(std::string_view tool, const Value& body);

// {"type": "conversation_initiation_client_data", "dynamic_variables": {...}}.
Value elevenlabs_initiation_answer(const Variables& vars);

// ElevenLabs-Signature: "t=<unix s>,v0=<hex HMAC-SHA256(secret, "<t>.<body>")>",
// within 30 minutes as their SDK checks.
Status verify_elevenlabs(const http::HttpHeaders& headers, std::string_view body,
                         const std::vector<std::string>& secrets, std::int64_t now_s);
std::string sign_elevenlabs(std::string_view secret, std::int64_t t, std::string_view body);

}  // namespace famulor::platforms
