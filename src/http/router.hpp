// http/router.hpp — Router: dispatches requests by method and path pattern.
//
// Patterns are absolute paths whose segments are literals, `{name}` (one
// non-empty segment) or, as the last segment only, `{name...}` (the rest of the
// path, one or more segments, slashes kept). Segments are matched after
// percent-decoding each one, so an encoded "%2F" stays inside its `{name}`.
// When several routes match, the most specific wins (literal before `{name}`
// before `{name...}`, segment by segment). HEAD falls back to the GET route (the
// server sends no body for HEAD). A path no route matches gets 404, a path that
// matches only under other methods gets 405 with an Allow header; both in the
// error shape {"error":{"code","message"}}.
//
// Thread-safety: add routes before serving; dispatch() is const and may run
// concurrently from many threads.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "famulor/status.hpp"
#include "http/responder.hpp"

namespace famulor::http {

class Router {
 public:
  Router();
  ~Router();
  Router(Router&&) noexcept;
  Router& operator=(Router&&) noexcept;

  // Registers handler for method (e.g. "GET") and pattern (e.g. "/v1/runs/{id}").
  // Fails with invalid_argument for a malformed pattern (not starting with '/',
  // an empty or unterminated {}, {x...} not last, a parameter name used twice)
  // or when the same method and pattern were registered before.
  Status add(std::string method, std::string_view pattern, Handler handler);

  // Fills request.route_params and calls the matching handler, or answers
  // 404/405 through responder.
  void dispatch(HttpRequest request, Responder responder) const;

  // Called once per answered request with its method ("other" for an unusual
  // one), the matched route pattern ("unmatched" for a 404/405) and the status
  // sent; for metrics. Set before serving. [Threading] on the thread that answers.
  using Observer = std::function<void(std::string_view method, std::string_view route, int status)>;
  void set_observer(Observer observer);

  // A Handler that dispatches through this router; the router must outlive
  // every server using it.
  Handler handler() const;

 private:
  struct Route;
  std::vector<std::unique_ptr<Route>> routes_;
  std::shared_ptr<const Observer> observer_;  // shared with answers still pending
};

}  // namespace famulor::http
