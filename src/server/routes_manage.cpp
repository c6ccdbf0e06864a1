// The management API: /v1/health, /v1/runs, /v1/workflows, /v1/connectors,
// /v1/tokens. Every route but /v1/health needs a bearer token with a role
// (viewer: reads; operator: + run retry/cancel; admin: + workflows, tokens).
#include <charconv>

#include "famulor/version.hpp"
#include "common/clock.hpp"
#include "engine/engine_impl.hpp"
#include "server/server_impl.hpp"
#include "store/audit_json.hpp"

namespace famulor::server {
namespace {

using http::HttpRequest;
using http::HttpResponse;
using http::Responder;

using Fn = std::function<HttpResponse(const HttpRequest&)>;

// Writes one management action to the audit log (batched with the store's writer).
void audit(Server::Impl& s, const std::string& actor, std::string action, const HttpRequest& req,
           const HttpResponse& answer) {
  store::Store* st = s.engine.impl().owned_store.get();
  if (st == nullptr) return;
  store::AuditEntry e;
  e.actor = actor;
  e.action = std::move(action);
  e.target = req.param("id");
  e.http_status = answer.status;
  e.outcome = "ok";
  if (answer.status >= 400) {
    e.outcome = "error";
    if (auto v = Value::parse(answer.body); v.ok() && v->is_object())
      if (const Value* err = v->find("error"); err && err->is_object()) e.outcome = err->get_string("code");
  }
  if (e.action.rfind("run.", 0) == 0 && !e.target.empty())
    if (auto run = s.engine.get_run(e.target); run.ok()) e.workflow = run->workflow;
  if (e.action.rfind("workflow.", 0) == 0) e.workflow = e.target;
  st->audit(std::move(e));
}

// Registers a route guarded by role `need`. `action` names it in the audit log:
// actions are logged with their outcome; reads ("" action) only when refused.
void guarded(Server::Impl& s, const char* method, const char* pattern, Role need, const char* action, Fn fn) {
  std::string refused_action = std::string(method) + " " + pattern;
  (void)s.router.add(method, pattern, [&s, need, action = std::string(action), refused_action,
                                       fn = std::move(fn)](HttpRequest req, Responder res) {
    std::string actor;
    if (auto denied = authorize(req, s.tokens.get(), need, &actor)) {
      audit(s, actor, action.empty() ? refused_action : action, req, *denied);
      res.send(std::move(*denied));
      return;
    }
    HttpResponse answer = fn(req);
    if (!action.empty()) audit(s, actor, action, req, answer);
    res.send(std::move(answer));
  });
}

// GET /v1/audit?since=&action=&workflow=&limit=
HttpResponse list_audit(Server::Impl& s, const HttpRequest& req) {
  store::Store* st = s.engine.impl().owned_store.get();
  if (st == nullptr) return HttpResponse::error(404, "not_found", "no audit log: serve runs without a database");
  store::AuditQuery q;
  q.action = req.query_param("action");
  q.workflow = req.query_param("workflow");
  if (req.has_query_param("since")) {
    auto ms = store::parse_since(req.query_param("since"), detail::now_ms());
    if (!ms.ok()) return HttpResponse::error(400, "bad_request", "query parameter " + ms.status().message());
    q.since_ms = *ms;
  }
  if (req.has_query_param("limit")) {
    std::string l = req.query_param("limit");
    unsigned n = 0;
    auto [p, ec] = std::from_chars(l.data(), l.data() + l.size(), n);
    if (ec != std::errc() || p != l.data() + l.size() || n == 0 || n > 10000)
      return HttpResponse::error(400, "bad_request", "query parameter limit: must be 1-10000, not '" + l + "'");
    q.limit = n;
  }
  if (Status f = st->flush(); !f.ok()) return error_response(f);  // read what was logged so far
  auto rows = st->list_audit(q);
  if (!rows.ok()) return error_response(rows.status());
  Array out;
  for (const auto& e : *rows) out.push_back(store::audit_json(e));
  return HttpResponse::json(200, Value::object({{"entries", Value(std::move(out))}}));
}

std::optional<RunStatus> parse_status(const std::string& s) {
  for (RunStatus st : {RunStatus::queued, RunStatus::running, RunStatus::waiting, RunStatus::succeeded,
                       RunStatus::failed, RunStatus::cancelled})
    if (s == to_string(st)) return st;
  return std::nullopt;
}

HttpResponse list_runs(Engine& engine, const HttpRequest& req) {
  RunFilter f;
  f.workflow = req.query_param("workflow");
  if (req.has_query_param("status")) {
    std::string st = req.query_param("status");
    f.status = parse_status(st);
    if (!f.status)
      return HttpResponse::error(400, "bad_request",
                                 "query parameter status: must be queued, running, waiting, succeeded, failed or "
                                 "cancelled, not '" + st + "'");
  }
  if (req.has_query_param("limit")) {
    std::string l = req.query_param("limit");
    unsigned n = 0;
    auto [p, ec] = std::from_chars(l.data(), l.data() + l.size(), n);
    if (ec != std::errc() || p != l.data() + l.size() || n == 0 || n > 1000)
      return HttpResponse::error(400, "bad_request", "query parameter limit: must be 1-1000, not '" + l + "'");
    f.limit = n;
  }
  f.cursor = req.query_param("cursor");
  auto page = engine.list_runs(f);
  if (!page.ok()) return error_response(page.status());
  Array runs;
  for (const auto& r : page->runs) runs.push_back(r.to_json());
  return HttpResponse::json(200, Value::object({{"runs", Value(std::move(runs))},
                                                {"next", page->next.empty() ? Value() : Value(page->next)}}));
}

HttpResponse retry_run(Engine& engine, const HttpRequest& req) {
  HttpResponse err;
  auto body = json_body(req, err);
  if (!body.ok()) return err;
  RetryOptions ro;
  if (body->is_object()) {
    ro.from_node = body->get_string("from_node");
    if (const Value* c = body->find("current"); c && c->is_bool()) ro.use_current_version = c->as_bool();
  } else if (!body->is_null()) {
    return HttpResponse::error(400, "bad_request", "body: expected an object {\"from_node\", \"current\"}");
  }
  auto h = engine.retry(req.param("id"), ro);
  if (!h.ok()) return error_response(h.status());
  return HttpResponse::json(202, Value::object({{"run_id", Value(h->id())}, {"status", Value("queued")}}));
}

Value workflow_summary(const Workflow& wf) {
  return Value::object({{"id", Value(wf.id())},
                        {"name", Value(wf.name())},
                        {"version", Value(wf.version())},
                        {"trigger", Value(wf.trigger().type)}});
}

HttpResponse put_workflow(Engine& engine, const HttpRequest& req) {
  std::string ct = req.header("Content-Type");
  if (!http::iequals(ct.substr(0, ct.find(';')), "application/json"))
    return HttpResponse::error(415, "unsupported_media_type", "PUT /v1/workflows/{id} takes application/json");
  std::string id = req.param("id");
  std::vector<Problem> problems;
  auto wf = engine.parse(req.body, "PUT /v1/workflows/" + id, &problems);
  if (wf.ok() && wf->id() != id) {
    problems.push_back(Problem{SourceLocation{"PUT /v1/workflows/" + id, 0, 0, "$.id"},
                               "the workflow's id '" + wf->id() + "' differs from the URL's '" + id + "'"});
  }
  if (!wf.ok() || !problems.empty()) {
    Array list;
    for (const auto& p : problems)
      list.push_back(Value::object({{"line", Value(p.where.line)},
                                    {"column", Value(p.where.column)},
                                    {"path", Value(p.where.path)},
                                    {"message", Value(p.message)}}));
    if (list.empty()) list.push_back(Value::object({{"message", Value(wf.status().message())}}));
    std::string first = problems.empty() ? wf.status().message() : problems.front().to_string();
    return HttpResponse::json(422, Value::object({{"error", Value::object({{"code", Value("invalid_workflow")},
                                                                          {"message", Value(first)},
                                                                          {"problems", Value(std::move(list))}})}}));
  }
  if (Status st = engine.install(std::move(*wf)); !st.ok()) return error_response(st);
  auto installed = engine.workflow(id);
  if (!installed) return HttpResponse::error(500, "internal", "workflow vanished after install");
  return HttpResponse::json(200, workflow_summary(*installed));
}

}  // namespace

void guarded_route(Server::Impl& s, const char* method, const char* pattern, Role need, Fn fn) {
  // Changes are audited as "<METHOD> <pattern>"; reads only when refused.
  const std::string action = std::string(method) == "GET" ? "" : std::string(method) + " " + pattern;
  guarded(s, method, pattern, need, action.c_str(), std::move(fn));
}

void add_management_routes(Server::Impl& s) {
  Engine& e = s.engine;
  (void)s.router.add("GET", "/v1/health", [&s](HttpRequest, Responder res) {
    res.send(HttpResponse::json(200, Value::object({{"status", Value("ok")},
                                                    {"version", Value(kVersion)},
                                                    {"workflows", Value(static_cast<std::int64_t>(
                                                                      s.engine.workflow_ids().size()))}})));
  });

  guarded(s, "GET", "/v1/runs", Role::viewer, "", [&e](const HttpRequest& r) { return list_runs(e, r); });
  guarded(s, "GET", "/v1/runs/{id}", Role::viewer, "", [&e](const HttpRequest& r) {
    auto run = e.get_run(r.param("id"));
    return run.ok() ? HttpResponse::json(200, run->to_json()) : error_response(run.status());
  });
  guarded(s, "POST", "/v1/runs/{id}/retry", Role::operator_, "run.retry", [&e](const HttpRequest& r) { return retry_run(e, r); });
  guarded(s, "POST", "/v1/runs/{id}/cancel", Role::operator_, "run.cancel", [&e](const HttpRequest& r) {
    Status st = e.cancel(r.param("id"));
    if (!st.ok()) return error_response(st);
    return HttpResponse::json(200, Value::object({{"run_id", Value(r.param("id"))}, {"status", Value("cancelled")}}));
  });

  guarded(s, "GET", "/v1/workflows", Role::viewer, "", [&e](const HttpRequest&) {
    Array list;
    for (const auto& id : e.workflow_ids())
      if (auto wf = e.workflow(id)) list.push_back(workflow_summary(*wf));
    return HttpResponse::json(200, Value::object({{"workflows", Value(std::move(list))}}));
  });
  guarded(s, "GET", "/v1/workflows/{id}", Role::viewer, "", [&e](const HttpRequest& r) {
    auto wf = e.workflow(r.param("id"));
    if (!wf) return HttpResponse::error(404, "not_found", "no workflow '" + r.param("id") + "' is installed");
    Value out = workflow_summary(*wf);
    out.as_object().set("definition", wf->definition());
    return HttpResponse::json(200, out);
  });
  guarded(s, "PUT", "/v1/workflows/{id}", Role::admin, "workflow.put", [&e](const HttpRequest& r) { return put_workflow(e, r); });
  guarded(s, "DELETE", "/v1/workflows/{id}", Role::admin, "workflow.delete", [&s](const HttpRequest& r) {
    Status st = forget_workflow(s, r.param("id"));
    return st.ok() ? HttpResponse::empty(204) : error_response(st);
  });

  guarded(s, "GET", "/v1/connectors", Role::viewer, "", [&s](const HttpRequest&) {
    Array all;
    for (auto& m : s.registry->apps()) all.push_back(s.registry->describe(*m));
    return HttpResponse::json(200, Value::object({{"connectors", Value(std::move(all))}}));
  });

  guarded(s, "GET", "/v1/audit", Role::admin, "", [&s](const HttpRequest& r) { return list_audit(s, r); });

  auto token_json = [](const store::TokenRecord& t) {
    return Value::object({{"id", Value(t.id)},
                          {"name", Value(t.name)},
                          {"role", Value(t.role)},
                          {"created_at", Value(format_time_ms(t.created_ms))}});
  };
  guarded(s, "GET", "/v1/tokens", Role::admin, "", [&s, token_json](const HttpRequest&) {
    auto list = s.tokens->list();
    if (!list.ok()) return error_response(list.status());
    Array out;
    for (const auto& t : *list) out.push_back(token_json(t));
    return HttpResponse::json(200, Value::object({{"tokens", Value(std::move(out))}}));
  });
  guarded(s, "POST", "/v1/tokens", Role::admin, "token.create", [&s, token_json](const HttpRequest& r) {
    HttpResponse err;
    auto body = json_body(r, err);
    if (!body.ok()) return err;
    std::string role_text = body->is_object() ? body->get_string("role") : "";
    auto role = parse_role(role_text);
    if (!role)
      return HttpResponse::error(400, "bad_request", "body.role: must be viewer, operator or admin, not '" + role_text + "'");
    auto t = create_token(*s.tokens, *role, body->get_string("name"));
    if (!t.ok()) return error_response(t.status());
    Value out = token_json(t->record);
    out.as_object().set("token", Value(t->token));
    return HttpResponse::json(201, out);
  });
  guarded(s, "DELETE", "/v1/tokens/{id}", Role::admin, "token.revoke", [&s](const HttpRequest& r) {
    Status st = s.tokens->revoke(r.param("id"));
    return st.ok() ? HttpResponse::empty(204) : error_response(st);
  });
}

}  // namespace famulor::server
