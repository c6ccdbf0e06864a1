#include "http/parser.hpp"

#include "http/syntax.hpp"

#include <algorithm>

namespace famulor::http {

namespace {

constexpr std::size_t kMaxChunkLine = 4096;  // chunk size + extensions

bool starts_with_icase(std::string_view s, std::string_view prefix) noexcept {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

}  // namespace

void RequestParser::reset() {
  state_ = State::start;
  request_ = HttpRequest{};
  line_.clear();
  head_bytes_ = 0;
  header_count_ = 0;
  request_line_done_ = false;
  body_mode_ = BodyMode::none;
  chunk_state_ = ChunkState::size_line;
  remaining_ = 0;
  keep_alive_ = true;
  expect_continue_ = false;
  error_status_ = 0;
  error_message_.clear();
}

void RequestParser::fail(int status, std::string message) {
  if (state_ == State::error) return;
  state_ = State::error;
  error_status_ = status;
  error_message_ = std::move(message);
  keep_alive_ = false;
  line_.clear();
}

std::size_t RequestParser::feed(std::string_view data) {
  std::size_t used = 0;
  while (used < data.size()) {
    std::size_t n = 0;
    switch (state_) {
      case State::start:
      case State::head: n = feed_head(data.substr(used)); break;
      case State::body: n = feed_body(data.substr(used)); break;
      case State::complete:
      case State::error: return used;
    }
    used += n;
    if (n == 0 && state_ != State::complete && state_ != State::error) break;  // defensive
  }
  // A zero-length body completes without needing another byte.
  return used;
}

std::size_t RequestParser::take_line(std::string_view data, std::size_t limit, int over_status,
                                     const char* over_message, bool& ready) {
  ready = false;
  std::size_t nl = data.find('\n');
  std::size_t end = nl == std::string_view::npos ? data.size() : nl;
  if (line_.size() + end > limit) {
    fail(over_status, over_message);
    return end;
  }
  line_.append(data.data(), end);
  if (nl == std::string_view::npos) return end;
  if (!line_.empty() && line_.back() == '\r') line_.pop_back();
  if (line_.find('\r') != std::string::npos) {
    fail(400, "bare CR in a line");
    return end + 1;
  }
  ready = true;
  return end + 1;
}

std::size_t RequestParser::feed_head(std::string_view data) {
  std::size_t limit;
  int over_status = 431;
  const char* over_message;
  std::size_t head_left = limits_.max_header_bytes > head_bytes_ ? limits_.max_header_bytes - head_bytes_ : 0;
  if (!request_line_done_) {
    limit = std::min(limits_.max_request_line, head_left);
    over_message = "request line too large";
  } else {
    limit = head_left;
    over_message = "request header fields too large";
  }
  bool ready = false;
  std::size_t used = take_line(data, limit, over_status, over_message, ready);
  if (state_ == State::error) return used;
  if (!ready) {
    if (state_ == State::start && !(line_.empty() || line_ == "\r")) state_ = State::head;
    return used;
  }
  head_bytes_ += line_.size() + 1;
  // The line moves to done_line_ and line_ takes its old buffer: both keep
  // their capacity, so lines cost no allocation once a connection is warm.
  line_.swap(done_line_);
  line_.clear();
  const std::string& line = done_line_;
  on_head_line(line);
  return used;
}

void RequestParser::on_head_line(std::string_view line) {
  if (!request_line_done_) {
    if (line.empty()) return;  // blank lines before a request are ignored (RFC 9112 2.2)
    state_ = State::head;
    on_request_line(line);
    return;
  }
  if (line.empty()) {
    finish_head();
    return;
  }
  on_header_line(line, false);
}

void RequestParser::on_request_line(std::string_view line) {
  request_line_done_ = true;
  std::size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return fail(400, "malformed request line");
  std::size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos)
    return fail(400, "malformed request line");
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (!is_token(method)) return fail(400, "malformed method");
  if (target.empty()) return fail(400, "empty request target");
  for (char ch : target) {
    auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7f || c == '#') return fail(400, "invalid character in request target");
  }
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[6] != '.' ||
      version[5] < '0' || version[5] > '9' || version[7] < '0' || version[7] > '9')
    return fail(400, "malformed HTTP version");
  if (version[5] != '1') return fail(505, "only HTTP/1.x is supported");
  request_.version_minor = version[7] - '0';
  request_.method.assign(method);
  request_.target.assign(target);

  std::string_view path_and_query;
  if (target.front() == '/') {
    path_and_query = target;
  } else if (target == "*") {
    if (method != "OPTIONS") return fail(400, "asterisk-form target outside OPTIONS");
    path_and_query = "*";
  } else if (starts_with_icase(target, "http://") || starts_with_icase(target, "https://")) {
    std::string_view rest = target.substr(target.find("//") + 2);
    std::size_t slash = rest.find_first_of("/?");
    if (slash == 0) return fail(400, "absolute-form target without a host");
    path_and_query = slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash);
  } else if (method == "CONNECT") {
    return fail(501, "CONNECT is not supported");
  } else {
    return fail(400, "unsupported request target form");
  }
  std::size_t q = path_and_query.find('?');
  std::string_view raw_path = path_and_query.substr(0, q);
  if (raw_path.empty()) raw_path = "/";
  if (q != std::string_view::npos) {
    request_.query.assign(path_and_query.substr(q + 1));
    request_.query_params = parse_query(request_.query);
  }
  if (!percent_decode(raw_path, request_.path)) return fail(400, "malformed percent-encoding in path");
  if (request_.path.find('\0') != std::string::npos) return fail(400, "NUL in path");
}

