#include "security/credential_records.hpp"

#include <map>
#include <mutex>

namespace famulor::security {
namespace {

class MemoryRecords final : public CredentialRecords {
 public:
  Status put(const EncryptedRecord& record) override {
    std::lock_guard lk(mu_);
    auto it = records_.find(record.name);
    EncryptedRecord r = record;
    if (it != records_.end()) r.created_ms = it->second.created_ms;
    records_[record.name] = std::move(r);
    return {};
  }
  Result<EncryptedRecord> get(const std::string& name) override {
    std::lock_guard lk(mu_);
    auto it = records_.find(name);
    if (it == records_.end()) return Status(StatusCode::not_found, "credential '" + name + "' does not exist");
    return it->second;
  }
  Result<std::vector<EncryptedRecord>> list() override {
    std::lock_guard lk(mu_);
    std::vector<EncryptedRecord> out;
    for (auto& [_, r] : records_) out.push_back(r);
    return out;
  }
  Status erase(const std::string& name) override {
    std::lock_guard lk(mu_);
    if (records_.erase(name) == 0) return Status(StatusCode::not_found, "credential '" + name + "' does not exist");
    return {};
  }
  Status replace_all(const std::vector<EncryptedRecord>& records) override {
    std::lock_guard lk(mu_);
    for (auto& r : records) records_[r.name] = r;
    return {};
  }

 private:
  std::mutex mu_;
  std::map<std::string, EncryptedRecord> records_;
};

}  // namespace

std::unique_ptr<CredentialRecords> make_memory_credential_records() { return std::make_unique<MemoryRecords>(); }

}  // namespace famulor::security
