// connectors/client_transport.hpp — the Transport that sends connector requests
// through the engine's async HTTP client (net/http_client.hpp), applying the
// outbound network policy to requests whose host a workflow author or a
// credential controls (HttpRequest::policy_applies).
//
// Thread-safety: the returned Transport may be called from any thread; it
// completes on the client's pool threads. The client, pool and policy must
// outlive every call.
#pragma once

#include "connectors/http_exchange.hpp"

namespace famulor::detail {
class IoPool;
}
namespace famulor::net {
class HttpClient;
class OutboundPolicy;
}  // namespace famulor::net

namespace famulor::connectors {

// `pool` and `policy` may be null: then no policy is applied (tests, trusted setups).
Transport make_client_transport(net::HttpClient& client, detail::IoPool* pool = nullptr,
                                const net::OutboundPolicy* policy = nullptr);

}  // namespace famulor::connectors
