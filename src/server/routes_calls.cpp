// famulor's own call routes (CONTRACT.md; docs/voice.md, "HTTP routes"):
// POST /v1/calls/ended, /v1/calls/incoming, /v1/calls/tool and GET /v1/calls/tools.
// The POST routes take the Famulor-Signature of FAMULOR_SECRET_HOOKS like /v1/hooks.
#include <chrono>

#include "server/hook_signature.hpp"
#include "server/server_impl.hpp"

namespace famulor::server {
namespace {

using http::HttpRequest;
using http::HttpResponse;
using http::Responder;

constexpr std::int64_t kDefaultDeadlineMs = 500;
constexpr std::int64_t kMaxDeadlineMs = 60'000;

Value str_or_null(const std::string& s) { return s.empty() ? Value() : Value(s); }

// The signed JSON body, or false after answering the error.
bool read_body(Server::Impl& s, const HttpRequest& req, Responder& res, Value& body) {
  if (auto denied = check_famulor_signature(s, req)) {
    res.send(std::move(*denied));
    return false;
  }
  HttpResponse err;
  auto b = json_body(req, err);
  if (!b.ok()) {
    res.send(std::move(err));
    return false;
  }
  if (!b->is_object()) {
    res.send(HttpResponse::error(400, "bad_request", "body: must be a JSON object"));
    return false;
  }
  body = std::move(*b);
  return true;
}

// body.deadline_ms (default 500), or false after answering 400.
bool read_deadline(const Value& body, Responder& res, std::chrono::microseconds& out) {
  std::int64_t ms = kDefaultDeadlineMs;
  if (const Value* d = body.find("deadline_ms"); d && !d->is_null()) {
    if (!d->is_int() || d->as_int() <= 0 || d->as_int() > kMaxDeadlineMs) {
      res.send(HttpResponse::error(400, "bad_request",
                                   "body.deadline_ms: must be an integer from 1 to " + std::to_string(kMaxDeadlineMs)));
      return false;
    }
    ms = d->as_int();
  }
  out = std::chrono::milliseconds(ms);
  return true;
}

HttpResponse bad_request(const Status& st) { return HttpResponse::error(400, "bad_request", st.message()); }

void handle_ended(Server::Impl& s, HttpRequest req, Responder res) {
  Value body;
  if (!read_body(s, req, res, body)) return;
  auto call = CallEvent::from_value(body);
  if (!call.ok()) return (void)res.send(bad_request(call.status()));
  if (call->platform.empty()) call->platform = "api";
  // Answered once the runs are committed (or known: a redelivery); no thread waits.
  s.engine.emit_async(*call, [res](Result<std::vector<RunHandle>> runs) {
    res.send(runs.ok() ? HttpResponse::json(202, run_ids_json(*runs)) : error_response(runs.status()));
  });
}

void handle_incoming(Server::Impl& s, HttpRequest req, Responder res) {
  Value body;
  if (!read_body(s, req, res, body)) return;
  std::chrono::microseconds deadline{};
  if (!read_deadline(body, res, deadline)) return;
  auto call = IncomingCall::from_value(body);
  if (!call.ok()) return (void)res.send(bad_request(call.status()));
  if (call->platform.empty()) call->platform = "api";
  // Answered from the thread that has the answer (respond node, or the deadline timer).
  s.engine.inject_async(std::move(*call), deadline, [res](Variables v) {
    Value out = Value::object({{"variables", std::move(v.values)},
                               {"partial", v.partial},
                               {"run_id", str_or_null(v.run_id)}});
    if (!v.assistant_id.empty()) out.as_object().set("assistant_id", v.assistant_id);
    if (!v.error.empty())
      out.as_object().set("error", Value::object({{"code", std::string(to_string(v.error_code))}, {"message", v.error}}));
    res.send(HttpResponse::json(200, std::move(out)));
  });
}

void handle_tool(Server::Impl& s, HttpRequest req, Responder res) {
  Value body;
  if (!read_body(s, req, res, body)) return;
  std::chrono::microseconds deadline{};
  if (!read_deadline(body, res, deadline)) return;
  auto call = ToolCall::from_value(body);
  if (!call.ok()) return (void)res.send(bad_request(call.status()));
  if (call->call.platform.empty()) call->call.platform = "api";
  s.engine.call_tool_async(std::move(*call), deadline, [res](ToolResult t) {
    Value out = Value::object({{"result", std::move(t.result)}, {"partial", t.partial}, {"run_id", str_or_null(t.run_id)}});
    if (!t.error.empty())
      out.as_object().set("error", Value::object({{"code", std::string(to_string(t.error_code))}, {"message", t.error}}));
    res.send(HttpResponse::json(t.error_code == StatusCode::not_found ? 404 : 200, std::move(out)));
  });
}

HttpResponse list_tools(Engine& engine) {
  Array tools;
  for (auto& t : engine.tools())
    tools.push_back(Value::object({{"name", Value(t.name)},
                                   {"description", Value(t.description)},
                                   {"parameters", std::move(t.parameters)},
                                   {"workflow", Value(t.workflow)}}));
  return HttpResponse::json(200, Value::object({{"tools", Value(std::move(tools))}}));
}

}  // namespace

std::optional<http::HttpResponse> check_famulor_signature(Server::Impl& s, const http::HttpRequest& req) {
  const ServerOptions& o = s.options;
  if (o.hook_secrets.empty()) return std::nullopt;
  auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
  Status st = verify_hook_signature(req.header("Famulor-Signature"), req.body, o.hook_secrets, now.count(),
                                    o.signature_tolerance_s);
  if (st.ok()) return std::nullopt;
  return HttpResponse::error(401, "bad_signature", st.message());
}

void add_call_routes(Server::Impl& s) {
  (void)s.router.add("POST", "/v1/calls/ended", [&s](HttpRequest q, Responder r) { handle_ended(s, std::move(q), r); });
  (void)s.router.add("POST", "/v1/calls/incoming",
                     [&s](HttpRequest q, Responder r) { handle_incoming(s, std::move(q), r); });
  (void)s.router.add("POST", "/v1/calls/tool", [&s](HttpRequest q, Responder r) { handle_tool(s, std::move(q), r); });
  (void)s.router.add("GET", "/v1/calls/tools", [&s](HttpRequest q, Responder r) {
    if (auto denied = authorize(q, s.tokens.get(), Role::viewer)) return (void)r.send(std::move(*denied));
    r.send(list_tools(s.engine));
  });
}

}  // namespace famulor::server
