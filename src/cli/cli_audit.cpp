#include "cli/cli_audit.hpp"

#include <iostream>

#include "store/sqlite_store.hpp"
#include "store/store.hpp"

namespace famulor::cli {

void cli_audit(const std::string& db, const std::string& action, const std::string& target, const Status& outcome) {
  auto store = store::open_sqlite_store(db);
  if (!store.ok()) {
    std::cerr << "famulor: audit log not written: " << store.status().message() << "\n";
    return;
  }
  store::AuditEntry e;
  e.actor = "cli";
  e.action = action;
  e.target = target;
  e.outcome = outcome.ok() ? "ok" : std::string(to_string(outcome.code()));
  if (action.rfind("workflow.", 0) == 0) e.workflow = target;
  (*store)->audit(std::move(e));
  if (Status s = (*store)->flush(); !s.ok()) std::cerr << "famulor: audit log not written: " << s.message() << "\n";
}

}  // namespace famulor::cli
