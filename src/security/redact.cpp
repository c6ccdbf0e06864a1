#include "security/redact.hpp"

#include <algorithm>
#include <cctype>

namespace famulor::security {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Credential fields that locate an account rather than prove identity.
bool is_public_field(std::string_view name) {
  static constexpr std::string_view kPublic[] = {"subdomain", "instance_url", "shop",       "domain",
                                                 "store_url", "email",        "username",   "client_id",
                                                 "auth_kind", "token_type",   "expires_at", "scope",
                                                 "account_id", "region",      "api_version"};
  return std::find(std::begin(kPublic), std::end(kPublic), name) != std::end(kPublic);
}

void collect(const Value& v, std::vector<std::string>& out) {
  if (v.is_string()) out.push_back(v.as_string());
  else if (v.is_array())
    for (auto& x : v.as_array()) collect(x, out);
  else if (v.is_object())
    for (auto& [_, x] : v.as_object()) collect(x, out);
}

}  // namespace

void Redactor::add_secret(std::string value) {
  if (value.size() < 4) return;
  if (std::find(secrets_.begin(), secrets_.end(), value) != secrets_.end()) return;
  secrets_.push_back(std::move(value));
  std::sort(secrets_.begin(), secrets_.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
}

void Redactor::add_credential_fields(const Value& fields) {
  if (!fields.is_object()) return;
  for (auto& [name, v] : fields.as_object()) {
    if (is_public_field(name)) continue;
    std::vector<std::string> leaves;
    collect(v, leaves);
    for (auto& s : leaves) add_secret(std::move(s));
  }
}

bool Redactor::is_secret_name(std::string_view name) noexcept {
  std::string n = lower(name);
  static constexpr std::string_view kExact[] = {"authorization", "proxy-authorization", "cookie", "set-cookie",
                                                "signature", "key", "token", "secret", "password"};
  if (std::find(std::begin(kExact), std::end(kExact), n) != std::end(kExact)) return true;
  static constexpr std::string_view kNotSecret[] = {"idempotency-key", "idempotency_key", "partition_key",
                                                    "object_key", "primary_key", "sort_key"};
  if (std::find(std::begin(kNotSecret), std::end(kNotSecret), n) != std::end(kNotSecret)) return false;
  // access_token, x-auth-token, client_secret, x-api-key, apikey, private_key, db_password ...
  static constexpr std::string_view kSuffixes[] = {"token", "secret", "password", "passwd", "apikey", "_key", "-key"};
  for (auto sfx : kSuffixes)
    if (n.ends_with(sfx)) return true;
  return n.find("api_key") != std::string::npos || n.find("api-key") != std::string::npos ||
         n.find("secret") != std::string::npos;
}

std::string Redactor::text(std::string_view s) const {
  std::string out(s);
  for (const auto& secret : secrets_) {
    for (std::size_t pos = out.find(secret); pos != std::string::npos; pos = out.find(secret, pos + kRedacted.size()))
      out.replace(pos, secret.size(), kRedacted);
  }
  return out;
}

Value Redactor::value(const Value& v) const {
  if (v.is_string()) return Value(text(v.as_string()));
  if (v.is_array()) {
    Array a;
    a.reserve(v.as_array().size());
    for (auto& x : v.as_array()) a.push_back(value(x));
    return Value(std::move(a));
  }
  if (v.is_object()) {
    Object o;
    for (auto& [k, x] : v.as_object()) {
      if (is_secret_name(k) && x.is_string()) o.append(k, Value(std::string(kRedacted)));
      else o.append(k, value(x));
    }
    return Value(std::move(o));
  }
  return v;
}

std::vector<std::pair<std::string, std::string>> Redactor::headers(
    const std::vector<std::pair<std::string, std::string>>& hs) const {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(hs.size());
  for (auto& [k, v] : hs) out.emplace_back(k, is_secret_name(k) ? std::string(kRedacted) : text(v));
  return out;
}

}  // namespace famulor::security
