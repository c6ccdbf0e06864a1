// support/raw_http_client.hpp — RawConnection: a plain blocking HTTP/1.1 client on
// POSIX sockets for server tests that need to control the exact bytes (pipelining,
// partial requests, malformed input) and to see when the server closes.
//
// Every read and write is bounded by an I/O timeout (a safety net so that a broken
// server fails the test instead of hanging it; tests never assert on time).
//
// Thread-safety: none; one connection per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http/message.hpp"

namespace famulor::test {

struct RawResponse {
  int status = 0;
  std::string reason;
  http::HttpHeaders headers;
  std::string body;
  std::string header(std::string_view name) const { return headers.get(name); }
};

class RawConnection {
 public:
  // Connects to 127.0.0.1:port; connected() tells whether it worked.
  explicit RawConnection(std::uint16_t port, std::chrono::milliseconds io_timeout = std::chrono::seconds(10));
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  // Sends all bytes; false on error.
  bool send(std::string_view bytes);
  // Reads one response: Content-Length or chunked body, or up to EOF when it has
  // neither (no body for 1xx/204/304 or when head_request). nullopt when the
  // connection ends or times out before a whole response, or on garbage.
  std::optional<RawResponse> read_response(bool head_request = false);
  // Waits for the server to close the connection: true when a read returns EOF
  // or a reset (bytes still unread before that are discarded), false on timeout.
  bool wait_closed();
  // Half-closes the sending side.
  void shutdown_write();
  void close();

 private:
  bool fill();  // reads more into buf_; false on EOF, error or timeout
  int fd_ = -1;
  std::string buf_;
};

// Whether a TCP connection to 127.0.0.1:port can be made right now.
bool can_connect(std::uint16_t port);

// Connects, sends request, reads one response.
std::optional<RawResponse> roundtrip(std::uint16_t port, std::string_view request);

}  // namespace famulor::test
