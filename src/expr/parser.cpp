#include "expr/parser.hpp"

#include <algorithm>
#include <string>

#include "expr/fold.hpp"
#include "expr/functions.hpp"
#include "expr/lexer.hpp"

namespace famulor::expr::detail {
namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

struct SyntaxError {};  // thrown inside the parser only; caught in parse_part

class Parser {
 public:
  Parser(std::string_view text, std::size_t pos, const CompileEnv& env, std::vector<CompileError>& errors,
         std::vector<int>& refs)
      : text_(text), lex_(text, pos), env_(env), errors_(errors), refs_(refs), start_(pos) {
    advance();
  }

  ParsedPart run() {
    ParsedPart out;
    try {
      if (tok_.kind == Tok::rbrace && at_close()) {
        syntax(tok_.offset, "empty expression: write something between {{ and }}");
      }
      out.root = expression();
      if (tok_.kind != Tok::rbrace || !at_close()) {
        if (tok_.kind == Tok::end) syntax(start_, "'{{' is never closed by '}}'");
        syntax(tok_.offset, "expected '}}' to close the expression, found " + describe(tok_));
      }
      if (tok_.offset - start_ > kMaxExpressionBytes) {
        add_error(start_, "expression is longer than " + std::to_string(kMaxExpressionBytes / 1024) +
                              " KiB");
      }
      out.end = tok_.offset + 2;
      out.closed = true;
    } catch (const SyntaxError&) {
      out.root.reset();
      out.end = tok_.offset;
      out.closed = false;
    }
    return out;
  }

 private:
  // ---- tokens ----
  void advance() {
    tok_ = lex_.next();
    if (tok_.kind == Tok::error) syntax(tok_.offset, tok_.text);
  }
  bool at_close() const { return tok_.offset + 1 < text_.size() && text_[tok_.offset + 1] == '}'; }
  bool accept(Tok k) {
    if (tok_.kind != k) return false;
    advance();
    return true;
  }
  void expect(Tok k, std::string_view context) {
    if (tok_.kind != k) {
      syntax(tok_.offset, "expected " + std::string(tok_name(k)) + " " + std::string(context) + ", found " +
                              describe(tok_));
    }
    advance();
  }
  static std::string describe(const Token& t) {
    if (t.kind == Tok::ident) return "'" + t.text + "'";
    if (t.kind == Tok::rbrace) return "'}'";
    return std::string(tok_name(t.kind));
  }

  // ---- errors ----
  [[noreturn]] void syntax(std::size_t offset, std::string message) {
    errors_.push_back({offset, std::move(message)});
    throw SyntaxError{};
  }
  void add_error(std::size_t offset, std::string message) { errors_.push_back({offset, std::move(message)}); }

  // Tree depth is bounded so that evaluation cannot overflow the stack: nesting
  // and chains (a.b.c, 1 + 2 + 3) both deepen the tree.
  void deepen(std::size_t at) {
    if (++depth_ > kMaxNesting) {
      syntax(at, "expression is nested or chained deeper than " + std::to_string(kMaxNesting) + " levels");
    }
  }
  struct DepthGuard {
    Parser& p;
    int added = 0;
    explicit DepthGuard(Parser& parser) : p(parser) {}
    void more() {
      ++added;
      p.deepen(p.tok_.offset);
    }
    ~DepthGuard() { p.depth_ -= added; }
  };

  NodePtr make(NodeKind kind, std::size_t offset) {
    auto n = std::make_unique<Node>();
    n->kind = kind;
    n->offset = offset;
    return n;
  }
  NodePtr finish(NodePtr n) { return fold(std::move(n), errors_); }

  // ---- grammar (lowest precedence first) ----
  NodePtr expression() {
    DepthGuard guard(*this);
    guard.more();
    NodePtr cond = coalesce();
    if (tok_.kind != Tok::question) return cond;
    std::size_t at = tok_.offset;
    advance();
    NodePtr a = expression();
    expect(Tok::colon, "in 'condition ? a : b'");
    NodePtr b = expression();
    auto n = make(NodeKind::conditional, at);
    if (a->type && a->type == b->type) n->type = a->type;
    n->kids.push_back(std::move(cond));
    n->kids.push_back(std::move(a));
    n->kids.push_back(std::move(b));
    return finish(std::move(n));
  }

