// connectors/sandbox.hpp — a local fake of every connector's API, built from the
// manifests (what `famulor sandbox` and `--sandbox` serve).
//
// Requests arrive as "/<app>/<path as the app expects it>": the sandbox finds the
// operation whose method and path template match, checks that the request carries
// credentials of the app's kind and every required field (query and top-level body
// members the manifest always sends), records it, and answers the operation's
// sample_status/sample_response. In sample responses the text "{{sandbox}}" is
// replaced by the sandbox's own base URL (e.g. Slack's upload URL points back here).
//
// Control routes, for tests and demos:
//   GET    /_sandbox/requests   every recorded request, oldest first
//   DELETE /_sandbox/requests   forget them
//   POST   /_sandbox/fail       {"app", "operation"?, "status", "body"?, "delay_ms"?, "count"? (default 1)}:
//                               the next matching requests answer that instead
//   GET    /_sandbox/apps       what is served
//
// Thread-safety: handle() may be called concurrently from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "connectors/http_exchange.hpp"
#include "connectors/registry.hpp"
#include "famulor/value.hpp"

namespace famulor::connectors {

struct SandboxReply {
  HttpResponse response;
  int delay_ms = 0;  // answer after this long (failure injection)
};

class Sandbox {
 public:
  // `registry` must outlive the sandbox. `self_url` is its own base URL
  // ("http://127.0.0.1:4010"), used in sample responses.
  Sandbox(const Registry& registry, std::string self_url);
  ~Sandbox();

  void set_self_url(std::string url);
  // `target` is the path with its query ("/hubspot/crm/v3/objects/contacts?limit=1").
  SandboxReply handle(const std::string& method, const std::string& target, const Headers& headers,
                      const std::string& body);

  // Recorded requests: {"app","operation","method","path","query","headers","body"}.
  Value requests() const;
  void clear();

 public:
  struct Route;    // one operation (or step) it serves
  struct Failure;  // an armed failure

 private:
  SandboxReply control(const std::string& method, const std::string& path, const std::string& body);
  // An error reply when the request does not satisfy the route.
  static std::optional<HttpResponse> check(const Route& r, const Headers& headers, const Value& query,
                                           const Value& parsed_body, const std::string& body);

  const Registry& registry_;
  std::string self_url_;
  std::vector<std::unique_ptr<Route>> routes_;
  mutable std::mutex mu_;
  Array recorded_;
  std::vector<std::unique_ptr<Failure>> failures_;
};

}  // namespace famulor::connectors
