// POST /v1/hooks/{path}: the webhook trigger (docs/server.md, "Webhooks").
#include <chrono>

#include "server/hook_signature.hpp"
#include "server/server_impl.hpp"

namespace famulor::server {
namespace {

std::string trim_slashes(std::string p) {
  while (!p.empty() && p.front() == '/') p.erase(p.begin());
  while (!p.empty() && p.back() == '/') p.pop_back();
  return p;
}

// The installed webhook workflows for this path and method; `sync` when one asks
// to answer with its respond node.
struct HookTargets {
  bool path_known = false;
  std::vector<std::string> workflows;
  bool sync = false;
};

HookTargets find_targets(Engine& engine, const std::string& path, const std::string& method) {
  HookTargets t;
  for (const auto& id : engine.workflow_ids()) {
    auto wf = engine.workflow(id);
    if (!wf || wf->trigger().type != "webhook") continue;
    const Value& c = wf->trigger().config;
    if (trim_slashes(c.get_string("path")) != path) continue;
    t.path_known = true;
    if (c.get_string("method", "POST") != method) continue;
    t.workflows.push_back(id);
    if (const Value* s = c.find("sync"); s && s->is_bool() && s->as_bool()) t.sync = true;
  }
  return t;
}

Value run_ids_json(const std::vector<RunHandle>& runs) {
  Array ids;
  for (const auto& h : runs) ids.push_back(Value(h.id()));
  return Value::object({{"run_ids", Value(std::move(ids))}});
}

// The sync answer from the finished run: its respond value (status/headers from
// the respond node's params are not carried by the run record yet: 200).
http::HttpResponse sync_answer(const RunRecord& r) {
  if (r.status != RunStatus::succeeded) {
    int status = r.error_code == StatusCode::deadline_exceeded ? 504 : 500;
    auto resp = http::HttpResponse::error(status, r.error_code == StatusCode::deadline_exceeded ? "timeout" : "run_failed",
                                          "run " + r.id + " " + std::string(to_string(r.status)) +
                                              (r.error.empty() ? "" : ": " + r.error));
    resp.headers.set("Famulor-Run-Id", r.id);
    return resp;
  }
  auto resp = http::HttpResponse::json(200, r.response.is_null() ? Value::object({{"run_id", Value(r.id)}}) : r.response);
  resp.headers.set("Famulor-Run-Id", r.id);
  return resp;
}

void handle_hook(Server::Impl& s, http::HttpRequest req, http::Responder res) {
  const ServerOptions& o = s.options;
  if (!o.hook_secrets.empty()) {
    auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
    Status st = verify_hook_signature(req.header("Famulor-Signature"), req.body, o.hook_secrets, now.count(),
                                      o.signature_tolerance_s);
    if (!st.ok()) {
      res.send(http::HttpResponse::error(401, "bad_signature", st.message()));
      return;
    }
  }
  std::string path = trim_slashes(req.param("path"));
  HookTargets t = find_targets(s.engine, path, req.method);
  if (t.workflows.empty()) {
    if (t.path_known)
      res.send(http::HttpResponse::error(405, "method_not_allowed",
                                         "no workflow takes " + req.method + " on /v1/hooks/" + path));
    else
      res.send(http::HttpResponse::error(404, "not_found", "no workflow has a webhook trigger with path '" + path + "'"));
    return;
  }
  http::HttpResponse err;
  auto body = json_body(req, err);
  if (!body.ok()) {
    res.send(err);
    return;
  }
  Object headers, query;
  for (const auto& [k, v] : req.headers) {
    if (http::iequals(k, "Authorization") || http::iequals(k, "Cookie") || http::iequals(k, "Famulor-Signature"))
      continue;
    std::string lower = k;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    headers.set(std::move(lower), Value(v));
  }
  for (const auto& [k, v] : req.query_params) query.set(k, Value(v));
  Event ev;
  ev.type = "webhook";
  ev.name = path;
  ev.payload = Value::object({{"body", std::move(*body)},
                              {"headers", Value(std::move(headers))},
                              {"query", Value(std::move(query))},
                              {"path", Value(path)},
                              {"method", Value(req.method)}});
  std::string key = req.header("Idempotency-Key");
  if (key.empty()) key = req.header("X-Delivery-Id");
  if (!key.empty()) ev.dedupe_key = "hook:" + path + ":" + key;

  auto runs = s.engine.emit(std::move(ev));  // returns once the runs are committed
  if (!runs.ok()) {
    res.send(error_response(runs.status()));
    return;
  }
  if (!t.sync || runs->empty()) {
    res.send(http::HttpResponse::json(202, run_ids_json(*runs)));
    return;
  }
  // Answered from the thread that ends the run: no pool thread waits.
  runs->front().on_done([res](const RunRecord& r) { res.send(sync_answer(r)); });
}

}  // namespace

void add_hook_routes(Server::Impl& s) {
  for (const char* m : {"POST", "PUT", "PATCH", "DELETE", "GET"})
    (void)s.router.add(m, "/v1/hooks/{path...}",
                       [&s](http::HttpRequest req, http::Responder res) { handle_hook(s, std::move(req), std::move(res)); });
}

}  // namespace famulor::server