  NodePtr logical(NodeKind kind, NodePtr (Parser::*next)(), Tok tok) {
    NodePtr left = (this->*next)();
    DepthGuard guard(*this);
    while (tok_.kind == tok) {
      guard.more();
      std::size_t at = tok_.offset;
      advance();
      NodePtr right = (this->*next)();
      auto n = make(kind, at);
      n->kids.push_back(std::move(left));
      n->kids.push_back(std::move(right));
      left = finish(std::move(n));
    }
    return left;
  }
  NodePtr coalesce() { return logical(NodeKind::coalesce, &Parser::logical_or, Tok::coalesce); }
  NodePtr logical_or() { return logical(NodeKind::logical_or, &Parser::logical_and, Tok::or_); }
  NodePtr logical_and() { return logical(NodeKind::logical_and, &Parser::equality, Tok::and_); }

  NodePtr binary_level(NodePtr (Parser::*next)(), std::initializer_list<std::pair<Tok, BinaryOp>> ops) {
    NodePtr left = (this->*next)();
    DepthGuard guard(*this);
    while (true) {
      auto it = std::find_if(ops.begin(), ops.end(), [&](const auto& p) { return p.first == tok_.kind; });
      if (it == ops.end()) return left;
      guard.more();
      std::size_t at = tok_.offset;
      advance();
      NodePtr right = (this->*next)();
      auto n = make(NodeKind::binary, at);
      n->op = it->second;
      if (n->op >= BinaryOp::eq) {
        n->type = Value::Type::boolean;
      } else if (n->op == BinaryOp::add &&
                 (left->type == Value::Type::string || right->type == Value::Type::string)) {
        n->type = Value::Type::string;
      }
      n->kids.push_back(std::move(left));
      n->kids.push_back(std::move(right));
      left = finish(std::move(n));
    }
  }
  NodePtr equality() { return binary_level(&Parser::relational, {{Tok::eq, BinaryOp::eq}, {Tok::ne, BinaryOp::ne}}); }
  NodePtr relational() {
    return binary_level(&Parser::additive, {{Tok::lt, BinaryOp::lt}, {Tok::le, BinaryOp::le},
                                            {Tok::gt, BinaryOp::gt}, {Tok::ge, BinaryOp::ge}});
  }
  NodePtr additive() {
    return binary_level(&Parser::multiplicative, {{Tok::plus, BinaryOp::add}, {Tok::minus, BinaryOp::sub}});
  }
  NodePtr multiplicative() {
    return binary_level(&Parser::unary,
                        {{Tok::star, BinaryOp::mul}, {Tok::slash, BinaryOp::div}, {Tok::percent, BinaryOp::mod}});
  }

  NodePtr unary() {
    if (tok_.kind == Tok::minus || tok_.kind == Tok::bang) {
      DepthGuard guard(*this);
      guard.more();
      bool neg = tok_.kind == Tok::minus;
      std::size_t at = tok_.offset;
      advance();
      auto n = make(neg ? NodeKind::negate : NodeKind::logical_not, at);
      n->kids.push_back(unary());
      if (!neg) n->type = Value::Type::boolean;
      return finish(std::move(n));
    }
    return postfix(primary());
  }

  NodePtr postfix(NodePtr n) {
    DepthGuard guard(*this);
    while (true) {
      if (tok_.kind == Tok::dot || tok_.kind == Tok::lbracket) guard.more();
      if (tok_.kind == Tok::dot) {
        advance();
        if (tok_.kind != Tok::ident) syntax(tok_.offset, "expected a member name after '.', found " + describe(tok_));
        auto m = make(NodeKind::member, tok_.offset);
        m->name = tok_.text;
        advance();
        m->kids.push_back(std::move(n));
        n = finish(std::move(m));
      } else if (tok_.kind == Tok::lbracket) {
        std::size_t at = tok_.offset;
        advance();
        auto m = make(NodeKind::index, at);
        m->kids.push_back(std::move(n));
        m->kids.push_back(expression());
        expect(Tok::rbracket, "to close '['");
        n = finish(std::move(m));
      } else if (tok_.kind == Tok::lparen) {
        syntax(tok_.offset, "only library functions can be called, e.g. upper(x)");
      } else {
        return n;
      }
    }
  }

  NodePtr literal(Value v, std::size_t at) {
    auto n = make(NodeKind::literal, at);
    n->type = v.type();
    n->value = std::move(v);
    advance();
    return n;
  }

