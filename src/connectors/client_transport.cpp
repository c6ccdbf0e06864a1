#include "connectors/client_transport.hpp"

#include <chrono>

#include "net/http_client.hpp"

namespace famulor::connectors {

Transport make_client_transport(net::HttpClient& client) {
  return [&client](HttpRequest req, ResponseHandler done) {
    net::HttpClientRequest r;
    r.method = std::move(req.method);
    r.url = std::move(req.url);
    for (auto& [k, v] : req.headers) r.headers.add(k, v);
    r.body = std::move(req.body);
    r.timeout = std::chrono::milliseconds(req.timeout_ms);
    client.send(std::move(r), [done = std::move(done)](Result<net::HttpClientResponse> res) {
      if (!res.ok()) {
        done(res.status());
        return;
      }
      HttpResponse out;
      out.status = res->status;
      for (auto& [k, v] : res->headers) out.headers.emplace_back(k, v);
      out.body = std::move(res->body);
      done(std::move(out));
    });
  };
}

}  // namespace famulor::connectors
