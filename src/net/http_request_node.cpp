// The `http.request` node: params → HttpClientRequest, response → Value, and
// pagination across several requests.
#include "net/http_request_node.hpp"

#include "common/reliability.hpp"

#include <cctype>
#include <memory>

#include "common/duration.hpp"
#include "net/http_client.hpp"
#include "net/outbound_policy.hpp"
#include "net/url.hpp"
#include "security/redact.hpp"

namespace famulor::net {

namespace {

constexpr std::size_t kErrorBodyChars = 500;
constexpr std::int64_t kDefaultMaxPages = 10;

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

bool is_template(const Value* v) { return v && v->is_string() && v->as_string().find("{{") != std::string::npos; }

// "data.items.0" into a Value; nullptr when absent. "" is the value itself.
const Value* at_path(const Value& root, std::string_view path) {
  const Value* v = &root;
  while (!path.empty() && v) {
    auto dot = path.find('.');
    std::string_view key = path.substr(0, dot);
    if (v->is_array()) {
      std::size_t i = 0;
      for (char c : key) {
        if (!std::isdigit(static_cast<unsigned char>(c))) return nullptr;
        i = i * 10 + static_cast<std::size_t>(c - '0');
      }
      v = key.empty() ? nullptr : v->at(i);
    } else {
      v = v->find(key);
    }
    if (dot == std::string_view::npos) break;
    path.remove_prefix(dot + 1);
  }
  return v;
}

bool looks_json(const HttpClientResponse& r) {
  std::string type = r.headers.get("Content-Type");
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (type.find("json") != std::string::npos) return true;
  if (!type.empty()) return false;
  auto first = r.body.find_first_not_of(" \t\r\n");
  return first != std::string::npos && (r.body[first] == '{' || r.body[first] == '[');
}

// The body as a Value: parsed JSON when it is JSON, null when empty, else the text.
Value body_value(const HttpClientResponse& r) {
  if (r.body.empty()) return Value();
  if (looks_json(r)) {
    auto parsed = Value::parse(r.body);
    if (parsed.ok()) return std::move(parsed).value();
  }
  return Value(r.body);
}

Value full_value(const HttpClientResponse& r, Value body) {
  Object headers;
  for (const auto& [name, value] : r.headers) {
    std::string key = name;
    for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (Value* existing = headers.find(key)) {
      existing->as_string() += ", " + value;
    } else {
      headers.append(std::move(key), Value(value));
    }
  }
  return Value::object({{"status", r.status}, {"headers", Value(std::move(headers))}, {"body", std::move(body)}});
}

// The rel="next" target of a Link header, or "".
std::string link_next(const HttpClientResponse& r) {
  for (const std::string& link : r.headers.get_all("Link")) {
    std::size_t pos = 0;
    while (pos < link.size()) {
      auto open = link.find('<', pos);
      auto close = link.find('>', open);
      if (open == std::string::npos || close == std::string::npos) break;
      auto end = link.find(',', close);
      std::string_view attrs(link.data() + close + 1, (end == std::string::npos ? link.size() : end) - close - 1);
      if (attrs.find("rel=\"next\"") != std::string_view::npos || attrs.find("rel=next") != std::string_view::npos)
        return link.substr(open + 1, close - open - 1);
      pos = end == std::string::npos ? link.size() : end + 1;
    }
  }
  return {};
}

// "https://host:port" of a URL.
std::string origin(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return {};
  auto slash = url.find('/', scheme + 3);
  return url.substr(0, slash);
}

struct Pagination {
  enum class Kind { none, cursor, next_link, page } kind = Kind::none;
  std::string items;          // path to the array of items in each page's body
  std::string cursor_path;    // cursor: where the next cursor is
  std::string cursor_param = "cursor";
  std::string next_link;      // next_link: path to the next URL ("" = Link header)
  std::string page_param = "page";
  std::int64_t page = 1;
  std::int64_t max_pages = kDefaultMaxPages;
};

Result<Pagination> read_pagination(const Value* p) {
  Pagination out;
  if (!p || p->is_null()) return out;
  if (!p->is_object()) return invalid_argument("pagination must be an object");
  std::string type = p->get_string("type");
  if (type == "cursor") {
    out.kind = Pagination::Kind::cursor;
    out.cursor_path = p->get_string("cursor_path");
    out.cursor_param = p->get_string("cursor_param", "cursor");
    if (out.cursor_path.empty()) return invalid_argument("pagination type cursor needs cursor_path");
  } else if (type == "next_link") {
    out.kind = Pagination::Kind::next_link;
    out.next_link = p->get_string("next_link");
  } else if (type == "page") {
    out.kind = Pagination::Kind::page;
    out.page_param = p->get_string("page_param", "page");
    out.page = p->get_int("start", 1);
  } else {
    return invalid_argument("pagination.type must be \"cursor\", \"next_link\" or \"page\", not \"" + type + "\"");
  }
  out.items = p->get_string("items");
  out.max_pages = p->get_int("max_pages", kDefaultMaxPages);
  if (out.max_pages < 1) return invalid_argument("pagination.max_pages must be at least 1");
  return out;
}

struct Built {
  HttpClientRequest request;
  std::string base_url;  // url before query params (pagination adds its own)
  QueryParams query;
  bool full = false;
  Pagination pagination;
};

Status add_header_value(HeaderList& headers, const std::string& name, const Value& v) {
  if (v.is_null()) return {};
  if (v.is_array()) {
    for (const Value& item : v.as_array()) {
      Status st = add_header_value(headers, name, item);
      if (!st.ok()) return st;
    }
    return {};
  }
  if (v.is_object()) return invalid_argument("header '" + name + "' must be a string, number or boolean");
  headers.add(name, v.is_string() ? v.as_string() : v.dump());
  return {};
}

Result<Built> build(const Value& params, const NodeCall& call) {
  Built b;
  HttpClientRequest& r = b.request;
  r.method = upper(params.get_string("method", "GET"));
  b.base_url = params.get_string("url");
  if (b.base_url.empty()) return invalid_argument("url is empty");

  if (const Value* q = params.find("query")) {
    auto pairs = flatten_params(*q, ArrayStyle::repeat);
    if (!pairs.ok()) return Status(StatusCode::invalid_argument, "query: " + pairs.status().message());
    b.query = std::move(pairs).value();
  }
  if (const Value* h = params.find("headers"); h && !h->is_null()) {
    if (!h->is_object()) return invalid_argument("headers must be an object");
    for (const auto& [name, value] : h->as_object()) {
      Status st = add_header_value(r.headers, name, value);
      if (!st.ok()) return st;
    }
  }

  std::string body_type = params.get_string("body_type", "json");
  const Value* body = params.find("body");
  if (body && !body->is_null()) {
    std::string content_type;
    if (body_type == "json") {
      // A string that already is JSON text is sent as written.
      r.body = body->is_string() && Value::parse(body->as_string()).ok() ? body->as_string() : body->dump();
      content_type = "application/json";
    } else if (body_type == "form") {
      auto form = form_encode(*body);
      if (!form.ok()) return Status(StatusCode::invalid_argument, "form body: " + form.status().message());
      r.body = std::move(form).value();
      content_type = "application/x-www-form-urlencoded";
    } else if (body_type == "raw") {
      r.body = body->is_string() ? body->as_string() : body->dump();
      content_type = body->is_string() ? "text/plain; charset=utf-8" : "application/json";
    } else {
      return invalid_argument("body_type must be \"json\", \"form\" or \"raw\", not \"" + body_type + "\"");
    }
    if (!r.headers.has("Content-Type")) r.headers.add("Content-Type", content_type);
  }
  if (!r.headers.has("Accept")) r.headers.add("Accept", "application/json, text/plain;q=0.9, */*;q=0.8");
  if (r.method != "GET" && r.method != "HEAD" && r.method != "OPTIONS") r.idempotency_key = call.idempotency_key();

  if (const Value* t = params.find("timeout"); t && !t->is_null()) {
    auto d = detail::duration_from_value(*t);
    if (!d.ok()) return Status(StatusCode::invalid_argument, "timeout: " + d.status().message());
    r.timeout = *d;
  }
  if (std::int64_t max = params.get_int("max_response_bytes", 0); max > 0)
    r.max_response_bytes = static_cast<std::size_t>(max);

  std::string response = params.get_string("response", "body");
  if (response != "body" && response != "full")
    return invalid_argument("response must be \"body\" or \"full\", not \"" + response + "\"");
  b.full = response == "full";
  auto pag = read_pagination(params.find("pagination"));
  if (!pag.ok()) return pag.status();
  b.pagination = std::move(pag).value();
  return b;
}

// What a dry run shows instead of sending: the first request as it would go out.
Value dry_run_output(const HttpClientRequest& req) {
  security::Redactor redactor;
  std::vector<std::pair<std::string, std::string>> hs(req.headers.begin(), req.headers.end());
  if (!req.idempotency_key.empty() && !req.headers.has("Idempotency-Key")) hs.emplace_back("Idempotency-Key", req.idempotency_key);
  Object headers;
  for (auto& [k, v] : redactor.headers(hs)) headers.set(k, Value(v));
  Value body;
  if (!req.body.empty()) {
    auto parsed = Value::parse(req.body);
    body = redactor.value(parsed.ok() ? *parsed : Value(req.body));
  }
  // Query parameters named like secrets (?api_key=...) are redacted too.
  std::string url = req.url.substr(0, req.url.find('?'));
  if (auto q = req.url.find('?'); q != std::string::npos) {
    std::string rest = req.url.substr(q + 1);
    char sep = '?';
    for (std::size_t i = 0; i <= rest.size();) {
      auto amp = rest.find('&', i);
      if (amp == std::string::npos) amp = rest.size();
      std::string pair = rest.substr(i, amp - i);
      auto eq = pair.find('=');
      if (eq != std::string::npos && security::Redactor::is_secret_name(pair.substr(0, eq)))
        pair = pair.substr(0, eq + 1) + std::string(security::kRedacted);
      url += sep + pair;
      sep = '&';
      i = amp + 1;
    }
  }
  Value r = Value::object({{"method", req.method}, {"url", url}, {"headers", Value(std::move(headers))}});
  if (!body.is_null()) r["body"] = std::move(body);
  return Value::object({{"dry_run", true}, {"request", std::move(r)}});
}

// "host[:port]" of a URL, lower-cased, without user info; "" when unreadable.
std::string authority_of(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return {};
  std::size_t start = scheme + 3;
  std::size_t end = url.find_first_of("/?#", start);
  std::string a = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (auto at = a.rfind('@'); at != std::string::npos) a.erase(0, at + 1);
  for (char& ch : a) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return a;
}

// One node invocation, possibly over several pages.
struct Exchange : std::enable_shared_from_this<Exchange> {
  Exchange(NodeCall c, NetServices s, Built b) : call(std::move(c)), services(s), built(std::move(b)) {}
  NodeCall call;
  NetServices services;
  Built built;
  Array items;
  std::int64_t pages = 0;