  NodePtr primary() {
    const std::size_t at = tok_.offset;
    switch (tok_.kind) {
      case Tok::integer: return literal(Value(static_cast<long long>(tok_.int_value)), at);
      case Tok::decimal: return literal(Value(tok_.dbl_value), at);
      case Tok::string: return literal(Value(tok_.text), at);
      case Tok::lparen: {
        advance();
        NodePtr inner = expression();
        expect(Tok::rparen, "to close '('");
        return inner;
      }
      case Tok::lbracket: return array_literal();
      case Tok::lbrace: return object_literal();
      case Tok::ident: return identifier();
      default:
        syntax(at, "expected a value, found " + describe(tok_));
    }
  }

  NodePtr array_literal() {
    auto n = make(NodeKind::array, tok_.offset);
    n->type = Value::Type::array;
    advance();
    while (tok_.kind != Tok::rbracket) {
      n->kids.push_back(expression());
      if (!accept(Tok::comma)) break;
    }
    expect(Tok::rbracket, "to close the array");
    return finish(std::move(n));
  }

  NodePtr object_literal() {
    auto n = make(NodeKind::object, tok_.offset);
    n->type = Value::Type::object;
    advance();
    while (tok_.kind != Tok::rbrace) {
      if (tok_.kind != Tok::ident && tok_.kind != Tok::string) {
        syntax(tok_.offset, "expected a key (name or string) in object literal, found " + describe(tok_));
      }
      if (std::find(n->keys.begin(), n->keys.end(), tok_.text) != n->keys.end()) {
        add_error(tok_.offset, "duplicate key '" + tok_.text + "' in object literal");
      }
      n->keys.push_back(tok_.text);
      advance();
      expect(Tok::colon, "after an object key");
      n->kids.push_back(expression());
      if (!accept(Tok::comma)) break;
    }
    expect(Tok::rbrace, "to close the object");
    return finish(std::move(n));
  }

  // A member name after `.` or a literal string in `[...]`; used where the name
  // must be known at compile time (nodes.<id>, env.<NAME>).
  bool static_name(std::string& out, std::size_t& at) {
    if (tok_.kind == Tok::dot) {
      advance();
      if (tok_.kind != Tok::ident) syntax(tok_.offset, "expected a name after '.', found " + describe(tok_));
      out = tok_.text;
      at = tok_.offset;
      advance();
      return true;
    }
    if (tok_.kind == Tok::lbracket) {
      advance();
      if (tok_.kind != Tok::string) syntax(tok_.offset, "expected a quoted name in '[...]' here, found " + describe(tok_));
      out = tok_.text;
      at = tok_.offset;
      advance();
      expect(Tok::rbracket, "to close '['");
      return true;
    }
    return false;
  }

  NodePtr root(Root r, std::size_t at) {
    auto n = make(NodeKind::root, at);
    n->root = r;
    if (r == Root::run_id || r == Root::run_workflow) n->type = Value::Type::string;
    if (r == Root::index) n->type = Value::Type::integer;
    return n;
  }

  NodePtr identifier() {
    const std::size_t at = tok_.offset;
    std::string name = tok_.text;
    advance();
    if (tok_.kind == Tok::lparen) return call(name, at);
    if (name == "true") return literal_here(Value(true), at);
    if (name == "false") return literal_here(Value(false), at);
    if (name == "null") return literal_here(Value(), at);
    if (name == "trigger") return root(Root::trigger, at);
    if (name == "vars") return root(Root::vars, at);
    if (name == "item" || name == "index") {
      if (!env_.has_item) add_error(at, "'" + name + "' is only available inside foreach and filter");
      return root(name == "item" ? Root::item : Root::index, at);
    }
    if (name == "run") {
      std::string field;
      std::size_t fat = at;
      if (!static_name(field, fat)) syntax(tok_.offset, "'run' must be followed by .id or .workflow");
      if (field == "id") return root(Root::run_id, at);
      if (field == "workflow") return root(Root::run_workflow, at);
      add_error(fat, "unknown field 'run." + field + "'; available: run.id, run.workflow");
      return root(Root::run_id, at);
    }
    if (name == "env") return env_root(at);
    if (name == "nodes") return nodes_root(at);
    static const std::vector<std::string_view> roots = {"trigger", "vars", "nodes", "run", "env", "item", "index"};
    std::string msg = "unknown name '" + name + "'";
    std::string_view near = closest_name(name, roots);
    if (near.empty() && find_function(name)) {
      msg += "; " + name + " is a function, call it as " + name + "(...)";
    } else if (!near.empty()) {
      msg += "; did you mean '" + std::string(near) + "'?";
    } else {
      msg += "; expressions start at trigger, vars, nodes.<id>.output, run, env";
      if (env_.has_item) msg += ", item, index";
    }
    add_error(at, msg);
    return literal_here(Value(), at);
  }

