// Voice-platform payloads -> famulor's call model (src/platforms): every adapter
// gets the input, as JSON for Vapi, Retell, ElevenLabs and Famulor and as a
// form body for Twilio. Never crashes; what an adapter accepts becomes a call
// event whose JSON form reads back (CallEvent::from_value), and a signature header
// made of the same bytes is split without trouble.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "http/message.hpp"
#include "platforms/elevenlabs.hpp"
#include "platforms/famulor.hpp"
#include "platforms/platform.hpp"
#include "platforms/retell.hpp"
#include "platforms/twilio.hpp"
#include "platforms/vapi.hpp"

using namespace famulor;

namespace {

// A parsed post-call event must survive its own JSON form.
void check(const Result<platforms::Parsed>& p) {
  if (!p.ok() || p->kind != platforms::Kind::ended) return;
  if (p->call.call_id.empty()) return;  // the route refuses it; nothing to round-trip
  auto back = CallEvent::from_value(p->call.to_value());
  if (!back.ok()) {
    std::fprintf(stderr, "%s event does not read back: %s\n", p->call.platform.c_str(), back.status().to_string().c_str());
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)platforms::split_signature_header(text);
  (void)platforms::to_e164(text.substr(0, 64));
  check(platforms::parse_twilio_status(http::parse_query(text)));
  auto v = Value::parse(text);
  if (!v.ok()) return 0;
  check(platforms::parse_vapi(*v));
  check(platforms::parse_retell(*v));
  check(platforms::parse_elevenlabs_post_call(*v));
  check(platforms::parse_famulor(*v));
  (void)platforms::parse_elevenlabs_initiation(*v);
  (void)platforms::parse_elevenlabs_tool("book", *v);
  (void)platforms::parse_retell_tool("book", *v);
  return 0;
}
