#include "connectors/request_builder.hpp"

#include <cctype>
#include <cstdlib>

#include "connectors/derive.hpp"
#include "expr/expr.hpp"
#include "net/url.hpp"

namespace famulor::connectors {

struct CompiledOperation::Impl {
  expr::ValueTemplate url;
  expr::ValueTemplate query;
  expr::ValueTemplate headers;
  expr::ValueTemplate body;
  expr::ValueTemplate app_headers;
};

namespace {

// Manifests write `{{ params.x }}`; the expression language's free root for
// caller-supplied data is `vars`, so `params` is renamed inside every {{ }}.
std::string rename_params_root(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    auto open = text.find("{{", i);
    if (open == std::string_view::npos) {
      out.append(text.substr(i));
      break;
    }
    auto close = text.find("}}", open + 2);
    if (close == std::string_view::npos) close = text.size();
    out.append(text.substr(i, open - i));
    std::string_view inner = text.substr(open, close - open);
    for (std::size_t k = 0; k < inner.size();) {
      bool boundary = k == 0 || !(std::isalnum(static_cast<unsigned char>(inner[k - 1])) || inner[k - 1] == '_' ||
                                  inner[k - 1] == '.');
      if (boundary && inner.substr(k, 6) == "params" &&
          (k + 6 == inner.size() || !(std::isalnum(static_cast<unsigned char>(inner[k + 6])) || inner[k + 6] == '_'))) {
        out += "vars";
        k += 6;
      } else {
        out += inner[k++];
      }
    }
    i = close;
    if (i < text.size()) {
      out += "}}";
      i += 2;
    }
  }
  return out;
}

Value rename_tree(const Value& v) {
  if (v.is_string()) return Value(rename_params_root(v.as_string()));
  if (v.is_array()) {
    Array a;
    for (auto& x : v.as_array()) a.push_back(rename_tree(x));
    return Value(std::move(a));
  }
  if (v.is_object()) {
    Object o;
    for (auto& [k, x] : v.as_object()) o.append(k, rename_tree(x));
    return Value(std::move(o));
  }
  return v;
}

Status compile_tree(const Value& v, const std::string& where, expr::ValueTemplate& out) {
  std::vector<expr::ValueTemplate::PathError> errors;
  expr::CompileEnv env;
  out = expr::ValueTemplate::compile(rename_tree(v), env, where, errors);
  if (errors.empty()) return {};
  std::string msg;
  for (auto& e : errors) msg += (msg.empty() ? "" : "; ") + e.path + ": " + e.error.message;
  return invalid_argument(msg);
}

// Drops members (recursively) whose value is null.
Value drop_nulls(Value v) {
  if (v.is_object()) {
    Object o;
    for (auto& [k, x] : v.as_object())
      if (!x.is_null()) o.append(k, drop_nulls(std::move(x)));
    return Value(std::move(o));
  }
  if (v.is_array())
    for (auto& x : v.as_array()) x = drop_nulls(std::move(x));
  return v;
}

std::string scalar_text(const Value& v) {
  if (v.is_string()) return v.as_string();
  if (v.is_bool()) return v.as_bool() ? "true" : "false";
  return v.dump();
}

bool type_ok(const Value& v, const std::vector<Value::Type>& types) {
  if (types.empty()) return true;
  for (auto t : types) {
    if (v.type() == t) return true;
    if (t == Value::Type::number && v.is_number()) return true;
  }
  return false;
}

std::string env_name(std::string_view app, std::string_view suffix) {
  std::string n = "FAMULOR_";
  for (char c : app) n += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  n += suffix;
  return n;
}

// Fills {credential.FIELD} in a base URL. Values must look like a host or URL.
Result<std::string> fill_credential_host(const std::string& tmpl, const Value* cred, const std::string& where) {
  std::string out;
  std::size_t i = 0;
  while (true) {
    auto open = tmpl.find("{credential.", i);
    if (open == std::string::npos) break;
    auto close = tmpl.find('}', open);
    if (close == std::string::npos) break;
    std::string field = tmpl.substr(open + 12, close - open - 12);
    const Value* v = cred ? cred->find(field) : nullptr;
    if (v == nullptr || !v->is_string() || v->as_string().empty())
      return Status(StatusCode::failed_precondition,
                    where + ": the credential needs a '" + field + "' field (this app's host is per account)");
    std::string value = v->as_string();
    while (!value.empty() && value.back() == '/') value.pop_back();
    bool is_url = value.rfind("https://", 0) == 0 || value.rfind("http://", 0) == 0;
    for (char c : is_url ? std::string() : value)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.'))
        return Status(StatusCode::invalid_argument,
                      where + ": credential field '" + field + "' must be a host name or an https URL");
    out += tmpl.substr(i, open - i);
    out += value;
    i = close + 1;
  }
  out += tmpl.substr(i);
  return out;
}

}  // namespace

