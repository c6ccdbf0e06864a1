// famulor/status.hpp — Status and Result<T>: how every famulor call reports failure.
//
// No exception crosses the public API. A call that can fail returns a Status or a
// Result<T>; both are [[nodiscard]]. The codes say what the caller should do next
// (after abseil): `unavailable` and `deadline_exceeded` are worth retrying later,
// `invalid_argument` and `failed_precondition` are not.
//
// Thread-safety: plain values; distinct objects may be used from distinct threads.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace famulor {

enum class StatusCode {
  ok = 0,
  cancelled,            // someone cancelled the operation
  invalid_argument,     // bad input (workflow file, event, expression); fix the input
  deadline_exceeded,    // a timeout; retryable
  not_found,            // a named thing does not exist
  already_exists,       // e.g. a dedupe key already started a run
  permission_denied,    // authenticated but not allowed
  unauthenticated,      // missing or wrong credentials / signature
  resource_exhausted,   // a limit was hit (steps, size, rate); may retry after a delay
  failed_precondition,  // the system is not in a state to do this; do not retry as is
  aborted,              // concurrency conflict; retry the whole sequence
  out_of_range,
  unimplemented,
  internal,             // a bug or broken invariant
  unavailable,          // transient: the service or connector is down; retry with backoff
  data_loss,
};

// Lower-case snake_case name of a code ("invalid_argument"), as used in run JSON.
std::string_view to_string(StatusCode code) noexcept;

class [[nodiscard]] Status {
 public:
  Status() = default;  // ok
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok_status() { return {}; }

  bool ok() const noexcept { return code_ == StatusCode::ok; }
  StatusCode code() const noexcept { return code_; }
  const std::string& message() const noexcept { return message_; }
  // "code: message", or "ok".
  std::string to_string() const;

  // Whether a retry policy should try again after this error (timeouts, unavailable,
  // resource_exhausted, aborted).
  bool retryable() const noexcept;

 private:
  StatusCode code_ = StatusCode::ok;
  std::string message_;
};

inline Status invalid_argument(std::string msg) { return {StatusCode::invalid_argument, std::move(msg)}; }
inline Status not_found(std::string msg) { return {StatusCode::not_found, std::move(msg)}; }
inline Status internal_error(std::string msg) { return {StatusCode::internal, std::move(msg)}; }
inline Status unavailable(std::string msg) { return {StatusCode::unavailable, std::move(msg)}; }
inline Status failed_precondition(std::string msg) { return {StatusCode::failed_precondition, std::move(msg)}; }

// Either a T or a non-ok Status. Accessing value() of an error Result is a bug
// (checked with assert in debug builds).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}             // NOLINT(implicit)
  Result(Status status) : v_(std::move(status)) {}      // NOLINT(implicit); must not be ok
  Result(StatusCode code, std::string message) : v_(Status(code, std::move(message))) {}

  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // The error; an ok Status when this holds a value.
  Status status() const { return ok() ? Status{} : std::get<1>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace famulor
