#include "engine/trigger_match.hpp"

#include <string>

namespace famulor::detail {
namespace {

std::string_view trim_slashes(std::string_view p) {
  while (!p.empty() && p.front() == '/') p.remove_prefix(1);
  while (!p.empty() && p.back() == '/') p.remove_suffix(1);
  return p;
}

std::string_view str(const Value& payload, std::string_view key) {
  const Value* v = payload.is_object() ? payload.find(key) : nullptr;
  return v && v->is_string() ? std::string_view(v->as_string()) : std::string_view();
}

bool call_ended_matches(const Value& c, const Value& p) {
  if (!one_of(c, "platform", str(p, "platform")) || !one_of(c, "direction", str(p, "direction")) ||
      !one_of(c, "status", str(p, "status")) || !one_of(c, "assistant", str(p, "assistant_id")))
    return false;
  const std::string_view event = str(p, "event");
  if (c.find("events")) return one_of(c, "events", event);
  // Retell sends call_ended and then call_analyzed for the same call; by default
  // only the second (with the analysis) starts runs.
  return !(str(p, "platform") == "retell" && event == "call_ended");
}

}  // namespace

bool one_of(const Value& config, std::string_view param, std::string_view actual) {
  const Value* want = config.find(param);
  if (!want || want->is_null()) return true;
  if (want->is_string()) return want->as_string() == actual;
  if (want->is_array()) {
    for (const Value& w : want->as_array())
      if (w.is_string() && w.as_string() == actual) return true;
  }
  return false;
}

bool trigger_params_match(const TriggerSpec& t, const Event& ev) {
  const Value& c = t.config;
  if (ev.type == "event") {
    std::string name = c.get_string("name");
    return name.empty() || name == ev.name;
  }
  if (ev.type == "webhook") {  // ev.name is the hook path; the payload's method must be the trigger's
    if (trim_slashes(c.get_string("path")) != trim_slashes(ev.name)) return false;
    std::string method = c.get_string("method", "POST");
    return !ev.payload.is_object() || method == ev.payload.get_string("method", "POST");
  }
  if (ev.type == "call.ended") return call_ended_matches(c, ev.payload);
  return true;
}

int incoming_specificity(const Value& c, const Value& call) {
  if (!one_of(c, "assistant", str(call, "assistant_id")) || !one_of(c, "platform", str(call, "platform"))) return -1;
  auto set = [&](std::string_view k) {
    const Value* v = c.find(k);
    return v && !v->is_null();
  };
  return (set("assistant") ? 2 : 0) + (set("platform") ? 1 : 0);
}

}  // namespace famulor::detail
