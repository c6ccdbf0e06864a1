// expr/fold.hpp — compile-time folding of sub-trees whose operands are all literals.
//
// A folded node becomes a literal (no run-time cost). When evaluating it fails with
// a type error, that is a compile error reported at the node's offset; a sub-tree
// that would exceed the default evaluation limits is left for run time.
//
// Thread-safety: stateless.
#pragma once

#include <vector>

#include "expr/ast.hpp"
#include "expr/expr.hpp"

namespace famulor::expr::detail {

// Returns `n` folded into a literal when possible, else `n` unchanged.
NodePtr fold(NodePtr n, std::vector<CompileError>& errors);

}  // namespace famulor::expr::detail
