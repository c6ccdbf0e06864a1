// famulor/call.hpp — the phone call model: the three moments of a call.
//
//  - after the call: CallEvent, emitted to `call.ended` workflows (Engine::emit);
//  - before the assistant answers: IncomingCall → Variables (Engine::inject), the
//    `call.incoming` workflow's respond node, under a hard deadline;
//  - while it talks: ToolCall → ToolResult (Engine::call_tool), a `call.tool`
//    workflow, under the same deadline.
//
// Each has a JSON form (to_value/from_value) that is famulor's own wire format
// (CONTRACT.md, "The normalized call event") and `trigger` in expressions. The
// platform adapters (Vapi, Retell, ElevenLabs, Famulor, Twilio) translate their
// payloads into these types.
//
// Thread-safety: plain values.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "famulor/status.hpp"
#include "famulor/value.hpp"

namespace famulor {

// One utterance of the transcript.
struct Turn {
  std::string role;  // "assistant" | "user" (platforms' "agent"/"bot" map to "assistant")
  std::string text;
  double at_s = 0;  // offset from the call's start, seconds
};

// A finished call, normalized. Unknown = empty string / null Value / nullopt.
struct CallEvent {
  std::string call_id;       // required: the dedupe key of call.ended runs
  std::string platform;      // "famulor" | "vapi" | "retell" | "elevenlabs" | "twilio" | "api" | ...
  std::string direction;     // "inbound" | "outbound" | ""
  std::string from, to;      // E.164 where the platform gives it
  std::string assistant_id;  // assistant / agent id
  std::string started_at, ended_at;  // ISO-8601 UTC
  std::optional<double> duration_s;
  std::string status;      // e.g. "completed", "no-answer", "busy", "failed"
  std::string end_reason;  // the platform's reason ("customer-ended-call", "agent_hangup", ...)
  std::string transcript;  // the whole transcript as text ("assistant: ...\nuser: ...")
  std::vector<Turn> turns;
  std::string summary;
  Value analysis;         // object: what the platform's analysis produced
  Value variables;        // object: extracted / collected variables
  Value input_variables;  // object: variables the call started with
  std::string recording_url;
  std::optional<double> cost;
  Value metadata;  // object: lead, campaign, anything else
  Value raw;       // the platform's payload as received
  std::string event;  // the platform event name that produced it ("end-of-call-report", "call_analyzed", ...)

  // The JSON form: {"call_id", "platform", "direction", "from", "to", "assistant_id",
  // "started_at", "ended_at", "duration_s", "status", "end_reason", "transcript",
  // "turns": [{"role","text","at_s"}], "summary", "analysis", "variables",
  // "input_variables", "recording_url", "cost", "metadata", "raw", "event"};
  // unknown fields are null.
  Value to_value() const;
  // Reads the JSON form; invalid_argument naming the field when call_id is missing
  // or a field has the wrong type. Missing `transcript` is built from `turns`.
  static Result<CallEvent> from_value(const Value& v);
};

using CallEnded = CallEvent;  // the name CONTRACT.md's sketch uses

// A call that is about to be answered: the assistant asks for variables.
struct IncomingCall {
  std::string call_id;
  std::string platform;
  std::string from, to;
  std::string assistant_id;
  std::string direction = "inbound";
  Value metadata;  // object
  Value raw;       // the platform's payload

  // {"call_id", "platform", "from", "to", "assistant_id", "direction", "metadata", "raw"}
  Value to_value() const;
  static Result<IncomingCall> from_value(const Value& v);
};

// The answer to an IncomingCall.
struct Variables {
  Value values = Value::object({});  // object; strings unless the workflow declares types
  bool partial = false;      // the deadline passed (or the run failed): defaults filled in
  std::string run_id;        // the call.incoming run ("" when no workflow matched)
  std::string workflow;      // its workflow id
  // An assistant override the workflow chose: the respond value's "assistant_id"
  // key (a string), which is not a variable ("" = none).
  std::string assistant_id;
  StatusCode error_code = StatusCode::ok;  // why it is partial (deadline_exceeded, ...)
  std::string error;                       // ... in words
};

// A mid-call tool call.
struct ToolCall {
  std::string tool;       // the call.tool trigger's `name`
  Value arguments = Value::object({});
  std::string tool_call_id;  // the platform's id for this invocation (echoed back)
  IncomingCall call;      // the call it happens in (as much as the platform tells)

  // {"tool", "arguments", "tool_call_id", "call": IncomingCall JSON}
  Value to_value() const;
  static Result<ToolCall> from_value(const Value& v);
};

struct ToolResult {
  Value result;           // the respond node's value, or the trigger's fallback
  bool partial = false;   // late or failed: `result` is the fallback
  std::string run_id;
  StatusCode error_code = StatusCode::ok;  // not_found when no call.tool workflow has that name
  std::string error;
};

// A call.tool workflow as a definition the assistant platform can be given.
struct ToolInfo {
  std::string name;
  std::string description;
  Value parameters;  // JSON Schema of the arguments (object)
  std::string workflow;
};

}  // namespace famulor
