// Retell AI webhooks and custom functions -> famulor's call model (retell.hpp).
#include "platforms/retell.hpp"

#include <charconv>

namespace famulor::platforms {
namespace {

// disconnection_reason -> a coarse call status for call.ended filters.
std::string status_for(std::string_view call_status, std::string_view reason) {
  if (reason == "dial_busy") return "busy";
  if (reason == "dial_no_answer" || reason == "voicemail_reached") return "no-answer";
  if (reason == "dial_failed" || call_status == "error" || reason.rfind("error", 0) == 0) return "failed";
  if (call_status == "not_connected") return "failed";
  return "completed";
}

std::vector<Turn> read_turns(const Value& list) {
  std::vector<Turn> turns;
  if (!list.is_array()) return turns;
  for (const auto& u : list.as_array()) {
    if (!u.is_object()) continue;
    Turn t;
    t.role = normalize_role(text_at(u, "role"));
    t.text = text_at(u, "content");
    // The utterance starts where its first word does.
    if (const Value* words = u.find("words"); words && words->is_array() && !words->as_array().empty())
      t.at_s = number_at(words->as_array().front(), "start").value_or(0);
    turns.push_back(std::move(t));
  }
  return turns;
}

IncomingCall call_context(const Value& call) {
  IncomingCall in;
  in.call_id = text_at(call, "call_id");
  in.platform = "retell";
  in.from = to_e164(text_at(call, "from_number"));
  in.to = to_e164(text_at(call, "to_number"));
  in.assistant_id = text_at(call, "agent_id");
  if (auto d = direction_at(call, "direction"); !d.empty()) in.direction = d;
  in.metadata = object_or_empty(call, "metadata");
  return in;
}

Result<CallEvent> read_call(const Value& call) {
  CallEvent e;
  e.call_id = text_at(call, "call_id");
  if (e.call_id.empty()) return bad_field("call.call_id", "missing");
  e.platform = "retell";
  e.direction = direction_at(call, "direction");
  if (e.direction.empty() && text_at(call, "call_type") == "web_call") e.direction = "inbound";
  e.from = to_e164(text_at(call, "from_number"));
  e.to = to_e164(text_at(call, "to_number"));
  e.assistant_id = text_at(call, "agent_id");
  auto start = number_at(call, "start_timestamp");
  auto end = number_at(call, "end_timestamp");
  if (start) e.started_at = iso_from_unix_ms(*start);
  if (end) e.ended_at = iso_from_unix_ms(*end);
  if (auto ms = number_at(call, "duration_ms")) e.duration_s = *ms / 1000.0;
  else if (start && end) e.duration_s = (*end - *start) / 1000.0;
  e.end_reason = text_at(call, "disconnection_reason");
  e.status = status_for(text_at(call, "call_status"), e.end_reason);
  if (const Value* obj = call.find("transcript_object")) e.turns = read_turns(*obj);
  e.transcript = text_at(call, "transcript");
  if (e.transcript.empty()) e.transcript = transcript_text(e.turns);
  e.recording_url = text_at(call, "recording_url");
  Value analysis = object_or_empty(call, "call_analysis");
  e.summary = text_at(analysis, "call_summary");
  e.analysis = analysis;
  // What the call produced: the post-call analysis fields and the variables the
  // agent collected during the call.
  Value vars = object_or_empty(analysis, "custom_analysis_data");
  if (const Value* collected = object_at(call, "collected_dynamic_variables"))
    for (const auto& [k, v] : collected->as_object()) vars.as_object().set(k, v);
  e.variables = std::move(vars);
  e.input_variables = object_or_empty(call, "retell_llm_dynamic_variables");
  if (const Value* cost = object_at(call, "call_cost"))
    if (auto cents = number_at(*cost, "combined_cost")) e.cost = *cents / 100.0;  // Retell reports cents
  Object meta;
  if (const Value* m = object_at(call, "metadata")) meta.set("metadata", *m);
  if (auto t = text_at(call, "call_type"); !t.empty()) meta.set("call_type", Value(t));
  if (auto v = number_at(call, "agent_version")) meta.set("agent_version", Value(*v));
  e.metadata = Value(std::move(meta));
  return e;
}

}  // namespace

Result<Parsed> parse_retell(const Value& body) {
  if (!body.is_object()) return bad_field("$", "a Retell webhook is a JSON object with `event`");
  Parsed p;
  p.event = text_at(body, "event");
  if (p.event.empty()) return bad_field("event", "missing");
  if (p.event == "call_inbound") {
    const Value* in = object_at(body, "call_inbound");
    if (!in) return bad_field("call_inbound", "missing: the call_inbound event carries its call here");
    p.kind = Kind::incoming;
    p.incoming.platform = "retell";
    p.incoming.call_id = text_at(*in, "call_id");
    p.incoming.from = to_e164(text_at(*in, "from_number"));
    p.incoming.to = to_e164(text_at(*in, "to_number"));
    p.incoming.assistant_id = text_at(*in, "agent_id");
    Object meta;
    if (auto v = number_at(*in, "agent_version")) meta.set("agent_version", Value(*v));
    p.incoming.metadata = Value(std::move(meta));
    p.incoming.raw = body;
    return p;
  }
  if (p.event != "call_ended" && p.event != "call_analyzed") return p;  // call_started, transcript_updated...
  const Value* call = object_at(body, "call");
  if (!call) return bad_field("call", "missing: a " + p.event + " event carries the call");
  auto e = read_call(*call);
  if (!e.ok()) return e.status();
  p.call = std::move(*e);
  p.call.event = p.event;
  p.call.raw = body;
  p.kind = Kind::ended;
  return p;
}

Result<ToolCall> parse_retell_tool(std::string_view tool, const Value& body) {
  if (!body.is_object()) return bad_field("$", "a Retell custom function call is {\"name\", \"call\", \"args\"}");
  ToolCall tc;
  tc.tool = tool.empty() ? text_at(body, "name") : std::string(tool);
  if (tc.tool.empty()) return bad_field("name", "missing");
  if (const Value* args = body.find("args")) {
    if (args->is_object()) tc.arguments = *args;
    else if (!args->is_null()) return bad_field("args", "not an object");
  }
  if (const Value* call = object_at(body, "call")) tc.call = call_context(*call);
  tc.call.platform = "retell";
  tc.call.raw = body;
  return tc;
}

Value retell_inbound_answer(const Variables& vars) {
  // Retell's dynamic variables are strings.
  Object dyn;
  if (vars.values.is_object())
    for (const auto& [k, v] : vars.values.as_object()) dyn.set(k, Value(result_text(v)));
  Object in;
  in.set("dynamic_variables", Value(std::move(dyn)));
  if (!vars.assistant_id.empty()) in.set("override_agent_id", Value(vars.assistant_id));
  return Value::object({{"call_inbound", Value(std::move(in))}});
}

std::string sign_retell(std::string_view api_key, std::int64_t ms, std::string_view body) {
  std::string ts = std::to_string(ms);
  return "v=" + ts + ",d=" + hmac_sha256_hex(api_key, std::string(body) + ts);
}

Status verify_retell(const http::HttpHeaders& headers, std::string_view body, const std::vector<std::string>& secrets,
                     std::int64_t now_ms) {
  auto bad = [](std::string m) { return Status(StatusCode::unauthenticated, std::move(m)); };
  const std::string* header = headers.find("x-retell-signature");
  if (!header) return bad("missing x-retell-signature (FAMULOR_SECRET_RETELL is set)");
  std::string v, d;
  for (auto& [k, val] : split_signature_header(*header)) {
    if (k == "v") v = val;
    else if (k == "d") d = val;
  }
  std::int64_t ts = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), ts);
  if (v.empty() || ec != std::errc() || p != v.data() + v.size() || d.empty())
    return bad("x-retell-signature is not v=<unix ms>,d=<hex>");
  constexpr std::int64_t five_minutes_ms = 5 * 60 * 1000;
  if (ts < now_ms - five_minutes_ms || ts > now_ms + five_minutes_ms)
    return bad("x-retell-signature timestamp is outside Retell's 5-minute tolerance");
  std::string message = std::string(body) + v;
  bool ok = false;
  for (const auto& key : secrets)
    if (hex_equals(d, hmac_sha256_hex(key, message))) ok = true;
  return ok ? Status() : bad("x-retell-signature does not match FAMULOR_SECRET_RETELL");
}

}  // namespace famulor::platforms
