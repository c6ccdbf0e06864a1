// http/parser.hpp — RequestParser: an incremental HTTP/1.1 request parser.
//
// Feed it bytes as they arrive; it consumes exactly one request and stops there,
// so pipelined bytes after it stay with the caller for the next request. It
// handles the request line (origin-, absolute- and asterisk-form targets),
// header fields, Content-Length and chunked bodies (trailers are read and
// dropped), keep-alive (HTTP/1.0 vs 1.1 and the Connection header) and
// Expect: 100-continue. Every limit and malformed input ends in state `error`
// with the status to answer: 431 request line / header bytes / header count too
// large, 413 body over the limit (checked against Content-Length before any body
// byte is read), 400 malformed, 501 unsupported Transfer-Encoding, 505 an HTTP
// version other than 1.x, 417 an Expect other than 100-continue. Memory is
// bounded by the limits; any byte sequence is safe to feed.
//
// Thread-safety: none; one parser per connection, used from one strand.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/message.hpp"

namespace famulor::http {

struct ParserLimits {
  std::size_t max_request_line = 8 * 1024;       // bytes of the request line
  std::size_t max_header_bytes = 64 * 1024;      // request line + all header lines (+ trailers)
  std::size_t max_headers = 100;                 // header fields (+ trailer fields)
  std::size_t max_body = 8 * 1024 * 1024;        // decoded body bytes
};

class RequestParser {
 public:
  enum class State {
    start,     // nothing of a request seen yet (blank lines before it are skipped)
    head,      // inside the request line or header fields
    body,      // head complete, reading the body
    complete,  // one request parsed; take_request(), then reset()
    error,     // error_status() / error_message(); the connection must close
  };

  explicit RequestParser(ParserLimits limits = {}) : limits_(limits) {}

  // Consumes bytes of one request from data; returns how many were used. Stops
  // consuming at the end of a request (state complete) or at an error, so the
  // rest of data belongs to the next request. Cost: linear in the bytes used.
  std::size_t feed(std::string_view data);

  State state() const noexcept { return state_; }
  bool complete() const noexcept { return state_ == State::complete; }
  bool failed() const noexcept { return state_ == State::error; }
  // True once the whole head (request line and headers) has been parsed.
  bool head_complete() const noexcept {
    return state_ == State::body || state_ == State::complete;
  }
  // True when the client sent Expect: 100-continue and the body is still to come.
  bool expects_continue() const noexcept { return expect_continue_ && state_ == State::body; }
  // Whether the connection may stay open after this request's response.
  bool keep_alive() const noexcept { return keep_alive_; }
  // Whether no byte of the current request has been consumed (blank lines aside).
  bool idle() const noexcept { return state_ == State::start; }

  int error_status() const noexcept { return error_status_; }
  const std::string& error_message() const noexcept { return error_message_; }

  // The parsed request (valid in state complete, and the head fields from
  // head_complete() on). Moves it out; call reset() before parsing the next.
  HttpRequest take_request() { return std::move(request_); }
  const HttpRequest& request() const noexcept { return request_; }

  // Ready for the next request on the same connection.
  void reset();

 private:
  enum class BodyMode { none, length, chunked };
  enum class ChunkState { size_line, data, data_crlf, trailers };

  // Collects bytes up to the next LF into line_; returns the bytes used and sets
  // ready once line_ holds a whole line (CR LF or LF stripped). Fails with
  // over_status past limit bytes, with 400 on a CR inside the line.
  std::size_t take_line(std::string_view data, std::size_t limit, int over_status,
                        const char* over_message, bool& ready);
  std::size_t feed_head(std::string_view data);
  std::size_t feed_body(std::string_view data);
  std::size_t feed_chunked(std::string_view data);
  // Handles one complete line (without CR LF) of the head / trailers.
  void on_head_line(std::string_view line);
  void on_request_line(std::string_view line);
  void on_header_line(std::string_view line, bool trailer);
  void finish_head();
  void on_chunk_size_line(std::string_view line);
  void fail(int status, std::string message);

  ParserLimits limits_;
  State state_ = State::start;
  HttpRequest request_;
  std::string line_;          // the partial line being collected
  std::string done_line_;  // the last whole line, handed to its handler
  std::size_t head_bytes_ = 0;
  std::size_t header_count_ = 0;
  bool request_line_done_ = false;
  BodyMode body_mode_ = BodyMode::none;
  ChunkState chunk_state_ = ChunkState::size_line;
  std::uint64_t remaining_ = 0;  // body bytes left (length) or in this chunk
  bool keep_alive_ = true;
  bool expect_continue_ = false;
  int error_status_ = 0;
  std::string error_message_;
};

}  // namespace famulor::http
