// connectors/client_transport.hpp — the Transport that sends connector requests
// through the engine's async HTTP client (net/http_client.hpp).
//
// Thread-safety: the returned Transport may be called from any thread; it
// completes on the client's pool threads. The client must outlive every call.
#pragma once

#include "connectors/http_exchange.hpp"

namespace famulor::net {
class HttpClient;
}

namespace famulor::connectors {

Transport make_client_transport(net::HttpClient& client);

}  // namespace famulor::connectors
