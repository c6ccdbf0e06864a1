// security/credential_records.hpp — where the vault keeps its encrypted records.
//
// The vault encrypts; a CredentialRecords implementation only stores opaque
// records (put/get/list/erase, and replace_all for key rotation in one
// transaction). Nothing here ever sees a secret in clear. Implementations: the
// in-memory one below (tests, an engine without a database) and the SQLite one
// (store/sqlite_credential_records.hpp, table `credentials` in the engine's file).
//
// Thread-safety: implementations must be safe to call from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "famulor/status.hpp"

namespace famulor::security {

struct EncryptedRecord {
  std::string name;       // the credential's name (unique)
  std::string connector;  // app id the credential is for ("hubspot"); stored in clear
  std::string key_id;     // id of the master key that sealed it
  std::string sealed;     // nonce || ciphertext || tag (bytes)
  std::int64_t created_ms = 0;
  std::int64_t updated_ms = 0;
};

class CredentialRecords {
 public:
  virtual ~CredentialRecords() = default;
  // Inserts or replaces by name (created_ms of an existing record is kept).
  virtual Status put(const EncryptedRecord& record) = 0;
  // not_found when there is no such name.
  virtual Result<EncryptedRecord> get(const std::string& name) = 0;
  // Every record, sorted by name.
  virtual Result<std::vector<EncryptedRecord>> list() = 0;
  // not_found when there is no such name.
  virtual Status erase(const std::string& name) = 0;
  // Replaces these records atomically: all or none are written.
  virtual Status replace_all(const std::vector<EncryptedRecord>& records) = 0;
};

std::unique_ptr<CredentialRecords> make_memory_credential_records();

}  // namespace famulor::security