  void send(std::string url) {
    HttpClientRequest req = built.request;
    req.url = std::move(url);
    if (services.dry_run) return call.succeed(dry_run_output(req));
    auto self = shared_from_this();
    req.cancelled = [self] { return self->call.cancelled(); };
    // The host's circuit breaker: an open one fails the call at once, and the
    // node's retry waits at least until it half-opens.
    std::shared_ptr<detail::CircuitBreaker> breaker;
    detail::CircuitBreaker::Ticket ticket;
    if (services.reliability != nullptr) {
      std::string host = authority_of(req.url);
      const detail::BreakerConfig& bc = services.reliability->breaker_config(host);
      if (bc.enabled && !host.empty()) {
        breaker = services.reliability->breakers.get(host, bc);
        const auto now = detail::CircuitBreaker::Clock::now();
        ticket = breaker->admit(now);
        if (!ticket.allowed)
          return call.fail(breaker->refusal(ticket, now),
                           std::chrono::ceil<std::chrono::milliseconds>(ticket.retry_at - now));
      }
    }
    send_checked(*services.client, *services.pool, *services.policy, std::move(req),
                 [self, breaker, ticket](Result<HttpClientResponse> r) {
                   if (breaker) breaker->settle(ticket, r.ok() ? StatusCode::ok : r.status().code(), r.ok() ? r->status : 0);
                   self->on_response(std::move(r));
                 });
  }

