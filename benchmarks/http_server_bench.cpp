// http_server_bench — requests per second of HttpServer on keep-alive
// connections with a trivial handler, at 1 and 32 connections, and the server's
// CPU time per request.
//
//   http_server_bench [--seconds S] [--threads N] [--passes P] [--connections C]
//
// The server runs in this process on an IoPool of N threads (default 2); the load
// generator runs in a forked child: one thread, epoll, C non-blocking keep-alive
// connections, each sending the next GET as soon as the previous answer arrived.
// Both share the machine's cores, like famulor serve and its load in
// PERFORMANCE.md. Figures are medians of P passes.
//
// Baseline (PERFORMANCE.md): the whole-engine target is 8,000 durable runs/s at 32
// connections, so the HTTP layer alone should sustain several times that (we aim
// for >= 40,000 requests/s at 32 connections on 2 cores); Node-RED answers ~550
// runs/s on the same machine.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "common/io_pool.hpp"
#include "http/server.hpp"

using namespace famulor::http;

namespace {

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

int connect_to(std::uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

const char kRequest[] = "GET /v1/health HTTP/1.1\r\nHost: bench\r\nUser-Agent: bench\r\n\r\n";

// The load generator (child process): returns the number of answers in `seconds`,
// or -1 on an error. response_size is the byte length of one whole answer.
long run_load(std::uint16_t port, int connections, double seconds, std::size_t response_size) {
  int ep = epoll_create1(0);
  std::vector<int> fds;
  std::vector<std::size_t> got(static_cast<std::size_t>(connections), 0);
  for (int i = 0; i < connections; ++i) {
    int fd = connect_to(port);
    if (fd < 0) return -1;
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u32 = static_cast<std::uint32_t>(i);
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    fds.push_back(fd);
    if (send(fd, kRequest, sizeof kRequest - 1, MSG_NOSIGNAL) != static_cast<ssize_t>(sizeof kRequest - 1))
      return -1;
  }
  long answers = 0;
  char buf[65536];
  epoll_event events[64];
  auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    int n = epoll_wait(ep, events, 64, 100);
    for (int e = 0; e < n; ++e) {
      std::uint32_t i = events[e].data.u32;
      ssize_t r = recv(fds[i], buf, sizeof buf, 0);
      if (r <= 0) return -1;
      got[i] += static_cast<std::size_t>(r);
      while (got[i] >= response_size) {
        got[i] -= response_size;
        ++answers;
        if (send(fds[i], kRequest, sizeof kRequest - 1, MSG_NOSIGNAL) != static_cast<ssize_t>(sizeof kRequest - 1))
          return -1;
      }
    }
  }
  for (int fd : fds) close(fd);
  close(ep);
  return answers;
}

struct Pass {
  double rps;
  double cpu_us_per_request;
};

// The load generator lives in a child forked before any thread exists; it reads
// commands {port, connections, seconds, response_size} and answers the count.
struct Command {
  std::uint16_t port;
  int connections;  // 0: exit
  double seconds;
  std::size_t response_size;
};

[[noreturn]] void load_generator(int cmd_fd, int result_fd) {
  Command c{};
  while (read(cmd_fd, &c, sizeof c) == static_cast<ssize_t>(sizeof c) && c.connections > 0) {
    long answers = run_load(c.port, c.connections, c.seconds, c.response_size);
    if (write(result_fd, &answers, sizeof answers) != static_cast<ssize_t>(sizeof answers)) _exit(2);
  }
  _exit(0);
}

Pass one_pass(int cmd_fd, int result_fd, const Command& cmd, HttpServer& server) {
  double cpu0 = cpu_seconds();
  auto req0 = server.stats().requests;
  if (write(cmd_fd, &cmd, sizeof cmd) != static_cast<ssize_t>(sizeof cmd)) std::exit(1);
  long answers = -1;
  if (read(result_fd, &answers, sizeof answers) != static_cast<ssize_t>(sizeof answers)) answers = -1;
  double cpu = cpu_seconds() - cpu0;
  auto served = server.stats().requests - req0;
  if (answers <= 0 || served == 0) {
    std::fprintf(stderr, "load generator failed\n");
    std::exit(1);
  }
  return {static_cast<double>(answers) / cmd.seconds, cpu * 1e6 / static_cast<double>(served)};
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 3;
  unsigned threads = 2;
  int passes = 3;
  std::vector<int> conns = {1, 32};
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--seconds") seconds = std::atof(argv[i + 1]);
    else if (a == "--threads") threads = static_cast<unsigned>(std::atoi(argv[i + 1]));
    else if (a == "--passes") passes = std::atoi(argv[i + 1]);
    else if (a == "--connections") conns = {std::atoi(argv[i + 1])};
    else {
      std::fprintf(stderr, "usage: %s [--seconds S] [--threads N] [--passes P] [--connections C]\n", argv[0]);
      return 2;
    }
  }

  int cmd[2], res[2];
  if (pipe(cmd) != 0 || pipe(res) != 0) return 1;
  pid_t child = fork();
  if (child == 0) {
    close(cmd[1]);
    close(res[0]);
    load_generator(cmd[0], res[1]);
  }
  close(cmd[0]);
  close(res[1]);

  famulor::detail::IoPool pool(threads);
  pool.start();
  HttpServer server(pool, ServerOptions{}, [](HttpRequest, Responder r) {
    r.send(HttpResponse::json_text(200, R"({"status":"ok"})"));
  });
  if (famulor::Status st = server.start(); !st.ok()) {
    std::fprintf(stderr, "%s\n", st.to_string().c_str());
    return 1;
  }
  // Measure one answer's size on a throwaway connection.
  std::size_t response_size = 0;
  {
    int fd = connect_to(server.port());
    if (fd < 0 || send(fd, kRequest, sizeof kRequest - 1, 0) <= 0) return 1;
    std::string resp;
    char buf[4096];
    while (true) {
      ssize_t r = recv(fd, buf, sizeof buf, 0);
      if (r <= 0) return 1;
      resp.append(buf, static_cast<std::size_t>(r));
      auto h = resp.find("\r\n\r\n");
      if (h != std::string::npos && resp.size() >= h + 4 + std::strlen(R"({"status":"ok"})")) break;
    }
    response_size = resp.size();
    close(fd);
  }

  std::printf("http_server_bench: trivial handler, keep-alive, %u server threads, %d x %.0f s passes\n",
              threads, passes, seconds);
  std::printf("%-12s %14s %18s\n", "connections", "requests/s", "server CPU us/req");
  for (int c : conns) {
    std::vector<Pass> ps;
    for (int p = 0; p < passes; ++p)
      ps.push_back(one_pass(cmd[1], res[0], Command{server.port(), c, seconds, response_size}, server));
    std::sort(ps.begin(), ps.end(), [](const Pass& a, const Pass& b) { return a.rps < b.rps; });
    const Pass& med = ps[ps.size() / 2];
    std::printf("%-12d %14.0f %18.1f\n", c, med.rps, med.cpu_us_per_request);
  }
  Command quit{0, 0, 0, 0};
  if (write(cmd[1], &quit, sizeof quit) != static_cast<ssize_t>(sizeof quit)) return 1;
  waitpid(child, nullptr, 0);
  server.stop();
  pool.stop();
  return 0;
}
