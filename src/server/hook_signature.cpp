#include "server/hook_signature.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>

#include "security/aead.hpp"

namespace famulor::server {

std::string hmac_sha256_hex(std::string_view secret, std::string_view message) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), md, &len);
  return security::to_hex(std::string_view(reinterpret_cast<const char*>(md), len));
}

std::string sign_hook(std::string_view secret, std::int64_t t, std::string_view body) {
  std::string ts = std::to_string(t);
  return "t=" + ts + ",v1=" + hmac_sha256_hex(secret, ts + "." + std::string(body));
}

Status verify_hook_signature(std::string_view header, std::string_view body, const std::vector<std::string>& secrets,
                             std::int64_t now_s, std::int64_t tolerance_s) {
  auto bad = [](std::string m) { return Status(StatusCode::unauthenticated, std::move(m)); };
  if (header.empty()) return bad("missing Famulor-Signature header (FAMULOR_SECRET_HOOKS is set)");
  std::string_view t;
  std::vector<std::string_view> sigs;
  while (!header.empty()) {
    std::size_t comma = header.find(',');
    std::string_view part = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    if (part.substr(0, 2) == "t=") t = part.substr(2);
    else if (part.substr(0, 3) == "v1=") sigs.push_back(part.substr(3));
  }
  std::int64_t ts = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), ts);
  if (t.empty() || ec != std::errc() || p != t.data() + t.size())
    return bad("Famulor-Signature has no valid t=<unix seconds>");
  if (sigs.empty()) return bad("Famulor-Signature has no v1=<hex>");
  if (ts < now_s - tolerance_s || ts > now_s + tolerance_s)
    return bad("Famulor-Signature timestamp is outside the " + std::to_string(tolerance_s) + " s tolerance");
  std::string message = std::string(t) + "." + std::string(body);
  bool ok = false;
  for (const auto& secret : secrets) {
    std::string want = hmac_sha256_hex(secret, message);
    for (auto sig : sigs)  // constant time per comparison; every pair is checked
      if (sig.size() == want.size() && CRYPTO_memcmp(sig.data(), want.data(), want.size()) == 0) ok = true;
  }
  if (!ok) return bad("Famulor-Signature does not match");
  return {};
}

}  // namespace famulor::server