void RequestParser::on_header_line(std::string_view line, bool trailer) {
  if (line.front() == ' ' || line.front() == '\t') return fail(400, "obsolete header line folding");
  std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return fail(400, "header line without a colon");
  std::string_view name = line.substr(0, colon);
  if (!is_token(name)) return fail(400, "malformed header name");
  std::string_view value = trim_ows(line.substr(colon + 1));
  for (char ch : value) {
    auto c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\t') || c == 0x7f) return fail(400, "control character in header value");
  }
  if (++header_count_ > limits_.max_headers) return fail(431, "too many header fields");
  if (!trailer) request_.headers.add(std::string(name), std::string(value));
}

void RequestParser::finish_head() {
  const HttpHeaders& h = request_.headers;
  const bool http11 = request_.version_minor >= 1;

  std::size_t hosts = 0;
  for (const auto& f : h)
    if (iequals(f.first, "host")) ++hosts;
  if (hosts > 1) return fail(400, "several Host header fields");
  if (http11 && hosts == 0) return fail(400, "HTTP/1.1 request without Host");

  keep_alive_ = http11 ? !h.has_token("connection", "close") : h.has_token("connection", "keep-alive");

  const bool has_te = h.has("transfer-encoding");
  const bool has_cl = h.has("content-length");
  if (has_te) {
    if (has_cl) return fail(400, "both Transfer-Encoding and Content-Length");
    if (!http11) return fail(400, "Transfer-Encoding in an HTTP/1.0 request");
    // Only "chunked" alone is supported (no gzip/deflate codings).
    std::size_t codings = 0;
    bool chunked_last = false;
    for (const auto& f : h) {
      if (!iequals(f.first, "transfer-encoding")) continue;
      std::string_view rest = f.second;
      while (true) {
        std::size_t comma = rest.find(',');
        std::string_view item = trim_ows(rest.substr(0, comma));
        if (!item.empty()) {
          ++codings;
          chunked_last = iequals(item, "chunked");
        }
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
    }
    if (codings == 0) return fail(400, "empty Transfer-Encoding");
    if (codings != 1 || !chunked_last) return fail(501, "unsupported Transfer-Encoding (only chunked)");
    body_mode_ = BodyMode::chunked;
    chunk_state_ = ChunkState::size_line;
  } else if (has_cl) {
    bool seen = false;
    std::uint64_t length = 0;
    for (const auto& f : h) {
      if (!iequals(f.first, "content-length")) continue;
      std::string_view rest = f.second;
      while (true) {
        std::size_t comma = rest.find(',');
        std::string_view item = trim_ows(rest.substr(0, comma));
        if (item.empty()) return fail(400, "malformed Content-Length");
        std::uint64_t v = 0;
        for (char c : item) {
          if (c < '0' || c > '9') return fail(400, "malformed Content-Length");
          if (v > (UINT64_MAX - 9) / 10) return fail(413, "body too large");
          v = v * 10 + static_cast<std::uint64_t>(c - '0');
        }
        if (seen && v != length) return fail(400, "conflicting Content-Length values");
        seen = true;
        length = v;
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
    }
    if (length > limits_.max_body) return fail(413, "body too large");
    remaining_ = length;
    body_mode_ = length > 0 ? BodyMode::length : BodyMode::none;
  } else {
    body_mode_ = BodyMode::none;
  }

  if (const std::string* expect = h.find("expect")) {
    if (!iequals(*expect, "100-continue")) return fail(417, "unsupported Expect");
    expect_continue_ = http11;
  }
  if (body_mode_ == BodyMode::length) request_.body.reserve(static_cast<std::size_t>(remaining_));
  state_ = body_mode_ == BodyMode::none ? State::complete : State::body;
}

std::size_t RequestParser::feed_body(std::string_view data) {
  if (body_mode_ == BodyMode::chunked) return feed_chunked(data);
  std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, data.size()));
  request_.body.append(data.data(), n);
  remaining_ -= n;
  if (remaining_ == 0) state_ = State::complete;
  return n;
}

