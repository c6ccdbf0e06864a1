#include "famulor/status.hpp"

namespace famulor {

std::string_view to_string(StatusCode code) noexcept {
  switch (code) {
    case StatusCode::ok: return "ok";
    case StatusCode::cancelled: return "cancelled";
    case StatusCode::invalid_argument: return "invalid_argument";
    case StatusCode::deadline_exceeded: return "timeout";
    case StatusCode::not_found: return "not_found";
    case StatusCode::already_exists: return "already_exists";
    case StatusCode::permission_denied: return "permission_denied";
    case StatusCode::unauthenticated: return "unauthenticated";
    case StatusCode::resource_exhausted: return "resource_exhausted";
    case StatusCode::failed_precondition: return "failed_precondition";
    case StatusCode::aborted: return "aborted";
    case StatusCode::out_of_range: return "out_of_range";
    case StatusCode::unimplemented: return "unimplemented";
    case StatusCode::internal: return "internal";
    case StatusCode::unavailable: return "unavailable";
    case StatusCode::data_loss: return "data_loss";
  }
  return "unknown";
}

std::string Status::to_string() const {
  if (ok()) return "ok";
  std::string s(famulor::to_string(code_));
  s += ": ";
  s += message_;
  return s;
}

bool Status::retryable() const noexcept {
  switch (code_) {
    case StatusCode::deadline_exceeded:
    case StatusCode::unavailable:
    case StatusCode::resource_exhausted:
    case StatusCode::aborted:
      return true;
    default:
      return false;
  }
}

}  // namespace famulor
