// security/vault.hpp — the credential vault: named credentials, encrypted at rest.
//
// A credential is a name, the app it is for, and an object of fields
// ({"access_token": ..., "refresh_token": ..., "subdomain": ...}). The vault seals
// the fields as JSON with AES-256-GCM under the master key (security/aead.hpp):
// a random nonce per record, the key id stored beside the ciphertext, and
// associated data binding the record to its name and app, so a record copied to
// another name does not decrypt. Records live in a CredentialRecords (SQLite in
// the engine's database, or memory).
//
// Without a master key the vault still lists names, but put/get fail with
// failed_precondition and say how to make a key. A record sealed under another key
// fails with unauthenticated naming both key ids; a tampered one fails with
// unauthenticated; never garbage. rotate_key() re-encrypts every record under a new
// key in one transaction and then uses the new key.
//
// Error messages name the credential and never contain a field value.
//
// Thread-safety: every member may be called from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "famulor/status.hpp"
#include "famulor/value.hpp"
#include "security/credential_records.hpp"
#include "security/master_key.hpp"

namespace famulor::security {

struct Credential {
  std::string name;
  std::string connector;
  Value fields;  // an object
  std::int64_t created_ms = 0;
  std::int64_t updated_ms = 0;
  // Workflow ids that may use it; empty = every workflow. Sealed with the fields,
  // so editing the database cannot lift the restriction.
  std::vector<std::string> workflows;

  // Whether workflow `id` may use this credential.
  bool usable_by(std::string_view workflow_id) const;
};

// What `credentials list` shows: never a value.
struct CredentialInfo {
  std::string name;
  std::string connector;
  std::string key_id;
  std::int64_t created_ms = 0;
  std::int64_t updated_ms = 0;
};

class Vault {
 public:
  Vault(std::unique_ptr<CredentialRecords> records, std::optional<MasterKey> key);
  ~Vault();
  Vault(const Vault&) = delete;
  Vault& operator=(const Vault&) = delete;

  bool has_key() const;
  std::string key_id() const;  // "" without a key

  // Stores (or replaces) a credential. `fields` must be an object of scalars or
  // nested values; names are 1-128 of [A-Za-z0-9_.-]. `workflows` restricts it to
  // those workflow ids (empty = any); nullopt keeps the existing record's list
  // (an OAuth refresh rewriting the tokens).
  Status put(const std::string& name, const std::string& connector, const Value& fields,
             std::optional<std::vector<std::string>> workflows = std::nullopt);
  // Decrypts one credential.
  Result<Credential> get(const std::string& name) const;
  Result<std::vector<CredentialInfo>> list() const;
  Status remove(const std::string& name);
  // Re-encrypts every record under `new_key` atomically; afterwards the vault
  // uses it. Returns how many records were re-encrypted. Fails, changing nothing,
  // when any record does not open under the current key.
  Result<std::size_t> rotate_key(const MasterKey& new_key);

 private:
  Status need_key() const;
  struct Opened {
    Value fields;
    std::vector<std::string> workflows;
  };
  Result<EncryptedRecord> seal(const MasterKey& key, const std::string& name, const std::string& connector,
                               const Value& fields, const std::vector<std::string>& workflows) const;
  Result<Opened> open(const MasterKey& key, const EncryptedRecord& record) const;

  std::unique_ptr<CredentialRecords> records_;
  mutable std::shared_mutex mu_;  // guards key_ (rotation swaps it)
  std::optional<MasterKey> key_;
};

// Valid credential name: 1-128 characters of [A-Za-z0-9_.-].
bool valid_credential_name(std::string_view name) noexcept;

}  // namespace famulor::security
