#include "security/master_key.hpp"

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "security/base64.hpp"

namespace famulor::security {
namespace {

MasterKey make(std::string_view raw) {
  MasterKey k;
  std::memcpy(k.bytes.data(), raw.data(), k.bytes.size());
  std::string label = "famulor.vault.key-id";
  label.push_back('\0');
  label.append(raw);
  k.id = to_hex(sha256(label).substr(0, 8));
  return k;
}

}  // namespace

std::string_view master_key_hint() noexcept {
  return "set FAMULOR_MASTER_KEY to base64 of 32 random bytes, e.g. `export FAMULOR_MASTER_KEY=$(openssl rand "
         "-base64 32)` or `$(head -c32 /dev/urandom | base64)`, or pass --master-key-file FILE";
}

Result<MasterKey> MasterKey::from_base64(std::string_view text) {
  auto raw = base64_decode(text);
  if (!raw) return Status(StatusCode::invalid_argument, "master key: not valid base64; " + std::string(master_key_hint()));
  if (raw->size() != 32)
    return Status(StatusCode::invalid_argument, "master key: decodes to " + std::to_string(raw->size()) +
                                                    " bytes, expected 32; " + std::string(master_key_hint()));
  return make(*raw);
}

Result<MasterKey> MasterKey::from_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(StatusCode::not_found, "master key file " + path + ": cannot be read");
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string content = ss.str();
  if (content.size() == 32) {
    auto as_text = base64_decode(content);
    if (!as_text || as_text->size() != 32) return make(content);  // raw bytes
  }
  auto k = from_base64(content);
  if (!k.ok()) return Status(k.status().code(), "master key file " + path + ": " + k.status().message());
  return k;
}

Result<MasterKey> MasterKey::from_env(const char* variable) {
  const char* v = std::getenv(variable);
  if (v == nullptr || *v == '\0')
    return Status(StatusCode::not_found, std::string(variable) + " is not set; " + std::string(master_key_hint()));
  auto k = from_base64(v);
  if (!k.ok()) return Status(k.status().code(), std::string(variable) + ": " + k.status().message());
  return k;
}

Result<MasterKey> MasterKey::generate() {
  auto raw = random_bytes(32);
  if (!raw.ok()) return raw.status();
  return make(*raw);
}

std::string MasterKey::to_base64() const {
  return base64_encode(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

}  // namespace famulor::security
