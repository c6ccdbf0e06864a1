#include "connectors/sandbox.hpp"

#include <algorithm>
#include <optional>
#include <regex>

#include "net/url.hpp"
#include "security/redact.hpp"

namespace famulor::connectors {

struct Sandbox::Route {
  std::string app;
  std::string operation;
  const Operation* op = nullptr;
  bool needs_auth = false;
  std::vector<std::string> auth_headers;  // header names that carry credentials
  std::vector<std::string> auth_query;    // query names that carry credentials
  std::regex path;
  bool wildcard = false;                  // any path under /<app>/ (webhook and step URLs)
  std::vector<std::string> required_body;
  std::vector<std::string> required_query;
  // Constant (non-template) scalars of the body by object path: how operations that
  // share a method and path (the OpenAI recipes) are told apart.
  std::vector<std::pair<std::vector<std::string>, Value>> constants;
};

struct Sandbox::Failure {
  std::string app;
  std::string operation;  // "" = any
  int status = 500;
  Value body;
  int delay_ms = 0;
  int count = 1;
};

namespace {

std::string regex_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (std::string_view(".^$|()[]{}*+?\\").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

std::string path_regex(const std::string& app, const std::string& path) {
  std::string re = "/" + regex_escape(app);
  for (std::size_t i = 0; i < path.size();) {
    if (path[i] == '{') {
      auto j = path.find('}', i);
      re += "[^/]+";
      i = j + 1;
    } else {
      auto j = path.find('{', i);
      if (j == std::string::npos) j = path.size();
      re += regex_escape(path.substr(i, j - i));
      i = j;
    }
  }
  return re;
}

// The param a template string is exactly about ("{{ params.x }}" -> "x"), or "".
std::string sole_param(const std::string& s) {
  static const std::regex re(R"(^\{\{\s*params\.([A-Za-z0-9_]+)\s*\}\}$)");
  std::smatch m;
  return std::regex_match(s, m, re) ? m[1].str() : std::string();
}

bool always_sent(const Value& v, const Operation& op) {
  if (v.is_null()) return false;
  if (!v.is_string()) return true;
  if (v.as_string().find("{{") == std::string::npos) return true;
  std::string p = sole_param(v.as_string());
  if (p.empty()) return false;  // a mixed template: sent, but may be empty; do not insist
  for (auto& info : op.params)
    if (info.name == p) return info.required || !info.default_value.is_null();
  return false;
}

void substitute(Value& v, const std::string& self) {
  if (v.is_string()) {
    auto& s = v.as_string();
    for (auto pos = s.find("{{sandbox}}"); pos != std::string::npos; pos = s.find("{{sandbox}}", pos))
      s.replace(pos, 11, self);
  } else if (v.is_array()) {
    for (auto& x : v.as_array()) substitute(x, self);
  } else if (v.is_object()) {
    for (auto& [_, x] : v.as_object()) substitute(x, self);
  }
}

HttpResponse json_reply(int status, const Value& body) {
  HttpResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = body.dump();
  return r;
}

HttpResponse error_reply(int status, const std::string& message) {
  return json_reply(status, Value::object({{"error", Value::object({{"code", "sandbox"}, {"message", message}})}}));
}

std::vector<std::string> form_keys(const std::string& body) {
  std::vector<std::string> keys;
  std::size_t i = 0;
  while (i < body.size()) {
    auto amp = body.find('&', i);
    if (amp == std::string::npos) amp = body.size();
    std::string pair = body.substr(i, amp - i);
    auto key = net::percent_decode(pair.substr(0, pair.find('=')), true);
    if (key.ok()) keys.push_back(key->substr(0, key->find('[')));
    i = amp + 1;
  }
  return keys;
}

void collect_constants(const Value& v, std::vector<std::string>& path,
                       std::vector<std::pair<std::vector<std::string>, Value>>& out) {
  if (v.is_object()) {
    for (auto& [k, x] : v.as_object()) {
      path.push_back(k);
      collect_constants(x, path, out);
      path.pop_back();
    }
  } else if (!path.empty() && (v.is_bool() || v.is_number() ||
                               (v.is_string() && v.as_string().find("{{") == std::string::npos))) {
    out.emplace_back(path, v);
  }
}

// Constants of the route the body repeats, minus those it contradicts.
int constant_score(const Sandbox::Route& r, const Value& body) {
  int score = 0;
  for (auto& [path, want] : r.constants) {
    const Value* v = &body;
    for (auto& k : path) v = v && v->is_object() ? v->find(k) : nullptr;
    if (v == nullptr) continue;
    score += *v == want ? 1 : -1;
  }
  return score;
}

void add_routes(std::vector<std::unique_ptr<Sandbox::Route>>& routes, const Manifest& m, const Operation& op,
                const std::string& name) {
  if (!op.steps.empty()) {
    for (auto& step : op.steps) add_routes(routes, m, step, name + "/" + step.name);
    return;
  }
  auto r = std::make_unique<Sandbox::Route>();
  r->app = m.app;
  r->operation = name;
  r->op = &op;
  for (auto& a : m.auth) {
    if (a.kind == AuthKind::none) {
      r->needs_auth = false;
      r->auth_headers.clear();
      break;
    }
    r->needs_auth = op.send_auth;
    if (a.kind == AuthKind::api_key && a.in == "query") r->auth_query.push_back(a.name);
    else if (a.kind == AuthKind::api_key) r->auth_headers.push_back(a.name);
    else r->auth_headers.push_back("Authorization");
  }
  r->wildcard = !op.url.empty() || !op.url_field.empty();
  r->path = std::regex(r->wildcard ? "/" + regex_escape(m.app) + "(/.*)?" : path_regex(m.app, op.path));
  if (op.body.is_object())
    for (auto& [k, v] : op.body.as_object())
      if (always_sent(v, op)) r->required_body.push_back(k);
  std::vector<std::string> path;
  collect_constants(op.body, path, r->constants);
  if (op.query.is_object())
    for (auto& [k, v] : op.query.as_object())
      if (always_sent(v, op)) r->required_query.push_back(k);
  routes.push_back(std::move(r));
}

}  // namespace

std::optional<HttpResponse> Sandbox::check(const Route& r, const Headers& headers, const Value& query,
                                           const Value& parsed_body, const std::string& body) {
  if (r.needs_auth) {
    bool has = false;
    for (auto& h : r.auth_headers) has = has || find_header(headers, h) != nullptr;
    for (auto& q : r.auth_query) has = has || query.find(q) != nullptr;
    if (!has) return error_reply(401, r.app + ": no credentials in the request");
  }
  std::string where = r.app + "." + r.operation;
  for (auto& q : r.required_query)
    if (query.find(q) == nullptr) return error_reply(400, where + ": missing query parameter '" + q + "'");
  if (r.required_body.empty()) return std::nullopt;
  if (r.op->body_format == BodyFormat::form) {
    auto keys = form_keys(body);
    for (auto& k : r.required_body)
      if (std::find(keys.begin(), keys.end(), k) == keys.end())
        return error_reply(400, where + ": missing form field '" + k + "'");
  } else if (r.op->body_format == BodyFormat::json) {
    if (!parsed_body.is_object()) return error_reply(400, where + ": the body must be a JSON object");
    for (auto& k : r.required_body)
      if (parsed_body.find(k) == nullptr) return error_reply(400, where + ": missing field '" + k + "'");
  }
  return std::nullopt;
}

Sandbox::Sandbox(const Registry& registry, std::string self_url) : registry_(registry), self_url_(std::move(self_url)) {
  for (auto& m : registry_.apps())
  {
    for (auto& [name, op] : m->operations) add_routes(routes_, *m, op, name);
    if (m->health) add_routes(routes_, *m, *m->health, "health");
  }
  // Exact paths first, wildcards last.
  std::stable_partition(routes_.begin(), routes_.end(), [](const auto& r) { return !r->wildcard; });
}

Sandbox::~Sandbox() = default;

void Sandbox::set_self_url(std::string url) {
  std::lock_guard lk(mu_);
  self_url_ = std::move(url);
}

SandboxReply Sandbox::handle(const std::string& method, const std::string& target, const Headers& headers,
                             const std::string& body) {
  std::string path = target.substr(0, target.find('?'));
  std::string query = target.find('?') == std::string::npos ? std::string() : target.substr(target.find('?') + 1);
  if (path.rfind("/_sandbox/", 0) == 0) return control(method, path, body);

  std::vector<const Route*> candidates;
  bool path_matched = false;
  for (auto& r : routes_) {
    // Routes are sorted exact first: a wildcard (webhook, step URL) only serves
    // what no operation's own path does.
    if (r->wildcard && !candidates.empty()) break;
    if (!std::regex_match(path, r->path)) continue;
    path_matched = true;
    if (r->op->method == method) candidates.push_back(r.get());
  }
  if (candidates.empty())
    return {error_reply(path_matched ? 405 : 404,
                        (path_matched ? "no operation takes " + method + " " : "no operation serves ") + path)};

  Value parsed_query = Value::object();
  for (auto& [k, v] : [&] {
         std::vector<std::pair<std::string, std::string>> out;
         std::size_t i = 0;
         while (i < query.size()) {
           auto amp = query.find('&', i);
           if (amp == std::string::npos) amp = query.size();
           std::string pair = query.substr(i, amp - i);
           auto eq = pair.find('=');
           auto k2 = net::percent_decode(pair.substr(0, eq), true);
           auto v2 = net::percent_decode(eq == std::string::npos ? "" : pair.substr(eq + 1), true);
           if (k2.ok() && v2.ok()) out.emplace_back(*k2, *v2);
           i = amp + 1;
         }
         return out;
       }())
    parsed_query[k] = Value(v);

  Value parsed_body;
  if (!body.empty()) {
    auto j = Value::parse(body);
    parsed_body = j.ok() ? std::move(*j) : Value(body);
  }
  // Several operations may share a method and path (the OpenAI recipes): of those
  // whose checks pass, the one whose constant body members the request repeats
  // best serves it; when none passes, the first one's complaint.
  const Route* route = candidates.front();
  std::optional<HttpResponse> complaint;
  int best = 0;
  bool found = false;
  for (const Route* c : candidates) {
    auto problem = check(*c, headers, parsed_query, parsed_body, body);
    if (problem) {
      if (!found && !complaint) complaint = std::move(problem);
      continue;
    }
    int score = constant_score(*c, parsed_body);
    if (!found || score > best) {
      route = c;
      best = score;
      found = true;
      complaint.reset();
    }
  }
  security::Redactor redactor;
  Value record = Value::object({{"app", route->app},
                                {"operation", route->operation},
                                {"method", method},
                                {"path", path},
                                {"query", parsed_query}});
  Object hs;
  for (auto& [k, v] : redactor.headers(headers)) hs.set(k, Value(v));
  record["headers"] = Value(std::move(hs));
  record["body"] = redactor.value(parsed_body);
  std::string self;
  std::unique_ptr<Failure> failure;
  {
    std::lock_guard lk(mu_);
    recorded_.push_back(record);
    self = self_url_;
    for (auto it = failures_.begin(); it != failures_.end(); ++it) {
      auto& f = **it;
      if (f.app != route->app || (!f.operation.empty() && f.operation != route->operation)) continue;
      failure = std::make_unique<Failure>(f);
      if (--f.count <= 0) failures_.erase(it);
      break;
    }
  }
  if (failure) {
    HttpResponse r = failure->body.is_null()
                         ? error_reply(failure->status, "sandbox: injected failure")
                         : json_reply(failure->status, failure->body);
    return {std::move(r), failure->delay_ms};
  }

  if (complaint) return {std::move(*complaint)};

  Value sample = route->op->sample_response;
  substitute(sample, self);
  HttpResponse r;
  r.status = route->op->sample_status;
  if (sample.is_string()) {
    r.headers.emplace_back("Content-Type", "text/plain");
    r.body = sample.as_string();
  } else if (!sample.is_null()) {
    r = json_reply(route->op->sample_status, sample);
  }
  return {std::move(r)};
}

SandboxReply Sandbox::control(const std::string& method, const std::string& path, const std::string& body) {
  if (path == "/_sandbox/requests" && method == "GET") return {json_reply(200, requests())};
  if (path == "/_sandbox/requests" && method == "DELETE") {
    clear();
    return {json_reply(200, Value::object({{"cleared", true}}))};
  }
  if (path == "/_sandbox/apps" && method == "GET") {
    Array apps;
    for (auto& m : registry_.apps()) apps.push_back(registry_.describe(*m));
    return {json_reply(200, Value::object({{"apps", Value(std::move(apps))}}))};
  }
  if (path == "/_sandbox/fail" && method == "POST") {
    auto v = Value::parse(body);
    if (!v.ok() || !v->is_object() || v->get_string("app").empty())
      return {error_reply(400, "POST /_sandbox/fail wants {\"app\", \"operation\"?, \"status\", \"body\"?, \"delay_ms\"?, \"count\"?}")};
    auto f = std::make_unique<Failure>();
    f->app = v->get_string("app");
    f->operation = v->get_string("operation");
    f->status = static_cast<int>(v->get_int("status", 500));
    if (const Value* b = v->find("body")) f->body = *b;
    f->delay_ms = static_cast<int>(v->get_int("delay_ms", 0));
    f->count = static_cast<int>(v->get_int("count", 1));
    std::lock_guard lk(mu_);
    failures_.push_back(std::move(f));
    return {json_reply(200, Value::object({{"armed", true}}))};
  }
  return {error_reply(404, "unknown sandbox control route " + method + " " + path)};
}

Value Sandbox::requests() const {
  std::lock_guard lk(mu_);
  return Value(recorded_);
}

void Sandbox::clear() {
  std::lock_guard lk(mu_);
  recorded_.clear();
  failures_.clear();
}

}  // namespace famulor::connectors
