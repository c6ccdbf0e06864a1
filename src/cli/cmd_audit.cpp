// famulor audit [--db PATH] [--since T] [--action A] [--workflow W] [--limit N] [--json]
// — reads the audit log: management actions and connector calls, newest first.
#include <charconv>
#include <filesystem>
#include <iostream>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "common/clock.hpp"
#include "store/audit_json.hpp"
#include "store/sqlite_store.hpp"

namespace famulor::cli {

int cmd_audit(int argc, char** argv) {
  const Command& self = command("audit");
  std::string error;
  auto args = parse_args(argc, argv, 1, ArgSpec{{"--db", "--since", "--action", "--workflow", "--limit"}, {"--json"}},
                         error);
  if (!args) return usage_error(self, error);
  if (!args->positionals.empty()) return usage_error(self, "audit takes no arguments");
  store::AuditQuery q;
  q.action = args->get_or("--action", "");
  q.workflow = args->get_or("--workflow", "");
  if (auto since = args->get("--since")) {
    auto ms = store::parse_since(*since, detail::now_ms());
    if (!ms.ok()) return usage_error(self, "--" + ms.status().message());
    q.since_ms = *ms;
  }
  if (auto l = args->get("--limit")) {
    unsigned n = 0;
    auto [p, ec] = std::from_chars(l->data(), l->data() + l->size(), n);
    if (ec != std::errc() || p != l->data() + l->size() || n == 0 || n > 100000)
      return usage_error(self, "--limit must be a number from 1 to 100000, not '" + *l + "'");
    q.limit = n;
  }
  const std::string db = args->get_or("--db", "famulor.db");
  std::error_code ec;
  if (!std::filesystem::is_regular_file(db, ec)) {
    std::cerr << "famulor audit: cannot open database '" << db << "': no such file (give the store with --db PATH)\n";
    return 1;
  }
  auto store = store::open_sqlite_store(db);
  if (!store.ok()) {
    std::cerr << "famulor audit: " << store.status().message() << "\n";
    return 1;
  }
  auto rows = (*store)->list_audit(q);
  if (!rows.ok()) {
    std::cerr << "famulor audit: " << rows.status().message() << "\n";
    return 1;
  }
  if (args->has("--json")) {
    Array out;
    for (const auto& e : *rows) out.push_back(store::audit_json(e));
    std::cout << Value::object({{"entries", Value(std::move(out))}}).pretty() << "\n";
    return 0;
  }
  for (const auto& e : *rows) {
    std::cout << format_time_ms(e.at_ms) << "  " << e.actor << "  " << e.action;
    if (!e.target.empty()) std::cout << " " << e.target;
    std::cout << "  " << e.outcome;
    if (!e.workflow.empty()) std::cout << "  workflow " << e.workflow;
    if (!e.run_id.empty()) std::cout << " run " << e.run_id;
    if (!e.node.empty()) std::cout << " node " << e.node;
    if (e.http_status) std::cout << "  HTTP " << e.http_status;
    if (e.action == "connector.call") std::cout << "  " << e.duration_ms << " ms";
    std::cout << "\n";
  }
  return 0;
}

}  // namespace famulor::cli