std::string percent_encode(std::string_view s) { return net::percent_encode(s); }

Result<std::string> form_encode(const Value& object) { return net::form_encode(drop_nulls(object)); }

Result<std::string> query_encode(const Value& object) {
  if (!object.is_object()) return std::string();
  auto pairs = net::flatten_params(drop_nulls(object), net::ArrayStyle::repeat);
  if (!pairs.ok()) return pairs.status();
  std::string q = net::append_query("", *pairs);
  return q.empty() || q[0] != '?' ? q : q.substr(1);
}

std::string base_url_from_env(std::string_view app) {
  const char* v = std::getenv(env_name(app, "_BASE_URL").c_str());
  return v ? std::string(v) : std::string();
}

std::string token_url_from_env(std::string_view app) {
  const char* v = std::getenv(env_name(app, "_TOKEN_URL").c_str());
  return v ? std::string(v) : std::string();
}

CompiledOperation::~CompiledOperation() = default;

Result<std::shared_ptr<const CompiledOperation>> CompiledOperation::compile(const Manifest& m, const Operation& op) {
  std::shared_ptr<CompiledOperation> c(new CompiledOperation());
  c->manifest_ = &m;
  c->op_ = &op;
  c->impl_ = std::make_unique<Impl>();
  std::string where = m.source + ": operations." + op.name;
  if (auto s = compile_tree(op.url.empty() ? Value() : Value(op.url), where + ".url", c->impl_->url); !s.ok()) return s;
  if (auto s = compile_tree(op.query, where + ".query", c->impl_->query); !s.ok()) return s;
  if (auto s = compile_tree(op.headers, where + ".headers", c->impl_->headers); !s.ok()) return s;
  if (auto s = compile_tree(op.body, where + ".body", c->impl_->body); !s.ok()) return s;
  if (auto s = compile_tree(m.default_headers, m.source + ": headers", c->impl_->app_headers); !s.ok()) return s;
  for (auto& d : op.derive)
    if (!known_derivation(d)) return invalid_argument(where + ".derive: unknown helper '" + d + "'");
  for (auto& step : op.steps) {
    auto cs = compile(m, step);
    if (!cs.ok()) return cs.status();
    c->steps_.push_back(std::move(*cs));
  }
  return std::shared_ptr<const CompiledOperation>(std::move(c));
}

Result<Value> CompiledOperation::prepare_params(const Value& params) const {
  std::string where = manifest_->app + "." + op_->name;
  Value p = params.is_object() ? params : Value::object();
  for (auto& info : op_->params) {
    const Value* v = p.find(info.name);
    if (v == nullptr || v->is_null()) {
      if (!info.default_value.is_null()) p[info.name] = info.default_value;
      else if (info.required) return invalid_argument(where + ": param '" + info.name + "' is required");
      continue;
    }
    if (!type_ok(*v, info.types))
      return invalid_argument(where + ": param '" + info.name + "' must be " +
                              std::string(to_string(info.types.front())) + ", got " + std::string(to_string(v->type())));
  }
  for (auto& d : op_->derive) {
    auto s = apply_derivation(d, p);
    if (!s.ok()) return Status(s.code(), where + ": " + s.message());
  }
  return p;
}

