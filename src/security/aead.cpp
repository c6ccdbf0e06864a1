#include "security/aead.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <memory>

namespace famulor::security {
namespace {

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const noexcept { EVP_CIPHER_CTX_free(c); }
};
using Ctx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

}  // namespace

Result<std::string> random_bytes(std::size_t n) {
  std::string out(n, '\0');
  if (n > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
    return Status(StatusCode::internal, "vault: the system random generator failed (RAND_bytes)");
  return out;
}

Result<std::string> aes256gcm_seal(const Key256& key, std::string_view plaintext, std::string_view ad) {
  auto nonce = random_bytes(kNonceBytes);
  if (!nonce.ok()) return nonce.status();
  Ctx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return Status(StatusCode::internal, "vault: cannot allocate a cipher context");
  std::string out = *nonce;
  out.resize(kNonceBytes + plaintext.size() + kTagBytes);
  auto* dst = reinterpret_cast<unsigned char*>(out.data()) + kNonceBytes;
  int len = 0;
  int total = 0;
  bool ok = EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kNonceBytes), nullptr) == 1 &&
            EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), bytes(out)) == 1 &&
            (ad.empty() || EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes(ad), static_cast<int>(ad.size())) == 1) &&
            EVP_EncryptUpdate(ctx.get(), dst, &len, bytes(plaintext), static_cast<int>(plaintext.size())) == 1;
  total = len;
  ok = ok && EVP_EncryptFinal_ex(ctx.get(), dst + total, &len) == 1;
  total += len;
  ok = ok && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagBytes), dst + total) == 1;
  if (!ok || static_cast<std::size_t>(total) != plaintext.size())
    return Status(StatusCode::internal, "vault: AES-256-GCM encryption failed");
  return out;
}

Result<std::string> aes256gcm_open(const Key256& key, std::string_view sealed, std::string_view ad) {
  if (sealed.size() < kNonceBytes + kTagBytes)
    return Status(StatusCode::data_loss, "vault: ciphertext is truncated (" + std::to_string(sealed.size()) + " bytes)");
  std::string_view nonce = sealed.substr(0, kNonceBytes);
  std::string_view body = sealed.substr(kNonceBytes, sealed.size() - kNonceBytes - kTagBytes);
  std::string tag(sealed.substr(sealed.size() - kTagBytes));
  Ctx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return Status(StatusCode::internal, "vault: cannot allocate a cipher context");
  std::string out(body.size(), '\0');
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  int len = 0;
  bool ok = EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kNonceBytes), nullptr) == 1 &&
            EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), bytes(nonce)) == 1 &&
            (ad.empty() || EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(ad), static_cast<int>(ad.size())) == 1) &&
            EVP_DecryptUpdate(ctx.get(), dst, &len, bytes(body), static_cast<int>(body.size())) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagBytes), tag.data()) == 1;
  if (!ok) return Status(StatusCode::internal, "vault: AES-256-GCM setup failed");
  int fin = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), dst + len, &fin) != 1)
    return Status(StatusCode::unauthenticated,
                  "vault: authentication tag mismatch (wrong master key, or the record was altered)");
  return out;
}

std::string sha256(std::string_view data) {
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  SHA256(bytes(data), data.size(), reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

std::string to_hex(std::string_view b) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(b.size() * 2);
  for (unsigned char c : b) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

}  // namespace famulor::security
