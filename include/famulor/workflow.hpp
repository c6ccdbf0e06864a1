// famulor/workflow.hpp — Workflow: a validated workflow definition (format v1).
//
// A workflow is a JSON document: id, name, version, trigger {type, ...}, nodes
// [{id, type, params, after, retry, timeout, on_error, credential, disabled,
// position, join}], settings. See docs/workflow-format.md.
//
// Workflow::parse validates everything it can without running anything and reports
// *every* problem, each with file:line:column and the JSON path of the offending
// value: unknown node or trigger types, unknown predecessors or ports, cycles,
// duplicate ids, bad parameter types, expressions that do not parse or reference
// what does not exist, unreachable nodes.
//
// Node and trigger types are looked up in a Catalog: the default one holds the
// built-in nodes and triggers (and, once linked, the connectors); an Engine's
// catalog also holds what its host registered.
//
// Thread-safety: a Workflow is an immutable value after parse; copies are cheap
// enough (deep) and may be shared across threads for reading.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "famulor/status.hpp"
#include "famulor/value.hpp"

namespace famulor {

// Where a problem is: file, 1-based line and column, and a JSON path like
// "$.nodes[2].after[0]".
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;
  std::string path;
};

struct Problem {
  SourceLocation where;
  std::string message;
  // "FILE:LINE:COL: message (at PATH)" — the line `famulor validate` prints.
  std::string to_string() const;
};

// ---- node and trigger type descriptions (used for validation) ----

struct ParamSpec {
  enum class Kind {
    value,          // a Value whose strings are templates evaluated before the node runs
    item_template,  // like value, but compiled with `item`/`index` in scope; the node evaluates it per item
    nodes,          // a nested node list (foreach body), validated like top-level nodes with `item` in scope
    raw,            // taken as is, never evaluated
  };
  std::string name;
  std::vector<Value::Type> types;  // accepted literal types; empty = any. integer is accepted where number is.
  bool required = false;
  Kind kind = Kind::value;
  std::string description;
};

struct NodeTypeInfo {
  std::string type;  // "if", "hubspot.create_contact", "my.custom"
  std::string description;
  std::vector<ParamSpec> params;
  bool allow_extra_params = false;  // params not listed are accepted (e.g. `set` fields)
  // Named output ports ("true", "false"). Empty: the node has only its default port.
  std::vector<std::string> ports;
  // Ports that depend on params (switch rules); when set, used instead of `ports`.
  std::function<std::vector<std::string>(const Value& params)> dynamic_ports;
  // The node never completes successfully (`fail`): nodes after its default ports are unreachable.
  bool never_succeeds = false;
};

struct TriggerTypeInfo {
  std::string type;  // "event", "manual", "webhook", "schedule", "call.ended", ...
  std::string description;
  std::vector<ParamSpec> params;  // keys of the trigger object besides "type"
  bool allow_extra_params = false;
};

// A set of known node and trigger types. Implementations must be thread-safe for reads.
class Catalog {
 public:
  virtual ~Catalog() = default;
  virtual const NodeTypeInfo* find_node(std::string_view type) const = 0;
  virtual const TriggerTypeInfo* find_trigger(std::string_view type) const = 0;
  // Every node type name, sorted (for "did you mean" messages and `connectors list`).
  virtual std::vector<std::string> node_types() const = 0;
};

// The built-in nodes and triggers (and every compiled-in connector operation).
const Catalog& default_catalog();

// ---- the definition ----

enum class OnError { stop, continue_run, route };  // JSON: "stop" | "continue" | "route"
enum class Join { all, any };                       // JSON: "all" | "any"

struct RetryPolicy {
  int max_attempts = 1;                                // 1 = no retry
  std::chrono::milliseconds initial_interval{500};    // first backoff (full jitter applied)
  double multiplier = 2.0;
  std::chrono::milliseconds max_interval{60'000};
  // Codes that retry; empty = Status::retryable() decides (timeouts, 5xx-like, 429).
  std::vector<StatusCode> retry_on;
};

struct Edge {
  std::string node;  // predecessor id
  std::string port;  // "" = any outcome of the predecessor's success, else a port name or "error"
};

struct NodeSpec {
  std::string id;
  std::string type;
  Value params;  // as written (templates not evaluated)
  std::vector<Edge> after;
  Join join = Join::all;
  RetryPolicy retry;
  std::optional<std::chrono::milliseconds> timeout;
  OnError on_error = OnError::stop;
  std::string credential;
  bool disabled = false;
  Value position;  // editor coordinates, kept verbatim
  Value raw;       // the node's whole JSON object, for keys later versions add
};

struct TriggerSpec {
  std::string type;
  Value config;  // the whole trigger object, including "type"
};

struct WorkflowParseOptions {
  std::string file = "<workflow>";     // name used in problem locations
  const Catalog* catalog = nullptr;    // nullptr = default_catalog()
};

class Workflow {
 public:
  // Parses and validates. On failure the Status (invalid_argument) message holds
  // every problem, one `FILE:LINE:COL: message` per line; `problems` (when given)
  // receives them as structured values.
  static Result<Workflow> parse(std::string_view json, const WorkflowParseOptions& options = {},
                                std::vector<Problem>* problems = nullptr);
  // Reads the file and parses it with options.file = path.
  static Result<Workflow> parse_file(const std::string& path, WorkflowParseOptions options = {},
                                     std::vector<Problem>* problems = nullptr);

  const std::string& id() const noexcept { return id_; }
  const std::string& name() const noexcept { return name_; }
  std::int64_t version() const noexcept { return version_; }
  const TriggerSpec& trigger() const noexcept { return trigger_; }
  const std::vector<NodeSpec>& nodes() const noexcept { return nodes_; }
  const NodeSpec* find_node(std::string_view id) const noexcept;
  const Value& settings() const noexcept { return settings_; }
  // The document as parsed (for storage and the management API).
  const Value& definition() const noexcept { return definition_; }
  const std::string& file() const noexcept { return file_; }

 private:
  friend class WorkflowBuilder;  // src/workflow: fills the fields after validation
  std::string id_;
  std::string name_;
  std::int64_t version_ = 1;
  TriggerSpec trigger_;
  std::vector<NodeSpec> nodes_;
  Value settings_;
  Value definition_;
  std::string file_;
};

}  // namespace famulor
