// store/token_records.hpp — management API tokens (`famulor tokens`, `serve`).
//
// A record holds the SHA-256 (hex) of the token, never the token. The SQLite
// implementation keeps them in table `tokens` of the engine's database (schema
// migration 2) and reads through on every lookup, so a running `serve` sees
// tokens another process created or revoked at once.
//
// Thread-safety: implementations are safe to call from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "famulor/status.hpp"

namespace famulor::store {

struct TokenRecord {
  std::string id;    // "tok_<hex>", shown by `tokens list`, used by `tokens revoke`
  std::string name;
  std::string role;  // "viewer" | "operator" | "admin"
  std::string hash;  // lower-case hex SHA-256 of the token
  std::int64_t created_ms = 0;
};

class TokenRecords {
 public:
  virtual ~TokenRecords() = default;
  virtual Status create(const TokenRecord& record) = 0;
  // Every token, oldest first.
  virtual Result<std::vector<TokenRecord>> list() = 0;
  // nullopt when no token has that hash.
  virtual Result<std::optional<TokenRecord>> find_by_hash(const std::string& hash) = 0;
  // not_found when there is no such id.
  virtual Status revoke(const std::string& id) = 0;
};

// Opens (creating and migrating when needed) the database at path.
Result<std::unique_ptr<TokenRecords>> open_sqlite_token_records(const std::string& path);

}  // namespace famulor::store
