#include "connectors/manifest.hpp"

#include <algorithm>
#include <set>

namespace famulor::connectors {
namespace {

struct Ctx {
  std::string source;
  std::vector<std::string> errors;
  void error(const std::string& path, const std::string& msg) { errors.push_back(source + ": " + path + ": " + msg); }
};

std::string str(const Value& obj, std::string_view key, Ctx& cx, const std::string& path, bool required = false) {
  const Value* v = obj.find(key);
  if (v == nullptr || v->is_null()) {
    if (required) cx.error(path + "." + std::string(key), "is required");
    return {};
  }
  if (!v->is_string()) {
    cx.error(path + "." + std::string(key), "must be a string");
    return {};
  }
  return v->as_string();
}

std::optional<Value::Type> type_named(std::string_view t) {
  if (t == "string") return Value::Type::string;
  if (t == "integer") return Value::Type::integer;
  if (t == "number") return Value::Type::number;
  if (t == "boolean") return Value::Type::boolean;
  if (t == "object") return Value::Type::object;
  if (t == "array") return Value::Type::array;
  if (t == "null") return Value::Type::null;
  return std::nullopt;
}

std::vector<ParamInfo> parse_params(const Value* v, Ctx& cx, const std::string& path) {
  std::vector<ParamInfo> out;
  if (v == nullptr) return out;
  if (!v->is_array()) {
    cx.error(path, "must be an array of {name, type, required, description}");
    return out;
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < v->as_array().size(); ++i) {
    const Value& p = v->as_array()[i];
    std::string pp = path + "[" + std::to_string(i) + "]";
    if (!p.is_object()) {
      cx.error(pp, "must be an object");
      continue;
    }
    ParamInfo info;
    info.name = str(p, "name", cx, pp, true);
    info.description = str(p, "description", cx, pp);
    info.required = p.get_bool("required");
    if (const Value* d = p.find("default")) info.default_value = *d;
    if (const Value* t = p.find("type")) {
      std::vector<std::string> names;
      if (t->is_string()) names.push_back(t->as_string());
      else if (t->is_array())
        for (auto& x : t->as_array())
          if (x.is_string()) names.push_back(x.as_string());
      for (auto& n : names) {
        if (auto ty = type_named(n)) info.types.push_back(*ty);
        else cx.error(pp + ".type", "unknown type '" + n + "'");
      }
    }
    if (!seen.insert(info.name).second) cx.error(pp + ".name", "duplicate param '" + info.name + "'");
    out.push_back(std::move(info));
  }
  return out;
}

// Names inside {name} placeholders of a path template.
std::vector<std::string> placeholders(const std::string& path) {
  std::vector<std::string> out;
  for (std::size_t i = path.find('{'); i != std::string::npos; i = path.find('{', i + 1)) {
    if (i + 1 < path.size() && path[i + 1] == '{') {  // a {{ }} template: not a placeholder
      i = path.find("}}", i);
      if (i == std::string::npos) break;
      continue;
    }
    auto j = path.find('}', i);
    if (j == std::string::npos) break;
    out.push_back(path.substr(i + 1, j - i - 1));
    i = j;
  }
  return out;
}

Operation parse_operation(const std::string& name, const Value& v, Ctx& cx, const std::string& path) {
  Operation op;
  op.name = name;
  if (!v.is_object()) {
    cx.error(path, "must be an object");
    return op;
  }
  op.description = str(v, "description", cx, path);
  op.method = str(v, "method", cx, path);
  if (op.method.empty()) op.method = "GET";
  static const std::set<std::string> kMethods = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"};
  if (!kMethods.count(op.method)) cx.error(path + ".method", "unknown HTTP method '" + op.method + "'");
  op.path = str(v, "path", cx, path);
  op.url_field = str(v, "url_from_credential", cx, path);
  op.url = str(v, "url", cx, path);
  if (const Value* st = v.find("steps")) {
    if (!st->is_array() || st->as_array().empty()) cx.error(path + ".steps", "must be a non-empty array");
    else
      for (std::size_t i = 0; i < st->as_array().size(); ++i) {
        const Value& sv = st->as_array()[i];
        std::string sp = path + ".steps[" + std::to_string(i) + "]";
        std::string sname = sv.is_object() ? sv.get_string("name") : std::string();
        if (sname.empty()) cx.error(sp + ".name", "is required");
        op.steps.push_back(parse_operation(sname, sv, cx, sp));
      }
  }
  if (op.path.empty() && op.url_field.empty() && op.url.empty() && op.steps.empty() && name != "health")
    cx.error(path + ".path", "is required (or url, url_from_credential, steps)");
  if (const Value* q = v.find("query")) {
    if (!q->is_object()) cx.error(path + ".query", "must be an object");
    op.query = *q;
  }
  if (const Value* h = v.find("headers")) {
    if (!h->is_object()) cx.error(path + ".headers", "must be an object");
    op.headers = *h;
  }
  if (const Value* b = v.find("body")) op.body = *b;
  std::string fmt = str(v, "body_format", cx, path);
  if (fmt.empty()) op.body_format = op.body.is_null() ? BodyFormat::none : BodyFormat::json;
  else if (fmt == "json") op.body_format = BodyFormat::json;
  else if (fmt == "form") op.body_format = BodyFormat::form;
  else if (fmt == "none") op.body_format = BodyFormat::none;
  else if (fmt == "raw") op.body_format = BodyFormat::raw;
  else cx.error(path + ".body_format", "must be json, form, raw or none");
  if (op.body_format == BodyFormat::form && !op.body.is_object())
    cx.error(path + ".body", "a form body must be an object");

  if (const Value* o = v.find("output")) {
    if (o->is_string()) op.output.path = o->as_string();
    else if (o->is_object()) {
      op.output.path = str(*o, "path", cx, path + ".output");
      op.output.parse_json = o->get_bool("parse_json");
      op.output.optional = o->get_bool("optional");
      if (const Value* f = o->find("fallback")) {
        op.output.fallback = *f;
        op.output.optional = true;
      }
    } else cx.error(path + ".output", "must be a path string or an object");
  }
  if (const Value* p = v.find("pagination")) {
    std::string pp = path + ".pagination";
    std::string kind = str(*p, "type", cx, pp, true);
    if (kind == "cursor") op.pagination.kind = Pagination::Kind::cursor;
    else if (kind == "next_link") op.pagination.kind = Pagination::Kind::next_link;
    else if (kind == "page") op.pagination.kind = Pagination::Kind::page;
    else cx.error(pp + ".type", "must be cursor, next_link or page");
    op.pagination.items = str(*p, "items", cx, pp, true);
    op.pagination.next = str(*p, "next", cx, pp, op.pagination.kind != Pagination::Kind::page);
    op.pagination.param = str(*p, "param", cx, pp, op.pagination.kind != Pagination::Kind::next_link);
    op.pagination.in_body = p->get_bool("in_body");
    op.pagination.start = p->get_int("start", 1);
    op.pagination.size_param = str(*p, "size_param", cx, pp);
  }
  op.params = parse_params(v.find("params"), cx, path + ".params");
  if (const Value* d = v.find("derive")) {
    if (d->is_array())
      for (auto& x : d->as_array())
        if (x.is_string()) op.derive.push_back(x.as_string());
  }
  op.idempotent_create = v.get_bool("idempotent", op.method == "POST");
  if (const Value* a = v.find("auth"); a && a->is_bool()) op.send_auth = a->as_bool();
  if (const Value* s = v.find("sample_response")) op.sample_response = *s;
  op.sample_status = static_cast<int>(v.get_int("sample_status", 200));

  for (auto& ph : op.params.empty() ? std::vector<std::string>{} : placeholders(op.path)) {
    if (ph.rfind("credential.", 0) == 0) continue;  // filled from the credential (Twilio's AccountSid)
    bool declared = std::any_of(op.params.begin(), op.params.end(), [&](const ParamInfo& p) { return p.name == ph; });
    if (!declared) cx.error(path + ".path", "placeholder {" + ph + "} names no declared param");
  }
  return op;
}

AuthSpec parse_auth(const Value& a, Ctx& cx, const std::string& path) {
  AuthSpec s;
  std::string kind = str(a, "kind", cx, path, true);
  if (kind == "none") s.kind = AuthKind::none;
  else if (kind == "api_key") s.kind = AuthKind::api_key;
  else if (kind == "bearer") s.kind = AuthKind::bearer;
  else if (kind == "basic") s.kind = AuthKind::basic;
  else if (kind == "oauth2") s.kind = AuthKind::oauth2;
  else cx.error(path + ".kind", "must be none, api_key, bearer, basic or oauth2");
  s.in = str(a, "in", cx, path);
  if (s.in.empty()) s.in = "header";
  if (s.in != "header" && s.in != "query") cx.error(path + ".in", "must be header or query");
  s.name = str(a, "name", cx, path);
  s.field = str(a, "field", cx, path);
  s.prefix = str(a, "prefix", cx, path);
  s.username = str(a, "username", cx, path);
  s.password = str(a, "password", cx, path);
  s.token_url = str(a, "token_url", cx, path);
  s.token_auth = str(a, "token_auth", cx, path);
  if (s.token_auth.empty()) s.token_auth = "body";
  if (const Value* sc = a.find("scopes"); sc && sc->is_array())
    for (auto& x : sc->as_array())
      if (x.is_string()) s.scopes.push_back(x.as_string());
  switch (s.kind) {
    case AuthKind::api_key:
      if (s.name.empty()) cx.error(path + ".name", "api_key needs the header or query parameter name");
      if (s.field.empty()) s.field = "api_key";
      break;
    case AuthKind::bearer:
      if (s.field.empty()) s.field = "access_token";
      break;
    case AuthKind::basic:
      if (s.username.empty()) s.username = "{username}";
      if (s.password.empty()) s.password = "{password}";
      break;
    case AuthKind::oauth2:
      if (s.token_url.empty()) cx.error(path + ".token_url", "oauth2 needs token_url");
      s.field = "access_token";
      break;
    case AuthKind::none: break;
  }
  return s;
}

}  // namespace

std::string_view to_string(AuthKind kind) noexcept {
  switch (kind) {
    case AuthKind::none: return "none";
    case AuthKind::api_key: return "api_key";
    case AuthKind::bearer: return "bearer";
    case AuthKind::basic: return "basic";
    case AuthKind::oauth2: return "oauth2";
  }
  return "none";
}

std::optional<StatusCode> status_code_named(std::string_view name) noexcept {
  for (int i = 0; i <= static_cast<int>(StatusCode::data_loss); ++i) {
    auto c = static_cast<StatusCode>(i);
    if (to_string(c) == name) return c;
  }
  if (name == "deadline_exceeded") return StatusCode::deadline_exceeded;
  return std::nullopt;
}

Result<Manifest> parse_manifest(const Value& doc, const std::string& source) {
  Ctx cx{source, {}};
  Manifest m;
  m.source = source;
  if (!doc.is_object()) return Status(StatusCode::invalid_argument, source + ": a manifest must be a JSON object");
  m.app = str(doc, "app", cx, "$", true);
  for (char c : m.app)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      cx.error("$.app", "'" + m.app + "' is not lower-case snake_case");
      break;
    }
  m.title = str(doc, "title", cx, "$", true);
  m.category = str(doc, "category", cx, "$");
  m.description = str(doc, "description", cx, "$");
  m.docs_url = str(doc, "docs", cx, "$");
  m.base_url = str(doc, "base_url", cx, "$");
  m.idempotency_header = str(doc, "idempotency_header", cx, "$");
  if (const Value* a = doc.find("auth")) {
    if (!a->is_array()) cx.error("$.auth", "must be an array");
    else
      for (std::size_t i = 0; i < a->as_array().size(); ++i)
        m.auth.push_back(parse_auth(a->as_array()[i], cx, "$.auth[" + std::to_string(i) + "]"));
  }
  if (const Value* r = doc.find("retry"); r && r->is_object()) {
    if (const Value* st = r->find("statuses"); st && st->is_array()) {
      m.retry_statuses.clear();
      for (auto& x : st->as_array())
        if (x.is_int()) m.retry_statuses.push_back(static_cast<int>(x.as_int()));
    }
  }
  if (const Value* r = doc.find("rate_limit"); r && r->is_object()) {
    if (const Value* x = r->find("per_second"); x && x->is_number()) m.rate_limit_per_second = x->as_double();
    m.rate_limit_burst = static_cast<int>(r->get_int("burst", 0));
  }
  if (const Value* b = doc.find("circuit_breaker"); b && !b->is_null()) {
    if (auto cfg = detail::parse_breaker_config(*b, "$.circuit_breaker"); cfg.ok()) m.circuit_breaker = *cfg;
    else cx.error("$.circuit_breaker", cfg.status().message());
  }
  if (const Value* e = doc.find("error_message")) {
    if (e->is_string()) m.error_message_paths.push_back(e->as_string());
    else if (e->is_array())
      for (auto& x : e->as_array())
        if (x.is_string()) m.error_message_paths.push_back(x.as_string());
  }
  m.ok_path = str(doc, "ok_path", cx, "$");
  if (const Value* ec = doc.find("error_codes"); ec && ec->is_object()) {
    for (auto& [k, v] : ec->as_object()) {
      auto code = v.is_string() ? status_code_named(v.as_string()) : std::nullopt;
      if (!code) cx.error("$.error_codes." + k, "must name a status code (unavailable, invalid_argument, ...)");
      else m.error_codes[k] = *code;
    }
  }
  if (const Value* h = doc.find("headers")) {
    if (!h->is_object()) cx.error("$.headers", "must be an object");
    m.default_headers = *h;
  }
  if (const Value* h = doc.find("health")) m.health = parse_operation("health", *h, cx, "$.health");
  const Value* ops = doc.find("operations");
  if (ops == nullptr || !ops->is_object() || ops->as_object().empty())
    cx.error("$.operations", "must be a non-empty object of operations");
  else
    for (auto& [name, op] : ops->as_object()) m.operations.emplace(name, parse_operation(name, op, cx, "$.operations." + name));

  if (!cx.errors.empty()) {
    std::string msg;
    for (auto& e : cx.errors) msg += (msg.empty() ? "" : "\n") + e;
    return Status(StatusCode::invalid_argument, msg);
  }
  return m;
}

Result<Manifest> parse_manifest_text(std::string_view json, const std::string& source) {
  auto v = Value::parse(json);
  if (!v.ok()) return Status(StatusCode::invalid_argument, source + ": " + v.status().message());
  return parse_manifest(*v, source);
}

}  // namespace famulor::connectors
