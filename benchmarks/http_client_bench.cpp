// http_client_bench — outbound HTTP calls per second and client CPU time per call,
// against a loopback keep-alive server in a child process, at concurrency 1, 64
// and 512 (each completion sends the next request).
//
//   http_client_bench [--seconds S] [--threads N] [--server-threads M] [--body BYTES]
//                     [--concurrency 1|64|512]
//
// Target (PERFORMANCE.md / the Connectors issue): >= 15,000 calls/s on 2 cores with
// keep-alive, and 512 in flight without extra threads. CPU per call is the client
// process's user+system time divided by the calls (the server's CPU is not in it).
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <mutex>
#include <string>

#include "loopback_server.hpp"
#include "common/io_pool.hpp"
#include "net/http_client.hpp"

using famulor::net::HttpClient;
using famulor::net::HttpClientRequest;
using famulor::net::HttpClientResponse;

namespace {

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

std::size_t thread_count() {
  std::size_t n = 0;
  if (DIR* d = opendir("/proc/self/task")) {
    while (dirent* e = readdir(d))
      if (e->d_name[0] != '.') ++n;
    closedir(d);
  }
  return n;
}

// Runs the server in a child process; returns its port (0 on failure).
int start_server(unsigned threads, std::size_t body_bytes, pid_t& child) {
  int fds[2];
  if (pipe(fds) != 0) return 0;
  child = fork();
  if (child == 0) {
    close(fds[0]);
    famulor::test::LoopbackServer server(
        famulor::test::always({200, {{"Content-Type", "application/json"}},
                               "{\"ok\":true,\"pad\":\"" + std::string(body_bytes, 'x') + "\"}"}),
        threads);
    int port = server.port();
    if (write(fds[1], &port, sizeof port) != sizeof port) _exit(1);
    close(fds[1]);
    pause();  // killed by the parent
    _exit(0);
  }
  close(fds[1]);
  int port = 0;
  if (read(fds[0], &port, sizeof port) != sizeof port) port = 0;
  close(fds[0]);
  return port;
}

struct Pass {
  double calls_per_s = 0;
  double cpu_us_per_call = 0;
  std::uint64_t errors = 0;
  std::size_t extra_threads = 0;
  std::uint64_t connections = 0;
};

Pass run(HttpClient& client, const std::string& url, std::size_t concurrency, double seconds) {
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> ok{0}, errors{0};
  std::mutex mu;
  std::condition_variable cv;
  std::size_t live = 0;
  const std::size_t threads_before = thread_count();
  std::size_t threads_peak = threads_before;

  std::function<void()> fire;
  fire = [&] {
    HttpClientRequest req;
    req.method = "POST";
    req.url = url;
    req.headers.add("Content-Type", "application/json");
    req.body = R"({"call_id":"c-1","duration_s":73,"summary":"caller asked for a callback"})";
    client.send(std::move(req), [&](famulor::Result<HttpClientResponse> r) {
      if (r.ok() && r->status == 200) {
        ok++;
      } else {
        errors++;
      }
      if (!stop.load(std::memory_order_relaxed)) {
        fire();
        return;
      }
      std::lock_guard<std::mutex> lock(mu);
      if (--live == 0) cv.notify_all();
    });
  };

  const auto conn_before = client.stats().connections_opened;
  {
    std::lock_guard<std::mutex> lock(mu);
    live = concurrency;
  }
  auto t0 = std::chrono::steady_clock::now();
  double c0 = cpu_seconds();
  for (std::size_t i = 0; i < concurrency; ++i) fire();
  auto until = t0 + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    threads_peak = std::max(threads_peak, thread_count());
  }
  std::uint64_t counted = ok.load() + errors.load();
  double c1 = cpu_seconds();
  auto t1 = std::chrono::steady_clock::now();
  stop = true;
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return live == 0; });

  Pass p;
  double wall = std::chrono::duration<double>(t1 - t0).count();
  p.calls_per_s = static_cast<double>(counted) / wall;
  p.cpu_us_per_call = counted ? (c1 - c0) * 1e6 / static_cast<double>(counted) : 0;
  p.errors = errors.load();
  p.extra_threads = threads_peak - threads_before;
  p.connections = client.stats().connections_opened - conn_before;
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 5;
  unsigned threads = 0, server_threads = 1;
  std::size_t body = 64;
  std::size_t only = 0;
  famulor::net::ClientOptions options;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--seconds") seconds = std::atof(argv[i + 1]);
    else if (a == "--threads") threads = static_cast<unsigned>(std::atoi(argv[i + 1]));
    else if (a == "--server-threads") server_threads = static_cast<unsigned>(std::atoi(argv[i + 1]));
    else if (a == "--body") body = static_cast<std::size_t>(std::atol(argv[i + 1]));
    else if (a == "--max-idle") options.max_idle_connections = std::atol(argv[i + 1]);
    else if (a == "--concurrency") only = static_cast<std::size_t>(std::atol(argv[i + 1]));
  }

  pid_t child = 0;
  int port = start_server(server_threads, body, child);
  if (port == 0) {
    std::fprintf(stderr, "could not start the loopback server\n");
    return 1;
  }
  std::string url = "http://127.0.0.1:" + std::to_string(port) + "/sink";

  famulor::detail::IoPool pool(threads);
  pool.start();
  int rc = 0;
  {
    HttpClient client(pool, options);
    run(client, url, 512, 1.0);  // warm-up: 512 connections, allocator
    std::printf("http_client_bench: POST ~80 B JSON, ~%zu B reply, keep-alive; client pool %u threads, server %u "
                "thread(s) in another process; %.0f s per pass\n",
                body + 20, pool.threads(), server_threads, seconds);
    std::printf("%-12s %12s %16s %8s %14s %12s\n", "concurrency", "calls/s", "client CPU/call", "errors",
                "new conns", "extra threads");
    for (std::size_t c : {std::size_t{1}, std::size_t{64}, std::size_t{512}}) {
      if (only && c != only) continue;
      Pass p = run(client, url, c, seconds);
      std::printf("%-12zu %12.0f %13.1f us %8llu %14llu %12zu\n", c, p.calls_per_s, p.cpu_us_per_call,
                  static_cast<unsigned long long>(p.errors), static_cast<unsigned long long>(p.connections),
                  p.extra_threads);
      if (p.errors) rc = 1;
    }
    std::printf("target: >= 15000 calls/s with keep-alive on 2 cores; 0 extra threads at 512\n");
  }
  pool.stop();
  kill(child, SIGTERM);
  waitpid(child, nullptr, 0);
  return rc;
}
