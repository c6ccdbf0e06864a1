#include <catch2/catch.hpp>

#include "security/vault.hpp"
#include "store/sqlite_credential_records.hpp"
#include "support/paths.hpp"

using namespace famulor;
using namespace famulor::security;

namespace {

MasterKey key() {
  auto k = MasterKey::generate();
  REQUIRE(k.ok());
  return *k;
}

std::unique_ptr<CredentialRecords> sqlite_records(const std::filesystem::path& db) {
  auto r = store::open_sqlite_credential_records(db.string());
  REQUIRE(r.ok());
  return std::move(*r);
}

const std::string kSecret = "pat-na1-7f3c9e2b-SECRET-VALUE-41d8";

}  // namespace

TEST_CASE("vault stores and returns credentials", "[vault]") {
  Vault v(make_memory_credential_records(), key());
  REQUIRE(v.put("hubspot-main", "hubspot", Value::object({{"access_token", kSecret}})).ok());
  auto c = v.get("hubspot-main");
  REQUIRE(c.ok());
  CHECK(c->connector == "hubspot");
  CHECK(c->fields.get_string("access_token") == kSecret);
  CHECK(v.get("nope").status().code() == StatusCode::not_found);
  CHECK(v.put("bad name!", "x", Value::object()).code() == StatusCode::invalid_argument);
  CHECK(v.put("ok", "x", Value("not an object")).code() == StatusCode::invalid_argument);
  REQUIRE(v.remove("hubspot-main").ok());
  CHECK(v.get("hubspot-main").status().code() == StatusCode::not_found);
}

TEST_CASE("the database file holds no secret in clear", "[vault]") {
  test::TempDir dir;
  auto db = dir / "famulor.db";
  {
    Vault v(sqlite_records(db), key());
    REQUIRE(v.put("stripe", "stripe", Value::object({{"api_key", kSecret}, {"note", "sk_live_PLAINNOTE"}})).ok());
    REQUIRE(v.list().ok());
  }
  // The WAL may hold the pages too: read every file SQLite made.
  std::string all;
  for (auto& f : std::filesystem::directory_iterator(dir.path())) all += test::read_file(f.path());
  CHECK(all.find("credentials") != std::string::npos);  // the table is there
  CHECK(all.find("stripe") != std::string::npos);       // names are not secret
  CHECK(all.find(kSecret) == std::string::npos);
  CHECK(all.find("SECRET-VALUE") == std::string::npos);
  CHECK(all.find("sk_live_PLAINNOTE") == std::string::npos);
  CHECK(all.find("api_key") == std::string::npos);  // field names are sealed too
}

TEST_CASE("a wrong master key fails clearly", "[vault]") {
  test::TempDir dir;
  auto db = dir / "famulor.db";
  auto k1 = key();
  auto k2 = key();
  {
    Vault v(sqlite_records(db), k1);
    REQUIRE(v.put("slack", "slack", Value::object({{"bot_token", kSecret}})).ok());
  }
  Vault wrong(sqlite_records(db), k2);
  auto c = wrong.get("slack");
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().code() == StatusCode::unauthenticated);
  CHECK(c.status().message().find("slack") != std::string::npos);
  CHECK(c.status().message().find(k1.id) != std::string::npos);
  CHECK(c.status().message().find(k2.id) != std::string::npos);
  CHECK(c.status().message().find(kSecret) == std::string::npos);

  Vault none(sqlite_records(db), std::nullopt);
  CHECK(none.get("slack").status().code() == StatusCode::failed_precondition);
  CHECK(none.get("slack").status().message().find("FAMULOR_MASTER_KEY") != std::string::npos);
  REQUIRE(none.list().ok());
  CHECK(none.list()->size() == 1);  // names are listable without the key
}

namespace {

// Lets a test reach the stored records to alter them.
class Spy final : public CredentialRecords {
 public:
  explicit Spy(CredentialRecords* inner) : inner_(inner) {}
  Status put(const EncryptedRecord& r) override { return inner_->put(r); }
  Result<EncryptedRecord> get(const std::string& n) override { return inner_->get(n); }
  Result<std::vector<EncryptedRecord>> list() override { return inner_->list(); }
  Status erase(const std::string& n) override { return inner_->erase(n); }
  Status replace_all(const std::vector<EncryptedRecord>& rs) override { return inner_->replace_all(rs); }

 private:
  CredentialRecords* inner_;
};

}  // namespace

TEST_CASE("tampering with a record is detected", "[vault]") {
  auto backing = make_memory_credential_records();
  auto k = key();
  Vault v(std::make_unique<Spy>(backing.get()), k);
  REQUIRE(v.put("a", "zendesk", Value::object({{"api_token", kSecret}, {"subdomain", "acme"}})).ok());

  SECTION("a flipped ciphertext bit") {
    auto r = backing->get("a").value();
    r.sealed[r.sealed.size() / 2] ^= 0x40;
    REQUIRE(backing->put(r).ok());
    CHECK(v.get("a").status().code() == StatusCode::unauthenticated);
  }
  SECTION("a record copied under another name") {
    auto r = backing->get("a").value();
    r.name = "b";
    REQUIRE(backing->put(r).ok());
    CHECK(v.get("b").status().code() == StatusCode::unauthenticated);
    CHECK(v.get("a").ok());
  }
  SECTION("the connector changed") {
    auto r = backing->get("a").value();
    r.connector = "hubspot";
    REQUIRE(backing->put(r).ok());
    CHECK(v.get("a").status().code() == StatusCode::unauthenticated);
  }
}

TEST_CASE("rotate_key keeps every credential readable under the new key only", "[vault]") {
  test::TempDir dir;
  auto db = dir / "famulor.db";
  auto k1 = key();
  auto k2 = key();
  {
    Vault v(sqlite_records(db), k1);
    for (int i = 0; i < 5; ++i)
      REQUIRE(v.put("cred" + std::to_string(i), "http", Value::object({{"token", kSecret + std::to_string(i)}})).ok());
    auto n = v.rotate_key(k2);
    REQUIRE(n.ok());
    CHECK(*n == 5);
    CHECK(v.key_id() == k2.id);
    CHECK(v.get("cred3")->fields.get_string("token") == kSecret + "3");  // the live vault uses the new key
  }
  Vault fresh(sqlite_records(db), k2);
  for (int i = 0; i < 5; ++i) {
    auto c = fresh.get("cred" + std::to_string(i));
    REQUIRE(c.ok());
    CHECK(c->fields.get_string("token") == kSecret + std::to_string(i));
  }
  auto infos = fresh.list();
  REQUIRE(infos.ok());
  for (auto& i : *infos) CHECK(i.key_id == k2.id);
  Vault old(sqlite_records(db), k1);
  CHECK(old.get("cred0").status().code() == StatusCode::unauthenticated);
}

TEST_CASE("rotate_key changes nothing when a record does not open", "[vault]") {
  auto backing = make_memory_credential_records();
  auto k1 = key();
  Vault v(std::make_unique<Spy>(backing.get()), k1);
  REQUIRE(v.put("good", "x", Value::object({{"t", "1"}})).ok());
  REQUIRE(v.put("bad", "x", Value::object({{"t", "2"}})).ok());
  auto r = backing->get("bad").value();
  r.sealed[r.sealed.size() - 1] ^= 1;
  REQUIRE(backing->put(r).ok());
  auto n = v.rotate_key(key());
  REQUIRE_FALSE(n.ok());
  CHECK(n.status().message().find("nothing changed") != std::string::npos);
  CHECK(v.key_id() == k1.id);
  CHECK(v.get("good").ok());
}
