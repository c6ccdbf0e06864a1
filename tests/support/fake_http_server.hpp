// support/fake_http_server.hpp — FakeHttpServer: a scripted HTTP/1.1 server on
// 127.0.0.1 for tests (HTTP client tests, connector tests that check the exact
// request an API receives, a sink for the crash test).
//
// It starts in its constructor on 127.0.0.1 with a free port and its own IoPool
// thread, records every request it receives (method, target, path, query,
// headers, body), and answers each one from a script keyed by method and path:
//
//   famulor::test::FakeHttpServer api;
//   api.on("POST", "/crm/v3/objects/contacts", FakeResponse::json(201, R"({"id":"42"})"));
//   api.on("GET", "/flaky", FakeResponse::json(200, "{}")).fail_first(2, FakeResponse::status(503));
//   api.on("GET", "/slow", FakeResponse::text(200, "late").after(std::chrono::milliseconds(300)));
//   api.on("POST", "/echo", [](const RecordedRequest& r) { return FakeResponse::text(200, r.body); });
//   ... point the code under test at api.url() ...
//   REQUIRE(api.wait_for_requests(1, std::chrono::seconds(5)));
//   CHECK(api.requests()[0].header("Authorization") == "Bearer t");
//
// Paths match the request's decoded path exactly, or by prefix when the scripted
// path ends in '*' ("/v1/*"); method "*" matches any method. The most recently
// scripted match wins. An unscripted request is answered 404 in famulor's error
// shape (change with set_default()). Every request is recorded, scripted or not.
//
// Thread-safety: every member may be called from any thread while the server
// runs; dynamic responders run on the server's thread (keep them quick; use
// after() for delays, which do not block other requests).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"

namespace famulor::test {

// One request as the fake received it.
struct RecordedRequest {
  std::string method;
  std::string target;  // raw, with the query
  std::string path;    // percent-decoded
  std::string query;   // raw, without '?'
  http::Params query_params;
  http::HttpHeaders headers;
  std::string body;
  std::chrono::steady_clock::time_point received_at;

  // First header of that name (case-insensitive), or "".
  std::string header(std::string_view name) const { return headers.get(name); }
  bool has_header(std::string_view name) const { return headers.has(name); }
  // First query parameter of that name (decoded), or "".
  std::string query_param(std::string_view name) const;
};

// One scripted answer.
struct FakeResponse {
  int status = 200;  // 0: close the connection without answering
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds delay{0};  // answer this long after the request arrived
  bool close_connection = false;       // send Connection: close and close after answering
  bool held = false;                   // answer only once release_held() was called

  static FakeResponse json(int status, std::string body);
  static FakeResponse text(int status, std::string body);
  static FakeResponse status_only(int status);
  // famulor's error shape {"error":{"code":code,"message":message}}.
  static FakeResponse error(int status, std::string_view code, std::string_view message);
  // Closes the connection without answering (after the delay, if any).
  static FakeResponse drop_connection();

  FakeResponse& header(std::string name, std::string value) &;
  FakeResponse&& header(std::string name, std::string value) &&;
  FakeResponse& after(std::chrono::milliseconds d) &;
  FakeResponse&& after(std::chrono::milliseconds d) &&;
  // Holds the answer until FakeHttpServer::release_held(): "the API has not
  // answered yet" for as long as the test needs, on any machine.
  FakeResponse& hold() &;
  FakeResponse&& hold() &&;
};

using FakeResponder = std::function<FakeResponse(const RecordedRequest&)>;

class FakeHttpServer {
 public:
  // The script of one method + path; returned by on() to add failures first.
  class Route {
   public:
    // The first n matching requests get failure, later ones the route's answer
    // (retry tests: "fail twice with 503, then succeed").
    Route& fail_first(int n, FakeResponse failure);
    // Answers in order, one per request; the last repeats.
    Route& then(FakeResponse next);

   private:
    friend class FakeHttpServer;
    struct State;
    explicit Route(std::shared_ptr<State> s) : state_(std::move(s)) {}
    std::shared_ptr<State> state_;
  };

  // Starts on 127.0.0.1, port 0 (a free port). Throws std::runtime_error when
  // it cannot listen.
  FakeHttpServer();
  ~FakeHttpServer();  // stops the server (pending delayed answers are dropped)
  FakeHttpServer(const FakeHttpServer&) = delete;
  FakeHttpServer& operator=(const FakeHttpServer&) = delete;

  // "http://127.0.0.1:PORT" (no trailing slash).
  std::string url() const;
  std::uint16_t port() const;

  // Scripts method + path (see the file comment for matching).
  Route on(std::string method, std::string path, FakeResponse response);
  Route on(std::string method, std::string path, FakeResponder responder);
  // The answer to unscripted requests (default: 404 error shape).
  void set_default(FakeResponse response);
  // Sends every held answer now, and answers later held ones at once.
  void release_held();
  // Forgets scripts and recorded requests.
  void reset();

  // Every request so far, in arrival order (copies).
  std::vector<RecordedRequest> requests() const;
  // Those with this method and exact path.
  std::vector<RecordedRequest> requests(std::string_view method, std::string_view path) const;
  std::size_t request_count() const;
  // Waits until at least n requests were received, or timeout; returns whether
  // they were.
  bool wait_for_requests(std::size_t n, std::chrono::milliseconds timeout) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace famulor::test
