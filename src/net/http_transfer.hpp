// net/http_transfer.hpp — one request's state while curl runs it (internal to the
// HttpClient): the request, the response being received, and the curl lists it
// owns. configure() prepares a curl easy handle for it; outcome() turns curl's
// result into what the caller gets. The easy handle is passed as void* so that
// curl's header stays in the .cpp files.
//
// Thread-safety: a Transfer is used by one thread at a time (the client's strand).
#pragma once

#include <cstddef>
#include <string>

#include "net/http_client.hpp"

namespace famulor::net {

struct Transfer {
  Transfer() = default;
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;
  ~Transfer();

  HttpClientRequest request;
  HttpClient::Callback done;
  HttpClientResponse response;
  void* easy = nullptr;          // CURL*, while added to the multi handle
  void* header_list = nullptr;   // curl_slist*
  void* resolve_list = nullptr;  // curl_slist*
  std::size_t max_bytes = 0;
  bool too_large = false;
  bool cancelled = false;
  char errbuf[256] = {};  // CURL_ERROR_SIZE
};

// Sets every option for `t` on a fresh (or reset) easy handle. invalid_argument
// for a request that cannot be sent (a header with CR/LF, an empty URL).
Status configure(void* easy, Transfer& t, const ClientOptions& options);

// The caller's result once curl finished `t` with `curl_code` (a CURLcode).
Result<HttpClientResponse> outcome(void* easy, Transfer& t, int curl_code);

}  // namespace famulor::net
