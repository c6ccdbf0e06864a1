// Helpers shared by the platform adapters (platform.hpp).
#include "platforms/platform.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "security/aead.hpp"

namespace famulor::platforms {
namespace {

std::string hmac_raw(const EVP_MD* md, std::string_view key, std::string_view message) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(md, key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(message.data()),
       message.size(), out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

bool secret_matches(std::string_view given, const std::vector<std::string>& secrets) {
  bool ok = false;
  for (const auto& s : secrets)
    if (!given.empty() && s.size() == given.size() && CRYPTO_memcmp(s.data(), given.data(), s.size()) == 0) ok = true;
  return ok;
}

bool hex_equals(std::string_view given, std::string_view want) {
  if (given.size() != want.size() || given.empty()) return false;
  std::string lower(given);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return CRYPTO_memcmp(lower.data(), want.data(), want.size()) == 0;
}

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
  return security::to_hex(hmac_raw(EVP_sha256(), key, message));
}

std::string hmac_sha1_raw(std::string_view key, std::string_view message) {
  return hmac_raw(EVP_sha1(), key, message);
}

std::vector<std::pair<std::string, std::string>> split_signature_header(std::string_view header) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!header.empty()) {
    std::size_t comma = header.find(',');
    std::string_view part = trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    std::size_t eq = part.find('=');
    if (eq == std::string_view::npos) continue;
    out.emplace_back(std::string(trim(part.substr(0, eq))), std::string(trim(part.substr(eq + 1))));
  }
  return out;
}

std::string text_at(const Value& obj, std::string_view key) {
  const Value* v = obj.find(key);
  if (!v) return {};
  if (v->is_string()) return v->as_string();
  if (v->is_int()) return std::to_string(v->as_int());
  return {};
}

std::optional<double> number_at(const Value& obj, std::string_view key) {
  const Value* v = obj.find(key);
  if (!v || !v->is_number()) return std::nullopt;
  return v->as_double();
}

const Value* object_at(const Value& obj, std::string_view key) {
  const Value* v = obj.find(key);
  return v && v->is_object() ? v : nullptr;
}

Value object_or_empty(const Value& obj, std::string_view key) {
  const Value* v = object_at(obj, key);
  return v ? *v : Value::object({});
}

Status bad_field(std::string_view where, std::string_view what) {
  return Status(StatusCode::invalid_argument, std::string(where) + ": " + std::string(what));
}

std::string to_e164(std::string_view number) {
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  static const PhoneNumberUtil* util = PhoneNumberUtil::GetInstance();
  std::string text(trim(number));
  if (text.empty() || text.size() > 64) return text;
  // Already E.164 (what most platforms send): no need for libphonenumber's parse,
  // which costs tens of microseconds.
  if (text.size() >= 8 && text.size() <= 16 && text[0] == '+' && text[1] != '0' &&
      std::all_of(text.begin() + 1, text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return text;
  std::string candidate = text;
  if (candidate.size() > 2 && candidate[0] == '0' && candidate[1] == '0') {
    candidate[1] = '+';
    candidate.erase(0, 1);
  }
  if (candidate.front() != '+') return text;  // national: the region is unknown
  PhoneNumber n;
  if (util->Parse(candidate, "ZZ", &n) != PhoneNumberUtil::NO_PARSING_ERROR || !util->IsPossibleNumber(n)) return text;
  std::string out;
  util->Format(n, PhoneNumberUtil::E164, &out);
  return out;
}

std::string direction_at(const Value& obj, std::string_view key) {
  std::string d = text_at(obj, key);
  for (auto& c : d) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (d.rfind("inbound", 0) == 0) return "inbound";
  if (d.rfind("outbound", 0) == 0) return "outbound";  // Twilio's outbound-api, outbound-dial
  return "";
}

std::string normalize_role(std::string_view role) {
  if (role == "agent" || role == "bot" || role == "assistant" || role == "ai") return "assistant";
  if (role == "user" || role == "customer" || role == "human" || role == "caller") return "user";
  if (role.empty()) return "unknown";  // a turn without a sender is kept; the call model needs a role
  return std::string(role);
}

std::string transcript_text(const std::vector<Turn>& turns) {
  std::string out;
  for (const auto& t : turns) {
    if (!out.empty()) out += '\n';
    out += t.role + ": " + t.text;
  }
  return out;
}

namespace {
// 0001-01-01T00:00:00.000Z .. 9999-12-31T23:59:59.999Z: what the format can write.
constexpr std::int64_t kMinIsoMs = -62135596800000, kMaxIsoMs = 253402300799999;
}  // namespace

std::string iso_from_unix_ms(double ms) {
  if (!(ms >= static_cast<double>(kMinIsoMs) && ms <= static_cast<double>(kMaxIsoMs))) return {};  // NaN too
  return iso_from_unix_ms(static_cast<std::int64_t>(ms));
}

std::string iso_from_unix_ms(std::int64_t ms) {
  if (ms < kMinIsoMs || ms > kMaxIsoMs) return {};
  std::time_t secs = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  int milli = static_cast<int>(ms - static_cast<std::int64_t>(secs) * 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, milli);
  return buf;
}

std::string result_text(const Value& v) {
  if (v.is_string()) return v.as_string();
  if (v.is_null()) return "";
  return v.dump();
}

}  // namespace famulor::platforms
