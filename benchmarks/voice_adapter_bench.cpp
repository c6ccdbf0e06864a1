// voice_adapter_bench — what a platform webhook costs before the engine sees it:
// JSON parse of the documented payload, signature check and normalization into a
// CallEvent / IncomingCall / ToolCall (src/platforms).
//
//   voice_adapter_bench [--iterations N]
//
// Baseline: the post-call path's target is under 2 s from event to last action and
// an incoming call's answer is due in 500 ms, so the adapter must be a rounding
// error of both: a few tens of µs per request. Prints µs per request per case,
// median of 5 passes.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "platforms/elevenlabs.hpp"
#include "platforms/famulor.hpp"
#include "platforms/retell.hpp"
#include "platforms/twilio.hpp"
#include "platforms/vapi.hpp"

using namespace famulor;
using namespace famulor::platforms;

namespace {

volatile std::size_t g_sink = 0;

std::string fixture(const char* name) {
  std::ifstream in(std::string(FAMULOR_SOURCE_DIR) + "/tests/voice/fixtures/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

double us_per_op(const std::function<std::size_t()>& op, long iterations) {
  std::vector<double> passes;
  for (int pass = 0; pass < 5; ++pass) {
    auto start = std::chrono::steady_clock::now();
    for (long i = 0; i < iterations; ++i) g_sink = g_sink + op();
    std::chrono::duration<double, std::micro> d = std::chrono::steady_clock::now() - start;
    passes.push_back(d.count() / static_cast<double>(iterations));
  }
  std::sort(passes.begin(), passes.end());
  return passes[2];
}

}  // namespace

int main(int argc, char** argv) {
  long iterations = 20'000;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--iterations") == 0) iterations = std::atol(argv[i + 1]);

  const std::string vapi = fixture("vapi_end_of_call_report.json");
  const std::string retell = fixture("retell_call_analyzed.json");
  const std::string eleven = fixture("elevenlabs_post_call_transcription.json");
  const std::string famulor_body = fixture("famulor_post_call.json");
  const std::string twilio = fixture("twilio_status_completed.txt");
  const std::string tools = fixture("vapi_tool_calls.json");
  const std::vector<std::string> secrets = {"old-secret", "new-secret"};
  const std::int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  http::HttpHeaders vapi_h, retell_h, eleven_h, famulor_h, twilio_h;
  vapi_h.add("X-Vapi-Secret", "new-secret");
  retell_h.add("x-retell-signature", sign_retell("new-secret", now_ms, retell));
  eleven_h.add("ElevenLabs-Signature", sign_elevenlabs("new-secret", now_ms / 1000, eleven));
  famulor_h.add("X-Famulor-Signature", sign_famulor("new-secret", famulor_body));
  const std::string url = "https://voice.example.com/v1/voice/twilio/status";
  twilio_h.add("X-Twilio-Signature", sign_twilio("new-secret", url, http::parse_query(twilio)));

  struct Case {
    const char* name;
    std::size_t bytes;
    std::function<std::size_t()> op;
  };
  std::vector<Case> cases = {
      {"vapi end-of-call-report", vapi.size(),
       [&] {
         if (!verify_vapi(vapi_h, vapi, secrets, now_ms / 1000).ok()) std::abort();
         return parse_vapi(Value::parse(vapi).value())->call.turns.size();
       }},
      {"vapi tool-calls (2)", tools.size(), [&] { return parse_vapi(Value::parse(tools).value())->tools.size(); }},
      {"retell call_analyzed", retell.size(),
       [&] {
         if (!verify_retell(retell_h, retell, secrets, now_ms).ok()) std::abort();
         return parse_retell(Value::parse(retell).value())->call.turns.size();
       }},
      {"elevenlabs post_call_transcription", eleven.size(),
       [&] {
         if (!verify_elevenlabs(eleven_h, eleven, secrets, now_ms / 1000).ok()) std::abort();
         return parse_elevenlabs_post_call(Value::parse(eleven).value())->call.turns.size();
       }},
      {"famulor post-call", famulor_body.size(),
       [&] {
         if (!verify_famulor(famulor_h, famulor_body, secrets).ok()) std::abort();
         return parse_famulor(Value::parse(famulor_body).value())->call.turns.size();
       }},
      {"twilio status (form)", twilio.size(),
       [&] {
         auto params = http::parse_query(twilio);
         if (!verify_twilio(twilio_h, {url}, params, secrets).ok()) std::abort();
         return parse_twilio_status(params)->call.call_id.size();
       }},
  };
  std::printf("voice_adapter_bench: %ld iterations x 5 passes, median; verify (2 secrets) + parse + normalize\n",
              iterations);
  std::printf("%-36s %8s %12s\n", "case", "bytes", "us/request");
  for (const auto& c : cases) std::printf("%-36s %8zu %12.2f\n", c.name, c.bytes, us_per_op(c.op, iterations));
  return 0;
}
