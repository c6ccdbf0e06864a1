// famulor_voice_server — a stand-in for a voice server that embeds famulor: for
// each incoming call it asks Engine::inject for the caller's variables (HubSpot
// lookup, examples/workflows/inbound_lookup.json) under a hard deadline, and
// mid-call it books an appointment through Engine::call_tool
// (examples/workflows/book_appointment.json). Prints each answer and its latency.
//
//   build/famulor sandbox --listen 127.0.0.1:4010 &
//   build/examples/famulor_voice_server http://127.0.0.1:4010 [CALLS]
//
// Repeat callers are answered from the node cache (the lookup has "cache": "5m").
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <famulor/famulor.hpp>

namespace {

using namespace std::chrono_literals;

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool install(famulor::Engine& engine, const std::string& path) {
  auto wf = engine.parse(read(path), path);
  if (!wf.ok()) {
    std::fprintf(stderr, "%s\n", wf.status().message().c_str());
    return false;
  }
  auto s = engine.install(std::move(wf.value()));
  if (!s.ok()) std::fprintf(stderr, "%s: %s\n", path.c_str(), s.to_string().c_str());
  return s.ok();
}

double us_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s SANDBOX_URL [CALLS]\n", argv[0]);
    return 2;
  }
  const int calls = argc > 2 ? std::max(1, std::atoi(argv[2])) : 6;
  const std::string dir = FAMULOR_EXAMPLES_DIR;
  famulor::EngineOptions options;
  options.threads = 2;
  options.sandbox_url = argv[1];
  famulor::Engine engine(options);
  if (!install(engine, dir + "/workflows/inbound_lookup.json") ||
      !install(engine, dir + "/workflows/book_appointment.json"))
    return 1;
  if (auto s = engine.start(); !s.ok()) {
    std::fprintf(stderr, "start: %s\n", s.to_string().c_str());
    return 1;
  }

  const std::vector<std::string> callers = {"030 123456", "+49 89 7654321", "030 123456"};
  std::vector<double> latencies;
  int partial = 0;
  for (int i = 0; i < calls; ++i) {
    famulor::IncomingCall call;
    call.call_id = "call-" + std::to_string(i + 1);
    call.platform = "famulor";
    call.from = callers[static_cast<std::size_t>(i) % callers.size()];
    call.to = "+4989123456";
    const auto t0 = std::chrono::steady_clock::now();
    famulor::Variables v = engine.inject(call, 300ms);  // never later than 300 ms
    const double us = us_since(t0);
    latencies.push_back(us);
    partial += v.partial ? 1 : 0;
    std::printf("incoming %s from %-15s %9.0f us  partial=%s  variables=%s%s%s\n", call.call_id.c_str(),
                call.from.c_str(), us, v.partial ? "true " : "false", v.values.dump().c_str(),
                v.error.empty() ? "" : "  error=", v.error.c_str());
  }

  famulor::ToolCall tool;
  tool.tool = "book_appointment";
  tool.tool_call_id = "tc-1";
  tool.call.call_id = "call-1";
  tool.call.from = callers[0];
  tool.arguments = famulor::Value::object({{"start", "2026-11-28T10:30"}, {"name", "Jana Keller"}});
  auto t0 = std::chrono::steady_clock::now();
  famulor::ToolResult busy = engine.call_tool(tool, 2s);
  std::printf("tool book_appointment 10:30 %9.0f us  partial=%s  result=%s\n", us_since(t0), busy.partial ? "true" : "false",
              busy.result.dump().c_str());
  tool.arguments = famulor::Value::object({{"start", "2026-11-28T14:00"}, {"name", "Jana Keller"}});
  t0 = std::chrono::steady_clock::now();
  famulor::ToolResult booked = engine.call_tool(tool, 2s);
  std::printf("tool book_appointment 14:00 %9.0f us  partial=%s  result=%s\n", us_since(t0),
              booked.partial ? "true" : "false", booked.result.dump().c_str());

  std::sort(latencies.begin(), latencies.end());
  std::printf("%d incoming calls: median %.0f us, max %.0f us, %d partial\n", calls, latencies[latencies.size() / 2],
              latencies.back(), partial);
  engine.stop();
  return partial == 0 && !busy.partial && !booked.partial ? 0 : 1;
}
