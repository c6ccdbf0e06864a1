// The JSON form of the call model (famulor/call.hpp; CONTRACT.md, "The normalized
// call event"). Readers name the field that is wrong: "call.turns[2].at_s: ...".
#include <string>
#include <utility>

#include "famulor/call.hpp"

namespace famulor {
namespace {

std::string type_name(const Value& v) { return std::string(to_string(v.type())); }

Value str_or_null(const std::string& s) { return s.empty() ? Value() : Value(s); }
Value opt_num(const std::optional<double>& d) { return d ? Value(*d) : Value(); }
Value obj_or_null(const Value& v) { return v.is_null() ? Value() : v; }

// Reads fields of one JSON object; the first error wins and names its path.
class Reader {
 public:
  Reader(const Value& v, std::string where) : v_(v), where_(std::move(where)) {
    if (!v_.is_object()) fail(where_, "must be a JSON object, not " + type_name(v_));
  }
  bool ok() const noexcept { return err_.ok(); }
  const Status& status() const noexcept { return err_; }
  std::string path(std::string_view key) const { return where_ + "." + std::string(key); }

  // A string field; numbers are accepted and formatted (platform ids are often numeric).
  void str(std::string_view key, std::string& out, bool required = false) {
    const Value* f = field(key);
    if (!f || f->is_null()) {
      if (required) fail(path(key), "is required");
      return;
    }
    if (f->is_string()) {
      out = f->as_string();
      if (required && out.empty()) fail(path(key), "must not be empty");
    } else if (f->is_int()) {
      out = std::to_string(f->as_int());
    } else {
      fail(path(key), "must be a string, not " + type_name(*f));
    }
  }
  void num(std::string_view key, std::optional<double>& out) {
    const Value* f = field(key);
    if (!f || f->is_null()) return;
    if (!f->is_number()) return fail(path(key), "must be a number, not " + type_name(*f));
    out = f->as_double();
  }
  void obj(std::string_view key, Value& out) {
    const Value* f = field(key);
    if (!f || f->is_null()) return;
    if (!f->is_object()) return fail(path(key), "must be an object, not " + type_name(*f));
    out = *f;
  }
  void any(std::string_view key, Value& out) {
    if (const Value* f = field(key)) out = *f;
  }
  const Value* field(std::string_view key) const { return ok() && v_.is_object() ? v_.find(key) : nullptr; }
  void fail(const std::string& where, const std::string& what) {
    if (err_.ok()) err_ = invalid_argument(where + ": " + what);
  }