std::size_t RequestParser::feed_chunked(std::string_view data) {
  switch (chunk_state_) {
    case ChunkState::data: {
      std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, data.size()));
      request_.body.append(data.data(), n);
      remaining_ -= n;
      if (remaining_ == 0) chunk_state_ = ChunkState::data_crlf;
      return n;
    }
    case ChunkState::size_line:
    case ChunkState::data_crlf:
    case ChunkState::trailers: {
      std::size_t limit;
      int over_status = 400;
      const char* over_message;
      if (chunk_state_ == ChunkState::size_line) {
        limit = kMaxChunkLine;
        over_message = "chunk size line too long";
      } else if (chunk_state_ == ChunkState::data_crlf) {
        limit = 1;  // at most the CR
        over_message = "chunk data not followed by CRLF";
      } else {
        limit = limits_.max_header_bytes > head_bytes_ ? limits_.max_header_bytes - head_bytes_ : 0;
        over_status = 431;
        over_message = "trailer fields too large";
      }
      bool ready = false;
      std::size_t used = take_line(data, limit, over_status, over_message, ready);
      if (state_ == State::error || !ready) return used;
      line_.swap(done_line_);
      line_.clear();
      const std::string& line = done_line_;
      if (chunk_state_ == ChunkState::size_line) {
        on_chunk_size_line(line);
      } else if (chunk_state_ == ChunkState::data_crlf) {
        if (!line.empty()) fail(400, "chunk data not followed by CRLF");
        else chunk_state_ = ChunkState::size_line;
      } else {
        head_bytes_ += line.size() + 1;
        if (line.empty()) state_ = State::complete;
        else on_header_line(line, true);
      }
      return used;
    }
  }
  return 0;
}

void RequestParser::on_chunk_size_line(std::string_view line) {
  std::uint64_t size = 0;
  std::size_t i = 0;
  for (; i < line.size(); ++i) {
    int d = hex_digit(line[i]);
    if (d < 0) break;
    if (size > (UINT64_MAX >> 4)) return fail(413, "chunk too large");
    size = (size << 4) | static_cast<std::uint64_t>(d);
  }
  if (i == 0) return fail(400, "malformed chunk size");
  std::string_view rest = trim_ows(line.substr(i));
  if (!rest.empty() && rest.front() != ';') return fail(400, "malformed chunk size");
  if (size == 0) {
    chunk_state_ = ChunkState::trailers;
    return;
  }
  if (size > limits_.max_body || request_.body.size() + size > limits_.max_body)
    return fail(413, "body too large");
  remaining_ = size;
  chunk_state_ = ChunkState::data;
}

}  // namespace famulor::http
