// store/sqlite_db.hpp — a thin RAII wrapper over one SQLite connection and its
// cached prepared statements (internal to src/store; SQLite itself is included
// only by the .cpp files).
//
// Errors inside the store's SQL code are thrown as SqlError and turned into a
// Status at each Store member's boundary; nothing here escapes the store.
//
// Thread-safety: none. A Db (and every Stmt borrowed from it) is used by one
// thread at a time; the store gives the writer thread its own Db and lends reader
// Dbs out of a pool.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

#include "famulor/status.hpp"
#include "famulor/value.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace famulor::store::sql {

// A failed SQLite call: `code` is the SQLite result code, `what()` says which
// statement or step failed and SQLite's message.
class SqlError : public std::runtime_error {
 public:
  SqlError(int code, const std::string& what) : std::runtime_error(what), code_(code) {}
  // An error the store raises itself, with the Status code to report.
  SqlError(StatusCode status, const std::string& what) : std::runtime_error(what), code_(-1), status_(status) {}
  int code() const noexcept { return code_; }
  // unavailable for busy/locked/full/I/O errors (retry later), data_loss for
  // corruption, internal otherwise.
  StatusCode status_code() const noexcept;

 private:
  int code_;
  StatusCode status_ = StatusCode::internal;
};

// Status for an exception caught at a store boundary: "<where>: <message>".
Status to_status(const std::exception& e, std::string_view where);

// A prepared statement borrowed from Db::prepare. Binding indexes are 1-based,
// column indexes 0-based (as in SQLite). The statement is reset when the Stmt
// goes away, so it can be borrowed again.
class Stmt {
 public:
  Stmt(sqlite3_stmt* s, sqlite3* db) noexcept : s_(s), db_(db) {}
  Stmt(Stmt&& o) noexcept : s_(o.s_), db_(o.db_) { o.s_ = nullptr; }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt& operator=(Stmt&&) = delete;
  ~Stmt();

  Stmt& bind(int i, std::int64_t v);
  Stmt& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
  // Empty text binds as NULL when `empty_is_null`.
  Stmt& bind(int i, std::string_view v, bool empty_is_null = false);
  Stmt& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
  // Binds without copying: `v` must stay alive and unchanged until this Stmt is
  // reset (goes away).
  Stmt& bind_static(int i, std::string_view v, bool empty_is_null = false);
  Stmt& bind_null(int i);
  // Compact JSON text; a null Value binds as SQL NULL (lean rows).
  Stmt& bind_json(int i, const Value& v);

  // Steps once: true when a row is available, false when done.
  bool step();
  // Steps to completion (for statements that return no rows).
  void run();

  bool is_null(int col) const;
  std::int64_t int64(int col) const;
  std::string text(int col) const;
  std::string_view text_view(int col) const;  // valid until the next step
  // Parses the column's JSON text (NULL → null Value); throws SqlError(data loss)
  // when the stored text does not parse.
  Value json(int col) const;

 private:
  [[noreturn]] void fail(int rc, std::string_view what) const;
  sqlite3_stmt* s_;
  sqlite3* db_;
};

struct OpenFlags {
  bool create = true;
  bool read_only = false;
};

class Db {
 public:
  // Opens (or creates) the database file; throws SqlError.
  Db(const std::string& path, OpenFlags flags);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs one or more statements that return nothing of interest.
  void exec(const std::string& sql);
  // First column of the first row as integer (0 when no row).
  std::int64_t query_int(const std::string& sql);
  std::string query_text(const std::string& sql);
  // A cached prepared statement for `sql` (prepared once per connection).
  Stmt prepare(const std::string& sql);
  // The same for a string literal, cached by its address (no hashing of the text).
  Stmt prepare(const char* literal);
  std::int64_t changes() const;
  // Calls fn(frames now in the WAL) on this connection's thread after each of its
  // commits (sqlite3_wal_hook). Replaces SQLite's automatic WAL checkpoints on
  // this connection: the caller decides when to checkpoint. fn must not throw.
  void set_wal_hook(std::function<void(int frames)> fn);
  // Copies what it can of the WAL into the database file without waiting for
  // readers or writers (SQLITE_CHECKPOINT_PASSIVE); false when it could not run
  // (another checkpoint busy). *log_frames: the frames in the WAL; *copied: how
  // many of them are now in the database file.
  bool checkpoint_passive(int* log_frames = nullptr, int* copied = nullptr);
  const std::string& path() const noexcept { return path_; }
  sqlite3* raw() const noexcept { return db_; }

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
  std::unordered_map<const char*, sqlite3_stmt*> literal_cache_;  // statements owned by cache_
  std::function<void(int)> wal_hook_;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back when destroyed without commit().
class Transaction {
 public:
  explicit Transaction(Db& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Db& db_;
  bool open_ = true;
};

}  // namespace famulor::store::sql