 private:
  const Value& v_;
  std::string where_;
  Status err_;
};

std::string turns_text(const std::vector<Turn>& turns) {
  std::string out;
  for (const auto& t : turns) {
    if (!out.empty()) out += '\n';
    out += t.role + ": " + t.text;
  }
  return out;
}

// Platforms say "agent", "bot" or "AI"; the model says "assistant".
std::string normalize_role(std::string role) {
  for (auto& c : role) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (role == "agent" || role == "bot" || role == "ai" || role == "assistant") return "assistant";
  if (role == "user" || role == "customer" || role == "caller" || role == "human") return "user";
  return role;
}

}  // namespace

Value CallEvent::to_value() const {
  Array ts;
  ts.reserve(turns.size());
  for (const auto& t : turns)
    ts.push_back(Value::object({{"role", Value(t.role)}, {"text", Value(t.text)}, {"at_s", Value(t.at_s)}}));
  return Value::object({{"call_id", Value(call_id)},
                        {"platform", str_or_null(platform)},
                        {"direction", str_or_null(direction)},
                        {"from", str_or_null(from)},
                        {"to", str_or_null(to)},
                        {"assistant_id", str_or_null(assistant_id)},
                        {"started_at", str_or_null(started_at)},
                        {"ended_at", str_or_null(ended_at)},
                        {"duration_s", opt_num(duration_s)},
                        {"status", str_or_null(status)},
                        {"end_reason", str_or_null(end_reason)},
                        {"transcript", str_or_null(transcript)},
                        {"turns", Value(std::move(ts))},
                        {"summary", str_or_null(summary)},
                        {"analysis", obj_or_null(analysis)},
                        {"variables", obj_or_null(variables)},
                        {"input_variables", obj_or_null(input_variables)},
                        {"recording_url", str_or_null(recording_url)},
                        {"cost", opt_num(cost)},
                        {"metadata", obj_or_null(metadata)},
                        {"raw", raw},
                        {"event", str_or_null(event)}});
}

Result<CallEvent> CallEvent::from_value(const Value& v) {
  CallEvent c;
  Reader r(v, "call");
  r.str("call_id", c.call_id, true);
  r.str("platform", c.platform);
  r.str("direction", c.direction);
  if (r.ok() && !c.direction.empty() && c.direction != "inbound" && c.direction != "outbound")
    r.fail(r.path("direction"), "must be \"inbound\" or \"outbound\", not \"" + c.direction + "\"");
  r.str("from", c.from);
  r.str("to", c.to);
  r.str("assistant_id", c.assistant_id);
  r.str("started_at", c.started_at);
  r.str("ended_at", c.ended_at);
  r.num("duration_s", c.duration_s);
  r.str("status", c.status);
  r.str("end_reason", c.end_reason);
  r.str("transcript", c.transcript);
  if (const Value* t = r.field("turns"); t && !t->is_null()) {
    if (!t->is_array()) {
      r.fail(r.path("turns"), "must be an array of {\"role\", \"text\", \"at_s\"}, not " + type_name(*t));
    } else {
      for (std::size_t i = 0; i < t->as_array().size() && r.ok(); ++i) {
        Reader tr(t->as_array()[i], r.path("turns") + "[" + std::to_string(i) + "]");
        Turn turn;
        std::optional<double> at;
        tr.str("role", turn.role, true);
        tr.str("text", turn.text);
        tr.num("at_s", at);
        if (!tr.ok()) return tr.status();
        turn.role = normalize_role(std::move(turn.role));
        turn.at_s = at.value_or(0);
        c.turns.push_back(std::move(turn));
      }
    }
  }
  r.str("summary", c.summary);
  r.obj("analysis", c.analysis);
  r.obj("variables", c.variables);
  r.obj("input_variables", c.input_variables);
  r.str("recording_url", c.recording_url);
  r.num("cost", c.cost);
  r.obj("metadata", c.metadata);
  r.any("raw", c.raw);
  r.str("event", c.event);
  if (!r.ok()) return r.status();
  if (c.transcript.empty()) c.transcript = turns_text(c.turns);
  return c;
}

Value IncomingCall::to_value() const {
  return Value::object({{"call_id", str_or_null(call_id)},
                        {"platform", str_or_null(platform)},
                        {"from", str_or_null(from)},
                        {"to", str_or_null(to)},
                        {"assistant_id", str_or_null(assistant_id)},
                        {"direction", str_or_null(direction)},
                        {"metadata", metadata.is_null() ? Value::object() : metadata},
                        {"raw", raw}});
}

namespace {
Status read_incoming(Reader& r, IncomingCall& c) {
  r.str("call_id", c.call_id);
  r.str("platform", c.platform);
  r.str("from", c.from);
  r.str("to", c.to);
  r.str("assistant_id", c.assistant_id);
  r.str("direction", c.direction);
  if (c.direction.empty()) c.direction = "inbound";
  r.obj("metadata", c.metadata);
  r.any("raw", c.raw);
  return r.status();
}
}  // namespace

Result<IncomingCall> IncomingCall::from_value(const Value& v) {
  IncomingCall c;
  Reader r(v, "call");
  if (Status s = read_incoming(r, c); !s.ok()) return s;
  return c;
}

Value ToolCall::to_value() const {
  return Value::object({{"tool", Value(tool)},
                        {"arguments", arguments.is_null() ? Value::object() : arguments},
                        {"tool_call_id", str_or_null(tool_call_id)},
                        {"call", call.to_value()}});
}

Result<ToolCall> ToolCall::from_value(const Value& v) {
  ToolCall t;
  Reader r(v, "tool_call");
  r.str("tool", t.tool, true);
  if (const Value* a = r.field("arguments"); a && !a->is_null()) {
    // Some platforms send the arguments as a JSON string.
    if (a->is_string()) {
      auto parsed = Value::parse(a->as_string());
      if (!parsed.ok() || !parsed.value().is_object())
        r.fail(r.path("arguments"), "must be an object (or a string holding a JSON object)");
      else
        t.arguments = std::move(parsed.value());
    } else if (a->is_object()) {
      t.arguments = *a;
    } else {
      r.fail(r.path("arguments"), "must be an object, not " + type_name(*a));
    }
  }
  r.str("tool_call_id", t.tool_call_id);
  if (const Value* c = r.field("call"); c && !c->is_null()) {
    Reader cr(*c, r.path("call"));
    if (Status s = read_incoming(cr, t.call); !s.ok()) return s;
  }
  if (!r.ok()) return r.status();
  return t;
}

}  // namespace famulor
