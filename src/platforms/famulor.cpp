// Famulor platform webhooks -> famulor's call model (famulor.hpp).
#include "platforms/famulor.hpp"

namespace famulor::platforms {
namespace {

bool is_inbound_event(std::string_view e) {
  return e == "inbound_call" || e == "call.inbound" || e == "call.incoming" || e == "inbound";
}

// The transcript as a list of {"text", "type", "sender", "timestamp" (unix s)};
// offsets are counted from the first utterance.
std::vector<Turn> read_turns(const Value& list) {
  std::vector<Turn> turns;
  std::optional<double> origin;
  for (const auto& u : list.as_array()) {
    if (!u.is_object()) continue;
    std::string type = text_at(u, "type");
    if (!type.empty() && type != "transcript") continue;  // tool calls, events
    Turn t;
    std::string sender = text_at(u, "sender");
    if (sender.empty()) sender = text_at(u, "role");
    t.role = normalize_role(sender);
    t.text = text_at(u, "text");
    if (auto ts = number_at(u, "timestamp")) {
      if (!origin) origin = *ts;
      t.at_s = *ts - *origin;
    }
    turns.push_back(std::move(t));
  }
  return turns;
}

Result<CallEvent> read_call(const Value& d, std::string_view where) {
  CallEvent e;
  e.call_id = text_at(d, "id");
  if (e.call_id.empty()) e.call_id = text_at(d, "call_id");
  if (e.call_id.empty()) return bad_field(std::string(where) + "id", "missing: the call's id");
  e.platform = "famulor";
  e.direction = direction_at(d, "direction");
  if (e.direction.empty() && (object_at(d, "campaign") || object_at(d, "lead"))) e.direction = "outbound";
  std::string customer = to_e164(text_at(d, "customer_phone"));
  std::string assistant = to_e164(text_at(d, "assistant_phone"));
  if (e.direction == "outbound") e.from = assistant, e.to = customer;
  else e.from = customer, e.to = assistant;
  e.assistant_id = text_at(d, "assistant_id");
  e.started_at = text_at(d, "created_at");
  e.ended_at = text_at(d, "finished_at");
  e.duration_s = number_at(d, "duration");
  e.status = text_at(d, "status");
  e.end_reason = text_at(d, "ended_reason");
  if (const Value* t = d.find("transcript")) {
    if (t->is_string()) {
      e.transcript = t->as_string();
    } else if (t->is_array()) {
      e.turns = read_turns(*t);
      e.transcript = transcript_text(e.turns);
    } else if (!t->is_null()) {
      return bad_field(std::string(where) + "transcript", "neither text nor a list of turns");
    }
  }
  e.recording_url = text_at(d, "recording_url");
  e.variables = object_or_empty(d, "extracted_variables");
  e.summary = text_at(e.variables, "summary");
  e.input_variables = object_or_empty(d, "input_variables");
  e.cost = number_at(d, "cost");
  Object meta;
  if (const Value* lead = object_at(d, "lead")) meta.set("lead", *lead);
  if (const Value* campaign = object_at(d, "campaign")) meta.set("campaign", *campaign);
  e.metadata = Value(std::move(meta));
  return e;
}

}  // namespace

Result<Parsed> parse_famulor(const Value& body) {
  if (!body.is_object()) return bad_field("$", "a Famulor webhook is a JSON object");
  Parsed p;
  p.event = text_at(body, "event");
  if (p.event.empty()) p.event = text_at(body, "type");
  const Value* data = object_at(body, "data");
  const Value& d = data ? *data : body;
  std::string where = data ? "data." : "";
  if (is_inbound_event(p.event)) {
    p.kind = Kind::incoming;
    IncomingCall& in = p.incoming;
    in.platform = "famulor";
    in.call_id = text_at(d, "call_id");
    if (in.call_id.empty()) in.call_id = text_at(d, "id");
    in.from = to_e164(text_at(d, "customer_phone"));
    if (in.from.empty()) in.from = to_e164(text_at(d, "from"));
    in.to = to_e164(text_at(d, "assistant_phone"));
    if (in.to.empty()) in.to = to_e164(text_at(d, "to"));
    in.assistant_id = text_at(d, "assistant_id");
    in.metadata = Value::object({});
    in.raw = body;
    return p;
  }
  if (p.event.empty()) p.event = "post_call";  // the classic body names no event
  else if (p.event != "call.ended" && p.event != "call.completed" && p.event != "post_call" &&
           p.event != "call.finished")
    return p;  // another event of the newer body: acknowledged
  auto e = read_call(d, where);
  if (!e.ok()) return e.status();
  p.call = std::move(*e);
  p.call.event = p.event;
  p.call.raw = body;
  p.kind = Kind::ended;
  return p;
}

Value famulor_inbound_answer(const Variables& vars) {
  Object out;
  out.set("variables", vars.values.is_object() ? vars.values : Value::object({}));
  if (!vars.assistant_id.empty()) out.set("assistant_id", Value(vars.assistant_id));
  return Value(std::move(out));
}

std::string sign_famulor(std::string_view secret, std::string_view body) {
  return "sha256=" + hmac_sha256_hex(secret, body);
}

Status verify_famulor(const http::HttpHeaders& headers, std::string_view body, const std::vector<std::string>& secrets) {
  auto bad = [](std::string m) { return Status(StatusCode::unauthenticated, std::move(m)); };
  const std::string* header = headers.find("X-Famulor-Signature");
  if (!header) return bad("missing X-Famulor-Signature (FAMULOR_SECRET_FAMULOR is set)");
  std::string_view sig = *header;
  if (sig.substr(0, 7) != "sha256=") return bad("X-Famulor-Signature is not sha256=<hex>");
  sig.remove_prefix(7);
  bool ok = false;
  for (const auto& secret : secrets)
    if (hex_equals(sig, hmac_sha256_hex(secret, body))) ok = true;
  return ok ? Status() : bad("X-Famulor-Signature does not match FAMULOR_SECRET_FAMULOR");
}

}  // namespace famulor::platforms
