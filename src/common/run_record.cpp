#include <ctime>

#include "famulor/run.hpp"

namespace famulor {

std::string_view to_string(RunStatus s) noexcept {
  switch (s) {
    case RunStatus::queued: return "queued";
    case RunStatus::running: return "running";
    case RunStatus::waiting: return "waiting";
    case RunStatus::succeeded: return "succeeded";
    case RunStatus::failed: return "failed";
    case RunStatus::cancelled: return "cancelled";
  }
  return "unknown";
}

std::string_view to_string(NodeStatus s) noexcept {
  switch (s) {
    case NodeStatus::pending: return "pending";
    case NodeStatus::running: return "running";
    case NodeStatus::waiting: return "waiting";
    case NodeStatus::succeeded: return "succeeded";
    case NodeStatus::failed: return "failed";
    case NodeStatus::skipped: return "skipped";
    case NodeStatus::cancelled: return "cancelled";
  }
  return "unknown";
}

bool is_final(RunStatus s) noexcept {
  return s == RunStatus::succeeded || s == RunStatus::failed || s == RunStatus::cancelled;
}

std::string format_time_ms(std::int64_t unix_ms) {
  if (unix_ms <= 0) return {};
  std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(unix_ms % 1000));
  return buf;
}

const NodeRecord* RunRecord::node(std::string_view id) const noexcept {
  for (const auto& n : nodes)
    if (n.id == id) return &n;
  return nullptr;
}

static Value time_or_null(std::int64_t ms) { return ms > 0 ? Value(format_time_ms(ms)) : Value(); }

Value RunRecord::to_json() const {
  Object o;
  o.append("id", id);
  o.append("workflow", workflow);
  o.append("workflow_version", workflow_version);
  o.append("status", std::string(to_string(status)));
  o.append("trigger", trigger);
  o.append("started_at", time_or_null(started_at_ms));
  o.append("finished_at", time_or_null(finished_at_ms));
  if (!error.empty())
    o.append("error", Value::object({{"code", std::string(to_string(error_code))}, {"message", error}}));
  if (!response.is_null()) o.append("response", response);
  Object ns;
  ns.reserve(nodes.size());
  for (const auto& n : nodes) {
    Object no;
    no.append("status", std::string(to_string(n.status)));
    no.append("input", n.input);
    no.append("output", n.output);
    if (!n.port.empty()) no.append("port", n.port);
    no.append("error", n.error.empty() ? Value()
                                        : Value::object({{"code", std::string(to_string(n.error_code))},
                                                         {"message", n.error}}));
    no.append("attempts", n.attempts);
    if (n.cached) no.append("cached", true);
    no.append("started_at", time_or_null(n.started_at_ms));
    no.append("finished_at", time_or_null(n.finished_at_ms));
    no.append("duration_ms", n.duration_ms);
    ns.append(n.id, Value(std::move(no)));
  }
  o.append("nodes", Value(std::move(ns)));
  return Value(std::move(o));
}

}  // namespace famulor
