// famulor credentials set NAME --connector APP (--field K=V... | --from-env PREFIX)
//                     list [--json] / delete NAME / rotate-key [--new-key-file F]
// The vault in --db (default famulor.db), under FAMULOR_MASTER_KEY or
// --master-key-file. No command prints a secret value (rotate-key prints the new
// key only when it has no file to write it to).
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <iostream>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/cli_audit.hpp"
#include "cli/connector_options.hpp"
#include "connectors/auth.hpp"
#include "connectors/registry.hpp"
#include "security/vault.hpp"
#include "store/sqlite_credential_records.hpp"

extern char** environ;

namespace famulor::cli {
namespace {

int fail(const std::string& message) {
  std::cerr << "famulor credentials: " << message << "\n";
  return 1;
}

Result<security::MasterKey> master_key(const Args& args) {
  if (auto file = args.get("--master-key-file")) return security::MasterKey::from_file(*file);
  return security::MasterKey::from_env();
}

Result<std::unique_ptr<security::Vault>> open_vault(const Args& args, bool need_key) {
  std::optional<security::MasterKey> key;
  auto k = master_key(args);
  if (k.ok()) key = std::move(*k);
  else if (need_key || k.status().code() != StatusCode::not_found) return k.status();
  std::string db = args.get_or("--db", "famulor.db");
  auto records = store::open_sqlite_credential_records(db);
  if (!records.ok()) return Status(records.status().code(), db + ": " + records.status().message());
  return std::make_unique<security::Vault>(std::move(*records), std::move(key));
}

std::string iso_time(std::int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Fields from --field K=V (repeated) or the environment variables PREFIX*
// (HUBSPOT_ACCESS_TOKEN with prefix HUBSPOT_ -> access_token).
Result<Value> read_fields(const Args& args) {
  Value fields = Value::object();
  for (auto& kv : args.all("--field")) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) return invalid_argument("--field wants KEY=VALUE (the value is not shown here)");
    fields[kv.substr(0, eq)] = Value(kv.substr(eq + 1));
  }
  if (auto prefix = args.get("--from-env")) {
    if (prefix->empty()) return invalid_argument("--from-env needs a PREFIX");
    for (char** e = environ; e && *e; ++e) {
      std::string entry = *e;
      auto eq = entry.find('=');
      if (eq == std::string::npos || entry.compare(0, prefix->size(), *prefix) != 0 || eq <= prefix->size()) continue;
      fields[lower(entry.substr(prefix->size(), eq - prefix->size()))] = Value(entry.substr(eq + 1));
    }
    if (fields.size() == 0) return invalid_argument("--from-env " + *prefix + ": no environment variable starts with " + *prefix);
  }
  if (fields.size() == 0) return invalid_argument("give the credential's fields with --field KEY=VALUE or --from-env PREFIX");
  return fields;
}

int cmd_set(const Command& self, const Args& args) {
  if (args.positionals.size() != 2) return usage_error(self, "`set` takes one credential NAME");
  const std::string& name = args.positionals[1];
  auto app = args.get("--connector");
  if (!app) return usage_error(self, "`set` needs --connector APP");
  auto registry = load_registry(args);
  if (!registry.ok()) return fail(registry.status().message());
  const connectors::Manifest* m = (*registry)->find(*app);
  if (m == nullptr) return fail("no connector '" + *app + "'; `famulor connectors list` shows them");
  auto fields = read_fields(args);
  if (!fields.ok()) return usage_error(self, fields.status().message());
  if (auto a = connectors::choose_auth(*m, *fields); !a.ok()) return fail(a.status().message());
  auto vault = open_vault(args, true);
  if (!vault.ok()) return fail(vault.status().message());
  // --workflows a,b: only these workflows may use it (absent: every workflow).
  std::vector<std::string> workflows;
  if (auto list = args.get("--workflows")) {
    std::string_view rest = *list;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      std::string id(rest.substr(0, comma));
      while (!id.empty() && id.back() == ' ') id.pop_back();
      while (!id.empty() && id.front() == ' ') id.erase(0, 1);
      if (!id.empty()) workflows.push_back(std::move(id));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
    if (workflows.empty()) return usage_error(self, "--workflows wants a comma list of workflow ids");
  }
  Status put = (*vault)->put(name, *app, *fields, workflows);
  cli_audit(args.get_or("--db", "famulor.db"), "credential.set", name, put);
  if (!put.ok()) return fail(put.message());
  std::string keys;
  for (auto& [k, _] : fields->as_object()) keys += (keys.empty() ? "" : ", ") + k;
  std::string only;
  for (auto& w : workflows) only += (only.empty() ? "" : ", ") + w;
  std::cout << "credential " << name << " saved for " << *app << " (fields: " << keys << "; key " << (*vault)->key_id()
            << (only.empty() ? "" : "; workflows: " + only) << ")\n";
  return 0;
}

int cmd_list(const Command& self, const Args& args) {
  if (args.positionals.size() != 1) return usage_error(self, "`list` takes no arguments");
  auto vault = open_vault(args, false);
  if (!vault.ok()) return fail(vault.status().message());
  auto all = (*vault)->list();
  if (!all.ok()) return fail(all.status().message());
  bool has_key = (*vault)->has_key();
  Array out;
  for (auto& c : *all) {
    // Whether the current key opens it (null without a key); the value is discarded.
    Value readable;
    Value workflows;  // null: unknown (no key) or every workflow
    std::string why;
    if (has_key) {
      auto got = (*vault)->get(c.name);
      readable = Value(got.ok());
      if (!got.ok()) why = got.status().message();
      if (got.ok() && !got->workflows.empty()) {
        Array ids;
        for (auto& w : got->workflows) ids.push_back(Value(w));
        workflows = Value(std::move(ids));
      }
    }
    Value row = Value::object({{"name", c.name},
                               {"connector", c.connector},
                               {"key_id", c.key_id},
                               {"created_at", iso_time(c.created_ms)},
                               {"updated_at", iso_time(c.updated_ms)},
                               {"readable", readable},
                               {"workflows", workflows}});
    if (!why.empty()) row["error"] = Value(why);
    out.push_back(std::move(row));
  }
  if (args.has("--json")) {
    std::cout << Value::object({{"credentials", Value(std::move(out))}}).pretty() << "\n";
    return 0;
  }
  for (auto& r : out) {
    std::cout << r.get_string("name") << "  " << r.get_string("connector") << "  key " << r.get_string("key_id")
              << "  updated " << r.get_string("updated_at");
    if (const Value* w = r.find("workflows"); w && w->is_array()) {
      std::string only;
      for (auto& id : w->as_array()) only += (only.empty() ? "" : ",") + id.as_string();
      std::cout << "  workflows " << only;
    }
    if (r.find("readable")->is_bool()) std::cout << (r.find("readable")->as_bool() ? "  ok" : "  UNREADABLE: " + r.get_string("error"));
    std::cout << "\n";
  }
  if (!has_key) std::cerr << "(no master key: cannot tell whether they decrypt; " << security::master_key_hint() << ")\n";
  return 0;
}

int cmd_delete(const Command& self, const Args& args) {
  if (args.positionals.size() != 2) return usage_error(self, "`delete` takes one credential NAME");
  auto vault = open_vault(args, false);
  if (!vault.ok()) return fail(vault.status().message());
  Status removed = (*vault)->remove(args.positionals[1]);
  cli_audit(args.get_or("--db", "famulor.db"), "credential.delete", args.positionals[1], removed);
  if (!removed.ok()) return fail(removed.message());
  std::cout << "credential " << args.positionals[1] << " deleted\n";
  return 0;
}

// The new key: read from --new-key-file when it exists, else generated (and
// written there, mode 0600, when the option is given).
int cmd_rotate(const Command& self, const Args& args) {
  if (args.positionals.size() != 1) return usage_error(self, "`rotate-key` takes no arguments");
  auto vault = open_vault(args, true);
  if (!vault.ok()) return fail(vault.status().message());
  auto file = args.get("--new-key-file");
  struct stat st{};
  bool existing = file && ::stat(file->c_str(), &st) == 0;
  auto key = existing ? security::MasterKey::from_file(*file) : security::MasterKey::generate();
  if (!key.ok()) return fail(key.status().message());
  if (key->id == (*vault)->key_id()) return fail("the new key is the current key");
  if (file && !existing) {
    std::ofstream out(*file, std::ios::binary | std::ios::trunc);
    if (!out) return fail("cannot write " + *file);
    out << key->to_base64() << "\n";
    out.close();
    ::chmod(file->c_str(), 0600);
    if (!out) return fail("cannot write " + *file);
  }
  auto n = (*vault)->rotate_key(*key);
  if (!n.ok()) return fail(n.status().message() + " (nothing was changed)");
  if (!file) std::cout << key->to_base64() << "\n";
  std::cerr << "re-encrypted " << *n << " credential(s) under key " << key->id << "; "
            << (file ? "the new key is in " + *file : std::string("the new key is printed above"))
            << " — use it as FAMULOR_MASTER_KEY or --master-key-file from now on\n";
  return 0;
}

}  // namespace

int cmd_credentials(int argc, char** argv) {
  const Command& self = command("credentials");
  std::string error;
  ArgSpec spec{{"--db", "--master-key-file", "--connector", "--field", "--from-env", "--connectors", "--new-key-file",
                "--workflows"},
               {"--json"}};
  auto args = parse_args(argc, argv, 1, spec, error);
  if (!args) return usage_error(self, error);
  if (args->positionals.empty()) return usage_error(self, "expected set, list, delete or rotate-key");
  const std::string& sub = args->positionals[0];
  if (sub == "set") return cmd_set(self, *args);
  if (sub == "list") return cmd_list(self, *args);
  if (sub == "delete") return cmd_delete(self, *args);
  if (sub == "rotate-key") return cmd_rotate(self, *args);
  return usage_error(self, "unknown subcommand '" + sub + "' (expected set, list, delete or rotate-key)");
}

}  // namespace famulor::cli
