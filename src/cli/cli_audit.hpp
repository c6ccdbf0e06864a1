// cli/cli_audit.hpp — the CLI's management actions in the audit log (actor "cli").
//
// Opens the store at `db` for the one entry and commits it before returning; a
// store that cannot be opened is reported on stderr and otherwise ignored (the
// action itself already happened or failed).
#pragma once

#include <string>

#include "famulor/status.hpp"

namespace famulor::cli {

void cli_audit(const std::string& db, const std::string& action, const std::string& target, const Status& outcome);

}  // namespace famulor::cli
