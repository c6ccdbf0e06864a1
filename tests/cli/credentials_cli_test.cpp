// `famulor credentials set/list/delete/rotate-key` on a real database file.
#include <catch2/catch.hpp>

#include "cli/famulor_process.hpp"
#include "famulor/value.hpp"
#include "support/paths.hpp"

using namespace famulor;
using namespace famulor::test;

namespace {

const char* kKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

// name -> readable, from `credentials list --json`.
std::map<std::string, Value> listed(const std::string& db, const Env& env) {
  auto r = run_famulor({"credentials", "list", "--json", "--db", db}, env);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::map<std::string, Value> out;
  auto doc = Value::parse(r.out).value();
  const Value& all = *doc.find("credentials");
  for (std::size_t i = 0; i < all.size(); ++i) out[all.at(i)->get_string("name")] = *all.at(i)->find("readable");
  return out;
}

}  // namespace

TEST_CASE("famulor credentials: set, list, delete and rotate-key on a database file", "[cli][credentials]") {
  TempDir dir;
  std::string db = (dir / "vault.db").string();
  Env env{{"FAMULOR_MASTER_KEY", kKey}, {"ZD_EMAIL", "agent@example.com"}, {"ZD_API_TOKEN", "zd-CLI-SECRET-2"}};

  auto set1 = run_famulor({"credentials", "set", "hs", "--connector", "hubspot", "--field", "access_token=pat-CLI-SECRET-1", "--db", db}, env);
  INFO(set1.err);
  REQUIRE(set1.exit_code == 0);
  CHECK(set1.out.find("pat-CLI-SECRET-1") == std::string::npos);
  auto set2 = run_famulor({"credentials", "set", "zd", "--connector", "zendesk", "--from-env", "ZD_", "--field", "subdomain=acme", "--db", db}, env);
  INFO(set2.err);
  REQUIRE(set2.exit_code == 0);
  CHECK(set2.out.find("api_token") != std::string::npos);  // field names are shown, values are not
  CHECK(set2.out.find("zd-CLI-SECRET-2") == std::string::npos);

  auto list = run_famulor({"credentials", "list", "--db", db}, env);
  REQUIRE(list.exit_code == 0);
  CHECK(list.out.find("hs  hubspot") != std::string::npos);
  CHECK(list.out.find("zd  zendesk") != std::string::npos);
  for (auto& s : {list.out, list.err}) {
    CHECK(s.find("CLI-SECRET") == std::string::npos);
  }
  CHECK(listed(db, env) == std::map<std::string, Value>{{"hs", Value(true)}, {"zd", Value(true)}});
  std::string bytes = read_file(db);
  CHECK(bytes.find("CLI-SECRET") == std::string::npos);
  CHECK(bytes.find("agent@example.com") == std::string::npos);

  SECTION("rotate-key re-encrypts everything; the old key no longer opens them") {
    std::string new_key = (dir / "new.key").string();
    auto rot = run_famulor({"credentials", "rotate-key", "--new-key-file", new_key, "--db", db}, env);
    INFO(rot.err);
    REQUIRE(rot.exit_code == 0);
    CHECK(rot.out.empty());  // the key went to the file
    CHECK(rot.err.find("re-encrypted 2 credential(s)") != std::string::npos);
    CHECK(listed(db, {{"FAMULOR_MASTER_KEY", ""}, {"X", "1"}}).size() == 2);
    Env with_new{{"FAMULOR_MASTER_KEY", ""}};
    auto after = run_famulor({"credentials", "list", "--json", "--db", db, "--master-key-file", new_key}, with_new);
    REQUIRE(after.exit_code == 0);
    CHECK(after.out.find("\"readable\": false") == std::string::npos);
    CHECK(after.out.find("\"readable\": true") != std::string::npos);
    CHECK(listed(db, env) == std::map<std::string, Value>{{"hs", Value(false)}, {"zd", Value(false)}});
    // The wrong (old) key fails clearly and changes nothing.
    auto wrong = run_famulor({"credentials", "rotate-key", "--db", db}, env);
    CHECK(wrong.exit_code == 1);
    CHECK(wrong.err.find("sealed with master key") != std::string::npos);
    CHECK(wrong.out.empty());
    // Without a file the new key is printed alone on stdout, and works.
    auto again = run_famulor({"credentials", "rotate-key", "--db", db, "--master-key-file", new_key}, with_new);
    REQUIRE(again.exit_code == 0);
    std::string printed = again.out.substr(0, again.out.find('\n'));
    CHECK(printed.size() == 44);
    CHECK(listed(db, {{"FAMULOR_MASTER_KEY", printed}}) == std::map<std::string, Value>{{"hs", Value(true)}, {"zd", Value(true)}});
  }
  SECTION("delete removes one; deleting it again fails") {
    REQUIRE(run_famulor({"credentials", "delete", "hs", "--db", db}, env).exit_code == 0);
    CHECK(listed(db, env) == std::map<std::string, Value>{{"zd", Value(true)}});
    auto again = run_famulor({"credentials", "delete", "hs", "--db", db}, env);
    CHECK(again.exit_code == 1);
    CHECK(again.err.find("hs") != std::string::npos);
  }
}

TEST_CASE("famulor credentials explains a missing key and refuses bad input", "[cli][credentials]") {
  TempDir dir;
  std::string db = (dir / "vault.db").string();
  auto nokey = run_famulor({"credentials", "set", "hs", "--connector", "hubspot", "--field", "access_token=pat-x", "--db", db});
  CHECK(nokey.exit_code == 1);
  CHECK(nokey.err.find("head -c32 /dev/urandom | base64") != std::string::npos);
  CHECK(nokey.err.find("pat-x") == std::string::npos);

  Env env{{"FAMULOR_MASTER_KEY", kKey}};
  auto app = run_famulor({"credentials", "set", "x", "--connector", "nope", "--field", "a=b", "--db", db}, env);
  CHECK(app.exit_code == 1);
  CHECK(app.err.find("no connector 'nope'") != std::string::npos);
  auto fit = run_famulor({"credentials", "set", "x", "--connector", "slack", "--field", "token=SECRET-NOT-SHOWN", "--db", db}, env);
  CHECK(fit.exit_code == 1);
  CHECK(fit.err.find("fits none of this app's auth kinds") != std::string::npos);
  CHECK(fit.err.find("SECRET-NOT-SHOWN") == std::string::npos);
  auto bad_key = run_famulor({"credentials", "list", "--db", db}, {{"FAMULOR_MASTER_KEY", "too-short"}});
  CHECK(bad_key.exit_code == 1);
  CHECK(bad_key.err.find("FAMULOR_MASTER_KEY") != std::string::npos);
  CHECK(run_famulor({"credentials", "set", "x", "--db", db}, env).exit_code == 2);
  CHECK(run_famulor({"credentials", "frobnicate"}, env).exit_code == 2);
}
