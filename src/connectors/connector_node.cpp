#include "connectors/connector_node.hpp"

#include "common/reliability.hpp"

#include "connectors/errors.hpp"
#include "connectors/json_path.hpp"
#include "connectors/placeholder_credentials.hpp"
#include "common/metrics.hpp"
#include "connectors/request_builder.hpp"
#include "net/http_client.hpp"
#include "security/redact.hpp"
#include "security/vault.hpp"

namespace famulor::connectors {
namespace {

struct CallCtx {
  std::function<void(Result<Value>, const CallInfo&)> report;
  CallInfo info;
  void done(Result<Value> r) { report(std::move(r), info); }
  Value input_params;
  std::string idempotency_key;
  std::shared_ptr<const Manifest> manifest;
  std::shared_ptr<const CompiledOperation> op;   // the operation
  std::shared_ptr<const CompiledOperation> cur;  // the request being made (op, or one of its steps)
  std::size_t step = 0;
  std::shared_ptr<const ConnectorServices> svc;
  std::string credential_name;
  std::string workflow;  // calling workflow id ("" = not a run)
  std::string where;
  Value params;
  Value fields = Value::object();
  const AuthSpec* auth = nullptr;
  security::Redactor redactor;
  bool retried_401 = false;
  // pagination state
  int pages = 0;
  int max_pages = 1;
  Array items;
  Value cursor;          // next cursor (cursor kind)
  std::string next_url;  // next link
  std::int64_t page_no = 0;
  Array dry_requests;  // dry run: every request that would have been sent
  std::string dry_warning;  // dry run: why the credential could not be used
  // Reliability (nullptr when the services have none, or nothing is sent).
  std::shared_ptr<detail::CircuitBreaker> breaker;  // the app's
  std::shared_ptr<detail::TokenBucket> bucket;      // the credential's rate limit
  std::function<bool()> cancelled;
};

using Ctx = std::shared_ptr<CallCtx>;

void send(const Ctx& c);

void fail(const Ctx& c, const Status& s) { c->done(Status(s.code(), c->redactor.text(s.message()))); }

// A dry run's output: the operation's sample answer (so later nodes have data to
// read) with "dry_run" and the request(s) that would have been sent; a sample that
// is not an object goes under "value".
Value dry_output(const Ctx& c, Value sample) {
  Value out = sample.is_object() ? std::move(sample) : Value::object({{"value", std::move(sample)}});
  out["dry_run"] = Value(true);
  out["request"] = c->dry_requests.back();
  if (c->dry_requests.size() > 1) out["requests"] = Value(c->dry_requests);
  if (!c->dry_warning.empty()) out["warning"] = Value(c->redactor.text(c->dry_warning));
  return out;
}

// A request finished: the next step, or the call's output.
void succeed(const Ctx& c, Value v) {
  const auto& steps = c->op->steps();
  if (steps.empty() || c->step + 1 >= steps.size()) {
    c->done(c->svc->dry_run ? dry_output(c, std::move(v)) : std::move(v));
    return;
  }
  c->params["steps"][c->cur->operation().name] = std::move(v);
  c->cur = steps[++c->step];
  c->pages = 0;
  c->items.clear();
  c->page_no = 0;
  c->retried_401 = false;
  send(c);
}

std::string origin_of(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return {};
  auto slash = url.find('/', scheme + 3);
  return slash == std::string::npos ? url : url.substr(0, slash);
}

void append_query(std::string& url, const std::string& key, const std::string& value) {
  url.push_back(url.find('?') == std::string::npos ? '?' : '&');
  url.append(percent_encode(key)).append("=").append(percent_encode(value));
}

Value parse_body(const HttpResponse& r) {
  if (r.body.empty()) return Value();
  auto v = Value::parse(r.body);
  return v.ok() ? std::move(*v) : Value(r.body);
}

Result<Value> extract(const Ctx& c, const Value& body) {
  const Output& out = c->cur->operation().output;
  const Value* v = find_path(body, out.path);
  if (v == nullptr) {
    if (out.optional) return out.fallback;
    return Status(StatusCode::not_found, c->where + ": the response has no '" + out.path + "'");
  }
  if (!out.parse_json) return *v;
  if (!v->is_string()) return *v;
  auto parsed = Value::parse(v->as_string());
  if (!parsed.ok())
    return Status(StatusCode::unavailable, c->where + ": '" + out.path + "' is not valid JSON: " + parsed.status().message());
  return std::move(*parsed);
}

// The current request's sample answer, extracted like a real one (a paginated
// operation: the first page's items). "{{sandbox}}" in samples becomes a host that
// cannot resolve, since nothing is sent.
Value sample_output(const Ctx& c) {
  const Operation& op = c->cur->operation();
  Value body = op.sample_response;
  std::string text = body.dump();
  for (auto pos = text.find("{{sandbox}}"); pos != std::string::npos; pos = text.find("{{sandbox}}", pos))
    text.replace(pos, 11, "https://sandbox.invalid");
  if (auto parsed = Value::parse(text); parsed.ok()) body = std::move(*parsed);
  if (op.pagination.kind != Pagination::Kind::none) {
    const Value* items = find_path(body, op.pagination.items);
    return items != nullptr && items->is_array() ? *items : Value(Array{});
  }
  auto out = extract(c, body);
  return out.ok() ? std::move(*out) : Value();
}

void on_response(const Ctx& c, const HttpRequest& req, Result<HttpResponse> r) {
  metrics::connector_call(c->manifest->app, c->op->operation().name, !r.ok() || r->status < 200 || r->status >= 300);
  if (r.ok()) c->info.http_status = r->status;
  if (!r.ok()) {
    fail(c, Status(r.status().code(), c->where + ": " + req.method + " " + origin_of(req.url) + ": " + r.status().message()));
    return;
  }
  if (r->status == 401 && c->auth != nullptr && c->auth->kind == AuthKind::oauth2 && !c->retried_401 && c->svc->oauth) {
    c->retried_401 = true;
    std::string rejected = c->fields.get_string("access_token");
    c->svc->oauth->ensure(*c->manifest, *c->auth, c->credential_name, c->fields, rejected, [c](Result<Value> f) {
      if (!f.ok()) return fail(c, f.status());
      c->fields = std::move(*f);
      c->redactor.add_credential_fields(c->fields);
      send(c);
    });
    return;
  }
  if (r->status < 200 || r->status >= 300) {
    if (r->status == 429 || r->status == 503)
      if (const std::string* ra = find_header(r->headers, "Retry-After"))
        if (auto delay = net::parse_retry_after(*ra)) c->info.retry_after = *delay;
    c->done(http_error(*c->manifest, c->where, req, *r, c->redactor));
    return;
  }
  Value body = parse_body(*r);
  if (!c->manifest->ok_path.empty()) {
    const Value* ok = find_path(body, c->manifest->ok_path);
    if (ok != nullptr && ok->is_bool() && !ok->as_bool()) {
      std::string text = app_error_text(*c->manifest, *r);
      auto it = c->manifest->error_codes.find(text);
      StatusCode code = it == c->manifest->error_codes.end() ? StatusCode::failed_precondition : it->second;
      std::string url = req.url.substr(0, req.url.find('?'));
      return fail(c, Status(code, c->where + ": " + req.method + " " + url + " -> " + std::to_string(r->status) +
                                      " " + c->manifest->ok_path + "=false: " + text));
    }
  }
  const Pagination& pg = c->cur->operation().pagination;
  if (pg.kind == Pagination::Kind::none) {
    auto out = extract(c, body);
    if (!out.ok()) return fail(c, out.status());
    succeed(c, std::move(*out));
    return;
  }
  ++c->pages;
  const Value* items = find_path(body, pg.items);
  std::size_t got = 0;
  if (items != nullptr && items->is_array()) {
    got = items->as_array().size();
    for (auto& x : items->as_array()) c->items.push_back(x);
  }
  bool more = false;
  if (pg.kind == Pagination::Kind::cursor) {
    const Value* next = find_path(body, pg.next);
    more = next != nullptr && !next->is_null() && !(next->is_string() && next->as_string().empty()) &&
           !(next->is_bool() && !next->as_bool());
    if (more) c->cursor = *next;
  } else if (pg.kind == Pagination::Kind::next_link) {
    const Value* next = find_path(body, pg.next);
    more = next != nullptr && next->is_string() && !next->as_string().empty();
    if (more) {
      std::string n = next->as_string();
      c->next_url = n.rfind("http", 0) == 0 ? n : origin_of(req.url) + n;
    }
  } else {
    more = got > 0;
    ++c->page_no;
  }
  if (more && c->pages < c->max_pages) {
    send(c);
    return;
  }
  succeed(c, Value(std::move(c->items)));
}

// Sends one request past the app's circuit breaker and the credential's rate
// limit: a refusal by an open breaker fails at once (unavailable, with the time it
// half-opens as the retry's least wait); a call over the rate waits for its token on
// the engine's timers, not on a thread.
void transmit_now(const Ctx& c, HttpRequest req, detail::CircuitBreaker::Ticket ticket) {
  HttpRequest sent = req;
  c->svc->transport(std::move(req), [c, sent = std::move(sent), ticket](Result<HttpResponse> r) {
    const auto now = detail::CircuitBreaker::Clock::now();
    if (c->breaker) c->breaker->settle(ticket, r.ok() ? StatusCode::ok : r.status().code(), r.ok() ? r->status : 0, now);
    // A 429 with Retry-After holds back every call with this credential until then.
    if (c->bucket && r.ok() && r->status == 429)
      if (const std::string* ra = find_header(r->headers, "Retry-After"))
        if (auto delay = net::parse_retry_after(*ra)) c->bucket->pause_until(now + *delay);
    on_response(c, sent, std::move(r));
  });
}

void transmit(const Ctx& c, HttpRequest req) {
  detail::CircuitBreaker::Ticket ticket;
  const auto now = detail::CircuitBreaker::Clock::now();
  if (c->breaker) {
    ticket = c->breaker->admit(now);
    if (!ticket.allowed) {
      c->info.retry_after = std::chrono::ceil<std::chrono::milliseconds>(ticket.retry_at - now);
      return fail(c, c->breaker->refusal(ticket, now));
    }
  }
  auto wait = c->bucket ? c->bucket->reserve(now) : detail::TokenBucket::Clock::duration::zero();
  if (wait <= detail::TokenBucket::Clock::duration::zero()) return transmit_now(c, std::move(req), ticket);
  c->svc->reliability->delays->after(wait, [c, req = std::move(req), ticket](bool fired) mutable {
    if (!fired || (c->cancelled && c->cancelled())) {
      if (c->breaker) c->breaker->abandon(ticket);
      return fail(c, Status(StatusCode::cancelled, c->where + ": cancelled while waiting for the rate limit"));
    }
    transmit_now(c, std::move(req), ticket);
  });
}

void send(const Ctx& c) {
  const Manifest& m = *c->manifest;
  BuildOptions opts;
  // --sandbox points every app at the sandbox, whatever the environment says.
  opts.base_url_override = c->svc->sandbox_url.empty() ? base_url_from_env(m.app) : c->svc->sandbox_url + "/" + m.app;
  opts.idempotency_key = c->idempotency_key;
  auto built = c->cur->build(c->params, &c->fields, opts);
  if (!built.ok()) return fail(c, built.status());
  HttpRequest req = std::move(*built);

  const Pagination& pg = c->cur->operation().pagination;
  if (pg.kind == Pagination::Kind::cursor && c->pages > 0) {
    std::string cur = c->cursor.is_string() ? c->cursor.as_string() : c->cursor.dump();
    if (pg.in_body) {
      auto body = Value::parse(req.body.empty() ? "{}" : req.body);
      if (!body.ok() || !body->is_object()) return fail(c, internal_error(c->where + ": cannot page a non-object body"));
      (*body)[pg.param] = Value(cur);
      req.body = body->dump();
    } else {
      append_query(req.url, pg.param, cur);
    }
  } else if (pg.kind == Pagination::Kind::next_link && c->pages > 0) {
    if (origin_of(c->next_url) != origin_of(req.url)) req.policy_applies = true;
    req.url = c->next_url;
  } else if (pg.kind == Pagination::Kind::page) {
    append_query(req.url, pg.param, std::to_string(pg.start + c->page_no));
  }

  if (c->auth != nullptr && c->cur->operation().send_auth) {
    if (auto s = apply_auth(m, *c->auth, c->fields, req, c->redactor); !s.ok()) return fail(c, s);
  }
  if (c->svc->dry_run) {
    HttpRequest shown = req;
    shown.headers = c->redactor.headers(req.headers);
    shown.url = c->redactor.text(req.url);
    Value d = describe_request(shown);
    if (d.find("body") != nullptr) d["body"] = c->redactor.value(*d.find("body"));
    c->dry_requests.push_back(std::move(d));
    succeed(c, sample_output(c));
    return;
  }
  if (!c->svc->transport) return fail(c, unavailable(c->where + ": no HTTP client is configured"));
  transmit(c, std::move(req));
}

// The node's credential: from the embedding program, else the vault.
Status read_credential(const Ctx& c) {
  const Manifest& m = *c->manifest;
  std::optional<Value> supplied;
  if (c->svc->credentials) supplied = c->svc->credentials(c->credential_name);
  if (supplied) {
    if (!supplied->is_object())
      return failed_precondition(c->where + ": credential '" + c->credential_name + "' is not an object of fields");
    c->fields = std::move(*supplied);
  } else {
    if (c->svc->vault == nullptr)
      return failed_precondition(c->where + ": credential '" + c->credential_name +
                                 "' cannot be read: no vault (give the engine a database)");
    auto cred = c->svc->vault->get(c->credential_name);
    if (!cred.ok()) return Status(cred.status().code(), c->where + ": " + cred.status().message());
    if (!cred->connector.empty() && cred->connector != m.app)
      return failed_precondition(c->where + ": credential '" + c->credential_name + "' is for " + cred->connector +
                                 ", not " + m.app);
    if (!c->workflow.empty() && !cred->usable_by(c->workflow)) {
      std::string list;
      for (const auto& w : cred->workflows) list += (list.empty() ? "" : ", ") + w;
      return Status(StatusCode::permission_denied, c->where + ": credential '" + c->credential_name +
                                                       "' may only be used by workflows " + list + ", not by '" +
                                                       c->workflow + "'");
    }
    c->fields = std::move(cred->fields);
  }
  c->redactor.add_credential_fields(c->fields);
  auto a = choose_auth(m, c->fields);
  if (!a.ok()) return a.status();
  c->auth = *a;
  return {};
}

void start(const Ctx& c) {
  auto prepared = c->op->prepare_params(c->input_params);
  if (!prepared.ok()) return fail(c, prepared.status());
  c->params = std::move(*prepared);
  if (const Value* mp = c->params.find("max_pages"); mp && mp->is_int()) c->max_pages = static_cast<int>(mp->as_int());
  else c->max_pages = c->svc->max_pages_default;
  if (c->max_pages < 1) c->max_pages = 1;

  const Manifest& m = *c->manifest;
  bool needs_auth = false;
  for (auto& a : m.auth) needs_auth = needs_auth || a.kind != AuthKind::none;
  bool needs_fields = !c->op->operation().url_field.empty() || m.base_url.find("{credential.") != std::string::npos ||
                      c->op->operation().path.find("{credential.") != std::string::npos;
  if (c->svc->placeholder_credentials) {
    // Sandbox runs: never a real secret, and nothing to refresh.
    c->fields = placeholder_credential(m);
    auto a = choose_auth(m, c->fields);
    if (!a.ok()) return fail(c, a.status());
    c->auth = *a;
    return send(c);
  }
  if (!c->credential_name.empty()) {
    if (Status s = read_credential(c); !s.ok()) {
      if (!c->svc->dry_run) return fail(c, s);
      // A dry run still shows the request, flagged, without authentication.
      c->dry_warning = s.message() + "; the request is shown without authentication";
      c->fields = Value::object();
      c->auth = nullptr;
    }
  } else if ((needs_auth || needs_fields) && !c->svc->dry_run) {
    return fail(c, failed_precondition(c->where + ": this node needs a credential (set the node's \"credential\")"));
  }
  if (c->auth != nullptr && c->auth->kind == AuthKind::oauth2 && c->svc->oauth && !c->svc->dry_run) {
    c->svc->oauth->ensure(m, *c->auth, c->credential_name, c->fields, "", [c](Result<Value> f) {
      if (!f.ok()) return fail(c, f.status());
      c->fields = std::move(*f);
      c->redactor.add_credential_fields(c->fields);
      send(c);
    });
    return;
  }
  send(c);
}

}  // namespace

void run_connector_call(std::shared_ptr<const Manifest> manifest, std::shared_ptr<const CompiledOperation> op,
                        std::shared_ptr<const ConnectorServices> services, CallInput input,
                        std::function<void(Result<Value>)> done) {
  run_connector_call(std::move(manifest), std::move(op), std::move(services), std::move(input),
                     [done = std::move(done)](Result<Value> r, const CallInfo&) { done(std::move(r)); });
}

void run_connector_call(std::shared_ptr<const Manifest> manifest, std::shared_ptr<const CompiledOperation> op,
                        std::shared_ptr<const ConnectorServices> services, CallInput input,
                        std::function<void(Result<Value>, const CallInfo&)> done) {
  auto c = std::make_shared<CallCtx>();
  c->report = std::move(done);
  c->input_params = std::move(input.params);
  c->idempotency_key = std::move(input.idempotency_key);
  c->credential_name = std::move(input.credential);
  c->workflow = std::move(input.workflow);
  c->manifest = std::move(manifest);
  c->op = std::move(op);
  c->cur = c->op->steps().empty() ? c->op : c->op->steps().front();
  c->svc = std::move(services);
  c->where = c->manifest->app + "." + c->op->operation().name;
  c->cancelled = std::move(input.cancelled);
  // Not for dry runs (nothing is sent) nor the sandbox (a local fake, not the app).
  if (detail::Reliability* rel = c->svc->reliability; rel != nullptr && !c->svc->dry_run && c->svc->sandbox_url.empty()) {
    const Manifest& m = *c->manifest;
    const detail::BreakerConfig& bc = rel->breaker_config(m.app, m.circuit_breaker ? &*m.circuit_breaker : nullptr);
    if (bc.enabled) c->breaker = rel->breakers.get(m.app, bc);
    detail::RateConfig rc = rel->rate_config(
        m.app, c->credential_name, {m.rate_limit_per_second, static_cast<double>(m.rate_limit_burst)});
    if (rel->delays != nullptr) c->bucket = rel->limiters.get(m.app + "/" + c->credential_name, rc);
  }
  start(c);
}

}  // namespace famulor::connectors
