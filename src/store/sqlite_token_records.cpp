#include <mutex>

#include "store/sqlite_db.hpp"
#include "store/sqlite_schema.hpp"
#include "store/token_records.hpp"

namespace famulor::store {
namespace {

Status sql_status(const sql::SqlError& e, const std::string& what) {
  return Status(e.status_code(), "tokens: " + what + ": " + e.what());
}

TokenRecord read_row(sql::Stmt& s) {
  return TokenRecord{s.text(0), s.text(1), s.text(2), s.text(3), s.int64(4)};
}

class SqliteTokenRecords final : public TokenRecords {
 public:
  explicit SqliteTokenRecords(std::unique_ptr<sql::Db> db) : db_(std::move(db)) {}

  Status create(const TokenRecord& r) override {
    std::lock_guard lk(mu_);
    try {
      db_->prepare("INSERT INTO tokens(id, name, role, hash, created_ms) VALUES(?, ?, ?, ?, ?)")
          .bind(1, r.id).bind(2, r.name).bind(3, r.role).bind(4, r.hash).bind(5, r.created_ms)
          .run();
      return {};
    } catch (const sql::SqlError& e) {
      return sql_status(e, "create");
    }
  }

  Result<std::vector<TokenRecord>> list() override {
    std::lock_guard lk(mu_);
    try {
      auto s = db_->prepare("SELECT id, name, role, hash, created_ms FROM tokens ORDER BY created_ms, id");
      std::vector<TokenRecord> out;
      while (s.step()) out.push_back(read_row(s));
      return out;
    } catch (const sql::SqlError& e) {
      return sql_status(e, "list");
    }
  }

  Result<std::optional<TokenRecord>> find_by_hash(const std::string& hash) override {
    std::lock_guard lk(mu_);
    try {
      auto s = db_->prepare("SELECT id, name, role, hash, created_ms FROM tokens WHERE hash = ?");
      s.bind(1, hash);
      if (!s.step()) return std::optional<TokenRecord>();
      return std::optional<TokenRecord>(read_row(s));
    } catch (const sql::SqlError& e) {
      return sql_status(e, "lookup");
    }
  }

  Status revoke(const std::string& id) override {
    std::lock_guard lk(mu_);
    try {
      db_->prepare("DELETE FROM tokens WHERE id = ?").bind(1, id).run();
      if (db_->changes() == 0) return Status(StatusCode::not_found, "no token with id '" + id + "'");
      return {};
    } catch (const sql::SqlError& e) {
      return sql_status(e, "revoke");
    }
  }

 private:
  std::mutex mu_;
  std::unique_ptr<sql::Db> db_;
};

}  // namespace

Result<std::unique_ptr<TokenRecords>> open_sqlite_token_records(const std::string& path) {
  try {
    auto db = std::make_unique<sql::Db>(path, sql::OpenFlags{});
    sql::configure(*db, sql::ConnectionSettings{});
    sql::migrate(*db);
    return std::unique_ptr<TokenRecords>(std::make_unique<SqliteTokenRecords>(std::move(db)));
  } catch (const sql::SqlError& e) {
    return Status(e.status_code(), "cannot open '" + path + "': " + e.what());
  }
}

}  // namespace famulor::store
