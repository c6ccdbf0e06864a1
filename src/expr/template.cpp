// Template: splitting a string into text and `{{ }}` parts, and evaluating it.
#include <algorithm>

#include "expr/compiled_template.hpp"
#include "expr/functions.hpp"
#include "expr/parser.hpp"

namespace famulor::expr {
namespace detail {

void CompiledTemplate::compile(std::string_view source, const CompileEnv& env, std::vector<CompileError>& errors) {
  text.assign(source);
  parts.clear();
  node_refs.clear();
  literal = source.find("{{") == std::string_view::npos;
  single = false;
  type = Value::Type::string;
  if (literal) return;
  if (source.size() > kMaxTemplateBytes) {
    errors.push_back({0, "template is longer than " + std::to_string(kMaxTemplateBytes / 1024) + " KiB"});
    return;
  }
  std::string pending;
  std::size_t pos = 0;
  auto flush = [&] {
    if (!pending.empty()) parts.push_back({std::move(pending), nullptr});
    pending.clear();
  };
  while (pos < source.size()) {
    const std::size_t open = source.find("{{", pos);
    if (open == std::string_view::npos) {
      pending.append(source.substr(pos));
      break;
    }
    if (open > 0 && source[open - 1] == '\\') {  // `\{{` is a literal `{{`
      pending.append(source.substr(pos, open - 1 - pos));
      pending.append("{{");
      pos = open + 2;
      continue;
    }
    pending.append(source.substr(pos, open - pos));
    flush();
    ParsedPart part = parse_part(source, open + 2, env, errors, node_refs);
    if (part.closed) {
      if (open == 0 && part.end == source.size()) single = true;
      parts.push_back({std::string(), std::move(part.root)});
      pos = part.end;
      continue;
    }
    // Resynchronize after a syntax error at the next `}}` to report later parts too.
    const std::size_t close = source.find("}}", std::max(part.end, open + 2));
    if (close == std::string_view::npos) break;
    pos = close + 2;
  }
  flush();
  std::sort(node_refs.begin(), node_refs.end());
  node_refs.erase(std::unique(node_refs.begin(), node_refs.end()), node_refs.end());
  if (single) {
    type = parts.size() == 1 && parts[0].expr ? parts[0].expr->type : std::nullopt;
  }
}

Status CompiledTemplate::evaluate(EvalCtx& ctx, Value& out) const {
  if (literal) {
    out = Value(text);
    return {};
  }
  if (single) {
    Ref r;
    if (Status st = eval(*parts[0].expr, ctx, r); !st.ok()) return st;
    out = r.take();
    return {};
  }
  std::string s;
  for (const Part& p : parts) {
    if (!p.expr) {
      s += p.text;
      continue;
    }
    Ref r;
    if (Status st = eval(*p.expr, ctx, r); !st.ok()) return st;
    append_as_text(r.get(), s);
    if (Status st = ctx.check_string(s.size(), "template"); !st.ok()) return st;
  }
  out = Value(std::move(s));
  return {};
}

}  // namespace detail

struct Template::Impl {
  detail::CompiledTemplate t;
};

Template::Template() : impl_(std::make_unique<Impl>()) {}
Template::~Template() = default;
Template::Template(Template&&) noexcept = default;
Template& Template::operator=(Template&&) noexcept = default;

Template Template::compile(std::string_view text, const CompileEnv& env, std::vector<CompileError>& errors) {
  Template out;
  Status st = detail::guarded([&] {
    out.impl_->t.compile(text, env, errors);
    return Status();
  });
  if (!st.ok()) errors.push_back({0, st.message()});
  return out;
}

bool Template::is_literal() const noexcept { return impl_->t.literal; }
const std::vector<int>& Template::node_refs() const noexcept { return impl_->t.node_refs; }
std::optional<Value::Type> Template::static_type() const noexcept { return impl_->t.type; }

Result<Value> Template::evaluate(const EvalEnv& env) const {
  Value out;
  Status st = detail::guarded([&] {
    detail::EvalCtx ctx(env);
    return impl_->t.evaluate(ctx, out);
  });
  if (!st.ok()) return st;
  return out;
}

std::vector<std::string> function_names() {
  std::vector<std::string> out;
  for (const auto& f : detail::all_functions()) out.emplace_back(f.name);
  return out;
}

}  // namespace famulor::expr
