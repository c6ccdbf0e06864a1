#include "server/auth.hpp"

#include <chrono>

#include "security/aead.hpp"

namespace famulor::server {

std::optional<Role> parse_role(const std::string& text) {
  if (text == "viewer") return Role::viewer;
  if (text == "operator") return Role::operator_;
  if (text == "admin") return Role::admin;
  return std::nullopt;
}

const char* role_name(Role role) {
  switch (role) {
    case Role::viewer: return "viewer";
    case Role::operator_: return "operator";
    case Role::admin: return "admin";
  }
  return "viewer";
}

std::string token_hash(const std::string& token) { return security::to_hex(security::sha256(token)); }

Result<NewToken> create_token(store::TokenRecords& records, Role role, std::string name) {
  auto secret = security::random_bytes(24);
  if (!secret.ok()) return secret.status();
  auto id = security::random_bytes(6);
  if (!id.ok()) return id.status();
  NewToken t;
  t.token = "fam_" + security::to_hex(*secret);
  t.record.id = "tok_" + security::to_hex(*id);
  t.record.name = std::move(name);
  t.record.role = role_name(role);
  t.record.hash = token_hash(t.token);
  t.record.created_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  if (Status s = records.create(t.record); !s.ok()) return s;
  return t;
}

std::optional<http::HttpResponse> authorize(const http::HttpRequest& request, store::TokenRecords* records,
                                            Role need, std::string* actor) {
  if (actor) *actor = "anonymous";
  auto unauthorized = [](const std::string& msg) {
    auto r = http::HttpResponse::error(401, "unauthenticated", msg);
    r.headers.set("WWW-Authenticate", "Bearer");
    return r;
  };
  const std::string* auth = request.headers.find("Authorization");
  if (!auth) return unauthorized("missing Authorization: Bearer <token> (create one with `famulor tokens create`)");
  std::string_view v = *auth;
  if (v.size() < 7 || !http::iequals(v.substr(0, 7), "Bearer ")) return unauthorized("Authorization must be `Bearer <token>`");
  std::string token(v.substr(7));
  while (!token.empty() && token.back() == ' ') token.pop_back();
  while (!token.empty() && token.front() == ' ') token.erase(token.begin());
  if (token.empty() || !records) return unauthorized("unknown token");
  // Looked up by hash: equal hashes, not a byte-wise compare of secrets.
  auto found = records->find_by_hash(token_hash(token));
  if (!found.ok()) return http::HttpResponse::error(500, "internal", found.status().message());
  if (!*found) return unauthorized("unknown or revoked token");
  if (actor) *actor = "token:" + (*found)->id + " (" + (*found)->name + ")";
  auto role = parse_role((*found)->role);
  if (!role || static_cast<int>(*role) < static_cast<int>(need))
    return http::HttpResponse::error(403, "forbidden",
                                     "token '" + (*found)->id + "' has role " + (*found)->role + "; this route needs " +
                                         role_name(need));
  return std::nullopt;
}

}  // namespace famulor::server
