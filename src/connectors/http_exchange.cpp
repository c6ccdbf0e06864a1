#include "connectors/http_exchange.hpp"

#include <strings.h>

namespace famulor::connectors {

const std::string* find_header(const Headers& headers, std::string_view name) noexcept {
  for (auto& [k, v] : headers)
    if (k.size() == name.size() && ::strncasecmp(k.data(), name.data(), name.size()) == 0) return &v;
  return nullptr;
}

void set_header(Headers& headers, std::string name, std::string value) {
  for (auto& [k, v] : headers)
    if (k.size() == name.size() && ::strncasecmp(k.data(), name.data(), name.size()) == 0) {
      v = std::move(value);
      return;
    }
  headers.emplace_back(std::move(name), std::move(value));
}

Value describe_request(const HttpRequest& r) {
  Object headers;
  for (auto& [k, v] : r.headers) headers.set(k, Value(v));
  Value body;
  if (!r.body.empty()) {
    const std::string* ct = find_header(r.headers, "Content-Type");
    bool json = ct != nullptr && ct->find("json") != std::string::npos;
    if (json) {
      auto parsed = Value::parse(r.body);
      body = parsed.ok() ? std::move(*parsed) : Value(r.body);
    } else {
      body = Value(r.body);
    }
  }
  return Value::object({{"method", Value(r.method)}, {"url", Value(r.url)}, {"headers", Value(std::move(headers))},
                        {"body", std::move(body)}});
}

}  // namespace famulor::connectors
