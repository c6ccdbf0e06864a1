#include <catch2/catch.hpp>

#include "security/aead.hpp"
#include "security/base64.hpp"
#include "security/master_key.hpp"

using namespace famulor;
using namespace famulor::security;

TEST_CASE("base64 round-trips and rejects junk", "[vault]") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foobar") == "Zm9vYmFy");
  CHECK(base64url_encode("\xfb\xff", false) == "-_8");
  CHECK(base64_encode("\xfb\xff") == "+/8=");
  CHECK(base64_decode("Zm9vYmFy").value() == "foobar");
  CHECK(base64_decode("Zm8").value() == "fo");
  CHECK(base64_decode("-_8").value() == "\xfb\xff");
  CHECK_FALSE(base64_decode("Zm9v!mFy"));
  CHECK_FALSE(base64_decode("Z"));
}

TEST_CASE("AES-256-GCM seals with a fresh nonce and detects tampering", "[vault]") {
  auto key = MasterKey::generate();
  REQUIRE(key.ok());
  auto a = aes256gcm_seal(key->bytes, "secret-token", "name-a");
  auto b = aes256gcm_seal(key->bytes, "secret-token", "name-a");
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->size() == kNonceBytes + 12 + kTagBytes);
  CHECK(a->substr(0, kNonceBytes) != b->substr(0, kNonceBytes));  // nonce per record
  CHECK(a->find("secret-token") == std::string::npos);
  CHECK(aes256gcm_open(key->bytes, *a, "name-a").value() == "secret-token");

  auto other_ad = aes256gcm_open(key->bytes, *a, "name-b");
  CHECK(other_ad.status().code() == StatusCode::unauthenticated);

  std::string flipped = *a;
  flipped[kNonceBytes + 3] ^= 0x01;
  CHECK(aes256gcm_open(key->bytes, flipped, "name-a").status().code() == StatusCode::unauthenticated);

  auto other = MasterKey::generate();
  CHECK(aes256gcm_open(other->bytes, *a, "name-a").status().code() == StatusCode::unauthenticated);
  CHECK(aes256gcm_open(key->bytes, "short", "name-a").status().code() == StatusCode::data_loss);
}

TEST_CASE("master key parsing says what is wrong", "[vault]") {
  auto k = MasterKey::generate();
  REQUIRE(k.ok());
  auto again = MasterKey::from_base64(k->to_base64());
  REQUIRE(again.ok());
  CHECK(again->id == k->id);
  CHECK(k->id.size() == 16);
  auto short_key = MasterKey::from_base64(base64_encode("too short"));
  REQUIRE_FALSE(short_key.ok());
  CHECK(short_key.status().message().find("expected 32") != std::string::npos);
  CHECK_FALSE(MasterKey::from_base64("not base64 !!").ok());
}
