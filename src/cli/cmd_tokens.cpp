// famulor tokens create|list|revoke [--db PATH] — management API tokens.
#include <iostream>

#include "cli/cli_audit.hpp"
#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "famulor/run.hpp"
#include "server/auth.hpp"
#include "store/token_records.hpp"

namespace famulor::cli {

int cmd_tokens(int argc, char** argv) {
  const Command& self = command("tokens");
  std::string error;
  auto args = parse_args(argc, argv, 1, ArgSpec{{"--role", "--name", "--db"}, {"--json"}}, error);
  if (!args) return usage_error(self, error);
  if (args->positionals.empty()) return usage_error(self, "expected `create`, `list` or `revoke ID`");
  const std::string sub = args->positionals[0];
  const std::string db = args->get_or("--db", "famulor.db");
  auto open = [&]() -> std::unique_ptr<store::TokenRecords> {
    auto r = store::open_sqlite_token_records(db);
    if (!r.ok()) {
      std::cerr << "famulor tokens " << sub << ": " << r.status().message() << "\n";
      return nullptr;
    }
    return std::move(*r);
  };
  if (sub == "create") {
    if (args->positionals.size() != 1) return usage_error(self, "`create` takes no arguments");
    auto role_text = args->get("--role");
    if (!role_text) return usage_error(self, "`create` needs --role viewer|operator|admin");
    auto role = server::parse_role(*role_text);
    if (!role) return usage_error(self, "--role must be viewer, operator or admin, not '" + *role_text + "'");
    auto records = open();
    if (!records) return 1;
    auto t = server::create_token(*records, *role, args->get_or("--name", ""));
    cli_audit(db, "token.create", t.ok() ? t->record.id : "", t.status());
    if (!t.ok()) {
      std::cerr << "famulor tokens create: " << t.status().message() << "\n";
      return 1;
    }
    std::cout << t->token << "\n";
    std::cerr << "created token " << t->record.id << " (" << t->record.role << "); it is shown only once\n";
    return 0;
  }
  if (sub == "list") {
    if (args->positionals.size() != 1) return usage_error(self, "`list` takes no arguments");
    auto records = open();
    if (!records) return 1;
    auto list = records->list();
    if (!list.ok()) {
      std::cerr << "famulor tokens list: " << list.status().message() << "\n";
      return 1;
    }
    for (const auto& t : *list)
      std::cout << t.id << "  " << t.role << "  " << format_time_ms(t.created_ms) << "  " << t.name << "\n";
    return 0;
  }
  if (sub == "revoke") {
    if (args->positionals.size() != 2) return usage_error(self, "usage: famulor tokens revoke ID");
    auto records = open();
    if (!records) return 1;
    Status revoked = records->revoke(args->positionals[1]);
    cli_audit(db, "token.revoke", args->positionals[1], revoked);
    if (Status s = revoked; !s.ok()) {
      std::cerr << "famulor tokens revoke: " << s.message() << "\n";
      return 1;
    }
    std::cerr << "revoked " << args->positionals[1] << "\n";
    return 0;
  }
  return usage_error(self, "unknown subcommand '" + sub + "' (create, list, revoke)");
}

}  // namespace famulor::cli
