// Vapi server messages -> famulor's call model (vapi.hpp).
#include "platforms/vapi.hpp"

#include <charconv>

namespace famulor::platforms {
namespace {

// Vapi puts call, customer, phoneNumber and assistant next to each other in the
// message; older messages nest customer/phoneNumber only inside call.
struct VapiCall {
  std::string id, assistant_id, direction, from, to;
  Value metadata;
};

VapiCall read_call(const Value& msg) {
  VapiCall c;
  Value call = object_or_empty(msg, "call");
  c.id = text_at(call, "id");
  c.assistant_id = text_at(call, "assistantId");
  if (c.assistant_id.empty())
    if (const Value* a = object_at(msg, "assistant")) c.assistant_id = text_at(*a, "id");
  std::string type = text_at(call, "type");
  if (type == "inboundPhoneCall") c.direction = "inbound";
  else if (type == "outboundPhoneCall") c.direction = "outbound";
  auto number_of = [&](std::string_view key) {
    if (const Value* o = object_at(msg, key)) return text_at(*o, "number");
    if (const Value* o = object_at(call, key)) return text_at(*o, "number");
    return std::string();
  };
  std::string customer = to_e164(number_of("customer"));
  std::string ours = to_e164(number_of("phoneNumber"));
  if (c.direction == "outbound") c.from = ours, c.to = customer;
  else c.from = customer, c.to = ours;
  Object meta;
  if (std::string t = type; !t.empty()) meta.set("call_type", Value(t));
  if (auto pn = text_at(call, "phoneNumberId"); !pn.empty()) meta.set("phone_number_id", Value(pn));
  if (auto org = text_at(call, "orgId"); !org.empty()) meta.set("org_id", Value(org));
  if (const Value* m = object_at(call, "metadata")) meta.set("metadata", *m);
  c.metadata = Value(std::move(meta));
  return c;
}

// Vapi's endedReason values -> a coarse call status for call.ended filters.
std::string status_for(std::string_view reason) {
  if (reason == "customer-busy") return "busy";
  if (reason == "customer-did-not-answer" || reason == "voicemail") return "no-answer";
  if (reason.find("error") != std::string_view::npos || reason.find("failed") != std::string_view::npos)
    return "failed";
  return "completed";
}

std::vector<Turn> read_turns(const Value& messages) {
  std::vector<Turn> turns;
  if (!messages.is_array()) return turns;
  for (const auto& m : messages.as_array()) {
    if (!m.is_object()) continue;
    std::string role = text_at(m, "role");
    if (role != "bot" && role != "assistant" && role != "user") continue;  // system, tool calls
    Turn t;
    t.role = normalize_role(role);
    t.text = text_at(m, "message");
    if (t.text.empty()) t.text = text_at(m, "content");
    t.at_s = number_at(m, "secondsFromStart").value_or(0);
    turns.push_back(std::move(t));
  }
  return turns;
}

Result<Parsed> end_of_call(const Value& msg, Parsed p) {
  VapiCall c = read_call(msg);
  if (c.id.empty()) return bad_field("message.call.id", "missing: an end-of-call-report names its call");
  CallEvent& e = p.call;
  e.call_id = c.id;
  e.platform = "vapi";
  e.direction = c.direction;
  e.from = c.from;
  e.to = c.to;
  e.assistant_id = c.assistant_id;
  e.started_at = text_at(msg, "startedAt");
  e.ended_at = text_at(msg, "endedAt");
  e.end_reason = text_at(msg, "endedReason");
  e.status = status_for(e.end_reason);
  if (auto d = number_at(msg, "durationSeconds")) e.duration_s = *d;
  else if (auto ms = number_at(msg, "durationMs")) e.duration_s = *ms / 1000.0;
  e.cost = number_at(msg, "cost");
  // The artifact holds transcript, messages and recording in current payloads; older
  // ones put them on the message itself.
  Value artifact = object_or_empty(msg, "artifact");
  const Value* messages = artifact.find("messages");
  if (!messages || !messages->is_array()) messages = msg.find("messages");
  if (messages) e.turns = read_turns(*messages);
  e.transcript = text_at(artifact, "transcript");
  if (e.transcript.empty()) e.transcript = text_at(msg, "transcript");
  if (e.transcript.empty()) e.transcript = transcript_text(e.turns);
  e.recording_url = text_at(artifact, "recordingUrl");
  if (e.recording_url.empty())
    if (const Value* rec = object_at(artifact, "recording")) e.recording_url = text_at(*rec, "url");
  if (e.recording_url.empty()) e.recording_url = text_at(msg, "recordingUrl");
  Value analysis = object_or_empty(msg, "analysis");
  e.summary = text_at(analysis, "summary");
  if (e.summary.empty()) e.summary = text_at(msg, "summary");
  e.variables = object_or_empty(analysis, "structuredData");
  e.analysis = analysis;
  Value call = object_or_empty(msg, "call");
  Value overrides = object_or_empty(call, "assistantOverrides");
  e.input_variables = object_or_empty(overrides, "variableValues");
  e.metadata = c.metadata;
  p.kind = Kind::ended;
  return p;
}

Result<Parsed> tool_calls(const Value& msg, Parsed p) {
  VapiCall c = read_call(msg);
  IncomingCall call;
  call.call_id = c.id;
  call.platform = "vapi";
  call.from = c.from;
  call.to = c.to;
  call.assistant_id = c.assistant_id;
  if (!c.direction.empty()) call.direction = c.direction;
  call.metadata = c.metadata;
  // toolCallList is the current field; toolWithToolCallList[].toolCall the richer one.
  std::vector<const Value*> list;
  if (const Value* l = msg.find("toolCallList"); l && l->is_array()) {
    for (const auto& t : l->as_array()) list.push_back(&t);
  } else if (const Value* w = msg.find("toolWithToolCallList"); w && w->is_array()) {
    for (const auto& t : w->as_array())
      if (const Value* tc = object_at(t, "toolCall")) list.push_back(tc);
  } else {
    return bad_field("message.toolCallList", "missing: a tool-calls message lists its tool calls");
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    const Value& t = *list[i];
    std::string where = "message.toolCallList[" + std::to_string(i) + "]";
    if (!t.is_object()) return bad_field(where, "not an object");
    ToolCall tc;
    tc.tool_call_id = text_at(t, "id");
    if (tc.tool_call_id.empty()) return bad_field(where + ".id", "missing");
    const Value* fn = object_at(t, "function");
    if (!fn) return bad_field(where + ".function", "missing");
    tc.tool = text_at(*fn, "name");
    if (tc.tool.empty()) return bad_field(where + ".function.name", "missing");
    if (const Value* args = fn->find("arguments")) {
      if (args->is_object()) {
        tc.arguments = *args;
      } else if (args->is_string()) {  // OpenAI-style JSON text
        auto parsed = Value::parse(args->as_string());
        if (!parsed.ok() || !parsed->is_object())
          return bad_field(where + ".function.arguments", "a string that is not a JSON object");
        tc.arguments = std::move(*parsed);
      } else if (!args->is_null()) {
        return bad_field(where + ".function.arguments", "not an object");
      }
    }
    tc.call = call;
    p.tools.push_back(std::move(tc));
  }
  p.kind = Kind::tool_calls;
  return p;
}

}  // namespace

Result<Parsed> parse_vapi(const Value& body) {
  const Value* msg = object_at(body, "message");
  if (!msg) return bad_field("message", "missing: a Vapi server message is {\"message\": {\"type\": ...}}");
  Parsed p;
  p.event = text_at(*msg, "type");
  if (p.event.empty()) return bad_field("message.type", "missing");
  if (p.event == "end-of-call-report") {
    auto r = end_of_call(*msg, std::move(p));
    if (r.ok()) r->call.raw = body;
    return r;
  }
  if (p.event == "tool-calls") return tool_calls(*msg, std::move(p));
  if (p.event == "assistant-request") {
    VapiCall c = read_call(*msg);
    p.kind = Kind::incoming;
    IncomingCall& in = p.incoming;
    in.call_id = c.id;
    in.platform = "vapi";
    in.from = c.from;
    in.to = c.to;
    in.assistant_id = c.assistant_id;
    if (!c.direction.empty()) in.direction = c.direction;
    in.metadata = c.metadata;
    in.raw = body;
    return p;
  }
  return p;  // status-update, transcript, hang, speech-update, conversation-update, ...
}

Value vapi_assistant_answer(const Variables& vars, std::string_view request_assistant_id) {
  Object out;
  std::string id = !vars.assistant_id.empty() ? vars.assistant_id : std::string(request_assistant_id);
  if (!id.empty()) out.set("assistantId", Value(id));
  out.set("assistantOverrides", Value::object({{"variableValues", vars.values.is_object() ? vars.values : Value::object({})}}));
  return Value(std::move(out));
}

Value vapi_tool_results(const std::vector<ToolCall>& calls, const std::vector<ToolResult>& results) {
  Array list;
  for (std::size_t i = 0; i < calls.size() && i < results.size(); ++i)
    list.push_back(Value::object(
        {{"toolCallId", Value(calls[i].tool_call_id)}, {"result", Value(result_text(results[i].result))}}));
  return Value::object({{"results", Value(std::move(list))}});
}

Status verify_vapi(const http::HttpHeaders& headers, std::string_view body, const std::vector<std::string>& secrets,
                   std::int64_t now_s) {
  auto bad = [](std::string m) { return Status(StatusCode::unauthenticated, std::move(m)); };
  if (const std::string* s = headers.find("X-Vapi-Secret"))
    return secret_matches(*s, secrets) ? Status() : bad("X-Vapi-Secret does not match FAMULOR_SECRET_VAPI");
  if (const std::string* sig = headers.find("x-signature")) {
    std::string_view given = *sig;
    if (given.substr(0, 7) == "sha256=") given.remove_prefix(7);
    const std::string ts = headers.get("x-timestamp");
    std::int64_t t = 0;
    auto [p, ec] = std::from_chars(ts.data(), ts.data() + ts.size(), t);
    if (ts.empty() || ec != std::errc() || p != ts.data() + ts.size())
      return bad("x-signature needs an x-timestamp header (Vapi's HMAC credential)");
    std::int64_t t_s = t > 100'000'000'000 ? t / 1000 : t;  // milliseconds or seconds
    if (t_s < now_s - 300 || t_s > now_s + 300) return bad("x-timestamp is outside the 300 s tolerance");
    std::string message = ts + "." + std::string(body);
    bool ok = false;
    for (const auto& secret : secrets)
      if (hex_equals(given, hmac_sha256_hex(secret, message))) ok = true;
    return ok ? Status() : bad("x-signature does not match FAMULOR_SECRET_VAPI");
  }
  if (const std::string* s = headers.find("X-Vapi-Signature"))
    return secret_matches(*s, secrets) ? Status() : bad("X-Vapi-Signature does not match FAMULOR_SECRET_VAPI");
  if (const std::string* a = headers.find("Authorization"); a && a->rfind("Bearer ", 0) == 0)
    return secret_matches(std::string_view(*a).substr(7), secrets)
               ? Status()
               : bad("the Bearer token does not match FAMULOR_SECRET_VAPI");
  return bad("missing X-Vapi-Secret (FAMULOR_SECRET_VAPI is set): set the assistant's server secret in Vapi");
}

}  // namespace famulor::platforms
