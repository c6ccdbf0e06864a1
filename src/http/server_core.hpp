// http/server_core.hpp — the insides of HttpServer (internal; includes Asio; only
// server.cpp and server_connection.cpp include it). ServerCore owns the acceptor
// and the set of open connections; ServerConnection serves one socket.
//
// Thread-safety: ServerCore's connection set and counters are guarded by mu (or
// atomic); the acceptor lives on accept_strand. Each ServerConnection does all its
// work on its own strand (its socket's executor); its public members post there
// and may be called from any thread.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>
#include <asio/io_context.hpp>
#include <array>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "http/parser.hpp"
#include "http/server.hpp"

namespace famulor::http {

class ServerConnection;

class ServerCore : public std::enable_shared_from_this<ServerCore> {
 public:
  ServerCore(asio::io_context& ctx, ServerOptions options, Handler handler);

  Status start();
  void stop(std::chrono::milliseconds grace);
  // Called by a connection (on its strand) when it has closed its socket.
  void remove(ServerConnection* conn, bool rejected);
  // A request refused by the parser or a timeout.
  void count_bad_request() { bad_requests_.fetch_add(1, std::memory_order_relaxed); }
  void count_request() { requests_.fetch_add(1, std::memory_order_relaxed); }
  ServerStats stats() const;

  const ServerOptions& options() const { return options_; }
  const Handler& handler() const { return handler_; }
  std::uint16_t port() const { return port_.load(); }
  const std::string& host() const { return options_.host; }

 private:
  void do_accept();
  void on_accept(const asio::error_code& ec, asio::ip::tcp::socket socket);

  asio::io_context& ctx_;
  ServerOptions options_;
  Handler handler_;
  asio::strand<asio::io_context::executor_type> accept_strand_;
  asio::ip::tcp::acceptor acceptor_;
  asio::steady_timer accept_retry_;
  std::atomic<std::uint16_t> port_{0};

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::unordered_map<ServerConnection*, std::shared_ptr<ServerConnection>> conns_;
  std::size_t served_ = 0;     // connections in conns_ that are served (not rejected)
  std::size_t rejecting_ = 0;  // connections in conns_ being answered 503
  bool started_ = false;
  bool stopping_ = false;

  std::atomic<std::uint64_t> accepted_{0}, rejected_{0}, requests_{0}, bad_requests_{0};
};

class ServerConnection : public std::enable_shared_from_this<ServerConnection> {
 public:
  // reject: answer 503 and close instead of serving.
  ServerConnection(std::shared_ptr<ServerCore> core, asio::ip::tcp::socket socket, bool reject);

  // Each posts to the connection's strand.
  void start();
  void begin_drain();  // server stopping: close when idle, close after the current response
  void force_close();

 private:
  enum class Phase { reading, handling, writing, lingering, closed };

  void do_read();
  void on_read(const asio::error_code& ec, std::size_t n);
  void process_input();
  void dispatch();
  void on_response(HttpResponse response);
  // Sends head + body; then the next request, or linger_close() when close_after.
  void write(std::string head, std::string body, bool close_after);
  void send_error(int status, std::string_view message);
  // Deadline of the current phase (reading, writing, lingering); none while handling.
  void set_deadline(std::chrono::steady_clock::time_point deadline);
  void clear_deadline();
  void arm_timer(std::chrono::steady_clock::time_point at);
  void on_timeout();
  void update_read_deadline();
  // Shuts down sending, drains what the client still sends (bounded), then closes:
  // so that a client still sending does not get a reset before reading our answer.
  void linger_close();
  void do_linger_read();
  void close();

  std::shared_ptr<ServerCore> core_;
  asio::ip::tcp::socket socket_;
  const asio::any_io_executor ex_;  // the connection's strand (socket_'s executor)
  asio::steady_timer timer_;
  const bool reject_;
  RequestParser parser_;
  std::string remote_;
  std::array<char, 16 * 1024> read_buf_;
  std::string in_;  // bytes read and not yet consumed by the parser (pipelining)
  std::string out_head_, out_body_;
  Phase phase_ = Phase::reading;
  bool draining_ = false;
  bool first_request_ = true;
  bool continue_sent_ = false;
  bool request_keep_alive_ = true;
  bool head_request_ = false;
  int request_minor_ = 1;
  std::size_t lingered_ = 0;
  std::uint64_t timer_gen_ = 0;
  bool timer_armed_ = false;
  std::chrono::steady_clock::time_point timer_expiry_{};
  // Set while this connection's handler runs on this thread: a synchronous
  // send() lands here instead of being posted.
  std::optional<HttpResponse> sync_response_;
  std::uint64_t response_gen_ = 0;  // which request a Responder belongs to
  // Deadlines of the request being read (zero: not started).
  std::chrono::steady_clock::time_point idle_since_{}, request_started_{}, head_done_{};
  std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
};

}  // namespace famulor::http
