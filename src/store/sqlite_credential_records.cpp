#include "store/sqlite_credential_records.hpp"

#include <sqlite3.h>

#include <mutex>

namespace famulor::store {
namespace {

using security::EncryptedRecord;

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS credentials ("
    " name TEXT PRIMARY KEY,"
    " connector TEXT NOT NULL,"
    " key_id TEXT NOT NULL,"
    " sealed BLOB NOT NULL,"
    " created_ms INTEGER NOT NULL,"
    " updated_ms INTEGER NOT NULL)";

class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) { rc_ = sqlite3_prepare_v2(db, sql, -1, &s_, nullptr); }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  bool ok() const { return rc_ == SQLITE_OK; }
  sqlite3_stmt* get() { return s_; }
  void text(int i, const std::string& v) { sqlite3_bind_text(s_, i, v.data(), int(v.size()), SQLITE_TRANSIENT); }
  void blob(int i, const std::string& v) { sqlite3_bind_blob(s_, i, v.data(), int(v.size()), SQLITE_TRANSIENT); }
  void i64(int i, std::int64_t v) { sqlite3_bind_int64(s_, i, v); }
  int step() { return sqlite3_step(s_); }
  std::string col_text(int i) {
    auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, i));
    return p ? std::string(p, std::size_t(sqlite3_column_bytes(s_, i))) : std::string();
  }
  std::string col_blob(int i) {
    auto* p = static_cast<const char*>(sqlite3_column_blob(s_, i));
    return p ? std::string(p, std::size_t(sqlite3_column_bytes(s_, i))) : std::string();
  }

 private:
  sqlite3_stmt* s_ = nullptr;
  int rc_ = SQLITE_ERROR;
};

class SqliteRecords final : public security::CredentialRecords {
 public:
  explicit SqliteRecords(sqlite3* db) : db_(db) {}
  ~SqliteRecords() override { sqlite3_close(db_); }

  Status put(const EncryptedRecord& r) override {
    std::lock_guard lk(mu_);
    return put_locked(r);
  }

  Result<EncryptedRecord> get(const std::string& name) override {
    std::lock_guard lk(mu_);
    Stmt s(db_, "SELECT name, connector, key_id, sealed, created_ms, updated_ms FROM credentials WHERE name = ?");
    if (!s.ok()) return error("get");
    s.text(1, name);
    int rc = s.step();
    if (rc == SQLITE_DONE) return Status(StatusCode::not_found, "credential '" + name + "' does not exist");
    if (rc != SQLITE_ROW) return error("get");
    return row(s);
  }

  Result<std::vector<EncryptedRecord>> list() override {
    std::lock_guard lk(mu_);
    Stmt s(db_, "SELECT name, connector, key_id, sealed, created_ms, updated_ms FROM credentials ORDER BY name");
    if (!s.ok()) return error("list");
    std::vector<EncryptedRecord> out;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) out.push_back(row(s));
    if (rc != SQLITE_DONE) return error("list");
    return out;
  }

  Status erase(const std::string& name) override {
    std::lock_guard lk(mu_);
    Stmt s(db_, "DELETE FROM credentials WHERE name = ?");
    if (!s.ok()) return error("delete");
    s.text(1, name);
    if (s.step() != SQLITE_DONE) return error("delete");
    if (sqlite3_changes(db_) == 0) return Status(StatusCode::not_found, "credential '" + name + "' does not exist");
    return {};
  }

  Status replace_all(const std::vector<EncryptedRecord>& records) override {
    std::lock_guard lk(mu_);
    if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) return error("begin");
    for (auto& r : records) {
      if (auto s = put_locked(r); !s.ok()) {
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        return s;
      }
    }
    if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
      Status s = error("commit");
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return s;
    }
    return {};
  }

 private:
  Status put_locked(const EncryptedRecord& r) {
    Stmt s(db_,
           "INSERT INTO credentials (name, connector, key_id, sealed, created_ms, updated_ms) VALUES (?,?,?,?,?,?) "
           "ON CONFLICT(name) DO UPDATE SET connector = excluded.connector, key_id = excluded.key_id, "
           "sealed = excluded.sealed, updated_ms = excluded.updated_ms");
    if (!s.ok()) return error("put");
    s.text(1, r.name);
    s.text(2, r.connector);
    s.text(3, r.key_id);
    s.blob(4, r.sealed);
    s.i64(5, r.created_ms);
    s.i64(6, r.updated_ms);
    if (s.step() != SQLITE_DONE) return error("put");
    return {};
  }

  static EncryptedRecord row(Stmt& s) {
    EncryptedRecord r;
    r.name = s.col_text(0);
    r.connector = s.col_text(1);
    r.key_id = s.col_text(2);
    r.sealed = s.col_blob(3);
    r.created_ms = sqlite3_column_int64(s.get(), 4);
    r.updated_ms = sqlite3_column_int64(s.get(), 5);
    return r;
  }

  Status error(const char* what) const {
    return Status(StatusCode::unavailable, std::string("credential store: ") + what + ": " + sqlite3_errmsg(db_));
  }

  std::mutex mu_;
  sqlite3* db_;
};

}  // namespace

Result<std::unique_ptr<security::CredentialRecords>> open_sqlite_credential_records(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return Status(StatusCode::unavailable, "credential store " + path + ": cannot open: " + msg);
  }
  sqlite3_busy_timeout(db, 5000);
  char* err = nullptr;
  if (sqlite3_exec(db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr) != SQLITE_OK ||
      sqlite3_exec(db, kSchema, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errmsg(db);
    sqlite3_free(err);
    sqlite3_close(db);
    return Status(StatusCode::unavailable, "credential store " + path + ": cannot create table credentials: " + msg);
  }
  return std::unique_ptr<security::CredentialRecords>(std::make_unique<SqliteRecords>(db));
}

}  // namespace famulor::store
