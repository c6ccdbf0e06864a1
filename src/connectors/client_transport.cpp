#include "connectors/client_transport.hpp"

#include <chrono>

#include "net/http_client.hpp"
#include "net/outbound_policy.hpp"

namespace famulor::connectors {

Transport make_client_transport(net::HttpClient& client, detail::IoPool* pool, const net::OutboundPolicy* policy) {
  return [&client, pool, policy](HttpRequest req, ResponseHandler done) {
    net::HttpClientRequest r;
    r.method = std::move(req.method);
    r.url = std::move(req.url);
    for (auto& [k, v] : req.headers) r.headers.add(k, v);
    r.body = std::move(req.body);
    r.timeout = std::chrono::milliseconds(req.timeout_ms);
    auto on_done = [done = std::move(done)](Result<net::HttpClientResponse> res) {
      if (!res.ok()) {
        done(res.status());
        return;
      }
      HttpResponse out;
      out.status = res->status;
      for (auto& [k, v] : res->headers) out.headers.emplace_back(k, v);
      out.body = std::move(res->body);
      done(std::move(out));
    };
    if (req.policy_applies && pool != nullptr && policy != nullptr)
      net::send_checked(client, *pool, *policy, std::move(r), std::move(on_done));
    else
      client.send(std::move(r), std::move(on_done));
  };
}

}  // namespace famulor::connectors
