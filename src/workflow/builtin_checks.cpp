// Rules of the built-in node and trigger types that ParamSpec cannot express:
// switch rules, merge modes, wait's duration|until, fail codes, schedule fields
// (cron syntax, time zone, interval, start_at: schedule/schedule.hpp).
// Only literal values are checked here; templates are checked when they compile.
#include <set>
#include <string>

#include "common/duration.hpp"
#include "schedule/schedule.hpp"
#include "workflow/model.hpp"
#include "workflow/suggest.hpp"

namespace famulor::detail {
namespace {

bool literal(const Value* v) { return v && !holds_template(*v); }

void check_enum(const Value* v, const std::string& path, const std::string& what,
                const std::vector<std::string>& allowed, ProblemSink& sink) {
  if (!literal(v) || !v->is_string()) return;  // the type is checked elsewhere
  for (const auto& a : allowed) {
    if (v->as_string() == a) return;
  }
  sink.at(path, what + " must be one of " + join_names(allowed, true) + ", not '" + v->as_string() + "'");
}

void check_switch(const NodeEntry& n, const std::string& pp, ProblemSink& sink) {
  const Value* rules = n.spec.params.find("rules");
  if (!rules || !rules->is_array()) return;
  std::string rp = member(pp, "rules");
  if (rules->as_array().empty()) sink.at(rp, node_label(n) + ": `rules` is empty");
  std::set<std::string> names;
  for (std::size_t i = 0; i < rules->as_array().size(); ++i) {
    const Value& r = rules->as_array()[i];
    std::string p = element(rp, i);
    if (!r.is_object()) {
      sink.at(p, node_label(n) + ": a switch rule must be an object {name?, condition? | equals?}");
      continue;
    }
    for (const auto& [key, v] : r.as_object()) {
      if (key != "name" && key != "condition" && key != "equals") {
        sink.at_key(member(p, key), node_label(n) + ": unknown switch rule key '" + key + "'" +
                                        did_you_mean(key, {"name", "condition", "equals"}));
      }
    }
    if (r.find("condition") && r.find("equals")) {
      sink.at(p, node_label(n) + ": a switch rule has either `condition` or `equals`, not both");
    } else if (!r.find("condition") && !r.find("equals")) {
      sink.at(p, node_label(n) + ": a switch rule needs `condition` or `equals`");
    }
    if (const Value* name = r.find("name")) {
      std::string np = member(p, "name");
      if (!name->is_string() || name->as_string().empty()) {
        sink.at(np, node_label(n) + ": a switch rule name must be a non-empty string");
      } else if (name->as_string() == "fallback" || name->as_string() == "error") {
        sink.at(np, node_label(n) + ": '" + name->as_string() + "' is a reserved port name");
      } else if (!names.insert(name->as_string()).second) {
        sink.at(np, node_label(n) + ": two switch rules are named '" + name->as_string() + "'");
      }
    }
  }
}

void check_wait(const NodeEntry& n, const std::string& pp, const std::string& owner_path, ProblemSink& sink) {
  const Value* d = n.spec.params.find("duration");
  const Value* u = n.spec.params.find("until");
  if (d && u) {
    sink.at(pp, node_label(n) + ": give either `duration` or `until`, not both");
  } else if (!d && !u) {
    sink.at(owner_path, node_label(n) + " (wait) needs `duration` or `until`");
  }
  if (literal(d) && (d->is_string() || d->is_int())) {
    auto r = duration_from_value(*d);
    if (!r.ok()) sink.at(member(pp, "duration"), node_label(n) + ": " + r.status().message());
  }
  if (literal(u) && u->is_string()) {
    const std::string& s = u->as_string();
    bool ok = s.size() >= 10 && s[4] == '-' && s[7] == '-';
    for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u}) ok = ok && i < s.size() && s[i] >= '0' && s[i] <= '9';
    if (!ok) sink.at(member(pp, "until"), node_label(n) + ": `until` must be an ISO-8601 time like \"2026-01-31T09:00:00Z\"");
  }
}

}  // namespace

void check_builtin_node(const NodeEntry& n, ProblemSink& sink) {
  const std::string& t = n.spec.type;
  const Value& params = n.spec.params;
  std::string pp = n.spec.raw.find("params") ? member(n.path, "params") : n.path;
  if (t == "switch") {
    check_switch(n, pp, sink);
  } else if (t == "merge") {
    check_enum(params.find("mode"), member(pp, "mode"), node_label(n) + ": merge `mode`", {"object", "array", "first"},
               sink);
  } else if (t == "foreach") {
    const Value* c = params.find("concurrency");
    if (literal(c) && c->is_int() && (c->as_int() < 1 || c->as_int() > 1000)) {
      sink.at(member(pp, "concurrency"), node_label(n) + ": `concurrency` must be from 1 to 1000");
    }
  } else if (t == "fail") {
    const Value* c = params.find("code");
    StatusCode code;
    if (literal(c) && c->is_string() && !status_code_from_name(c->as_string(), &code)) {
      sink.at(member(pp, "code"), node_label(n) + ": unknown status code '" + c->as_string() + "'" +
                                      did_you_mean(c->as_string(), status_code_names()));
    }
  } else if (t == "respond") {
    const Value* s = params.find("status");
    if (literal(s) && s->is_int() && (s->as_int() < 100 || s->as_int() > 599)) {
      sink.at(member(pp, "status"), node_label(n) + ": HTTP `status` must be from 100 to 599");
    }
  } else if (t == "wait") {
    check_wait(n, pp, n.path, sink);
  } else if (t == "set") {
    if (const Value* f = params.find("fields"); f && f->is_object()) {
      for (const auto& [key, v] : f->as_object()) {
        bool bad = key.empty() || key.front() == '.' || key.back() == '.' || key.find("..") != std::string::npos;
        if (bad) sink.at_key(member(member(pp, "fields"), key), node_label(n) + ": bad field path '" + key + "'");
      }
    }
  }
}

void check_builtin_trigger(const Model& m, ProblemSink& sink) {
  const Value& c = m.trigger.config;
  const std::string& t = m.trigger.type;
  auto p = [](std::string_view key) { return member("$.trigger", key); };
  if (t == "schedule") {
    // The same reader the trigger uses, so validation and firing never disagree.
    std::vector<ScheduleIssue> issues;
    (void)schedule_from_config(c, &issues);
    for (auto& i : issues) {
      if (i.key.empty()) sink.at("$.trigger", std::move(i.message));
      else if (i.offset) sink.in_string(p(i.key), *i.offset, std::move(i.message));
      else sink.at(p(i.key), std::move(i.message));
    }
  } else if (t == "webhook") {
    if (const Value* path = c.find("path"); path && path->is_string() && path->as_string().empty()) {
      sink.at(p("path"), "webhook `path` is empty");
    }
    check_enum(c.find("method"), p("method"), "webhook `method`", {"GET", "POST", "PUT", "PATCH", "DELETE"}, sink);
  } else if (t == "call.ended") {
    check_enum(c.find("direction"), p("direction"), "call.ended `direction`", {"inbound", "outbound"}, sink);
  } else if (t == "call.incoming") {
    if (const Value* types = c.find("variable_types"); types && types->is_object())
      for (const auto& [name, type] : types->as_object())
        check_enum(&type, member(p("variable_types"), name), "variable type", {"string", "number", "boolean", "json"},
                   sink);
  }
}

}  // namespace famulor::detail
