#include "cli/runs_table.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

namespace famulor::cli {

std::string format_run_duration(std::int64_t started_ms, std::int64_t finished_ms) {
  if (started_ms <= 0 || finished_ms <= 0) return "-";
  const std::int64_t ms = std::max<std::int64_t>(0, finished_ms - started_ms);
  char buf[32];
  if (ms < 1000) {
    std::snprintf(buf, sizeof buf, "%lldms", static_cast<long long>(ms));
  } else if (ms < 60'000) {
    std::snprintf(buf, sizeof buf, "%.1fs", static_cast<double>(ms) / 1000.0);
  } else if (ms < 3'600'000) {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", static_cast<long long>(ms / 60'000),
                  static_cast<long long>(ms / 1000 % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", static_cast<long long>(ms / 3'600'000),
                  static_cast<long long>(ms / 60'000 % 60));
  }
  return buf;
}

namespace {

std::string one_line(const std::string& text, std::size_t max) {
  std::string s = text.substr(0, text.find('\n'));
  if (s.size() > max) {
    std::size_t cut = max - 3;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // keep UTF-8 whole
    s = s.substr(0, cut) + "...";
  }
  return s;
}

}  // namespace

void print_runs_table(std::ostream& out, const std::vector<RunRecord>& runs) {
  using Row = std::array<std::string, 7>;
  std::vector<Row> rows;
  rows.push_back({"ID", "WORKFLOW", "VERSION", "STATUS", "STARTED", "DURATION", "ERROR"});
  for (const auto& r : runs) {
    std::string started = format_time_ms(r.started_at_ms);
    if (started.size() > 19) started = started.substr(0, 10) + " " + started.substr(11, 8);  // to the second, UTC
    rows.push_back({r.id, r.workflow, std::to_string(r.workflow_version), std::string(to_string(r.status)),
                    started.empty() ? "-" : started, format_run_duration(r.started_at_ms, r.finished_at_ms),
                    one_line(r.error, 60)});
  }
  std::array<std::size_t, 7> width{};
  for (const auto& row : rows)
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line.append(width[i] - row[i].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  }
}

}  // namespace famulor::cli
