// famulor privacy erase (--phone E164 | --email ADDR) [--db PATH] [--dry-run] [--json]
// — removes one person's phone number or e-mail address from every stored event,
// run and node record, and reports what it touched.
#include <filesystem>
#include <iostream>

#include "cli/args.hpp"
#include "cli/cli_audit.hpp"
#include "cli/commands.hpp"
#include "security/contact_redactor.hpp"
#include "store/sqlite_store.hpp"

namespace famulor::cli {

int cmd_privacy(int argc, char** argv) {
  const Command& self = command("privacy");
  std::string error;
  auto args = parse_args(argc, argv, 1, ArgSpec{{"--db", "--phone", "--email"}, {"--dry-run", "--json"}}, error);
  if (!args) return usage_error(self, error);
  if (args->positionals.size() != 1 || args->positionals[0] != "erase")
    return usage_error(self, "expected `erase` (famulor privacy erase --phone NUMBER | --email ADDR)");
  auto phone = args->get("--phone");
  auto email = args->get("--email");
  if (phone.has_value() == email.has_value()) return usage_error(self, "give exactly one of --phone NUMBER or --email ADDR");
  auto redactor = phone ? security::ContactRedactor::phone(*phone) : security::ContactRedactor::email(*email);
  if (!redactor.ok()) return usage_error(self, (phone ? "--phone: " : "--email: ") + redactor.status().message());

  const std::string db = args->get_or("--db", "famulor.db");
  std::error_code ec;
  if (!std::filesystem::is_regular_file(db, ec)) {
    std::cerr << "famulor privacy erase: cannot open database '" << db
              << "': no such file (give the store with --db PATH)\n";
    return 1;
  }
  const bool dry = args->has("--dry-run");
  Result<store::EraseReport> report = Status(StatusCode::internal, "not run");
  {
    auto store = store::open_sqlite_store(db);
    if (!store.ok()) {
      std::cerr << "famulor privacy erase: " << store.status().message() << "\n";
      return 1;
    }
    report = (*store)->erase_contact(**redactor, dry);
  }  // closed: nothing of the erased data stays in a WAL file
  if (!dry) cli_audit(db, "privacy.erase", phone ? "phone" : "email", report.status());
  if (!report.ok()) {
    std::cerr << "famulor privacy erase: " << report.status().message() << "\n";
    return 1;
  }
  if (args->has("--json")) {
    Array runs, nodes;
    for (const auto& r : report->runs) runs.push_back(Value(r));
    for (const auto& n : report->nodes) nodes.push_back(Value::object({{"run_id", Value(n.run_id)}, {"node", Value(n.node)}}));
    std::cout << Value::object({{"dry_run", Value(dry)},
                                {"runs", Value(std::move(runs))},
                                {"nodes", Value(std::move(nodes))},
                                {"replacements", Value(static_cast<std::int64_t>(report->replacements))}})
                     .pretty()
              << "\n";
    return 0;
  }
  std::cout << (dry ? "would erase " : "erased ") << report->replacements << " occurrence(s) in "
            << report->runs.size() << " run(s) and " << report->nodes.size() << " node record(s)\n";
  for (const auto& r : report->runs) std::cout << "  run " << r << "\n";
  for (const auto& n : report->nodes) std::cout << "  run " << n.run_id << " node " << n.node << "\n";
  return 0;
}

}  // namespace famulor::cli
