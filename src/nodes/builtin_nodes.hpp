// nodes/builtin_nodes.hpp — the implementations of the built-in node types (if,
// switch, set, merge, foreach, filter, fail, respond, subworkflow, wait, noop),
// whose params are defined by the catalog (workflow/builtin_catalog.cpp)
// (internal API).
//
// Every built-in is a detail::BuiltinNode (engine/builtin.hpp). Behaviour that the
// catalog leaves open, decided here:
//  - switch: output {"port", "value"}; rules are checked in order, `condition`
//    (truthy) before `equals`; no match takes "fallback".
//  - set: a dot path creates missing objects and replaces non-object parents.
//  - merge "object": non-object outputs are ignored; "first": the first
//    predecessor in `after` order that has an output (null when none).
//  - fail: code defaults to failed_precondition; an unknown code name is `internal`.
//  - respond: the run's response is `value` (first respond wins); status and
//    headers stay in the node's input for the HTTP layer.
//  - subworkflow: output = the child's response when a respond node ran, else the
//    output of the child's last succeeded node (workflow order); wait=false: {"run_id"}.
//  - foreach: at most kMaxForeachItems items; concurrency 1..kMaxForeachConcurrency
//    (default 4); the first failing item fails the node ("item N: ...") and
//    cancels the items in flight.
//  - wait: `duration` or `until` (ISO 8601 with offset); output {"waited_ms"}.
//
// Thread-safety: the node objects are immutable; factories may be called from any thread.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>

#include "famulor/node.hpp"

namespace famulor::detail {

inline constexpr std::size_t kMaxForeachItems = 10'000;
inline constexpr std::int64_t kMaxForeachConcurrency = 256;

// Adds a factory per built-in node type.
void add_builtin_node_factories(std::map<std::string, NodeFactory, std::less<>>& out);

// Factories of the individual groups (called by add_builtin_node_factories).
void add_logic_nodes(std::map<std::string, NodeFactory, std::less<>>& out);
void add_foreach_node(std::map<std::string, NodeFactory, std::less<>>& out);
void add_subworkflow_node(std::map<std::string, NodeFactory, std::less<>>& out);
void add_wait_node(std::map<std::string, NodeFactory, std::less<>>& out);

}  // namespace famulor::detail
