// security/master_key.hpp — the vault's master key and where it comes from.
//
// A master key is 32 random bytes (AES-256). Operators give it as base64 in
// FAMULOR_MASTER_KEY or in a key file (--master-key-file; base64 text, or exactly
// 32 raw bytes). Its id — 16 hex digits of SHA-256 over a label and the key — is
// stored beside every ciphertext, so a record sealed under another key is
// recognised as such ("sealed with key 1a2b..., the master key is 3c4d...") before
// any decryption is attempted. The id reveals nothing useful about the key.
//
// Thread-safety: MasterKey is a plain value.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "famulor/status.hpp"
#include "security/aead.hpp"

namespace famulor::security {

struct MasterKey {
  Key256 bytes{};
  std::string id;  // 16 lower-case hex digits

  // From base64 of exactly 32 bytes.
  static Result<MasterKey> from_base64(std::string_view text);
  // From a key file: base64 text (whitespace ignored) or 32 raw bytes.
  static Result<MasterKey> from_file(const std::string& path);
  // From FAMULOR_MASTER_KEY; not_found when the variable is unset or empty.
  static Result<MasterKey> from_env(const char* variable = "FAMULOR_MASTER_KEY");
  // A fresh random key.
  static Result<MasterKey> generate();
  // The key as base64 (for `famulor credentials rotate-key` to print a new key).
  std::string to_base64() const;
};

// How to make a key, for error messages that tell the operator what to do.
std::string_view master_key_hint() noexcept;

}  // namespace famulor::security
