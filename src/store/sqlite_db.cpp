#include "store/sqlite_db.hpp"

#include <sqlite3.h>

namespace famulor::store::sql {

StatusCode SqlError::status_code() const noexcept {
  if (code_ < 0) return status_;
  switch (code_ & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_PROTOCOL:
      return StatusCode::unavailable;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return StatusCode::data_loss;
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return StatusCode::permission_denied;
    default:
      return StatusCode::internal;
  }
}

Status to_status(const std::exception& e, std::string_view where) {
  StatusCode code = StatusCode::internal;
  if (auto* se = dynamic_cast<const SqlError*>(&e)) code = se->status_code();
  return Status(code, std::string(where) + ": " + e.what());
}

// ---- Stmt ----

Stmt::~Stmt() {
  if (s_) {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
}

void Stmt::fail(int rc, std::string_view what) const {
  std::string msg(what);
  msg += " (";
  const char* sql = sqlite3_sql(s_);
  std::string_view sv = sql ? sql : "";
  msg += sv.substr(0, 60);
  if (sv.size() > 60) msg += "...";
  msg += "): ";
  msg += sqlite3_errmsg(db_);
  throw SqlError(rc, msg);
}

Stmt& Stmt::bind(int i, std::int64_t v) {
  int rc = sqlite3_bind_int64(s_, i, v);
  if (rc != SQLITE_OK) fail(rc, "bind");
  return *this;
}

Stmt& Stmt::bind(int i, std::string_view v, bool empty_is_null) {
  if (empty_is_null && v.empty()) return bind_null(i);
  int rc = sqlite3_bind_text64(s_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) fail(rc, "bind");
  return *this;
}

Stmt& Stmt::bind_static(int i, std::string_view v, bool empty_is_null) {
  if (empty_is_null && v.empty()) return bind_null(i);
  int rc = sqlite3_bind_text64(s_, i, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8);
  if (rc != SQLITE_OK) fail(rc, "bind");
  return *this;
}

Stmt& Stmt::bind_null(int i) {
  int rc = sqlite3_bind_null(s_, i);
  if (rc != SQLITE_OK) fail(rc, "bind");
  return *this;
}

Stmt& Stmt::bind_json(int i, const Value& v) {
  if (v.is_null()) return bind_null(i);
  std::string text;
  v.dump_to(text);
  return bind(i, std::string_view(text));
}

bool Stmt::step() {
  int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(rc, "step");
}

void Stmt::run() {
  while (step()) {
  }
}

bool Stmt::is_null(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }
std::int64_t Stmt::int64(int col) const { return sqlite3_column_int64(s_, col); }

std::string_view Stmt::text_view(int col) const {
  const unsigned char* p = sqlite3_column_text(s_, col);
  if (!p) return {};
  return {reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(s_, col))};
}

std::string Stmt::text(int col) const { return std::string(text_view(col)); }

Value Stmt::json(int col) const {
  if (is_null(col)) return Value();
  auto r = Value::parse(text_view(col));
  if (!r.ok())
    throw SqlError(SQLITE_CORRUPT, std::string("stored JSON in column '") + sqlite3_column_name(s_, col) +
                                       "' does not parse: " + r.status().message());
  return std::move(r).value();
}

// ---- Db ----

Db::Db(const std::string& path, OpenFlags flags) : path_(path) {
  int f = flags.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
  if (flags.create && !flags.read_only) f |= SQLITE_OPEN_CREATE;
  f |= SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db_, f, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = "cannot open '" + path + "': " + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw SqlError(rc, msg);
  }
  sqlite3_extended_result_codes(db_, 1);
}

Db::~Db() {
  for (auto& [sql, s] : cache_) sqlite3_finalize(s);
  if (db_) sqlite3_close_v2(db_);
}

void Db::exec(const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg;
    msg.append(1, '\'').append(sql, 0, 60).append(sql.size() > 60 ? "...': " : "': ");
    msg.append(err ? err : sqlite3_errmsg(db_));
    sqlite3_free(err);
    throw SqlError(rc, msg);
  }
}

std::int64_t Db::query_int(const std::string& sql) {
  Stmt s = prepare(sql);
  return s.step() ? s.int64(0) : 0;
}

std::string Db::query_text(const std::string& sql) {
  Stmt s = prepare(sql);
  return s.step() ? s.text(0) : std::string();
}

Stmt Db::prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return Stmt(it->second, db_);
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &s,
                              nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(s);
    std::string msg = "prepare '";
    msg.append(sql, 0, 60).append("': ").append(sqlite3_errmsg(db_));
    throw SqlError(rc, msg);
  }
  cache_.emplace(sql, s);
  return Stmt(s, db_);
}

Stmt Db::prepare(const char* literal) {
  auto it = literal_cache_.find(literal);
  if (it != literal_cache_.end()) return Stmt(it->second, db_);
  Stmt s = prepare(std::string(literal));
  literal_cache_.emplace(literal, cache_.at(literal));
  return s;
}

std::int64_t Db::changes() const { return sqlite3_changes64(db_); }

void Db::set_wal_hook(std::function<void(int)> fn) {
  wal_hook_ = std::move(fn);
  sqlite3_wal_hook(
      db_,
      [](void* ctx, sqlite3*, const char*, int frames) -> int {
        (*static_cast<std::function<void(int)>*>(ctx))(frames);
        return SQLITE_OK;
      },
      &wal_hook_);
}

bool Db::checkpoint_passive(int* log_frames, int* copied) {
  int log = 0, done = 0;
  int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
  if (log_frames) *log_frames = log < 0 ? 0 : log;
  if (copied) *copied = done < 0 ? 0 : done;
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) return false;
  if (rc != SQLITE_OK) throw SqlError(rc, std::string("WAL checkpoint: ") + sqlite3_errmsg(db_));
  return true;
}

// ---- Transaction ----

Transaction::Transaction(Db& db) : db_(db) { db_.prepare("BEGIN IMMEDIATE").run(); }

Transaction::~Transaction() {
  if (open_ && sqlite3_get_autocommit(db_.raw()) == 0) sqlite3_exec(db_.raw(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  db_.prepare("COMMIT").run();
  open_ = false;
}

}  // namespace famulor::store::sql
