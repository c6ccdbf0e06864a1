#include "security/vault.hpp"

#include <chrono>
#include <mutex>

namespace famulor::security {
namespace {

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// Binds a ciphertext to the record it belongs to.
std::string associated_data(const std::string& name, const std::string& connector, const std::string& key_id) {
  std::string ad = "famulor.credential.v1";
  ad.push_back('\0');
  ad += name;
  ad.push_back('\0');
  ad += connector;
  ad.push_back('\0');
  ad += key_id;
  return ad;
}

std::string where(const std::string& name) { return "credential '" + name + "': "; }

}  // namespace

bool valid_credential_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > 128) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
              c == '-';
    if (!ok) return false;
  }
  return true;
}

Vault::Vault(std::unique_ptr<CredentialRecords> records, std::optional<MasterKey> key)
    : records_(std::move(records)), key_(std::move(key)) {}

Vault::~Vault() = default;

bool Vault::has_key() const {
  std::shared_lock lk(mu_);
  return key_.has_value();
}

std::string Vault::key_id() const {
  std::shared_lock lk(mu_);
  return key_ ? key_->id : std::string();
}

Status Vault::need_key() const {
  if (key_) return {};
  return Status(StatusCode::failed_precondition, "vault: no master key; " + std::string(master_key_hint()));
}

// The sealed plaintext: the fields object itself, or, for a credential restricted
// to workflows, {"famulor_record":2,"fields":{...},"workflows":[...]}.
constexpr const char* kRecordMark = "famulor_record";

Result<EncryptedRecord> Vault::seal(const MasterKey& key, const std::string& name, const std::string& connector,
                                    const Value& fields, const std::vector<std::string>& workflows) const {
  std::string plain;
  if (workflows.empty()) {
    plain = fields.dump();
  } else {
    Array ids;
    for (const auto& w : workflows) ids.push_back(Value(w));
    plain = Value::object({{kRecordMark, Value(std::int64_t{2})}, {"fields", fields}, {"workflows", Value(std::move(ids))}})
                .dump();
  }
  auto sealed = aes256gcm_seal(key.bytes, plain, associated_data(name, connector, key.id));
  std::fill(plain.begin(), plain.end(), '\0');
  if (!sealed.ok()) return Status(sealed.status().code(), where(name) + sealed.status().message());
  EncryptedRecord r;
  r.name = name;
  r.connector = connector;
  r.key_id = key.id;
  r.sealed = std::move(*sealed);
  return r;
}

Result<Vault::Opened> Vault::open(const MasterKey& key, const EncryptedRecord& r) const {
  if (r.key_id != key.id)
    return Status(StatusCode::unauthenticated, where(r.name) + "sealed with master key " + r.key_id +
                                                   " but the configured master key is " + key.id +
                                                   " (wrong FAMULOR_MASTER_KEY, or the key was rotated elsewhere)");
  auto plain = aes256gcm_open(key.bytes, r.sealed, associated_data(r.name, r.connector, r.key_id));
  if (!plain.ok()) return Status(plain.status().code(), where(r.name) + plain.status().message());
  auto v = Value::parse(*plain);
  std::fill(plain->begin(), plain->end(), '\0');
  if (!v.ok() || !v->is_object())
    return Status(StatusCode::data_loss, where(r.name) + "decrypted record is not a JSON object");
  Opened out;
  const Value* mark = v->find(kRecordMark);
  if (mark == nullptr) {
    out.fields = std::move(*v);
    return out;
  }
  const Value* fields = v->find("fields");
  const Value* workflows = v->find("workflows");
  if (!mark->is_int() || mark->as_int() != 2 || !fields || !fields->is_object() || !workflows || !workflows->is_array())
    return Status(StatusCode::data_loss, where(r.name) + "decrypted record has an unknown layout");
  out.fields = *fields;
  for (const auto& w : workflows->as_array())
    if (w.is_string()) out.workflows.push_back(w.as_string());
  return out;
}

bool Credential::usable_by(std::string_view workflow_id) const {
  if (workflows.empty()) return true;
  for (const auto& w : workflows)
    if (w == workflow_id) return true;
  return false;
}

Status Vault::put(const std::string& name, const std::string& connector, const Value& fields,
                  std::optional<std::vector<std::string>> workflows) {
  if (!valid_credential_name(name))
    return invalid_argument("credential name '" + name + "' is invalid: use 1-128 of A-Z a-z 0-9 _ . -");
  if (!fields.is_object()) return invalid_argument(where(name) + "fields must be a JSON object");
  std::shared_lock lk(mu_);
  if (auto s = need_key(); !s.ok()) return s;
  if (!workflows) {  // keep the current restriction
    workflows.emplace();
    if (auto old = records_->get(name); old.ok()) {
      auto opened = open(*key_, *old);
      if (!opened.ok()) return opened.status();
      *workflows = std::move(opened->workflows);
    }
  }
  for (const auto& w : *workflows)
    if (w.empty()) return invalid_argument(where(name) + "an empty workflow id in the workflow list");
  auto r = seal(*key_, name, connector, fields, *workflows);
  if (!r.ok()) return r.status();
  r->created_ms = r->updated_ms = now_ms();
  return records_->put(*r);
}

Result<Credential> Vault::get(const std::string& name) const {
  std::shared_lock lk(mu_);
  if (auto s = need_key(); !s.ok()) return s;
  auto r = records_->get(name);
  if (!r.ok()) return r.status();
  auto opened = open(*key_, *r);
  if (!opened.ok()) return opened.status();
  return Credential{r->name,        r->connector, std::move(opened->fields), r->created_ms, r->updated_ms,
                    std::move(opened->workflows)};
}

Result<std::vector<CredentialInfo>> Vault::list() const {
  auto all = records_->list();
  if (!all.ok()) return all.status();
  std::vector<CredentialInfo> out;
  out.reserve(all->size());
  for (auto& r : *all) out.push_back({r.name, r.connector, r.key_id, r.created_ms, r.updated_ms});
  return out;
}

Status Vault::remove(const std::string& name) { return records_->erase(name); }

Result<std::size_t> Vault::rotate_key(const MasterKey& new_key) {
  std::unique_lock lk(mu_);
  if (auto s = need_key(); !s.ok()) return s;
  auto all = records_->list();
  if (!all.ok()) return all.status();
  std::vector<EncryptedRecord> resealed;
  resealed.reserve(all->size());
  for (auto& r : *all) {
    auto opened = open(*key_, r);
    if (!opened.ok())
      return Status(opened.status().code(), "rotate-key: nothing changed; " + opened.status().message());
    auto n = seal(new_key, r.name, r.connector, opened->fields, opened->workflows);
    if (!n.ok()) return n.status();
    n->created_ms = r.created_ms;
    n->updated_ms = now_ms();
    resealed.push_back(std::move(*n));
  }
  if (auto s = records_->replace_all(resealed); !s.ok())
    return Status(s.code(), "rotate-key: nothing changed; " + s.message());
  key_ = new_key;
  return resealed.size();
}

}  // namespace famulor::security
