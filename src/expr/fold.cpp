#include "expr/fold.hpp"

#include "expr/eval.hpp"
#include "expr/functions.hpp"

namespace famulor::expr::detail {

NodePtr fold(NodePtr n, std::vector<CompileError>& errors) {
  switch (n->kind) {
    case NodeKind::literal:
    case NodeKind::root:
      return n;
    case NodeKind::call:
      if (!n->fn || !n->fn->pure) return n;
      break;
    default:
      break;
  }
  for (const auto& k : n->kids) {
    if (k->kind != NodeKind::literal) return n;
  }
  EvalEnv env;  // default limits; no roots are read by a literal-only tree
  EvalCtx ctx(env);
  Ref out;
  Status st = eval(*n, ctx, out);
  if (!st.ok()) {
    if (st.code() == StatusCode::resource_exhausted) return n;  // leave for run time
    errors.push_back({ctx.error_offset(), ctx.error_message()});
    return n;
  }
  auto lit = std::make_unique<Node>();
  lit->kind = NodeKind::literal;
  lit->offset = n->offset;
  lit->value = out.take();
  lit->type = lit->value.type();
  return lit;
}

}  // namespace famulor::expr::detail
