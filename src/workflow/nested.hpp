// workflow/nested.hpp — node specs of nested node lists (the body of a foreach) of an
// already validated workflow node (internal API for the engine).
//
// Workflow::nodes() holds the top-level nodes; a body stays inside its owner's params
// as written. nested_nodes() reads it into NodeSpecs with the same rules as the
// top level (the workflow was validated, so nothing is reported).
//
// Thread-safety: pure function.
#pragma once

#include <string_view>
#include <vector>

#include "famulor/workflow.hpp"

namespace famulor::detail {

// The NodeSpecs of the node list in `node.params[param]`, in document order; empty when
// there is no such list.
std::vector<NodeSpec> nested_nodes(const NodeSpec& node, std::string_view param = "nodes");

}  // namespace famulor::detail
