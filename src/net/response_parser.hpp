// net/response_parser.hpp — ResponseParser: an incremental HTTP/1.x response
// parser for the client's plain-HTTP path (src/http's RequestParser reads
// requests; a response differs in its first line, skips 1xx interim responses and
// may run until the connection closes).
//
// Feed it bytes as they arrive. Interim 1xx responses are skipped; the final
// one's status, header fields and body (Content-Length, chunked — chunk
// extensions and trailers dropped — or, without either, everything until the
// peer closes: call end_of_stream()) land in response(). A body over max_body
// stops with too_large(); malformed input stops with failed() and a message.
// The body is passed through as sent (no Accept-Encoding is asked for, so no
// Content-Encoding is undone).
//
// Thread-safety: none; one parser per exchange.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "net/http_client.hpp"

namespace famulor::net {

class ResponseParser {
 public:
  enum class State { head, body, complete, error };

  explicit ResponseParser(std::size_t max_body) : max_body_(max_body) {}

  // Consumes bytes; returns how many were used (fewer than given only once the
  // response is complete or has failed — any rest is not part of it).
  std::size_t feed(std::string_view data);
  // The peer closed the connection: completes a body that runs until close, and
  // fails anything else that is unfinished.
  void end_of_stream();

  State state() const noexcept { return state_; }
  bool complete() const noexcept { return state_ == State::complete; }
  bool failed() const noexcept { return state_ == State::error; }
  bool too_large() const noexcept { return too_large_; }
  const std::string& error() const noexcept { return error_; }
  // Whether the connection may carry another request after this response.
  bool keep_alive() const noexcept { return keep_alive_; }
  // 10 or 11, once the head is read.
  int http_version() const noexcept { return version_; }

  HttpClientResponse& response() noexcept { return response_; }

 private:
  enum class Body { none, length, chunked, until_close };
  enum class Chunk { size_line, data, data_crlf, trailers };

  std::size_t feed_head(std::string_view data);
  std::size_t feed_chunked(std::string_view data);
  bool append_body(std::string_view data);
  // Collects one line (without CR LF) in line_; returns the bytes used.
  std::size_t take_line(std::string_view data, bool& ready);
  void parse_head();
  void fail(std::string message);

  std::size_t max_body_;
  State state_ = State::head;
  HttpClientResponse response_;
  std::string head_;  // the head being collected, up to the blank line
  std::string line_;  // a chunk-size / CRLF / trailer line being collected
  std::string done_line_;  // the last whole line, handed to its handler
  Body body_ = Body::none;
  Chunk chunk_ = Chunk::size_line;
  std::uint64_t remaining_ = 0;
  std::size_t trailer_bytes_ = 0;
  bool keep_alive_ = true;
  bool too_large_ = false;
  int version_ = 11;
  std::string error_;
};

}  // namespace famulor::net
