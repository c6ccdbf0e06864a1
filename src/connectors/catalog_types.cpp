// The connector operations as node types of the default catalog (workflow/catalog.cpp
// asks for them when it builds default_catalog()).
#include <vector>

#include "connectors/registry.hpp"
#include "famulor/workflow.hpp"

namespace famulor::detail {

std::vector<NodeTypeInfo> connector_node_types() { return connectors::builtin_registry().node_types(); }

}  // namespace famulor::detail
