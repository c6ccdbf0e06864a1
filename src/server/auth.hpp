// server/auth.hpp — management tokens: roles, making a token, checking a request.
//
// A token is "fam_" + 48 hex digits from the CSPRNG; only its SHA-256 is stored
// (store/token_records.hpp). Roles are ordered: viewer (read) < operator (+ run
// retry/cancel) < admin (+ workflows, tokens).
#pragma once

#include <optional>
#include <string>

#include "famulor/status.hpp"
#include "http/message.hpp"
#include "store/token_records.hpp"

namespace famulor::server {

enum class Role { viewer = 1, operator_ = 2, admin = 3 };

std::optional<Role> parse_role(const std::string& text);
const char* role_name(Role role);

struct NewToken {
  std::string token;  // shown once
  store::TokenRecord record;
};
// Makes and stores a new token.
Result<NewToken> create_token(store::TokenRecords& records, Role role, std::string name);

std::string token_hash(const std::string& token);

// Checks `Authorization: Bearer <token>` against records for a route needing
// `need`: nullopt when allowed, else the 401/403 (or 500 for a store error) to send.
// `actor` (when given) is set to who asked, for the audit log: "token:<id> (<name>)",
// or "anonymous" when no known token was presented.
std::optional<http::HttpResponse> authorize(const http::HttpRequest& request, store::TokenRecords* records,
                                            Role need, std::string* actor = nullptr);

}  // namespace famulor::server