  NodePtr literal_here(Value v, std::size_t at) {
    auto n = make(NodeKind::literal, at);
    n->type = v.type();
    n->value = std::move(v);
    return n;
  }

  NodePtr env_root(std::size_t at) {
    std::string name;
    std::size_t nat = at;
    if (!static_name(name, nat)) syntax(tok_.offset, "'env' must be followed by .NAME");
    auto n = root(Root::env, at);
    n->name = name;
    const auto& allowed = env_.allowed_env;
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      std::string msg = "environment variable '" + name + "' is not allowed here";
      if (allowed.empty()) {
        msg += " (the workflow's settings allow none)";
      } else {
        std::vector<std::string_view> c(allowed.begin(), allowed.end());
        std::string_view near = closest_name(name, c);
        if (!near.empty()) msg += "; did you mean '" + std::string(near) + "'?";
      }
      add_error(nat, msg);
    }
    return n;
  }

  NodePtr nodes_root(std::size_t at) {
    std::string id;
    std::size_t iat = at;
    if (!static_name(id, iat)) syntax(tok_.offset, "'nodes' must be followed by .<node id>.output");
    int index = env_.resolve_node ? env_.resolve_node(id) : -1;
    if (index < 0) add_error(iat, "unknown node '" + id + "'");
    std::string field;
    std::size_t fat = tok_.offset;
    if (!static_name(field, fat)) syntax(tok_.offset, "expected .output, .status or .error after 'nodes." + id + "'");
    Root r = Root::node_output;
    if (field == "status") {
      r = Root::node_status;
    } else if (field == "error") {
      r = Root::node_error;
    } else if (field != "output") {
      add_error(fat, "unknown field 'nodes." + id + "." + field + "'; available: nodes." + id + ".output, .status, .error");
    }
    if (index >= 0) refs_.push_back(index);
    auto n = root(r, at);
    n->node_index = index;
    return n;
  }

  NodePtr call(const std::string& name, std::size_t at) {
    auto n = make(NodeKind::call, at);
    advance();  // '('
    while (tok_.kind != Tok::rparen) {
      n->kids.push_back(expression());
      if (!accept(Tok::comma)) break;
    }
    expect(Tok::rparen, "to close the argument list of " + name + "(");
    const FunctionDef* fn = find_function(name);
    if (!fn) {
      std::vector<std::string_view> names;
      for (const auto& f : all_functions()) names.push_back(f.name);
      std::string msg = "unknown function '" + name + "'";
      std::string_view near = closest_name(name, names);
      if (!near.empty()) msg += "; did you mean '" + std::string(near) + "'?";
      add_error(at, msg);
      return literal_here(Value(), at);
    }
    const int argc = static_cast<int>(n->kids.size());
    if (argc < fn->min_args || (fn->max_args != kVariadic && argc > fn->max_args)) {
      std::string want = std::to_string(fn->min_args);
      if (fn->max_args == kVariadic) {
        want = "at least " + want;
      } else if (fn->max_args != fn->min_args) {
        want += " to " + std::to_string(fn->max_args);
      }
      add_error(at, name + "() takes " + want + " argument" + (fn->max_args == 1 && fn->min_args == 1 ? "" : "s") +
                        ", got " + std::to_string(argc));
      return literal_here(Value(), at);
    }
    n->fn = fn;
    n->type = fn->returns;
    return finish(std::move(n));
  }

  std::string_view text_;
  Lexer lex_;
  const CompileEnv& env_;
  std::vector<CompileError>& errors_;
  std::vector<int>& refs_;
  std::size_t start_;
  Token tok_;
  int depth_ = 0;
};

}  // namespace

std::string_view closest_name(std::string_view name, const std::vector<std::string_view>& candidates) {
  std::string_view best;
  std::size_t best_d = name.size() <= 3 ? 1 : 2;
  for (std::string_view c : candidates) {
    std::size_t d = edit_distance(name, c);
    if (d <= best_d && (best.empty() || d < edit_distance(name, best))) best = c;
  }
  return best;
}

ParsedPart parse_part(std::string_view text, std::size_t pos, const CompileEnv& env,
                      std::vector<CompileError>& errors, std::vector<int>& node_refs) {
  try {
    Parser p(text, pos, env, errors, node_refs);
    return p.run();
  } catch (const SyntaxError&) {
    // The very first token was invalid (thrown from the constructor).
    ParsedPart out;
    out.end = pos;
    return out;
  }
}

}  // namespace famulor::expr::detail
