#include "connectors/errors.hpp"

#include <algorithm>

#include "connectors/json_path.hpp"

namespace famulor::connectors {

StatusCode status_code_for_http(int s, const Manifest& m) noexcept {
  bool listed = std::find(m.retry_statuses.begin(), m.retry_statuses.end(), s) != m.retry_statuses.end();
  if (s == 429) return StatusCode::resource_exhausted;
  if (s == 408) return StatusCode::deadline_exceeded;
  if (listed) return StatusCode::unavailable;
  switch (s) {
    case 400:
    case 422: return StatusCode::invalid_argument;
    case 401: return StatusCode::unauthenticated;
    case 403: return StatusCode::permission_denied;
    case 404: return StatusCode::not_found;
    case 409: return StatusCode::already_exists;
    default: break;
  }
  if (s >= 500) return StatusCode::unavailable;
  return StatusCode::failed_precondition;
}

std::string app_error_text(const Manifest& m, const HttpResponse& r) {
  auto body = Value::parse(r.body);
  if (body.ok()) {
    for (auto& path : m.error_message_paths) {
      const Value* v = find_path(*body, path);
      if (v == nullptr || v->is_null()) continue;
      return v->is_string() ? v->as_string() : v->dump();
    }
  }
  std::string text = r.body.substr(0, 600);
  if (r.body.size() > 600) text.append("...");
  return text;
}

Status http_error(const Manifest& m, std::string_view where, const HttpRequest& req, const HttpResponse& resp,
                  const security::Redactor& redactor) {
  std::string url = req.url;
  if (auto q = url.find('?'); q != std::string::npos) url.resize(q);  // query strings may carry keys
  std::string msg(where);
  msg.append(": ").append(req.method).append(" ").append(url).append(" -> ").append(std::to_string(resp.status));
  std::string text = app_error_text(m, resp);
  if (!text.empty()) msg.append(": ").append(text);
  return Status(status_code_for_http(resp.status, m), redactor.text(msg));
}

}  // namespace famulor::connectors
