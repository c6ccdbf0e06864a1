// security/aead.hpp — AES-256-GCM sealing of small records (OpenSSL EVP inside).
//
// seal() draws a fresh random 12-byte nonce for every call and returns
// nonce || ciphertext || 16-byte tag; open() checks the tag over the ciphertext and
// the associated data, so a flipped bit, a record moved to another name (different
// associated data) or a wrong key all fail with data_loss / unauthenticated
// instead of yielding garbage. No OpenSSL type appears here.
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "famulor/status.hpp"

namespace famulor::security {

using Key256 = std::array<std::uint8_t, 32>;

inline constexpr std::size_t kNonceBytes = 12;
inline constexpr std::size_t kTagBytes = 16;

// nonce || ciphertext || tag.
Result<std::string> aes256gcm_seal(const Key256& key, std::string_view plaintext, std::string_view associated_data);
// The plaintext, or `unauthenticated` when the tag does not verify (wrong key,
// tampered bytes, other associated data); `data_loss` when the blob is too short.
Result<std::string> aes256gcm_open(const Key256& key, std::string_view sealed, std::string_view associated_data);

// Cryptographically random bytes (RAND_bytes).
Result<std::string> random_bytes(std::size_t n);
// SHA-256 of data (32 raw bytes).
std::string sha256(std::string_view data);
// Lower-case hex of bytes.
std::string to_hex(std::string_view bytes);

}  // namespace famulor::security
