// http/responder.hpp — Handler and Responder: how the server hands a request to
// the application and gets its answer back, possibly later and from another thread.
//
// A Handler is called once per request on a pool thread. It answers through the
// Responder it was given: at once, or later from any thread (the engine answers a
// webhook after its durable commit; variable injection answers by a deadline).
// Only the first send() counts. A request whose every Responder copy is dropped
// unanswered gets 500 {"error":{"code":"internal",...}} so that no client waits
// forever.
//
// Thread-safety: Responder is a cheap copyable handle; send() and answered() may
// be called from any thread, concurrently.
//
// [Threading] the Handler runs on an IoPool worker (the connection's strand); it
// should not block for long — hand slow work elsewhere and answer later.
// [Exceptions] an exception escaping a Handler is caught and answered with 500.
#pragma once

#include <functional>
#include <memory>

#include "http/message.hpp"

namespace famulor::http {

class Responder {
 public:
  // A detached responder: send() does nothing and returns false.
  Responder() = default;
  // A responder that passes the response to deliver (called at most once, on the
  // thread that calls send(), or by the last copy's destructor with a 500).
  // abort() delivers a response with status 0, which means "close, do not answer".
  explicit Responder(std::function<void(HttpResponse)> deliver);

  // Answers the request. Returns true when this call answered it; false when it
  // had been answered already or the responder is detached. The server sends the
  // response when the connection still exists, else drops it.
  bool send(HttpResponse response) const;
  // Closes the connection without an answer (for fakes that play a server which
  // drops connections). Returns like send().
  bool abort() const;
  // Whether the request has been answered.
  bool answered() const noexcept;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// [Threading] on a pool thread; see the file comment.
using Handler = std::function<void(HttpRequest request, Responder responder)>;

}  // namespace famulor::http
