// net/http_request_node.hpp — the `http.request` node ("HTTP Request"): one HTTP
// call per run with method, url, query, headers and a JSON / form / raw body; the
// response's JSON parsed into a Value. Non-2xx answers fail the node with the status
// and the app's body, coded so the engine's retry policy applies (5xx and
// timeouts → unavailable / deadline_exceeded, 429 → resource_exhausted with its
// Retry-After). The URL is checked by the outbound policy; the run's idempotency
// key is sent as `Idempotency-Key` on unsafe methods. Optional pagination follows a
// cursor, a next link or page numbers and collects the items.
//
// NetServices is how connector nodes get the engine's client: the engine owns one
// HttpClient and one OutboundPolicy per Engine and hands them to these factories.
//
// Thread-safety: the node is stateless per run; invoke() runs concurrently and
// completes on a pool thread. NetServices must outlive every node made with it.
#pragma once

#include "famulor/node.hpp"
#include "famulor/workflow.hpp"

namespace famulor::detail {
class IoPool;
struct Reliability;
}

namespace famulor::net {

class HttpClient;
class OutboundPolicy;

struct NetServices {
  detail::IoPool* pool = nullptr;
  HttpClient* client = nullptr;
  const OutboundPolicy* policy = nullptr;
  // Requests are not sent: the node succeeds with {"dry_run": true, "request":
  // {"method","url","headers","body"}} (secret-named headers redacted).
  bool dry_run = false;
  // Circuit breakers per host (host[:port] of each request); nullptr = none.
  detail::Reliability* reliability = nullptr;
};

// The node type as the catalog describes it.
NodeTypeInfo http_request_node_type();
// Makes `http.request` nodes that call through `services`.
NodeFactory http_request_factory(NetServices services);

}  // namespace famulor::net
