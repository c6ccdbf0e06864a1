// ResponseParser: status line, header fields, and the three body framings.
#include "net/response_parser.hpp"

#include <algorithm>

#include "http/syntax.hpp"

namespace famulor::net {

namespace {

using http::hex_digit;
using http::trim_ows;

constexpr std::size_t kMaxHead = 100 * 1024;     // status line + header fields (curl's limit is similar)
constexpr std::size_t kMaxChunkLine = 4096;      // chunk size + extensions
constexpr std::size_t kMaxTrailers = 64 * 1024;

// Whether a comma-separated header value lists `token` (case-insensitive).
bool has_token(std::string_view value, std::string_view token) {
  while (true) {
    auto comma = value.find(',');
    if (iequals(trim_ows(value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) return false;
    value.remove_prefix(comma + 1);
  }
}

}  // namespace

void ResponseParser::fail(std::string message) {
  if (state_ == State::error) return;
  state_ = State::error;
  error_ = std::move(message);
  keep_alive_ = false;
}

std::size_t ResponseParser::feed(std::string_view data) {
  std::size_t used = 0;
  while (used < data.size() && (state_ == State::head || state_ == State::body)) {
    std::string_view rest = data.substr(used);
    if (state_ == State::head) {
      used += feed_head(rest);
      continue;
    }
    switch (body_) {
      case Body::length: {
        auto n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, rest.size()));
        if (!append_body(rest.substr(0, n))) return used + n;
        used += n;
        remaining_ -= n;
        if (remaining_ == 0) state_ = State::complete;
        break;
      }
      case Body::chunked: used += feed_chunked(rest); break;
      case Body::until_close:
        if (!append_body(rest)) return data.size();
        used = data.size();
        break;
      case Body::none: state_ = State::complete; break;
    }
  }
  return used;
}

void ResponseParser::end_of_stream() {
  if (state_ == State::body && body_ == Body::until_close) {
    state_ = State::complete;
    return;
  }
  if (state_ == State::head && head_.empty()) return fail("Empty reply from server");
  if (state_ == State::head || state_ == State::body) fail("the server closed the connection before the response was complete");
}

std::size_t ResponseParser::feed_head(std::string_view data) {
  // Look for the blank line from where the last search stopped (3 bytes back: it
  // may straddle two reads).
  std::size_t from = head_.size() > 3 ? head_.size() - 3 : 0;
  std::size_t old = head_.size();
  head_.append(data.data(), std::min(data.size(), kMaxHead + 4 - std::min(old, kMaxHead + 4)));
  std::size_t end = head_.find("\r\n\r\n", from);
  std::size_t sep = 4;
  std::size_t lf = head_.find("\n\n", from);  // a bare-LF head, as curl reads them
  if (lf != std::string::npos && (end == std::string::npos || lf < end)) {
    end = lf;
    sep = 2;
  }
  if (end == std::string::npos) {
    if (head_.size() > kMaxHead) fail("response header fields too large");
    return data.size();
  }
  std::size_t used = end + sep - old;  // bytes of `data` that belong to this head
  head_.resize(end);
  parse_head();
  head_.clear();
  return used;
}

void ResponseParser::parse_head() {
  std::string_view head = head_;
  auto next_line = [&head]() {
    auto nl = head.find('\n');
    std::string_view line = head.substr(0, nl);
    head.remove_prefix(nl == std::string_view::npos ? head.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
  };
  std::string_view status_line = next_line();
  // "HTTP/1.1 200 OK" (the reason phrase may be empty or absent).
  if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1." || status_line[8] != ' ' ||
      !std::all_of(status_line.begin() + 9, status_line.begin() + 12, [](char c) { return c >= '0' && c <= '9'; }) ||
      (status_line.size() > 12 && status_line[12] != ' '))
    return fail("malformed status line '" + std::string(status_line.substr(0, 64)) + "'");
  if (status_line[7] != '0' && status_line[7] != '1') return fail("unsupported HTTP version in the status line");
  version_ = status_line[7] == '1' ? 11 : 10;
  int status = (status_line[9] - '0') * 100 + (status_line[10] - '0') * 10 + (status_line[11] - '0');
  if (status < 100) return fail("malformed status code");

  HeaderList headers;
  while (!head.empty()) {
    std::string_view line = next_line();
    if (line.empty()) continue;
    if (line.front() == ' ' || line.front() == '\t') return fail("obsolete header line folding in the response");
    auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return fail("response header line without a name");
    headers.add(std::string(trim_ows(line.substr(0, colon))), std::string(trim_ows(line.substr(colon + 1))));
  }

  if (status >= 100 && status < 200) {
    if (status == 101) return fail("unexpected 101 Switching Protocols");
    return;  // interim response: the final one follows (state stays head)
  }

  response_.status = status;
  response_.headers = std::move(headers);
  const HeaderList& h = response_.headers;
  const std::string* connection = h.find("Connection");
  keep_alive_ = version_ == 11 ? !(connection && has_token(*connection, "close"))
                               : (connection && has_token(*connection, "keep-alive"));

  if (status == 204 || status == 304) {
    body_ = Body::none;
    state_ = State::complete;
    return;
  }
  if (const std::string* te = h.find("Transfer-Encoding")) {
    std::string all;
    for (const auto& v : h.get_all("Transfer-Encoding")) all += (all.empty() ? "" : ",") + v;
    std::string_view last = all;
    if (auto comma = last.rfind(','); comma != std::string_view::npos) last.remove_prefix(comma + 1);
    if (!iequals(trim_ows(last), "chunked") || trim_ows(all) != trim_ows(last))
      return fail("unsupported Transfer-Encoding '" + te->substr(0, 64) + "'");
    body_ = Body::chunked;
    chunk_ = Chunk::size_line;
    // Both framings at once (RFC 9112 6.3): chunked wins, and the connection is not reused.
    keep_alive_ = keep_alive_ && version_ == 11 && !h.has("Content-Length");
    state_ = State::body;
    return;
  }
  if (h.has("Content-Length")) {
    bool seen = false;
    std::uint64_t length = 0;
    for (const std::string& value : h.get_all("Content-Length")) {
      std::string_view rest = value;
      while (true) {
        auto comma = rest.find(',');
        std::string_view item = trim_ows(rest.substr(0, comma));
        if (item.empty() || item.size() > 18 ||
            !std::all_of(item.begin(), item.end(), [](char c) { return c >= '0' && c <= '9'; }))
          return fail("malformed Content-Length in the response");
        std::uint64_t v = 0;
        for (char c : item) v = v * 10 + static_cast<std::uint64_t>(c - '0');
        if (seen && v != length) return fail("conflicting Content-Length values in the response");
        seen = true;
        length = v;
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
    }
    if (length > max_body_) {
      too_large_ = true;
      return fail("response body over the limit");
    }
    remaining_ = length;
    body_ = length ? Body::length : Body::none;
    if (length) response_.body.reserve(static_cast<std::size_t>(length));
    state_ = length ? State::body : State::complete;
    return;
  }
  body_ = Body::until_close;  // no framing: the body ends when the server closes
  keep_alive_ = false;
  state_ = State::body;
}

bool ResponseParser::append_body(std::string_view data) {
  if (response_.body.size() + data.size() > max_body_) {
    too_large_ = true;
    fail("response body over the limit");
    return false;
  }
  response_.body.append(data.data(), data.size());
  return true;
}

std::size_t ResponseParser::take_line(std::string_view data, bool& ready) {
  ready = false;
  auto nl = data.find('\n');
  std::size_t end = nl == std::string_view::npos ? data.size() : nl;
  std::size_t limit = chunk_ == Chunk::trailers ? kMaxTrailers : kMaxChunkLine;
  if (line_.size() + end > limit) {
    fail(chunk_ == Chunk::trailers ? "response trailers too large" : "chunk size line too long");
    return end;
  }
  line_.append(data.data(), end);
  if (nl == std::string_view::npos) return end;
  if (!line_.empty() && line_.back() == '\r') line_.pop_back();
  ready = true;
  return end + 1;
}

std::size_t ResponseParser::feed_chunked(std::string_view data) {
  if (chunk_ == Chunk::data) {
    auto n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, data.size()));
    if (!append_body(data.substr(0, n))) return n;
    remaining_ -= n;
    if (remaining_ == 0) chunk_ = Chunk::data_crlf;
    return n;
  }
  bool ready = false;
  std::size_t used = take_line(data, ready);
  if (state_ == State::error || !ready) return used;
  // The line moves to done_line_ and line_ takes its old buffer: both keep
  // their capacity, so lines cost no allocation once a connection is warm.
  line_.swap(done_line_);
  line_.clear();
  const std::string& line = done_line_;
  switch (chunk_) {
    case Chunk::size_line: {
      std::uint64_t size = 0;
      std::size_t i = 0;
      for (; i < line.size(); ++i) {
        int d = hex_digit(line[i]);
        if (d < 0) break;
        if (size > (UINT64_MAX >> 4)) {
          fail("chunk too large");
          return used;
        }
        size = (size << 4) | static_cast<std::uint64_t>(d);
      }
      std::string_view rest = trim_ows(std::string_view(line).substr(i));
      if (i == 0 || (!rest.empty() && rest.front() != ';')) {
        fail("malformed chunk size in the response");
        return used;
      }
      if (size == 0) {
        chunk_ = Chunk::trailers;
      } else if (size > max_body_ - std::min(max_body_, response_.body.size())) {
        too_large_ = true;
        fail("response body over the limit");
      } else {
        remaining_ = size;
        chunk_ = Chunk::data;
      }
      break;
    }
    case Chunk::data_crlf:
      if (!line.empty()) fail("chunk data not followed by CRLF in the response");
      else chunk_ = Chunk::size_line;
      break;
    case Chunk::trailers:
      trailer_bytes_ += line.size() + 2;
      if (trailer_bytes_ > kMaxTrailers) fail("response trailers too large");
      else if (line.empty()) state_ = State::complete;
      break;
    case Chunk::data: break;
  }
  return used;
}

}  // namespace famulor::net
