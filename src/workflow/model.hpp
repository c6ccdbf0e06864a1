// workflow/model.hpp — the working model of one parse: every node (nested foreach
// bodies included) with its resolved edges and JSON paths, shared by the reader and
// the checks (internal API).
//
// Thread-safety: none; a Model belongs to one parse.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "famulor/workflow.hpp"
#include "workflow/problems.hpp"

namespace famulor::detail {

struct NodeEntry {
  NodeSpec spec;
  std::string path;                      // "$.nodes[2]", "$.nodes[1].params.nodes[0]"
  int list = 0;                          // index into Model::lists
  bool has_id = false;                   // spec.id is present and well-formed
  const NodeTypeInfo* info = nullptr;    // null when the type is missing or unknown
  std::vector<std::string> after_paths;  // JSON path of each spec.after entry
  std::vector<int> preds;                // parallel to spec.after: entry index, -1 when unresolved
  bool unreachable = false;              // can never run (see check_reachability)
};

struct NodeList {
  int owner = -1;            // entry whose Kind::nodes param holds this list; -1 = top level
  std::string path;          // "$.nodes"
  std::vector<int> members;  // entry indices in document order
  bool acyclic = true;
  std::vector<int> topo;     // members in a topological order (without those in or after a cycle)
};

struct Model {
  const Catalog* catalog = nullptr;
  std::string id;
  std::string name;
  std::int64_t version = 1;
  TriggerSpec trigger;
  const TriggerTypeInfo* trigger_info = nullptr;
  Value settings = Value::object();
  std::vector<std::string> allowed_env;  // settings.env
  std::vector<NodeEntry> nodes;
  std::vector<NodeList> lists;  // lists[0] is the top-level list
};

// Reads the document into a Model, reporting malformed fields, unknown keys and
// unknown node/trigger types. Nested node lists (Kind::nodes params) are read too.
Model read_document(const Value& root, const Catalog& catalog, ProblemSink& sink);

// Reads one node object's fields into a NodeSpec (id, type, params, after, join, retry,
// timeout, on_error, credential, disabled, position, raw).
NodeEntry read_node(const Value& node, const std::string& path, ProblemSink& sink);

// A node's `fallback` names another node when it is an object whose only key is
// "node": that value (not checked to be a string); nullptr for a value fallback.
const Value* fallback_node_ref(const Value& fallback) noexcept;

// Edges (unknown predecessors and ports, self-references), duplicate ids, cycles,
// unreachable nodes and fallback nodes, per node list.
void check_graph(Model& model, ProblemSink& sink);

// Params of every node and of the trigger against their ParamSpecs (literal types,
// required, unknown), plus the built-in types' own rules.
void check_params(const Model& model, ProblemSink& sink);

// Built-in rules that ParamSpec cannot say (switch rules, wait's duration|until, ...).
void check_builtin_node(const NodeEntry& node, ProblemSink& sink);
void check_builtin_trigger(const Model& model, ProblemSink& sink);

// Compiles every template (node params and trigger filters) and checks that the
// nodes an expression reads are upstream of the reader.
void check_expressions(const Model& model, ProblemSink& sink);

// Whether a param declared with `types` accepts a value of type t (integer counts as number).
bool type_accepted(const std::vector<Value::Type>& types, Value::Type t);
// "string or integer".
std::string types_text(const std::vector<Value::Type>& types);
// A string holding "{{" (compiled as a template; its type is known only after compiling).
bool holds_template(const Value& v);

// Status code from its name ("unavailable", "timeout"); false when unknown.
bool status_code_from_name(std::string_view name, StatusCode* out);
std::vector<std::string> status_code_names();

// "node 'x'" for messages.
inline std::string node_label(const NodeEntry& n) {
  return n.spec.id.empty() ? std::string("node at ") + n.path : "node '" + n.spec.id + "'";
}

}  // namespace famulor::detail
