// store/sqlite_credential_records.hpp — the vault's records in SQLite.
//
// Table `credentials` (name PRIMARY KEY, connector, key_id, sealed BLOB,
// created_ms, updated_ms) in the engine's database file, created on open with
// CREATE TABLE IF NOT EXISTS. It holds ciphertext only (see security/vault.hpp).
// Opens its own connection (WAL, busy timeout), so it can share the file with the
// run store and with other processes (a running `serve` sees what
// `famulor credentials set` wrote).
//
// Thread-safety: all members are safe from any thread (one connection behind a
// mutex).
#pragma once

#include <memory>
#include <string>

#include "famulor/status.hpp"
#include "security/credential_records.hpp"

namespace famulor::store {

Result<std::unique_ptr<security::CredentialRecords>> open_sqlite_credential_records(const std::string& path);

}  // namespace famulor::store
