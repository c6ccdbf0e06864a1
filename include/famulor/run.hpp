// famulor/run.hpp — RunRecord: what happened in one run, as users read it.
//
// The same shape is printed by `famulor run`, `famulor runs show` and answered by
// `GET /v1/runs/{id}` (see to_json). Times are UTC, ISO 8601 with milliseconds.
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "famulor/status.hpp"
#include "famulor/value.hpp"

namespace famulor {

enum class RunStatus { queued, running, waiting, succeeded, failed, cancelled };
enum class NodeStatus { pending, running, waiting, succeeded, failed, skipped, cancelled };

std::string_view to_string(RunStatus s) noexcept;
std::string_view to_string(NodeStatus s) noexcept;
bool is_final(RunStatus s) noexcept;

struct NodeRecord {
  std::string id;
  NodeStatus status = NodeStatus::pending;
  Value input;   // resolved params (secrets redacted)
  Value output;  // null unless succeeded (or continued with an error value)
  std::string port;        // port taken ("" = default)
  StatusCode error_code = StatusCode::ok;
  std::string error;       // message; empty unless failed
  int attempts = 0;
  std::int64_t started_at_ms = 0;   // unix ms; 0 = not started
  std::int64_t finished_at_ms = 0;
  double duration_ms = 0;
  bool cached = false;  // the output came from the node's lookup cache (`"cache"`); attempts is then 0
};

struct RunRecord {
  std::string id;
  std::string workflow;
  std::int64_t workflow_version = 0;
  RunStatus status = RunStatus::queued;
  Value trigger;      // the event payload
  Value response;     // the `respond` node's value (null when none ran)
  StatusCode error_code = StatusCode::ok;
  std::string error;  // why the run failed, if it did
  std::int64_t started_at_ms = 0;
  std::int64_t finished_at_ms = 0;
  std::vector<NodeRecord> nodes;  // in workflow order

  const NodeRecord* node(std::string_view id) const noexcept;
  // The run JSON of CONTRACT.md: {"id","workflow","workflow_version","status",
  // "trigger","started_at","finished_at","error"?,"response"?,"nodes":{id:{...}}}.
  Value to_json() const;
};

// "2026-11-27T12:00:00.123Z"
std::string format_time_ms(std::int64_t unix_ms);

}  // namespace famulor
