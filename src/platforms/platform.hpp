// platforms/platform.hpp — what the voice-platform adapters share: the parsed form
// of a platform request (Parsed), secrets, HMAC, phone and time helpers.
//
// Each adapter (vapi.hpp, retell.hpp, elevenlabs.hpp, famulor.hpp, twilio.hpp) is
// a set of pure functions: parse the platform's payload into famulor's call model,
// shape famulor's answer the way the platform expects it, verify the platform's
// signature. No I/O; src/server/routes_voice.cpp wires them to HTTP and the Engine.
// Parse errors are invalid_argument naming the JSON path ("message.call.id: ...");
// signature failures are unauthenticated saying why.
//
// Thread-safety: pure functions over values; safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "famulor/call.hpp"
#include "famulor/status.hpp"
#include "famulor/value.hpp"

namespace famulor::platforms {

// What a platform request asks of famulor.
enum class Kind {
  ended,       // a finished call: `call` starts call.ended runs
  incoming,    // a call about to be answered: `incoming` asks for variables
  tool_calls,  // mid-call tool calls: `tools` (one or several, run concurrently)
  ack,         // anything else (status updates, transcripts...): acknowledged, nothing starts
};

struct Parsed {
  Kind kind = Kind::ack;
  std::string event;  // the platform's event / message type, as sent
  CallEvent call;
  IncomingCall incoming;
  std::vector<ToolCall> tools;
};

// ---- secrets and signatures ----

// Whether `given` equals one of `secrets`, in constant time per comparison (every
// secret is compared, so the time does not tell which one matched).
bool secret_matches(std::string_view given, const std::vector<std::string>& secrets);
// Whether lower- or upper-case hex `given` equals `want` (lower-case hex), in constant time.
bool hex_equals(std::string_view given, std::string_view want);
std::string hmac_sha256_hex(std::string_view key, std::string_view message);
// Raw HMAC-SHA1 bytes (Twilio signs with SHA-1 and base64).
std::string hmac_sha1_raw(std::string_view key, std::string_view message);

// Splits "k1=v1,k2=v2" signature headers (blanks around parts trimmed); repeated
// keys are all kept.
std::vector<std::pair<std::string, std::string>> split_signature_header(std::string_view header);

// ---- values ----

// A string field: the string, an integer written in decimal (Famulor's numeric call
// ids), else "".
std::string text_at(const Value& obj, std::string_view key);
// A number field (int or double), else nullopt.
std::optional<double> number_at(const Value& obj, std::string_view key);
// An object field, else null.
const Value* object_at(const Value& obj, std::string_view key);
// The member if it is an object, else an empty object.
Value object_or_empty(const Value& obj, std::string_view key);
// invalid_argument "<where>: <what>".
Status bad_field(std::string_view where, std::string_view what);

// ---- call fields ----

// "inbound" or "outbound" from a direction field ("Inbound", "outbound-api" too),
// else "" (unknown): the call model takes no other value.
std::string direction_at(const Value& obj, std::string_view key);

// E.164 ("+4930123456") when libphonenumber can read `number` as an international
// number (with '+' or "00"; spaces, dashes and brackets allowed); otherwise the
// input trimmed ("anonymous", "client:alice", a national number stay as given).
std::string to_e164(std::string_view number);
// "assistant" for the platforms' agent/bot/assistant roles, "user" for
// user/customer/human, "unknown" for none (found by the adapters' fuzz target),
// else the role as given.
std::string normalize_role(std::string_view role);
// "assistant: ...\nuser: ..." from turns.
std::string transcript_text(const std::vector<Turn>& turns);
// ISO-8601 UTC with milliseconds ("2026-11-27T18:04:05.123Z") from Unix ms; ""
// outside years 1-9999 (a payload's number is not trusted to be a time), and for
// a double that is not finite.
std::string iso_from_unix_ms(std::int64_t ms);
std::string iso_from_unix_ms(double ms);
// A result Value as text for platforms whose results are strings: the string
// itself, else compact JSON.
std::string result_text(const Value& v);

}  // namespace famulor::platforms
