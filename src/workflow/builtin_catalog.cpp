// The built-in node and trigger types: their params, ports and descriptions. The
// engine's node implementations (src/nodes/) follow these names exactly; the format
// is documented in docs/workflow-format.md.
#include <string>
#include <utility>
#include <vector>

#include "net/http_request_node.hpp"
#include "workflow/catalog.hpp"

namespace famulor::detail {
namespace {

using T = Value::Type;
using K = ParamSpec::Kind;

ParamSpec req(std::string name, std::vector<T> types, std::string description, K kind = K::value) {
  return ParamSpec{std::move(name), std::move(types), true, kind, std::move(description)};
}
ParamSpec opt(std::string name, std::vector<T> types, std::string description, K kind = K::value) {
  return ParamSpec{std::move(name), std::move(types), false, kind, std::move(description)};
}

NodeTypeInfo node(std::string type, std::string description, std::vector<ParamSpec> params) {
  NodeTypeInfo info;
  info.type = std::move(type);
  info.description = std::move(description);
  info.params = std::move(params);
  return info;
}

// switch: one port per rule (its "name", or its index when unnamed) plus "fallback".
std::vector<std::string> switch_ports(const Value& params) {
  std::vector<std::string> ports;
  if (const Value* rules = params.find("rules"); rules && rules->is_array()) {
    for (std::size_t i = 0; i < rules->as_array().size(); ++i) {
      const Value& rule = rules->as_array()[i];
      const Value* name = rule.find("name");
      ports.push_back(name && name->is_string() ? name->as_string() : std::to_string(i));
    }
  }
  ports.push_back("fallback");
  return ports;
}

TriggerTypeInfo trigger(std::string type, std::string description, std::vector<ParamSpec> params,
                        bool allow_extra = false) {
  TriggerTypeInfo info;
  info.type = std::move(type);
  info.description = std::move(description);
  info.params = std::move(params);
  info.allow_extra_params = allow_extra;
  return info;
}

ParamSpec filter_param() {
  return opt("filter", {}, "template evaluated against the event (`trigger`); the run starts only when it is truthy");
}

}  // namespace

std::vector<NodeTypeInfo> builtin_node_types() {
  std::vector<NodeTypeInfo> out;

  auto n_if = node("if", "Evaluates `condition`; takes port \"true\" or \"false\". Output: the boolean.",
                   {req("condition", {}, "any value or template; truthiness decides the port")});
  n_if.ports = {"true", "false"};
  out.push_back(std::move(n_if));

  auto n_switch = node("switch",
                       "Takes the port of the first matching rule (its name, or its index when unnamed), else "
                       "\"fallback\". A rule matches when its `condition` is truthy or `value` equals its `equals`. "
                       "Output: {\"port\", \"value\"}.",
                       {opt("value", {}, "the value rules compare with `equals`"),
                        req("rules", {T::array}, "array of {name?, condition? | equals?}")});
  n_switch.ports = {"fallback"};
  n_switch.dynamic_ports = switch_ports;
  out.push_back(std::move(n_switch));

  out.push_back(node("set",
                     "Output: `base` (default {}) with each of `fields` set at its dot path (\"contact.name\").",
                     {req("fields", {T::object}, "dot-path key -> value or template"),
                      opt("base", {T::object}, "object (or template yielding one) the fields are set on")}));

  out.push_back(node("merge",
                     "Merges the outputs of the predecessors in `after` order. mode \"object\" (default): "
                     "shallow merge of objects, later wins; \"array\": array of the outputs; \"first\": the first "
                     "output that exists.",
                     {opt("mode", {T::string}, "\"object\" | \"array\" | \"first\"")}));

  out.push_back(node("foreach",
                     "Runs the body `nodes` once per element of `items` (`item`, `index` in scope), at most "
                     "`concurrency` at a time. Output: array of `result` per item (default: the output of the body's "
                     "last node).",
                     {req("items", {T::array}, "array or template yielding one"),
                      req("nodes", {T::array}, "the body: a node list whose `after` refers to siblings", K::nodes),
                      opt("concurrency", {T::integer}, "items in flight at once (default 4)"),
                      opt("result", {}, "what to collect per item; may read the body's nodes", K::item_template)}));

  out.push_back(node("filter", "Output: the elements of `items` for which `condition` is truthy.",
                     {req("items", {T::array}, "array or template yielding one"),
                      req("condition", {}, "evaluated per element with `item` and `index`", K::item_template)}));

  auto n_fail = node("fail", "Fails the node (and, unless on_error says otherwise, the run) with `message`.",
                     {req("message", {T::string}, "error message (template)"),
                      opt("code", {T::string}, "status code name, default \"failed_precondition\"")});
  n_fail.never_succeeds = true;
  out.push_back(std::move(n_fail));

  out.push_back(node("respond",
                     "Answers the caller (synchronous webhook, call.incoming variables, call.tool result) with "
                     "`value`. Output: the value.",
                     {req("value", {}, "the answer"),
                      opt("status", {T::integer}, "HTTP status for synchronous webhooks (default 200)"),
                      opt("headers", {T::object}, "HTTP headers for synchronous webhooks")}));

  out.push_back(node("subworkflow",
                     "Starts workflow `workflow` with `input` as its trigger; when `wait`, its output is the child "
                     "run's last output.",
                     {req("workflow", {T::string}, "workflow id"),
                      opt("input", {}, "the child's trigger payload (default: this run's trigger)"),
                      opt("wait", {T::boolean}, "wait for the child run (default true)")}));

  out.push_back(node("wait", "Sleeps durably for `duration` or until `until` (exactly one).",
                     {opt("duration", {T::string, T::integer}, "duration string (\"5m\") or milliseconds"),
                      opt("until", {T::string}, "ISO-8601 time with offset")}));

  out.push_back(node("noop", "Does nothing. Output: `value` (default null).", {opt("value", {}, "the output")}));

  // Connector-style built-ins defined next to their implementation (src/net/).
  out.push_back(net::http_request_node_type());
  return out;
}

std::vector<TriggerTypeInfo> builtin_trigger_types() {
  std::vector<TriggerTypeInfo> out;
  out.push_back(trigger("event", "An event emitted by the host program (Engine::emit).",
                        {opt("name", {T::string}, "event name to match"), filter_param()}));
  out.push_back(trigger("manual", "Started by hand (famulor run, the API).", {}));
  out.push_back(trigger("webhook", "POST /v1/hooks/{path}.",
                        {req("path", {T::string}, "path below /v1/hooks/", K::raw),
                         opt("method", {T::string}, "HTTP method (default POST)", K::raw),
                         opt("sync", {T::boolean}, "answer with the run's respond node instead of 202", K::raw),
                         filter_param()},
                        true));
  out.push_back(trigger("schedule", "Fires on a cron expression or a fixed interval, in an IANA time zone.",
                        {opt("cron", {T::string}, "cron: 5 fields, or 6 with seconds first; @daily etc.", K::raw),
                         opt("interval", {T::string, T::integer}, "fixed interval (duration, at least 1s)", K::raw),
                         opt("every", {T::string, T::integer}, "another name for `interval`", K::raw),
                         opt("timezone", {T::string}, "IANA time zone for cron and start_at (default UTC)", K::raw),
                         opt("catch_up", {T::string},
                             "slots missed while the engine was down: \"none\" (default) | \"last\" | \"all\"", K::raw),
                         opt("start_at", {T::string}, "ISO-8601 time: no slot before it; the interval's origin",
                             K::raw)},
                        true));
  out.push_back(trigger("call.ended", "A voice call ended (normalized call event as `trigger`).",
                        {filter_param(), opt("platform", {T::string, T::array}, "platform(s) to match", K::raw),
                         opt("direction", {T::string}, "\"inbound\" | \"outbound\"", K::raw),
                         opt("status", {T::string, T::array}, "call status(es) to match", K::raw),
                         opt("assistant", {T::string, T::array}, "assistant id(s) to match", K::raw),
                         opt("events", {T::array}, "platform event names to accept", K::raw)}));
  out.push_back(trigger("call.incoming",
                        "An incoming call asks for variables; the run's respond node answers by the deadline.",
                        {opt("defaults", {T::object}, "variables answered when the run is late", K::raw),
                         opt("deadline_ms", {T::integer}, "answer deadline (default: the caller's, else 500)", K::raw),
                         opt("assistant", {T::string, T::array}, "assistant id(s) to match", K::raw),
                         opt("platform", {T::string, T::array}, "platform(s) to match", K::raw),
                         opt("types", {T::array}, "platform message types to accept", K::raw),
                         opt("variable_types", {T::object},
                             "variable name -> \"string\" (default) | \"number\" | \"boolean\" | \"json\"", K::raw)}));
  out.push_back(trigger("call.tool", "A mid-call tool call named `name`; the respond node's value is the result.",
                        {req("name", {T::string}, "tool name", K::raw),
                         opt("description", {T::string}, "tool description for the assistant", K::raw),
                         opt("parameters", {T::object}, "JSON Schema of the arguments", K::raw),
                         opt("fallback", {}, "result answered when the run is late or fails", K::raw),
                         opt("deadline_ms", {T::integer}, "answer deadline, when shorter than the caller's", K::raw)}));
  out.push_back(trigger("workflow.failed", "Another workflow's run failed (error workflows).",
                        {opt("workflows", {T::array}, "workflow ids to watch (default: all)", K::raw)}));
  return out;
}

}  // namespace famulor::detail