Result<HttpRequest> CompiledOperation::build(const Value& params, const Value* cred, const BuildOptions& options) const {
  std::string where = manifest_->app + "." + op_->name;
  HttpRequest req;
  req.method = op_->method;

  // Where to send it.
  expr::EvalEnv env;
  env.vars = &params;
  std::string url;
  if (!op_->url.empty()) {
    auto u = impl_->url.evaluate(env);
    if (!u.ok()) return Status(u.status().code(), where + ": url: " + u.status().message());
    if (!u->is_string() || u->as_string().rfind("http", 0) != 0)
      return Status(StatusCode::invalid_argument, where + ": url: does not evaluate to an http(s) URL");
    url = u->as_string();
    req.policy_applies = true;
  } else if (!op_->url_field.empty()) {
    const Value* u = cred ? cred->find(op_->url_field) : nullptr;
    if (u == nullptr || !u->is_string() || u->as_string().empty())
      return Status(StatusCode::failed_precondition, where + ": the credential needs a '" + op_->url_field + "' field");
    url = u->as_string();
    if (!options.base_url_override.empty()) {
      // Keep the webhook's path, swap its origin (tests and the sandbox).
      auto scheme = url.find("://");
      auto path_start = scheme == std::string::npos ? std::string::npos : url.find('/', scheme + 3);
      url = options.base_url_override + (path_start == std::string::npos ? "" : url.substr(path_start));
      req.policy_applies = false;
    }
  } else if (!options.base_url_override.empty()) {
    url = options.base_url_override;
    req.policy_applies = false;
  } else {
    auto base = fill_credential_host(manifest_->base_url, cred, where);
    if (!base.ok()) return base.status();
    url = *base;
    // A host filled from the credential is user-controlled; the manifest's own
    // fixed host is still checked (it is public by construction).
    req.policy_applies = true;
  }
  while (!url.empty() && url.back() == '/' && !op_->path.empty() && op_->path.front() == '/') url.pop_back();

  // Path placeholders.
  const std::string& path = op_->path;
  for (std::size_t i = 0; i < path.size();) {
    if (path[i] == '{') {
      auto j = path.find('}', i);
      std::string name = path.substr(i + 1, j - i - 1);
      if (name.rfind("credential.", 0) == 0) {
        // An account id in the path (Twilio's /Accounts/{AccountSid}/...).
        std::string field = name.substr(11);
        const Value* v = cred ? cred->find(field) : nullptr;
        if (v == nullptr || !v->is_string() || v->as_string().empty())
          return Status(StatusCode::failed_precondition,
                        where + ": the credential needs a '" + field + "' field (it is part of the URL path)");
        url += percent_encode(v->as_string());
        i = j + 1;
        continue;
      }
      const Value* v = params.find(name);
      if (v == nullptr || v->is_null() || (v->is_string() && v->as_string().empty()))
        return invalid_argument(where + ": param '" + name + "' is required (it is part of the URL path)");
      url += percent_encode(scalar_text(*v));
      i = j + 1;
    } else {
      url += path[i++];
    }
  }

  auto query = impl_->query.evaluate(env);
  if (!query.ok()) return Status(query.status().code(), where + ": query: " + query.status().message());
  auto qs_r = query_encode(*query);
  if (!qs_r.ok()) return Status(qs_r.status().code(), where + ": query: " + qs_r.status().message());
  std::string qs = std::move(*qs_r);
  if (!qs.empty()) {
    url.push_back(url.find('?') == std::string::npos ? '?' : '&');
    url.append(qs);
  }
  req.url = std::move(url);

  for (auto* tmpl : {&impl_->app_headers, &impl_->headers}) {
    auto hs = tmpl->evaluate(env);
    if (!hs.ok()) return Status(hs.status().code(), where + ": headers: " + hs.status().message());
    if (hs->is_object())
      for (auto& [k, v] : hs->as_object())
        if (!v.is_null()) set_header(req.headers, k, scalar_text(v));
  }

  if (op_->body_format != BodyFormat::none) {
    auto body = impl_->body.evaluate(env);
    if (!body.ok()) return Status(body.status().code(), where + ": body: " + body.status().message());
    Value b = drop_nulls(std::move(*body));
    if (op_->body_format == BodyFormat::json) {
      req.body = b.dump();
      if (!find_header(req.headers, "Content-Type")) set_header(req.headers, "Content-Type", "application/json");
    } else if (op_->body_format == BodyFormat::raw) {
      req.body = b.is_string() ? b.as_string() : b.dump();
    } else {
      auto form = form_encode(b);
      if (!form.ok()) return Status(form.status().code(), where + ": body: " + form.status().message());
      req.body = std::move(*form);
      if (!find_header(req.headers, "Content-Type"))
        set_header(req.headers, "Content-Type", "application/x-www-form-urlencoded");
    }
  }
  if (!find_header(req.headers, "Accept")) set_header(req.headers, "Accept", "application/json");
  if (!manifest_->idempotency_header.empty() && op_->idempotent_create && !options.idempotency_key.empty())
    set_header(req.headers, manifest_->idempotency_header, options.idempotency_key);
  return req;
}

}  // namespace famulor::connectors
