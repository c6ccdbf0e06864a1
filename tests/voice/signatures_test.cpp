// Each platform's signature scheme: valid, wrong, missing, expired, rotated secret.
#include <catch2/catch.hpp>

#include "platforms/elevenlabs.hpp"
#include "platforms/famulor.hpp"
#include "platforms/retell.hpp"
#include "platforms/twilio.hpp"
#include "platforms/vapi.hpp"

using namespace famulor;
using namespace famulor::platforms;

namespace {

http::HttpHeaders headers(std::initializer_list<std::pair<const char*, std::string>> fields) {
  http::HttpHeaders h;
  for (const auto& [k, v] : fields) h.add(k, v);
  return h;
}

const std::string body = R"({"event":"call_analyzed","call":{"call_id":"c1"}})";
const std::vector<std::string> rotated = {"new-secret", "old-secret"};

}  // namespace

TEST_CASE("Retell x-retell-signature as Retell's SDK computes it", "[voice][signature][retell]") {
  const std::int64_t now_ms = 1'764'266'645'000;
  // Computed independently: HMAC-SHA256("old-secret", body + "1764266645000") in hex.
  std::string sig = sign_retell("old-secret", now_ms, body);
  CHECK(sig.rfind("v=1764266645000,d=", 0) == 0);
  CHECK(sig.size() == std::string("v=1764266645000,d=").size() + 64);
  CHECK(verify_retell(headers({{"x-retell-signature", sig}}), body, rotated, now_ms).ok());
  CHECK(verify_retell(headers({{"X-Retell-Signature", sig}}), body, rotated, now_ms + 4 * 60 * 1000).ok());
  auto wrong = verify_retell(headers({{"x-retell-signature", sign_retell("other", now_ms, body)}}), body, rotated, now_ms);
  CHECK(wrong.code() == StatusCode::unauthenticated);
  CHECK(wrong.message().find("does not match") != std::string::npos);
  CHECK_FALSE(verify_retell(headers({{"x-retell-signature", sig}}), body + " ", rotated, now_ms).ok());
  auto expired = verify_retell(headers({{"x-retell-signature", sig}}), body, rotated, now_ms + 6 * 60 * 1000);
  CHECK_FALSE(expired.ok());
  CHECK(expired.message().find("5-minute") != std::string::npos);
  auto missing = verify_retell(headers({}), body, rotated, now_ms);
  CHECK(missing.message().find("missing x-retell-signature") != std::string::npos);
  CHECK_FALSE(verify_retell(headers({{"x-retell-signature", "d=abc"}}), body, rotated, now_ms).ok());
}