  void first() {
    std::string url = built.base_url;
    QueryParams q = built.query;
    if (built.pagination.kind == Pagination::Kind::page)
      q.emplace_back(built.pagination.page_param, std::to_string(built.pagination.page));
    send(append_query(std::move(url), q));
  }

  void on_response(Result<HttpClientResponse> r) {
    if (!r.ok()) return call.fail(r.status());
    HttpClientResponse& resp = *r;
    if (resp.status >= 300) {
      Status st = status_from_response(resp, kErrorBodyChars);
      std::string where = built.request.method + " " + resp.effective_url.substr(0, resp.effective_url.find('?'));
      Status err(st.ok() ? StatusCode::failed_precondition : st.code(),
                 where + ": " + (st.ok() ? "HTTP " + std::to_string(resp.status) : st.message()));
      // 429/503 with Retry-After: a retry waits at least that long.
      if (auto delay = retry_after(resp)) return call.fail(std::move(err), *delay);
      return call.fail(std::move(err));
    }
    Value body = body_value(resp);
    const Pagination& p = built.pagination;
    if (p.kind == Pagination::Kind::none) return call.succeed(built.full ? full_value(resp, std::move(body)) : body);

    ++pages;
    const Value* page_items = at_path(body, p.items);
    std::size_t got = 0;
    if (page_items && page_items->is_array()) {
      got = page_items->as_array().size();
      for (const Value& item : page_items->as_array()) items.push_back(item);
    }
    std::string next;
    if (pages < p.max_pages) next = next_url(resp, body, got);
    if (next.empty()) {
      return call.succeed(Value::object({{"items", Value(std::move(items))}, {"pages", pages}}));
    }
    send(std::move(next));
  }

