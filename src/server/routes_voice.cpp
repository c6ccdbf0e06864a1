// POST /v1/voice/*: the voice platforms' own webhooks (docs/voice-platforms.md).
//
// Each route: verify the platform's signature when its secret is set (401, nothing
// starts), check the content type (415) and parse the body (400 naming the field),
// then either start call.ended runs and answer {"run_ids"} once they are stored
// (a redelivered call answers the first ids and starts nothing: Engine::emit
// dedupes by platform and call id), or run the call.incoming / call.tool workflow
// and answer in the platform's shape by the deadline, or acknowledge.
#include <chrono>
#include <memory>
#include <mutex>

#include "platforms/elevenlabs.hpp"
#include "platforms/famulor.hpp"
#include "platforms/retell.hpp"
#include "platforms/twilio.hpp"
#include "platforms/vapi.hpp"
#include "server/server_impl.hpp"

namespace famulor::server {
namespace {

using platforms::Kind;
using platforms::Parsed;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const std::vector<std::string>& secrets_of(const Server::Impl& s, const std::string& platform) {
  static const std::vector<std::string> none;
  auto it = s.options.voice_secrets.find(platform);
  return it == s.options.voice_secrets.end() ? none : it->second;
}

bool refuse(const Status& st, const http::Responder& res) {
  if (st.ok()) return false;
  res.send(http::HttpResponse::error(401, "bad_signature", st.message()));
  return true;
}

std::string media_type(const http::HttpRequest& req) {
  std::string ct = req.header("Content-Type");
  std::string media = ct.substr(0, ct.find(';'));
  while (!media.empty() && media.back() == ' ') media.pop_back();
  return media;
}

// The JSON body of a platform request, or the 415/400 sent. `empty_ok`: a body-less
// request is null (server tools without parameters).
std::optional<Value> voice_json(const http::HttpRequest& req, const http::Responder& res, bool empty_ok = false) {
  if (req.body.empty()) {
    if (empty_ok) return Value();
    res.send(http::HttpResponse::error(400, "bad_request", "empty body: this route takes the platform's JSON payload"));
    return std::nullopt;
  }
  if (!http::iequals(media_type(req), "application/json")) {
    res.send(http::HttpResponse::error(415, "unsupported_media_type",
                                       "this route accepts Content-Type: application/json, not '" +
                                           req.header("Content-Type") + "'"));
    return std::nullopt;
  }
  auto v = Value::parse(req.body);
  if (!v.ok()) {
    res.send(http::HttpResponse::error(400, "bad_request", "malformed JSON body: " + v.status().message()));
    return std::nullopt;
  }
  return std::move(*v);
}

bool bad_payload(const Status& st, const http::Responder& res) {
  if (st.ok()) return false;
  res.send(http::HttpResponse::error(400, "bad_request", "malformed payload: " + st.message()));
  return true;
}

// A finished call: stored (and deduplicated) before the answer; no thread waits.
void answer_ended(Server::Impl& s, const CallEvent& call, const http::Responder& res) {
  s.engine.emit_async(call, [res](Result<std::vector<RunHandle>> runs) {
    res.send(runs.ok() ? http::HttpResponse::json(200, run_ids_json(*runs)) : error_response(runs.status()));
  });
}

void answer_ack(const Parsed& p, const http::Responder& res) {
  res.send(http::HttpResponse::json(200, Value::object({{"received", Value(p.event)}})));
}

std::chrono::microseconds deadline(const Server::Impl& s) {
  return std::chrono::duration_cast<std::chrono::microseconds>(s.options.voice_deadline);
}

std::chrono::microseconds tool_deadline(const Server::Impl& s) {
  return std::chrono::duration_cast<std::chrono::microseconds>(s.options.voice_tool_deadline);
}

// Variables -> the platform's answer, sent when the injection answers.
template <typename Shape>
void answer_incoming(Server::Impl& s, IncomingCall call, const http::Responder& res, Shape shape) {
  s.engine.inject_async(std::move(call), deadline(s), [res, shape](Variables v) {
    auto resp = http::HttpResponse::json(200, shape(v));
    if (!v.run_id.empty()) resp.headers.set("Famulor-Run-Id", v.run_id);
    if (v.partial) resp.headers.set("Famulor-Partial", "true");
    res.send(std::move(resp));
  });
}

// One tool call answered with its result as the body (Retell, ElevenLabs).
void answer_tool(Server::Impl& s, ToolCall call, const http::Responder& res) {
  s.engine.call_tool_async(std::move(call), tool_deadline(s), [res](ToolResult r) {
    if (r.error_code == StatusCode::not_found) {
      res.send(http::HttpResponse::error(404, "not_found", r.error));
      return;
    }
    auto resp = http::HttpResponse::json(200, r.result);
    if (!r.run_id.empty()) resp.headers.set("Famulor-Run-Id", r.run_id);
    if (r.partial) resp.headers.set("Famulor-Partial", "true");
    res.send(std::move(resp));
  });
}

// Several tool calls of one Vapi message run concurrently; the answer lists every
// result in the message's order once the last one is in.
void answer_vapi_tools(Server::Impl& s, std::vector<ToolCall> calls, const http::Responder& res) {
  struct Pending {
    std::mutex mu;
    std::vector<ToolCall> calls;
    std::vector<ToolResult> results;
    std::size_t left = 0;
  };
  auto pending = std::make_shared<Pending>();
  pending->calls = std::move(calls);
  pending->results.resize(pending->calls.size());
  pending->left = pending->calls.size();
  if (pending->left == 0) {
    res.send(http::HttpResponse::json(200, platforms::vapi_tool_results({}, {})));
    return;
  }
  for (std::size_t i = 0; i < pending->calls.size(); ++i) {
    s.engine.call_tool_async(pending->calls[i], tool_deadline(s), [pending, i, res](ToolResult r) {
      bool last = false;
      {
        std::lock_guard lk(pending->mu);
        pending->results[i] = std::move(r);
        last = --pending->left == 0;
      }
      if (last) res.send(http::HttpResponse::json(200, platforms::vapi_tool_results(pending->calls, pending->results)));
    });
  }
}

void handle_vapi(Server::Impl& s, const http::HttpRequest& req, const http::Responder& res) {
  const auto& secrets = secrets_of(s, "vapi");
  if (!secrets.empty() && refuse(platforms::verify_vapi(req.headers, req.body, secrets, now_ms() / 1000), res)) return;
  auto body = voice_json(req, res);
  if (!body) return;
  auto p = platforms::parse_vapi(*body);
  if (bad_payload(p.status(), res)) return;
  switch (p->kind) {
    case Kind::ended: return answer_ended(s, p->call, res);
    case Kind::incoming: {
      std::string asked = p->incoming.assistant_id;
      return answer_incoming(s, std::move(p->incoming), res,
                             [asked](const Variables& v) { return platforms::vapi_assistant_answer(v, asked); });
    }
    case Kind::tool_calls: return answer_vapi_tools(s, std::move(p->tools), res);
    case Kind::ack: return answer_ack(*p, res);
  }
}

Status verify_retell(const Server::Impl& s, const http::HttpRequest& req) {
  const auto& secrets = secrets_of(s, "retell");
  if (secrets.empty()) return {};
  return platforms::verify_retell(req.headers, req.body, secrets, now_ms());
}

void handle_retell(Server::Impl& s, const http::HttpRequest& req, const http::Responder& res) {
  if (refuse(verify_retell(s, req), res)) return;
  auto body = voice_json(req, res);
  if (!body) return;
  auto p = platforms::parse_retell(*body);
  if (bad_payload(p.status(), res)) return;
  switch (p->kind) {
    case Kind::ended: return answer_ended(s, p->call, res);
    case Kind::incoming: return answer_incoming(s, std::move(p->incoming), res, platforms::retell_inbound_answer);
    default: return answer_ack(*p, res);
  }
}

void handle_retell_tool(Server::Impl& s, const http::HttpRequest& req, const http::Responder& res) {
  if (refuse(verify_retell(s, req), res)) return;
  auto body = voice_json(req, res);
  if (!body) return;
  auto t = platforms::parse_retell_tool(req.param("tool"), *body);
  if (bad_payload(t.status(), res)) return;
  answer_tool(s, std::move(*t), res);
}

// ElevenLabs signs only its post-call webhook; initiation and server tools carry
// the secret as a header configured in ElevenLabs.
Status check_famulor_secret_header(const Server::Impl& s, const http::HttpRequest& req) {
  const auto& secrets = secrets_of(s, "elevenlabs");
  if (secrets.empty()) return {};
  const std::string* h = req.headers.find("X-Famulor-Secret");
  if (!h) return Status(StatusCode::unauthenticated, "missing X-Famulor-Secret (FAMULOR_SECRET_ELEVENLABS is set)");
  if (!platforms::secret_matches(*h, secrets))
    return Status(StatusCode::unauthenticated, "X-Famulor-Secret does not match FAMULOR_SECRET_ELEVENLABS");
  return {};
}

void handle_elevenlabs_initiation(Server::Impl& s, const http::HttpRequest& req, const http::Responder& res) {
  if (refuse(check_famulor_secret_header(s, req), res)) return;
  auto body = voice_json(req, res);
  if (!body) return;
  auto in = platforms::parse_elevenlabs_initiation(*body);
  if (bad_payload(in.status(), res)) return;
  answer_incoming(s, std::move(*in), res, platforms::elevenlabs_initiation_answer);
}

void handle_elevenlabs_post_call(Server::Impl& s, const http::HttpRequest& req, const http::Responder& res) {
  const auto& secrets = secrets_of(s, "elevenlabs");
  if (!secrets.empty() &&
      refuse(platforms::verify_elevenlabs(req.headers, req.body, secrets, now_ms() / 1000), res))
    return;
  auto body = voice_json(req, res);
  if (!body) return;
  auto p = platforms::parse_elevenlabs_post_call(*body);
  if (bad_payload(p.status(), res)) return;
  if (p->kind == Kind::ended) return answer_ended(s, p->call, res);
  answer_ack(*p, res);
}

void handle_elevenlabs_tool(Server::Impl& s, const http::HttpRequest& req, const http::Responder& res) {
  if (refuse(check_famulor_secret_header(s, req), res)) return;
  auto body = voice_json(req, res, true);
  if (!body) return;
  auto t = platforms::parse_elevenlabs_tool(req.param("tool"), *body);
  if (bad_payload(t.status(), res)) return;
  answer_tool(s, std::move(*t), res);
}

void handle_famulor(Server::Impl& s, const http::HttpRequest& req, const http::Responder& res) {
  const auto& secrets = secrets_of(s, "famulor");
  if (!secrets.empty() && refuse(platforms::verify_famulor(req.headers, req.body, secrets), res)) return;
  auto body = voice_json(req, res);
  if (!body) return;
  auto p = platforms::parse_famulor(*body);
  if (bad_payload(p.status(), res)) return;
  switch (p->kind) {
    case Kind::ended: return answer_ended(s, p->call, res);
    case Kind::incoming: return answer_incoming(s, std::move(p->incoming), res, platforms::famulor_inbound_answer);
    default: return answer_ack(*p, res);
  }
}

// How Twilio may have seen this request's URL: the configured public URL, else
// the Host it sent to (as https, which Twilio requires in production, and http).
std::vector<std::string> twilio_urls(const Server::Impl& s, const http::HttpRequest& req) {
  std::string base = s.options.public_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (!base.empty()) return {base + req.target};
  std::string host = req.header("X-Forwarded-Host", req.header("Host"));
  return {"https://" + host + req.target, "http://" + host + req.target};
}

void handle_twilio_status(Server::Impl& s, const http::HttpRequest& req, const http::Responder& res) {
  if (!http::iequals(media_type(req), "application/x-www-form-urlencoded")) {
    res.send(http::HttpResponse::error(415, "unsupported_media_type",
                                       "Twilio status callbacks are application/x-www-form-urlencoded, not '" +
                                           req.header("Content-Type") + "'"));
    return;
  }
  http::Params params = http::parse_query(req.body);
  const auto& secrets = secrets_of(s, "twilio");
  if (!secrets.empty() && refuse(platforms::verify_twilio(req.headers, twilio_urls(s, req), params, secrets), res))
    return;
  auto p = platforms::parse_twilio_status(params);
  if (bad_payload(p.status(), res)) return;
  if (p->kind == Kind::ended) return answer_ended(s, p->call, res);
  answer_ack(*p, res);
}

}  // namespace

void add_voice_routes(Server::Impl& s) {
  auto route = [&s](const char* pattern, void (*fn)(Server::Impl&, const http::HttpRequest&, const http::Responder&)) {
    (void)s.router.add("POST", pattern, [&s, fn](http::HttpRequest req, http::Responder res) { fn(s, req, res); });
  };
  route("/v1/voice/vapi", handle_vapi);
  route("/v1/voice/retell", handle_retell);
  route("/v1/voice/retell/tools/{tool}", handle_retell_tool);
  route("/v1/voice/elevenlabs/initiation", handle_elevenlabs_initiation);
  route("/v1/voice/elevenlabs/post-call", handle_elevenlabs_post_call);
  route("/v1/voice/elevenlabs/tools/{tool}", handle_elevenlabs_tool);
  route("/v1/voice/famulor", handle_famulor);
  route("/v1/voice/twilio/status", handle_twilio_status);
}

}  // namespace famulor::server