TEST_CASE("a known HMAC-SHA256 vector (RFC 4231 case 2)", "[voice][signature]") {
  CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("ElevenLabs-Signature t=,v0= with a 30-minute tolerance", "[voice][signature][elevenlabs]") {
  const std::int64_t now = 1'764'266'645;
  std::string sig = sign_elevenlabs("new-secret", now, body);
  CHECK(sig == "t=1764266645,v0=" + hmac_sha256_hex("new-secret", "1764266645." + body));
  CHECK(verify_elevenlabs(headers({{"ElevenLabs-Signature", sig}}), body, rotated, now).ok());
  CHECK(verify_elevenlabs(headers({{"elevenlabs-signature", sig}}), body, rotated, now + 29 * 60).ok());
  CHECK_FALSE(verify_elevenlabs(headers({{"ElevenLabs-Signature", sig}}), body, rotated, now + 31 * 60).ok());
  CHECK_FALSE(verify_elevenlabs(headers({{"ElevenLabs-Signature", sign_elevenlabs("x", now, body)}}), body, rotated, now).ok());
  CHECK_FALSE(verify_elevenlabs(headers({}), body, rotated, now).ok());
  CHECK_FALSE(verify_elevenlabs(headers({{"ElevenLabs-Signature", "v0=abc"}}), body, rotated, now).ok());
}

TEST_CASE("X-Famulor-Signature sha256=<hmac of the body>", "[voice][signature][famulor]") {
  std::string sig = sign_famulor("old-secret", body);
  CHECK(sig == "sha256=" + hmac_sha256_hex("old-secret", body));
  CHECK(verify_famulor(headers({{"X-Famulor-Signature", sig}}), body, rotated).ok());
  CHECK_FALSE(verify_famulor(headers({{"X-Famulor-Signature", sig}}), body + "x", rotated).ok());
  CHECK_FALSE(verify_famulor(headers({{"X-Famulor-Signature", hmac_sha256_hex("old-secret", body)}}), body, rotated).ok());
  CHECK_FALSE(verify_famulor(headers({}), body, rotated).ok());
}

TEST_CASE("Vapi: X-Vapi-Secret, Bearer credential or HMAC credential", "[voice][signature][vapi]") {
  const std::int64_t now = 1'764'266'645;
  CHECK(verify_vapi(headers({{"X-Vapi-Secret", "old-secret"}}), body, rotated, now).ok());
  CHECK(verify_vapi(headers({{"x-vapi-secret", "new-secret"}}), body, rotated, now).ok());
  CHECK_FALSE(verify_vapi(headers({{"X-Vapi-Secret", "new-secre"}}), body, rotated, now).ok());
  CHECK_FALSE(verify_vapi(headers({{"X-Vapi-Secret", ""}}), body, rotated, now).ok());
  CHECK(verify_vapi(headers({{"Authorization", "Bearer new-secret"}}), body, rotated, now).ok());
  CHECK_FALSE(verify_vapi(headers({{"Authorization", "Bearer nope"}}), body, rotated, now).ok());
  std::string ts = std::to_string(now);
  std::string hmac = hmac_sha256_hex("new-secret", ts + "." + body);
  CHECK(verify_vapi(headers({{"x-signature", hmac}, {"x-timestamp", ts}}), body, rotated, now).ok());
  CHECK(verify_vapi(headers({{"x-signature", "sha256=" + hmac}, {"x-timestamp", ts}}), body, rotated, now + 60).ok());
  std::string ms = std::to_string(now * 1000);
  CHECK(verify_vapi(headers({{"x-signature", hmac_sha256_hex("old-secret", ms + "." + body)}, {"x-timestamp", ms}}), body,
                    rotated, now).ok());
  CHECK_FALSE(verify_vapi(headers({{"x-signature", hmac}, {"x-timestamp", ts}}), body, rotated, now + 301).ok());
  CHECK_FALSE(verify_vapi(headers({{"x-signature", hmac}}), body, rotated, now).ok());
  CHECK_FALSE(verify_vapi(headers({{"x-signature", hmac}, {"x-timestamp", ts}}), body + " ", rotated, now).ok());
  auto missing = verify_vapi(headers({}), body, rotated, now);
  CHECK(missing.code() == StatusCode::unauthenticated);
  CHECK(missing.message().find("X-Vapi-Secret") != std::string::npos);
}

TEST_CASE("X-Twilio-Signature over the public URL and the sorted POST parameters", "[voice][signature][twilio]") {
  // Twilio's documented example (Security, "Validating requests"): auth token
  // 12345, this URL and these parameters sign to 0/KCTR6DLpKmkAf8muzZqo1nDgQ=.
  const std::string url = "https://mycompany.com/myapp.php?foo=1&bar=2";
  http::Params params = {{"CallSid", "CA1234567890ABCDE"},
                         {"Caller", "+12349013030"},
                         {"Digits", "1234"},
                         {"From", "+12349013030"},
                         {"To", "+18005551212"}};
  CHECK(sign_twilio("12345", url, params) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
  CHECK(verify_twilio(headers({{"X-Twilio-Signature", "0/KCTR6DLpKmkAf8muzZqo1nDgQ="}}), {"http://other/", url}, params,
                      {"rotated-out", "12345"}).ok());
  http::Params reordered(params.rbegin(), params.rend());  // order on the wire does not matter
  CHECK(verify_twilio(headers({{"X-Twilio-Signature", "0/KCTR6DLpKmkAf8muzZqo1nDgQ="}}), {url}, reordered, {"12345"}).ok());
  auto wrong_url = verify_twilio(headers({{"X-Twilio-Signature", "0/KCTR6DLpKmkAf8muzZqo1nDgQ="}}),
                                 {"https://mycompany.com/myapp.php"}, params, {"12345"});
  CHECK_FALSE(wrong_url.ok());
  CHECK(wrong_url.message().find("FAMULOR_PUBLIC_URL") != std::string::npos);
  params[2].second = "1235";
  CHECK_FALSE(verify_twilio(headers({{"X-Twilio-Signature", "0/KCTR6DLpKmkAf8muzZqo1nDgQ="}}), {url}, params, {"12345"}).ok());
  CHECK_FALSE(verify_twilio(headers({}), {url}, params, {"12345"}).ok());
}
