// ElevenLabs Agents webhooks -> famulor's call model (elevenlabs.hpp).
#include "platforms/elevenlabs.hpp"

#include <charconv>

namespace famulor::platforms {
namespace {

// metadata.phone_call: {"direction", "external_number", "agent_number", "call_sid", "type"}.
void read_phone(const Value& metadata, CallEvent& e) {
  const Value* phone = object_at(metadata, "phone_call");
  if (!phone) return;
  e.direction = direction_at(*phone, "direction");
  std::string external = to_e164(text_at(*phone, "external_number"));
  std::string agent = to_e164(text_at(*phone, "agent_number"));
  if (e.direction == "outbound") e.from = agent, e.to = external;
  else e.from = external, e.to = agent;
}

}  // namespace

Result<IncomingCall> parse_elevenlabs_initiation(const Value& body) {
  if (!body.is_object()) return bad_field("$", "the conversation initiation webhook sends a JSON object");
  IncomingCall in;
  in.platform = "elevenlabs";
  in.call_id = text_at(body, "call_sid");
  in.from = to_e164(text_at(body, "caller_id"));
  in.to = to_e164(text_at(body, "called_number"));
  in.assistant_id = text_at(body, "agent_id");
  in.metadata = Value::object({});
  in.raw = body;
  return in;
}

Result<Parsed> parse_elevenlabs_post_call(const Value& body) {
  if (!body.is_object()) return bad_field("$", "an ElevenLabs post-call webhook is a JSON object with `type`");
  Parsed p;
  p.event = text_at(body, "type");
  if (p.event.empty()) return bad_field("type", "missing");
  if (p.event != "post_call_transcription" && p.event != "call_initiation_failure") return p;
  const Value* data = object_at(body, "data");
  if (!data) return bad_field("data", "missing");
  CallEvent& e = p.call;
  e.call_id = text_at(*data, "conversation_id");
  if (e.call_id.empty()) return bad_field("data.conversation_id", "missing");
  e.platform = "elevenlabs";
  e.event = p.event;
  e.assistant_id = text_at(*data, "agent_id");
  Value metadata = object_or_empty(*data, "metadata");
  read_phone(metadata, e);
  if (p.event == "call_initiation_failure") {
    e.status = "failed";
    e.end_reason = text_at(*data, "failure_reason");
  } else {
    if (auto start = number_at(metadata, "start_time_unix_secs")) {
      e.started_at = iso_from_unix_ms(*start * 1000);
      if (auto d = number_at(metadata, "call_duration_secs"))
        e.ended_at = iso_from_unix_ms((*start + *d) * 1000);
    }
    e.duration_s = number_at(metadata, "call_duration_secs");
    e.cost = number_at(metadata, "cost");  // in ElevenLabs credits
    e.end_reason = text_at(metadata, "termination_reason");
    std::string status = text_at(*data, "status");
    e.status = status == "failed" ? "failed" : "completed";
    if (const Value* t = data->find("transcript"); t && t->is_array()) {
      for (const auto& u : t->as_array()) {
        if (!u.is_object()) continue;
        Turn turn;
        turn.role = normalize_role(text_at(u, "role"));
        turn.text = text_at(u, "message");
        turn.at_s = number_at(u, "time_in_call_secs").value_or(0);
        if (turn.text.empty()) continue;  // tool-call-only turns carry no speech
        e.turns.push_back(std::move(turn));
      }
    }
    e.transcript = transcript_text(e.turns);
    Value analysis = object_or_empty(*data, "analysis");
    e.summary = text_at(analysis, "transcript_summary");
    // data_collection_results: {"<id>": {"data_collection_id", "value", "rationale"}}.
    Object vars;
    if (const Value* dc = object_at(analysis, "data_collection_results"))
      for (const auto& [k, v] : dc->as_object()) vars.set(k, v.is_object() && v.find("value") ? *v.find("value") : v);
    e.variables = Value(std::move(vars));
    e.analysis = analysis;
  }
  Value init = object_or_empty(*data, "conversation_initiation_client_data");
  e.input_variables = object_or_empty(init, "dynamic_variables");
  Object meta;
  if (!metadata.as_object().empty()) meta.set("metadata", metadata);
  if (auto ts = number_at(body, "event_timestamp")) meta.set("event_timestamp", Value(*ts));
  e.metadata = Value(std::move(meta));
  e.raw = body;
  p.kind = Kind::ended;
  return p;
}

Result<ToolCall> parse_elevenlabs_tool(std::string_view tool, const Value& body) {
  ToolCall tc;
  tc.tool = std::string(tool);
  if (tc.tool.empty()) return bad_field("tool", "missing from the path /v1/voice/elevenlabs/tools/{tool}");
  if (body.is_object()) tc.arguments = body;
  else if (!body.is_null()) return bad_field("$", "server tool parameters must be a JSON object");
  tc.call.platform = "elevenlabs";
  // A tool may be configured to send the system variables along.
  tc.call.call_id = text_at(tc.arguments, "system__conversation_id");
  tc.call.from = to_e164(text_at(tc.arguments, "system__caller_id"));
  tc.call.assistant_id = text_at(tc.arguments, "system__agent_id");
  tc.call.raw = body;
  return tc;
}

Value elevenlabs_initiation_answer(const Variables& vars) {
  return Value::object({{"type", Value("conversation_initiation_client_data")},
                        {"dynamic_variables", vars.values.is_object() ? vars.values : Value::object({})}});
}

std::string sign_elevenlabs(std::string_view secret, std::int64_t t, std::string_view body) {
  std::string ts = std::to_string(t);
  return "t=" + ts + ",v0=" + hmac_sha256_hex(secret, ts + "." + std::string(body));
}

Status verify_elevenlabs(const http::HttpHeaders& headers, std::string_view body,
                         const std::vector<std::string>& secrets, std::int64_t now_s) {
  auto bad = [](std::string m) { return Status(StatusCode::unauthenticated, std::move(m)); };
  const std::string* header = headers.find("ElevenLabs-Signature");
  if (!header) return bad("missing ElevenLabs-Signature (FAMULOR_SECRET_ELEVENLABS is set)");
  std::string t;
  std::vector<std::string> sigs;
  for (auto& [k, v] : split_signature_header(*header)) {
    if (k == "t") t = v;
    else if (k == "v0") sigs.push_back(v);
  }
  std::int64_t ts = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), ts);
  if (t.empty() || ec != std::errc() || p != t.data() + t.size() || sigs.empty())
    return bad("ElevenLabs-Signature is not t=<unix s>,v0=<hex>");
  constexpr std::int64_t thirty_minutes = 30 * 60;
  if (ts < now_s - thirty_minutes || ts > now_s + thirty_minutes)
    return bad("ElevenLabs-Signature timestamp is outside the 30-minute tolerance");
  std::string message = t + "." + std::string(body);
  bool ok = false;
  for (const auto& secret : secrets) {
    std::string want = hmac_sha256_hex(secret, message);
    for (const auto& s : sigs)
      if (hex_equals(s, want)) ok = true;
  }
  return ok ? Status() : bad("ElevenLabs-Signature does not match FAMULOR_SECRET_ELEVENLABS");
}

}  // namespace famulor::platforms