  // The next page's URL, or "" when this was the last.
  std::string next_url(const HttpClientResponse& resp, const Value& body, std::size_t got) {
    const Pagination& p = built.pagination;
    switch (p.kind) {
      case Pagination::Kind::cursor: {
        const Value* c = at_path(body, p.cursor_path);
        if (!c || c->is_null() || (c->is_string() && c->as_string().empty()) || c->is_bool()) return {};
        QueryParams q = built.query;
        q.emplace_back(p.cursor_param, c->is_string() ? c->as_string() : c->dump());
        return append_query(built.base_url, q);
      }
      case Pagination::Kind::next_link: {
        std::string link;
        if (p.next_link.empty()) {
          link = link_next(resp);
        } else if (const Value* v = at_path(body, p.next_link); v && v->is_string()) {
          link = v->as_string();
        }
        if (!link.empty() && link.front() == '/') link = origin(resp.effective_url) + link;
        return link;
      }
      case Pagination::Kind::page: {
        if (got == 0) return {};
        QueryParams q = built.query;
        q.emplace_back(p.page_param, std::to_string(p.page + pages));
        return append_query(built.base_url, q);
      }
      case Pagination::Kind::none: break;
    }
    return {};
  }
};

class HttpRequestNode final : public Node {
 public:
  explicit HttpRequestNode(NetServices s) : services_(s) {}
  void invoke(NodeCall call) override {
    auto built = build(call.params(), call);
    if (!built.ok()) return call.fail(built.status());
    std::make_shared<Exchange>(std::move(call), services_, std::move(built).value())->first();
  }

 private:
  NetServices services_;
};

// Literal (non-template) values of enumerated params are checked at install.
Status check_literal(const Value& params, std::string_view name, std::initializer_list<std::string_view> allowed) {
  const Value* v = params.find(name);
  if (!v || v->is_null() || is_template(v)) return {};
  if (v->is_string()) {
    for (auto a : allowed)
      if (v->as_string() == a) return {};
  }
  std::string list;
  for (auto a : allowed) list += (list.empty() ? "\"" : ", \"") + std::string(a) + "\"";
  return invalid_argument(std::string(name) + " must be one of " + list);
}

}  // namespace

NodeFactory http_request_factory(NetServices services) {
  return [services](const NodeSpec& spec) -> Result<std::unique_ptr<Node>> {
    if (!services.client || !services.pool || !services.policy)
      return failed_precondition("http.request: this engine has no HTTP client");
    for (Status st : {check_literal(spec.params, "body_type", {"json", "form", "raw"}),
                      check_literal(spec.params, "response", {"body", "full"})}) {
      if (!st.ok()) return Status(StatusCode::invalid_argument, "node '" + spec.id + "': " + st.message());
    }
    if (const Value* pag = spec.params.find("pagination"); pag && !is_template(pag)) {
      auto p = read_pagination(pag);
      if (!p.ok()) return Status(StatusCode::invalid_argument, "node '" + spec.id + "': " + p.status().message());
    }
    return std::unique_ptr<Node>(std::make_unique<HttpRequestNode>(services));
  };
}

}  // namespace famulor::net
