// famulor_embed — a C++ program that embeds the engine: installs
// examples/workflows/post_call_crm.json and hands it the finished call in
// examples/events/call_ended.json, as a voice platform's post-call webhook would.
//
//   build/famulor sandbox --listen 127.0.0.1:4010 &        # offline fakes of the apps
//   build/examples/famulor_embed http://127.0.0.1:4010     # every connector calls it
//
// Prints each run as JSON and the time from the event to the run's last action,
// then emits the same call again to show that a redelivery starts nothing.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include <famulor/famulor.hpp>

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s SANDBOX_URL [WORKFLOW.json] [CALL_EVENT.json]\n", argv[0]);
    return 2;
  }
  const std::string dir = FAMULOR_EXAMPLES_DIR;
  const std::string wf_path = argc > 2 ? argv[2] : dir + "/workflows/post_call_crm.json";
  const std::string ev_path = argc > 3 ? argv[3] : dir + "/events/call_ended.json";

  famulor::EngineOptions options;
  options.threads = 2;
  options.sandbox_url = argv[1];  // connectors call the sandbox with placeholder credentials
  famulor::Engine engine(options);

  auto wf = engine.parse(read(wf_path), wf_path);
  if (!wf.ok()) {
    std::fprintf(stderr, "%s\n", wf.status().message().c_str());
    return 1;
  }
  if (auto s = engine.install(std::move(wf.value())); !s.ok()) {
    std::fprintf(stderr, "install: %s\n", s.to_string().c_str());
    return 1;
  }
  if (auto s = engine.start(); !s.ok()) {
    std::fprintf(stderr, "start: %s\n", s.to_string().c_str());
    return 1;
  }

  auto json = famulor::Value::parse(read(ev_path));
  if (!json.ok()) {
    std::fprintf(stderr, "%s: %s\n", ev_path.c_str(), json.status().message().c_str());
    return 1;
  }
  auto call = famulor::CallEvent::from_value(json.value());
  if (!call.ok()) {
    std::fprintf(stderr, "%s: %s\n", ev_path.c_str(), call.status().message().c_str());
    return 1;
  }

  const auto t0 = std::chrono::steady_clock::now();
  auto runs = engine.emit(call.value());
  if (!runs.ok()) {
    std::fprintf(stderr, "emit: %s\n", runs.status().to_string().c_str());
    return 1;
  }
  bool ok = !runs->empty();
  for (const auto& h : *runs) {
    famulor::RunRecord r = h.wait();
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    std::printf("%s\n", r.to_json().pretty().c_str());
    std::fprintf(stderr, "run %s %s: event to last action %.1f ms\n", r.id.c_str(),
                 std::string(famulor::to_string(r.status)).c_str(), ms);
    ok = ok && r.status == famulor::RunStatus::succeeded;
  }

  auto again = engine.emit(call.value());  // a redelivery: the same runs, nothing new starts
  const bool same = again.ok() && again->size() == runs->size() &&
                    (runs->empty() || again->front().id() == runs->front().id());
  std::fprintf(stderr, "redelivered call %s: %s\n", call->call_id.c_str(),
               same ? "deduplicated (same run ids)" : "NOT deduplicated");
  engine.stop();
  return ok && same ? 0 : 1;
}
