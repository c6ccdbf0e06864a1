// POST /v1/hooks/{path}: the webhook trigger (docs/server.md, "Webhooks").
#include <asio/steady_timer.hpp>

#include <chrono>
#include <mutex>
#include <optional>

#include "common/duration.hpp"
#include "common/io_pool_asio.hpp"
#include "engine/engine_impl.hpp"
#include "engine/scheduler.hpp"
#include "engine/trigger_match.hpp"
#include "server/hook_signature.hpp"
#include "server/server_impl.hpp"

namespace famulor::server {

// A timer is not safe to touch from two threads at once; the answer (on the thread
// that ends the run) and cancel_sync_waits (on stop) may race, so every use of the
// timer holds `mu`. The completion handler runs later, outside it.
struct SyncWait {
  explicit SyncWait(asio::io_context& io, std::chrono::milliseconds d) : timer(io, d) {}
  template <typename Handler>
  void arm(Handler&& h) {
    std::lock_guard lk(mu);
    timer.async_wait(std::forward<Handler>(h));
  }
  void cancel() {
    std::lock_guard lk(mu);
    timer.cancel();
  }
  std::mutex mu;
  asio::steady_timer timer;
};

void cancel_sync_waits(Server::Impl& s) {
  std::lock_guard lk(s.sync_mu);
  for (auto& w : s.sync_waits)
    if (auto t = w.lock()) t->cancel();
  s.sync_waits.clear();
}

namespace {


// The installed webhook workflows for this path and method (from the engine's
// route table: no workflow is copied); `sync` names the first that answers with
// its respond node, `timeout` its trigger.timeout.
struct HookTargets {
  bool path_known = false;
  std::size_t count = 0;
  std::string sync;  // workflow id, "" = answer 202
  std::optional<std::chrono::milliseconds> timeout;
};

HookTargets find_targets(Engine& engine, const std::string& path, const std::string& method) {
  HookTargets t;
  for (const auto& wf : engine.impl().webhook_route(path)) {
    t.path_known = true;
    const Value& c = wf->workflow.trigger().config;
    if (c.get_string("method", "POST") != method) continue;
    ++t.count;
    if (const Value* s = c.find("sync"); s && s->is_bool() && s->as_bool() && t.sync.empty()) {
      t.sync = wf->id;
      if (const Value* to = c.find("timeout"))
        if (auto d = detail::duration_from_value(*to); d.ok() && d->count() > 0) t.timeout = *d;
    }
  }
  return t;
}

// Headers a respond node may not set: the server owns the framing.
bool reserved_header(std::string_view name) {
  for (std::string_view h : {"Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "Trailer",
                             "Famulor-Run-Id"})
    if (http::iequals(name, h)) return true;
  return false;
}

// The sync answer from the finished run: its respond node's value, `status`
// (default 200) and `headers`. A string value with a non-JSON Content-Type is
// sent as is (TwiML, plain text); anything else as JSON. Read from the final run
// itself (its fields no longer change): a RunRecord snapshot would copy the
// trigger and every node's input and output for nothing.
struct FinalRun {
  const std::string& id;
  RunStatus status;
  StatusCode error_code;
  const std::string& error;
  const Value& response;
  int response_status;
  const Value& response_headers;
};

FinalRun final_of(const detail::RunShared& r) {
  return {r.id, r.status, r.error_code, r.error, r.response_value(), r.response_status, r.response_headers};
}

FinalRun final_of(const RunRecord& r) {
  return {r.id, r.status, r.error_code, r.error, r.response, r.response_status, r.response_headers};
}

http::HttpResponse sync_answer(const FinalRun& r) {
  if (r.status != RunStatus::succeeded) {
    int status = r.error_code == StatusCode::deadline_exceeded ? 504 : 500;
    auto resp = http::HttpResponse::error(status, r.error_code == StatusCode::deadline_exceeded ? "timeout" : "run_failed",
                                          "run " + r.id + " " + std::string(to_string(r.status)) +
                                              (r.error.empty() ? "" : ": " + r.error));
    resp.headers.set("Famulor-Run-Id", r.id);
    return resp;
  }
  int status = r.response_status == 0 ? 200 : r.response_status;
  if (status < 200 || status > 599) {
    auto resp = http::HttpResponse::error(500, "bad_response",
                                          "run " + r.id + ": the respond node's status " + std::to_string(status) +
                                              " is not an HTTP status from 200 to 599");
    resp.headers.set("Famulor-Run-Id", r.id);
    return resp;
  }
  std::string content_type;
  if (r.response_headers.is_object())
    for (const auto& [k, v] : r.response_headers.as_object())
      if (http::iequals(k, "Content-Type") && v.is_string()) content_type = v.as_string();
  http::HttpResponse resp;
  if (!content_type.empty() && content_type.find("json") == std::string::npos && r.response.is_string())
    resp = http::HttpResponse::text(status, r.response.as_string(), content_type);
  else
    resp = http::HttpResponse::json(status, r.response.is_null() ? Value::object({{"run_id", Value(r.id)}}) : r.response);
  if (r.response_headers.is_object())
    for (const auto& [k, v] : r.response_headers.as_object()) {
      if (reserved_header(k) || http::iequals(k, "Content-Type")) continue;
      if (v.is_string()) resp.headers.set(k, v.as_string());
      else if (v.is_number() || v.is_bool()) resp.headers.set(k, v.dump());
    }
  if (status == 204 || status == 304) resp.body.clear();
  resp.headers.set("Famulor-Run-Id", r.id);
  return resp;
}

// After the accept's commit (on the store's writer thread, usually): 202 with the
// run ids, or the sync workflow's answer once its run is done.
void answer_hook(Server::Impl& s, const http::Responder& res, const std::string& sync, std::size_t count,
                 std::chrono::milliseconds timeout, const Result<std::vector<RunHandle>>& runs) {
  if (!runs.ok()) {
    res.send(error_response(runs.status()));
    return;
  }
  const RunHandle* sync_run = nullptr;
  if (!sync.empty()) {
    if (count == 1 && runs->size() == 1) sync_run = &runs->front();
    else
      for (const auto& h : *runs)
        if (h.snapshot().workflow == sync) sync_run = &h;
  }
  if (sync_run == nullptr) {  // asynchronous, or the sync workflow's filter declined the event
    res.send(http::HttpResponse::json(202, run_ids_json(*runs)));
    return;
  }
  // The caller waits at most the hook's timeout; then it gets 504 with the run id
  // and the run goes on (durably). Only the first answer counts (Responder).
  // The pending wait owns the timer (so it dies with the server's IoPool at the
  // latest); the run's callback only cancels it through a weak reference.
  auto wait = std::make_shared<SyncWait>(detail::io_context(s.engine.impl().pool), timeout);
  std::weak_ptr<SyncWait> weak = wait;
  {
    std::lock_guard lk(s.sync_mu);
    if (s.sync_waits.size() >= 256)  // forget finished ones now and then
      std::erase_if(s.sync_waits, [](const std::weak_ptr<SyncWait>& w) { return w.expired(); });
    s.sync_waits.push_back(weak);
  }
  std::string run_id = sync_run->id();
  wait->arm([res, run_id, wait](const std::error_code& ec) {
    if (ec) return;  // the run answered first
    auto resp = http::HttpResponse::error(504, "timeout",
                                          "run " + run_id + " is still going after the synchronous hook's timeout; "
                                          "GET /v1/runs/" + run_id + " shows its outcome");
    resp.headers.set("Famulor-Run-Id", run_id);
    res.send(std::move(resp));
  });
  // Answered from the thread that ends the run: no pool thread waits. The timer
  // is cancelled on that thread too, without waking another one; it was armed
  // before this callback could run.
  auto answer = [res, weak](const FinalRun& r) {
    res.send(sync_answer(r));
    if (auto t = weak.lock()) t->cancel();
  };
  if (auto run = s.engine.impl().find_shared(run_id))
    detail::on_run_done(*run, [answer](const detail::RunShared& r) { answer(final_of(r)); });
  else  // a redelivery answered from the store (a detached view, final already)
    sync_run->on_done([answer](const RunRecord& r) { answer(final_of(r)); });
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
  std::string path(detail::trim_slashes(req.param("path")));
  HookTargets t = find_targets(s.engine, path, req.method);
  if (t.count == 0) {
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

  // The runs start on this (pool) thread; the answer follows the commit, which
  // this thread does not wait for (it serves other connections meanwhile).
  s.engine.impl().emit_async(
      std::move(ev),
      [&s, res, sync = std::move(t.sync), count = t.count, timeout = t.timeout.value_or(o.sync_timeout)](
          Result<std::vector<RunHandle>> runs) { answer_hook(s, res, sync, count, timeout, runs); },
      /*start_here=*/true);
}

}  // namespace

void add_hook_routes(Server::Impl& s) {
  for (const char* m : {"POST", "PUT", "PATCH", "DELETE", "GET"})
    (void)s.router.add(m, "/v1/hooks/{path...}",
                       [&s](http::HttpRequest req, http::Responder res) { handle_hook(s, std::move(req), std::move(res)); });
}

}  // namespace famulor::server
