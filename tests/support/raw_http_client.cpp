#include "support/raw_http_client.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdlib>

namespace famulor::test {

namespace {

int connect_loopback(std::uint16_t port, std::chrono::milliseconds timeout) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

RawConnection::RawConnection(std::uint16_t port, std::chrono::milliseconds io_timeout)
    : fd_(connect_loopback(port, io_timeout)) {}

RawConnection::~RawConnection() { close(); }

void RawConnection::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void RawConnection::shutdown_write() {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
}

bool RawConnection::send(std::string_view bytes) {
  while (!bytes.empty()) {
    if (fd_ < 0) return false;
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool RawConnection::fill() {
  if (fd_ < 0) return false;
  char tmp[16384];
  while (true) {
    ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<std::size_t>(n));
    return true;
  }
}

std::optional<RawResponse> RawConnection::read_response(bool head_request) {
  std::size_t end;
  while ((end = buf_.find("\r\n\r\n")) == std::string::npos)
    if (!fill()) return std::nullopt;
  std::string head = buf_.substr(0, end);
  buf_.erase(0, end + 4);

  RawResponse r;
  std::size_t line_end = head.find("\r\n");
  std::string status_line = head.substr(0, line_end);
  if (status_line.rfind("HTTP/1.", 0) != 0 || status_line.size() < 12) return std::nullopt;
  r.status = std::atoi(status_line.c_str() + 9);
  r.reason = status_line.size() > 13 ? status_line.substr(13) : "";
  std::size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    std::size_t e = head.find("\r\n", pos);
    if (e == std::string::npos) e = head.size();
    std::string line = head.substr(pos, e - pos);
    std::size_t colon = line.find(':');
    if (colon == std::string::npos) return std::nullopt;
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    r.headers.add(line.substr(0, colon), value);
    pos = e + 2;
  }

  if (head_request || r.status < 200 || r.status == 204 || r.status == 304) return r;
  if (r.headers.has_token("transfer-encoding", "chunked")) {
    while (true) {
      std::size_t e;
      while ((e = buf_.find("\r\n")) == std::string::npos)
        if (!fill()) return std::nullopt;
      std::size_t size = std::strtoul(buf_.c_str(), nullptr, 16);
      buf_.erase(0, e + 2);
      if (size == 0) {
        while ((e = buf_.find("\r\n")) != 0) {  // trailers until the empty line
          if (e == std::string::npos) {
            if (!fill()) return std::nullopt;
          } else {
            buf_.erase(0, e + 2);
          }
        }
        buf_.erase(0, 2);
        return r;
      }
      while (buf_.size() < size + 2)
        if (!fill()) return std::nullopt;
      r.body.append(buf_, 0, size);
      buf_.erase(0, size + 2);
    }
  }
  if (const std::string* cl = r.headers.find("content-length")) {
    std::size_t n = std::strtoul(cl->c_str(), nullptr, 10);
    while (buf_.size() < n)
      if (!fill()) return std::nullopt;
    r.body = buf_.substr(0, n);
    buf_.erase(0, n);
    return r;
  }
  while (fill()) {
  }
  r.body = std::move(buf_);
  buf_.clear();
  return r;
}

bool RawConnection::wait_closed() {
  if (fd_ < 0) return true;
  char tmp[4096];
  while (true) {
    ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n == 0) return true;
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno == ECONNRESET || errno == EPIPE;
    }
  }
}

bool can_connect(std::uint16_t port) {
  int fd = connect_loopback(port, std::chrono::seconds(5));
  if (fd < 0) return false;
  ::close(fd);
  return true;
}

std::optional<RawResponse> roundtrip(std::uint16_t port, std::string_view request) {
  RawConnection c(port);
  if (!c.connected() || !c.send(request)) return std::nullopt;
  return c.read_response();
}

}  // namespace famulor::test
