// security/redact.hpp — keeps secrets out of logs, errors, run records and dry runs.
//
// Two rules, both applied: by name (a header, query parameter or JSON member
// called like a secret — authorization, api_key, token, secret, password, ... —
// has its value replaced) and by value (every secret registered with add_secret,
// e.g. each field of the credential a call used, is replaced wherever it appears,
// including inside longer strings, URLs and error bodies). The replacement is
// "[REDACTED]".
//
// Thread-safety: build one per call on one thread; const members are then safe
// to share.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "famulor/value.hpp"

namespace famulor::security {

inline constexpr std::string_view kRedacted = "[REDACTED]";

class Redactor {
 public:
  // Registers a value to hide everywhere. Values shorter than 4 bytes are ignored
  // (they would blank out ordinary text); so are duplicates.
  void add_secret(std::string value);
  // Registers every string leaf of a credential's fields except those that name a
  // host or an account (subdomain, instance_url, email, ...), which are not secret.
  void add_credential_fields(const Value& fields);

  // Whether a header / parameter / member of this name carries a secret.
  static bool is_secret_name(std::string_view name) noexcept;

  std::string text(std::string_view s) const;
  // Redacts member values by name and strings by value, recursively.
  Value value(const Value& v) const;
  std::vector<std::pair<std::string, std::string>> headers(
      const std::vector<std::pair<std::string, std::string>>& hs) const;

 private:
  std::vector<std::string> secrets_;  // longest first
};

}  // namespace famulor::security
