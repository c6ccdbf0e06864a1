// Transfer: configures a curl easy handle for one request and maps curl's result.
#include "net/http_transfer.hpp"

#include <curl/curl.h>

#include <cctype>

namespace famulor::net {

Transfer::~Transfer() {
  curl_slist_free_all(static_cast<curl_slist*>(header_list));
  curl_slist_free_all(static_cast<curl_slist*>(resolve_list));
}

namespace {

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* userp) {
  auto* t = static_cast<Transfer*>(userp);
  std::size_t len = size * n;
  if (t->response.body.size() + len > t->max_bytes) {
    t->too_large = true;
    return 0;  // curl aborts with CURLE_WRITE_ERROR
  }
  t->response.body.append(data, len);
  return len;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* userp) {
  auto* t = static_cast<Transfer*>(userp);
  std::size_t len = size * n;
  std::string_view line(data, len);
  if (line.substr(0, 5) == "HTTP/") {
    t->response.headers.clear();  // a new response (after 100 Continue or a redirect)
    return len;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return len;  // blank line, folded junk
  t->response.headers.add(std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
  return len;
}

int on_progress(void* userp, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(userp);
  if (t->request.cancelled && t->request.cancelled()) {
    t->cancelled = true;
    return 1;
  }
  return 0;
}

bool has_crlf(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

Status add_header(curl_slist*& list, std::string_view name, std::string_view value) {
  if (name.empty() || has_crlf(name) || has_crlf(value) || name.find(':') != std::string_view::npos)
    return invalid_argument("invalid HTTP header name or value for '" + std::string(name.substr(0, 64)) + "'");
  std::string line(name);
  if (value.empty()) {
    line += ';';  // curl's syntax for "send this header with an empty value"
  } else {
    line += ": ";
    line += value;
  }
  curl_slist* next = curl_slist_append(list, line.c_str());
  if (!next) return internal_error("out of memory building request headers");
  list = next;
  return {};
}

// "POST https://host/path" without the query string (it may carry secrets).
std::string describe(const HttpClientRequest& r) {
  std::string url = r.url.substr(0, r.url.find_first_of("?#"));
  return r.method + " " + url;
}

}  // namespace

Status configure(void* easy_handle, Transfer& t, const ClientOptions& o) {
  CURL* e = easy_handle;
  const HttpClientRequest& r = t.request;
  if (r.url.empty()) return invalid_argument("HTTP request without a URL");
  if (r.method.empty() || has_crlf(r.method) || r.method.find(' ') != std::string::npos)
    return invalid_argument("invalid HTTP method '" + r.method + "'");

  t.max_bytes = r.max_response_bytes ? r.max_response_bytes : o.max_response_bytes;
  auto connect_ms = (r.connect_timeout.count() > 0 ? r.connect_timeout : o.connect_timeout).count();
  auto total_ms = (r.timeout.count() > 0 ? r.timeout : o.timeout).count();

  curl_easy_setopt(e, CURLOPT_PRIVATE, &t);
  curl_easy_setopt(e, CURLOPT_URL, r.url.c_str());
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!o.ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, o.ca_file.c_str());
  if (o.proxy) curl_easy_setopt(e, CURLOPT_PROXY, o.proxy->c_str());
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect_ms));
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(total_ms));
  curl_easy_setopt(e, CURLOPT_USERAGENT, o.user_agent.c_str());
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");  // whatever curl can decode; the limit applies decoded
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.errbuf);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &t);
  if (r.follow_redirects) {
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  }
  if (r.cancelled) {
    curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, &on_progress);
    curl_easy_setopt(e, CURLOPT_XFERINFODATA, &t);
    curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
  }

  // Method and body.
  const bool wants_body = !r.body.empty() || r.method == "POST" || r.method == "PUT" || r.method == "PATCH";
  if (r.method == "HEAD") {
    curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  } else if (wants_body) {
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, r.body.data());
    if (r.method != "POST") curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r.method.c_str());
  } else if (r.method != "GET") {
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r.method.c_str());
  }

  // Headers: the caller's, then the idempotency key, and no `Expect: 100-continue`
  // round trip for large bodies.
  curl_slist* headers = nullptr;
  Status st;
  for (const auto& [name, value] : r.headers) {
    st = add_header(headers, name, value);
    if (!st.ok()) break;
  }
  if (st.ok() && !r.idempotency_key.empty() && !r.headers.has("Idempotency-Key"))
    st = add_header(headers, "Idempotency-Key", r.idempotency_key);
  if (st.ok() && !r.headers.has("Expect")) {
    if (curl_slist* next = curl_slist_append(headers, "Expect:")) headers = next;
  }
  t.header_list = headers;
  if (!st.ok()) return st;
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);

  if (!r.resolve.empty()) {
    curl_slist* resolve = nullptr;
    for (const auto& entry : r.resolve) {
      if (has_crlf(entry)) return invalid_argument("invalid resolve entry");
      curl_slist* next = curl_slist_append(resolve, entry.c_str());
      if (!next) return internal_error("out of memory");
      resolve = next;
      t.resolve_list = resolve;
    }
    curl_easy_setopt(e, CURLOPT_RESOLVE, resolve);
  }
  return {};
}

Result<HttpClientResponse> outcome(void* easy_handle, Transfer& t, int curl_code) {
  CURL* e = easy_handle;
  auto rc = static_cast<CURLcode>(curl_code);
  if (rc == CURLE_OK) {
    HttpClientResponse& resp = t.response;
    long status = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    resp.status = static_cast<int>(status);
    curl_off_t us = 0;
    curl_easy_getinfo(e, CURLINFO_TOTAL_TIME_T, &us);
    resp.total_time = std::chrono::microseconds(us);
    long version = 0;
    curl_easy_getinfo(e, CURLINFO_HTTP_VERSION, &version);
    switch (version) {
      case CURL_HTTP_VERSION_1_0: resp.http_version = 10; break;
      case CURL_HTTP_VERSION_1_1: resp.http_version = 11; break;
      case CURL_HTTP_VERSION_2_0: resp.http_version = 20; break;
      case CURL_HTTP_VERSION_3: resp.http_version = 30; break;
      default: resp.http_version = 0;
    }
    char* url = nullptr;
    curl_easy_getinfo(e, CURLINFO_EFFECTIVE_URL, &url);
    if (url) resp.effective_url = url;
    return std::move(resp);
  }

  std::string what = describe(t.request) + ": ";
  what += t.errbuf[0] ? t.errbuf : curl_easy_strerror(rc);
  if (t.too_large)
    return Status(StatusCode::resource_exhausted, describe(t.request) + ": response body exceeds the limit of " +
                                                      std::to_string(t.max_bytes) + " bytes (max_response_bytes)");
  if (t.cancelled) return Status(StatusCode::cancelled, describe(t.request) + ": cancelled");
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
      return Status(StatusCode::deadline_exceeded, std::move(what));
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_BAD_FUNCTION_ARGUMENT:
      return invalid_argument(std::move(what));
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_TOO_MANY_REDIRECTS:
      return failed_precondition(std::move(what));
    case CURLE_OUT_OF_MEMORY:
      return internal_error(std::move(what));
    default:  // resolve, connect, send/recv, TLS handshake, HTTP/2 stream errors...
      return unavailable(std::move(what));
  }
}

}  // namespace famulor::net
