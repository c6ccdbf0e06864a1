// Reading one node object into a NodeSpec: field types, enum values, retry policy,
// durations, unknown keys.
#include <string>

#include "common/duration.hpp"
#include "common/cache_policy.hpp"
#include "workflow/model.hpp"
#include "workflow/suggest.hpp"

namespace famulor::detail {
namespace {

const std::vector<std::string>& node_keys() {
  static const std::vector<std::string> keys = {"id",      "type",     "params",     "after",    "join",
                                                "retry",   "timeout",  "on_error",   "credential", "disabled",
                                                "position", "cache",   "fallback"};
  return keys;
}

bool id_char_ok(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

std::string type_name(const Value& v) { return std::string(to_string(v.type())); }

void read_after(const Value& v, const std::string& path, NodeEntry& e, ProblemSink& sink) {
  auto one = [&](const Value& item, const std::string& p) {
    if (!item.is_string()) {
      sink.at(p, "`after` entries must be strings (\"node\" or \"node.port\"), not " + type_name(item));
      return;
    }
    const std::string& s = item.as_string();
    auto dot = s.find('.');
    Edge edge;
    edge.node = s.substr(0, dot);
    if (dot != std::string::npos) edge.port = s.substr(dot + 1);
    if (edge.node.empty() || (dot != std::string::npos && edge.port.empty())) {
      sink.at(p, "bad `after` entry \"" + s + "\": write \"node\" or \"node.port\"");
      return;
    }
    e.spec.after.push_back(std::move(edge));
    e.after_paths.push_back(p);
  };
  if (v.is_string()) {
    one(v, path);
  } else if (v.is_array()) {
    for (std::size_t i = 0; i < v.as_array().size(); ++i) one(v.as_array()[i], element(path, i));
  } else if (!v.is_null()) {
    sink.at(path, "`after` must be a string or an array of strings, not " + type_name(v));
  }
}

void read_duration(const Value& v, const std::string& path, std::string_view what,
                   std::chrono::milliseconds* out, ProblemSink& sink) {
  auto d = duration_from_value(v);
  if (!d.ok()) {
    sink.at(path, std::string(what) + ": " + d.status().message());
  } else {
    *out = d.value();
  }
}

void read_retry(const Value& v, const std::string& path, RetryPolicy& r, ProblemSink& sink) {
  if (!v.is_object()) {
    sink.at(path, "`retry` must be an object {max_attempts, initial_interval, multiplier, max_interval, on}, not " +
                      type_name(v));
    return;
  }
  static const std::vector<std::string> keys = {"max_attempts", "initial_interval", "multiplier", "max_interval",
                                                "on"};
  for (const auto& [key, val] : v.as_object()) {
    std::string p = member(path, key);
    if (key == "max_attempts") {
      if (!val.is_int() || val.as_int() < 1 || val.as_int() > 1000) {
        sink.at(p, "retry.max_attempts must be an integer from 1 to 1000");
      } else {
        r.max_attempts = static_cast<int>(val.as_int());
      }
    } else if (key == "initial_interval") {
      read_duration(val, p, "retry.initial_interval", &r.initial_interval, sink);
    } else if (key == "max_interval") {
      read_duration(val, p, "retry.max_interval", &r.max_interval, sink);
    } else if (key == "multiplier") {
      if (!val.is_number() || !(val.as_double() >= 1.0) || val.as_double() > 100.0) {
        sink.at(p, "retry.multiplier must be a number from 1 to 100");
      } else {
        r.multiplier = val.as_double();
      }
    } else if (key == "on") {
      if (!val.is_array()) {
        sink.at(p, "retry.on must be an array of status code names, e.g. [\"unavailable\", \"timeout\"]");
        continue;
      }
      for (std::size_t i = 0; i < val.as_array().size(); ++i) {
        const Value& c = val.as_array()[i];
        StatusCode code;
        if (!c.is_string() || !status_code_from_name(c.as_string(), &code)) {
          std::string name = c.is_string() ? "'" + c.as_string() + "'" : c.dump();
          std::string hint = c.is_string() ? did_you_mean(c.as_string(), status_code_names()) : std::string();
          sink.at(element(p, i), "unknown status code " + name + " in retry.on" +
                                     (hint.empty() ? " (codes: " + join_names(status_code_names()) + ")" : hint));
        } else {
          r.retry_on.push_back(code);
        }
      }
    } else {
      sink.at_key(p, "unknown retry key '" + key + "'" + did_you_mean(key, keys));
    }
  }
  if (r.max_interval < r.initial_interval) {
    sink.at(path, "retry.max_interval is shorter than retry.initial_interval");
  }
}

template <typename E>
bool read_enum(const Value& v, const std::string& path, const std::string& owner, std::string_view field,
               std::initializer_list<std::pair<const char*, E>> names, E* out, ProblemSink& sink) {
  std::string list;
  for (const auto& [n, e] : names) {
    if (v.is_string() && v.as_string() == n) {
      *out = e;
      return true;
    }
    if (!list.empty()) list += " | ";
    list += '"';
    list += n;
    list += '"';
  }
  std::string msg = owner;
  msg += ": `";
  msg += field;
  msg += "` must be ";
  msg += list;
  msg += ", not ";
  msg += v.dump();
  sink.at(path, std::move(msg));
  return false;
}

}  // namespace

std::vector<std::string> status_code_names() {
  std::vector<std::string> out;
  for (int c = static_cast<int>(StatusCode::cancelled); c <= static_cast<int>(StatusCode::data_loss); ++c) {
    out.emplace_back(to_string(static_cast<StatusCode>(c)));
  }
  return out;
}

bool status_code_from_name(std::string_view name, StatusCode* out) {
  for (int c = static_cast<int>(StatusCode::cancelled); c <= static_cast<int>(StatusCode::data_loss); ++c) {
    auto code = static_cast<StatusCode>(c);
    if (to_string(code) == name) {
      *out = code;
      return true;
    }
  }
  if (name == "deadline_exceeded" || name == "timeout") {
    *out = StatusCode::deadline_exceeded;
    return true;
  }
  return false;
}

NodeEntry read_node(const Value& node, const std::string& path, ProblemSink& sink) {
  NodeEntry e;
  e.path = path;
  e.spec.raw = node;
  e.spec.params = Value::object();
  if (!node.is_object()) {
    sink.at(path, "a node must be an object, not " + type_name(node));
    return e;
  }
  // The id first, so that later messages can name the node.
  if (const Value* id = node.find("id")) {
    std::string p = member(path, "id");
    if (!id->is_string()) {
      sink.at(p, "node id must be a string, not " + type_name(*id));
    } else {
      e.spec.id = id->as_string();
      bool ok = !e.spec.id.empty() && e.spec.id.size() <= 128;
      for (char c : e.spec.id) ok = ok && id_char_ok(c);
      if (!ok) {
        sink.at(p, "bad node id \"" + e.spec.id + "\": use 1-128 letters, digits, '_' and '-' (no dots)");
      } else {
        e.has_id = true;
      }
    }
  } else {
    sink.at(path, "node has no \"id\"");
  }
  for (const auto& [key, v] : node.as_object()) {
    std::string p = member(path, key);
    if (key == "id") continue;
    if (key == "type") {
      if (!v.is_string() || v.as_string().empty()) {
        sink.at(p, node_label(e) + ": `type` must be a non-empty string");
      } else {
        e.spec.type = v.as_string();
      }
    } else if (key == "params") {
      if (v.is_object()) {
        e.spec.params = v;
      } else if (!v.is_null()) {
        sink.at(p, node_label(e) + ": `params` must be an object, not " + type_name(v));
      }
    } else if (key == "after") {
      read_after(v, p, e, sink);
    } else if (key == "join") {
      read_enum<Join>(v, p, node_label(e), "join", {{"all", Join::all}, {"any", Join::any}}, &e.spec.join, sink);
    } else if (key == "retry") {
      read_retry(v, p, e.spec.retry, sink);
    } else if (key == "timeout") {
      std::chrono::milliseconds t{0};
      auto d = duration_from_value(v);
      if (!d.ok()) {
        sink.at(p, node_label(e) + ": timeout: " + d.status().message());
      } else if (d.value().count() <= 0) {
        sink.at(p, node_label(e) + ": timeout must be positive");
      } else {
        t = d.value();
        e.spec.timeout = t;
      }
    } else if (key == "on_error") {
      read_enum<OnError>(v, p, node_label(e), "on_error",
                         {{"stop", OnError::stop}, {"continue", OnError::continue_run}, {"route", OnError::route}},
                         &e.spec.on_error, sink);
    } else if (key == "credential") {
      if (!v.is_string()) {
        sink.at(p, node_label(e) + ": `credential` must be a string (a credential name), not " + type_name(v));
      } else {
        e.spec.credential = v.as_string();
      }
    } else if (key == "disabled") {
      if (!v.is_bool()) {
        sink.at(p, node_label(e) + ": `disabled` must be true or false, not " + type_name(v));
      } else {
        e.spec.disabled = v.as_bool();
      }
    } else if (key == "position") {
      e.spec.position = v;
    } else if (key == "cache") {
      if (auto c = cache_policy_from_value(v); !c.ok()) sink.at(p, node_label(e) + ": " + c.status().message());
    } else if (key == "fallback" || key.rfind("x-", 0) == 0) {
      // kept in raw for the pieces that read them
    } else {
      sink.at_key(p, node_label(e) + " has unknown key '" + key + "'" + did_you_mean(key, node_keys()));
    }
  }
  if (!node.find("type")) sink.at(path, node_label(e) + " has no \"type\"");
  return e;
}

}  // namespace famulor::detail
