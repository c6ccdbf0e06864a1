#include "http/responder.hpp"

#include <atomic>

namespace famulor::http {

struct Responder::State {
  std::function<void(HttpResponse)> deliver;
  std::atomic<bool> answered{false};

  explicit State(std::function<void(HttpResponse)> d) : deliver(std::move(d)) {}
  ~State() {
    if (!answered.exchange(true) && deliver) {
      try {
        deliver(HttpResponse::error(500, "internal", "the handler dropped the request without answering"));
      } catch (...) {
        // Nothing to report to: the request is lost either way.
      }
    }
  }
};

Responder::Responder(std::function<void(HttpResponse)> deliver)
    : state_(std::make_shared<State>(std::move(deliver))) {}

bool Responder::send(HttpResponse response) const {
  if (!state_ || state_->answered.exchange(true)) return false;
  if (state_->deliver) state_->deliver(std::move(response));
  return true;
}

bool Responder::abort() const {
  HttpResponse r;
  r.status = 0;
  return send(std::move(r));
}

bool Responder::answered() const noexcept { return state_ && state_->answered.load(); }

}  // namespace famulor::http
