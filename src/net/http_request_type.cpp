// The `http.request` node type as the catalog describes it (kept apart from the
// node's implementation so the catalog links without the engine).
#include "net/http_request_node.hpp"

namespace famulor::net {

NodeTypeInfo http_request_node_type() {
  using T = Value::Type;
  auto p = [](std::string name, std::vector<T> types, bool required, std::string description) {
    ParamSpec s;
    s.name = std::move(name);
    s.types = std::move(types);
    s.required = required;
    s.description = std::move(description);
    return s;
  };
  NodeTypeInfo info;
  info.type = "http.request";
  info.description =
      "Calls any HTTP API: method, url, query, headers, a JSON / form / raw body. Output: the response body (JSON "
      "parsed) or {status, headers, body}. Non-2xx answers fail the node (5xx, 408 and timeouts retryable; 429 "
      "retryable after Retry-After). Internal addresses need FAMULOR_ALLOW_HOSTS.";
  info.params = {
      p("method", {T::string}, false, "GET (default), POST, PUT, PATCH, DELETE, HEAD, OPTIONS ..."),
      p("url", {T::string}, true, "absolute http(s) URL"),
      p("query", {T::object}, false, "query parameters; arrays repeat the key, objects nest as a[b]"),
      p("headers", {T::object}, false, "request headers (arrays send the header several times)"),
      p("body", {}, false, "request body: any value"),
      p("body_type", {T::string}, false, "\"json\" (default), \"form\" (x-www-form-urlencoded, a[b]=c nesting) or \"raw\""),
      p("timeout", {T::integer, T::string}, false, "whole request: milliseconds or a duration (\"10s\"); default 30s"),
      p("response", {T::string}, false, "\"body\" (default) or \"full\": {status, headers, body}"),
      p("max_response_bytes", {T::integer}, false, "largest response body accepted (default 16 MiB)"),
      p("pagination", {T::object}, false,
        "{type: cursor|next_link|page, items: path to the item array, cursor_path, cursor_param, next_link "
        "(path; default the Link header), page_param, start, max_pages (default 10)} → {items, pages}"),
  };
  return info;
}

}  // namespace famulor::net
