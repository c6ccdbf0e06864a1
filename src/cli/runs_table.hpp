// cli/runs_table.hpp — `famulor runs list` as a table people read: one line per
// run with its id, workflow, version, status, start time, duration and error.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "famulor/run.hpp"

namespace famulor::cli {

// "350ms", "1.2s", "3m05s", "2h10m"; "-" for a run that has not finished.
std::string format_run_duration(std::int64_t started_ms, std::int64_t finished_ms);

// A header line, then one line per run; columns padded to the widest value.
// Errors are cut to one line of at most 60 characters.
void print_runs_table(std::ostream& out, const std::vector<RunRecord>& runs);

}  // namespace famulor::cli
